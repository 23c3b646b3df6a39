use super::{FieldError, PlainText, TextError};

/// What a customer (or agent) wrote in one chat message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageText(PlainText);

impl MessageText {
    pub fn parse(raw: &str, max_chars: usize) -> Result<Self, FieldError> {
        PlainText::parse(raw, max_chars)
            .map(Self)
            .map_err(|e| match e {
                TextError::Empty => FieldError::new("text", "empty_text", "The message is empty."),
                TextError::TooLong { max } => FieldError::new(
                    "text",
                    "text_too_long",
                    format!("The message is longer than {max} characters."),
                ),
                TextError::ControlCharacters => FieldError::new(
                    "text",
                    "invalid_text",
                    "The message contains control characters.",
                ),
            })
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    pub fn into_string(self) -> String {
        self.0.into_string()
    }

    /// The message with passwords, codes and card numbers masked, and what was masked.
    pub fn mask_secrets(self) -> (Self, Vec<super::secrets::SecretKind>) {
        let (masked, found) = super::secrets::mask(self.as_str());
        if found.is_empty() {
            return (self, found);
        }
        // A mask is never empty and never a control character, so the text stays valid; it
        // may grow by a character, which must not turn an accepted message into a refusal.
        let text = PlainText::parse(&masked, usize::MAX).map_or(self, Self);
        (text, found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_refusal_has_its_own_code() {
        assert_eq!(MessageText::parse("", 5).unwrap_err().code, "empty_text");
        assert_eq!(
            MessageText::parse("abcdef", 5).unwrap_err().code,
            "text_too_long"
        );
        assert_eq!(
            MessageText::parse("a\0", 5).unwrap_err().code,
            "invalid_text"
        );
        assert_eq!(MessageText::parse(" hej ", 5).unwrap().as_str(), "hej");
    }
}
