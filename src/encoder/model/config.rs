//! Model hyper-parameters, stored as `config.json` beside `encoder.gguf`.
//!
//! Field names follow Hugging Face's `BertConfig` so the file reads like any BERT config;
//! the extra fields record what e5 needs beyond BERT (special ids, prefixes, pooling).

use serde::{Deserialize, Serialize};
use std::path::Path;

/// Errors reading or checking a [`Config`].
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("reading {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("parsing {path}: {source}")]
    Json {
        path: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("invalid config: {0}")]
    Invalid(String),
}

/// Hyper-parameters of the e5-small encoder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Config {
    pub model_type: String,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    /// Rows of the word-embedding table (250,037; the tokenizer uses the first 250,002).
    pub vocab_size: usize,
    pub max_position_embeddings: usize,
    pub type_vocab_size: usize,
    pub layer_norm_eps: f32,
    /// Always `"gelu"` (the exact, erf-based GELU).
    pub hidden_act: String,
    pub bos_token_id: u32,
    pub eos_token_id: u32,
    pub pad_token_id: u32,
    pub unk_token_id: u32,
    /// Always `"mean"`: mean over every token, `<s>` and `</s>` included.
    pub pooling: String,
    pub query_prefix: String,
    pub passage_prefix: String,
}

impl Config {
    /// Size of one attention head.
    pub fn head_dim(&self) -> usize {
        self.hidden_size / self.num_attention_heads
    }

    /// Content tokens per window: the position table minus `<s>` and `</s>`.
    pub fn window_content_tokens(&self) -> usize {
        self.max_position_embeddings - 2
    }

    /// Rejects configurations the forward pass cannot run.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let positive = [
            self.hidden_size,
            self.num_hidden_layers,
            self.num_attention_heads,
            self.intermediate_size,
            self.vocab_size,
            self.type_vocab_size,
        ];
        if positive.contains(&0) || self.max_position_embeddings < 3 {
            return Err(ConfigError::Invalid("zero-sized dimension".into()));
        }
        if !self.hidden_size.is_multiple_of(self.num_attention_heads) {
            return Err(ConfigError::Invalid(format!(
                "hidden size {} is not a multiple of {} heads",
                self.hidden_size, self.num_attention_heads
            )));
        }
        if self.hidden_act != "gelu" || self.pooling != "mean" {
            return Err(ConfigError::Invalid(format!(
                "unsupported activation {:?} or pooling {:?}",
                self.hidden_act, self.pooling
            )));
        }
        if !(self.layer_norm_eps.is_finite() && self.layer_norm_eps > 0.0) {
            return Err(ConfigError::Invalid(
                "layer_norm_eps must be positive".into(),
            ));
        }
        Ok(())
    }

    /// Reads and validates `config.json`.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: shown.clone(),
            source,
        })?;
        let config: Self = serde_json::from_str(&text).map_err(|source| ConfigError::Json {
            path: shown,
            source,
        })?;
        config.validate()?;
        Ok(config)
    }
}
