//! The turns the bot handled badly, named for the editors' review inbox.
//!
//! The engine names them as it answers, because only it knows which way it took: a message
//! read as a step's answer is fine at any confidence, the same words as a new problem are not.

use super::{DialogueState, Turn};
use crate::domain::{HandoffReason, MissKind};

/// Acting on an intent less sure than this is worth an editor's look, though the bot acted:
/// the head's thresholds sit lower, so the band between is where it most often guesses wrong.
pub(super) const LOW_CONFIDENCE_BELOW: f32 = 0.6;

/// A turn an editor should see: what went wrong, and the guide it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Miss {
    pub kind: MissKind,
    /// The guide being walked, for the misses about a guide.
    pub guide_id: Option<String>,
}

impl Miss {
    pub(super) fn of_message(kind: MissKind) -> Self {
        Self {
            kind,
            guide_id: None,
        }
    }
}

/// What the turn's handoff says about the guide that was being walked: its steps ran out, or
/// the customer needed a person before it was done. Written requests and call-backs are ways
/// out the customer chose, not a guide that failed them.
pub(super) fn of_the_guide(before: &DialogueState, turn: &Turn) -> Option<Miss> {
    let walk = before.walk.as_ref()?;
    let kind = match turn.handoff.as_ref()?.reason {
        HandoffReason::StepsExhausted => MissKind::StepsExhausted,
        HandoffReason::CustomerRequest
        | HandoffReason::Frustration
        | HandoffReason::NotUnderstood => MissKind::HandoffDuringGuide,
        HandoffReason::NeedsPerson
        | HandoffReason::BillingDispute
        | HandoffReason::CallbackRequest
        | HandoffReason::WrittenCancellation
        | HandoffReason::Withdrawal => return None,
    };
    Some(Miss {
        kind,
        guide_id: Some(walk.guide_id.clone()),
    })
}
