//! Secrets that prove who may act on what.

mod token;

pub use token::{SecretToken, TokenHash};
