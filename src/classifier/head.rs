//! The intent head: a small network over the encoder's sentence vectors, with calibrated
//! confidences and the decisions built on them.
//!
//! Inference is plain Rust over a few thousand floats (microseconds); candle is used only for
//! training (see `train.rs`). The head is stored as readable JSON in `models/intent-head.json`.

use serde::{Deserialize, Serialize};

use crate::domain::{Intent, Locale, UnknownIntent};

/// A dense layer, `out = W·x + b`, with `W` stored row-major as `[rows = outputs][cols = inputs]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Layer {
    pub rows: usize,
    pub cols: usize,
    pub weights: Vec<f32>,
    pub bias: Vec<f32>,
}

impl Layer {
    fn apply(&self, x: &[f32]) -> Vec<f32> {
        debug_assert_eq!(x.len(), self.cols);
        self.weights
            .chunks_exact(self.cols)
            .zip(&self.bias)
            .map(|(row, b)| row.iter().zip(x).map(|(w, v)| w * v).sum::<f32>() + b)
            .collect()
    }

    fn is_consistent(&self) -> bool {
        self.weights.len() == self.rows * self.cols && self.bias.len() == self.rows
    }
}

/// Confidence below which the bot does not act on its guess, per language: the model is
/// trained mostly on Swedish, and its English confidences are calibrated separately.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    pub sv: f32,
    pub en: f32,
}

impl Thresholds {
    pub fn for_locale(&self, locale: Locale) -> f32 {
        match locale {
            Locale::Sv => self.sv,
            Locale::En => self.en,
        }
    }
}

/// Where the head came from, so `felsok train --check` can tell whether it is current.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    pub seed: u64,
    pub epochs: usize,
    pub examples: usize,
    /// SHA-256 over the training examples, in the order they were read.
    pub data_sha256: String,
    /// SHA-256 of the encoder weights the vectors came from.
    pub encoder_sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntentHead {
    pub intents: Vec<String>,
    /// Optional hidden layer (GELU); `None` makes the head a multinomial logistic regression.
    pub hidden: Option<Layer>,
    pub output: Layer,
    /// Temperature scaling fitted on out-of-fold predictions: probabilities are
    /// `softmax(logits / temperature)`.
    pub temperature: f32,
    pub thresholds: Thresholds,
    /// The model raises the cancellation flag at this probability of `cancel_subscription`
    /// (low on purpose: recall matters more than precision).
    pub cancel_threshold: f32,
    pub provenance: Provenance,
}

#[derive(Debug, thiserror::Error)]
pub enum HeadError {
    #[error("could not read the intent head {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("the intent head {path} is not valid: {reason}")]
    Invalid { path: String, reason: String },
    #[error("the intent head {path} has the label {label:?}, which is no intent Felsök knows")]
    UnknownIntent { path: String, label: String },
    #[error("the intent head {path} lacks the intent {intent}")]
    MissingIntent { path: String, intent: Intent },
}

pub(crate) fn gelu(x: f32) -> f32 {
    // The tanh approximation; training uses the same function.
    0.5 * x * (1.0 + ((2.0 / std::f32::consts::PI).sqrt() * (x + 0.044_715 * x * x * x)).tanh())
}

pub(crate) fn softmax_in_place(values: &mut [f32]) {
    let max = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in values.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    for v in values.iter_mut() {
        *v /= sum;
    }
}

/// Raw logits of the layers (shared with training, which scores folds before a head exists).
pub(crate) fn forward(hidden: Option<&Layer>, output: &Layer, vector: &[f32]) -> Vec<f32> {
    match hidden {
        Some(hidden) => {
            let h: Vec<f32> = hidden.apply(vector).into_iter().map(gelu).collect();
            output.apply(&h)
        }
        None => output.apply(vector),
    }
}

