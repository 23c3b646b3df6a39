//! Staff: agents, editors and admins, each holding a bearer token of their own.

use uuid::Uuid;

use super::SecretToken;
use crate::storage::{Store, StoreError};
use crate::timestamp::Timestamp;

/// What a staff token may do. An admin may do everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StaffRole {
    Agent,
    Editor,
    Admin,
}

impl StaffRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Agent => "agent",
            Self::Editor => "editor",
            Self::Admin => "admin",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "agent" => Some(Self::Agent),
            "editor" => Some(Self::Editor),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }

    /// Whether holding `self` allows acting as `needed`.
    pub fn allows(self, needed: StaffRole) -> bool {
        self == Self::Admin || self == needed
    }
}

/// A staff member, as proven by their token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    pub id: String,
    pub name: String,
    pub role: StaffRole,
}

/// Creates a token for a new staff member; the secret is returned this once.
pub async fn create_token(
    store: &Store,
    role: StaffRole,
    name: &str,
) -> Result<(StaffMember, SecretToken), StoreError> {
    let token = SecretToken::generate();
    let member = StaffMember {
        id: Uuid::now_v7().to_string(),
        name: name.to_owned(),
        role,
    };
    store
        .create_staff_token(
            &member.id,
            &member.name,
            role.as_str(),
            token.hash().as_str(),
            Timestamp::now(),
        )
        .await?;
    Ok((member, token))
}

/// The staff member a presented token belongs to, if any. The lookup is by hash: the secret
/// itself is never compared or stored.
pub async fn authenticate(
    store: &Store,
    token: &SecretToken,
) -> Result<Option<StaffMember>, StoreError> {
    let Some(row) = store.staff_by_token_hash(token.hash().as_str()).await? else {
        return Ok(None);
    };
    let role = StaffRole::parse(&row.role)
        .ok_or_else(|| StoreError::Corrupt(format!("staff role {:?}", row.role)))?;
    Ok(Some(StaffMember {
        id: row.id,
        name: row.name,
        role,
    }))
}
