#![no_main]

// Each target uses one of the shared properties.
#[allow(dead_code)]
#[path = "../../hostile/properties.rs"]
mod properties;

use std::path::PathBuf;
use std::sync::OnceLock;

use felsok::encoder::E5Tokenizer;

fn tokenizer() -> &'static E5Tokenizer {
    static TOKENIZER: OnceLock<E5Tokenizer> = OnceLock::new();
    TOKENIZER.get_or_init(|| {
        let models = std::env::var_os("FELSOK_MODELS_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../models")));
        properties::load_tokenizer(&models)
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| properties::customer_text(tokenizer(), data));
