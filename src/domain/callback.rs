//! A customer's request to be phoned instead of waiting in the chat: a number and a time window.

use serde::{Deserialize, Serialize};

use super::FieldError;
use crate::timestamp::Timestamp;

/// A phone number in E.164 form (`+46701234567`), however the customer wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Accepts Swedish numbers as people write them ("070-123 45 67", "08-123 456 78",
    /// "+46 70 123 45 67", "0046701234567") and other countries' numbers with a leading `+`.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, FieldError> {
        let invalid = || {
            FieldError::new(
                field,
                "invalid_phone",
                "That does not look like a phone number. Write it as 070-123 45 67, or with \
                 the country code, like +46 70 123 45 67.",
            )
        };
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.chars().count() > 30 {
            return Err(invalid());
        }
        let allowed = |c: char| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '.');
        let (international, rest) = match trimmed.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        if !rest.chars().all(allowed) {
            return Err(invalid());
        }
        let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
        let e164 = if international {
            digits
        } else if let Some(abroad) = digits.strip_prefix("00") {
            abroad.to_owned()
        } else if let Some(national) = digits.strip_prefix('0') {
            format!("46{national}")
        } else {
            return Err(invalid());
        };
        let valid = match e164.strip_prefix("46") {
            // Swedish national numbers are 7 to 9 digits after the trunk 0 (mobiles have 9,
            // starting with 7), and never start with another 0.
            Some(national) => {
                (7..=9).contains(&national.len())
                    && !national.starts_with('0')
                    && (!national.starts_with('7') || national.len() == 9)
            }
            None => (8..=15).contains(&e164.len()) && !e164.starts_with('0'),
        };
        if valid {
            Ok(Self(format!("+{e164}")))
        } else {
            Err(invalid())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number as a Swede reads it: "070-123 45 67"; other countries stay in E.164.
    pub fn display(&self) -> String {
        let Some(national) = self.0.strip_prefix("+46") else {
            return self.0.clone();
        };
        let national = format!("0{national}");
        // Mobile and most numbers: a three-digit prefix; Stockholm and Göteborg: two.
        let split = if national.starts_with("08") { 2 } else { 3 };
        let (prefix, subscriber) = national.split_at(split.min(national.len()));
        // Grouped as the Swedish standard (SS 636225) has it.
        let sizes: &[usize] = match subscriber.len() {
            5 => &[3, 2],
            6 => &[2, 2, 2],
            7 => &[3, 2, 2],
            8 => &[3, 3, 2],
            _ => &[],
        };
        let mut groups = Vec::new();
        let mut rest = subscriber;
        for &size in sizes {
            let (head, tail) = rest.split_at(size);
            groups.push(head);
            rest = tail;
        }
        if !rest.is_empty() {
            groups.push(rest);
        }
        format!("{prefix}-{}", groups.join(" "))
    }
}

/// When the customer can take the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallWindow {
    pub from: Timestamp,
    pub to: Timestamp,
}

/// The shortest window worth offering a support team, and how far ahead a call can be booked.
const SHORTEST_WINDOW_MINUTES: f64 = 30.0;
const LONGEST_WINDOW_HOURS: f64 = 12.0;
const FURTHEST_AHEAD_DAYS: f64 = 14.0;

impl CallWindow {
    /// Checks a window given as RFC 3339 times: it must still be open or lie ahead (within
    /// two weeks), last at least half an hour and at most a working day.
    pub fn parse(from: &str, to: &str, now: Timestamp) -> Result<Self, Vec<FieldError>> {
        let time = |field: &'static str, raw: &str| {
            Timestamp::parse(raw.trim()).map_err(|_| {
                FieldError::new(
                    field,
                    "invalid_time",
                    "Give the time with date and time zone, like 2026-12-02T14:00:00+01:00.",
                )
            })
        };
        let (from, to) = match (time("from", from), time("to", to)) {
            (Ok(from), Ok(to)) => (from, to),
            (from, to) => {
                return Err([from.err(), to.err()].into_iter().flatten().collect());
            }
        };
        let minutes = to.seconds_since(from) / 60.0;
        let mut problems = Vec::new();
        if minutes < SHORTEST_WINDOW_MINUTES {
            problems.push(FieldError::new(
                "to",
                "window_too_short",
                "The window should be at least 30 minutes long, so that we can reach you.",
            ));
        } else if minutes > LONGEST_WINDOW_HOURS * 60.0 {
            problems.push(FieldError::new(
                "to",
                "window_too_long",
                "The window can be at most 12 hours long; pick the part of the day that suits \
                 you.",
            ));
        }
        if to.seconds_since(now) < SHORTEST_WINDOW_MINUTES * 60.0 {
            problems.push(FieldError::new(
                "to",
                "window_in_the_past",
                "The window has passed or is about to end; pick a later time.",
            ));
        }
        if from.seconds_since(now) > FURTHEST_AHEAD_DAYS * 86_400.0 {
            problems.push(FieldError::new(
                "from",
                "window_too_far_ahead",
                "A call-back can be booked at most two weeks ahead.",
            ));
        }
        if problems.is_empty() {
            Ok(Self { from, to })
        } else {
            Err(problems)
        }
    }
}

