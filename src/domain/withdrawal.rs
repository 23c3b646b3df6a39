//! The right of withdrawal (ångerrätt): the form a customer fills in to undo a contract made
//! at a distance or at the door, and the last day they may do it.
//!
//! The period is 14 days from the day a service contract was made (distansavtalslagen 2 kap.
//! 12 §). A period whose last day falls on a Saturday, a Sunday, a public holiday, midsummer,
//! Christmas or New Year's Eve runs on to the next working day (lagen om beräkning av
//! lagstadgad tid, 1930:173).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::{Date, Duration, Month, Weekday};

use super::form_fields::{comment, iso_date, optional, parse_iso_date, plain, required};
use super::{CustomerNumber, Email, FieldError, FullName};

/// How long a customer has to withdraw from a contract, counted from the day it was made.
pub const WITHDRAWAL_DAYS: i64 = 14;

/// The last day to withdraw from a contract made on `made_on`.
pub fn last_withdrawal_day(made_on: Date) -> Date {
    let mut day = made_on.saturating_add(Duration::days(WITHDRAWAL_DAYS));
    while !is_working_day(day) {
        day = day.saturating_add(Duration::days(1));
    }
    day
}

/// Monday to Friday, and not a day the law treats as a holiday.
fn is_working_day(day: Date) -> bool {
    !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) && !is_holiday(day)
}

fn is_holiday(day: Date) -> bool {
    use Month::*;
    let fixed = matches!(
        (day.month(), day.day()),
        (January, 1)
            | (January, 6)
            | (May, 1)
            | (June, 6)
            | (December, 24)
            | (December, 25)
            | (December, 26)
            | (December, 31)
    );
    // Midsommarafton: the Friday between 19 and 25 June.
    let midsummer_eve =
        day.month() == June && (19..=25).contains(&day.day()) && day.weekday() == Weekday::Friday;
    let easter = easter_sunday(day.year());
    let around_easter = [-2, 1, 39].iter().any(|&offset| {
        easter
            .checked_add(Duration::days(offset))
            .is_some_and(|holiday| holiday == day)
    });
    fixed || midsummer_eve || around_easter
}

/// Easter Sunday in the Gregorian calendar (the anonymous algorithm, as in Meeus).
fn easter_sunday(year: i32) -> Date {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    let month = if month == 3 {
        Month::March
    } else {
        Month::April
    };
    Date::from_calendar_date(year, month, day as u8).expect("Easter is a real day")
}

/// The last day to withdraw, from a contract date as stored (`YYYY-MM-DD`), written the same
/// way; `None` when the stored date does not parse.
pub fn last_withdrawal_day_of(contract_date: &str) -> Option<String> {
    parse_iso_date(contract_date).map(|made| iso_date(last_withdrawal_day(made)))
}

/// A checked withdrawal form: who withdraws, from what, made when, and where to send the
/// confirmation. Nothing else is asked (Article 11a of the Consumer Rights Directive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WithdrawalForm {
    pub full_name: FullName,
    /// Which contract, in the customer's words or its number.
    pub contract: String,
    pub contract_date: Date,
    pub customer_number: Option<CustomerNumber>,
    /// Where the confirmation goes; without it the receipt in the chat is the confirmation.
    pub email: Option<Email>,
    pub comment: Option<String>,
}

/// The raw fields, as a client sends them.
#[derive(Debug, Clone, Copy, Default)]
pub struct WithdrawalFields<'a> {
    pub full_name: Option<&'a str>,
    pub contract: Option<&'a str>,
    pub contract_date: Option<&'a str>,
    pub customer_number: Option<&'a str>,
    pub email: Option<&'a str>,
    pub comment: Option<&'a str>,
}

