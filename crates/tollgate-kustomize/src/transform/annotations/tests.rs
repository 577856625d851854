//! Tests of the annotations transformer against kubectl kustomize output.

use super::*;
use crate::transform::testutil::*;
