#![no_main]
//! Fuzz target `config`: the property winddown::fuzzing::config_text on arbitrary bytes.
libfuzzer_sys::fuzz_target!(|data: &[u8]| winddown::fuzzing::config_text(data));
