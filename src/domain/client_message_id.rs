use super::FieldError;

/// The idempotency key a client attaches to a message so that a retry is recognised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientMessageId(String);

impl ClientMessageId {
    const MAX_LEN: usize = 128;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let ok = !raw.is_empty()
            && raw.len() <= Self::MAX_LEN
            && raw.bytes().all(|b| b.is_ascii_graphic());
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(FieldError::new(
                "client_message_id",
                "invalid_client_message_id",
                "client_message_id must be 1 to 128 visible ASCII characters.",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_uuids_and_refuses_blank_or_long_keys() {
        assert!(ClientMessageId::parse("0b7a6c1e-5a43-4c39-9d4e-1f2a3b4c5d6e").is_ok());
        assert!(ClientMessageId::parse("").is_err());
        assert!(ClientMessageId::parse("has space").is_err());
        assert!(ClientMessageId::parse(&"x".repeat(129)).is_err());
    }
}
