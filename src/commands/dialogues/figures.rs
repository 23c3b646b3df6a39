//! The figures of a set of judged dialogues, and the gate a run must pass.

use super::DialogueResult;

/// Where the gate stops a regression: set a little below the first run (see the report's
/// "First run"), to be raised as the product improves. Leaks and buried cancellations have no
/// floor: one is one too many.
pub struct Floors {
    pub turn_pass_rate: f64,
    pub task_success: f64,
    pub right_guide: f64,
    pub frustration_recall: f64,
    /// The most wrong handoffs allowed.
    pub wrong_handoffs: usize,
    /// The most masking leaks allowed: none.
    pub masking_leaks: usize,
}

/// The first run (2026-12-04) reached 51.7 % (323 of 625), 26.1 % (60 of 230), 68.5 % (113
/// of 165), 55.6 % (15 of 27), 23 wrong handoffs and 105 masking leaks; the general masker
/// (2026-12-05) brought the leaks to 0, turns passing to 54.1 % and task success to 29.6 %;
/// the step-reply and tone heads, subjects in guide choice and other problems kept for later
/// brought them to 74.1 %, 55.9 %, 77.3 %, 93.9 % and 14 wrong handoffs (256 dialogues);
/// problems taken in the customer's order and taken up on a yes, refusals to cancel heard,
/// deaths told from dead routers and more guide examples to 84.9 %, 69.9 %, 87.5 %, 93.9 %
/// and 10 (266 dialogues, 2026-12-06); steps already done passed by in every guide, answers
/// read by their last clause, guesses at a person or a new problem no longer acted on to
/// 88.0 %, 75.2 %, 89.8 %, 93.9 % and 7 (270 dialogues, later that day); words that settle
/// a typed step answer, a guide left for the other problem kept at its step, and the tone
/// heard only with a sign in the words, and a problem told again after the note on languages
/// read as its first description, to 91.9 %, 83.3 %, 91.0 %, 93.9 % and 6 (276 dialogues,
/// 2026-12-06). The floors sit a little under the last run.
pub const FLOORS: Floors = Floors {
    turn_pass_rate: 0.90,
    task_success: 0.80,
    right_guide: 0.89,
    frustration_recall: 0.90,
    wrong_handoffs: 7,
    masking_leaks: 0,
};

/// What the product aims for; shown beside the figures, not enforced.
pub const GOAL_RIGHT_GUIDE: f64 = 0.90;
pub const GOAL_FRUSTRATION_RECALL: f64 = 0.90;
pub const GOAL_TASK_SUCCESS: f64 = 0.85;

/// A count out of a total.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ratio {
    pub hits: usize,
    pub of: usize,
}

impl Ratio {
    fn add(&mut self, hit: bool) {
        self.hits += usize::from(hit);
        self.of += 1;
    }

    pub fn rate(self) -> Option<f64> {
        (self.of > 0).then(|| self.hits as f64 / self.of as f64)
    }

    fn below(self, floor: f64) -> bool {
        self.rate().is_some_and(|r| r < floor)
    }
}

impl std::fmt::Display for Ratio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.rate() {
            Some(rate) => write!(f, "{:.1} % ({}/{})", rate * 100.0, self.hits, self.of),
            None => f.write_str("–"),
        }
    }
}

/// The figures of a set of dialogues.
#[derive(Debug, Clone, Default)]
pub struct Figures {
    pub dialogues: usize,
    pub turns: usize,
    /// Turns with at least one expectation, and those where all of them hold.
    pub turn_pass: Ratio,
    pub checks: Ratio,
    /// Dialogues where every expectation holds.
    pub task_success: Ratio,
    /// Dialogues whose first `guide:` expectation holds.
    pub right_guide: Ratio,
    pub frustration_recall: Ratio,
    pub wrong_handoffs: usize,
    pub leaks: usize,
    /// `cancellation_first` expectations met; the misses are buried cancellations.
    pub cancellation_first: Ratio,
    /// The turn (from 1) of the first guide ended or handoff, in dialogues with one.
    pub resolution_turns: Vec<usize>,
}

