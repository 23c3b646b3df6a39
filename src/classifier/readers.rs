//! Heads that read more from a message's vector than what it is about: how a customer
//! answers the guide step in front of them, and whether they are upset.
//!
//! Both are trained like the intent head (`felsok train`), from their own example folders,
//! so editors teach them the same way: a line of what customers write, under its label.

use std::path::Path;

use serde::Serialize;
use utoipa::ToSchema;

use super::head::{HeadError, IntentHead};

/// How free text answers the step the customer was shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepReply {
    /// It works now.
    Worked,
    /// Done (or done before), and the problem remains.
    NotFixed,
    /// A question instead of an answer: about the step, or why it is needed.
    Question,
    /// Not an answer to the step: another problem, a request, small talk.
    SomethingElse,
}

impl StepReply {
    pub const ALL: [Self; 4] = [
        Self::Worked,
        Self::NotFixed,
        Self::Question,
        Self::SomethingElse,
    ];

    /// The label in the training folder (`models/step-replies/<label>.txt`).
    pub fn label(self) -> &'static str {
        match self {
            Self::Worked => "worked",
            Self::NotFixed => "not_fixed",
            Self::Question => "question",
            Self::SomethingElse => "something_else",
        }
    }

    pub fn parse(label: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.label() == label)
    }
}

/// The labels of the tone head (`models/tone/<label>.txt`).
pub const FRUSTRATED: &str = "frustrated";
pub const CALM: &str = "calm";

/// Below this probability a step reply is not acted on: the message is read as anything
/// else would be. Chosen on `eval/step-replies/` (see eval/readers.md): a wrong "it worked"
/// ends a guide that did not help, so the bar is high.
const STEP_REPLY_MIN: f32 = 0.6;

/// From this probability of `frustrated` the customer is heard as upset. Chosen on
/// `eval/tone/` (see eval/readers.md): hearing calm customers as upset costs one needless
/// "I understand", missing an upset one is what customers complain of.
pub const FRUSTRATION_MIN: f32 = 0.4;

/// From this probability the tone alone is sure enough to hand a customer already heard as
/// upset to a person (precision over 90 % on `eval/tone/`): taking the chat from the bot
/// against the customer's will is a bigger step than saying "I understand".
pub const FRUSTRATION_SURE: f32 = 0.6;

/// What the readers saw in one message.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct Reading {
    /// How the message answers a step, when the head is sure enough to act on it.
    pub step_reply: Option<StepReply>,
    /// Probability that the customer is upset.
    pub frustration: f32,
}

impl Reading {
    /// Nothing read: no step answer, no sign of upset.
    pub const NEUTRAL: Self = Self {
        step_reply: None,
        frustration: 0.0,
    };

    pub fn frustrated(&self) -> bool {
        self.frustration >= FRUSTRATION_MIN
    }

    /// Whether the customer who wrote `text` is heard as upset (see [`heard_upset`]).
    pub fn frustrated_in(&self, text: &str) -> bool {
        heard_upset(self.frustration, text)
    }

    pub fn surely_frustrated(&self) -> bool {
        self.frustration >= FRUSTRATION_SURE
    }

    /// The reading checked against the words: a message that opens with a question word
    /// and asks ("var sitter wan-porten?? ser bara gula hål") is a question, however much of
    /// it also reports the step's result.
    pub fn in_words_of(mut self, text: &str) -> Self {
        if self.step_reply == Some(StepReply::NotFixed) && opens_a_question(text) {
            self.step_reply = Some(StepReply::Question);
        }
        self
    }
}

/// Words that turn a sentence into a complaint, lower-cased with å/ä/ö folded.
pub const COMPLAINT_WORDS: &[&str] = &[
    "inte", "ej", "aldrig", "ingen", "inget", "inga", "nere", "sonder", "trasig", "not", "never",
    "no", "nothing", "broken", "down", "doesn't", "don't", "isn't", "won't", "can't", "fan",
    "skit",
];

/// Emoji that show anger or despair.
pub const ANGRY_EMOJI: &[char] = &[
    '😡', '🤬', '😠', '😤', '🙄', '😩', '😫', '💩', '👎', '😭', '🖕',
];

/// Whether a customer who wrote `text`, which the tone head reads as upset with probability
/// `p`, is heard as upset. From [`FRUSTRATION_SURE`] the tone alone says so; between
/// [`FRUSTRATION_MIN`] and it, the head also hears calm requests ("ja ta viaplay nu", "står
/// i mitt namn om det spelar nån roll"), so the words must show it too: a complaint word,
/// an exclamation, an angry emoji or a word in capitals. Chosen on `eval/tone/` (see
/// eval/readers.md): it keeps the upset customers of that band and drops most calm ones.
pub fn heard_upset(p: f32, text: &str) -> bool {
    p >= FRUSTRATION_SURE || (p >= FRUSTRATION_MIN && shows_upset_in_words(text))
}

