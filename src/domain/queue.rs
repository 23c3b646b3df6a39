use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::vocabulary::vocabulary;

vocabulary! {
    /// The human queues a conversation can be handed to.
    #[derive(Serialize, Deserialize, ToSchema)]
    #[serde(rename_all = "lowercase")]
    pub enum Queue {
        Technical = "technical",
        Billing = "billing",
        Cancellation = "cancellation",
        General = "general",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::vocabulary::assert_names_round_trip;

    #[test]
    fn every_queue_reads_back_from_its_name() {
        assert_names_round_trip(Queue::ALL, Queue::as_str, Queue::parse);
        assert_eq!(Queue::parse("Technical"), None);
    }
}
