//! The agents' inbox over HTTP: handoffs by queue and status, the full context packet,
//! claiming, answering the customer and resolving. There is no way to delete a handoff.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{AgentStaff, ApiJson, ApiPath, ApiQuery, Staff};
use super::{ApiError, AppState};
use crate::auth::StaffRole;
use crate::conversation::Message;
use crate::domain::{FieldError, HandoffStatus, Locale, MessageText, Queue};
use crate::handoff::{HandoffPacket, ResolveRequest};
use crate::storage::{HandoffCursor, HandoffFilter, LIST_LIMIT};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/agent/handoffs", get(list_handoffs))
        .route("/api/v1/agent/handoffs/{id}", get(read_handoff))
        .route("/api/v1/agent/handoffs/{id}/claim", post(claim_handoff))
        .route("/api/v1/agent/handoffs/{id}/messages", post(send_message))
        .route("/api/v1/agent/handoffs/{id}/move", post(move_handoff))
        .route("/api/v1/agent/handoffs/{id}/release", post(release_handoff))
        .route("/api/v1/agent/handoffs/{id}/resolve", post(resolve_handoff))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// `queued`, `claimed` or `resolved`; all when left out.
    status: Option<String>,
    /// `technical`, `billing`, `cancellation` or `general`; all when left out.
    queue: Option<String>,
    /// The language summaries and banners are written in: `sv` (default) or `en`.
    lang: Option<String>,
    /// The most handoffs on this page: 1 to 500, 100 when left out.
    limit: Option<i64>,
    /// The `next_cursor` of the previous page, for the handoffs after it.
    cursor: Option<String>,
}

/// Handoffs on one page of the list when the client does not say.
const DEFAULT_PAGE: i64 = 100;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LangParams {
    /// The language the summary and banner are written in: `sv` (default) or `en`.
    lang: Option<String>,
}

fn agent_locale(raw: Option<&str>) -> Result<Locale, ApiError> {
    Ok(raw.map(Locale::parse).transpose()?.unwrap_or(Locale::Sv))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HandoffList {
    /// Oldest first, without transcripts.
    handoffs: Vec<HandoffPacket>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

/// Handoffs waiting for, or held by, people (agent).
#[utoipa::path(get, path = "/api/v1/agent/handoffs", tag = "agents", params(ListParams),
    responses((status = 200, body = HandoffList), (status = 401, body = super::ErrorBody),
        (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)),
    security(("bearer" = [])))]
async fn list_handoffs(
    State(state): State<AppState>,
    staff: Staff,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<HandoffList>, ApiError> {
    staff.require(StaffRole::Agent)?;
    let mut problems = Vec::new();
    let status = params.status.as_deref().map(HandoffStatus::parse);
    if status == Some(None) {
        problems.push(FieldError::new(
            "status",
            "unknown_status",
            "Status must be queued, claimed or resolved.",
        ));
    }
    let queue = params.queue.as_deref().map(Queue::parse);
    if queue == Some(None) {
        problems.push(FieldError::new(
            "queue",
            "unknown_queue",
            "Queue must be technical, billing, cancellation or general.",
        ));
    }
    let limit = params.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=LIST_LIMIT).contains(&limit) {
        problems.push(FieldError::new(
            "limit",
            "out_of_range",
            "Limit must be between 1 and 500.",
        ));
    }
    let cursor = match params.cursor.as_deref() {
        Some(raw) => {
            let cursor = HandoffCursor::decode(raw);
            if cursor.is_none() {
                problems.push(FieldError::new(
                    "cursor",
                    "invalid_cursor",
                    "The cursor is not one this list gave out.",
                ));
            }
            cursor
        }
        None => None,
    };
    if !problems.is_empty() {
        return Err(ApiError::InvalidFields(problems));
    }
    let locale = agent_locale(params.lang.as_deref())?;
    let filter = HandoffFilter {
        status: status.flatten(),
        queue: queue.flatten(),
        after: cursor.as_ref(),
        limit,
    };
    let (handoffs, next) = state.handoffs.handoffs(filter, locale).await?;
    Ok(Json(HandoffList {
        handoffs,
        next_cursor: next.map(|c| c.encode()),
    }))
}

/// One handoff with its whole context and transcript (agent).
#[utoipa::path(get, path = "/api/v1/agent/handoffs/{id}", tag = "agents",
    params(("id" = String, Path, description = "handoff id"), LangParams),
    responses((status = 200, body = HandoffPacket), (status = 404, body = super::ErrorBody)),
    security(("bearer" = [])))]
async fn read_handoff(
    State(state): State<AppState>,
    staff: Staff,
    ApiPath(id): ApiPath<String>,
    ApiQuery(params): ApiQuery<LangParams>,
) -> Result<Json<HandoffPacket>, ApiError> {
    staff.require(StaffRole::Agent)?;
    let locale = agent_locale(params.lang.as_deref())?;
    Ok(Json(state.handoffs.handoff(&id, locale).await?))
}

/// Take a queued handoff. Of two agents claiming at once, one gets it and the other 409.
#[utoipa::path(post, path = "/api/v1/agent/handoffs/{id}/claim", tag = "agents",
    params(("id" = String, Path, description = "handoff id"), LangParams),
    responses((status = 200, body = HandoffPacket), (status = 404, body = super::ErrorBody),
        (status = 409, body = super::ErrorBody)),
    security(("bearer" = [])))]
