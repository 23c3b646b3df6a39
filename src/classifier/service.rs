//! The classifier as the service uses it: encoder worker + intent head.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::decision::{decide, Classification};
use super::head::{HeadError, IntentHead};
use super::language;
use super::pool::{Embedder, EmbeddingPool, PoolError};
use crate::domain::Locale;
use crate::encoder::fetch::{self, FetchError};
use crate::encoder::{Encoder, EncoderError, Prefix};

/// Where the model files are, relative to the project root unless configured otherwise.
#[derive(Debug, Clone)]
pub struct ModelPaths {
    pub root: PathBuf,
}

impl ModelPaths {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn encoder_dir(&self) -> PathBuf {
        self.root.join("encoder")
    }

    pub fn committed_manifest(&self) -> PathBuf {
        self.root.join("encoder-manifest.json")
    }

    pub fn head(&self) -> PathBuf {
        self.root.join("intent-head.json")
    }

    pub fn training(&self) -> PathBuf {
        self.root.join("training")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("loading the encoder: {0}")]
    Encoder(#[from] EncoderError),
    #[error(transparent)]
    Head(#[from] HeadError),
    #[error("the intent head expects {expected}-dimensional vectors, the encoder gives {actual}")]
    Dimension { expected: usize, actual: usize },
}

impl Embedder for Encoder {
    fn embed_queries(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, String> {
        self.embed_batch(texts, Prefix::Query)
            .map_err(|e| e.to_string())
    }
}

/// SHA-256 of the encoder weights, from the import manifest; keys the vector cache.
pub fn encoder_fingerprint(dir: &Path) -> String {
    #[derive(serde::Deserialize)]
    struct Manifest {
        files: Vec<File>,
    }
    #[derive(serde::Deserialize)]
    struct File {
        file_name: String,
        sha256: String,
    }
    std::fs::read_to_string(dir.join(crate::encoder::import::MANIFEST_FILE))
        .ok()
        .and_then(|t| serde_json::from_str::<Manifest>(&t).ok())
        .and_then(|m| {
            m.files
                .into_iter()
                .find(|f| f.file_name == crate::encoder::import::GGUF_FILE)
        })
        .map(|f| f.sha256)
        .unwrap_or_default()
}

/// Imports the encoder if needed (logging progress) and loads it.
pub fn load_encoder(paths: &ModelPaths) -> Result<Encoder, LoadError> {
    let dir = paths.encoder_dir();
    if !fetch::is_imported(&dir) {
        tracing::info!(dir = %dir.display(), "importing the encoder (first start only)");
    }
    fetch::ensure_imported(&dir, &paths.committed_manifest(), |_| {})?;
    Ok(Encoder::load(&dir)?)
}

/// Understands customer messages. Cheap to clone.
#[derive(Clone)]
pub struct Classifier {
    pool: EmbeddingPool,
    head: Arc<IntentHead>,
}

impl std::fmt::Debug for Classifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Classifier")
            .field("intents", &self.head.intents.len())
            .finish_non_exhaustive()
    }
}

impl Classifier {
    pub fn new(embedder: Arc<dyn Embedder>, head: IntentHead, max_batch: usize) -> Self {
        Self {
            pool: EmbeddingPool::start(embedder, max_batch, 1024),
            head: Arc::new(head),
        }
    }

    /// Loads encoder and head from `paths`, importing the encoder first if needed.
    pub fn load(paths: &ModelPaths) -> Result<Self, LoadError> {
        let encoder = load_encoder(paths)?;
        let head = IntentHead::load(&paths.head())?;
        if head.dim() != encoder.dim() {
            return Err(LoadError::Dimension {
                expected: head.dim(),
                actual: encoder.dim(),
            });
        }
        Ok(Self::new(Arc::new(encoder), head, 64))
    }

    pub fn intents(&self) -> &[String] {
        &self.head.intents
    }

    /// Classifies one message; `locale` is the conversation's language when known.
    pub async fn classify(
        &self,
        text: &str,
        locale: Option<Locale>,
    ) -> Result<Classification, PoolError> {
        let vector = self.pool.embed(text).await?;
        let language = locale.unwrap_or_else(|| language::detect(text));
        Ok(decide(&self.head, &vector, text, language))
    }
}
