//! How an agent may end a handoff: the outcomes, and the check of a resolution against the
//! handoff's queue and the written request behind it.

use super::HandoffError;
use crate::domain::{FieldError, HandoffOutcome, PlainText, Queue, RequestKind, TextError};

/// How a written request of `kind` may end, told to an agent who tries another outcome.
fn how_it_ends(kind: RequestKind) -> &'static str {
    match kind {
        RequestKind::Cancellation => {
            "A written cancellation is resolved with outcome \"cancellation_confirmed\" or, if \
             the customer asked to withdraw it, \"cancellation_withdrawn\"."
        }
        RequestKind::Withdrawal => {
            "A withdrawal is resolved with outcome \"withdrawal_confirmed\" or, with the \
             reason in the note, \"withdrawal_disputed\"."
        }
    }
}

/// An agent's resolution, checked against the handoff's queue.
#[derive(Debug, Clone, Default)]
pub struct ResolveRequest {
    pub outcome: Option<String>,
    pub note: Option<String>,
    /// `YYYY-MM-DD`: required when confirming a cancellation or withdrawal.
    pub service_ends_on: Option<String>,
    pub last_invoice_on: Option<String>,
}

/// A checked resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub outcome: HandoffOutcome,
    pub note: Option<String>,
    /// The day the service ends and the last invoice date, when the outcome carries it out.
    pub ends: Option<(time::Date, time::Date)>,
}

/// The longest internal note an agent can leave.
const NOTE_CHARS: usize = 4000;