/// A checked call-back request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackRequest {
    pub phone: PhoneNumber,
    pub window: CallWindow,
}

impl CallbackRequest {
    /// Checks every field and reports every problem at once.
    pub fn parse(
        phone: &str,
        from: &str,
        to: &str,
        now: Timestamp,
    ) -> Result<Self, Vec<FieldError>> {
        match (
            PhoneNumber::parse("phone", phone),
            CallWindow::parse(from, to, now),
        ) {
            (Ok(phone), Ok(window)) => Ok(Self { phone, window }),
            (phone, window) => {
                let mut problems: Vec<FieldError> = phone.err().into_iter().collect();
                problems.extend(window.err().unwrap_or_default());
                Err(problems)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone(raw: &str) -> Option<String> {
        PhoneNumber::parse("phone", raw)
            .ok()
            .map(|p| p.as_str().to_owned())
    }

    #[test]
    fn swedish_numbers_are_read_however_they_are_written() {
        for raw in [
            "070-123 45 67",
            "0701234567",
            "+46 70 123 45 67",
            "+46701234567",
            "0046 70-123 45 67",
            "(070) 123 45 67",
        ] {
            assert_eq!(phone(raw).as_deref(), Some("+46701234567"), "{raw}");
        }
        assert_eq!(phone("08-123 456 78").as_deref(), Some("+46812345678"));
        assert_eq!(phone("031-12 34 56").as_deref(), Some("+4631123456"));
        assert_eq!(phone("+47 912 34 567").as_deref(), Some("+4791234567"));
    }

    #[test]
    fn things_that_are_not_numbers_are_refused() {
        for raw in [
            "",
            "   ",
            "ring mig",
            "070-123",
            "070123456",
            "07012345678",
            "123456789",
            "+46 0701234567",
            "070-123 45 67 ext. 5",
            "+1",
            "<script>",
            "0701234567 0701234567 0701234567",
        ] {
            let err = PhoneNumber::parse("phone", raw).unwrap_err();
            assert_eq!(err.code, "invalid_phone", "{raw}");
            assert_eq!(err.field, "phone");
        }
    }

    #[test]
    fn numbers_are_shown_the_way_swedes_write_them() {
        let show = |raw| PhoneNumber::parse("phone", raw).unwrap().display();
        assert_eq!(show("0701234567"), "070-123 45 67");
        assert_eq!(show("08-12345678"), "08-123 456 78");
        assert_eq!(show("+4791234567"), "+4791234567");
    }

    #[test]
    fn a_window_must_lie_ahead_last_long_enough_and_not_too_long() {
        let now = Timestamp::parse("2026-12-02T10:00:00Z").unwrap();
        let ok = CallWindow::parse(
            "2026-12-02T14:00:00+01:00",
            "2026-12-02T16:00:00+01:00",
            now,
        )
        .unwrap();
        assert_eq!(ok.from, Timestamp::parse("2026-12-02T13:00:00Z").unwrap());
        // A window already open still counts: "call me in the next hour".
        assert!(CallWindow::parse("2026-12-02T09:30:00Z", "2026-12-02T11:00:00Z", now).is_ok());
        let codes = |from, to| {
            CallWindow::parse(from, to, now)
                .unwrap_err()
                .into_iter()
                .map(|e| e.code)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            codes("2026-12-02T14:00:00Z", "2026-12-02T14:10:00Z"),
            ["window_too_short"]
        );
        assert_eq!(
            codes("2026-12-02T06:00:00Z", "2026-12-02T09:00:00Z"),
            ["window_in_the_past"]
        );
        assert_eq!(
            codes("2026-12-02T08:00:00Z", "2026-12-02T23:00:00Z"),
            ["window_too_long"]
        );
        assert_eq!(
            codes("2026-12-20T08:00:00Z", "2026-12-20T10:00:00Z"),
            ["window_too_far_ahead"]
        );
        assert_eq!(
            codes("i eftermiddag", "2026-12-02T16:00"),
            ["invalid_time", "invalid_time"]
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let now = Timestamp::parse("2026-12-02T10:00:00Z").unwrap();
        let problems =
            CallbackRequest::parse("nej", "2026-12-02T14:00:00Z", "2026-12-02T14:05:00Z", now)
                .unwrap_err();
        let fields: Vec<_> = problems.iter().map(|p| (p.field, p.code)).collect();
        assert_eq!(
            fields,
            [("phone", "invalid_phone"), ("to", "window_too_short")]
        );
    }
}
