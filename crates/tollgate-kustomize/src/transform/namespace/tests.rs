//! Tests of the namespace transformer against kubectl kustomize output.

use super::*;
use crate::transform::testutil::*;
