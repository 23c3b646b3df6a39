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
use crate::conversation::{
    CallbackFacts, CustomerInput, Message, StartConversation, Transcript, Waiting, WrittenRequest,
};
use crate::dialogue::Action;
use crate::domain::{
    CallbackRequest, CancellationFields, CancellationForm, Channel, ClientMessageId,
    CustomerDetails, FieldError, Locale, MessageText, WithdrawalFields, WithdrawalForm,
};
use crate::timestamp::Timestamp;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/conversations", post(create_conversation))
        .route("/api/v1/conversations/{id}", get(read_conversation))
        .route("/api/v1/conversations/{id}/messages", post(post_message))
        .route("/api/v1/conversations/{id}/transcript", get(transcript))
        .route(
            "/api/v1/conversations/{id}/cancellation",
            post(submit_cancellation),
        )
        .route(
            "/api/v1/conversations/{id}/cancellation/review",
            post(review_cancellation),
        )
        .route(
            "/api/v1/conversations/{id}/withdrawal",
            post(submit_withdrawal),
        )
        .route(
            "/api/v1/conversations/{id}/withdrawal/review",
            post(review_withdrawal),
        )
        .route(
            "/api/v1/conversations/{id}/cancellations/{reference}/receipt",
            get(cancellation_receipt),
        )
        .route(
            "/api/v1/conversations/{id}/callback",
            post(request_callback),
        )
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
    pub(super) fn parse(self) -> Result<StartConversation, ApiError> {
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

impl PostMessage {
    /// The message and its retry key, or every field that was refused.
    pub(super) fn parse(
        &self,
        max: usize,
    ) -> Result<(CustomerInput, Option<ClientMessageId>), ApiError> {
        let mut errors = Vec::new();
        let input = match (self.text.as_deref(), self.action.as_deref()) {
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
        let client_message_id = self
            .client_message_id
            .as_deref()
            .map(ClientMessageId::parse)
            .transpose()
            .unwrap_or_else(|e| {
                errors.push(e);
                None
            });
        match input.filter(|_| errors.is_empty()) {
            Some(input) => Ok((input, client_message_id)),
            None => Err(errors.into()),
        }
    }
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
    let (input, client_message_id) = body.parse(state.limits.max_message_chars)?;
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
    /// While waiting for a person: the place in the queue and, when recent waits allow, an
    /// estimate.
    #[serde(skip_serializing_if = "Option::is_none")]
    waiting: Option<Waiting>,
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
        waiting: view.waiting,
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

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancellationRequest {
    /// Which subscription to cancel, in the customer's words.
    service: Option<String>,
    /// Required.
    full_name: Option<String>,
    customer_number: Option<String>,
    /// A copy of the receipt goes here when the service sends e-mail.
    email: Option<String>,
    /// `YYYY-MM-DD`, today or later; left out: as soon as the notice period allows.
    end_date: Option<String>,
    comment: Option<String>,
    /// When cancelling someone else's subscription: the holder's full name. Sent together
    /// with `relation`.
    holder_name: Option<String>,
    /// `estate` (for someone who has died), `guardian` (god man, förvaltare) or
    /// `power_of_attorney` (fullmakt).
    relation: Option<String>,
}

impl CancellationRequest {
    pub(super) fn parse(&self) -> Result<CancellationForm, ApiError> {
        CancellationForm::parse(
            CancellationFields {
                service: self.service.as_deref(),
                full_name: self.full_name.as_deref(),
                customer_number: self.customer_number.as_deref(),
                email: self.email.as_deref(),
                end_date: self.end_date.as_deref(),
                comment: self.comment.as_deref(),
                holder_name: self.holder_name.as_deref(),
                relation: self.relation.as_deref(),
            },
            Timestamp::now().swedish_date(),
        )
        .map_err(ApiError::from)
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CancellationAnswer {
    /// Quote this reference in any contact about the cancellation.
    reference: String,
    #[schema(value_type = String, format = DateTime)]
    received_at: Timestamp,
    /// The full receipt: everything that was sent, the reference and the time received.
    receipt: String,
    /// The receipt as it appears in the conversation, when it was just created.
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Message>,
}

/// Cancel a subscription in writing. Stored durably, with a receipt message in the
/// conversation and a handoff in the cancellation queue, before the answer. Sending the same
/// form again returns the first receipt (200) and stores nothing new.
#[utoipa::path(
    post, path = "/api/v1/conversations/{id}/cancellation", tag = "conversations",
    params(("id" = String, Path, description = "conversation id")),
    request_body = CancellationRequest,
    security(("conversation_token" = [])),
    responses(
        (status = 201, body = CancellationAnswer, description = "received"),
        (status = 200, body = CancellationAnswer, description = "the same request was received before"),
        (status = 401, body = super::ErrorBody), (status = 404, body = super::ErrorBody),
        (status = 415, body = super::ErrorBody), (status = 422, body = super::ErrorBody),
    )
)]
async fn submit_cancellation(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    BearerToken(token): BearerToken,
    ApiJson(body): ApiJson<CancellationRequest>,
) -> Result<(StatusCode, Json<CancellationAnswer>), ApiError> {
    state.conversations.ensure_owner(&id, &token).await?;
    let form = body.parse()?;
    let receipt = state
        .conversations
        .submit_request(&id, &token, WrittenRequest::Cancellation(&form))
        .await?;
    let status = created_or_repeated(receipt.created);
    Ok((
        status,
        Json(CancellationAnswer {
            reference: receipt.reference,
            received_at: receipt.received_at,
            receipt: receipt.receipt,
            message: receipt.message,
        }),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CancellationReview {
    /// What the customer is about to send, to confirm before the final submit.
    review: String,
}

/// Check a cancellation before sending it (the first of two steps): the same validation, a
/// summary to confirm, and nothing stored.
#[utoipa::path(
    post, path = "/api/v1/conversations/{id}/cancellation/review", tag = "conversations",
    params(("id" = String, Path, description = "conversation id")),
    request_body = CancellationRequest,
    security(("conversation_token" = [])),
    responses(
        (status = 200, body = CancellationReview),
        (status = 401, body = super::ErrorBody), (status = 404, body = super::ErrorBody),
        (status = 422, body = super::ErrorBody),
    )
)]
async fn review_cancellation(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    BearerToken(token): BearerToken,
    ApiJson(body): ApiJson<CancellationRequest>,
) -> Result<Json<CancellationReview>, ApiError> {
    state.conversations.ensure_owner(&id, &token).await?;
    let form = body.parse()?;
    let review = state
        .conversations
        .review_request(&id, &token, WrittenRequest::Cancellation(&form))
        .await?;
    Ok(Json(CancellationReview { review }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawalRequest {
    /// Required: the name of the person withdrawing.
    full_name: Option<String>,
    /// Required: which contract, in the customer's words or its number.
    contract: Option<String>,
    /// Required, `YYYY-MM-DD`: the day the contract was made, not in the future.
    contract_date: Option<String>,
    customer_number: Option<String>,
    /// Where the confirmation is sent when the service sends e-mail.
    email: Option<String>,
    comment: Option<String>,
}

impl WithdrawalRequest {
    pub(super) fn parse(&self) -> Result<WithdrawalForm, ApiError> {
        WithdrawalForm::parse(
            WithdrawalFields {
                full_name: self.full_name.as_deref(),
                contract: self.contract.as_deref(),
                contract_date: self.contract_date.as_deref(),
                customer_number: self.customer_number.as_deref(),
                email: self.email.as_deref(),
                comment: self.comment.as_deref(),
            },
            Timestamp::now().swedish_date(),
        )
        .map_err(ApiError::from)
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WithdrawalAnswer {
    /// `ÅN-YYMMDD-XXXXXX`: quote it in any contact about the withdrawal.
    reference: String,
    #[schema(value_type = String, format = DateTime)]
    received_at: Timestamp,
    /// The acknowledgement on a durable medium: the statement, every field, the reference
    /// and the time received.
    receipt: String,
    /// `YYYY-MM-DD`: the last day of the withdrawal period, counted from the contract date.
    last_day: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Message>,
}

/// Withdraw from a contract (ångerrätt, Article 11a of the Consumer Rights Directive): the
/// "confirm withdrawal" step. Stored durably, with the receipt in the conversation and a
/// handoff in the cancellation queue, before the answer. The same form again returns the
/// first receipt (200) and stores nothing new.
#[utoipa::path(
    post, path = "/api/v1/conversations/{id}/withdrawal", tag = "conversations",
    params(("id" = String, Path, description = "conversation id")),
    request_body = WithdrawalRequest,
    security(("conversation_token" = [])),
    responses(
        (status = 201, body = WithdrawalAnswer, description = "received"),
        (status = 200, body = WithdrawalAnswer, description = "the same withdrawal was received before"),
        (status = 401, body = super::ErrorBody), (status = 404, body = super::ErrorBody),
        (status = 415, body = super::ErrorBody), (status = 422, body = super::ErrorBody),
    )
)]
async fn submit_withdrawal(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    BearerToken(token): BearerToken,
    ApiJson(body): ApiJson<WithdrawalRequest>,
) -> Result<(StatusCode, Json<WithdrawalAnswer>), ApiError> {
    state.conversations.ensure_owner(&id, &token).await?;
    let form = body.parse()?;
    let receipt = state
        .conversations
        .submit_request(&id, &token, WrittenRequest::Withdrawal(&form))
        .await?;
    let status = created_or_repeated(receipt.created);
    Ok((
        status,
        Json(WithdrawalAnswer {
            reference: receipt.reference,
            received_at: receipt.received_at,
            receipt: receipt.receipt,
            last_day: receipt
                .last_day
                .unwrap_or_else(|| crate::domain::iso_date(form.last_day())),
            message: receipt.message,
        }),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WithdrawalReview {
    /// What the customer is about to send, to confirm before the final step.
    review: String,
    /// `YYYY-MM-DD`: the last day of the withdrawal period.
    last_day: String,
}

/// Check a withdrawal before sending it (the first of two steps): the same validation, a
/// summary to confirm with the last day, and nothing stored.
#[utoipa::path(
    post, path = "/api/v1/conversations/{id}/withdrawal/review", tag = "conversations",
    params(("id" = String, Path, description = "conversation id")),
    request_body = WithdrawalRequest,
    security(("conversation_token" = [])),
    responses(
        (status = 200, body = WithdrawalReview),
        (status = 401, body = super::ErrorBody), (status = 404, body = super::ErrorBody),
        (status = 422, body = super::ErrorBody),
    )
)]
async fn review_withdrawal(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    BearerToken(token): BearerToken,
    ApiJson(body): ApiJson<WithdrawalRequest>,
) -> Result<Json<WithdrawalReview>, ApiError> {
    state.conversations.ensure_owner(&id, &token).await?;
    let form = body.parse()?;
    let review = state
        .conversations
        .review_request(&id, &token, WrittenRequest::Withdrawal(&form))
        .await?;
    Ok(Json(WithdrawalReview {
        review,
        last_day: crate::domain::iso_date(form.last_day()),
    }))
}

/// Download one cancellation receipt as a text file the customer keeps.
#[utoipa::path(
    get, path = "/api/v1/conversations/{id}/cancellations/{reference}/receipt",
    tag = "conversations",
    params(("id" = String, Path, description = "conversation id"),
        ("reference" = String, Path, description = "the receipt's reference")),
    security(("conversation_token" = [])),
    responses((status = 200, content_type = "text/plain"), (status = 404, body = super::ErrorBody))
)]
async fn cancellation_receipt(
    State(state): State<AppState>,
    ApiPath((id, reference)): ApiPath<(String, String)>,
    BearerToken(token): BearerToken,
) -> Result<impl IntoResponse, ApiError> {
    let receipt = state
        .conversations
        .cancellation_receipt(&id, &token, &reference)
        .await?;
    // Header values are ASCII: "ÅN-…" is named "AN-…" for the download.
    let file = format!(
        "attachment; filename=\"felsok-{}.txt\"",
        receipt.reference.replace('Å', "A")
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, file),
        ],
        receipt.receipt,
    ))
}

/// A call-back request: the number to call and when the customer can take the call.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallbackBody {
    /// Swedish numbers as people write them ("070-123 45 67"), others with the country code.
    phone: Option<String>,
    /// Start of the window, RFC 3339 with offset: `2026-12-02T14:00:00+01:00`.
    from: Option<String>,
    /// End of the window: at least 30 minutes after `from`, at most 12 hours.
    to: Option<String>,
}

impl CallbackBody {
    pub(super) fn parse(&self) -> Result<CallbackRequest, ApiError> {
        if let (Some(phone), Some(from), Some(to)) = (&self.phone, &self.from, &self.to) {
            return Ok(CallbackRequest::parse(phone, from, to, Timestamp::now())?);
        }
        let missing: Vec<FieldError> = [
            ("phone", &self.phone),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .into_iter()
        .filter(|(_, value)| value.is_none())
        .map(|(field, _)| FieldError::new(field, "required", format!("{field} is required.")))
        .collect();
        Err(missing.into())
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CallbackAnswer {
    callback: CallbackFacts,
    /// The confirmation in the conversation (and the place in the queue, when the request
    /// opened the handoff); empty when the same request was received before.
    messages: Vec<Message>,
}

/// Ask to be phoned instead of waiting in the chat. Joins the open handoff, or opens one;
/// a new request replaces the earlier one, and the same request again changes nothing.
#[utoipa::path(
    post, path = "/api/v1/conversations/{id}/callback", tag = "conversations",
    params(("id" = String, Path, description = "conversation id")),
    request_body = CallbackBody,
    security(("conversation_token" = [])),
    responses(
        (status = 201, body = CallbackAnswer, description = "requested"),
        (status = 200, body = CallbackAnswer, description = "the same request was received before"),
        (status = 401, body = super::ErrorBody), (status = 404, body = super::ErrorBody),
        (status = 415, body = super::ErrorBody), (status = 422, body = super::ErrorBody),
    )
)]
async fn request_callback(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    BearerToken(token): BearerToken,
    ApiJson(body): ApiJson<CallbackBody>,
) -> Result<(StatusCode, Json<CallbackAnswer>), ApiError> {
    state.conversations.ensure_owner(&id, &token).await?;
    let request = body.parse()?;
    let receipt = state
        .conversations
        .request_callback(&id, &token, &request)
        .await?;
    let status = created_or_repeated(receipt.created);
    Ok((
        status,
        Json(CallbackAnswer {
            callback: receipt.callback,
            messages: receipt.messages,
        }),
    ))
}

/// 201 for what was stored just now, 200 for a repeat that stored nothing new.
fn created_or_repeated(created: bool) -> StatusCode {
    if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    }
}
