//! `felsok train`: embeds the training examples (cached) and trains the heads: the intent
//! head, and the readers of step replies and tone.

use std::time::Instant;

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};
use sha2::{Digest, Sha256};

use super::{progress_bar, ModelArgs};
use crate::classifier::cache::VectorCache;
use crate::classifier::examples::{self, Example};
use crate::classifier::head::{IntentHead, Provenance};
use crate::classifier::readers;
use crate::classifier::service::{encoder_fingerprint, load_encoder, unshouted};
use crate::classifier::train::{train_head, Dataset, TrainConfig};
use crate::encoder::{Encoder, Prefix};

#[derive(Debug, Args)]
pub struct TrainCommand {
    #[command(flatten)]
    pub models: ModelArgs,

    /// Do not write: fail if the committed head differs from what training produces now.
    #[arg(long)]
    pub check: bool,

    /// Train only this head (all of them by default).
    #[arg(long, value_enum)]
    pub head: Option<HeadKind>,

    /// Write the head here instead of its file under models/ (for experiments; needs --head).
    #[arg(long, requires = "head")]
    pub output: Option<std::path::PathBuf>,

    /// Hidden-layer width (0: logistic regression). Defaults to the shipped configuration.
    #[arg(long)]
    pub hidden: Option<usize>,

    /// Training epochs. Defaults to the shipped configuration.
    #[arg(long)]
    pub epochs: Option<usize>,

    /// Learning rate. Defaults to the shipped configuration.
    #[arg(long)]
    pub learning_rate: Option<f64>,
}

impl TrainCommand {
    fn config(&self) -> TrainConfig {
        let defaults = TrainConfig::default();
        TrainConfig {
            hidden: self.hidden.unwrap_or(defaults.hidden),
            epochs: self.epochs.unwrap_or(defaults.epochs),
            learning_rate: self.learning_rate.unwrap_or(defaults.learning_rate),
            ..defaults
        }
    }
}

/// One of the heads trained over the encoder's vectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HeadKind {
    /// What a message is about (`models/training/`).
    Intent,
    /// How free text answers a guide step (`models/step-replies/`).
    StepReply,
    /// Whether the customer is upset (`models/tone/`).
    Tone,
}

impl HeadKind {
    pub const ALL: [Self; 3] = [Self::Intent, Self::StepReply, Self::Tone];

    fn examples_dir(self, paths: &crate::classifier::ModelPaths) -> std::path::PathBuf {
        match self {
            Self::Intent => paths.training(),
            Self::StepReply => paths.step_reply_training(),
            Self::Tone => paths.tone_training(),
        }
    }

    pub fn head_path(self, paths: &crate::classifier::ModelPaths) -> std::path::PathBuf {
        match self {
            Self::Intent => paths.head(),
            Self::StepReply => paths.step_reply_head(),
            Self::Tone => paths.tone_head(),
        }
    }

    /// Labels that must have examples; the readers' heads have exactly these.
    fn required(self) -> Vec<String> {
        match self {
            Self::Intent => crate::classifier::REQUIRED_INTENTS
                .iter()
                .map(|i| i.as_str().to_owned())
                .collect(),
            Self::StepReply => readers::step_reply_labels(),
            Self::Tone => readers::tone_labels(),
        }
    }

    fn exact(self) -> bool {
        self != Self::Intent
    }
}

/// SHA-256 over the examples in reading order: identifies the data a head was trained on.
pub fn data_fingerprint(examples: &[Example]) -> String {
    let mut hasher = Sha256::new();
    for e in examples {
        hasher.update(format!(
            "{}\t{}\t{}\n",
            e.intent,
            e.language.as_str(),
            e.text
        ));
    }
    hex::encode(hasher.finalize())
}

/// Embeds `texts` as queries, through the cache, as the service does (capitals unshouted),
/// so heads learn and are measured on the vectors they will see.
pub fn embed_cached(
    encoder: &Encoder,
    fingerprint: &str,
    models: &ModelArgs,
    label: &str,
    texts: &[&str],
) -> anyhow::Result<Vec<Vec<f32>>> {
    let unshouted: Vec<std::borrow::Cow<'_, str>> = texts.iter().map(|t| unshouted(t)).collect();
    let texts: Vec<&str> = unshouted.iter().map(|t| t.as_ref()).collect();
    let texts = texts.as_slice();
    let path = models.cache_dir.join("vectors.bin");
    let mut cache = VectorCache::open(&path, encoder.dim(), fingerprint)?;
    let bar = progress_bar(label, texts.len() as u64);
    let vectors = cache.get_or_embed(
        Prefix::Query.as_str(),
        texts,
        |batch| {
            encoder
                .embed_batch(batch, Prefix::Query)
                .map_err(|e| e.to_string())
        },
        |done, _| bar.set_position(done as u64),
    )?;
    bar.finish_and_clear();
    Ok(vectors)
}

