#![no_main]
//! Fuzz target `xlsx`: the property winddown::fuzzing::xlsx_workbook on arbitrary bytes.
libfuzzer_sys::fuzz_target!(|data: &[u8]| winddown::fuzzing::xlsx_workbook(data));
