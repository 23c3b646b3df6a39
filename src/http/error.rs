//! The one error type of the HTTP API and its mapping to status codes.
//!
//! Turning an error into a response has no side effects: the cause of a 5xx travels in the
//! response's extensions to [`super::middleware::log_failures`], which logs it inside the
//! request's span. Clients only ever see a stable `code` and a readable message.

use std::sync::Arc;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::conversation::ConversationError;
use crate::domain::FieldError;
use crate::storage::StoreError;

/// What a 404 did not find; each has its own stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    Conversation,
    Guide,
    OutageNotice,
    Handoff,
    Cancellation,
    Asset,
    Route,
}

impl Missing {
    fn code(self) -> &'static str {
        match self {
            Self::Conversation => "conversation_not_found",
            Self::Guide => "guide_not_found",
            Self::OutageNotice => "outage_not_found",
            Self::Handoff => "handoff_not_found",
            Self::Cancellation => "cancellation_not_found",
            Self::Asset | Self::Route => "not_found",
        }
    }

    fn message(self) -> &'static str {
        match self {
            // Whether the id exists is not told to a token that does not own it.
            Self::Conversation => "No conversation with this id for this token.",
            Self::Guide => "No such guide.",
            Self::OutageNotice => "No such outage notice.",
            Self::Handoff => "No such handoff.",
            Self::Cancellation => "No such cancellation.",
            Self::Asset => "No such asset.",
            Self::Route => "No such route.",
        }
    }
}

impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Conversation => "conversation",
            Self::Guide => "guide",
            Self::OutageNotice => "outage notice",
            Self::Handoff => "handoff",
            Self::Cancellation => "cancellation",
            Self::Asset => "asset",
            Self::Route => "route",
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body is not JSON at all (syntax, encoding).
    #[error("{0}")]
    MalformedJson(String),
    /// JSON of the wrong shape: wrong types, missing or unknown fields.
    #[error("{0}")]
    InvalidBody(String),
    /// Well-formed input that breaks a rule; every broken rule is listed.
    #[error("invalid fields")]
    InvalidFields(Vec<FieldError>),
    #[error("{0}")]
    BadRequest(String),
    #[error("missing or malformed Authorization header")]
    MissingToken,
    /// A staff token that is unknown or revoked.
    #[error("this token is not valid")]
    InvalidToken,
    #[error("this token's role may not do this")]
    Forbidden,
    /// A guide that breaks the format; every problem is listed with its line.
    #[error("the guide is not valid")]
    InvalidGuide(Vec<crate::knowledge::GuideProblem>),
    #[error("{0}")]
    Conflict(String),
    /// A request that the resource's present state does not allow, with its own code.
    #[error("{message}")]
    StateConflict { code: &'static str, message: String },
    #[error("{0} not found")]
    NotFound(Missing),
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("request body larger than the limit")]
    PayloadTooLarge,
    #[error("expected Content-Type: application/json")]
    UnsupportedMediaType,
    /// A request-rate budget is spent; the client may try again after this many seconds.
    #[error("too many requests")]
    RateLimited { retry_after_secs: u64 },
    /// As many live streams are open as a conversation, client or token may hold.
    #[error("too many live streams")]
    TooManyStreams,
    #[error("the request took too long")]
    Timeout,
    #[error("not ready")]
    NotReady,
    #[error("internal error: {0}")]
    Internal(String),
}

/// The contract's error body: `{"error": {"code", "message"}}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, machine-readable, snake_case.
    pub code: String,
    /// For people; may change wording between versions.
    pub message: String,
    /// For validation errors: each field that was refused and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldProblem>,
    /// For an invalid guide: every problem, with its line in the source where one applies.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<SourceProblem>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SourceProblem {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// Stable, as `POST /api/v1/guides/validate` names it (`unknown_intent`,
    /// `placeholder_address`, `unknown_company_fact`, …).
    pub code: String,
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub code: String,
    pub message: String,
}

