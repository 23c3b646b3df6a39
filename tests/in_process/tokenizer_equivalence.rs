//! The service tokenizes with `CompactUnigram` inside the `tokenizers` pipeline; the crate's own
//! `Unigram`, loaded from the same `tokenizer.json`, is the reference. They must give the same
//! ids on every text we have: training and held-out examples, guides, the fuzz corpus and a
//! set of scripts and symbols customers do not usually type.

use std::path::{Path, PathBuf};

use felsok::classifier::ModelPaths;
use felsok::encoder::{fetch, E5Tokenizer};
use tokenizers::Tokenizer;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    found.retain(|p| p.is_file());
    found.sort();
    found
}

/// Every line of every text file in the folders, and each fuzz input whole.
fn texts() -> Vec<String> {
    let mut texts = Vec::new();
    for dir in ["models/training", "eval/heldout", "knowledge/guides"] {
        for path in files(&root().join(dir)) {
            let content = std::fs::read_to_string(&path).expect("readable");
            texts.extend(content.lines().map(str::to_owned));
        }
    }
    for path in files(&root().join("tests/fuzz/corpus/customer_text")) {
        let bytes = std::fs::read(&path).expect("readable");
        texts.push(String::from_utf8_lossy(&bytes).into_owned());
    }
    texts.extend(
        [
            "我的路由器坏了 routern är död",
            "الإنترنت لا يعمل",
            "Интернет не работает!!!",
            "ルーター 🔴🔴 blinkar",
            "wifi 📶❌ igen 😡😡😡",
            "zero\u{200b}width\u{feff}joiner\u{200d}",
            "<unk> <s> </s> <pad> ▁▁▁",
            "ｆｕｌｌｗｉｄｔｈ ＴＥＸＴ",
            "e\u{301} a\u{30a} o\u{308}",
            "𝔪𝔞𝔱𝔥 ℌ𝔢𝔧",
            "ꙮꙮꙮ ᚠᚢᚦ 𓀀𓀁",
            "",
            "   ",
        ]
        .map(str::to_owned),
    );
    texts
}

#[test]
fn compact_unigram_gives_the_crates_ids_on_every_text() {
    let paths = ModelPaths::new(root().join("models"));
    let dir = paths.encoder_dir();
    fetch::ensure_imported(&dir, &paths.committed_manifest(), |_| {}).expect("imports");
    let ours = E5Tokenizer::load(&dir).expect("ours loads");
    let reference = Tokenizer::from_file(dir.join("tokenizer.json")).expect("reference loads");
    let unk = ours.special_ids().unk;

    let texts = texts();
    assert!(texts.len() > 2000, "only {} texts", texts.len());
    let mut compared = 0;
    for text in &texts {
        let normalized = ours.normalization().normalize(text);
        let encoding = reference
            .encode(normalized.as_str(), false)
            .expect("reference encodes");
        let mut expected = Vec::new();
        for (&id, token) in encoding.get_ids().iter().zip(encoding.get_tokens()) {
            if id == unk {
                expected.extend(std::iter::repeat_n(unk, token.chars().count().max(1)));
            } else {
                expected.push(id);
            }
        }
        let got = ours.raw_content_ids(text).expect("ours encodes");
        if got != expected {
            let at = got
                .iter()
                .zip(&expected)
                .take_while(|(a, b)| a == b)
                .count();
            let shown: String = text.chars().take(80).collect();
            panic!(
                "{shown:?}: ids differ from position {at}: ours {:?}, the crate's {:?}",
                &got[at..(at + 5).min(got.len())],
                &expected[at..(at + 5).min(expected.len())]
            );
        }
        compared += 1;
    }
    assert_eq!(compared, texts.len());
}
