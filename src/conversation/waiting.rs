//! What a waiting customer is told about the queue: their place in it and, when recent
//! history allows, how long it has lately taken. Never a promise made up.

use serde::Serialize;
use utoipa::ToSchema;

use crate::storage::QueueStanding;

/// A customer's place in the queue for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Waiting {
    pub queue: String,
    /// 1 is next.
    pub position: u32,
    /// The median wait of the latest customers in this queue, in whole minutes; absent when
    /// there are too few of them to say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimated_wait_minutes: Option<u32>,
}

/// Fewer waits than this say too little to estimate from.
const MIN_SAMPLES: usize = 3;

/// The middle value (the mean of the two middle ones for an even count); `None` for none.
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    Some(if sorted.len().is_multiple_of(2) {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    })
}

/// The median of recent waits, rounded up to whole minutes, at least one.
pub fn estimate_minutes(waits: &[f64]) -> Option<u32> {
    if waits.len() < MIN_SAMPLES {
        return None;
    }
    median(waits).map(|m| ((m / 60.0).ceil() as u32).max(1))
}

impl From<QueueStanding> for Waiting {
    fn from(standing: QueueStanding) -> Self {
        Self {
            estimated_wait_minutes: estimate_minutes(&standing.recent_waits),
            queue: standing.queue,
            position: u32::try_from(standing.position.max(1)).unwrap_or(u32::MAX),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
    }

    #[test]
    fn no_estimate_without_enough_history() {
        assert_eq!(estimate_minutes(&[]), None);
        assert_eq!(estimate_minutes(&[30.0, 90.0]), None);
    }

    #[test]
    fn the_estimate_is_the_median_rounded_up_to_minutes() {
        assert_eq!(estimate_minutes(&[30.0, 400.0, 61.0]), Some(2));
        assert_eq!(estimate_minutes(&[5.0, 5.0, 5.0, 9000.0]), Some(1));
        assert_eq!(estimate_minutes(&[600.0, 660.0, 720.0, 780.0]), Some(12));
    }
}
