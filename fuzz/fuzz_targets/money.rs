#![no_main]
//! Fuzz target `money`: the property winddown::fuzzing::money_text on arbitrary bytes.
libfuzzer_sys::fuzz_target!(|data: &[u8]| winddown::fuzzing::money_text(data));
