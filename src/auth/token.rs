use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A bearer secret handed to a client once. Only its hash is ever stored.
///
/// 256 random bits make guessing hopeless, so a fast hash (SHA-256) is enough; a slow password
/// hash would only cost CPU on every request.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretToken(String);

impl std::fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never let a token reach a log line through `{:?}`.
        f.write_str("SecretToken(***)")
    }
}

impl SecretToken {
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Wraps what a client presented. Any string is accepted: a wrong one simply won't match.
    pub fn from_presented(raw: &str) -> Self {
        Self(raw.to_owned())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> TokenHash {
        TokenHash(hex::encode(Sha256::digest(self.0.as_bytes())))
    }
}

/// The stored form of a token: lowercase hex SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenHash(String);

impl TokenHash {
    pub fn from_stored(hex: String) -> Self {
        Self(hex)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Constant-time comparison, so response timing says nothing about how close a guess was.
    pub fn matches(&self, presented: &SecretToken) -> bool {
        let presented = presented.hash();
        self.0.as_bytes().ct_eq(presented.0.as_bytes()).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_matches_its_own_hash_only() {
        let token = SecretToken::generate();
        let other = SecretToken::generate();
        assert_ne!(token, other);
        assert!(token.hash().matches(&token));
        assert!(!token.hash().matches(&other));
        assert!(!token.hash().matches(&SecretToken::from_presented("")));
    }

    #[test]
    fn tokens_are_long_url_safe_and_never_debug_printed() {
        let token = SecretToken::generate();
        assert_eq!(token.expose().len(), 43);
        assert!(token
            .expose()
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(format!("{token:?}"), "SecretToken(***)");
    }
}