impl ResolveRequest {
    /// Checks the resolution for a handoff in `queue`, about `behind` when it is a written
    /// request; every problem is reported at once.
    pub fn check(
        &self,
        queue: Queue,
        behind: Option<RequestKind>,
    ) -> Result<Resolved, HandoffError> {
        let mut problems = Vec::new();
        let note = match self
            .note
            .as_deref()
            .map(|n| PlainText::parse(n, NOTE_CHARS))
        {
            None | Some(Err(TextError::Empty)) => None,
            Some(Ok(note)) => Some(note.into_string()),
            Some(Err(e)) => {
                problems.push(FieldError::new("note", "invalid_note", e.to_string()));
                None
            }
        };
        // A handoff in the cancellation queue with no written request behind it was moved
        // there by an agent: it ends as a cancellation does.
        let behind = match queue {
            Queue::Cancellation => Some(behind.unwrap_or(RequestKind::Cancellation)),
            _ => None,
        };
        let outcome = match (behind, self.outcome.as_deref()) {
            (Some(behind), None) => {
                problems.push(FieldError::new(
                    "outcome",
                    "outcome_required",
                    how_it_ends(behind),
                ));
                None
            }
            (None, None) => Some(HandoffOutcome::Handled),
            (behind, Some(raw)) => match (behind, HandoffOutcome::parse(raw)) {
                (None, Some(HandoffOutcome::Handled)) => Some(HandoffOutcome::Handled),
                (Some(behind), Some(o)) if o.ends_a() == Some(behind) => Some(o),
                (Some(behind), Some(_)) => {
                    problems.push(FieldError::new(
                        "outcome",
                        "invalid_outcome",
                        how_it_ends(behind),
                    ));
                    None
                }
                (None, Some(_)) => {
                    problems.push(FieldError::new(
                        "outcome",
                        "invalid_outcome",
                        "Only a handoff in the cancellation queue has a cancellation or \
                         withdrawal outcome.",
                    ));
                    None
                }
                (_, None) => {
                    problems.push(FieldError::new(
                        "outcome",
                        "invalid_outcome",
                        "Outcome must be handled, cancellation_confirmed, \
                         cancellation_withdrawn, withdrawal_confirmed or withdrawal_disputed.",
                    ));
                    None
                }
            },
        };
        if outcome.is_some_and(HandoffOutcome::needs_a_note) && note.is_none() {
            let message = if outcome == Some(HandoffOutcome::WithdrawalDisputed) {
                "Say in the note why the withdrawal cannot be accepted: the customer is told."
            } else {
                "Say in the note how and when the customer asked to withdraw the cancellation."
            };
            problems.push(FieldError::new("note", "note_required", message));
        }
        let ends = if outcome.is_some_and(HandoffOutcome::ends_the_service) {
            let date = |field: &'static str, raw: Option<&str>, what: &str| match raw
                .filter(|r| !r.trim().is_empty())
            {
                None => Err(FieldError::new(
                    field,
                    "date_required",
                    format!("Enter {what} (YYYY-MM-DD): the customer is told."),
                )),
                Some(raw) => crate::domain::parse_iso_date(raw).ok_or_else(|| {
                    FieldError::new(
                        field,
                        "invalid_date",
                        format!("{what} should look like 2027-01-31."),
                    )
                }),
            };
            let ends_on = date(
                "service_ends_on",
                self.service_ends_on.as_deref(),
                "the day the service ends",
            );
            let last_invoice = date(
                "last_invoice_on",
                self.last_invoice_on.as_deref(),
                "the last invoice date",
            );
            match (ends_on, last_invoice) {
                (Ok(a), Ok(b)) => Some((a, b)),
                (a, b) => {
                    problems.extend(a.err());
                    problems.extend(b.err());
                    None
                }
            }
        } else {
            None
        };
        match outcome {
            Some(outcome) if problems.is_empty() => Ok(Resolved {
                outcome,
                note,
                ends,
            }),
            _ => Err(HandoffError::Invalid(problems)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(outcome: Option<&str>, note: Option<&str>) -> ResolveRequest {
        ResolveRequest {
            outcome: outcome.map(str::to_owned),
            note: note.map(str::to_owned),
            ..ResolveRequest::default()
        }
    }

    fn codes(error: HandoffError) -> Vec<(&'static str, &'static str)> {
        match error {
            HandoffError::Invalid(problems) => problems.iter().map(|p| (p.field, p.code)).collect(),
            other => panic!("expected invalid fields, got {other:?}"),
        }
    }

    #[test]
    fn an_ordinary_handoff_is_handled_with_or_without_saying_so() {
        for outcome in [None, Some("handled")] {
            let resolved = request(outcome, Some("  "))
                .check(Queue::Technical, None)
                .expect("valid");
            assert_eq!(resolved.outcome, HandoffOutcome::Handled);
            assert_eq!(resolved.note, None, "a blank note is no note");
            assert_eq!(resolved.ends, None);
        }
    }

    #[test]
    fn an_ordinary_handoff_cannot_confirm_a_cancellation() {
        let error = request(Some("cancellation_confirmed"), None)
            .check(Queue::Billing, None)
            .unwrap_err();
        assert_eq!(codes(error), [("outcome", "invalid_outcome")]);
    }

    #[test]
    fn a_written_request_must_say_how_it_ended() {
        let error = request(None, None)
            .check(Queue::Cancellation, Some(RequestKind::Withdrawal))
            .unwrap_err();
        assert_eq!(codes(error), [("outcome", "outcome_required")]);
        let error = request(Some("cancellation_confirmed"), None)
            .check(Queue::Cancellation, Some(RequestKind::Withdrawal))
            .unwrap_err();
        assert_eq!(codes(error), [("outcome", "invalid_outcome")]);
    }

    #[test]
    fn a_handoff_moved_to_the_cancellation_queue_ends_as_a_cancellation() {
        let error = request(Some("handled"), None)
            .check(Queue::Cancellation, None)
            .unwrap_err();
        assert_eq!(codes(error), [("outcome", "invalid_outcome")]);
        let resolved = request(
            Some("cancellation_withdrawn"),
            Some("Kunden ringde och ångrade."),
        )
        .check(Queue::Cancellation, None)
        .expect("valid");
        assert_eq!(resolved.outcome, HandoffOutcome::CancellationWithdrawn);
    }

    #[test]
    fn confirming_needs_both_dates_and_reports_every_problem_at_once() {
        let error = ResolveRequest {
            outcome: Some("withdrawal_confirmed".into()),
            service_ends_on: Some("31/1".into()),
            ..ResolveRequest::default()
        }
        .check(Queue::Cancellation, Some(RequestKind::Withdrawal))
        .unwrap_err();
        assert_eq!(
            codes(error),
            [
                ("service_ends_on", "invalid_date"),
                ("last_invoice_on", "date_required")
            ]
        );
        let resolved = ResolveRequest {
            outcome: Some("withdrawal_confirmed".into()),
            service_ends_on: Some("2026-12-08".into()),
            last_invoice_on: Some("2027-01-15".into()),
            ..ResolveRequest::default()
        }
        .check(Queue::Cancellation, Some(RequestKind::Withdrawal))
        .expect("valid");
        let (ends_on, invoice) = resolved.ends.expect("the dates");
        assert_eq!((ends_on.day(), invoice.day()), (8, 15));
    }

    #[test]
    fn a_dispute_or_a_withdrawn_cancellation_needs_a_note_the_customer_is_told() {
        let error = request(Some("withdrawal_disputed"), None)
            .check(Queue::Cancellation, Some(RequestKind::Withdrawal))
            .unwrap_err();
        assert_eq!(codes(error), [("note", "note_required")]);
        let error = request(Some("cancellation_withdrawn"), Some(""))
            .check(Queue::Cancellation, Some(RequestKind::Cancellation))
            .unwrap_err();
        assert_eq!(codes(error), [("note", "note_required")]);
    }
}
