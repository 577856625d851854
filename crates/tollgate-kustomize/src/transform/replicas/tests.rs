//! Tests of the replicas transformer against kubectl kustomize output.

use super::*;
use crate::transform::testutil::*;
