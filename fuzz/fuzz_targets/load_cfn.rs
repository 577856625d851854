//! Fuzz CloudFormation templates: the YAML loader on a text that starts with
//! a template's marker, so every short-form intrinsic tag (`!Ref`, `!GetAtt`,
//! `!Sub`, ...) is rewritten to its long form, with the loader's invariants.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tollgate::load::{Syntax, invariants};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = tollgate::model::source::decode(data.to_vec()) {
        let template = format!("AWSTemplateFormatVersion: '2010-09-09'\n{text}");
        invariants::check(&template, Syntax::Yaml);
    }
});
