//! Tests of the nameref transformer against kubectl kustomize output.

use super::*;
use crate::transform::testutil::*;
