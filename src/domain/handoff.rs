//! The vocabulary of handoffs: where one stands, why it was opened, and how it ended.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::vocabulary::vocabulary;
use super::RequestKind;

vocabulary! {
    /// Where a handoff stands: waiting in its queue, with an agent, or ended.
    #[derive(Serialize, Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum HandoffStatus {
        Queued = "queued",
        Claimed = "claimed",
        Resolved = "resolved",
    }
}

vocabulary! {
    /// Why the conversation was put in front of a person; the agent's summary says what to do
    /// next from it.
    #[derive(Serialize, Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum HandoffReason {
        /// The customer asked for a person.
        CustomerRequest = "customer_request",
        /// The customer is upset with the bot and needs someone to listen.
        Frustration = "frustration",
        /// Two messages in a row the bot did not understand.
        NotUnderstood = "not_understood",
        /// The case needs a person's decision (a complaint, a dispute).
        NeedsPerson = "needs_person",
        /// A guide's steps ran out without solving it.
        StepsExhausted = "steps_exhausted",
        /// Billed after cancelling.
        BillingDispute = "billing_dispute",
        /// The customer asked to be called.
        CallbackRequest = "callback_request",
        /// A written cancellation to carry out.
        WrittenCancellation = "written_cancellation",
        /// A withdrawal within 14 days (ångerrätt) to carry out.
        Withdrawal = "withdrawal",
    }
}

impl HandoffReason {
    /// The reason a written request of this kind is handed over with.
    pub fn for_request(kind: RequestKind) -> Self {
        match kind {
            RequestKind::Cancellation => Self::WrittenCancellation,
            RequestKind::Withdrawal => Self::Withdrawal,
        }
    }
}

vocabulary! {
    /// How a handoff ended. A written cancellation is either carried out or, when the customer
    /// asked for it, withdrawn; a withdrawal (ångerrätt) is either confirmed or disputed with a
    /// reason the customer is told: nothing else closes one.
    #[derive(Serialize, Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum HandoffOutcome {
        Handled = "handled",
        CancellationConfirmed = "cancellation_confirmed",
        CancellationWithdrawn = "cancellation_withdrawn",
        WithdrawalConfirmed = "withdrawal_confirmed",
        WithdrawalDisputed = "withdrawal_disputed",
    }
}

impl HandoffOutcome {
    /// The outcomes that carry a request out, and so need the dates it ends on.
    pub fn ends_the_service(self) -> bool {
        matches!(
            self,
            Self::CancellationConfirmed | Self::WithdrawalConfirmed
        )
    }

    /// The outcomes whose note is what the customer must hear (or how they asked).
    pub fn needs_a_note(self) -> bool {
        matches!(self, Self::CancellationWithdrawn | Self::WithdrawalDisputed)
    }

    /// The kind of written request this outcome ends; `None` for any other handoff's.
    pub fn ends_a(self) -> Option<RequestKind> {
        match self {
            Self::Handled => None,
            Self::CancellationConfirmed | Self::CancellationWithdrawn => {
                Some(RequestKind::Cancellation)
            }
            Self::WithdrawalConfirmed | Self::WithdrawalDisputed => Some(RequestKind::Withdrawal),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::vocabulary::assert_names_round_trip;

    #[test]
    fn every_name_reads_back_and_matches_the_wire() {
        assert_names_round_trip(
            HandoffStatus::ALL,
            HandoffStatus::as_str,
            HandoffStatus::parse,
        );
        assert_names_round_trip(
            HandoffReason::ALL,
            HandoffReason::as_str,
            HandoffReason::parse,
        );
        assert_names_round_trip(
            HandoffOutcome::ALL,
            HandoffOutcome::as_str,
            HandoffOutcome::parse,
        );
        assert_eq!(HandoffOutcome::parse("confirmed"), None);
    }

    #[test]
    fn each_written_request_has_its_reason_and_outcomes() {
        for kind in [RequestKind::Cancellation, RequestKind::Withdrawal] {
            let ends_it: Vec<_> = HandoffOutcome::ALL
                .iter()
                .filter(|o| o.ends_a() == Some(kind))
                .collect();
            assert_eq!(ends_it.len(), 2, "{kind:?} is confirmed or undone");
            assert_ne!(
                HandoffReason::for_request(kind),
                HandoffReason::CustomerRequest
            );
        }
    }
}