impl Figures {
    pub fn of<'a>(dialogues: impl Iterator<Item = &'a DialogueResult>) -> Self {
        let mut f = Self::default();
        for dialogue in dialogues {
            f.dialogues += 1;
            f.turns += dialogue.turns.len();
            f.leaks += dialogue.leaks;
            f.task_success.add(dialogue.succeeded());
            for turn in &dialogue.turns {
                if !turn.checks.is_empty() {
                    f.turn_pass.add(turn.checks.iter().all(|c| c.passed));
                }
                f.wrong_handoffs += usize::from(turn.wrong_handoff);
            }
            for (_, check) in dialogue.checks() {
                f.checks.add(check.passed);
                match check.key {
                    "acknowledges_frustration" => f.frustration_recall.add(check.passed),
                    "cancellation_first" => f.cancellation_first.add(check.passed),
                    _ => {}
                }
            }
            if let Some((_, first)) = dialogue.checks().find(|(_, c)| c.key == "guide") {
                f.right_guide.add(first.passed);
            }
            if let Some(turn) = dialogue.turns.iter().find(|t| t.resolved) {
                f.resolution_turns.push(turn.number);
            }
        }
        f
    }

    pub fn buried_cancellations(&self) -> usize {
        self.cancellation_first.of - self.cancellation_first.hits
    }

    pub fn turns_to_resolution(&self) -> Option<f64> {
        let n = self.resolution_turns.len();
        (n > 0).then(|| self.resolution_turns.iter().sum::<usize>() as f64 / n as f64)
    }

    pub fn resolution(&self) -> String {
        match self.turns_to_resolution() {
            Some(mean) => format!("{mean:.2} ({} dialogues)", self.resolution_turns.len()),
            None => "–".to_owned(),
        }
    }

    /// Why these figures fail the gate; empty when they pass.
    pub fn gate(&self) -> Vec<String> {
        let mut failures = Vec::new();
        if self.leaks > FLOORS.masking_leaks {
            failures.push(format!(
                "{} masking leaks, more than today's {} (the goal is 0)",
                self.leaks, FLOORS.masking_leaks
            ));
        }
        if self.buried_cancellations() > 0 {
            failures.push(format!(
                "{} buried cancellations (must be 0)",
                self.buried_cancellations()
            ));
        }
        let floors = [
            ("turns passing", self.turn_pass, FLOORS.turn_pass_rate),
            ("task success", self.task_success, FLOORS.task_success),
            ("right guide", self.right_guide, FLOORS.right_guide),
            (
                "frustration recall",
                self.frustration_recall,
                FLOORS.frustration_recall,
            ),
        ];
        for (name, ratio, floor) in floors {
            if ratio.below(floor) {
                failures.push(format!("{name} {ratio} is below the floor {}", pct(floor)));
            }
        }
        if self.wrong_handoffs > FLOORS.wrong_handoffs {
            failures.push(format!(
                "{} wrong handoffs, more than the {} allowed",
                self.wrong_handoffs, FLOORS.wrong_handoffs
            ));
        }
        failures
    }
}

pub fn pct(x: f64) -> String {
    format!("{:.0} %", x * 100.0)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::commands::dialogues::{Check, Run, TurnResult};

    /// A one-turn dialogue with these checks, resolved at turn 1.
    pub fn dialogue(file: &str, passed: &[(&'static str, bool)]) -> DialogueResult {
        DialogueResult {
            file: file.to_owned(),
            group: file[..2].to_owned(),
            tags: vec!["steps".to_owned()],
            turns: vec![TurnResult {
                number: 1,
                checks: passed
                    .iter()
                    .map(|&(key, passed)| Check {
                        key,
                        expected: "x".into(),
                        got: "y".into(),
                        passed,
                    })
                    .collect(),
                wrong_handoff: false,
                resolved: true,
            }],
            leaks: 0,
        }
    }

    #[test]
    fn a_buried_cancellation_fails_the_gate_and_the_figures_count_right() {
        let run = Run {
            dialogues: vec![
                dialogue(
                    "sv-a.yaml",
                    &[("guide", true), ("cancellation_first", false)],
                ),
                dialogue(
                    "en-b.yaml",
                    &[("guide", false), ("acknowledges_frustration", true)],
                ),
            ],
        };
        let f = run.figures();
        assert_eq!(f.right_guide, Ratio { hits: 1, of: 2 });
        assert_eq!(f.frustration_recall, Ratio { hits: 1, of: 1 });
        assert_eq!(f.buried_cancellations(), 1);
        assert_eq!(f.task_success, Ratio { hits: 0, of: 2 });
        assert_eq!(f.turns_to_resolution(), Some(1.0));
        assert!(run.gate().iter().any(|g| g.contains("buried")));
    }
}
