use serde::{Deserialize, Serialize};

use super::{Action, ActionButton, ConversationStatus, DialogueState, Replies, Topic};
use crate::domain::Locale;

/// What the customer sent in one turn.
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    Text(&'a str),
    Action(Action),
}

/// Who speaks a reply: the bot answers, `System` is for notices about the conversation itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReplyRole {
    Bot,
    System,
}

/// One message the engine wants to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub role: ReplyRole,
    pub text: String,
    pub actions: Vec<ActionButton>,
}

/// The human queues a conversation can be handed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Queue {
    Technical,
    Billing,
    Cancellation,
    General,
}

impl Queue {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Technical => "technical",
            Self::Billing => "billing",
            Self::Cancellation => "cancellation",
            Self::General => "general",
        }
    }

    /// Billing questions go to billing, everything technical to technical: the customer is
    /// never sent to "the wrong department".
    fn for_topic(topic: Option<Topic>) -> Self {
        match topic {
            Some(Topic::Billing) => Self::Billing,
            Some(Topic::Broadband | Topic::Tv | Topic::Mobile) => Self::Technical,
            None => Self::General,
        }
    }
}

/// A request to put the conversation in front of a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandoffRequest {
    pub queue: Queue,
    /// A stable machine-readable reason, such as `customer_request`.
    pub reason: &'static str,
}

/// The outcome of one turn: what to send, and what to remember.
#[derive(Debug, Clone, PartialEq)]
pub struct Turn {
    pub replies: Vec<Reply>,
    pub state: DialogueState,
    pub status: ConversationStatus,
    pub handoff: Option<HandoffRequest>,
}

/// Decides Felsök's answers. Cheap to clone and free of I/O.
#[derive(Debug, Clone, Default)]
pub struct Engine {
    replies: Replies,
}

impl Engine {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn replies(&self) -> &Replies {
        &self.replies
    }

    /// The first message of every conversation.
    pub fn greeting(&self, locale: Locale) -> Vec<Reply> {
        vec![self.bot(self.replies.greeting(locale), self.menu(locale, false))]
    }

    pub fn respond(
        &self,
        locale: Locale,
        status: ConversationStatus,
        state: &DialogueState,
        input: Input<'_>,
    ) -> Turn {
        let mut turn = Turn {
            replies: Vec::new(),
            state: state.clone(),
            status,
            handoff: None,
        };
        let with_a_person = matches!(
            status,
            ConversationStatus::Queued | ConversationStatus::Agent
        );
        match input {
            Input::Action(Action::WrittenCancellation) => {
                let actions = vec![
                    self.replies.button(locale, Action::WrittenCancellation),
                    self.replies.button(locale, Action::TalkToHuman),
                ];
                turn.replies
                    .push(self.bot(self.replies.written_cancellation(locale), actions));
            }
            // While a person has the conversation the bot keeps quiet: the agent reads what
            // the customer writes, and a bot chiming in would only confuse.
            Input::Text(_) if with_a_person => {}
            Input::Action(_) if with_a_person => {
                let text = self.replies.already_with_a_person(locale);
                turn.replies.push(self.system(text));
            }
            Input::Action(Action::TalkToHuman) => {
                turn.replies
                    .push(self.bot(self.replies.handing_over(locale), Vec::new()));
                turn.status = ConversationStatus::Queued;
                turn.handoff = Some(HandoffRequest {
                    queue: Queue::for_topic(state.topic),
                    reason: "customer_request",
                });
                turn.state.unplaced_in_a_row = 0;
            }
            Input::Action(Action::Topic(topic)) => {
                turn.state.topic = Some(topic);
                turn.state.unplaced_in_a_row = 0;
                let actions = vec![self.replies.button(locale, Action::TalkToHuman)];
                turn.replies
                    .push(self.bot(self.replies.topic_prompt(locale, topic), actions));
            }
            Input::Text(_) => {
                turn.state.unplaced_in_a_row = state.unplaced_in_a_row.saturating_add(1);
                let repeated = turn.state.unplaced_in_a_row >= 2;
                let text = if repeated {
                    self.replies.still_not_understood(locale)
                } else {
                    self.replies.not_understood(locale)
                };
                turn.replies
                    .push(self.bot(text, self.menu(locale, repeated)));
            }
        }
        turn
    }

