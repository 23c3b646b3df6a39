//! The two written ways of leaving, as every layer names them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::vocabulary::vocabulary;

vocabulary! {
    /// Which way out a written request takes.
    #[derive(Serialize, Deserialize, ToSchema)]
    #[serde(rename_all = "lowercase")]
    pub enum RequestKind {
        Cancellation = "cancellation",
        /// Withdrawing from a contract just made (ångerrätt).
        Withdrawal = "withdrawal",
    }
}

impl RequestKind {
    /// Reads a stored kind. Rows from before withdrawals existed are cancellations.
    pub fn from_stored(raw: &str) -> Self {
        Self::parse(raw).unwrap_or(Self::Cancellation)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::vocabulary::assert_names_round_trip;

    #[test]
    fn every_kind_reads_back_and_old_rows_are_cancellations() {
        assert_names_round_trip(RequestKind::ALL, RequestKind::as_str, RequestKind::parse);
        assert_eq!(RequestKind::from_stored(""), RequestKind::Cancellation);
    }
}