/// Whether `text` has a word of complaint ("inte", "trasig", "broken"): what tells a fault
/// from a mere mention.
pub fn complains(text: &str) -> bool {
    super::lexicon::lower_folded(text)
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .any(|w| COMPLAINT_WORDS.contains(&w))
}

fn shows_upset_in_words(text: &str) -> bool {
    let complaint = complains(text);
    // A word in capitals, or a row of short ones ("HÄR ÄR DET DÅ").
    let shouted: Vec<usize> = text
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphabetic()))
        .map(|w| {
            let n = w.chars().count();
            usize::from(n >= 2 && w.chars().all(char::is_uppercase)) * n
        })
        .collect();
    let capitals = shouted.iter().any(|&n| n >= 4)
        || shouted.windows(2).any(|pair| pair[0] > 0 && pair[1] > 0);
    complaint
        || capitals
        || text.contains('!')
        || text.contains("??")
        || text.chars().any(|c| ANGRY_EMOJI.contains(&c))
}

fn opens_a_question(text: &str) -> bool {
    const QUESTION_WORDS: &[&str] = &[
        "var", "vart", "hur", "vad", "varfor", "varför", "vilken", "vilket", "vilka", "när", "nar",
        "where", "how", "what", "why", "which", "when",
    ];
    let lower = text.trim_start().to_lowercase();
    let first = lower
        .split(|c: char| !c.is_alphanumeric())
        .find(|w| !w.is_empty())
        .unwrap_or("");
    text.contains('?') && QUESTION_WORDS.contains(&first)
}

#[derive(Debug, thiserror::Error)]
pub enum ReadersError {
    #[error(transparent)]
    Head(#[from] HeadError),
    #[error("{path} must have the labels {expected:?}, it has {actual:?}")]
    Labels {
        path: String,
        expected: Vec<String>,
        actual: Vec<String>,
    },
}

/// The step-reply and tone heads.
#[derive(Debug, Clone, PartialEq)]
pub struct Readers {
    step_reply: IntentHead,
    tone: IntentHead,
    frustrated: usize,
}

/// The label sets each head must have, sorted as training sorts them.
pub fn step_reply_labels() -> Vec<String> {
    sorted(StepReply::ALL.iter().map(|r| r.label()))
}

pub fn tone_labels() -> Vec<String> {
    sorted([CALM, FRUSTRATED].into_iter())
}

fn sorted<'a>(labels: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut all: Vec<String> = labels.map(str::to_owned).collect();
    all.sort();
    all
}

fn check_labels(head: &IntentHead, path: &Path, expected: Vec<String>) -> Result<(), ReadersError> {
    if head.intents == expected {
        Ok(())
    } else {
        Err(ReadersError::Labels {
            path: path.display().to_string(),
            expected,
            actual: head.intents.clone(),
        })
    }
}

impl Readers {
    pub fn new(step_reply: IntentHead, tone: IntentHead) -> Result<Self, ReadersError> {
        let frustrated = tone
            .index_of(FRUSTRATED)
            .ok_or_else(|| ReadersError::Labels {
                path: "tone head".into(),
                expected: tone_labels(),
                actual: tone.intents.clone(),
            })?;
        Ok(Self {
            step_reply,
            tone,
            frustrated,
        })
    }

    pub fn load(step_reply: &Path, tone: &Path) -> Result<Self, ReadersError> {
        let step_head = IntentHead::load(step_reply)?;
        check_labels(&step_head, step_reply, step_reply_labels())?;
        let tone_head = IntentHead::load(tone)?;
        check_labels(&tone_head, tone, tone_labels())?;
        Self::new(step_head, tone_head)
    }

    /// Input width: the encoder's vector size, the same for both heads.
    pub fn dims(&self) -> [usize; 2] {
        [self.step_reply.dim(), self.tone.dim()]
    }

