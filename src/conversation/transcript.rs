//! The conversation as a document the customer keeps as evidence of what they were told.

use serde::Serialize;
use utoipa::ToSchema;

use super::{ConversationView, Message, Role};
use crate::dialogue::ConversationStatus;
use crate::domain::Locale;

/// Words of the plain-text transcript in the conversation's language.
pub struct TranscriptLabels {
    title: &'static str,
    conversation: &'static str,
    started: &'static str,
    customer: &'static str,
    bot: &'static str,
    agent: &'static str,
    system: &'static str,
    buttons: &'static str,
    footer: &'static str,
}

impl TranscriptLabels {
    pub fn for_locale(locale: Locale) -> &'static Self {
        const SV: TranscriptLabels = TranscriptLabels {
            title: "Felsök – utskrift av chatten",
            conversation: "Konversation",
            started: "Startad",
            customer: "Du",
            bot: "Felsök (chattassistent)",
            agent: "Kundtjänst",
            system: "Meddelande",
            buttons: "Val som visades",
            footer: "Alla tider är i UTC. Spara filen om du vill kunna visa vad som sades.",
        };
        const EN: TranscriptLabels = TranscriptLabels {
            title: "Felsök – chat transcript",
            conversation: "Conversation",
            started: "Started",
            customer: "You",
            bot: "Felsök (chat assistant)",
            agent: "Customer service",
            system: "Notice",
            buttons: "Options shown",
            footer: "All times are UTC. Keep this file if you want to show what was said.",
        };
        match locale {
            Locale::Sv => &SV,
            Locale::En => &EN,
        }
    }

    fn speaker(&self, role: Role) -> &'static str {
        match role {
            Role::Customer => self.customer,
            Role::Bot => self.bot,
            Role::Agent => self.agent,
            Role::System => self.system,
        }
    }
}

/// The JSON form of a transcript.
#[derive(Debug, Serialize, ToSchema)]
pub struct Transcript {
    pub conversation_id: String,
    pub locale: Locale,
    #[schema(value_type = String)]
    pub status: ConversationStatus,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: crate::timestamp::Timestamp,
    pub messages: Vec<Message>,
}

impl From<ConversationView> for Transcript {
    fn from(view: ConversationView) -> Self {
        Self {
            conversation_id: view.conversation_id,
            locale: view.locale,
            status: view.status,
            created_at: view.created_at,
            messages: view.messages,
        }
    }
}

impl Transcript {
    /// A plain-text rendering that reads well in any text editor or printed.
    pub fn to_text(&self) -> String {
        let labels = TranscriptLabels::for_locale(self.locale);
        let mut out = String::new();
        out.push_str(labels.title);
        out.push('\n');
        out.push_str(&format!(
            "{}: {}\n",
            labels.conversation, self.conversation_id
        ));
        out.push_str(&format!(
            "{}: {}\n\n",
            labels.started,
            self.created_at.to_minute_string()
        ));
        for message in &self.messages {
            out.push_str(&format!(
                "[{}] {}:\n",
                message.created_at.to_minute_string(),
                labels.speaker(message.role)
            ));
            for line in message.text.lines() {
                out.push_str("  ");
                out.push_str(line);
                out.push('\n');
            }
            if !message.actions.is_empty() {
                let options: Vec<&str> = message.actions.iter().map(|a| a.label.as_str()).collect();
                out.push_str(&format!(
                    "  ({}: {})\n",
                    labels.buttons,
                    options.join(" · ")
                ));
            }
            out.push('\n');
        }
        out.push_str(labels.footer);
        out.push('\n');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialogue::{ActionButton, ActionKind};
    use crate::timestamp::Timestamp;

    #[test]
    fn text_transcript_names_speakers_in_the_conversation_language() {
        let at = Timestamp::parse("2026-11-23T13:35:00Z").unwrap();
        let transcript = Transcript {
            conversation_id: "c1".into(),
            locale: Locale::Sv,
            status: ConversationStatus::Bot,
            created_at: at,
            messages: vec![
                Message {
                    id: "m1".into(),
                    role: Role::Bot,
                    text: "Hej!\nVad krånglar?".into(),
                    created_at: at,
                    actions: vec![ActionButton {
                        id: "talk_to_human".into(),
                        kind: ActionKind::TalkToHuman,
                        label: "Prata med en människa".into(),
                    }],
                    intent: None,
                    guide_step: None,
                },
                Message {
                    id: "m2".into(),
                    role: Role::Customer,
                    text: "Nätet är nere".into(),
                    created_at: at,
                    actions: vec![],
                    intent: None,
                    guide_step: None,
                },
            ],
        };
        let text = transcript.to_text();
        assert!(text.contains(
            "[2026-11-23 13:35 UTC] Felsök (chattassistent):\n  Hej!\n  Vad krånglar?\n"
        ));
        assert!(text.contains("(Val som visades: Prata med en människa)"));
        assert!(text.contains("Du:\n  Nätet är nere"));
    }
}
