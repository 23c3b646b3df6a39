//! Masking measured on phrasings written apart from the code (`eval/masking/phrasings.yaml`):
//! every secret must be masked, and every number or word a benign message needs must stay.
//!
//! An entry with `after` (the customer's previous message) is masked expecting a secret
//! exactly when `mentions_secret(after)` says that message spoke of one, as the conversation
//! does.

use std::path::Path;

use felsok::domain::secrets::{mask, mask_with_context, mentions_secret};
use serde::Deserialize;

#[derive(Deserialize)]
struct Corpus {
    secret: Vec<SecretCase>,
    benign: Vec<BenignCase>,
}

#[derive(Deserialize)]
struct SecretCase {
    text: String,
    secrets: Vec<String>,
    #[serde(default)]
    after: Option<String>,
}

#[derive(Deserialize)]
struct BenignCase {
    text: String,
    keep: Vec<String>,
    #[serde(default)]
    after: Option<String>,
}

fn corpus() -> Corpus {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("eval/masking/phrasings.yaml");
    let text = std::fs::read_to_string(&path).expect("the masking corpus is readable");
    serde_norway::from_str(&text).expect("the masking corpus parses")
}

fn masked(text: &str, after: Option<&str>) -> String {
    let expected = after.is_some_and(mentions_secret);
    mask_with_context(text, expected).0
}

#[test]
fn every_secret_is_masked_and_every_benign_number_kept() {
    let corpus = corpus();
    assert!(corpus.secret.len() >= 250 && corpus.benign.len() >= 70);

    // MASKING_CORPUS_SHOW=1 prints every masked message, to read what masking does.
    let show = std::env::var_os("MASKING_CORPUS_SHOW").is_some();
    let mut leaks = Vec::new();
    for case in &corpus.secret {
        let out = masked(&case.text, case.after.as_deref());
        if show {
            eprintln!("secret: {out}");
        }
        let left: Vec<&String> = case.secrets.iter().filter(|s| out.contains(*s)).collect();
        if !left.is_empty() {
            leaks.push(format!("{:?} -> {out:?} leaves {left:?}", case.text));
        }
    }
    let mut lost = Vec::new();
    let mut changed = 0;
    for case in &corpus.benign {
        let out = masked(&case.text, case.after.as_deref());
        if show {
            eprintln!("benign: {out}");
        }
        if out != case.text {
            changed += 1;
        }
        let gone: Vec<&String> = case.keep.iter().filter(|k| !out.contains(*k)).collect();
        if !gone.is_empty() {
            lost.push(format!("{:?} -> {out:?} loses {gone:?}", case.text));
        }
    }

    let secrets = corpus.secret.len();
    let benign = corpus.benign.len();
    eprintln!(
        "masking corpus: secrets masked {}/{secrets}, benign kept {}/{benign} ({changed} benign \
         messages changed at all)",
        secrets - leaks.len(),
        benign - lost.len(),
    );
    for line in leaks.iter().chain(&lost) {
        eprintln!("  {line}");
    }
    assert!(leaks.is_empty(), "{} secrets left unmasked", leaks.len());
    assert!(
        lost.is_empty(),
        "{} benign messages lost what they need",
        lost.len()
    );
}

#[test]
fn the_context_comes_only_from_messages_about_a_secret() {
    let corpus = corpus();
    for case in &corpus.secret {
        if let Some(after) = &case.after {
            assert!(mentions_secret(after), "{after:?} speaks of a secret");
        }
    }
    for case in &corpus.benign {
        if let Some(after) = &case.after {
            assert!(!mentions_secret(after), "{after:?} speaks of no secret");
        }
    }
}

#[test]
fn masking_twice_changes_nothing() {
    let corpus = corpus();
    let texts = corpus
        .secret
        .iter()
        .map(|c| c.text.as_str())
        .chain(corpus.benign.iter().map(|c| c.text.as_str()));
    for text in texts {
        for expected in [false, true] {
            let (once, _) = mask_with_context(text, expected);
            let (twice, found) = mask_with_context(&once, expected);
            assert_eq!(twice, once, "{text:?} (expecting a secret: {expected})");
            assert!(found.is_empty(), "{text:?} -> {once:?} -> {twice:?}");
        }
        assert_eq!(mask(text), mask_with_context(text, false));
    }
}
