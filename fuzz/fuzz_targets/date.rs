#![no_main]
//! Fuzz target `date`: the property winddown::fuzzing::date_text on arbitrary bytes.
libfuzzer_sys::fuzz_target!(|data: &[u8]| winddown::fuzzing::date_text(data));
