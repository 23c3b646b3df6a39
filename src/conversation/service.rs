use uuid::Uuid;

use super::{Message, Role};
use crate::auth::{SecretToken, TokenHash};
use crate::classifier::Classifier;
use crate::dialogue::{
    Action, ConversationStatus, DialogueState, Engine, Input, Reply, Understanding,
};
use crate::domain::{Channel, ClientMessageId, CustomerDetails, Locale, MessageText};
use crate::storage::{ConversationRecord, NewConversation, NewMessage, Store, StoreError};
use crate::timestamp::Timestamp;

/// Why a conversation call failed. The HTTP layer maps each to a status in one place.
#[derive(Debug, thiserror::Error)]
pub enum ConversationError {
    /// No such conversation, or the token is not its token: the two look the same on purpose.
    #[error("conversation not found")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("classification failed: {0}")]
    Classifier(#[from] crate::classifier::pool::PoolError),
}

/// A parsed request to start a conversation.
#[derive(Debug, Clone, Default)]
pub struct StartConversation {
    pub locale: Locale,
    pub channel: Channel,
    pub customer: CustomerDetails,
}

/// A new conversation: its secret token is shown this once.
#[derive(Debug)]
pub struct Started {
    pub conversation_id: String,
    pub token: SecretToken,
    pub messages: Vec<Message>,
}

/// What a customer sent in one message.
#[derive(Debug, Clone)]
pub enum CustomerInput {
    Text(MessageText),
    Action(Action),
}

/// A conversation as its owner may read it.
#[derive(Debug, Clone)]
pub struct ConversationView {
    pub conversation_id: String,
    pub locale: Locale,
    pub status: ConversationStatus,
    pub created_at: Timestamp,
    pub customer: CustomerDetails,
    pub messages: Vec<Message>,
}

/// The conversation service, shared by all requests.
#[derive(Debug, Clone)]
pub struct Conversations {
    store: Store,
    engine: Engine,
    classifier: Classifier,
}

fn new_message(role: Role, text: String, reply_to: Option<&str>, now: Timestamp) -> NewMessage {
    NewMessage {
        id: Uuid::now_v7().to_string(),
        role: role.as_str(),
        text,
        actions: Vec::new(),
        action_id: None,
        intent: None,
        reply_to: reply_to.map(str::to_owned),
        client_message_id: None,
        created_at: now,
    }
}

fn reply_message(reply: Reply, reply_to: Option<&str>, now: Timestamp) -> NewMessage {
    NewMessage {
        actions: reply.actions,
        intent: reply
            .intent
            .map(|(name, confidence)| (name, f64::from(confidence))),
        ..new_message(reply.role.into(), reply.text, reply_to, now)
    }
}

fn stored(message: NewMessage, seq: i64) -> Result<Message, StoreError> {
    Message::try_from(crate::storage::MessageRecord {
        id: message.id,
        seq,
        role: message.role.to_owned(),
        text: message.text,
        actions: message.actions,
        action_id: message.action_id,
        intent: message.intent,
        created_at: message.created_at,
    })
}

fn parse_locale(record: &ConversationRecord) -> Result<Locale, StoreError> {
    Locale::parse(&record.locale)
        .map_err(|_| StoreError::Corrupt(format!("locale {:?}", record.locale)))
}

fn parse_status(record: &ConversationRecord) -> Result<ConversationStatus, StoreError> {
    ConversationStatus::parse(&record.status)
        .ok_or_else(|| StoreError::Corrupt(format!("status {:?}", record.status)))
}

fn parse_state(record: &ConversationRecord) -> Result<DialogueState, StoreError> {
    serde_json::from_str(&record.state_json).map_err(|e| StoreError::Corrupt(format!("state: {e}")))
}

fn authorise(record: &ConversationRecord, token: &SecretToken) -> Result<(), ConversationError> {
    if TokenHash::from_stored(record.token_hash.clone()).matches(token) {
        Ok(())
    } else {
        Err(ConversationError::NotFound)
    }
}

impl Conversations {
    pub fn new(store: Store, engine: Engine, classifier: Classifier) -> Self {
        Self {
            store,
            engine,
            classifier,
        }
    }

    pub fn classifier(&self) -> &Classifier {
        &self.classifier
    }

