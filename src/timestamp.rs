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

/// The months as Swedish replies name them, January first.
pub const SWEDISH_MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
];
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

    /// This instant moved `by` into the future.
    pub fn plus(&self, by: std::time::Duration) -> Self {
        Self(self.0 + by)
    }

    /// This instant moved `by` into the past.
    pub fn minus(&self, by: std::time::Duration) -> Self {
        Self(self.0 - by)
    }

    /// Seconds from `earlier` to this moment; negative if `earlier` is later.
    pub fn seconds_since(&self, earlier: Timestamp) -> f64 {
        (self.as_offset_date_time() - earlier.as_offset_date_time()).as_seconds_f64()
    }

    /// A short human form for transcripts: `2026-11-23 13:35 UTC`.
    pub fn to_minute_string(&self) -> String {
        let format = format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
        self.0.format(&format).expect("a UTC time always formats")
    }
}

impl Timestamp {
    /// Swedish wall-clock time (CET, or CEST from the last Sunday of March to the last Sunday
    /// of October, switching at 01:00 UTC), as customers read times.
    fn in_sweden(&self) -> OffsetDateTime {
        let utc = self.0;
        let last_sunday = |month: time::Month| {
            let year = utc.year();
            let mut day = time::Date::from_calendar_date(year, month, 31)
                .expect("March and October have 31 days");
            while day.weekday() != time::Weekday::Sunday {
                day = day.previous_day().expect("late in the month");
            }
            day.with_hms(1, 0, 0).expect("01:00 exists").assume_utc()
        };
        let summer =
            utc >= last_sunday(time::Month::March) && utc < last_sunday(time::Month::October);
        let hours = if summer { 2 } else { 1 };
        utc.to_offset(time::UtcOffset::from_hms(hours, 0, 0).expect("a valid offset"))
    }

    /// The instant a calendar day begins in Sweden (00:00 CET or CEST).
    pub fn start_of_swedish_day(day: time::Date) -> Self {
        let midnight_utc = day.midnight().assume_utc();
        [2, 1]
            .into_iter()
            .map(|hours| Self(midnight_utc - time::Duration::hours(hours)))
            .find(|t| t.in_sweden().date() == day && t.in_sweden().hour() == 0)
            .unwrap_or(Self(midnight_utc - time::Duration::hours(1)))
    }

    /// The calendar date in Sweden at this instant: what "today" means to a customer.
    pub fn swedish_date(&self) -> time::Date {
        self.in_sweden().date()
    }

    /// "1 december 2026 kl. 09.00 (svensk tid)", for receipts that are kept for years.
    pub fn to_receipt_phrase(&self, locale: crate::domain::Locale) -> String {
        let year = self.in_sweden().year();
        let phrase = self.to_local_phrase(locale);
        match locale {
            crate::domain::Locale::Sv => {
                phrase.replacen(" kl.", &format!(" {year} kl."), 1) + " (svensk tid)"
            }
            crate::domain::Locale::En => {
                phrase.replacen(" at", &format!(" {year} at"), 1) + " (Swedish time)"
            }
        }
    }

    /// A time window as customers read it, in Swedish time: "den 2 december mellan kl. 14.00
    /// och 16.00", or with both dates when it spans midnight.
    pub fn window_phrase(&self, until: Timestamp, locale: crate::domain::Locale) -> String {
        let (start, end) = (self.in_sweden(), until.in_sweden());
        if start.date() != end.date() {
            return match locale {
                crate::domain::Locale::Sv => format!(
                    "mellan {} och {}",
                    self.to_local_phrase(locale),
                    until.to_local_phrase(locale)
                ),
                crate::domain::Locale::En => format!(
                    "between {} and {}",
                    self.to_local_phrase(locale),
                    until.to_local_phrase(locale)
                ),
            };
        }
        let day = self.to_local_phrase(locale);
        let date = day
            .split(match locale {
                crate::domain::Locale::Sv => " kl.",
                crate::domain::Locale::En => " at",
            })
            .next()
            .unwrap_or_default();
        match locale {
            crate::domain::Locale::Sv => format!(
                "den {date} mellan kl. {:02}.{:02} och {:02}.{:02}",
                start.hour(),
                start.minute(),
                end.hour(),
                end.minute()
            ),
            crate::domain::Locale::En => format!(
                "on {date} between {:02}:{:02} and {:02}:{:02}",
                start.hour(),
                start.minute(),
                end.hour(),
                end.minute()
            ),
        }
    }

    /// "1 december kl. 09.00" or "1 December at 09:00", in Swedish time.
    pub fn to_local_phrase(&self, locale: crate::domain::Locale) -> String {
        let t = self.in_sweden();
        let month = usize::from(u8::from(t.month())) - 1;
        match locale {
            crate::domain::Locale::Sv => format!(
                "{} {} kl. {:02}.{:02}",
                t.day(),
                SWEDISH_MONTHS[month],
                t.hour(),
                t.minute()
            ),
            crate::domain::Locale::En => format!(
                "{} {} at {:02}:{:02}",
                t.day(),
                t.month(),
                t.hour(),
                t.minute()
            ),
        }
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
    fn a_swedish_day_starts_at_local_midnight_in_winter_and_summer() {
        let day = |raw| crate::domain::parse_iso_date(raw).unwrap();
        let start = |raw| Timestamp::start_of_swedish_day(day(raw)).to_string();
        assert_eq!(start("2026-12-08"), "2026-12-07T23:00:00.000000Z");
        assert_eq!(start("2026-07-01"), "2026-06-30T22:00:00.000000Z");
        // The day summer time begins still starts at CET midnight.
        assert_eq!(start("2026-03-29"), "2026-03-28T23:00:00.000000Z");
    }

    #[test]
    fn local_phrases_use_swedish_time_with_summer_time() {
        use crate::domain::Locale;
        let winter = Timestamp::parse("2026-12-01T08:00:00Z").unwrap();
        assert_eq!(winter.to_local_phrase(Locale::Sv), "1 december kl. 09.00");
        assert_eq!(winter.to_local_phrase(Locale::En), "1 December at 09:00");
        assert_eq!(
            winter.to_receipt_phrase(Locale::Sv),
            "1 december 2026 kl. 09.00 (svensk tid)"
        );
        let summer = Timestamp::parse("2026-07-01T08:00:00Z").unwrap();
        assert_eq!(summer.to_local_phrase(Locale::Sv), "1 juli kl. 10.00");
        // 2026's summer time ends on 25 October at 01:00 UTC.
        let before = Timestamp::parse("2026-10-25T00:59:00Z").unwrap();
        let after = Timestamp::parse("2026-10-25T01:00:00Z").unwrap();
        assert_eq!(before.to_local_phrase(Locale::En), "25 October at 02:59");
        assert_eq!(after.to_local_phrase(Locale::En), "25 October at 02:00");
    }

    #[test]
    fn other_offsets_are_read_as_utc() {
        let t = Timestamp::parse("2026-11-23T14:35:33+01:00").unwrap();
        assert_eq!(t.to_string(), "2026-11-23T13:35:33.000000Z");
    }
}
