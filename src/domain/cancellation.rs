//! A written cancellation as the customer fills it in.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::Date;

use super::{CustomerNumber, Email, FieldError, FullName, PlainText, TextError};

/// A checked cancellation form. Nothing else is needed to cancel: no login, no BankID, no
/// password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancellationForm {
    /// Which subscription, in the customer's words ("Bredband 250/100", "mobilabonnemanget").
    pub service: String,
    pub full_name: FullName,
    pub customer_number: Option<CustomerNumber>,
    pub email: Option<Email>,
    /// The day the customer wants it to end; `None` means as soon as the notice period allows.
    pub end_date: Option<Date>,
    pub comment: Option<String>,
}

fn plain(field: &'static str, raw: &str, max: usize, label: &str) -> Result<String, FieldError> {
    let text = PlainText::parse(raw, max).map_err(|e| {
        let code = match e {
            TextError::Empty => "empty_field",
            TextError::TooLong { .. } => "field_too_long",
            TextError::ControlCharacters => "invalid_field",
        };
        FieldError::new(field, code, format!("{label} {e}."))
    })?;
    if text.as_str().contains(['<', '>']) {
        return Err(FieldError::new(
            field,
            "invalid_field",
            format!("{label} may not contain < or >."),
        ));
    }
    Ok(text.into_string())
}

/// The raw fields, as a client sends them.
#[derive(Debug, Clone, Copy, Default)]
pub struct CancellationFields<'a> {
    pub service: Option<&'a str>,
    pub full_name: Option<&'a str>,
    pub customer_number: Option<&'a str>,
    pub email: Option<&'a str>,
    pub end_date: Option<&'a str>,
    pub comment: Option<&'a str>,
}

impl CancellationForm {
    /// Checks every field and reports every problem. `today` is the customer's date, so an end
    /// date may be today but not in the past.
    pub fn parse(fields: CancellationFields<'_>, today: Date) -> Result<Self, Vec<FieldError>> {
        fn keep<T>(errors: &mut Vec<FieldError>, r: Result<T, FieldError>) -> Option<T> {
            r.map_err(|e| errors.push(e)).ok()
        }
        let mut errors = Vec::new();
        let service = match fields.service {
            Some(raw) => keep(&mut errors, plain("service", raw, 200, "The subscription")),
            None => keep(
                &mut errors,
                Err(FieldError::new(
                    "service",
                    "missing_field",
                    "Say which subscription to cancel.",
                )),
            ),
        };
        let full_name = match fields.full_name {
            Some(raw) => keep(&mut errors, FullName::parse("full_name", raw)),
            None => keep(
                &mut errors,
                Err(FieldError::new(
                    "full_name",
                    "missing_field",
                    "Your full name is needed to cancel.",
                )),
            ),
        };
        let customer_number = fields
            .customer_number
            .filter(|v| !v.trim().is_empty())
            .and_then(|v| keep(&mut errors, CustomerNumber::parse("customer_number", v)));
        let email = fields
            .email
            .filter(|v| !v.trim().is_empty())
            .and_then(|v| keep(&mut errors, Email::parse("email", v)));
        let end_date = fields
            .end_date
            .filter(|v| !v.trim().is_empty())
            .and_then(|raw| {
                let format = time::macros::format_description!("[year]-[month]-[day]");
                let parsed = Date::parse(raw.trim(), &format).map_err(|_| {
                    FieldError::new(
                        "end_date",
                        "invalid_date",
                        "The end date should look like 2027-01-31.",
                    )
                });
                let checked = parsed.and_then(|date| {
                    if date < today {
                        Err(FieldError::new(
                            "end_date",
                            "date_in_past",
                            "The end date cannot be in the past.",
                        ))
                    } else if date > today.saturating_add(time::Duration::days(3 * 365)) {
                        Err(FieldError::new(
                            "end_date",
                            "date_too_far",
                            "The end date can be at most three years ahead.",
                        ))
                    } else {
                        Ok(date)
                    }
                });
                keep(&mut errors, checked)
            });
        let comment = fields
            .comment
            .filter(|v| !v.trim().is_empty())
            .and_then(|v| keep(&mut errors, plain("comment", v, 2000, "The comment")))
            // Nobody needs a password to cancel; one typed here anyway is not kept.
            .map(|c| super::secrets::mask(&c).0);
        match (service, full_name) {
            (Some(service), Some(full_name)) if errors.is_empty() => Ok(Self {
                service,
                full_name,
                customer_number,
                email,
                end_date,
                comment,
            }),
            _ => Err(errors),
        }
    }

    /// The same form always gives the same fingerprint: a resubmission is recognised.
    pub fn fingerprint(&self) -> String {
        let canonical = serde_json::to_string(self).expect("a form always serialises");
        hex::encode(Sha256::digest(canonical.to_lowercase().as_bytes()))
    }

    pub fn end_date_text(&self) -> Option<String> {
        self.end_date.map(|d| {
            let format = time::macros::format_description!("[year]-[month]-[day]");
            d.format(&format).expect("a date formats")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::from_calendar_date(2026, time::Month::December, 1).unwrap()
    }

    #[test]
    fn a_name_and_a_service_are_enough() {
        let form = CancellationForm::parse(
            CancellationFields {
                service: Some("Bredband 250/100"),
                full_name: Some("Åsa Öberg"),
                ..Default::default()
            },
            today(),
        )
        .unwrap();
        assert_eq!(form.full_name.as_str(), "Åsa Öberg");
        assert!(form.end_date.is_none());
    }

    #[test]
    fn every_bad_field_is_named() {
        let errors = CancellationForm::parse(
            CancellationFields {
                service: Some("  "),
                full_name: None,
                email: Some("nope"),
                end_date: Some("2026-11-30"),
                comment: Some("<b>hej</b>"),
                ..Default::default()
            },
            today(),
        )
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| (e.field, e.code)).collect();
        assert_eq!(
            fields,
            [
                ("service", "empty_field"),
                ("full_name", "missing_field"),
                ("email", "invalid_email"),
                ("end_date", "date_in_past"),
                ("comment", "invalid_field"),
            ]
        );
        let unparseable = CancellationForm::parse(
            CancellationFields {
                service: Some("tv"),
                full_name: Some("A B"),
                end_date: Some("31/1/2027"),
                ..Default::default()
            },
            today(),
        )
        .unwrap_err();
        assert_eq!(unparseable[0].code, "invalid_date");
    }

    #[test]
    fn the_same_form_has_the_same_fingerprint() {
        let fields = CancellationFields {
            service: Some("Mobil"),
            full_name: Some("Per Persson"),
            end_date: Some("2027-01-31"),
            ..Default::default()
        };
        let a = CancellationForm::parse(fields, today()).unwrap();
        let b = CancellationForm::parse(fields, today()).unwrap();
        assert_eq!(a.fingerprint(), b.fingerprint());
        let other = CancellationForm::parse(
            CancellationFields {
                service: Some("Bredband"),
                ..fields
            },
            today(),
        )
        .unwrap();
        assert_ne!(a.fingerprint(), other.fingerprint());
    }
}
