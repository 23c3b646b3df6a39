//! Labelled example sentences: `models/training/<intent>.txt` and `eval/heldout/<intent>.txt`.
//!
//! One example a line, `sv: text` or `en: text`; `#` starts a comment. Plain text so that
//! editors can add what customers actually write without learning a format.

use std::path::{Path, PathBuf};

use crate::domain::Locale;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    pub intent: String,
    pub language: Locale,
    pub text: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ExamplesError {
    #[error("could not read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}: expected `sv: text` or `en: text`")]
    Syntax { path: PathBuf, line: usize },
    #[error("{path}: intent names are lowercase letters, digits and _")]
    BadIntentName { path: PathBuf },
    #[error("no example files in {0}")]
    Empty(PathBuf),
}

/// Parses one file's text; `intent` is the file's stem.
pub fn parse(intent: &str, text: &str, path: &Path) -> Result<Vec<Example>, ExamplesError> {
    let mut examples = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (tag, body) = line.split_once(':').ok_or_else(|| ExamplesError::Syntax {
            path: path.to_owned(),
            line: index + 1,
        })?;
        let language = match tag.trim() {
            "sv" => Locale::Sv,
            "en" => Locale::En,
            _ => {
                return Err(ExamplesError::Syntax {
                    path: path.to_owned(),
                    line: index + 1,
                })
            }
        };
        let body = body.trim();
        if body.is_empty() {
            return Err(ExamplesError::Syntax {
                path: path.to_owned(),
                line: index + 1,
            });
        }
        examples.push(Example {
            intent: intent.to_owned(),
            language,
            text: body.to_owned(),
        });
    }
    Ok(examples)
}

/// Every `*.txt` file of a folder, sorted by intent name so the result is reproducible.
pub fn load_dir(dir: &Path) -> Result<Vec<Example>, ExamplesError> {
    let io = |source| ExamplesError::Io {
        path: dir.to_owned(),
        source,
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(ExamplesError::Empty(dir.to_owned()));
    }
    let mut all = Vec::new();
    for path in files {
        let intent = path
            .file_stem()
            .and_then(|s| s.to_str())
            .filter(|s| {
                !s.is_empty()
                    && s.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            })
            .ok_or_else(|| ExamplesError::BadIntentName { path: path.clone() })?
            .to_owned();
        let text = std::fs::read_to_string(&path).map_err(|source| ExamplesError::Io {
            path: path.clone(),
            source,
        })?;
        all.extend(parse(&intent, &text, &path)?);
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_carry_their_language_and_comments_are_skipped() {
        let text =
            "# broadband_down: no internet\nsv: nätet e nere\n\nen: internet is down: help\n";
        let examples = parse("broadband_down", text, Path::new("x.txt")).unwrap();
        assert_eq!(examples.len(), 2);
        assert_eq!(examples[0].language, Locale::Sv);
        assert_eq!(examples[1].text, "internet is down: help");
    }

    #[test]
    fn an_unknown_tag_names_the_line() {
        let err = parse("x", "sv: ok\nde: nein\n", Path::new("x.txt")).unwrap_err();
        assert!(err.to_string().contains("x.txt:2"));
    }

    #[test]
    fn the_committed_data_parses_and_meets_the_minimums() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let training = load_dir(&root.join("models/training")).unwrap();
        let heldout = load_dir(&root.join("eval/heldout")).unwrap();
        for intent in crate::classifier::REQUIRED_INTENTS {
            let of = |set: &[Example], lang: Option<Locale>| {
                set.iter()
                    .filter(|e| e.intent == intent.as_str() && lang.is_none_or(|l| e.language == l))
                    .count()
            };
            assert!(
                of(&training, None) >= 40,
                "{intent}: too few training examples"
            );
            assert!(
                of(&training, Some(Locale::Sv)) >= 25,
                "{intent}: too few Swedish"
            );
            assert!(
                of(&heldout, None) >= 15,
                "{intent}: too few held-out examples"
            );
        }
        let training_texts: std::collections::HashSet<String> =
            training.iter().map(|e| e.text.to_lowercase()).collect();
        for e in &heldout {
            assert!(
                !training_texts.contains(&e.text.to_lowercase()),
                "held-out example also in training: {}",
                e.text
            );
        }
    }
}
