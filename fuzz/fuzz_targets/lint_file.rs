//! One file of arbitrary bytes, linted as a migration (its up/down pair is
//! absent), with every rule on.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use migralint_core::SourceFile;

fuzz_target!(|data: &[u8]| {
    let file = SourceFile::from_bytes("000001_fuzz.up.sql", data.to_vec());
    common::lint_and_render(&[file], common::all_rules());
});
