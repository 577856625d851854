//! Fuzz the line formats: the first byte picks INI, dotenv or Java
//! properties, the rest is decoded and loaded, with the loader's invariants.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tollgate::load::{Syntax, invariants};

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let syntax = match which % 3 {
        0 => Syntax::Ini,
        1 => Syntax::Dotenv,
        _ => Syntax::Properties,
    };
    if let Ok(text) = tollgate::model::source::decode(rest.to_vec()) {
        invariants::check(&text, syntax);
    }
});
