//! Measuring the classifier: accuracy, per-intent precision/recall/F1, the cancellation flag,
//! out-of-scope recall, and a confusion matrix drawn as SVG.

use std::fmt::Write as _;

use crate::domain::Locale;

/// One evaluated example.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub truth: String,
    pub predicted: String,
    pub language: Locale,
    pub flagged_cancellation: bool,
}

#[derive(Debug, Clone)]
pub struct IntentScore {
    pub intent: String,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: usize,
}

#[derive(Debug, Clone)]
pub struct Evaluation {
    pub intents: Vec<String>,
    pub outcomes: Vec<Outcome>,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

impl Evaluation {
    pub fn accuracy(&self, language: Option<Locale>) -> f64 {
        let of: Vec<&Outcome> = self
            .outcomes
            .iter()
            .filter(|o| language.is_none_or(|l| o.language == l))
            .collect();
        ratio(
            of.iter().filter(|o| o.truth == o.predicted).count(),
            of.len(),
        )
    }

    /// Accuracy over examples whose true intent is not `out_of_scope`.
    pub fn in_scope_accuracy(&self, out_of_scope: &str) -> f64 {
        let of: Vec<&Outcome> = self
            .outcomes
            .iter()
            .filter(|o| o.truth != out_of_scope)
            .collect();
        ratio(
            of.iter().filter(|o| o.truth == o.predicted).count(),
            of.len(),
        )
    }

    pub fn per_intent(&self) -> Vec<IntentScore> {
        self.intents
            .iter()
            .map(|intent| {
                let tp = self
                    .outcomes
                    .iter()
                    .filter(|o| &o.truth == intent && &o.predicted == intent)
                    .count();
                let predicted = self
                    .outcomes
                    .iter()
                    .filter(|o| &o.predicted == intent)
                    .count();
                let support = self.outcomes.iter().filter(|o| &o.truth == intent).count();
                let precision = ratio(tp, predicted);
                let recall = ratio(tp, support);
                let f1 = if precision + recall > 0.0 {
                    2.0 * precision * recall / (precision + recall)
                } else {
                    0.0
                };
                IntentScore {
                    intent: intent.clone(),
                    precision,
                    recall,
                    f1,
                    support,
                }
            })
            .collect()
    }

    /// Recall and precision of the cancellation flag against examples labelled `cancel`.
    pub fn cancellation(&self, cancel: &str) -> (f64, f64) {
        let truth = self.outcomes.iter().filter(|o| o.truth == cancel).count();
        let flagged = self
            .outcomes
            .iter()
            .filter(|o| o.flagged_cancellation)
            .count();
        let both = self
            .outcomes
            .iter()
            .filter(|o| o.truth == cancel && o.flagged_cancellation)
            .count();
        (ratio(both, truth), ratio(both, flagged))
    }

    /// Examples the flag missed, for the report: each is a defect to fix.
    pub fn missed_cancellations(&self, cancel: &str) -> Vec<usize> {
        self.outcomes
            .iter()
            .enumerate()
            .filter(|(_, o)| o.truth == cancel && !o.flagged_cancellation)
            .map(|(i, _)| i)
            .collect()
    }

    pub fn confusion(&self) -> Vec<Vec<usize>> {
        let index = |name: &str| self.intents.iter().position(|i| i == name);
        let k = self.intents.len();
        let mut matrix = vec![vec![0; k]; k];
        for o in &self.outcomes {
            if let (Some(t), Some(p)) = (index(&o.truth), index(&o.predicted)) {
                matrix[t][p] += 1;
            }
        }
        matrix
    }

    /// The confusion matrix as a standalone SVG: rows are true intents, columns predictions.
    pub fn confusion_svg(&self) -> String {
        let matrix = self.confusion();
        let k = self.intents.len();
        let cell = 22;
        let label = 170;
        let size = label + k * cell + 10;
        let mut svg = String::new();
        let _ = write!(
            svg,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" font-family="sans-serif" font-size="10">"#
        );
        let _ = write!(svg, r#"<rect width="100%" height="100%" fill="white"/>"#);
        for (i, name) in self.intents.iter().enumerate() {
            let y = label + i * cell + cell / 2 + 3;
            let _ = write!(
                svg,
                r#"<text x="{}" y="{y}" text-anchor="end">{name}</text>"#,
                label - 4
            );
            let x = label + i * cell + cell / 2 + 3;
            let _ = write!(
                svg,
                r#"<text transform="translate({x},{}) rotate(-90)">{name}</text>"#,
                label - 4
            );
        }
        for (t, row) in matrix.iter().enumerate() {
            let total: usize = row.iter().sum::<usize>().max(1);
            for (p, &count) in row.iter().enumerate() {
                let share = count as f64 / total as f64;
                let (r, g, b) = if t == p {
                    (
                        255.0 - 200.0 * share,
                        255.0 - 90.0 * share,
                        255.0 - 200.0 * share,
                    )
                } else {
                    (
                        255.0 - 30.0 * share,
                        255.0 - 200.0 * share,
                        255.0 - 200.0 * share,
                    )
                };
                let (x, y) = (label + p * cell, label + t * cell);
                let _ = write!(
                    svg,
                    r#"<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="rgb({},{},{})" stroke="rgb(221,221,221)"/>"#,
                    r as u8, g as u8, b as u8
                );
                if count > 0 {
                    let _ = write!(
                        svg,
                        r#"<text x="{}" y="{}" text-anchor="middle">{count}</text>"#,
                        x + cell / 2,
                        y + cell / 2 + 3
                    );
                }
            }
        }
        svg.push_str("</svg>\n");
        svg
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(truth: &str, predicted: &str, flagged: bool) -> Outcome {
        Outcome {
            truth: truth.into(),
            predicted: predicted.into(),
            language: Locale::Sv,
            flagged_cancellation: flagged,
        }
    }

    #[test]
    fn metrics_match_a_hand_count() {
        let eval = Evaluation {
            intents: vec!["a".into(), "cancel".into()],
            outcomes: vec![
                outcome("a", "a", false),
                outcome("a", "cancel", true),
                outcome("cancel", "cancel", true),
                outcome("cancel", "a", false),
            ],
        };
        assert_eq!(eval.accuracy(None), 0.5);
        let scores = eval.per_intent();
        assert_eq!(scores[1].precision, 0.5);
        assert_eq!(scores[1].recall, 0.5);
        assert_eq!(eval.cancellation("cancel"), (0.5, 0.5));
        assert_eq!(eval.missed_cancellations("cancel"), vec![3]);
        assert_eq!(eval.confusion(), vec![vec![1, 1], vec![1, 1]]);
        assert!(eval.confusion_svg().starts_with("<svg"));
    }
}
