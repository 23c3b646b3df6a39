//! From probabilities to what the bot acts on.

use serde::Serialize;
use utoipa::ToSchema;

use super::head::{IntentHead, IntentModel};
use super::lexicon;
use super::readers::Reading;
use crate::domain::{Intent, Locale};

/// An intent with its calibrated probability.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Scored {
    pub intent: Intent,
    pub confidence: f32,
}

/// What the classifier concluded about one message.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Classification {
    /// The decision: the model's best intent, or `out_of_scope` when it is not sure enough.
    pub intent: Intent,
    /// Probability that the decision is right.
    pub confidence: f32,
    /// Whether the decision is sure enough to act on: the model's best intent (which may be
    /// `out_of_scope` itself) is above the language's threshold.
    pub confident: bool,
    /// The customer seems to want to end a subscription (model or lexicon).
    pub cancellation: bool,
    /// The model's three most likely intents, best first.
    pub ranking: Vec<Scored>,
    #[schema(value_type = String)]
    pub language: Locale,
    /// How the message would answer a guide step, and its tone (filled in by the
    /// [`Classifier`](super::Classifier); neutral from [`decide`] alone).
    pub reading: Reading,
}

impl Classification {
    /// The likely intents with their probabilities, best first: what guide search weighs.
    pub fn likely_intents(&self) -> Vec<(Intent, f32)> {
        self.ranking
            .iter()
            .map(|s| (s.intent, s.confidence))
            .collect()
    }
}

/// The decision in terms of the head's own labels (by index), for any head: the intent head,
/// and the heads trained on public benchmarks, whose labels are not Felsök's intents.
#[derive(Debug, Clone, PartialEq)]
pub struct Decided {
    /// The label decided on; `None` when the model is not sure enough, which counts as out
    /// of scope.
    pub label: Option<usize>,
    /// Probability that the decision is right.
    pub confidence: f32,
    /// The model's best label (which may be out of scope itself) is above the language's
    /// threshold.
    pub confident: bool,
    pub cancellation: bool,
    /// The three likeliest labels with their probabilities, best first.
    pub ranking: Vec<(usize, f32)>,
}

impl Decided {
    /// The decided label's name, `out_of_scope` when unsure.
    pub fn name<'h>(&self, head: &'h IntentHead) -> &'h str {
        self.label
            .map_or(Intent::OutOfScope.as_str(), |i| head.intents[i].as_str())
    }
}

/// Applies the head's thresholds and the cancellation safety net.
pub fn decide(model: &IntentModel, vector: &[f32], text: &str, language: Locale) -> Classification {
    let decided = decide_labels(model.head(), vector, text, language);
    let intent = |i: usize| model.labels()[i];
    Classification {
        cancellation: decided.cancellation,
        intent: decided.label.map_or(Intent::OutOfScope, intent),
        confidence: decided.confidence,
        confident: decided.confident,
        ranking: decided
            .ranking
            .iter()
            .map(|&(i, confidence)| Scored {
                intent: intent(i),
                confidence,
            })
            .collect(),
        language,
        reading: Reading::NEUTRAL,
    }
}

/// [`decide`] over a head's own labels: `cancel_subscription` among them, if any, raises the
/// cancellation flag.
pub fn decide_labels(head: &IntentHead, vector: &[f32], text: &str, language: Locale) -> Decided {
    let probs = head.probabilities(vector);
    let mut order: Vec<usize> = (0..probs.len()).collect();
    order.sort_by(|&a, &b| probs[b].total_cmp(&probs[a]));
    let ranking = order.iter().take(3).map(|&i| (i, probs[i])).collect();
    let cancel = head.index_of(Intent::CancelSubscription.as_str());
    // "Jag vill INTE säga upp, bara gå ner till 250": the model hears the cancellation
    // words; the customer's next most likely meaning is what they want.
    let declined = lexicon::without_declines(text);
    let best = match (&declined, cancel) {
        (Some(_), Some(cancel)) if order[0] == cancel && order.len() > 1 => order[1],
        _ => order[0],
    };
    let top = probs[best];
    let confident = top >= head.thresholds.for_locale(language);
    let (label, confidence) = if confident {
        (Some(best), top)
    } else {
        (None, 1.0 - top)
    };
    let model_cancel = cancel.is_some_and(|i| probs[i] >= head.cancel_threshold);
    let cancellation = match &declined {
        // The model read the whole message, refusal included: only the words left over
        // can still ask to cancel something.
        Some(rest) => lexicon::signals_cancellation(rest),
        None => model_cancel || lexicon::signals_cancellation(text),
    };
    Decided {
        label,
        confidence,
        confident,
        cancellation,
        ranking,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classifier::head::{Layer, Provenance, Thresholds};

    /// Three intents; the input vector's components are the logits directly.
    fn head() -> IntentModel {
        IntentModel::new(IntentHead {
            intents: [
                Intent::BroadbandDown,
                Intent::CancelSubscription,
                Intent::OutOfScope,
            ]
            .map(|i| i.as_str().to_owned())
            .to_vec(),
            hidden: None,
            output: Layer {
                rows: 3,
                cols: 3,
                weights: vec![1., 0., 0., 0., 1., 0., 0., 0., 1.],
                bias: vec![0.; 3],
            },
            temperature: 1.0,
            thresholds: Thresholds { sv: 0.6, en: 0.8 },
            cancel_threshold: 0.2,
            provenance: Provenance::default(),
        })
        .unwrap()
    }

    #[test]
    fn a_confident_guess_is_acted_on() {
        let c = decide(&head(), &[5.0, 0.0, 0.0], "nätet är nere", Locale::Sv);
        assert_eq!(c.intent, Intent::BroadbandDown);
        assert!(c.confident);
        assert!(!c.cancellation);
        assert_eq!(c.ranking.len(), 3);
    }

    #[test]
    fn an_unsure_guess_becomes_out_of_scope_with_per_language_thresholds() {
        // p(top) is about 0.7: enough in Swedish (0.6), not in English (0.8).
        let v = [1.5, 0.0, 0.0];
        assert!(decide(&head(), &v, "x", Locale::Sv).confident);
        let en = decide(&head(), &v, "x", Locale::En);
        assert!(!en.confident);
        assert_eq!(en.intent, Intent::OutOfScope);
        // The model's own out-of-scope verdict, when sure, is a confident decision.
        let oos = decide(&head(), &[0.0, 0.0, 5.0], "x", Locale::Sv);
        assert!(oos.confident);
        assert_eq!(oos.intent, Intent::OutOfScope);
        assert_eq!(en.ranking[0].intent, Intent::BroadbandDown);
    }

    #[test]
    fn the_flag_rises_on_a_modest_model_probability_or_on_the_lexicon_alone() {
        let c = decide(&head(), &[2.0, 1.0, 0.0], "hmm", Locale::Sv);
        assert!(c.cancellation, "p(cancel) ≈ 0.24 is above the 0.2 cut-off");
        let c = decide(&head(), &[5.0, 0.0, 0.0], "jag vill säga upp", Locale::Sv);
        assert!(c.cancellation);
        assert_eq!(c.intent, Intent::BroadbandDown);
    }
}
