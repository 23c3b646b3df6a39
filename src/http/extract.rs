//! Extractors whose failures use the API's error format, never axum's plain-text rejections.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;

use super::ApiError;
use crate::auth::SecretToken;

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime == "application/json"
                || (mime.starts_with("application/") && mime.ends_with("+json"))
        })
        .unwrap_or(false)
}

fn bytes_rejection(rejection: BytesRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge
    } else {
        ApiError::BadRequest("The request body could not be read.".to_owned())
    }
}

pub(super) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| {
        use serde_json::error::Category;
        match e.classify() {
            Category::Data => ApiError::InvalidBody(format!("The JSON body does not fit: {e}.")),
            Category::Syntax | Category::Eof | Category::Io => {
                ApiError::MalformedJson(format!("The body is not valid JSON: {e}."))
            }
        }
    })
}

/// A JSON body. Wrong content type: 415; not JSON: 400; wrong shape: 422; too large: 413.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(bytes_rejection)?;
        parse_json(&bytes).map(Self)
    }
}

/// A JSON body that may be left out entirely, meaning "all defaults".
pub struct OptionalJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Default> FromRequest<S> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let has_json_type = is_json(req.headers());
        let has_type = req.headers().contains_key(CONTENT_TYPE);
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(bytes_rejection)?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self(T::default()));
        }
        if has_type && !has_json_type {
            return Err(ApiError::UnsupportedMediaType);
        }
        parse_json(&bytes).map(Self)
    }
}

/// A path parameter.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| Self(v))
            .map_err(|e: PathRejection| ApiError::BadRequest(e.body_text()))
    }
}

/// Query parameters.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| Self(v))
            .map_err(|e: QueryRejection| ApiError::BadRequest(e.body_text()))
    }
}

/// The token of an `Authorization: Bearer <token>` header, if the request has one.
pub fn bearer_value(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The secret from `Authorization: Bearer <token>`.
pub struct BearerToken(pub SecretToken);

impl<S: Send + Sync> FromRequestParts<S> for BearerToken {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let token = bearer_value(&parts.headers).ok_or(ApiError::MissingToken)?;
        Ok(Self(SecretToken::from_presented(token)))
    }
}

/// A staff token as presented, not yet checked: programs send it as a bearer header, the staff
/// pages as their session cookie, which a script cannot read.
pub struct StaffToken(pub SecretToken);

impl<S: Send + Sync> FromRequestParts<S> for StaffToken {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        bearer_value(&parts.headers)
            .or_else(|| super::staff_session::cookie_token(&parts.headers))
            .map(|token| Self(SecretToken::from_presented(token)))
            .ok_or(ApiError::MissingToken)
    }
}

/// A staff member proven by their bearer token: 401 without a valid one. Handlers check the
/// role with [`Staff::require`] (403 when it does not fit).
#[derive(Debug, Clone)]
pub struct Staff(pub crate::auth::StaffMember);

impl Staff {
    pub fn require(
        &self,
        role: crate::auth::StaffRole,
    ) -> Result<&crate::auth::StaffMember, ApiError> {
        if self.0.role.allows(role) {
            Ok(&self.0)
        } else {
            Err(ApiError::Forbidden)
        }
    }
}

impl FromRequestParts<super::AppState> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &super::AppState,
    ) -> Result<Self, Self::Rejection> {
        let StaffToken(token) = StaffToken::from_request_parts(parts, state).await?;
        let member = crate::auth::staff::authenticate(&state.store, &token)
            .await?
            .ok_or(ApiError::InvalidToken)?;
        // Only a token that checked out gets the staff allowance.
        state.rate_limiter.check_staff(&member.id)?;
        Ok(Self(member))
    }
}

/// The role a piece of staff work needs, for [`StaffAs`].
pub trait NeededRole {
    const ROLE: crate::auth::StaffRole;
}

/// Handing handoffs: agents (and admins).
pub enum AgentWork {}
/// Keeping guides and outage notices: editors (and admins).
pub enum EditorWork {}
/// Customers' data and the delivery log: admins.
pub enum AdminWork {}

impl NeededRole for AgentWork {
    const ROLE: crate::auth::StaffRole = crate::auth::StaffRole::Agent;
}
impl NeededRole for EditorWork {
    const ROLE: crate::auth::StaffRole = crate::auth::StaffRole::Editor;
}
impl NeededRole for AdminWork {
    const ROLE: crate::auth::StaffRole = crate::auth::StaffRole::Admin;
}

/// A staff member whose role allows `R`'s work: 401 without a valid token and 403 with the
/// wrong role, both before the body is read, so a caller without the right never learns
/// from a 422 what a valid body looks like.
pub struct StaffAs<R> {
    pub member: crate::auth::StaffMember,
    role: std::marker::PhantomData<R>,
}

pub type AgentStaff = StaffAs<AgentWork>;
pub type EditorStaff = StaffAs<EditorWork>;
pub type AdminStaff = StaffAs<AdminWork>;

impl<R: NeededRole> FromRequestParts<super::AppState> for StaffAs<R> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &super::AppState,
    ) -> Result<Self, Self::Rejection> {
        let staff = Staff::from_request_parts(parts, state).await?;
        staff.require(R::ROLE)?;
        Ok(Self {
            member: staff.0,
            role: std::marker::PhantomData,
        })
    }
}

/// The client's address as the rate limits see it: the connection's peer, or behind a trusted
/// proxy the address it forwarded. `None` when the request came without a connection (a test
/// calling the router directly).
pub struct ClientAddress(pub Option<std::net::IpAddr>);

impl FromRequestParts<super::AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &super::AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(Self(
            state.rate_limiter.client_address(&parts.headers, peer),
        ))
    }
}