    pub fn read(&self, vector: &[f32]) -> Reading {
        let probs = self.step_reply.probabilities(vector);
        let (best, p) = super::train::argmax(&probs);
        let step_reply = (p >= STEP_REPLY_MIN)
            .then(|| StepReply::parse(&self.step_reply.intents[best]))
            .flatten();
        let frustration = self.tone.probabilities(vector)[self.frustrated];
        // "It worked" from someone surely upset is a contradiction, and a wrong "it worked"
        // ends a guide that did not help: not acted on ("JAG HAR GJORT ALLT DET HÄR FÖRUT!!!").
        let step_reply =
            step_reply.filter(|r| !(*r == StepReply::Worked && frustration >= FRUSTRATION_SURE));
        Reading {
            step_reply,
            frustration,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classifier::head::{Layer, Provenance, Thresholds};

    /// A head over 4-dimensional vectors whose logits are the first components.
    fn identity(labels: Vec<String>) -> IntentHead {
        let n = labels.len();
        let mut weights = vec![0.0; n * 4];
        for i in 0..n {
            weights[i * 4 + i] = 1.0;
        }
        IntentHead {
            intents: labels,
            hidden: None,
            output: Layer {
                rows: n,
                cols: 4,
                weights,
                bias: vec![0.0; n],
            },
            temperature: 1.0,
            thresholds: Thresholds { sv: 0.4, en: 0.4 },
            cancel_threshold: 1.0,
            provenance: Provenance::default(),
        }
    }

    #[test]
    fn a_sure_step_reply_is_read_and_an_unsure_one_is_not() {
        // Labels sorted: not_fixed, question, something_else, worked. The tone head reads the
        // first two components as calm and frustrated.
        let readers = Readers::new(identity(step_reply_labels()), identity(tone_labels())).unwrap();
        let sure = readers.read(&[5.0, 0.0, 0.0, 0.0]);
        assert_eq!(sure.step_reply, Some(StepReply::NotFixed));
        assert!(!sure.frustrated(), "calm outweighs frustrated");
        let unsure = readers.read(&[1.0, 1.2, 0.0, 0.0]);
        assert_eq!(unsure.step_reply, None);
        assert!(unsure.frustrated(), "frustrated outweighs calm");
    }

    #[test]
    fn a_report_that_opens_with_a_question_word_is_a_question() {
        let not_fixed = Reading {
            step_reply: Some(StepReply::NotFixed),
            frustration: 0.0,
        };
        let asked = not_fixed.in_words_of("Var sitter wan-porten?? ser bara gula hål");
        assert_eq!(asked.step_reply, Some(StepReply::Question));
        let told = not_fixed.in_words_of("gjorde det, men varför blinkar den?");
        assert_eq!(told.step_reply, Some(StepReply::NotFixed));
    }

    #[test]
    fn it_worked_is_not_read_from_someone_surely_upset() {
        // Labels sorted: not_fixed, question, something_else, worked; tone: calm, frustrated.
        let readers = Readers::new(identity(step_reply_labels()), identity(tone_labels())).unwrap();
        let calm_worked = readers.read(&[0.0, -3.0, 0.0, 5.0]);
        assert_eq!(calm_worked.step_reply, Some(StepReply::Worked));
        // The second component is both "question" and "frustrated" here: kept low for the
        // step head, high for the tone.
        let upset_worked = readers.read(&[-3.0, 2.0, 0.0, 5.0]);
        assert!(upset_worked.surely_frustrated());
        assert_eq!(upset_worked.step_reply, None);
    }

    #[test]
    fn a_faint_tone_is_heard_as_upset_only_with_a_sign_in_the_words() {
        for calm in [
            "ja ta viaplay nu",
            "står i mitt namn om det spelar nån roll",
        ] {
            assert!(!heard_upset(0.45, calm), "{calm}");
            assert!(
                heard_upset(0.65, calm),
                "a sure tone needs no words: {calm}"
            );
        }
        for upset in [
            "påminnelseavgift för en faktura jag aldrig fått?! ni skojar",
            "ÄNTLIGEN svarar nån",
            "HÄR ÄR DET DÅ, exakt så",
            "nöjd??",
            "😤",
            "ni borde inte få sälja internet",
        ] {
            assert!(heard_upset(0.45, upset), "{upset}");
        }
        assert!(
            !heard_upset(0.3, "det funkar inte!!!"),
            "below the band the tone says no"
        );
    }

    #[test]
    fn heads_with_other_labels_are_refused() {
        assert!(
            Readers::new(identity(step_reply_labels()), identity(step_reply_labels())).is_err()
        );
        let dir = tempfile::tempdir().unwrap();
        let step = dir.path().join("s.json");
        let tone = dir.path().join("t.json");
        std::fs::write(&step, identity(tone_labels()).to_json()).unwrap();
        std::fs::write(&tone, identity(tone_labels()).to_json()).unwrap();
        assert!(matches!(
            Readers::load(&step, &tone),
            Err(ReadersError::Labels { .. })
        ));
    }
}
