//! Every JSON request body, read and validated exactly as its handler does, without a server.
//!
//! This exists for hostile-input testing: the fuzz targets in `tests/fuzz` and the corpus
//! replay in `tests/in_process/hostile_input.rs` feed arbitrary bytes through the same extractor and
//! validation code the routes run, and check that the answer is a well-formed client error.

use axum::http::StatusCode;
use axum::response::IntoResponse;
use http_body_util::BodyExt;

use super::extract::parse_json;
use super::{agent, classify, conversations, customers, guides, ApiError};
use crate::config::Limits;
use crate::domain::Queue;
use crate::storage::DataSubject;

/// The routes' request bodies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestBody {
    CreateConversation,
    PostMessage,
    Cancellation,
    Withdrawal,
    Callback,
    Classify,
    AgentMessage,
    MoveHandoff,
    ResolveHandoff,
    CustomerSubject,
    CreateOutage,
}

impl RequestBody {
    pub const ALL: [Self; 11] = [
        Self::CreateConversation,
        Self::PostMessage,
        Self::Cancellation,
        Self::Withdrawal,
        Self::Callback,
        Self::Classify,
        Self::AgentMessage,
        Self::MoveHandoff,
        Self::ResolveHandoff,
        Self::CustomerSubject,
        Self::CreateOutage,
    ];
}

/// Reads `bytes` as `body` and validates it with the default limits. `Ok` means the handler
/// would go on to act on the request.
pub fn check(body: RequestBody, bytes: &[u8]) -> Result<(), ApiError> {
    let max = Limits::default().max_message_chars;
    match body {
        RequestBody::CreateConversation => {
            // The route accepts an empty body as "all defaults".
            if bytes.iter().all(u8::is_ascii_whitespace) {
                return Ok(());
            }
            parse_json::<conversations::CreateConversation>(bytes)?
                .parse()
                .map(drop)
        }
        RequestBody::PostMessage => parse_json::<conversations::PostMessage>(bytes)?
            .parse(max)
            .map(drop),
        RequestBody::Cancellation => parse_json::<conversations::CancellationRequest>(bytes)?
            .parse()
            .map(drop),
        RequestBody::Withdrawal => parse_json::<conversations::WithdrawalRequest>(bytes)?
            .parse()
            .map(drop),
        RequestBody::Callback => parse_json::<conversations::CallbackBody>(bytes)?
            .parse()
            .map(drop),
        RequestBody::Classify => parse_json::<classify::ClassifyRequest>(bytes)?
            .parse(max)
            .map(drop),
        RequestBody::AgentMessage => parse_json::<agent::AgentMessageRequest>(bytes)?
            .parse(max)
            .map(drop),
        RequestBody::MoveHandoff => parse_json::<agent::MoveBody>(bytes)?.queue().map(drop),
        RequestBody::ResolveHandoff => {
            let request = parse_json::<agent::ResolveBody>(bytes)?.into_request();
            // Which outcomes are allowed depends on the handoff's queue; try them all.
            for queue in [Queue::Technical, Queue::Billing, Queue::Cancellation] {
                request.check(queue, None).map_err(ApiError::from)?;
            }
            request
                .check(
                    Queue::Cancellation,
                    Some(crate::domain::RequestKind::Withdrawal),
                )
                .map_err(ApiError::from)?;
            Ok(())
        }
        RequestBody::CustomerSubject => {
            DataSubject::try_from(parse_json::<customers::SubjectRequest>(bytes)?).map(drop)
        }
        RequestBody::CreateOutage => parse_json::<guides::CreateOutage>(bytes)?.times().map(drop),
    }
}

/// The status and JSON body a client would receive for `error`.
pub fn rendered(error: ApiError) -> (StatusCode, Result<serde_json::Value, String>) {
    let response = error.into_response();
    let status = response.status();
    let bytes = futures::executor::block_on(response.into_body().collect())
        .map(|collected| collected.to_bytes())
        .map_err(|e| e.to_string());
    let body = bytes.and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()));
    (status, body)
}
