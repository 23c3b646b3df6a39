//! The two written ways of leaving, as every layer names them.

/// Which way out a written request takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    Cancellation,
    /// Withdrawing from a contract just made (ångerrätt).
    Withdrawal,
}

impl RequestKind {
    /// As stored and sent: `cancellation` or `withdrawal`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cancellation => "cancellation",
            Self::Withdrawal => "withdrawal",
        }
    }

    /// Reads a stored kind. Rows from before withdrawals existed are cancellations.
    pub fn from_stored(raw: &str) -> Self {
        if raw == Self::Withdrawal.as_str() {
            Self::Withdrawal
        } else {
            Self::Cancellation
        }
    }
}
