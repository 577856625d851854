//! Tests of the images transformer against kubectl kustomize output.

use super::*;
use crate::transform::testutil::*;
