//! Timestamps as the service stores and sends them.
//!
//! Every time is UTC with exactly six fractional digits, so the text form sorts the same way as
//! the instant it names. That lets both SQLite and PostgreSQL keep times as plain `TEXT` and
//! order or compare them without engine-specific date types.

use serde::{Deserialize, Serialize};
use time::format_description::FormatItem;
use time::macros::format_description;
use time::OffsetDateTime;

const FORMAT: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

/// An instant in UTC, serialised as RFC 3339 with microseconds (`2026-11-23T13:35:33.123456Z`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Timestamp(OffsetDateTime);

impl Timestamp {
    pub fn now() -> Self {
        let now = OffsetDateTime::now_utc();
        // Truncate to what the text form keeps, so a value read back equals the one written.
        let micros = now.microsecond();
        Self(
            now.replace_microsecond(micros)
                .expect("microsecond is in range"),
        )
    }

    pub fn parse(text: &str) -> Result<Self, time::error::Parse> {
        let parsed = OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)?;
        Ok(Self(parsed.to_offset(time::UtcOffset::UTC)))
    }

    pub fn as_offset_date_time(&self) -> OffsetDateTime {
        self.0
    }

    /// A short human form for transcripts: `2026-11-23 13:35 UTC`.
    pub fn to_minute_string(&self) -> String {
        let format = format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
        self.0.format(&format).expect("a UTC time always formats")
    }
}

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.format(&FORMAT).expect("a UTC time always formats"))
    }
}

impl From<Timestamp> for String {
    fn from(value: Timestamp) -> Self {
        value.to_string()
    }
}

impl TryFrom<String> for Timestamp {
    type Error = time::error::Parse;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_form_round_trips_and_sorts_like_the_instant() {
        let a = Timestamp::now();
        let b = Timestamp(a.0 + time::Duration::microseconds(1));
        assert_eq!(Timestamp::parse(&a.to_string()).unwrap(), a);
        assert!(a.to_string() < b.to_string());
        assert!(a.to_string().ends_with('Z'));
        assert_eq!(a.to_string().len(), "2026-11-23T13:35:33.123456Z".len());
    }

    #[test]
    fn other_offsets_are_read_as_utc() {
        let t = Timestamp::parse("2026-11-23T14:35:33+01:00").unwrap();
        assert_eq!(t.to_string(), "2026-11-23T13:35:33.000000Z");
    }
}
