//! Swedish postcodes: five digits, often written "123 45".

use serde::{Deserialize, Serialize};

use super::FieldError;

/// A postcode as five digits, however the customer spaced it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Postcode(String);

impl Postcode {
    /// Accepts "12345", "123 45" and "SE-123 45"; nothing else.
    pub fn parse(raw: &str) -> Option<Self> {
        let trimmed = raw.trim();
        let rest = trimmed
            .strip_prefix("SE-")
            .or_else(|| trimmed.strip_prefix("se-"))
            .unwrap_or(trimmed);
        let digits: String = rest.chars().filter(|c| !c.is_whitespace()).collect();
        let spaces = rest.chars().filter(|c| c.is_whitespace()).count();
        (digits.len() == 5 && digits.bytes().all(|b| b.is_ascii_digit()) && spaces <= 1)
            .then_some(Self(digits))
    }

    /// Finds a postcode inside a sentence ("det gäller 123 45 i Umeå").
    pub fn find_in(text: &str) -> Option<Self> {
        let words: Vec<&str> = text
            .split(|c: char| !(c.is_ascii_digit() || c.is_whitespace()))
            .flat_map(|part| part.split_whitespace())
            .collect();
        for (i, word) in words.iter().enumerate() {
            if let Some(code) = Self::parse(word) {
                return Some(code);
            }
            if let Some(next) = words.get(i + 1) {
                if word.len() == 3 && next.len() == 2 {
                    if let Some(code) = Self::parse(&format!("{word}{next}")) {
                        return Some(code);
                    }
                }
            }
        }
        None
    }

    /// A postcode a customer gives without being asked: written the Swedish way ("903 31"),
    /// or named ("postnummer 90331"). Five digits alone may be anything (a customer number, an
    /// amount), so they count only when asked for, through [`Postcode::find_in`].
    pub fn find_volunteered(text: &str) -> Option<Self> {
        static WRITTEN: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
            regex::Regex::new(
                r"(?i)(?:\b(?:postnummer|postnumret|postnr|postkod|postcode|post code|zip)\D{0,6}(\d{3}\s?\d{2})\b)|(?:(?:^|[^\d\s-])\s*\b(\d{3} \d{2})\b(?:[^\d-]|$))|(?:\b(?:i|in|på|pa|at|near|nära|nara)\s+(\d{5})\b(?:[^\d-]|$))",
            )
            .expect("a valid pattern")
        });
        // "I 20000 kr" is an amount, "in 75236 since six" a place.
        static NOT_A_PLACE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
            regex::Regex::new(r"(?i)^\s*(kr|sek|kronor|mbit|mb|gb|kb|min|sek|st\b|:-)")
                .expect("a valid pattern")
        });
        let found = WRITTEN.captures(text)?;
        let digits = match (found.get(1).or_else(|| found.get(2)), found.get(3)) {
            (Some(named), _) => named,
            (None, Some(after_in)) if !NOT_A_PLACE.is_match(&text[after_in.end()..]) => after_in,
            _ => return None,
        };
        Self::parse(&digits.as_str().replace(' ', ""))
    }

    pub fn parse_field(field: &'static str, raw: &str) -> Result<Self, FieldError> {
        Self::parse(raw).ok_or_else(|| {
            FieldError::new(
                field,
                "invalid_postcode",
                "The postcode should be five digits, like 123 45.",
            )
        })
    }

    /// The five digits without a space.
    pub fn digits(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Postcode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", &self.0[..3], &self.0[3..])
    }
}

impl TryFrom<String> for Postcode {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value).ok_or_else(|| format!("{value:?} is not a postcode"))
    }
}

impl From<Postcode> for String {
    fn from(code: Postcode) -> Self {
        code.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_volunteered_postcode_is_one_written_or_named_as_such() {
        for (text, code) in [
            ("internet är nere här i 903 31 Umeå", "90331"),
            ("postnummer 90331, bredbandet funkar inte", "90331"),
            ("my postcode is 113 45", "11345"),
            (
                "no internet at home in 75236 since about 6 tonight",
                "75236",
            ),
        ] {
            assert_eq!(
                Postcode::find_volunteered(text).map(|p| p.to_string().replace(' ', "")),
                Some(code.to_owned()),
                "{text}"
            );
        }
        for text in [
            "kundnummer 12345 har fel faktura",
            "fakturan på 899 kr",
            "ring 070-123 45 67",
            "jag betalade 1 990 kr",
            "fick en faktura i 12000 kr",
        ] {
            assert_eq!(Postcode::find_volunteered(text), None, "{text}");
        }
    }

    #[test]
    fn postcodes_are_read_however_they_are_spaced() {
        for raw in ["12345", "123 45", " SE-123 45 "] {
            assert_eq!(Postcode::parse(raw).unwrap().digits(), "12345", "{raw}");
        }
        for raw in ["1234", "123456", "12a45", "1 2 3 4 5", ""] {
            assert!(Postcode::parse(raw).is_none(), "{raw}");
        }
        assert_eq!(Postcode::parse("12345").unwrap().to_string(), "123 45");
    }

    #[test]
    fn a_postcode_is_found_inside_a_sentence() {
        assert_eq!(
            Postcode::find_in("det gäller 903 31 i Umeå")
                .unwrap()
                .digits(),
            "90331"
        );
        assert_eq!(Postcode::find_in("postnr 41301").unwrap().digits(), "41301");
        assert!(Postcode::find_in("jag har 3 routrar och 12 kablar").is_none());
    }
}
