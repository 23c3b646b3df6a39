/// Text a person typed, checked for what every stored string must satisfy.
///
/// PostgreSQL cannot store NUL in `TEXT`, and other control characters only serve to hide
/// content in transcripts, so both are refused up front rather than failing deep in storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlainText(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("is empty")]
    Empty,
    #[error("is longer than {max} characters")]
    TooLong { max: usize },
    #[error("contains control characters")]
    ControlCharacters,
}

impl PlainText {
    /// Trims surrounding white space and checks length (in characters) and content.
    pub fn parse(raw: &str, max_chars: usize) -> Result<Self, TextError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(TextError::Empty);
        }
        if trimmed.chars().count() > max_chars {
            return Err(TextError::TooLong { max: max_chars });
        }
        if trimmed
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            return Err(TextError::ControlCharacters);
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_keeps_swedish_letters() {
        let text = PlainText::parse("  Nätet är nere på Åland \n", 100).unwrap();
        assert_eq!(text.as_str(), "Nätet är nere på Åland");
    }

    #[test]
    fn refuses_blank_text() {
        assert_eq!(PlainText::parse(" \n\t ", 10), Err(TextError::Empty));
    }

    #[test]
    fn counts_characters_not_bytes() {
        assert!(PlainText::parse(&"ö".repeat(10), 10).is_ok());
        assert_eq!(
            PlainText::parse(&"ö".repeat(11), 10),
            Err(TextError::TooLong { max: 10 })
        );
    }

    #[test]
    fn refuses_nul_and_escape_but_keeps_line_breaks() {
        assert_eq!(
            PlainText::parse("a\0b", 10),
            Err(TextError::ControlCharacters)
        );
        assert_eq!(
            PlainText::parse("a\u{1b}[31mb", 10),
            Err(TextError::ControlCharacters)
        );
        assert!(PlainText::parse("rad 1\r\nrad 2\tslut", 100).is_ok());
    }
}