    /// The topic menu. After repeated misunderstandings a person is offered first.
    fn menu(&self, locale: Locale, person_first: bool) -> Vec<ActionButton> {
        let topics = Topic::ALL.map(Action::Topic);
        let tail = [Action::WrittenCancellation, Action::TalkToHuman];
        let ordered: Vec<Action> = if person_first {
            std::iter::once(Action::TalkToHuman)
                .chain(topics)
                .chain([Action::WrittenCancellation])
                .collect()
        } else {
            topics.into_iter().chain(tail).collect()
        };
        ordered
            .into_iter()
            .map(|a| self.replies.button(locale, a))
            .collect()
    }

    fn bot(&self, text: &str, actions: Vec<ActionButton>) -> Reply {
        Reply {
            role: ReplyRole::Bot,
            text: text.to_owned(),
            actions,
        }
    }

    fn system(&self, text: &str) -> Reply {
        Reply {
            role: ReplyRole::System,
            text: text.to_owned(),
            actions: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialogue::ActionKind;

    fn engine() -> Engine {
        Engine::new()
    }

    fn kinds(reply: &Reply) -> Vec<ActionKind> {
        reply.actions.iter().map(|a| a.kind).collect()
    }

    #[test]
    fn greeting_is_in_the_conversation_language_and_offers_every_topic() {
        let sv = engine().greeting(Locale::Sv);
        assert!(sv[0].text.starts_with("Hej!"));
        let en = engine().greeting(Locale::En);
        assert!(en[0].text.starts_with("Hi!"));
        assert!(kinds(&sv[0]).contains(&ActionKind::WrittenCancellation));
        assert!(kinds(&sv[0]).contains(&ActionKind::TalkToHuman));
        assert_eq!(
            kinds(&sv[0])
                .iter()
                .filter(|k| **k == ActionKind::Topic)
                .count(),
            4
        );
    }

    #[test]
    fn unplaced_text_gets_an_apology_and_topic_buttons() {
        let turn = engine().respond(
            Locale::Sv,
            ConversationStatus::Bot,
            &DialogueState::default(),
            Input::Text("blorp"),
        );
        assert_eq!(turn.replies.len(), 1);
        assert!(turn.replies[0].text.starts_with("Förlåt"));
        assert_eq!(turn.replies[0].actions[0].id, "topic:broadband");
        assert_eq!(turn.state.unplaced_in_a_row, 1);
    }

    #[test]
    fn a_second_unplaced_text_in_a_row_offers_a_person_first() {
        let state = DialogueState {
            unplaced_in_a_row: 1,
            ..Default::default()
        };
        let turn = engine().respond(
            Locale::En,
            ConversationStatus::Bot,
            &state,
            Input::Text("blorp"),
        );
        assert_eq!(turn.replies[0].actions[0].kind, ActionKind::TalkToHuman);
        assert!(turn.replies[0].text.contains("colleague"));
    }

    #[test]
    fn picking_a_topic_remembers_it_and_routes_a_later_handoff() {
        let e = engine();
        let billing = e.respond(
            Locale::Sv,
            ConversationStatus::Bot,
            &DialogueState::default(),
            Input::Action(Action::Topic(Topic::Billing)),
        );
        assert_eq!(billing.state.topic, Some(Topic::Billing));
        let handoff = e.respond(
            Locale::Sv,
            ConversationStatus::Bot,
            &billing.state,
            Input::Action(Action::TalkToHuman),
        );
        assert_eq!(handoff.status, ConversationStatus::Queued);
        assert_eq!(
            handoff.handoff,
            Some(HandoffRequest {
                queue: Queue::Billing,
                reason: "customer_request"
            })
        );
    }

    #[test]
    fn the_bot_is_silent_on_text_while_a_person_has_the_conversation() {
        for status in [ConversationStatus::Queued, ConversationStatus::Agent] {
            let turn = engine().respond(
                Locale::Sv,
                status,
                &DialogueState::default(),
                Input::Text("hallå?"),
            );
            assert!(turn.replies.is_empty());
            assert_eq!(turn.status, status);
        }
    }

    #[test]
    fn written_cancellation_is_answered_in_every_status() {
        for status in [
            ConversationStatus::Bot,
            ConversationStatus::Queued,
            ConversationStatus::Agent,
        ] {
            let turn = engine().respond(
                Locale::Sv,
                status,
                &DialogueState::default(),
                Input::Action(Action::WrittenCancellation),
            );
            assert_eq!(
                turn.replies[0].actions[0].kind,
                ActionKind::WrittenCancellation
            );
        }
    }
}
