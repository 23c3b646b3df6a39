#![no_main]

// Each target uses one of the shared properties.
#[allow(dead_code)]
#[path = "../../hostile/properties.rs"]
mod properties;

libfuzzer_sys::fuzz_target!(|data: &[u8]| properties::json_body(data));