async fn claim_handoff(
    State(state): State<AppState>,
    staff: Staff,
    ApiPath(id): ApiPath<String>,
    ApiQuery(params): ApiQuery<LangParams>,
) -> Result<Json<HandoffPacket>, ApiError> {
    let agent = staff.require(StaffRole::Agent)?;
    let locale = agent_locale(params.lang.as_deref())?;
    Ok(Json(state.handoffs.claim(&id, agent, locale).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentMessageRequest {
    text: String,
}

impl AgentMessageRequest {
    pub(super) fn parse(&self, max: usize) -> Result<MessageText, ApiError> {
        Ok(MessageText::parse(&self.text, max)?)
    }
}

/// Answer the customer in their chat, on a handoff this agent holds.
#[utoipa::path(post, path = "/api/v1/agent/handoffs/{id}/messages", tag = "agents",
    params(("id" = String, Path, description = "handoff id")),
    request_body = AgentMessageRequest,
    responses((status = 201, body = Message), (status = 404, body = super::ErrorBody),
        (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)),
    security(("bearer" = [])))]
async fn send_message(
    State(state): State<AppState>,
    staff: AgentStaff,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<AgentMessageRequest>,
) -> Result<(StatusCode, Json<Message>), ApiError> {
    let agent = &staff.member;
    let text = body.parse(state.limits.max_message_chars)?;
    let message = state.handoffs.message(&id, agent, &text).await?;
    Ok((StatusCode::CREATED, Json(message)))
}

/// Hand a claimed handoff back to its queue, unclaimed, for the next free agent.
#[utoipa::path(post, path = "/api/v1/agent/handoffs/{id}/release", tag = "agents",
    params(("id" = String, Path, description = "handoff id"), LangParams),
    responses((status = 200, body = HandoffPacket), (status = 404, body = super::ErrorBody),
        (status = 409, body = super::ErrorBody)),
    security(("bearer" = [])))]
async fn release_handoff(
    State(state): State<AppState>,
    staff: Staff,
    ApiPath(id): ApiPath<String>,
    ApiQuery(params): ApiQuery<LangParams>,
) -> Result<Json<HandoffPacket>, ApiError> {
    let agent = staff.require(StaffRole::Agent)?;
    let locale = agent_locale(params.lang.as_deref())?;
    Ok(Json(state.handoffs.release(&id, agent, locale).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveBody {
    /// `technical`, `billing` or `general`.
    queue: String,
}

impl MoveBody {
    pub(super) fn queue(&self) -> Result<Queue, ApiError> {
        Queue::parse(&self.queue).ok_or_else(|| {
            ApiError::from(FieldError::new(
                "queue",
                "unknown_queue",
                "Queue must be technical, billing or general.",
            ))
        })
    }
}

/// Pass a handoff, with its whole context, to another queue; it waits there to be claimed.
#[utoipa::path(post, path = "/api/v1/agent/handoffs/{id}/move", tag = "agents",
    params(("id" = String, Path, description = "handoff id"), LangParams),
    request_body = MoveBody,
    responses((status = 200, body = HandoffPacket), (status = 404, body = super::ErrorBody),
        (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)),
    security(("bearer" = [])))]
async fn move_handoff(
    State(state): State<AppState>,
    staff: AgentStaff,
    ApiPath(id): ApiPath<String>,
    ApiQuery(params): ApiQuery<LangParams>,
    ApiJson(body): ApiJson<MoveBody>,
) -> Result<Json<HandoffPacket>, ApiError> {
    let agent = &staff.member;
    let locale = agent_locale(params.lang.as_deref())?;
    let queue = body.queue()?;
    Ok(Json(
        state.handoffs.move_to(&id, agent, queue, locale).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveBody {
    /// For agents only; never shown to the customer.
    note: Option<String>,
    /// `handled` (the default), or for the cancellation queue (where it is required):
    /// for a written cancellation `cancellation_confirmed` or `cancellation_withdrawn` (with a
    /// note on how the customer asked to withdraw it); for a withdrawal (ångerrätt)
    /// `withdrawal_confirmed` or `withdrawal_disputed` (with the reason in the note, which
    /// the customer is told).
    outcome: Option<String>,
    /// `YYYY-MM-DD`, required with `cancellation_confirmed` and `withdrawal_confirmed`: the
    /// day the service ends, told to the customer.
    service_ends_on: Option<String>,
    /// `YYYY-MM-DD`, required with the same outcomes: the date of the last invoice.
    last_invoice_on: Option<String>,
}

impl ResolveBody {
    pub(super) fn into_request(self) -> ResolveRequest {
        ResolveRequest {
            outcome: self.outcome,
            note: self.note,
            service_ends_on: self.service_ends_on,
            last_invoice_on: self.last_invoice_on,
        }
    }
}

/// Close a handoff this agent holds, recording the outcome. The customer is told.
#[utoipa::path(post, path = "/api/v1/agent/handoffs/{id}/resolve", tag = "agents",
    params(("id" = String, Path, description = "handoff id"), LangParams),
    request_body = ResolveBody,
    responses((status = 200, body = HandoffPacket), (status = 404, body = super::ErrorBody),
        (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)),
    security(("bearer" = [])))]
async fn resolve_handoff(
    State(state): State<AppState>,
    staff: AgentStaff,
    ApiPath(id): ApiPath<String>,
    ApiQuery(params): ApiQuery<LangParams>,
    ApiJson(body): ApiJson<ResolveBody>,
) -> Result<Json<HandoffPacket>, ApiError> {
    let agent = &staff.member;
    let locale = agent_locale(params.lang.as_deref())?;
    let request = body.into_request();
    Ok(Json(
        state.handoffs.resolve(&id, agent, &request, locale).await?,
    ))
}
