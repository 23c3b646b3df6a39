//! SentencePiece Unigram segmentation with a compact vocabulary, as a `tokenizers` model.
//!
//! The `tokenizers` crate's own `Unigram` keeps its 250,002 pieces in a byte trie with a hash
//! map in every node: about 280 MB resident for this vocabulary, more than half of the whole
//! service. This model finds the same pieces with one hash map from piece to id (about 20 MB)
//! and runs the same Viterbi search (`Unigram::encode_optimized`, itself SentencePiece's),
//! so its segmentation is identical; `tests/in_process/tokenizer_equivalence.rs` checks that against the
//! crate's `Unigram` on every text we have. The rest of the pipeline (pre-tokenizer,
//! template, decoder) stays the crate's.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use tokenizers::models::unigram::UnigramTrainer;
use tokenizers::{Model, Token};

/// What an unknown character costs below the cheapest piece; SentencePiece's `kUnkPenalty`.
const UNKNOWN_PENALTY: f64 = 10.0;

/// Errors from building a [`CompactUnigram`].
#[derive(Debug, thiserror::Error)]
pub enum UnigramError {
    #[error("the vocabulary is empty")]
    Empty,
    #[error("unknown-token id {unk} is outside a vocabulary of {size}")]
    UnknownOutOfRange { unk: u32, size: usize },
}

/// A Unigram model: pieces with log-probabilities, and the id unknown characters get.
#[derive(Debug, Clone)]
pub struct CompactUnigram {
    pieces: Vec<Box<str>>,
    scores: Vec<f64>,
    ids: HashMap<Box<str>, u32>,
    unk: u32,
    unknown_score: f64,
    longest_piece: usize,
}

impl CompactUnigram {
    /// `vocab[i]` is piece `i` with its score. As in `tokenizers`, a repeated piece maps to
    /// its last id.
    pub fn new(vocab: Vec<(String, f64)>, unk: u32) -> Result<Self, UnigramError> {
        if vocab.is_empty() {
            return Err(UnigramError::Empty);
        }
        if unk as usize >= vocab.len() {
            return Err(UnigramError::UnknownOutOfRange {
                unk,
                size: vocab.len(),
            });
        }
        let mut pieces = Vec::with_capacity(vocab.len());
        let mut scores = Vec::with_capacity(vocab.len());
        let mut ids = HashMap::with_capacity(vocab.len());
        let mut longest_piece = 0;
        let mut lowest = f64::INFINITY;
        for (id, (piece, score)) in (0u32..).zip(vocab) {
            let piece = piece.into_boxed_str();
            longest_piece = longest_piece.max(piece.len());
            lowest = lowest.min(score);
            ids.insert(piece.clone(), id);
            pieces.push(piece);
            scores.push(score);
        }
        Ok(Self {
            pieces,
            scores,
            ids,
            unk,
            unknown_score: lowest - UNKNOWN_PENALTY,
            longest_piece,
        })
    }

    /// The most probable segmentation of `text`, as byte ranges with their ids. A character
    /// no piece covers becomes its own unknown; runs of them are fused afterwards, as
    /// `tokenizers` does.
    fn segment(&self, text: &str) -> Vec<(usize, usize, u32)> {
        #[derive(Clone, Copy)]
        struct Best {
            score: f64,
            start: Option<usize>,
            id: u32,
        }
        let size = text.len();
        let mut best = vec![
            Best {
                score: 0.0,
                start: None,
                id: 0,
            };
            size + 1
        ];
        let offer = |best: &mut [Best], end: usize, start: usize, id: u32, score: f64| {
            let target = &mut best[end];
            if target.start.is_none() || score > target.score {
                *target = Best {
                    score,
                    start: Some(start),
                    id,
                };
            }
        };
        for (start, first) in text.char_indices() {
            let so_far = best[start].score;
            let first_len = first.len_utf8();
            let mut covered = false;
            // Every piece is whole characters, so only character boundaries can end one;
            // shorter pieces first, as a trie walk finds them, so ties go the same way.
            let ends = text[start..]
                .char_indices()
                .skip(1)
                .map(|(i, _)| start + i)
                .chain(std::iter::once(size))
                .take_while(|&end| end - start <= self.longest_piece);
            for end in ends {
                if let Some(&id) = self.ids.get(&text[start..end]) {
                    offer(&mut best, end, start, id, so_far + self.scores[id as usize]);
                    covered |= end - start == first_len;
                }
            }
            if !covered {
                offer(
                    &mut best,
                    start + first_len,
                    start,
                    self.unk,
                    so_far + self.unknown_score,
                );
            }
        }
        let mut pieces = Vec::new();
        let mut end = size;
        while end > 0 {
            let node = best[end];
            let start = node.start.unwrap_or(0);
            match pieces.last_mut() {
                Some((fused_start, _, id)) if *id == self.unk && node.id == self.unk => {
                    *fused_start = start;
                }
                _ => pieces.push((start, end, node.id)),
            }
            end = start;
        }
        pieces.reverse();
        pieces
    }
}

