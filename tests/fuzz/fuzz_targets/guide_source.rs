#![no_main]

#[path = "../../hostile/properties.rs"]
mod properties;

libfuzzer_sys::fuzz_target!(|data: &[u8]| properties::guide_source(data));
