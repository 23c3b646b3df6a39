use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The human queues a conversation can be handed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Queue {
    Technical,
    Billing,
    Cancellation,
    General,
}

impl Queue {
    pub const ALL: [Queue; 4] = [
        Self::Technical,
        Self::Billing,
        Self::Cancellation,
        Self::General,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Technical => "technical",
            Self::Billing => "billing",
            Self::Cancellation => "cancellation",
            Self::General => "general",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|queue| queue.as_str() == raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_queue_reads_back_from_its_name() {
        for queue in Queue::ALL {
            assert_eq!(Queue::parse(queue.as_str()), Some(queue));
        }
        assert_eq!(Queue::parse("Technical"), None);
    }
}