    /// Classifies free text before the turn's transaction opens, so the slow part (the
    /// encoder) never holds a database lock. Checks the token first: strangers cost no
    /// inference.
    /// A retry of a message already answered needs no inference: the turn returns the
    /// stored answer.
    async fn understand(
        &self,
        id: &str,
        token: &SecretToken,
        input: &CustomerInput,
        client_message_id: Option<&ClientMessageId>,
    ) -> Result<Option<Understanding>, ConversationError> {
        let CustomerInput::Text(text) = input else {
            return Ok(None);
        };
        let record = self.owned_conversation(id, token).await?;
        if let Some(key) = client_message_id {
            if self.store.has_client_message(id, key.as_str()).await? {
                return Ok(None);
            }
        }
        let locale = parse_locale(&record)?;
        let c = self
            .classifier
            .classify(text.as_str(), Some(locale))
            .await?;
        Ok(Some(Understanding {
            intent: c.intent,
            confidence: c.confidence,
            confident: c.confident,
            cancellation: c.cancellation,
        }))
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Creates a conversation and its greeting.
    #[tracing::instrument(skip_all, fields(locale = request.locale.as_str()))]
    pub async fn start(&self, request: StartConversation) -> Result<Started, ConversationError> {
        let id = Uuid::now_v7().to_string();
        let token = SecretToken::generate();
        let token_hash = token.hash();
        let now = Timestamp::now();
        let state = serde_json::to_string(&DialogueState::default())
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let customer = (!request.customer.is_empty())
            .then(|| serde_json::to_string(&request.customer))
            .transpose()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let greeting: Vec<NewMessage> = self
            .engine
            .greeting(request.locale)
            .into_iter()
            .map(|reply| reply_message(reply, None, now))
            .collect();
        self.store
            .create_conversation(
                &NewConversation {
                    id: &id,
                    token_hash: token_hash.as_str(),
                    locale: request.locale.as_str(),
                    channel: request.channel.as_str(),
                    status: ConversationStatus::Bot.as_str(),
                    state_json: &state,
                    customer_json: customer.as_deref(),
                    created_at: now,
                },
                &greeting,
            )
            .await?;
        metrics::counter!("felsok_conversations_started_total", "locale" => request.locale.as_str())
            .increment(1);
        metrics::counter!("felsok_messages_stored_total", "role" => "bot")
            .increment(greeting.len() as u64);
        let messages = (1_i64..)
            .zip(greeting)
            .map(|(seq, message)| stored(message, seq))
            .collect::<Result<_, _>>()?;
        tracing::info!(conversation_id = %id, "conversation started");
        Ok(Started {
            conversation_id: id,
            token,
            messages,
        })
    }

    /// Stores the customer's message and the answer to it, in one transaction.
    ///
    /// With a `client_message_id` that was seen before, nothing is stored and the first
    /// answer is returned again; the conversation's row lock makes concurrent retries wait
    /// for the first to commit, so they see it.
    #[tracing::instrument(skip_all, fields(conversation_id = %id))]
    pub async fn post(
        &self,
        id: &str,
        token: &SecretToken,
        input: CustomerInput,
        client_message_id: Option<ClientMessageId>,
    ) -> Result<Vec<Message>, ConversationError> {
        let understanding = self
            .understand(id, token, &input, client_message_id.as_ref())
            .await?;
        let mut turn = self
            .store
            .begin_turn(id)
            .await?
            .ok_or(ConversationError::NotFound)?;
        authorise(&turn.conversation, token)?;
        if let Some(key) = &client_message_id {
            if let Some(earlier) = turn.replies_to_client_message(key.as_str()).await? {
                metrics::counter!("felsok_message_retries_total").increment(1);
                return Ok(earlier
                    .into_iter()
                    .map(Message::try_from)
                    .collect::<Result<_, _>>()?);
            }
        }
        let locale = parse_locale(&turn.conversation)?;
        let status = parse_status(&turn.conversation)?;
        let state = parse_state(&turn.conversation)?;
        let now = Timestamp::now();

        let (customer_message, engine_input) = match &input {
            CustomerInput::Text(text) => (
                new_message(Role::Customer, text.as_str().to_owned(), None, now),
                Input::Text(text.as_str(), understanding.as_ref()),
            ),
            CustomerInput::Action(action) => {
                let label = self
                    .engine
                    .replies()
                    .action_label(locale, *action)
                    .to_owned();
                let mut message = new_message(Role::Customer, label, None, now);
                message.action_id = Some(action.id());
                (message, Input::Action(*action))
            }
        };
        let customer_message = NewMessage {
            client_message_id: client_message_id.map(|k| k.as_str().to_owned()),
            ..customer_message
        };
        let outcome = self.engine.respond(locale, status, &state, engine_input);
        let replies: Vec<NewMessage> = outcome
            .replies
            .into_iter()
            .map(|reply| reply_message(reply, Some(&customer_message.id), now))
            .collect();
        let state_json = serde_json::to_string(&outcome.state)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;

        let mut all = Vec::with_capacity(replies.len() + 1);
        all.push(customer_message);
        all.extend(replies);
        let seqs = turn
            .append(&all, outcome.status.as_str(), &state_json, now)
            .await?;
        if let Some(handoff) = &outcome.handoff {
            turn.open_handoff(
                &Uuid::now_v7().to_string(),
                handoff.queue.as_str(),
                handoff.reason,
                now,
            )
            .await?;
        }
        turn.commit().await?;

        metrics::counter!("felsok_messages_stored_total", "role" => "customer").increment(1);
        metrics::counter!("felsok_messages_stored_total", "role" => "bot")
            .increment(all.len() as u64 - 1);
        if let Some(handoff) = &outcome.handoff {
            metrics::counter!("felsok_handoffs_opened_total", "queue" => handoff.queue.as_str())
                .increment(1);
        }
        all.into_iter()
            .zip(seqs)
            .skip(1)
            .map(|(message, seq)| stored(message, seq).map_err(Into::into))
            .collect()
    }

    /// The conversation, if `token` is its token; otherwise `NotFound`, as if it did not exist.
    async fn owned_conversation(
        &self,
        id: &str,
        token: &SecretToken,
    ) -> Result<ConversationRecord, ConversationError> {
        let record = self
            .store
            .conversation(id)
            .await?
            .ok_or(ConversationError::NotFound)?;
        authorise(&record, token)?;
        Ok(record)
    }

    /// The whole conversation, for its owner.
    #[tracing::instrument(skip_all, fields(conversation_id = %id))]
    pub async fn read(
        &self,
        id: &str,
        token: &SecretToken,
    ) -> Result<ConversationView, ConversationError> {
        let record = self.owned_conversation(id, token).await?;
        let customer = match &record.customer_json {
            Some(json) => serde_json::from_str(json)
                .map_err(|e| StoreError::Corrupt(format!("customer: {e}")))?,
            None => CustomerDetails::default(),
        };
        let messages = self
            .store
            .messages(id)
            .await?
            .into_iter()
            .map(Message::try_from)
            .collect::<Result<_, _>>()?;
        Ok(ConversationView {
            conversation_id: record.id.clone(),
            locale: parse_locale(&record)?,
            status: parse_status(&record)?,
            created_at: record.created_at,
            customer,
            messages,
        })
    }
}