/// The internal cause of a 5xx, carried to the logging middleware.
#[derive(Debug, Clone)]
pub struct FailureCause(pub Arc<str>);

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            Self::MalformedJson(_) | Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::InvalidBody(_) | Self::InvalidFields(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::MissingToken | Self::InvalidToken => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::InvalidGuide(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Conflict(_) | Self::StateConflict { .. } => StatusCode::CONFLICT,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::RateLimited { .. } | Self::TooManyStreams => StatusCode::TOO_MANY_REQUESTS,
            Self::Timeout | Self::NotReady => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Self::MalformedJson(_) => "malformed_json",
            Self::InvalidBody(_) => "invalid_body",
            Self::InvalidFields(fields) if fields.len() == 1 => fields[0].code,
            Self::InvalidFields(_) => "invalid_fields",
            Self::BadRequest(_) => "bad_request",
            Self::MissingToken => "missing_token",
            Self::InvalidToken => "invalid_token",
            Self::Forbidden => "forbidden",
            Self::InvalidGuide(_) => "invalid_guide",
            Self::Conflict(_) => "conflict",
            Self::StateConflict { code, .. } => code,
            Self::NotFound(missing) => missing.code(),
            Self::MethodNotAllowed => "method_not_allowed",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::RateLimited { .. } => "rate_limited",
            Self::TooManyStreams => "too_many_streams",
            Self::Timeout => "timeout",
            Self::NotReady => "not_ready",
            Self::Internal(_) => "internal_error",
        }
    }

    fn message(&self) -> String {
        match self {
            Self::InvalidFields(fields) => fields
                .iter()
                .map(|f| f.message.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            Self::InvalidGuide(problems) => format!(
                "The guide was not saved: {}.",
                problems
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            Self::NotFound(missing) => missing.message().to_owned(),
            Self::PayloadTooLarge => {
                "The request body is larger than this service accepts.".to_owned()
            }
            Self::RateLimited { retry_after_secs } => format!(
                "Too many requests in a short time. Please wait {retry_after_secs} s and try again."
            ),
            Self::TooManyStreams => "As many live streams are open as are allowed. Close one \
                                     (another tab or device) and try again."
                .to_owned(),
            Self::Timeout => "The request took too long. Please try again.".to_owned(),
            Self::NotReady => "The service is starting up. Please try again shortly.".to_owned(),
            // Never the internal cause: that is for the logs.
            Self::Internal(_) => "Something went wrong on our side. Please try again.".to_owned(),
            other => other.to_string(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let fields = match &self {
            Self::InvalidFields(fields) => fields
                .iter()
                .map(|f| FieldProblem {
                    field: f.field.to_owned(),
                    code: f.code.to_owned(),
                    message: f.message.clone(),
                })
                .collect(),
            _ => Vec::new(),
        };
        let problems = match &self {
            Self::InvalidGuide(problems) => problems
                .iter()
                .map(|p| SourceProblem {
                    line: p.line,
                    code: p.code.to_owned(),
                    message: p.message.clone(),
                })
                .collect(),
            _ => Vec::new(),
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code().to_owned(),
                message: self.message(),
                fields,
                problems,
            },
        };
        let mut response = (status, Json(body)).into_response();
        if matches!(self, Self::MissingToken | Self::InvalidToken) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Self::RateLimited { retry_after_secs } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        if let Self::Internal(cause) = self {
            response
                .extensions_mut()
                .insert(FailureCause(Arc::from(cause)));
        }
        response
    }
}

impl From<FieldError> for ApiError {
    fn from(error: FieldError) -> Self {
        Self::InvalidFields(vec![error])
    }
}

impl From<Vec<FieldError>> for ApiError {
    fn from(errors: Vec<FieldError>) -> Self {
        Self::InvalidFields(errors)
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        Self::Internal(error.to_string())
    }
}

impl From<ConversationError> for ApiError {
    fn from(error: ConversationError) -> Self {
        match error {
            ConversationError::NotFound => Self::NotFound(Missing::Conversation),
            ConversationError::CancellationNotFound => Self::NotFound(Missing::Cancellation),
            ConversationError::Full { max_messages } => Self::StateConflict {
                code: "conversation_full",
                message: format!(
                    "This conversation has reached {max_messages} messages. Please start a new \
                     one; the transcript of this one stays available."
                ),
            },
            ConversationError::TooManyCancellations { max } => Self::StateConflict {
                code: "too_many_cancellations",
                message: format!(
                    "{max} cancellations from this conversation are already waiting for us. \
                     Each has its receipt; we handle them in order."
                ),
            },
            ConversationError::Store(e) => e.into(),
            ConversationError::Classifier(e) => Self::Internal(e.to_string()),
            ConversationError::Index(e) => Self::Internal(e.to_string()),
        }
    }
}

impl From<crate::handoff::HandoffError> for ApiError {
    fn from(error: crate::handoff::HandoffError) -> Self {
        use crate::handoff::HandoffError;
        match error {
            HandoffError::NotFound => Self::NotFound(Missing::Handoff),
            HandoffError::Conflict(conflict) => Self::StateConflict {
                code: conflict.code(),
                message: conflict.to_string(),
            },
            HandoffError::Invalid(fields) => Self::InvalidFields(fields),
            HandoffError::Conversation(e) => e.into(),
        }
    }
}

impl From<crate::knowledge::EditError> for ApiError {
    fn from(error: crate::knowledge::EditError) -> Self {
        use crate::knowledge::EditError;
        match error {
            EditError::Invalid(problems) => Self::InvalidGuide(problems),
            EditError::NotFound => Self::NotFound(Missing::Guide),
            EditError::BadOutage(message) => Self::InvalidBody(message),
            // Two saves of one guide at the same moment: the later one may try again.
            EditError::Store(StoreError::Database(sqlx::Error::Database(e)))
                if e.is_unique_violation() =>
            {
                Self::Conflict(
                    "The guide was changed at the same moment. Please save again.".to_owned(),
                )
            }
            other => Self::Internal(other.to_string()),
        }
    }
}
