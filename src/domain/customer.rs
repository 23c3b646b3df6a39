//! What a customer may tell us about themselves when a conversation starts.

use serde::{Deserialize, Serialize};

use super::{FieldError, PlainText, Postcode, TextError};

fn text_field(
    field: &'static str,
    raw: &str,
    max: usize,
    label: &str,
) -> Result<PlainText, FieldError> {
    PlainText::parse(raw, max).map_err(|e| {
        let code = match e {
            TextError::Empty => "empty_field",
            TextError::TooLong { .. } => "field_too_long",
            TextError::ControlCharacters => "invalid_field",
        };
        FieldError::new(field, code, format!("{label} {e}."))
    })
}

/// A person's name as they write it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FullName(String);

impl FullName {
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, FieldError> {
        let text = text_field(field, raw, 200, "The name")?;
        if text.as_str().contains(['<', '>']) {
            return Err(FieldError::new(
                field,
                "invalid_field",
                "The name may not contain < or >.",
            ));
        }
        Ok(Self(text.into_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The operator's customer number: letters, digits and the separators people type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CustomerNumber(String);

impl CustomerNumber {
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, FieldError> {
        let text = text_field(field, raw, 40, "The customer number")?;
        let ok = text
            .as_str()
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | ' ' | '.' | '/'));
        if !ok {
            return Err(FieldError::new(
                field,
                "invalid_customer_number",
                "The customer number may only hold letters, digits, spaces and - . /",
            ));
        }
        Ok(Self(text.into_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An e-mail address, checked for shape only: whether it exists is for the mail server to say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, FieldError> {
        let text = text_field(field, raw, 254, "The e-mail address")?;
        let value = text.as_str();
        let valid = match value.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !value.contains(char::is_whitespace)
                    && !domain.contains('@')
                    && !value.contains(['<', '>', '"', ','])
            }
            None => false,
        };
        if !valid {
            return Err(FieldError::new(
                field,
                "invalid_email",
                "The e-mail address does not look like name@example.se.",
            ));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The optional details a customer gives up front, so nobody has to ask again later.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<FullName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_number: Option<CustomerNumber>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Email>,
    /// Where the service is delivered, so a known outage there can be told first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postcode: Option<Postcode>,
}

impl CustomerDetails {
    /// Parses every field and reports every problem, not just the first.
    pub fn parse(
        name: Option<&str>,
        customer_number: Option<&str>,
        email: Option<&str>,
        postcode: Option<&str>,
    ) -> Result<Self, Vec<FieldError>> {
        fn keep<T>(errors: &mut Vec<FieldError>, parsed: Result<T, FieldError>) -> Option<T> {
            parsed.map_err(|e| errors.push(e)).ok()
        }
        let mut errors = Vec::new();
        let details = Self {
            name: name.and_then(|v| keep(&mut errors, FullName::parse("customer.name", v))),
            customer_number: customer_number.and_then(|v| {
                keep(
                    &mut errors,
                    CustomerNumber::parse("customer.customer_number", v),
                )
            }),
            email: email.and_then(|v| keep(&mut errors, Email::parse("customer.email", v))),
            postcode: postcode
                .and_then(|v| keep(&mut errors, Postcode::parse_field("customer.postcode", v))),
        };
        if errors.is_empty() {
            Ok(details)
        } else {
            Err(errors)
        }
    }

    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.customer_number.is_none()
            && self.email.is_none()
            && self.postcode.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swedish_names_are_kept_as_written() {
        let name = FullName::parse("name", " Åsa Öberg-Ärlig ").unwrap();
        assert_eq!(name.as_str(), "Åsa Öberg-Ärlig");
    }

    #[test]
    fn markup_in_a_name_is_refused() {
        assert!(FullName::parse("name", "<script>x</script>").is_err());
    }

    #[test]
    fn email_shape_is_checked() {
        assert!(Email::parse("email", "asa@example.se").is_ok());
        for bad in [
            "asa",
            "asa@",
            "@example.se",
            "asa@example",
            "a b@example.se",
        ] {
            assert!(Email::parse("email", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn customer_number_takes_digits_and_separators() {
        assert!(CustomerNumber::parse("n", "123 456-7").is_ok());
        assert!(CustomerNumber::parse("n", "12;DROP").is_err());
    }

    #[test]
    fn every_bad_field_is_reported() {
        let errors =
            CustomerDetails::parse(Some(""), Some("x;y"), Some("nope"), Some("1")).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "customer.name",
                "customer.customer_number",
                "customer.email",
                "customer.postcode"
            ]
        );
    }
}
