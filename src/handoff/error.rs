use crate::conversation::ConversationError;
use crate::domain::FieldError;
use crate::storage::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum HandoffError {
    #[error("no such handoff")]
    NotFound,
    #[error("{0}")]
    Conflict(HandoffConflict),
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Conversation(#[from] ConversationError),
}

impl From<HandoffConflict> for HandoffError {
    fn from(conflict: HandoffConflict) -> Self {
        Self::Conflict(conflict)
    }
}

impl From<StoreError> for HandoffError {
    fn from(error: StoreError) -> Self {
        Self::Conversation(error.into())
    }
}

/// Why a handoff cannot do what was asked in its present state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HandoffConflict {
    #[error("Another agent has already claimed this handoff.")]
    AlreadyClaimed,
    #[error("This handoff is already resolved.")]
    AlreadyResolved,
    #[error("Claim this handoff before answering or resolving it.")]
    NotClaimed,
    #[error("Another agent holds this handoff.")]
    HeldByAnother,
}

impl HandoffConflict {
    pub fn code(self) -> &'static str {
        match self {
            Self::AlreadyClaimed => "already_claimed",
            Self::AlreadyResolved => "already_resolved",
            Self::NotClaimed => "not_claimed",
            Self::HeldByAnother => "held_by_another_agent",
        }
    }
}
