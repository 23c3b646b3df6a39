//! The vocabulary of the editors' review inbox: why a turn is in it, and what became of it.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::vocabulary::vocabulary;

vocabulary! {
    /// Why a customer's message is in the review inbox: a turn the bot handled badly.
    #[derive(Serialize, Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum MissKind {
        /// The bot could not place the message and asked again (or, twice in a row, brought
        /// in a person).
        NotUnderstood = "not_understood",
        /// The bot acted on an intent it was only just sure enough of.
        LowConfidence = "low_confidence",
        /// The bot said the message is outside what it helps with: right for the weather,
        /// wrong for a telecom question in words it has not learnt.
        OutsideArea = "outside_area",
        /// A guide's steps ran out without one working; the message is the one that opened
        /// the guide.
        StepsExhausted = "steps_exhausted",
        /// A person was brought in while a guide was being walked; the message is the one
        /// that opened the guide.
        HandoffDuringGuide = "handoff_during_guide",
    }
}

vocabulary! {
    /// Where an item of the review inbox stands.
    #[derive(Serialize, Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum ReviewStatus {
        /// Waiting for an editor.
        Open = "open",
        /// An editor looked and found nothing to teach.
        Dismissed = "dismissed",
        /// An editor taught the bot from it.
        Taught = "taught",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::vocabulary::assert_names_round_trip;

    #[test]
    fn names_read_back_and_match_serde() {
        assert_names_round_trip(MissKind::ALL, MissKind::as_str, MissKind::parse);
        assert_names_round_trip(ReviewStatus::ALL, ReviewStatus::as_str, ReviewStatus::parse);
    }
}
