//! What a customer's message is about: the classifier's labels as one vocabulary.
//!
//! The intent head is trained on these names and checked against them when it loads, so
//! every other module can match on the enum instead of on strings that might drift apart.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Locale, Queue};

/// Every intent the classifier knows. The wire and the stored values are the snake_case
/// names, unchanged.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    BroadbandDown,
    BroadbandSlow,
    WifiProblem,
    TvProblem,
    MobileCoverage,
    MobileData,
    SimPinPuk,
    EmailLogin,
    VoipLandline,
    OutageStatus,
    InvoiceQuestion,
    PaymentMethod,
    Compensation,
    MoveAddress,
    ChangeSubscription,
    CancelSubscription,
    Complaint,
    CaseStatus,
    TalkToHuman,
    Greeting,
    ThanksGoodbye,
    OutOfScope,
    UnclearProblem,
}

/// The name a caller asked for is not an intent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown intent {0:?}")]
pub struct UnknownIntent(pub String);

impl Intent {
    pub const ALL: [Intent; 23] = [
        Self::BroadbandDown,
        Self::BroadbandSlow,
        Self::WifiProblem,
        Self::TvProblem,
        Self::MobileCoverage,
        Self::MobileData,
        Self::SimPinPuk,
        Self::EmailLogin,
        Self::VoipLandline,
        Self::OutageStatus,
        Self::InvoiceQuestion,
        Self::PaymentMethod,
        Self::Compensation,
        Self::MoveAddress,
        Self::ChangeSubscription,
        Self::CancelSubscription,
        Self::Complaint,
        Self::CaseStatus,
        Self::TalkToHuman,
        Self::Greeting,
        Self::ThanksGoodbye,
        Self::OutOfScope,
        Self::UnclearProblem,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::BroadbandDown => "broadband_down",
            Self::BroadbandSlow => "broadband_slow",
            Self::WifiProblem => "wifi_problem",
            Self::TvProblem => "tv_problem",
            Self::MobileCoverage => "mobile_coverage",
            Self::MobileData => "mobile_data",
            Self::SimPinPuk => "sim_pin_puk",
            Self::EmailLogin => "email_login",
            Self::VoipLandline => "voip_landline",
            Self::OutageStatus => "outage_status",
            Self::InvoiceQuestion => "invoice_question",
            Self::PaymentMethod => "payment_method",
            Self::Compensation => "compensation",
            Self::MoveAddress => "move_address",
            Self::ChangeSubscription => "change_subscription",
            Self::CancelSubscription => "cancel_subscription",
            Self::Complaint => "complaint",
            Self::CaseStatus => "case_status",
            Self::TalkToHuman => "talk_to_human",
            Self::Greeting => "greeting",
            Self::ThanksGoodbye => "thanks_goodbye",
            Self::OutOfScope => "out_of_scope",
            Self::UnclearProblem => "unclear_problem",
        }
    }

    /// The names of `ALL`, in its order, for the places that speak in names (guide files,
    /// training data).
    pub const NAMES: [&'static str; 23] = {
        let mut names = [""; 23];
        let mut i = 0;
        while i < names.len() {
            names[i] = Self::ALL[i].as_str();
            i += 1;
        }
        names
    };

    pub fn parse(raw: &str) -> Result<Self, UnknownIntent> {
        Self::ALL
            .into_iter()
            .find(|intent| intent.as_str() == raw)
            .ok_or_else(|| UnknownIntent(raw.to_owned()))
    }

    /// The queue a person who takes the case over works in: the customer is never sent to
    /// "the wrong department". `None` for small talk and for asking for a person, which say
    /// nothing about the case.
    pub fn queue(self) -> Option<Queue> {
        match self {
            Self::InvoiceQuestion | Self::PaymentMethod | Self::Compensation => {
                Some(Queue::Billing)
            }
            Self::CancelSubscription => Some(Queue::Cancellation),
            Self::BroadbandDown
            | Self::BroadbandSlow
            | Self::WifiProblem
            | Self::TvProblem
            | Self::MobileCoverage
            | Self::MobileData
            | Self::SimPinPuk
            | Self::EmailLogin
            | Self::VoipLandline
            | Self::OutageStatus
            | Self::CaseStatus => Some(Queue::Technical),
            Self::MoveAddress | Self::ChangeSubscription | Self::Complaint => Some(Queue::General),
            Self::TalkToHuman
            | Self::Greeting
            | Self::ThanksGoodbye
            | Self::OutOfScope
            | Self::UnclearProblem => None,
        }
    }

    /// Whether the intent names something to fix or look into, as opposed to small talk or
    /// asking for a person.
    pub fn is_problem(self) -> bool {
        !matches!(
            self,
            Self::Greeting
                | Self::ThanksGoodbye
                | Self::OutOfScope
                | Self::UnclearProblem
                | Self::TalkToHuman
        )
    }

    /// What the intent is about, as an agent would put it.
    pub fn label(self, locale: Locale) -> &'static str {
        let (sv, en) = match self {
            Self::BroadbandDown => ("internet fungerar inte", "internet not working"),
            Self::BroadbandSlow => ("långsamt internet", "slow internet"),
            Self::WifiProblem => ("wifi", "Wi-Fi"),
            Self::TvProblem => ("tv", "TV"),
            Self::MobileCoverage => ("mobiltäckning", "mobile coverage"),
            Self::MobileData => ("mobildata", "mobile data"),
            Self::SimPinPuk => ("SIM, PIN eller PUK", "SIM, PIN or PUK"),
            Self::EmailLogin => ("e-post", "e-mail"),
            Self::VoipLandline => ("fast telefoni", "landline"),
            Self::OutageStatus => ("driftstörning", "outage"),
            Self::InvoiceQuestion => ("faktura", "invoice"),
            Self::PaymentMethod => ("betalsätt", "payment method"),
            Self::Compensation => ("ersättning", "compensation"),
            Self::MoveAddress => ("flytt", "moving"),
            Self::ChangeSubscription => ("ändra abonnemang", "changing subscription"),
            Self::CancelSubscription => ("uppsägning", "cancellation"),
            Self::Complaint => ("klagomål", "complaint"),
            Self::CaseStatus => ("status på ärende", "case status"),
            Self::TalkToHuman => ("vill prata med en person", "wants a person"),
            Self::Greeting => ("hälsning", "greeting"),
            Self::ThanksGoodbye => ("tack och hej", "thanks and goodbye"),
            Self::OutOfScope => ("utanför vårt område", "out of scope"),
            Self::UnclearProblem => ("oklart", "unclear"),
        };
        match locale {
            Locale::Sv => sv,
            Locale::En => en,
        }
    }
}

