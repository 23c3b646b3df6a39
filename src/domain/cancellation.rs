//! A written cancellation as the customer fills it in.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::Date;

use super::form_fields::{comment, iso_date, optional, parse_iso_date, plain, required};
use super::{CustomerNumber, Email, FieldError, FullName};

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
    /// Set when the writer cancels a subscription that is someone else's.
    pub on_behalf: Option<OnBehalf>,
}

/// Why someone may end another person's subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// For the estate of someone who has died.
    Estate,
    /// A god man, förvaltare or guardian.
    Guardian,
    PowerOfAttorney,
}

impl Relation {
    pub const ALL: [Relation; 3] = [Self::Estate, Self::Guardian, Self::PowerOfAttorney];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Estate => "estate",
            Self::Guardian => "guardian",
            Self::PowerOfAttorney => "power_of_attorney",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == raw.trim())
    }
}

/// The holder of the subscription, when that is not the writer, and what gives the writer
/// the right to act for them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnBehalf {
    pub holder_name: FullName,
    pub relation: Relation,
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
    pub holder_name: Option<&'a str>,
    pub relation: Option<&'a str>,
}

impl CancellationForm {
    /// Checks every field and reports every problem. `today` is the customer's date, so an end
    /// date may be today but not in the past.
    pub fn parse(fields: CancellationFields<'_>, today: Date) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let service = required(
            &mut errors,
            "service",
            fields.service,
            "Say which subscription to cancel.",
            |raw| plain("service", raw, 200, "The subscription"),
        );
        let full_name = required(
            &mut errors,
            "full_name",
            fields.full_name,
            "Your full name is needed to cancel.",
            |raw| FullName::parse("full_name", raw),
        );
        let customer_number = optional(&mut errors, fields.customer_number, |v| {
            CustomerNumber::parse("customer_number", v)
        });
        let email = optional(&mut errors, fields.email, |v| Email::parse("email", v));
        let end_date = optional(&mut errors, fields.end_date, |raw| {
            match parse_iso_date(raw) {
                None => Err(FieldError::new(
                    "end_date",
                    "invalid_date",
                    "The end date should look like 2027-01-31.",
                )),
                Some(date) if date < today => Err(FieldError::new(
                    "end_date",
                    "date_in_past",
                    "The end date cannot be in the past.",
                )),
                Some(date) if date > today.saturating_add(time::Duration::days(3 * 365)) => {
                    Err(FieldError::new(
                        "end_date",
                        "date_too_far",
                        "The end date can be at most three years ahead.",
                    ))
                }
                Some(date) => Ok(date),
            }
        });
        let comment = comment(&mut errors, fields.comment);
        let on_behalf = Self::parse_on_behalf(&mut errors, fields);
        match (service, full_name) {
            (Some(service), Some(full_name)) if errors.is_empty() => Ok(Self {
                service,
                full_name,
                customer_number,
                email,
                end_date,
                comment,
                on_behalf,
            }),
            _ => Err(errors),
        }
    }

    /// The holder and the writer's relation come together or not at all: a holder without a
    /// reason to act for them, or a reason without a holder, is a form half filled in.
    fn parse_on_behalf(
        errors: &mut Vec<FieldError>,
        fields: CancellationFields<'_>,
    ) -> Option<OnBehalf> {
        let holder = fields.holder_name.filter(|v| !v.trim().is_empty());
        let relation = fields.relation.filter(|v| !v.trim().is_empty());
        if holder.is_none() && relation.is_none() {
            return None;
        }
        let holder_name = required(
            errors,
            "holder_name",
            holder,
            "Say whose subscription it is.",
            |raw| FullName::parse("holder_name", raw),
        );
        let relation = required(
            errors,
            "relation",
            relation,
            "Say how you are related to the holder.",
            |raw| {
                Relation::parse(raw).ok_or_else(|| {
                    FieldError::new(
                        "relation",
                        "invalid_relation",
                        "Relation must be estate, guardian or power_of_attorney.",
                    )
                })
            },
        );
        Some(OnBehalf {
            holder_name: holder_name?,
            relation: relation?,
        })
    }

    /// The same form always gives the same fingerprint: a resubmission is recognised.
    pub fn fingerprint(&self) -> String {
        let canonical = serde_json::to_string(self).expect("a form always serialises");
        hex::encode(Sha256::digest(canonical.to_lowercase().as_bytes()))
    }

    pub fn end_date_text(&self) -> Option<String> {
        self.end_date.map(iso_date)
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

    #[test]
    fn a_holder_comes_with_a_relation() {
        let form = CancellationForm::parse(
            CancellationFields {
                service: Some("Bredband"),
                full_name: Some("Eva Ek"),
                holder_name: Some("Karl Ek"),
                relation: Some("estate"),
                ..Default::default()
            },
            today(),
        )
        .unwrap();
        let on_behalf = form.on_behalf.unwrap();
        assert_eq!(on_behalf.holder_name.as_str(), "Karl Ek");
        assert_eq!(on_behalf.relation, Relation::Estate);
        let half = CancellationForm::parse(
            CancellationFields {
                service: Some("Bredband"),
                full_name: Some("Eva Ek"),
                holder_name: Some("Karl Ek"),
                ..Default::default()
            },
            today(),
        )
        .unwrap_err();
        assert_eq!((half[0].field, half[0].code), ("relation", "missing_field"));
        let unknown = CancellationForm::parse(
            CancellationFields {
                service: Some("Bredband"),
                full_name: Some("Eva Ek"),
                relation: Some("neighbour"),
                ..Default::default()
            },
            today(),
        )
        .unwrap_err();
        let codes: Vec<_> = unknown.iter().map(|e| e.code).collect();
        assert_eq!(codes, ["missing_field", "invalid_relation"]);
    }
}
