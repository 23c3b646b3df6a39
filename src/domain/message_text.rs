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
        self.mask_secrets_expecting(false)
    }

    /// As [`Self::mask_secrets`]; with `secret_expected` (the customer's previous message
    /// spoke of a code or password, see [`super::secrets::mentions_secret`]) a bare code or
    /// password-looking token is masked too: "4821" after "vänta jag letar fram pinkoden".
    pub fn mask_secrets_expecting(
        self,
        secret_expected: bool,
    ) -> (Self, Vec<super::secrets::SecretKind>) {
        let (masked, found) = super::secrets::mask_with_context(self.as_str(), secret_expected);
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

    #[test]
    fn a_bare_code_is_masked_when_one_was_expected() {
        let text = MessageText::parse("4821", 100).unwrap();
        let (same, found) = text.clone().mask_secrets();
        assert_eq!(same.as_str(), "4821");
        assert!(found.is_empty());
        let (masked, found) = text.mask_secrets_expecting(true);
        assert_eq!(masked.as_str(), "••••");
        assert_eq!(found, [super::super::secrets::SecretKind::Code]);
    }
}
