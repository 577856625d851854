//! Fuzz the XML loader: bytes → decode → spanned documents, with invariants.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tollgate::load::{Syntax, invariants};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = tollgate::model::source::decode(data.to_vec()) {
        invariants::check(&text, Syntax::Xml);
    }
});
