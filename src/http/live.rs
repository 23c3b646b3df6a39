//! Live updates over Server-Sent Events: a customer's chat (new messages, status changes)
//! and an agent's inbox (handoffs and the messages in them). Every replica serves both, for
//! changes made on any replica.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use axum::Router;
use futures::Stream;
use serde::Deserialize;
use tokio::sync::{broadcast, watch};
use utoipa::IntoParams;

use super::extract::{ApiPath, ApiQuery, BearerToken, Staff};
use super::{ApiError, AppState};
use crate::auth::StaffRole;
use crate::conversation::Conversations;
use crate::dialogue::ConversationStatus;
use crate::domain::Locale;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/conversations/{id}/events",
            get(conversation_events),
        )
        .route("/api/v1/agent/events", get(agent_events))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AfterParams {
    /// Send messages after this one (the `id` of an earlier `message` event); by default only
    /// what comes from now on. A `Last-Event-ID` header does the same on reconnect.
    after: Option<i64>,
}

/// What one stream waits on: changes to conversations, and the service stopping.
struct Feed {
    changes: broadcast::Receiver<Arc<str>>,
    closing: watch::Receiver<bool>,
}

enum Heard {
    /// A conversation changed (or, after falling behind, perhaps any did).
    Changed(Option<Arc<str>>),
    Stopping,
}

impl Feed {
    async fn next(&mut self) -> Heard {
        tokio::select! {
            change = self.changes.recv() => match change {
                Ok(id) => Heard::Changed(Some(id)),
                Err(broadcast::error::RecvError::Lagged(_)) => Heard::Changed(None),
                Err(broadcast::error::RecvError::Closed) => Heard::Stopping,
            },
            _ = self.closing.wait_for(|closing| *closing) => Heard::Stopping,
        }
    }
}

fn json_event(name: &'static str, data: &impl serde::Serialize) -> Event {
    Event::default()
        .event(name)
        .json_data(data)
        .unwrap_or_else(|_| Event::default().event("error"))
}

struct ChatStream {
    conversations: Conversations,
    id: String,
    feed: Feed,
    last_seq: i64,
    status: Option<ConversationStatus>,
    pending: VecDeque<Event>,
    /// Read from the database before waiting: at the start, missed messages are sent.
    stale: bool,
}

impl ChatStream {
    async fn next_event(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Some(event);
            }
            if !self.stale {
                match self.feed.next().await {
                    Heard::Changed(Some(id)) if *id != *self.id => continue,
                    Heard::Changed(_) => {}
                    Heard::Stopping => return None,
                }
            }
            self.stale = false;
            let update = match self
                .conversations
                .update_since(&self.id, self.last_seq)
                .await
            {
                Ok(update) => update,
                Err(error) => {
                    tracing::warn!(%error, "live update failed; ending the stream");
                    return None;
                }
            };
            for (seq, message) in update.messages {
                self.last_seq = seq;
                self.pending
                    .push_back(json_event("message", &message).id(seq.to_string()));
            }
            if self.status != Some(update.status) {
                self.status = Some(update.status);
                self.pending.push_back(json_event(
                    "status",
                    &serde_json::json!({"status": update.status.as_str()}),
                ));
            }
        }
    }
}

/// The customer's chat as it happens: `message` events (with the message as data and its
/// place as id) and `status` events, from whichever replica the change was made on.
#[utoipa::path(get, path = "/api/v1/conversations/{id}/events", tag = "conversations",
    params(("id" = String, Path, description = "conversation id"), AfterParams),
    security(("conversation_token" = [])),
    responses((status = 200, description = "text/event-stream"),
        (status = 404, body = super::ErrorBody)))]
async fn conversation_events(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    BearerToken(token): BearerToken,
    ApiQuery(params): ApiQuery<AfterParams>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    // Subscribe first, so that nothing committed after the read below is missed.
    let (changes, closing) = state.conversations.subscribe();
    let (last_seq, _) = state.conversations.position(&id, &token).await?;
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i64>().ok());
    let after = resume
        .or(params.after)
        .unwrap_or(last_seq)
        .clamp(0, last_seq);
    let stream = ChatStream {
        conversations: state.conversations.clone(),
        id,
        feed: Feed { changes, closing },
        last_seq: after,
        status: None,
        pending: VecDeque::new(),
        stale: true,
    };
    let events = futures::stream::unfold(stream, |mut stream| async move {
        stream.next_event().await.map(|event| (Ok(event), stream))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct InboxParams {
    /// The language summaries and banners are written in: `sv` (default) or `en`.
    lang: Option<String>,
}

/// The agents' inbox as it happens: a `conversation` event for each change in a
/// conversation that has a handoff (new handoffs, customer messages, claims), with its
/// handoffs and latest message; `resync` when this stream fell behind and should re-list.
#[utoipa::path(get, path = "/api/v1/agent/events", tag = "agents", params(InboxParams),
    security(("bearer" = [])),
    responses((status = 200, description = "text/event-stream"),
        (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody)))]
async fn agent_events(
    State(state): State<AppState>,
    staff: Staff,
    ApiQuery(params): ApiQuery<InboxParams>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    staff.require(StaffRole::Agent)?;
    let locale = params
        .lang
        .as_deref()
        .map(Locale::parse)
        .transpose()?
        .unwrap_or(Locale::Sv);
    let (changes, closing) = state.conversations.subscribe();
    let feed = Feed { changes, closing };
    let conversations = state.conversations.clone();
    let events = futures::stream::unfold(feed, move |mut feed| {
        let conversations = conversations.clone();
        async move {
            loop {
                let id = match feed.next().await {
                    Heard::Changed(Some(id)) => id,
                    Heard::Changed(None) => {
                        return Some((Ok(Event::default().event("resync").data("{}")), feed))
                    }
                    Heard::Stopping => return None,
                };
                match conversations.inbox_change(&id, locale).await {
                    Ok(Some(change)) => {
                        return Some((Ok(json_event("conversation", &change)), feed))
                    }
                    Ok(None) => continue,
                    Err(error) => {
                        tracing::warn!(%error, "inbox update failed; ending the stream");
                        return None;
                    }
                }
            }
        }
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}