/// Vectors and labels for `examples` over the intent list `intents`.
pub fn dataset(
    encoder: &Encoder,
    fingerprint: &str,
    models: &ModelArgs,
    label: &str,
    examples: &[Example],
    intents: &[String],
) -> anyhow::Result<Dataset> {
    let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
    let vectors = embed_cached(encoder, fingerprint, models, label, &texts)?;
    let labels = examples
        .iter()
        .map(|e| {
            intents
                .iter()
                .position(|i| *i == e.intent)
                .with_context(|| format!("unknown intent {}", e.intent))
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(Dataset {
        vectors,
        labels,
        languages: examples.iter().map(|e| e.language).collect(),
    })
}

pub fn intents_of(examples: &[Example]) -> Vec<String> {
    let mut intents: Vec<String> = examples.iter().map(|e| e.intent.clone()).collect();
    intents.sort();
    intents.dedup();
    intents
}

/// Trains a head from its committed examples.
pub fn train_from_examples(
    models: &ModelArgs,
    encoder: &Encoder,
    kind: HeadKind,
    config: &TrainConfig,
) -> anyhow::Result<IntentHead> {
    let paths = models.paths();
    let fingerprint = encoder_fingerprint(&paths.encoder_dir());
    let dir = kind.examples_dir(&paths);
    let examples = examples::load_dir(&dir)?;
    let intents = intents_of(&examples);
    let required = kind.required();
    for label in &required {
        if !intents.contains(label) {
            bail!(
                "{} has no examples for the required label {label}",
                dir.display()
            );
        }
    }
    if kind.exact() && intents != required {
        bail!(
            "{} must have exactly the labels {required:?}",
            dir.display()
        );
    }
    let data = dataset(
        encoder,
        &fingerprint,
        models,
        "embedding examples",
        &examples,
        &intents,
    )?;
    let provenance = Provenance {
        seed: 0,
        epochs: 0,
        examples: 0,
        data_sha256: data_fingerprint(&examples),
        encoder_sha256: fingerprint,
    };
    Ok(train_head(&data, &intents, config, provenance)?)
}

/// Largest absolute difference between two heads' parameters, or `None` if their shapes or
/// provenance differ.
fn difference(a: &IntentHead, b: &IntentHead) -> Option<f32> {
    if a.intents != b.intents || a.provenance != b.provenance {
        return None;
    }
    let layers = |h: &IntentHead| {
        let mut all: Vec<f32> = Vec::new();
        if let Some(hidden) = &h.hidden {
            all.extend(&hidden.weights);
            all.extend(&hidden.bias);
        }
        all.extend(&h.output.weights);
        all.extend(&h.output.bias);
        all
    };
    let (x, y) = (layers(a), layers(b));
    if x.len() != y.len() {
        return None;
    }
    let weights = x
        .iter()
        .zip(&y)
        .map(|(p, q)| (p - q).abs())
        .fold(0.0, f32::max);
    let calibration = [
        a.temperature - b.temperature,
        a.thresholds.sv - b.thresholds.sv,
        a.thresholds.en - b.thresholds.en,
        a.cancel_threshold - b.cancel_threshold,
    ]
    .iter()
    .map(|d| d.abs())
    .fold(0.0, f32::max);
    Some(weights.max(calibration))
}

pub fn run(command: TrainCommand) -> anyhow::Result<()> {
    let paths = command.models.paths();
    let encoder = load_encoder(&paths)?;
    let kinds = match command.head {
        Some(kind) => vec![kind],
        None => HeadKind::ALL.to_vec(),
    };
    for kind in kinds {
        let path = command
            .output
            .clone()
            .unwrap_or_else(|| kind.head_path(&paths));
        train_one(&command, &encoder, kind, &path)?;
    }
    Ok(())
}

fn train_one(
    command: &TrainCommand,
    encoder: &Encoder,
    kind: HeadKind,
    path: &std::path::Path,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let head = train_from_examples(&command.models, encoder, kind, &command.config())?;
    if command.check {
        let committed = IntentHead::load(path)
            .with_context(|| format!("no committed head at {}", path.display()))?;
        match difference(&committed, &head) {
            // Floating-point sums may differ in the last bits between machines.
            Some(d) if d <= 1e-3 => {
                tracing::info!(
                    head = ?kind,
                    max_difference = d,
                    "the committed head is what training produces"
                );
                Ok(())
            }
            Some(d) => bail!(
                "{} differs from a fresh training run by up to {d}: run `felsok train` and commit",
                path.display()
            ),
            None => bail!(
                "{} was trained on other data or another encoder: run `felsok train` and commit",
                path.display()
            ),
        }
    } else {
        std::fs::write(path, head.to_json())
            .with_context(|| format!("writing {}", path.display()))?;
        tracing::info!(
            path = %path.display(),
            examples = head.provenance.examples,
            intents = head.intents.len(),
            temperature = head.temperature,
            threshold_sv = head.thresholds.sv,
            threshold_en = head.thresholds.en,
            cancel_threshold = head.cancel_threshold,
            seconds = started.elapsed().as_secs_f32(),
            head = ?kind,
            "trained a head"
        );
        Ok(())
    }
}
