//! Secrets that prove who may act on what.

pub mod staff;
mod token;

pub use staff::{StaffMember, StaffRole};
pub use token::{SecretToken, TokenHash};
