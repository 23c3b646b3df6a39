use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The areas a customer can pick when the bot could not place their message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Topic {
    Broadband,
    Tv,
    Mobile,
    Billing,
}

impl Topic {
    pub const ALL: [Topic; 4] = [Self::Broadband, Self::Tv, Self::Mobile, Self::Billing];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Broadband => "broadband",
            Self::Tv => "tv",
            Self::Mobile => "mobile",
            Self::Billing => "billing",
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == raw)
    }

    /// The one area the things a message names belong to ("tv-boxen", "lampan är röd"):
    /// as good as a picked topic for routing a handoff when the model cannot name the
    /// problem. Things of two areas, or only things any area has (a lamp, an app, a
    /// password), name none.
    pub fn named_in(text: &str) -> Option<Self> {
        use crate::knowledge::subjects::Subject as S;
        let mut areas = crate::knowledge::subjects::named_in(text)
            .into_iter()
            .filter_map(|subject| match subject {
                S::FibreBox | S::Router | S::CableModem | S::PhoneJack | S::HomePhone => {
                    Some(Self::Broadband)
                }
                S::Wifi | S::Slow => Some(Self::Broadband),
                S::TvBox | S::Tv | S::Channel | S::Freezing => Some(Self::Tv),
                S::Esim | S::SimCard | S::PinCode | S::Coverage | S::Voicemail | S::Abroad => {
                    Some(Self::Mobile)
                }
                S::Invoice | S::Reminder | S::Payment => Some(Self::Billing),
                S::Phone
                | S::Email
                | S::App
                | S::Sound
                | S::NoSignal
                | S::Device
                | S::Lamp
                | S::Password
                | S::Outage
                | S::Moving => None,
            });
        let first = areas.next()?;
        areas.all(|area| area == first).then_some(first)
    }
}

/// What a customer can do by pressing a button instead of typing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Topic(Topic),
    WrittenCancellation,
    /// The written cancellation form, opened at its part for cancelling someone else's
    /// subscription (an estate's, as a guardian, with a power of attorney). Of the kind
    /// `written_cancellation`: a client that knows only kinds opens the same form.
    OnBehalfCancellation,
    /// The withdrawal form (ångerrätt): "Ångra avtalet här".
    Withdrawal,
    TalkToHuman,
    /// The step just shown fixed it.
    StepWorked,
    /// The step just shown did not help.
    StepFailed,
    /// The customer can't do the step just shown (no access to the router, say).
    StepSkipped,
    /// Told of an outage, the customer still wants to check their own equipment.
    TroubleshootAnyway,
    /// After the written path was offered mid-guide, the customer goes back to the step.
    ContinueTroubleshooting,
    /// While waiting for a person: be phoned instead. Clients show a form for the number and
    /// time window and send it to the call-back endpoint.
    RequestCallback,
    /// After a guide worked: take up the other problem the customer raised with the first.
    TakeUpLater,
}

impl Action {
    /// Every action there is, each topic once: what catalogues and tests walk.
    pub fn all() -> impl Iterator<Item = Action> {
        Topic::ALL.into_iter().map(Action::Topic).chain([
            Action::WrittenCancellation,
            Action::OnBehalfCancellation,
            Action::Withdrawal,
            Action::TalkToHuman,
            Action::StepWorked,
            Action::StepFailed,
            Action::StepSkipped,
            Action::TroubleshootAnyway,
            Action::ContinueTroubleshooting,
            Action::RequestCallback,
            Action::TakeUpLater,
        ])
    }

    /// Parses the `action` id a client sends back. Ids are stable: clients store them.
    pub fn parse(id: &str) -> Option<Self> {
        match id {
            "written_cancellation" => Some(Self::WrittenCancellation),
            "on_behalf_cancellation" => Some(Self::OnBehalfCancellation),
            "withdrawal" => Some(Self::Withdrawal),
            "talk_to_human" => Some(Self::TalkToHuman),
            "step_worked" => Some(Self::StepWorked),
            "step_failed" => Some(Self::StepFailed),
            "step_skipped" => Some(Self::StepSkipped),
            "troubleshoot_anyway" => Some(Self::TroubleshootAnyway),
            "continue_troubleshooting" => Some(Self::ContinueTroubleshooting),
            "request_callback" => Some(Self::RequestCallback),
            "take_up_later" => Some(Self::TakeUpLater),
            _ => id
                .strip_prefix("topic:")
                .and_then(Topic::parse)
                .map(Self::Topic),
        }
    }

    pub fn id(self) -> String {
        match self {
            Self::Topic(topic) => format!("topic:{}", topic.as_str()),
            Self::WrittenCancellation => "written_cancellation".to_owned(),
            Self::OnBehalfCancellation => "on_behalf_cancellation".to_owned(),
            Self::Withdrawal => "withdrawal".to_owned(),
            Self::TalkToHuman => "talk_to_human".to_owned(),
            Self::StepWorked => "step_worked".to_owned(),
            Self::StepFailed => "step_failed".to_owned(),
            Self::StepSkipped => "step_skipped".to_owned(),
            Self::TroubleshootAnyway => "troubleshoot_anyway".to_owned(),
            Self::ContinueTroubleshooting => "continue_troubleshooting".to_owned(),
            Self::RequestCallback => "request_callback".to_owned(),
            Self::TakeUpLater => "take_up_later".to_owned(),
        }
    }

    pub fn kind(self) -> ActionKind {
        match self {
            Self::Topic(_) => ActionKind::Topic,
            Self::WrittenCancellation | Self::OnBehalfCancellation => {
                ActionKind::WrittenCancellation
            }
            Self::Withdrawal => ActionKind::Withdrawal,
            Self::TalkToHuman => ActionKind::TalkToHuman,
            Self::StepWorked => ActionKind::StepWorked,
            Self::StepFailed => ActionKind::StepFailed,
            Self::StepSkipped => ActionKind::StepSkipped,
            Self::TroubleshootAnyway => ActionKind::TroubleshootAnyway,
            Self::ContinueTroubleshooting => ActionKind::ContinueTroubleshooting,
            Self::RequestCallback => ActionKind::RequestCallback,
            Self::TakeUpLater => ActionKind::TakeUpLater,
        }
    }
}

/// The contract's action kinds; clients decide how to draw a button from its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Topic,
    WrittenCancellation,
    Withdrawal,
    TalkToHuman,
    StepWorked,
    StepFailed,
    StepSkipped,
    TroubleshootAnyway,
    ContinueTroubleshooting,
    RequestCallback,
    TakeUpLater,
}

/// A button attached to a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ActionButton {
    pub id: String,
    pub kind: ActionKind,
    pub label: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_things_named_give_one_area_or_none() {
        for (text, area) in [
            ("tvboxen startar inte, lampan är röd", Some(Topic::Tv)),
            (
                "kan någon ringa mig? tv:n har slutat visa kanalerna",
                Some(Topic::Tv),
            ),
            ("the reminder fee on my invoice", Some(Topic::Billing)),
            ("fiberdosan och routern är döda", Some(Topic::Broadband)),
            ("nya simkortet vill ha en pin", Some(Topic::Mobile)),
            ("fakturan för tv:n", None),
            ("lampan lyser rött", None),
            ("kan någon ringa mig", None),
        ] {
            assert_eq!(Topic::named_in(text), area, "{text}");
        }
    }

    #[test]
    fn every_action_id_parses_back_to_itself() {
        for action in Action::all() {
            assert_eq!(Action::parse(&action.id()), Some(action));
        }
        assert_eq!(Action::parse("topic:weather"), None);
        assert_eq!(Action::parse(""), None);
    }
}