impl Model for CompactUnigram {
    type Trainer = UnigramTrainer;

    fn tokenize(&self, sequence: &str) -> tokenizers::Result<Vec<Token>> {
        Ok(self
            .segment(sequence)
            .into_iter()
            .map(|(start, end, _)| {
                let value = &sequence[start..end];
                // As the crate does: a fused run of unknowns that spells a piece is that piece.
                let id = self.ids.get(value).copied().unwrap_or(self.unk);
                Token::new(id, value.to_owned(), (start, end))
            })
            .collect())
    }

    fn token_to_id(&self, token: &str) -> Option<u32> {
        self.ids.get(token).copied()
    }

    fn id_to_token(&self, id: u32) -> Option<String> {
        self.pieces.get(id as usize).map(|p| p.to_string())
    }

    fn get_vocab(&self) -> HashMap<String, u32> {
        self.ids
            .iter()
            .map(|(piece, &id)| (piece.to_string(), id))
            .collect()
    }

    fn get_vocab_size(&self) -> usize {
        self.pieces.len()
    }

    fn save(&self, _folder: &Path, _prefix: Option<&str>) -> tokenizers::Result<Vec<PathBuf>> {
        // `tokenizer.json` is written by the importer with the crate's own model.
        Err("CompactUnigram is loaded from tokenizer.json, not saved".into())
    }

    fn get_trainer(&self) -> UnigramTrainer {
        UnigramTrainer::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokenizers::models::unigram::Unigram;

    fn vocab() -> Vec<(String, f64)> {
        [
            ("<unk>", 0.0),
            ("▁", -2.0),
            ("▁hej", -3.0),
            ("h", -4.0),
            ("e", -4.0),
            ("j", -4.0),
            ("▁he", -2.5),
            ("j", -1.0),
            ("då", -6.0),
            ("d", -3.0),
            ("å", -3.0),
            ("▁d", -3.5),
        ]
        .into_iter()
        .map(|(p, s)| (p.to_owned(), s))
        .collect()
    }

    fn tokens(model: &impl Model, text: &str) -> Vec<(u32, String, (usize, usize))> {
        model
            .tokenize(text)
            .expect("tokenizes")
            .into_iter()
            .map(|t| (t.id, t.value, t.offsets))
            .collect()
    }

    #[test]
    fn segments_exactly_as_the_crates_unigram() {
        let ours = CompactUnigram::new(vocab(), 0).expect("model");
        let theirs = Unigram::from(vocab(), Some(0), false).expect("model");
        for text in [
            "▁hej",
            "▁hejdå",
            "▁dåhej",
            "▁xyzhej",
            "▁hejxyz",
            "x",
            "▁",
            "▁ddå",
            "åå▁j",
            "▁h€j",
        ] {
            assert_eq!(tokens(&ours, text), tokens(&theirs, text), "{text:?}");
        }
    }

    #[test]
    fn a_repeated_piece_takes_its_last_id_as_in_the_crate() {
        let ours = CompactUnigram::new(vocab(), 0).expect("model");
        assert_eq!(ours.token_to_id("j"), Some(7));
    }

    #[test]
    fn runs_of_unknown_characters_are_fused() {
        let ours = CompactUnigram::new(vocab(), 0).expect("model");
        assert_eq!(
            tokens(&ours, "▁xyz"),
            vec![(1, "▁".to_owned(), (0, 3)), (0, "xyz".to_owned(), (3, 6))]
        );
    }

    #[test]
    fn refuses_an_unknown_id_outside_the_vocabulary() {
        assert!(CompactUnigram::new(vocab(), 99).is_err());
        assert!(CompactUnigram::new(Vec::new(), 0).is_err());
    }
}