/// Reading intents back from stored state: a name that has left the vocabulary since (an
/// intent retired in a later release) reads as none, so the rest of the state still loads.
pub mod intent_serde {
    use serde::{Deserialize, Deserializer};

    use super::Intent;

    pub fn known_or_none<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Intent>, D::Error> {
        let raw: Option<String> = Option::deserialize(d)?;
        Ok(raw.and_then(|name| Intent::parse(&name).ok()))
    }

    pub fn known_ranking<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(Intent, f32)>, D::Error> {
        let raw: Vec<(String, f32)> = Vec::deserialize(d)?;
        Ok(raw
            .into_iter()
            .filter_map(|(name, p)| Intent::parse(&name).ok().map(|i| (i, p)))
            .collect())
    }
}

impl std::fmt::Display for Intent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_intent_reads_back_from_its_name_and_serialises_as_it() {
        for intent in Intent::ALL {
            assert_eq!(Intent::parse(intent.as_str()), Ok(intent));
            assert_eq!(
                serde_json::to_value(intent).unwrap(),
                serde_json::json!(intent.as_str())
            );
        }
        assert_eq!(
            Intent::parse("Greeting"),
            Err(UnknownIntent("Greeting".into()))
        );
    }

    #[test]
    fn the_names_are_the_ones_the_training_data_has() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models/training");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| {
                let name = e.unwrap().file_name().into_string().unwrap();
                name.strip_suffix(".txt").map(str::to_owned)
            })
            .collect();
        files.sort();
        let mut names: Vec<&str> = Intent::ALL.iter().map(|i| i.as_str()).collect();
        names.sort_unstable();
        assert_eq!(files, names);
    }

    #[test]
    fn small_talk_is_no_problem_and_goes_to_no_queue_of_its_own() {
        for intent in Intent::ALL {
            if intent.queue().is_some() {
                assert!(intent.is_problem(), "{intent}");
            }
        }
        assert!(!Intent::Greeting.is_problem());
        assert_eq!(Intent::Greeting.queue(), None);
        assert_eq!(Intent::Compensation.queue(), Some(Queue::Billing));
    }

    #[test]
    fn every_intent_has_a_label_in_both_languages() {
        for intent in Intent::ALL {
            for locale in [Locale::Sv, Locale::En] {
                assert!(!intent.label(locale).is_empty(), "{intent}");
            }
        }
    }
}
