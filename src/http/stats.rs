//! The team's numbers over HTTP (admin). Honest by construction: a conversation that ended
//! in a written cancellation never counts as solved by the bot.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use utoipa::ToSchema;

use super::extract::Staff;
use super::{ApiError, AppState};
use crate::auth::StaffRole;
use crate::conversation::median;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/stats", get(stats))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Stats {
    conversations: i64,
    /// Conversations where the customer said a step worked; never one with a cancellation.
    resolved_by_customer_confirmation: i64,
    cancellations_received: i64,
    /// Handoffs by queue, then by reason, counting every status.
    handed_off_by_queue: BTreeMap<String, BTreeMap<String, i64>>,
    /// Handoffs by status: queued, claimed, resolved.
    handoffs_by_status: BTreeMap<String, i64>,
    /// Median seconds from a handoff being opened to an agent claiming it, over the latest
    /// claims; absent before the first claim.
    #[serde(skip_serializing_if = "Option::is_none")]
    median_wait_seconds: Option<f64>,
}

/// Conversations, solved by the customer's own confirmation, handoffs and cancellations (admin).
#[utoipa::path(get, path = "/api/v1/stats", tag = "operations",
    responses((status = 200, body = Stats), (status = 401, body = super::ErrorBody),
        (status = 403, body = super::ErrorBody)),
    security(("bearer" = [])))]
async fn stats(State(state): State<AppState>, staff: Staff) -> Result<Json<Stats>, ApiError> {
    staff.require(StaffRole::Admin)?;
    let row = state.store.stats().await?;
    let mut handed_off_by_queue: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    let mut handoffs_by_status: BTreeMap<String, i64> = BTreeMap::new();
    for (queue, reason, status, count) in row.handoffs {
        *handed_off_by_queue
            .entry(queue)
            .or_default()
            .entry(reason)
            .or_default() += count;
        *handoffs_by_status.entry(status).or_default() += count;
    }
    Ok(Json(Stats {
        conversations: row.conversations,
        resolved_by_customer_confirmation: row.resolved_by_customer_confirmation,
        cancellations_received: row.cancellations_received,
        handed_off_by_queue,
        handoffs_by_status,
        median_wait_seconds: median(&row.waits_seconds),
    }))
}
