//! Staff pages sign in here: the token is exchanged for an `HttpOnly`, `SameSite=Strict`
//! cookie sent only to the staff API's paths, so the pages never keep the token where a
//! script could read it. The chat widget shares the origin with the staff pages; a flaw in
//! the chat could then at worst act in a signed-in browser, never carry the token away.
//! Programs keep using `Authorization: Bearer`.

use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::{ApiJson, Staff};
use super::{ApiError, AppState};
use crate::auth::SecretToken;
use crate::domain::FieldError;

/// The cookie's name.
pub const COOKIE: &str = "felsok_staff";

/// Where the cookie is sent: the staff API only, never the customers' conversation routes.
const STAFF_PATHS: &[&str] = &[
    "/api/v1/agent",
    "/api/v1/guides",
    "/api/v1/outages",
    "/api/v1/review",
    "/api/v1/admin",
    "/api/v1/stats",
    "/api/v1/staff",
];

/// How long a remembered sign-in lasts; without "remember me" it ends with the browser.
const REMEMBER_SECS: u64 = 30 * 24 * 3600;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/staff/session", post(sign_in).delete(sign_out))
        .route("/api/v1/staff/me", get(me))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    /// The staff token from `felsok token create`.
    token: String,
    /// Keep the sign-in for 30 days rather than until the browser closes.
    #[serde(default)]
    remember: bool,
}

/// Who is signed in.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffIdentity {
    name: String,
    /// `agent`, `editor` or `admin`.
    role: String,
}

fn cookies(value: &str, max_age: Option<u64>, secure: bool) -> Vec<HeaderValue> {
    STAFF_PATHS
        .iter()
        .filter_map(|path| {
            let mut cookie = format!("{COOKIE}={value}; Path={path}; HttpOnly; SameSite=Strict");
            if let Some(age) = max_age {
                cookie.push_str(&format!("; Max-Age={age}"));
            }
            if secure {
                cookie.push_str("; Secure");
            }
            HeaderValue::from_str(&cookie).ok()
        })
        .collect()
}

/// Behind a proxy that ends TLS, the cookie is marked `Secure`.
fn over_tls(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// Sign a staff page in: checks the token and sets the session cookie.
#[utoipa::path(post, path = "/api/v1/staff/session", tag = "staff", request_body = SignIn,
    responses((status = 200, body = StaffIdentity), (status = 401, body = super::ErrorBody),
        (status = 422, body = super::ErrorBody)))]
async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<SignIn>,
) -> Result<Response, ApiError> {
    let token = body.token.trim();
    // A token is 43 URL-safe base64 characters; anything else can't be one, nor go in a cookie.
    if token.is_empty()
        || token.len() > 200
        || !token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(FieldError::new("token", "invalid_token", "This is not a staff token.").into());
    }
    let member =
        crate::auth::staff::authenticate(&state.store, &SecretToken::from_presented(token))
            .await?
            .ok_or(ApiError::InvalidToken)?;
    let max_age = body.remember.then_some(REMEMBER_SECS);
    let mut response = Json(StaffIdentity {
        name: member.name,
        role: member.role.as_str().to_owned(),
    })
    .into_response();
    for cookie in cookies(token, max_age, over_tls(&headers)) {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    Ok(response)
}

/// Sign out: the session cookie is removed. Revoking the token is `felsok token revoke`.
#[utoipa::path(delete, path = "/api/v1/staff/session", tag = "staff",
    responses((status = 204, description = "signed out")))]
async fn sign_out(headers: HeaderMap) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    for cookie in cookies("", Some(0), over_tls(&headers)) {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    response
}

/// Who the token or session belongs to (any staff role).
#[utoipa::path(get, path = "/api/v1/staff/me", tag = "staff",
    responses((status = 200, body = StaffIdentity), (status = 401, body = super::ErrorBody)),
    security(("bearer" = [])))]
async fn me(staff: Staff) -> Json<StaffIdentity> {
    Json(StaffIdentity {
        name: staff.0.name,
        role: staff.0.role.as_str().to_owned(),
    })
}

/// The session cookie's token, if the request carries one.
pub(super) fn cookie_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == COOKIE && !value.is_empty())
        .map(|(_, value)| value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_http_only_strict_and_only_on_staff_paths() {
        let set = cookies("abc", None, false);
        assert_eq!(set.len(), STAFF_PATHS.len());
        for cookie in &set {
            let cookie = cookie.to_str().unwrap();
            assert!(cookie.contains("HttpOnly; SameSite=Strict"), "{cookie}");
            assert!(!cookie.contains("Path=/;"), "{cookie}");
            assert!(!cookie.contains("conversations"), "{cookie}");
        }
    }

    /// A staff route outside the cookie's paths works with a bearer token but signs the
    /// staff pages out: every route that takes a staff token must be under one of them.
    #[test]
    fn every_staff_route_is_on_the_cookies_paths() {
        use utoipa::OpenApi;
        let doc = super::super::openapi::ApiDoc::openapi();
        for (path, item) in &doc.paths.paths {
            let secured = [&item.get, &item.post, &item.put, &item.delete]
                .into_iter()
                .flatten()
                .any(|op| op.security.as_ref().is_some_and(|s| !s.is_empty()));
            // The conversations take their own token; /metrics is for a scraper, not a page.
            let page_api =
                path.starts_with("/api/v1/") && !path.starts_with("/api/v1/conversations");
            if secured && page_api {
                assert!(
                    STAFF_PATHS.iter().any(|p| path.starts_with(p)),
                    "{path} takes a staff token but the session cookie is not sent there"
                );
            }
        }
    }

    #[test]
    fn the_token_is_read_from_the_cookie_header() {
        let mut headers = HeaderMap::new();
        headers.insert(
            axum::http::header::COOKIE,
            "other=1; felsok_staff=tok-en_1".parse().unwrap(),
        );
        assert_eq!(cookie_token(&headers), Some("tok-en_1"));
    }
}
