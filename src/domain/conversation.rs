//! The vocabulary of a conversation: who answers it now, and who wrote a message.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::vocabulary::vocabulary;

vocabulary! {
    /// Who is answering the conversation right now.
    #[derive(Serialize, Deserialize, ToSchema)]
    #[serde(rename_all = "lowercase")]
    pub enum ConversationStatus {
        /// The bot answers.
        Bot = "bot",
        /// Waiting for a human agent; the bot stays quiet.
        Queued = "queued",
        /// A human agent holds the conversation.
        Agent = "agent",
        Closed = "closed",
    }
}

vocabulary! {
    /// Who wrote a message.
    #[derive(Serialize, Deserialize, ToSchema)]
    #[serde(rename_all = "lowercase")]
    pub enum Role {
        Customer = "customer",
        Bot = "bot",
        Agent = "agent",
        System = "system",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::vocabulary::assert_names_round_trip;

    #[test]
    fn names_read_back_and_match_serde() {
        assert_names_round_trip(
            ConversationStatus::ALL,
            ConversationStatus::as_str,
            ConversationStatus::parse,
        );
        assert_names_round_trip(Role::ALL, Role::as_str, Role::parse);
    }
}
