//! The customer side of the contract: `/api/v1/conversations/...`.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{ApiJson, ApiPath, ApiQuery, BearerToken, OptionalJson};
use super::{ApiError, AppState};
use crate::conversation::{CustomerInput, Message, StartConversation, Transcript};
use crate::dialogue::Action;
use crate::domain::{Channel, ClientMessageId, CustomerDetails, FieldError, Locale, MessageText};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/conversations", post(create_conversation))
        .route("/api/v1/conversations/{id}", get(read_conversation))
        .route("/api/v1/conversations/{id}/messages", post(post_message))
        .route("/api/v1/conversations/{id}/transcript", get(transcript))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerInfo {
    name: Option<String>,
    customer_number: Option<String>,
    email: Option<String>,
    /// Swedish postcode of the address the service is delivered to ("123 45").
    postcode: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateConversation {
    /// `sv` (default) or `en`; regional tags such as `sv-SE` are accepted.
    locale: Option<String>,
    /// `web` (default) or `app`.
    channel: Option<String>,
    customer: Option<CustomerInfo>,
}

impl CreateConversation {
    fn parse(self) -> Result<StartConversation, ApiError> {
        let mut errors: Vec<FieldError> = Vec::new();
        let locale = self
            .locale
            .as_deref()
            .map(Locale::parse)
            .transpose()
            .unwrap_or_else(|e| {
                errors.push(e);
                None
            });
        let channel = self
            .channel
            .as_deref()
            .map(Channel::parse)
            .transpose()
            .unwrap_or_else(|e| {
                errors.push(e);
                None
            });
        let customer = self.customer.unwrap_or_default();
        let customer = CustomerDetails::parse(
            customer.name.as_deref(),
            customer.customer_number.as_deref(),
            customer.email.as_deref(),
            customer.postcode.as_deref(),
        )
        .unwrap_or_else(|mut e| {
            errors.append(&mut e);
            CustomerDetails::default()
        });
        if !errors.is_empty() {
            return Err(errors.into());
        }
        Ok(StartConversation {
            locale: locale.unwrap_or_default(),
            channel: channel.unwrap_or_default(),
            customer,
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationCreated {
    conversation_id: String,
    /// The conversation's secret: send it as `Authorization: Bearer <token>`. Shown only once.
    token: String,
    messages: Vec<Message>,
}

/// Start a conversation; the answer holds the greeting.
#[utoipa::path(
    post, path = "/api/v1/conversations", tag = "conversations",
    request_body(content = Option<CreateConversation>, description = "All fields optional; the body may be left out."),
    responses(
        (status = 201, body = ConversationCreated),
        (status = 400, body = super::ErrorBody), (status = 413, body = super::ErrorBody),
        (status = 415, body = super::ErrorBody), (status = 422, body = super::ErrorBody),
    )
)]
async fn create_conversation(
    State(state): State<AppState>,
    OptionalJson(body): OptionalJson<CreateConversation>,
) -> Result<(StatusCode, Json<ConversationCreated>), ApiError> {
    let request = body.parse()?;
    let started = state.conversations.start(request).await?;
    Ok((
        StatusCode::CREATED,
        Json(ConversationCreated {
            conversation_id: started.conversation_id,
            token: started.token.expose().to_owned(),
            messages: started.messages,
        }),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostMessage {
    /// What the customer wrote (1 to 4,000 characters). Give either `text` or `action`.
    text: Option<String>,
    /// The `id` of a button from an earlier message.
    action: Option<String>,
    /// Any unique key from the client; a retry with the same key returns the first answer.
    client_message_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessagesAnswer {
    messages: Vec<Message>,
}

/// Send a message (text or a button's action); the answer holds the replies, in order.
#[utoipa::path(
    post, path = "/api/v1/conversations/{id}/messages", tag = "conversations",
    params(("id" = String, Path, description = "conversation id")),
    request_body = PostMessage,
    security(("conversation_token" = [])),
    responses(
        (status = 200, body = MessagesAnswer),
        (status = 400, body = super::ErrorBody), (status = 401, body = super::ErrorBody),
        (status = 404, body = super::ErrorBody), (status = 413, body = super::ErrorBody),
        (status = 415, body = super::ErrorBody), (status = 422, body = super::ErrorBody),
    )
)]
async fn post_message(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    BearerToken(token): BearerToken,
    ApiJson(body): ApiJson<PostMessage>,
) -> Result<Json<MessagesAnswer>, ApiError> {
    let max = state.limits.max_message_chars;
    let mut errors = Vec::new();
    let input = match (body.text.as_deref(), body.action.as_deref()) {
        (Some(text), None) => MessageText::parse(text, max)
            .map(CustomerInput::Text)
            .map_err(|e| errors.push(e))
            .ok(),
        (None, Some(action)) => match Action::parse(action) {
            Some(action) => Some(CustomerInput::Action(action)),
            None => {
                errors.push(FieldError::new(
                    "action",
                    "unknown_action",
                    format!("There is no action {action:?}."),
                ));
                None
            }
        },
        _ => {
            errors.push(FieldError::new(
                "text",
                "text_or_action",
                "Give either \"text\" or \"action\", not both and not neither.",
            ));
            None
        }
    };
    let client_message_id = body
        .client_message_id
        .as_deref()
        .map(ClientMessageId::parse)
        .transpose()
        .unwrap_or_else(|e| {
            errors.push(e);
            None
        });
    let Some(input) = input.filter(|_| errors.is_empty()) else {
        return Err(errors.into());
    };
    let messages = state
        .conversations
        .post(&id, &token, input, client_message_id)
        .await?;
    Ok(Json(MessagesAnswer { messages }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationAnswer {
    conversation_id: String,
    /// `bot`, `queued`, `agent` or `closed`.
    status: String,
    locale: Locale,
    messages: Vec<Message>,
}

/// Read a conversation with all its messages.
#[utoipa::path(
    get, path = "/api/v1/conversations/{id}", tag = "conversations",
    params(("id" = String, Path, description = "conversation id")),
    security(("conversation_token" = [])),
    responses(
        (status = 200, body = ConversationAnswer),
        (status = 401, body = super::ErrorBody), (status = 404, body = super::ErrorBody),
    )
)]
async fn read_conversation(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    BearerToken(token): BearerToken,
) -> Result<Json<ConversationAnswer>, ApiError> {
    let view = state.conversations.read(&id, &token).await?;
    Ok(Json(ConversationAnswer {
        conversation_id: view.conversation_id,
        status: view.status.as_str().to_owned(),
        locale: view.locale,
        messages: view.messages,
    }))
}

#[derive(Debug, Default, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TranscriptFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TranscriptQuery {
    /// `text` (default) or `json`.
    #[serde(default)]
    format: TranscriptFormat,
}

/// Download the whole conversation as a file the customer keeps as evidence.
#[utoipa::path(
    get, path = "/api/v1/conversations/{id}/transcript", tag = "conversations",
    params(("id" = String, Path, description = "conversation id"), TranscriptQuery),
    security(("conversation_token" = [])),
    responses(
        (status = 200, description = "an attachment: text/plain or application/json", body = Transcript),
        (status = 400, body = super::ErrorBody), (status = 401, body = super::ErrorBody),
        (status = 404, body = super::ErrorBody),
    )
)]
async fn transcript(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<TranscriptQuery>,
    BearerToken(token): BearerToken,
) -> Result<Response, ApiError> {
    let view = state.conversations.read(&id, &token).await?;
    let transcript = Transcript::from(view);
    let short_id: String = transcript.conversation_id.chars().take(36).collect();
    let (body, content_type, extension) = match query.format {
        TranscriptFormat::Text => (transcript.to_text(), "text/plain; charset=utf-8", "txt"),
        TranscriptFormat::Json => (
            serde_json::to_string_pretty(&transcript)
                .map_err(|e| ApiError::Internal(e.to_string()))?,
            "application/json",
            "json",
        ),
    };
    let disposition = format!("attachment; filename=\"felsok-{short_id}.{extension}\"");
    let disposition =
        HeaderValue::from_str(&disposition).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}