impl IntentHead {
    pub fn load(path: &std::path::Path) -> Result<Self, HeadError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| HeadError::Io {
            path: shown.clone(),
            source,
        })?;
        let head: Self = serde_json::from_str(&text).map_err(|e| HeadError::Invalid {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
        head.validate().map_err(|reason| HeadError::Invalid {
            path: shown,
            reason,
        })?;
        Ok(head)
    }

    /// Loads the intent head and checks that its labels are exactly the shared vocabulary,
    /// so no module matches on a name the model cannot say, nor misses one it can. (The
    /// readers' heads share the format but not the labels, so `load` does not check.)
    pub fn load_intents(path: &std::path::Path) -> Result<IntentModel, HeadError> {
        let shown = path.display().to_string();
        let model = IntentModel::new(Self::load(path)?).map_err(|UnknownIntent(label)| {
            HeadError::UnknownIntent {
                path: shown.clone(),
                label,
            }
        })?;
        if let Some(intent) = Intent::ALL
            .into_iter()
            .find(|i| model.index_of(*i).is_none())
        {
            return Err(HeadError::MissingIntent {
                path: shown,
                intent,
            });
        }
        Ok(model)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a head always serialises") + "\n"
    }

    fn validate(&self) -> Result<(), String> {
        let k = self.intents.len();
        if k < 2 {
            return Err("fewer than two intents".into());
        }
        if !self.output.is_consistent() || self.output.rows != k {
            return Err("output layer does not match the intents".into());
        }
        if let Some(hidden) = &self.hidden {
            if !hidden.is_consistent() || hidden.rows != self.output.cols {
                return Err("hidden layer does not match the output layer".into());
            }
        }
        if !(self.temperature.is_finite() && self.temperature > 0.0) {
            return Err("temperature must be positive".into());
        }
        Ok(())
    }

    /// Input width: the encoder's vector size.
    pub fn dim(&self) -> usize {
        self.hidden.as_ref().unwrap_or(&self.output).cols
    }

    pub fn logits(&self, vector: &[f32]) -> Vec<f32> {
        forward(self.hidden.as_ref(), &self.output, vector)
    }

    /// Calibrated probabilities, one per intent, in `intents` order.
    pub fn probabilities(&self, vector: &[f32]) -> Vec<f32> {
        let mut logits = self.logits(vector);
        for l in logits.iter_mut() {
            *l /= self.temperature;
        }
        softmax_in_place(&mut logits);
        logits
    }

    pub fn index_of(&self, label: &str) -> Option<usize> {
        self.intents.iter().position(|l| l == label)
    }
}

/// An intent head whose labels are all intents of the shared vocabulary, read once, so
/// everything downstream of the model speaks in [`Intent`]s.
#[derive(Debug, Clone, PartialEq)]
pub struct IntentModel {
    head: IntentHead,
    labels: Vec<Intent>,
}

impl IntentModel {
    /// Refuses a head with a label that is no intent; a head may know only some intents
    /// (training and evaluation work on subsets).
    pub fn new(head: IntentHead) -> Result<Self, UnknownIntent> {
        let labels = head
            .intents
            .iter()
            .map(|label| Intent::parse(label))
            .collect::<Result<_, _>>()?;
        Ok(Self { head, labels })
    }

    pub fn head(&self) -> &IntentHead {
        &self.head
    }

    /// The intents, in the head's output order.
    pub fn labels(&self) -> &[Intent] {
        &self.labels
    }

    pub fn index_of(&self, intent: Intent) -> Option<usize> {
        self.labels.iter().position(|l| *l == intent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head() -> IntentHead {
        IntentHead {
            intents: vec!["a".into(), "b".into()],
            hidden: None,
            output: Layer {
                rows: 2,
                cols: 2,
                weights: vec![1.0, 0.0, 0.0, 1.0],
                bias: vec![0.0, 0.0],
            },
            temperature: 1.0,
            thresholds: Thresholds { sv: 0.5, en: 0.5 },
            cancel_threshold: 0.2,
            provenance: Provenance {
                seed: 1,
                epochs: 1,
                examples: 2,
                data_sha256: String::new(),
                encoder_sha256: String::new(),
            },
        }
    }

    #[test]
    fn probabilities_sum_to_one_and_temperature_softens_them() {
        let mut h = head();
        let sharp = h.probabilities(&[2.0, 0.0]);
        assert!((sharp.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        h.temperature = 4.0;
        let soft = h.probabilities(&[2.0, 0.0]);
        assert!(soft[0] < sharp[0] && soft[0] > 0.5);
    }

    #[test]
    fn a_head_round_trips_through_json_and_bad_shapes_are_refused() {
        let h = head();
        let back: IntentHead = serde_json::from_str(&h.to_json()).unwrap();
        assert_eq!(back, h);
        let mut broken = h.clone();
        broken.output.bias.pop();
        assert!(broken.validate().is_err());
    }

    #[test]
    fn a_head_with_a_label_outside_the_vocabulary_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("head.json");
        let load = |labels: Vec<String>| {
            let mut h = head();
            h.output.rows = labels.len();
            h.output.weights = vec![0.0; labels.len() * h.output.cols];
            h.output.bias = vec![0.0; labels.len()];
            h.intents = labels;
            std::fs::write(&path, h.to_json()).unwrap();
            IntentHead::load_intents(&path)
        };
        let mut names: Vec<String> = Intent::NAMES.iter().map(|n| (*n).to_owned()).collect();
        assert!(load(names.clone()).is_ok());
        names[0] = "broadband_dwon".into();
        match load(names.clone()) {
            Err(HeadError::UnknownIntent { label, .. }) => assert_eq!(label, "broadband_dwon"),
            other => panic!("{other:?}"),
        }
        names.remove(0);
        assert!(matches!(
            load(names),
            Err(HeadError::MissingIntent {
                intent: Intent::BroadbandDown,
                ..
            })
        ));
    }

    #[test]
    fn the_committed_head_knows_exactly_the_vocabulary() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models/intent-head.json");
        IntentHead::load_intents(&path).unwrap();
    }
}
