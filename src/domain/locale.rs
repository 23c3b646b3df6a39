use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::FieldError;

/// The language a conversation is held in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    /// Swedish is the default: most customers write Swedish.
    #[default]
    Sv,
    En,
}

impl Locale {
    /// Accepts `sv`/`en` and the common regional tags apps send (`sv-SE`, `en_GB`, ...).
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let language = raw
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match language.as_str() {
            "sv" => Ok(Self::Sv),
            "en" => Ok(Self::En),
            _ => Err(FieldError::new(
                "locale",
                "unsupported_locale",
                "locale must be \"sv\" or \"en\".",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sv => "sv",
            Self::En => "en",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regional_tags_map_to_the_language() {
        assert_eq!(Locale::parse("sv-SE").unwrap(), Locale::Sv);
        assert_eq!(Locale::parse("EN_gb").unwrap(), Locale::En);
        assert_eq!(Locale::parse("de").unwrap_err().code, "unsupported_locale");
        assert!(Locale::parse("").is_err());
    }
}