impl WithdrawalForm {
    /// Checks every field and reports every problem. A contract date may be any day up to
    /// `today` within the last two years: a late withdrawal is for an agent to weigh, never
    /// for the form to refuse.
    pub fn parse(fields: WithdrawalFields<'_>, today: Date) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let full_name = required(
            &mut errors,
            "full_name",
            fields.full_name,
            "Your full name is needed to withdraw.",
            |raw| FullName::parse("full_name", raw),
        );
        let contract = required(
            &mut errors,
            "contract",
            fields.contract,
            "Say which contract you withdraw from.",
            |raw| plain("contract", raw, 200, "The contract"),
        );
        let contract_date = required(
            &mut errors,
            "contract_date",
            fields.contract_date.filter(|v| !v.trim().is_empty()),
            "Say the day the contract was made.",
            |raw| match parse_iso_date(raw) {
                None => Err(FieldError::new(
                    "contract_date",
                    "invalid_date",
                    "The date should look like 2026-12-01.",
                )),
                Some(date) if date > today => Err(FieldError::new(
                    "contract_date",
                    "date_in_future",
                    "The contract date cannot be in the future.",
                )),
                Some(date) if date < today.saturating_sub(Duration::days(2 * 366)) => {
                    Err(FieldError::new(
                        "contract_date",
                        "date_too_old",
                        "The contract date can be at most two years back.",
                    ))
                }
                Some(date) => Ok(date),
            },
        );
        let customer_number = optional(&mut errors, fields.customer_number, |v| {
            CustomerNumber::parse("customer_number", v)
        });
        let email = optional(&mut errors, fields.email, |v| Email::parse("email", v));
        let comment = comment(&mut errors, fields.comment);
        match (full_name, contract, contract_date) {
            (Some(full_name), Some(contract), Some(contract_date)) if errors.is_empty() => {
                Ok(Self {
                    full_name,
                    contract,
                    contract_date,
                    customer_number,
                    email,
                    comment,
                })
            }
            _ => Err(errors),
        }
    }

    pub fn last_day(&self) -> Date {
        last_withdrawal_day(self.contract_date)
    }

    /// The same form always gives the same fingerprint: a resubmission is recognised.
    pub fn fingerprint(&self) -> String {
        let canonical = serde_json::to_string(self).expect("a form always serialises");
        hex::encode(Sha256::digest(
            format!("withdrawal:{}", canonical.to_lowercase()).as_bytes(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_period_is_fourteen_days_and_ends_on_a_working_day() {
        // Monday 30 November + 14 = Monday 14 December.
        assert_eq!(
            last_withdrawal_day(date!(2026 - 11 - 30)),
            date!(2026 - 12 - 14)
        );
        // Thursday 3 December + 14 = Thursday 17 December.
        assert_eq!(
            last_withdrawal_day(date!(2026 - 12 - 03)),
            date!(2026 - 12 - 17)
        );
        // Saturday 5 December + 14 = Saturday 19 December: runs on to Monday 21.
        assert_eq!(
            last_withdrawal_day(date!(2026 - 12 - 05)),
            date!(2026 - 12 - 21)
        );
        // 10 December + 14 = Thursday 24 December (julafton): 25, 26, 27 are no working
        // days either, so Monday 28 December.
        assert_eq!(
            last_withdrawal_day(date!(2026 - 12 - 10)),
            date!(2026 - 12 - 28)
        );
    }

    #[test]
    fn easter_and_midsummer_are_holidays() {
        assert_eq!(easter_sunday(2026), date!(2026 - 04 - 05));
        assert_eq!(easter_sunday(2027), date!(2027 - 03 - 28));
        assert!(is_holiday(date!(2026 - 04 - 03)), "långfredagen");
        assert!(is_holiday(date!(2026 - 04 - 06)), "annandag påsk");
        assert!(is_holiday(date!(2026 - 05 - 14)), "Kristi himmelsfärd");
        assert!(is_holiday(date!(2026 - 06 - 19)), "midsommarafton");
        assert!(!is_holiday(date!(2026 - 06 - 18)));
        // Made 23 March 2026 + 14 = Monday 6 April, annandag påsk: Tuesday 7 April.
        assert_eq!(
            last_withdrawal_day(date!(2026 - 03 - 23)),
            date!(2026 - 04 - 07)
        );
    }

    fn today() -> Date {
        date!(2026 - 12 - 07)
    }

    #[test]
    fn a_name_a_contract_and_a_date_are_enough() {
        let form = WithdrawalForm::parse(
            WithdrawalFields {
                full_name: Some("Åsa Öberg"),
                contract: Some("Bredband 250/100"),
                contract_date: Some("2026-12-01"),
                ..Default::default()
            },
            today(),
        )
        .unwrap();
        assert_eq!(form.last_day(), date!(2026 - 12 - 15));
        assert!(form.email.is_none());
    }

    #[test]
    fn every_bad_field_is_named() {
        let errors = WithdrawalForm::parse(
            WithdrawalFields {
                full_name: None,
                contract: Some(" "),
                contract_date: Some("2026-12-08"),
                email: Some("nope"),
                ..Default::default()
            },
            today(),
        )
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| (e.field, e.code)).collect();
        assert_eq!(
            fields,
            [
                ("full_name", "missing_field"),
                ("contract", "empty_field"),
                ("contract_date", "date_in_future"),
                ("email", "invalid_email"),
            ]
        );
        let missing_date = WithdrawalForm::parse(
            WithdrawalFields {
                full_name: Some("A B"),
                contract: Some("Mobil"),
                contract_date: Some("1/12"),
                ..Default::default()
            },
            today(),
        )
        .unwrap_err();
        assert_eq!(missing_date[0].code, "invalid_date");
    }

    #[test]
    fn the_same_withdrawal_has_the_same_fingerprint_and_the_date_counts() {
        let fields = WithdrawalFields {
            full_name: Some("Per Persson"),
            contract: Some("Mobil"),
            contract_date: Some("2026-12-01"),
            ..Default::default()
        };
        let a = WithdrawalForm::parse(fields, today()).unwrap();
        let b = WithdrawalForm::parse(fields, today()).unwrap();
        assert_eq!(a.fingerprint(), b.fingerprint());
        let other = WithdrawalForm::parse(
            WithdrawalFields {
                contract_date: Some("2026-12-02"),
                ..fields
            },
            today(),
        )
        .unwrap();
        assert_ne!(a.fingerprint(), other.fingerprint());
    }
}
