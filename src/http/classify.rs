//! `POST /api/v1/classify`: what the classifier makes of a text.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::ToSchema;

use super::extract::{ApiJson, ClientAddress};
use super::{ApiError, AppState};
use crate::classifier::decision::Classification;
use crate::domain::{Locale, MessageText};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/classify", post(classify))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassifyRequest {
    /// The text to classify (1 to 4,000 characters).
    text: String,
    /// `sv` or `en`; guessed from the text when left out.
    locale: Option<String>,
}

impl ClassifyRequest {
    pub(super) fn parse(&self, max: usize) -> Result<(MessageText, Option<Locale>), ApiError> {
        let text = MessageText::parse(&self.text, max)?;
        let locale = self.locale.as_deref().map(Locale::parse).transpose()?;
        Ok((text, locale))
    }
}

/// Classify a text: intent, calibrated confidence, top-3 ranking and the cancellation flag.
#[utoipa::path(
    post, path = "/api/v1/classify", tag = "classification",
    request_body = ClassifyRequest,
    responses(
        (status = 200, body = Classification),
        (status = 400, body = super::ErrorBody), (status = 415, body = super::ErrorBody),
        (status = 422, body = super::ErrorBody), (status = 429, body = super::ErrorBody),
    )
)]
async fn classify(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    ApiJson(body): ApiJson<ClassifyRequest>,
) -> Result<Json<Classification>, ApiError> {
    let (text, locale) = body.parse(state.limits.max_message_chars)?;
    // A long text costs the encoder more than a short one, so it costs more of the budget.
    state
        .rate_limiter
        .charge_text(client, text.as_str().chars().count())?;
    let classification = state
        .conversations
        .classifier()
        .classify(text.as_str(), locale)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(Json(classification))
}
