//! Live updates over Server-Sent Events: a customer's chat (new messages, status changes)
//! and an agent's inbox (handoffs and the messages in them). Every replica serves both, for
//! changes made on any replica.
//!
//! Streams are capped per conversation, per client address and per staff token
//! ([`StreamSlots`]): each one holds a connection and a descriptor for as long as it is open.

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use axum::Router;
use futures::Stream;
use serde::Deserialize;
use tokio::sync::watch;
use utoipa::IntoParams;

use super::extract::{ApiPath, ApiQuery, BearerToken, ClientAddress, Staff, StaffToken};
use super::{ApiError, AppState};
use crate::auth::{SecretToken, StaffRole};
use crate::conversation::{ChangeFeed, ChatFeed, ChatSnapshot, Conversations, Heard};
use crate::dialogue::ConversationStatus;
use crate::domain::Locale;
use crate::handoff::Handoffs;
use crate::storage::Store;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/conversations/{id}/events",
            get(conversation_events),
        )
        .route("/api/v1/agent/events", get(agent_events))
}

/// Who a stream is counted against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Holder {
    Conversation(String),
    Client(IpAddr),
    Staff(String),
}

/// Open streams by holder, with the caps from the settings.
#[derive(Debug)]
pub struct StreamSlots {
    per_conversation: usize,
    per_client: usize,
    open: Mutex<HashMap<Holder, usize>>,
}

/// Places held by one open stream; given back when the stream is dropped.
pub struct StreamSlot {
    slots: Arc<StreamSlots>,
    holders: Vec<Holder>,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = self.slots.open.lock().unwrap_or_else(|e| e.into_inner());
        for holder in &self.holders {
            if let Some(count) = open.get_mut(holder) {
                *count -= 1;
                if *count == 0 {
                    open.remove(holder);
                }
            }
        }
    }
}

impl StreamSlots {
    pub fn new(limits: &crate::config::Limits) -> Self {
        Self {
            per_conversation: limits.max_streams_per_conversation.max(1),
            per_client: limits.max_streams_per_client.max(1),
            open: Mutex::new(HashMap::new()),
        }
    }

    fn cap(&self, holder: &Holder) -> usize {
        match holder {
            Holder::Conversation(_) => self.per_conversation,
            Holder::Client(_) | Holder::Staff(_) => self.per_client,
        }
    }

    /// A place for one more stream of every holder, or 429 when any of them has all its own.
    fn take(self: &Arc<Self>, holders: Vec<Holder>) -> Result<StreamSlot, ApiError> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if holders
            .iter()
            .any(|h| open.get(h).copied().unwrap_or(0) >= self.cap(h))
        {
            metrics::counter!("felsok_streams_refused_total").increment(1);
            return Err(ApiError::TooManyStreams);
        }
        for holder in &holders {
            *open.entry(holder.clone()).or_insert(0) += 1;
        }
        Ok(StreamSlot {
            slots: self.clone(),
            holders,
        })
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AfterParams {
    /// Send messages after this one (the `id` of an earlier `message` event); by default only
    /// what comes from now on. A `Last-Event-ID` header does the same on reconnect.
    after: Option<i64>,
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
    /// Holds the shared feed open while this stream is.
    _feed: Arc<ChatFeed>,
    snapshots: watch::Receiver<ChatSnapshot>,
    last_seq: i64,
    status: Option<ConversationStatus>,
    pending: VecDeque<Event>,
    /// Read from the database before waiting: at the start, missed messages are sent.
    catch_up: bool,
    _slot: StreamSlot,
}

impl ChatStream {
    fn push_message(&mut self, seq: i64, message: &crate::conversation::Message) {
        if seq > self.last_seq {
            self.last_seq = seq;
            self.pending
                .push_back(json_event("message", message).id(seq.to_string()));
        }
    }

    fn push_status(&mut self, status: ConversationStatus) {
        if self.status != Some(status) {
            self.status = Some(status);
            self.pending.push_back(json_event(
                "status",
                &serde_json::json!({"status": status.as_str()}),
            ));
        }
    }

    /// Reads what this stream missed from the database: at the start, and after falling
    /// further behind than the feed remembers.
    async fn read_missed(&mut self) -> bool {
        match self
            .conversations
            .update_since(&self.id, self.last_seq)
            .await
        {
            Ok(update) => {
                for (seq, message) in &update.messages {
                    self.push_message(*seq, message);
                }
                self.push_status(update.status);
                true
            }
            Err(error) => {
                tracing::warn!(%error, "live update failed; ending the stream");
                false
            }
        }
    }

