#![no_main]
//! Fuzz target `csv_reader`: the property winddown::fuzzing::csv_reader on arbitrary bytes.
libfuzzer_sys::fuzz_target!(|data: &[u8]| winddown::fuzzing::csv_reader(data));
