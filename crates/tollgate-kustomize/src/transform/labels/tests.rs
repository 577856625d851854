//! Tests of the labels transformer against kubectl kustomize output.

use super::*;
use crate::transform::testutil::*;
