//! Live updates: what changed in a conversation since a subscriber last looked.
//!
//! All the streams open on one conversation share one [`ChatFeed`]: one task reads each change
//! from the database once and hands the new messages to every stream, so the cost of a change
//! does not grow with the number of tabs a customer (or an attacker) has open. The feed ends
//! for everyone when the conversation is erased.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use tokio::sync::{broadcast, watch};

use super::{ConversationError, Conversations, Message};
use crate::auth::SecretToken;
use crate::dialogue::ConversationStatus;

/// What is new in one conversation.
#[derive(Debug, Clone)]
pub struct Update {
    /// Each new message with its place in the conversation, which streams send as the
    /// event id, so a client reconnecting with `Last-Event-ID` misses nothing.
    pub messages: Vec<(i64, Message)>,
    pub status: ConversationStatus,
}

/// How many of the latest messages a feed keeps for streams that fell a little behind; one
/// further behind reads what it missed from the database itself.
const RECENT_MESSAGES: usize = 64;

/// One conversation as its streams see it.
#[derive(Debug, Clone)]
pub struct ChatSnapshot {
    /// The latest messages with their places, oldest first.
    pub recent: Arc<Vec<(i64, Message)>>,
    pub status: ConversationStatus,
    /// The conversation was erased (or the service is stopping): streams end.
    pub ended: bool,
}

/// A shared feed of one conversation's changes; dropped, with its task, when the last
/// stream on it goes.
#[derive(Debug)]
pub struct ChatFeed {
    snapshots: watch::Receiver<ChatSnapshot>,
    _task: AbortOnDrop,
}

#[derive(Debug)]
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl ChatFeed {
    pub fn watch(&self) -> watch::Receiver<ChatSnapshot> {
        self.snapshots.clone()
    }
}

/// The feeds open in this process, by conversation.
#[derive(Default, Debug)]
pub struct ChatFeeds {
    open: Mutex<HashMap<String, Weak<ChatFeed>>>,
}

impl Conversations {
    /// For the owner: the shared feed of one conversation (started by its first stream) and
    /// the place of its last message. The feed ends when the conversation stops being this
    /// token's.
    pub async fn open_feed(
        &self,
        id: &str,
        token: &SecretToken,
    ) -> Result<(Arc<ChatFeed>, i64), ConversationError> {
        // Subscribe before the read, so nothing committed after it is missed.
        let (changes, closing) = self.subscribe();
        let record = self.owned_conversation(id, token).await?;
        if let Some(feed) = self.feeds.get(id) {
            return Ok((feed, record.last_seq));
        }
        let first = ChatSnapshot {
            recent: Arc::new(Vec::new()),
            status: record.status,
            ended: false,
        };
        let (sender, snapshots) = watch::channel(first);
        let task = tokio::spawn(follow_conversation(
            self.clone(),
            id.to_owned(),
            record.token_hash,
            record.last_seq,
            changes,
            closing,
            sender,
        ));
        let feed = Arc::new(ChatFeed {
            snapshots,
            _task: AbortOnDrop(task),
        });
        Ok((self.feeds.insert_or_existing(id, feed), record.last_seq))
    }

    /// Conversations as they change, and a receiver that fires when the service stops.
    pub fn subscribe(&self) -> (broadcast::Receiver<Arc<str>>, watch::Receiver<bool>) {
        let changes = self.store.changes();
        (changes.subscribe(), changes.closing())
    }

    /// The messages after `seq` and the status now. The caller has checked ownership.
    pub async fn update_since(&self, id: &str, seq: i64) -> Result<Update, ConversationError> {
        self.read_update(id, seq, None)
            .await?
            .ok_or(ConversationError::NotFound)
    }

    /// What is new after `seq`, in one read of the conversation; `None` when it is gone, or
    /// (given `token_hash`) no longer that token's, as after an erasure.
    async fn read_update(
        &self,
        id: &str,
        seq: i64,
        token_hash: Option<&str>,
    ) -> Result<Option<Update>, ConversationError> {
        let Some(record) = self.store.conversation(id).await? else {
            return Ok(None);
        };
        if token_hash.is_some_and(|hash| hash != record.token_hash) {
            return Ok(None);
        }
        let messages = self
            .store
            .messages_after(id, seq)
            .await?
            .into_iter()
            .map(|record| {
                let seq = record.seq;
                Message::try_from(record).map(|m| (seq, m))
            })
            .collect::<Result<_, _>>()?;
        Ok(Some(Update {
            messages,
            status: record.status,
        }))
    }
}

impl ChatFeeds {
    fn get(&self, id: &str) -> Option<Arc<ChatFeed>> {
        let open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        open.get(id).and_then(Weak::upgrade)
    }

    /// Keeps `feed` unless another stream started one meanwhile, which is then shared.
    fn insert_or_existing(&self, id: &str, feed: Arc<ChatFeed>) -> Arc<ChatFeed> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(existing) = open.get(id).and_then(Weak::upgrade) {
            return existing;
        }
        open.retain(|_, feed| feed.strong_count() > 0);
        open.insert(id.to_owned(), Arc::downgrade(&feed));
        feed
    }
}

/// Reads each change of one conversation once and publishes it to every stream on it.
async fn follow_conversation(
    conversations: Conversations,
    id: String,
    token_hash: String,
    mut last_seq: i64,
    changes: broadcast::Receiver<Arc<str>>,
    closing: watch::Receiver<bool>,
    sender: watch::Sender<ChatSnapshot>,
) {
    let mut feed = ChangeFeed::new(changes, closing);
    let mut recent: Vec<(i64, Message)> = Vec::new();
    loop {
        match feed.next().await {
            Heard::Changed(Some(changed)) if *changed != *id => continue,
            Heard::Changed(_) => {}
            Heard::Stopping => break,
        }
        let update = match conversations
            .read_update(&id, last_seq, Some(&token_hash))
            .await
        {
            Ok(Some(update)) => update,
            // Erased, or its token replaced on erasure: nobody may follow it any longer.
            Ok(None) => break,
            Err(error) => {
                tracing::warn!(%error, "live update failed; ending the streams");
                break;
            }
        };
        for (seq, message) in update.messages {
            last_seq = seq;
            recent.push((seq, message));
        }
        if recent.len() > RECENT_MESSAGES {
            recent.drain(..recent.len() - RECENT_MESSAGES);
        }
        sender.send_replace(ChatSnapshot {
            recent: Arc::new(recent.clone()),
            status: update.status,
            ended: false,
        });
    }
    sender.send_modify(|snapshot| snapshot.ended = true);
}

/// What one feed waits on: changes to conversations, and the service stopping.
pub(crate) struct ChangeFeed {
    changes: broadcast::Receiver<Arc<str>>,
    closing: watch::Receiver<bool>,
}

pub(crate) enum Heard {
    /// A conversation changed (or, after falling behind, perhaps any did).
    Changed(Option<Arc<str>>),
    Stopping,
}

impl ChangeFeed {
    pub(crate) fn new(
        changes: broadcast::Receiver<Arc<str>>,
        closing: watch::Receiver<bool>,
    ) -> Self {
        Self { changes, closing }
    }

    pub(crate) async fn next(&mut self) -> Heard {
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