    async fn next_event(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Some(event);
            }
            if self.catch_up {
                self.catch_up = false;
                if !self.read_missed().await {
                    return None;
                }
                continue;
            }
            if self.snapshots.changed().await.is_err() {
                return None;
            }
            let snapshot = self.snapshots.borrow_and_update().clone();
            if snapshot.ended {
                return None;
            }
            let behind = snapshot
                .recent
                .first()
                .is_some_and(|(first, _)| *first > self.last_seq + 1);
            if behind {
                if !self.read_missed().await {
                    return None;
                }
            } else {
                for (seq, message) in snapshot.recent.iter() {
                    self.push_message(*seq, message);
                }
                self.push_status(snapshot.status);
            }
        }
    }
}

/// The customer's chat as it happens: `message` events (with the message as data and its
/// place as id) and `status` events, from whichever replica the change was made on. At most
/// a few streams per conversation and client address (429 `too_many_streams`); a stream
/// ends when its conversation is erased.
#[utoipa::path(get, path = "/api/v1/conversations/{id}/events", tag = "conversations",
    params(("id" = String, Path, description = "conversation id"), AfterParams),
    security(("conversation_token" = [])),
    responses((status = 200, description = "text/event-stream"),
        (status = 404, body = super::ErrorBody), (status = 429, body = super::ErrorBody)))]
async fn conversation_events(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    BearerToken(token): BearerToken,
    ApiQuery(params): ApiQuery<AfterParams>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let (feed, last_seq) = state.conversations.open_feed(&id, &token).await?;
    let slot = state.streams.take(vec![
        Holder::Conversation(id.clone()),
        Holder::Client(client.unwrap_or(IpAddr::from([0, 0, 0, 0]))),
    ])?;
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i64>().ok());
    let after = resume
        .or(params.after)
        .unwrap_or(last_seq)
        .clamp(0, last_seq);
    let mut snapshots = feed.watch();
    snapshots.mark_unchanged();
    let stream = ChatStream {
        conversations: state.conversations.clone(),
        id,
        _feed: feed,
        snapshots,
        last_seq: after,
        status: None,
        pending: VecDeque::new(),
        catch_up: true,
        _slot: slot,
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

struct InboxStream {
    store: Store,
    handoffs: Handoffs,
    token: SecretToken,
    feed: ChangeFeed,
    locale: Locale,
    _slot: StreamSlot,
}

impl InboxStream {
    async fn next_event(&mut self) -> Option<Event> {
        loop {
            let id = match self.feed.next().await {
                Heard::Changed(Some(id)) => Some(id),
                Heard::Changed(None) => None,
                Heard::Stopping => return None,
            };
            // A revoked token ends its streams at the next event: nothing more reaches it.
            match crate::auth::staff::authenticate(&self.store, &self.token).await {
                Ok(Some(member)) if member.role.allows(StaffRole::Agent) => {}
                Ok(_) => return None,
                Err(error) => {
                    tracing::warn!(%error, "could not check a staff token; ending the stream");
                    return None;
                }
            }
            let Some(id) = id else {
                return Some(Event::default().event("resync").data("{}"));
            };
            match self.handoffs.inbox_change(&id, self.locale).await {
                Ok(Some(change)) => return Some(json_event("conversation", &change)),
                Ok(None) => continue,
                Err(error) => {
                    tracing::warn!(%error, "inbox update failed; ending the stream");
                    return None;
                }
            }
        }
    }
}

/// The agents' inbox as it happens: a `conversation` event for each change in a
/// conversation that has a handoff (new handoffs, customer messages, claims), with its
/// handoffs and latest message; `resync` when this stream fell behind and should re-list.
/// A revoked token's streams end at the next change.
#[utoipa::path(get, path = "/api/v1/agent/events", tag = "agents", params(InboxParams),
    security(("bearer" = [])),
    responses((status = 200, description = "text/event-stream"),
        (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody),
        (status = 429, body = super::ErrorBody)))]
async fn agent_events(
    State(state): State<AppState>,
    staff: Staff,
    StaffToken(token): StaffToken,
    ApiQuery(params): ApiQuery<InboxParams>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let member = staff.require(StaffRole::Agent)?;
    let locale = params
        .lang
        .as_deref()
        .map(Locale::parse)
        .transpose()?
        .unwrap_or(Locale::Sv);
    let slot = state.streams.take(vec![Holder::Staff(member.id.clone())])?;
    let (changes, closing) = state.conversations.subscribe();
    let stream = InboxStream {
        store: state.store.clone(),
        handoffs: state.handoffs.clone(),
        token,
        feed: ChangeFeed::new(changes, closing),
        locale,
        _slot: slot,
    };
    let events = futures::stream::unfold(stream, |mut stream| async move {
        stream.next_event().await.map(|event| (Ok(event), stream))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}
