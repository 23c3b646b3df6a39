//! A customer's data over HTTP (admin): export it, or erase it. Who the customer is travels in
//! the body, never in the URL, so it stays out of access logs along the way.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::{AdminStaff, ApiJson};
use super::{ApiError, AppState};
use crate::conversation::privacy::{self, CustomerExport};
use crate::domain::FieldError;
use crate::storage::DataSubject;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/customers/export", post(export))
        .route("/api/v1/admin/customers/erase", post(erase))
}

/// Whose data: conversations matching any of the fields are included.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubjectRequest {
    customer_number: Option<String>,
    email: Option<String>,
    conversation_id: Option<String>,
}

impl TryFrom<SubjectRequest> for DataSubject {
    type Error = ApiError;

    fn try_from(request: SubjectRequest) -> Result<Self, ApiError> {
        let clean = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let subject = DataSubject {
            customer_number: clean(request.customer_number),
            email: clean(request.email),
            conversation_id: clean(request.conversation_id),
        };
        if subject.is_empty() {
            return Err(FieldError::new(
                "customer_number",
                "subject_missing",
                "Give a customer_number, an email or a conversation_id.",
            )
            .into());
        }
        Ok(subject)
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErasureReport {
    /// Conversations removed entirely.
    deleted: u64,
    /// Conversations emptied but kept for the written cancellations they hold.
    kept_for_cancellations: u64,
}

/// Everything kept about a customer (admin).
#[utoipa::path(post, path = "/api/v1/admin/customers/export", tag = "operations",
    request_body = SubjectRequest,
    responses((status = 200, body = CustomerExport), (status = 401, body = super::ErrorBody),
        (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)),
    security(("bearer" = [])))]
async fn export(
    State(state): State<AppState>,
    staff: AdminStaff,
    ApiJson(request): ApiJson<SubjectRequest>,
) -> Result<Json<CustomerExport>, ApiError> {
    let admin = &staff.member;
    let subject = DataSubject::try_from(request)?;
    let export = privacy::export(&state.store, &subject).await?;
    tracing::info!(staff_id = %admin.id, conversations = export.conversations.len(), "customer data exported");
    Ok(Json(export))
}

/// Erases a customer's conversations, keeping only written cancellations (admin).
#[utoipa::path(post, path = "/api/v1/admin/customers/erase", tag = "operations",
    request_body = SubjectRequest,
    responses((status = 200, body = ErasureReport), (status = 401, body = super::ErrorBody),
        (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)),
    security(("bearer" = [])))]
async fn erase(
    State(state): State<AppState>,
    staff: AdminStaff,
    ApiJson(request): ApiJson<SubjectRequest>,
) -> Result<Json<ErasureReport>, ApiError> {
    let admin = &staff.member;
    let subject = DataSubject::try_from(request)?;
    let erased = privacy::erase(&state.store, &subject).await?;
    tracing::info!(staff_id = %admin.id, deleted = erased.deleted, kept = erased.kept_for_cancellations, "customer data erased");
    Ok(Json(ErasureReport {
        deleted: erased.deleted,
        kept_for_cancellations: erased.kept_for_cancellations,
    }))
}
