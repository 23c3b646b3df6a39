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

/// Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): they make
/// text display in another order than it was written ("gpj.exe" shown as "exe.jpg"), so an
/// agent could read something other than what is stored. The plain marks LRM and RLM that
/// right-to-left writers use are kept.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

impl PlainText {
    /// Trims surrounding white space, drops bidirectional controls and checks length (in
    /// characters) and content.
    pub fn parse(raw: &str, max_chars: usize) -> Result<Self, TextError> {
        let cleaned: String;
        let raw = if raw.chars().any(is_bidi_control) {
            cleaned = raw.chars().filter(|c| !is_bidi_control(*c)).collect();
            cleaned.as_str()
        } else {
            raw
        };
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
    fn drops_bidi_overrides_and_keeps_the_marks_of_right_to_left_text() {
        let text = PlainText::parse("faktura\u{202E}fdp.exe", 100).unwrap();
        assert_eq!(text.as_str(), "fakturafdp.exe");
        let arabic = PlainText::parse("\u{200F}الإنترنت لا يعمل", 100).unwrap();
        assert!(arabic.as_str().starts_with('\u{200F}'));
        assert_eq!(
            PlainText::parse("\u{2066}\u{2069}", 10),
            Err(TextError::Empty)
        );
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
