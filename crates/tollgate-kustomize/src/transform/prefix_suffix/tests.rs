//! Tests of the prefix_suffix transformer against kubectl kustomize output.

use super::*;
use crate::transform::testutil::*;
