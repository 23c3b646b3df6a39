//! The webhook delivery log over HTTP (admin): what was sent to the help desk, how often it
//! was tried, and what the desk answered.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use utoipa::ToSchema;

use super::extract::Staff;
use super::{ApiError, AppState};
use crate::auth::StaffRole;
use crate::storage::WebhookDelivery;

/// The log shows the latest deliveries, newest first.
const LOG_LENGTH: i64 = 200;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/admin/webhook-deliveries", get(deliveries))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryLog {
    deliveries: Vec<WebhookDelivery>,
}

/// The latest webhook deliveries, newest first (admin).
#[utoipa::path(get, path = "/api/v1/admin/webhook-deliveries", tag = "operations",
    responses((status = 200, body = DeliveryLog), (status = 401, body = super::ErrorBody),
        (status = 403, body = super::ErrorBody)),
    security(("bearer" = [])))]
async fn deliveries(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Json<DeliveryLog>, ApiError> {
    staff.require(StaffRole::Admin)?;
    let deliveries = state.store.webhook_deliveries(LOG_LENGTH).await?;
    Ok(Json(DeliveryLog { deliveries }))
}
