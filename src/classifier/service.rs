//! The classifier as the service uses it: encoder worker + intent head.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::decision::{decide, Classification};
use super::head::{HeadError, IntentHead, IntentModel};
use super::language;
use super::pool::{Embedder, EmbeddingPool, PoolError, Side};
use super::readers::{Readers, ReadersError};
use crate::domain::{Intent, Locale};
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

    pub fn step_reply_head(&self) -> PathBuf {
        self.root.join("step-reply-head.json")
    }

    pub fn step_reply_training(&self) -> PathBuf {
        self.root.join("step-replies")
    }

    pub fn tone_head(&self) -> PathBuf {
        self.root.join("tone-head.json")
    }

    pub fn tone_training(&self) -> PathBuf {
        self.root.join("tone")
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
    #[error(transparent)]
    Readers(#[from] ReadersError),
    #[error("a head expects {expected}-dimensional vectors, the encoder gives {actual}")]
    Dimension { expected: usize, actual: usize },
}

impl Embedder for Encoder {
    fn embed_queries(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, String> {
        self.embed_batch(texts, Prefix::Query)
            .map_err(|e| e.to_string())
    }

    fn embed_passages(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, String> {
        self.embed_batch(texts, Prefix::Passage)
            .map_err(|e| e.to_string())
    }
}

/// SHA-256 of the encoder weights, from the import manifest, and the encoder's arithmetic;
/// keys the vector caches.
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
        .map(|f| format!("{}+{}", f.sha256, crate::encoder::ARITHMETIC))
        .unwrap_or_default()
}

/// The text as the encoder should see it: words in capitals are lower-cased. The encoder
/// learnt from ordinary text, and shouting breaks words into pieces it rarely saw ("INGET
/// LJUD PÅ TV4" read as out of scope, "JAG HAR GJORT ALLT DET HÄR" as "it worked"); how the
/// customer feels is read from the original. Acronyms in calm text (TV4, PIN) stay as they are.
pub fn unshouted(text: &str) -> std::borrow::Cow<'_, str> {
    let capitals = |word: &str, least: usize| {
        word.chars().filter(|c| c.is_alphabetic()).count() >= least
            && word.chars().all(|c| !c.is_lowercase())
    };
    // One long word in capitals is emphasis or a name; two or more is shouting, and then
    // every word in capitals is part of it.
    let loud = text.split_whitespace().filter(|w| capitals(w, 4)).count();
    let shouted = |word: &str| capitals(word, 1);
    if loud < 2 {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| !c.is_whitespace()) {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let word = &rest[..end];
        if shouted(word) {
            out.push_str(&word.to_lowercase());
        } else {
            out.push_str(word);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
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
    model: Arc<IntentModel>,
    readers: Arc<Readers>,
    /// Vectors of guide texts already encoded: guides are encoded again whenever a knowledge
    /// base loads, and most of their lines rarely change. Customer messages never go here.
    guide_vectors: Arc<std::sync::Mutex<GuideVectorCache>>,
}

/// A guide text as the cache knows it: whether it is a passage, and the text.
type GuideKey = (bool, String);

#[derive(Default)]
struct GuideVectorCache {
    vectors: std::collections::HashMap<GuideKey, Vec<f32>>,
    /// The same vectors on disk, so a restart need not encode every guide again.
    file: Option<super::cache::VectorCache>,
    /// Encodings under way: two knowledge bases loading the same guides at once (a replica's
    /// refresh beside a save, or tests starting side by side) wait for one encoding of each
    /// text instead of both encoding it.
    pending: std::collections::HashMap<GuideKey, Arc<tokio::sync::OnceCell<Vec<f32>>>>,
}

/// Enough for tens of thousands of guide lines; past it the cache starts over.
const GUIDE_CACHE_ENTRIES: usize = 100_000;

impl std::fmt::Debug for Classifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Classifier")
            .field("intents", &self.model.labels().len())
            .finish_non_exhaustive()
    }
}

impl Classifier {
    pub fn new(
        embedder: Arc<dyn Embedder>,
        model: IntentModel,
        readers: Readers,
        max_batch: usize,
    ) -> Self {
        Self {
            pool: EmbeddingPool::start(embedder, max_batch, 1024),
            model: Arc::new(model),
            readers: Arc::new(readers),
            guide_vectors: Arc::default(),
        }
    }

    /// Loads encoder and head from `paths`, importing the encoder first if needed.
    pub fn load(paths: &ModelPaths) -> Result<Self, LoadError> {
        let encoder = load_encoder(paths)?;
        let head = IntentHead::load_intents(&paths.head())?;
        let readers = Readers::load(&paths.step_reply_head(), &paths.tone_head())?;
        for expected in std::iter::once(head.head().dim()).chain(readers.dims()) {
            if expected != encoder.dim() {
                return Err(LoadError::Dimension {
                    expected,
                    actual: encoder.dim(),
                });
            }
        }
        Ok(Self::new(Arc::new(encoder), head, readers, 64))
    }

    /// Keeps guide vectors in `path` as well as in memory, so a restarted service finds
    /// them there instead of encoding every guide again (most of its start-up otherwise).
    /// A file that cannot be read is started afresh; the service works without one.
    pub fn keep_guide_vectors_in(&self, path: &Path, encoder_dir: &Path) {
        let fingerprint = encoder_fingerprint(encoder_dir);
        match super::cache::VectorCache::open(path, self.model.head().dim(), &fingerprint) {
            Ok(file) => {
                self.guide_vectors
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .file = Some(file);
            }
            Err(e) => tracing::warn!(error = %e, "guide vectors will not be kept on disk"),
        }
    }

    pub fn intents(&self) -> &[Intent] {
        self.model.labels()
    }

    /// Classifies one message; `locale` is the conversation's language when known.
    pub async fn classify(
        &self,
        text: &str,
        locale: Option<Locale>,
    ) -> Result<Classification, PoolError> {
        Ok(self.classify_with_vector(text, locale).await?.0)
    }

    /// Like [`Classifier::classify`], also returning the message's vector so that guide
    /// retrieval can rank by meaning without encoding the message twice.
    pub async fn classify_with_vector(
        &self,
        text: &str,
        locale: Option<Locale>,
    ) -> Result<(Classification, Vec<f32>), PoolError> {
        let vector = self.pool.embed(&unshouted(text)).await?;
        let language = locale.unwrap_or_else(|| language::detect(text));
        let mut classification = decide(&self.model, &vector, text, language);
        classification.reading = self.readers.read(&vector).in_words_of(text);
        Ok((classification, vector))
    }

    /// A stored customer message's vector, encoded as it was when it arrived but behind the
    /// customers waiting now: for grouping the review inbox by meaning.
    pub async fn embed_stored_message(&self, text: &str) -> Result<Vec<f32>, PoolError> {
        self.pool
            .embed_with(
                &unshouted(text),
                Side::Query,
                super::pool::Priority::Background,
            )
            .await
    }

    /// A guide's vector (`passage: ` side), for ranking guides by meaning.
    pub async fn embed_guide_passage(&self, text: String) -> Result<Vec<f32>, PoolError> {
        self.embed_guide_text(text, Side::Passage).await
    }

    /// One way customers put a guide's problem, encoded like a customer message
    /// (`query: ` side).
    pub async fn embed_guide_phrase(&self, text: String) -> Result<Vec<f32>, PoolError> {
        self.embed_guide_text(text, Side::Query).await
    }

    async fn embed_guide_text(&self, text: String, side: Side) -> Result<Vec<f32>, PoolError> {
        let prefix = match side {
            Side::Query => Prefix::Query.as_str(),
            Side::Passage => Prefix::Passage.as_str(),
        };
        let key = (side == Side::Passage, text);
        let pending = {
            let mut cache = self.guide_vectors.lock().unwrap_or_else(|e| e.into_inner());
            let cached = cache.vectors.get(&key).cloned().or_else(|| {
                cache
                    .file
                    .as_ref()
                    .and_then(|f| f.get(prefix, &key.1))
                    .map(<[f32]>::to_vec)
            });
            if let Some(vector) = cached {
                return Ok(vector);
            }
            cache.pending.entry(key.clone()).or_default().clone()
        };
        let vector = pending
            .get_or_try_init(|| {
                self.pool
                    .embed_with(&key.1, side, super::pool::Priority::Background)
            })
            .await?
            .clone();
        let mut cache = self.guide_vectors.lock().unwrap_or_else(|e| e.into_inner());
        // The first caller to finish keeps the vector; the others found it encoded.
        if cache.pending.remove(&key).is_some() {
            if let Some(file) = &mut cache.file {
                // A record or two a guide save: small enough to write in place.
                if let Err(e) = file.put(prefix, &key.1, &vector) {
                    tracing::warn!(error = %e, "could not keep a guide vector on disk");
                }
            }
            if cache.vectors.len() >= GUIDE_CACHE_ENTRIES {
                cache.vectors.clear();
            }
            cache.vectors.insert(key, vector.clone());
        }
        Ok(vector)
    }
}

#[cfg(test)]
mod tests {
    use super::unshouted;

    #[test]
    fn shouting_is_lower_cased_for_the_model_and_ordinary_text_is_kept() {
        assert_eq!(
            unshouted("INGET LJUD PÅ TV4 IGEN!!!"),
            "inget ljud på tv4 igen!!!"
        );
        assert_eq!(unshouted("Nätet är nere i Umeå"), "Nätet är nere i Umeå");
        // Short acronyms and one loud word are not shouting.
        assert_eq!(unshouted("TV4 HD"), "TV4 HD");
        assert_eq!(unshouted("kanalen HELT svart"), "kanalen HELT svart");
        assert_eq!(
            unshouted("JAG HAR GJORT ALLT DET HÄR FÖRUT!!! det är tredje gången"),
            "jag har gjort allt det här förut!!! det är tredje gången"
        );
    }
}
