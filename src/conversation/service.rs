use std::sync::Arc;

use uuid::Uuid;

use super::waiting::Waiting;
use super::{Message, Role};
use crate::auth::{SecretToken, TokenHash};
use crate::classifier::{Classification, Classifier};
use crate::dialogue::{
    Action, ActionButton, Context, ConversationStatus, DialogueState, Engine, Input, Later, Reply,
    Understanding,
};
use crate::domain::secrets::{self, SecretKind};
use crate::domain::{
    Channel, ClientMessageId, CustomerDetails, HandoffOutcome, HandoffReason, HandoffStatus,
    Intent, Locale, MessageText, Queue,
};
use crate::knowledge::{FindQuery, GuideEntry, KnowledgeBase, Weights};
use crate::storage::{
    ConversationRecord, NewConversation, NewMessage, NewMiss, StepEventRow, Store, StoreError,
};
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
    #[error(transparent)]
    Index(#[from] crate::knowledge::index::IndexError),
    /// The conversation exists and is the caller's, but holds no cancellation with this
    /// reference.
    #[error("cancellation not found")]
    CancellationNotFound,
    /// The conversation holds as many messages as it may; a new one starts fresh.
    #[error("the conversation is full")]
    Full { max_messages: i64 },
    /// As many cancellations wait in this conversation as it may hold.
    #[error("too many open cancellations")]
    TooManyCancellations { max: usize },
}

/// The most messages (the customer's and the answers) one conversation holds by default. A
/// real chat is a few dozen; this keeps a script from growing one conversation without bound.
pub const DEFAULT_MAX_MESSAGES: u32 = 1000;

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
    /// Where the customer stands, while they wait for a person.
    pub waiting: Option<Waiting>,
    pub created_at: Timestamp,
    pub customer: CustomerDetails,
    pub messages: Vec<Message>,
}

/// The conversation service, shared by all requests.
#[derive(Debug, Clone)]
pub struct Conversations {
    pub(super) store: Store,
    pub(super) engine: Engine,
    classifier: Classifier,
    knowledge: KnowledgeBase,
    /// Wakes the mail sender; `None` when no e-mail is sent.
    pub(super) mail: Option<Arc<tokio::sync::Notify>>,
    pub(super) max_messages: i64,
    /// The live feeds open in this process, one per followed conversation.
    pub(super) feeds: Arc<super::live::ChatFeeds>,
}

/// What the service worked out about a text message before the turn's transaction.
struct Understood {
    understanding: Understanding,
    /// The customer plainly wrote in the other language: the conversation goes on in it.
    switched_to: Option<Locale>,
    /// The guide that best fits the message, for an understood problem.
    suggestion: Option<Arc<GuideEntry>>,
}

/// A part of a message that raises a problem of its own.
struct ProblemPart<'t> {
    text: &'t str,
    reading: Classification,
    vector: Vec<f32>,
}

/// How sure the classifier must be of a part of a message to say the customer raised that
/// problem too: a wrong "you also mention your TV" is worse than none.
const OTHER_PROBLEM_SURE: f32 = 0.8;

/// Fewer words than this, beside what the customer has done, say no problem of their own
/// ("men det hjälpte inte").
const REST_WORDS: usize = 4;

pub(crate) fn new_message(
    role: Role,
    text: String,
    reply_to: Option<&str>,
    now: Timestamp,
) -> NewMessage {
    NewMessage {
        id: Uuid::now_v7().to_string(),
        role,
        text,
        actions_json: buttons_json(&[]),
        action_id: None,
        intent: None,
        guide_step_json: None,
        reply_to: reply_to.map(str::to_owned),
        client_message_id: None,
        created_at: now,
    }
}

/// The buttons as stored. Plain data with no maps: serialising it cannot fail.
pub(crate) fn buttons_json(buttons: &[ActionButton]) -> String {
    serde_json::to_string(buttons).expect("buttons serialise")
}

fn reply_message(reply: Reply, reply_to: Option<&str>, now: Timestamp) -> NewMessage {
    NewMessage {
        actions_json: buttons_json(&reply.actions),
        intent: reply
            .intent
            .map(|(name, confidence)| (name, f64::from(confidence))),
        guide_step_json: reply
            .guide_step
            .map(|step| serde_json::to_string(&step).expect("a step serialises")),
        ..new_message(reply.role.into(), reply.text, reply_to, now)
    }
}

pub(crate) fn stored(message: NewMessage, seq: i64) -> Result<Message, StoreError> {
    Message::try_from(crate::storage::MessageRecord {
        id: message.id,
        seq,
        role: message.role.to_owned(),
        text: message.text,
        actions_json: message.actions_json,
        action_id: message.action_id,
        intent: message.intent,
        guide_step_json: message.guide_step_json,
        created_at: message.created_at,
    })
}

pub(crate) fn parse_state(record: &ConversationRecord) -> Result<DialogueState, StoreError> {
    serde_json::from_str(&record.state_json).map_err(|e| StoreError::Corrupt(format!("state: {e}")))
}

pub(crate) fn parse_customer(record: &ConversationRecord) -> Result<CustomerDetails, StoreError> {
    match &record.customer_json {
        Some(json) => {
            serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("customer: {e}")))
        }
        None => Ok(CustomerDetails::default()),
    }
}

pub(super) fn authorise(
    record: &ConversationRecord,
    token: &SecretToken,
) -> Result<(), ConversationError> {
    if TokenHash::from_stored(record.token_hash.clone()).matches(token) {
        Ok(())
    } else {
        Err(ConversationError::NotFound)
    }
}

impl Conversations {
    pub fn new(
        store: Store,
        engine: Engine,
        classifier: Classifier,
        knowledge: KnowledgeBase,
    ) -> Self {
        Self {
            store,
            engine,
            classifier,
            knowledge,
            mail: None,
            max_messages: i64::from(DEFAULT_MAX_MESSAGES),
            feeds: Default::default(),
        }
    }

    /// Caps how many messages one conversation may hold.
    #[must_use]
    pub fn with_max_messages(self, max_messages: u32) -> Self {
        Self {
            max_messages: i64::from(max_messages),
            ..self
        }
    }

    /// Queues e-mail copies of receipts, and wakes the sender with `wake` when there is one.
    #[must_use]
    pub fn with_mail(self, wake: Arc<tokio::sync::Notify>) -> Self {
        Self {
            mail: Some(wake),
            ..self
        }
    }

    pub fn knowledge(&self) -> &KnowledgeBase {
        &self.knowledge
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
        input: CustomerInput,
        client_message_id: Option<&ClientMessageId>,
    ) -> Result<(CustomerInput, Vec<SecretKind>, Option<Understood>), ConversationError> {
        let CustomerInput::Text(text) = input else {
            return Ok((input, Vec::new(), None));
        };
        let record = self.owned_conversation(id, token).await?;
        // Masked before anything else sees the text: the classifier, the store and the logs.
        let state = parse_state(&record)?;
        let secret_expected = state.secret_expected;
        let (text, secrets) = text.mask_secrets_expecting(secret_expected);
        if let Some(key) = client_message_id {
            if self.store.has_client_message(id, key.as_str()).await? {
                return Ok((CustomerInput::Text(text), secrets, None));
            }
        }
        let held_in = record.locale;
        let switched_to = crate::classifier::language::switched(text.as_str(), held_in);
        let locale = switched_to.unwrap_or(held_in);
        let (mut c, vector) = self
            .classifier
            .classify_with_vector(text.as_str(), Some(locale))
            .await?;
        if state.walk.is_some() {
            c.reading.step_reply = self
                .read_step_answer(
                    &state,
                    text.as_str(),
                    locale,
                    switched_to.is_some(),
                    c.reading,
                )
                .await?;
            if let Some((intent, confidence)) = self
                .waiting_problem_named(&state, text.as_str(), locale, &c)
                .await?
            {
                c.intent = intent;
                c.confidence = confidence;
                c.confident = true;
                c.reading.step_reply = None;
            }
        }
        // Outside a guide, a message may raise more than one problem: the bot helps with the
        // one named first and keeps the others for after it. Parts are read also when the
        // whole is unsure: "kan nån ringa mig? tv-boxen är död" asks for a person, and the
        // part about the box routes them.
        let mut problems = if state.walk.is_none() {
            self.problem_parts(text.as_str(), locale).await?
        } else {
            Vec::new()
        };
        // A claim for money names the fault it is for; a fault that is over is its reason,
        // not a second problem to troubleshoot.
        if c.confident && c.intent == Intent::Compensation {
            problems.retain(|p| !crate::dialogue::tells_of_the_past(p.text));
        }
        let lead_area = crate::dialogue::area(c.intent);
        // The whole message reads as its weightiest problem; the customer's order decides
        // which comes first when the parts show two.
        // Beside a wish to cancel, a fault is kept for later ("kanalerna har försvunnit och
        // jag funderar på att säga upp"): the written way comes first, the fault if asked.
        let first_named_elsewhere = !c.cancellation
            && c.confident
            && c.intent.is_problem()
            && problems
                .first()
                .is_some_and(|p| crate::dialogue::area(p.reading.intent) != lead_area)
            && problems
                .iter()
                .any(|p| crate::dialogue::area(p.reading.intent) == lead_area);
        let reading = c.reading;
        let (mut lead, lead_text, lead_vector, others) = if first_named_elsewhere {
            let first = problems.remove(0);
            (first.reading, first.text, first.vector, problems)
        } else if c.cancellation {
            // Every fault named beside a wish to cancel waits, the one the whole message is
            // about too ("tv:n säger ingen signal och jag funderar på att säga upp tv:n").
            (c, text.as_str(), vector, problems)
        } else {
            problems.retain(|p| crate::dialogue::area(p.reading.intent) != lead_area);
            (c, text.as_str(), vector, problems)
        };
        let mut also = Vec::new();
        for other in others {
            let guide = self.best_guide(other.text, locale, &other.vector, &other.reading)?;
            also.push(Later {
                intent: other.reading.intent,
                guide_id: guide.map(|g| g.guide.id.to_string()),
                said: crate::dialogue::quotable(other.text),
                paused_at: None,
            });
        }
        super::unsure::doubtful_person_request(&mut lead, text.as_str());
        super::unsure::person_not_cancellation(&mut lead, text.as_str());
        // Once the customer has said they want to leave, anything that sounds like leaving
        // is about leaving ("just tell me where to send it").
        if !state.cancellation_wish {
            super::unsure::upset_not_cancellation(&mut lead, text.as_str());
            if state.walk.is_some() {
                super::unsure::step_done_not_cancellation(&mut lead, text.as_str());
            }
        }
        if matches!(
            state.pending,
            Some(crate::dialogue::Pending::AfterCancellationOffer)
        ) {
            super::unsure::declined_not_cancellation(&mut lead, text.as_str());
        }
        if state.walk.is_none() && !lead.cancellation {
            super::unsure::sure_of_the_area(&mut lead);
            if let Some(entry) =
                super::unsure::guide_by_meaning(&self.knowledge, &lead, &lead_vector, locale)
            {
                if let Some(intent) = entry.guide.intents.first() {
                    lead.intent = *intent;
                    lead.confident = true;
                }
            }
        }
        // Only a problem the bot is sure of gets a guide.
        let suggestion = if lead.confident && !lead.cancellation {
            let found = self.best_guide(lead_text, locale, &lead_vector, &lead)?;
            self.past_what_was_done(found, lead_text, locale, &lead)
                .await?
        } else {
            None
        };
        let likely = lead.likely_intents();
        let understood = Understood {
            understanding: Understanding {
                intent: lead.intent,
                confidence: lead.confidence,
                confident: lead.confident,
                cancellation: lead.cancellation,
                ranking: likely,
                reading,
                also,
            },
            switched_to,
            suggestion,
        };
        Ok((CustomerInput::Text(text), secrets, Some(understood)))
    }

    /// The problems a message's parts raise, each part understood on its own: the parts the
    /// classifier is sure are about a problem, one per area, in the order named. Empty for a
    /// message that is one part.
    async fn problem_parts<'t>(
        &self,
        text: &'t str,
        locale: Locale,
    ) -> Result<Vec<ProblemPart<'t>>, ConversationError> {
        let parts = crate::dialogue::parts(text);
        if parts.len() < 2 {
            return Ok(Vec::new());
        }
        // All parts at once, so the encoder pool batches them.
        let readings = futures::future::try_join_all(
            parts
                .iter()
                .map(|part| self.classifier.classify_with_vector(part, Some(locale))),
        )
        .await?;
        let mut problems: Vec<ProblemPart<'t>> = Vec::new();
        for (part, (c, vector)) in parts.into_iter().zip(readings) {
            let area = crate::dialogue::area(c.intent);
            let new = c.confident
                && c.confidence >= OTHER_PROBLEM_SURE
                && !c.cancellation
                && c.intent.is_problem()
                && !crate::dialogue::says_all_is_well(part)
                && !problems
                    .iter()
                    .any(|p| crate::dialogue::area(p.reading.intent) == area);
            if new {
                problems.push(ProblemPart {
                    text: part,
                    reading: c,
                    vector,
                });
            }
        }
        Ok(problems)
    }

    /// The guide for the rest of a message that says it has already made `found`'s opening
    /// move: "routern har jag redan startat om, men fiberdosan har jag inte kollat". The
    /// words for what was done pull towards the guide that begins with doing it; what the
    /// customer says besides is the problem still to solve. Another guide is taken only when
    /// the rest is a problem of the same area in its own right and that guide does not open
    /// with something the customer has also done.
    async fn past_what_was_done(
        &self,
        found: Option<Arc<GuideEntry>>,
        text: &str,
        locale: Locale,
        lead: &Classification,
    ) -> Result<Option<Arc<GuideEntry>>, ConversationError> {
        let opens_with_what_was_done = |entry: &GuideEntry| {
            entry
                .guide
                .steps
                .first()
                .is_some_and(|step| crate::knowledge::ruled_out::said(step, text).is_some())
        };
        let Some(entry) = found else {
            return Ok(None);
        };
        if !opens_with_what_was_done(&entry) {
            return Ok(Some(entry));
        }
        let Some(rest) = crate::knowledge::ruled_out::beyond(&entry.guide.steps[0], text) else {
            return Ok(Some(entry));
        };
        if rest.split_whitespace().count() < REST_WORDS {
            return Ok(Some(entry));
        }
        let (reading, vector) = self
            .classifier
            .classify_with_vector(&rest, Some(locale))
            .await?;
        let a_problem_of_its_own = reading.confident
            && !reading.cancellation
            && reading.intent.is_problem()
            && crate::dialogue::area(reading.intent) == crate::dialogue::area(lead.intent);
        if !a_problem_of_its_own {
            return Ok(Some(entry));
        }
        let other = self.best_guide(&rest, locale, &vector, &reading)?;
        Ok(match other {
            Some(other)
                if other.guide.id != entry.guide.id && !opens_with_what_was_done(&other) =>
            {
                tracing::debug!(from = %entry.guide.id, to = %other.guide.id, "past what was done");
                Some(other)
            }
            _ => Some(entry),
        })
    }

    /// The guide that best fits a message the classifier understood as `c`. The likely
    /// intents weigh in rather than filter: a hard filter lost to this on the retrieval
    /// evaluation, because the right guide often serves the runner-up intent.
    fn best_guide(
        &self,
        text: &str,
        locale: Locale,
        vector: &[f32],
        c: &Classification,
    ) -> Result<Option<Arc<GuideEntry>>, ConversationError> {
        let likely = c.likely_intents();
        Ok(self
            .knowledge
            .find(&FindQuery {
                text,
                language: locale,
                intents: &[],
                vector: Some(vector),
                likely_intents: &likely,
                limit: 1,
                weights: Weights::default(),
            })?
            .into_iter()
            .next()
            .map(|found| found.entry))
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
                    locale: request.locale,
                    channel: request.channel,
                    status: ConversationStatus::Bot,
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
        let (input, secrets, understood) = self
            .understand(id, token, input, client_message_id.as_ref())
            .await?;
        let (understanding, suggestion, switched_to) = match understood {
            Some(u) => (Some(u.understanding), u.suggestion, u.switched_to),
            None => (None, None, None),
        };
        let mut turn = self.owned_turn(id, token).await?;
        if let Some(key) = &client_message_id {
            if let Some(earlier) = turn.replies_to_client_message(key.as_str()).await? {
                metrics::counter!("felsok_message_retries_total").increment(1);
                return Ok(earlier
                    .into_iter()
                    .map(Message::try_from)
                    .collect::<Result<_, _>>()?);
            }
        }
        if turn.conversation.last_seq >= self.max_messages {
            return Err(ConversationError::Full {
                max_messages: self.max_messages,
            });
        }
        let locale = match switched_to {
            Some(locale) => {
                turn.set_locale(locale).await?;
                locale
            }
            None => turn.conversation.locale,
        };
        let status = turn.conversation.status;
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
        let customer = parse_customer(&turn.conversation)?;
        let outages = self.knowledge.outages();
        let requests = match &input {
            // One reading of the message, not the whole situation: the engine reads that.
            CustomerInput::Text(text) if crate::dialogue::asks_after_a_request(text.as_str()) => {
                self.requests_asked_after(id, text.as_str(), locale).await?
            }
            _ => Vec::new(),
        };
        let context = Context {
            locale,
            status,
            state: &state,
            guides: &self.knowledge,
            suggestion,
            outages: &outages,
            customer_postcode: customer.postcode.as_ref(),
            now,
            requests: &requests,
        };
        let mut outcome = self.engine.respond_in(&context, engine_input);
        outcome.state.secret_expected = match &input {
            CustomerInput::Text(text) => secrets::mentions_secret(text.as_str()),
            CustomerInput::Action(_) => false,
        } || outcome
            .replies
            .iter()
            .any(|reply| secrets::mentions_secret(&reply.text));
        if !secrets.is_empty() {
            // After the answer, so that a wish to cancel still gets the written path first.
            outcome
                .replies
                .push(self.engine.secrets_notice(locale, outcome.status, &secrets));
            metrics::counter!("felsok_secrets_masked_total").increment(secrets.len() as u64);
        }
        let replies: Vec<NewMessage> = outcome
            .replies
            .into_iter()
            .map(|reply| reply_message(reply, Some(&customer_message.id), now))
            .collect();
        let state_json = serde_json::to_string(&outcome.state)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;

        let mut all = Vec::with_capacity(replies.len() + 2);
        all.push(customer_message);
        all.extend(replies);
        if let Some(handoff) = &outcome.handoff {
            let reply_to = all[0].id.clone();
            if let Some(mut standing) = self
                .open_handoff_and_tell(
                    &mut turn,
                    &Uuid::now_v7().to_string(),
                    handoff.queue,
                    handoff.reason,
                    locale,
                    now,
                )
                .await?
            {
                standing.reply_to = Some(reply_to);
                standing.actions_json = buttons_json(&[self
                    .engine
                    .replies()
                    .button(locale, Action::RequestCallback)]);
                all.push(standing);
            }
        }
        // A message while waiting is answered with where the customer stands now.
        let still_waiting = status == ConversationStatus::Queued
            && outcome.status == ConversationStatus::Queued
            && outcome.handoff.is_none()
            && matches!(engine_input, Input::Text(..));
        if still_waiting {
            if let Some(mut standing) = self.standing(&mut turn, locale, now).await? {
                standing.reply_to = Some(all[0].id.clone());
                all.push(standing);
            }
        }
        let seqs = turn.append(&all, outcome.status, &state_json, now).await?;
        if !outcome.step_events.is_empty() {
            let events: Vec<StepEventRow<'_>> = outcome
                .step_events
                .iter()
                .map(|e| StepEventRow {
                    guide_id: &e.guide_id,
                    guide_version: e.version,
                    step: i64::from(e.step),
                    event: e.event,
                })
                .collect();
            turn.record_step_events(&events, now).await?;
        }
        if !outcome.misses.is_empty() {
            let source = MissSource {
                message_id: &all[0].id,
                typed: matches!(input, CustomerInput::Text(_)),
                before: &state,
                understanding: understanding.as_ref(),
                locale,
            };
            record_misses(&mut turn, &outcome.misses, &source, now).await?;
        }
        turn.commit().await?;

        metrics::counter!("felsok_messages_stored_total", "role" => "customer").increment(1);
        metrics::counter!("felsok_messages_stored_total", "role" => "bot")
            .increment(all.len() as u64 - 1);
        all.into_iter()
            .zip(seqs)
            .skip(1)
            .map(|(message, seq)| stored(message, seq).map_err(Into::into))
            .collect()
    }

    /// This conversation's written requests and those `text` names by reference, with what
    /// has become of each, for a customer asking "has it arrived?".
    async fn requests_asked_after(
        &self,
        id: &str,
        text: &str,
        locale: Locale,
    ) -> Result<Vec<crate::dialogue::RequestStatus>, ConversationError> {
        use crate::dialogue::{RequestState, RequestStatus};
        let references = crate::dialogue::references_in(text);
        let rows = self.store.requests_with_status(id, &references).await?;
        let date = |d: &Option<String>| d.as_deref().and_then(crate::domain::parse_iso_date);
        Ok(rows
            .into_iter()
            .map(|row| {
                // Found by its reference from another chat: what became of it, not what it
                // is about; whoever typed the reference may not be the customer.
                let own = row.request.conversation_id == id;
                let state = match (row.status, row.outcome) {
                    (HandoffStatus::Resolved, Some(HandoffOutcome::CancellationWithdrawn)) => {
                        RequestState::Withdrawn
                    }
                    (HandoffStatus::Resolved, Some(HandoffOutcome::WithdrawalDisputed)) => {
                        RequestState::Disputed {
                            reason: own.then(|| row.note.clone().unwrap_or_default()),
                        }
                    }
                    (HandoffStatus::Resolved, _) => RequestState::Confirmed {
                        ends_on: date(&row.request.service_ends_on),
                        last_invoice_on: date(&row.request.last_invoice_on),
                    },
                    _ => RequestState::Waiting,
                };
                RequestStatus {
                    kind: row.request.kind,
                    reference: row.request.reference,
                    subject: own.then_some(row.request.service),
                    received: row.request.received_at.to_local_phrase(locale),
                    state,
                }
            })
            .collect())
    }

    /// Opens a handoff in this turn and words the customer's place in the queue, told at once
    /// in the same turn: a queue nobody can see into is what people complain about most.
    pub(super) async fn open_handoff_and_tell(
        &self,
        turn: &mut crate::storage::TurnTx,
        id: &str,
        queue: Queue,
        reason: HandoffReason,
        locale: Locale,
        now: Timestamp,
    ) -> Result<Option<NewMessage>, ConversationError> {
        turn.open_handoff(id, queue, reason, now).await?;
        metrics::counter!("felsok_handoffs_opened_total", "queue" => queue.as_str()).increment(1);
        self.standing(turn, locale, now).await
    }

    /// The customer's place in the queue and the likely wait, worded; `None` when the
    /// conversation waits in no queue.
    async fn standing(
        &self,
        turn: &mut crate::storage::TurnTx,
        locale: Locale,
        now: Timestamp,
    ) -> Result<Option<NewMessage>, ConversationError> {
        let Some(standing) = turn.queue_standing().await? else {
            return Ok(None);
        };
        let waiting = Waiting::from(standing);
        let text = self.engine.replies().queue_standing(
            locale,
            waiting.position,
            waiting.estimated_wait_minutes,
        );
        Ok(Some(new_message(Role::System, text, None, now)))
    }

    /// A turn on the conversation, locked, if `token` is its token; otherwise `NotFound`.
    pub(super) async fn owned_turn(
        &self,
        id: &str,
        token: &SecretToken,
    ) -> Result<crate::storage::TurnTx, ConversationError> {
        let turn = self
            .store
            .begin_turn(id)
            .await?
            .ok_or(ConversationError::NotFound)?;
        authorise(&turn.conversation, token)?;
        Ok(turn)
    }

    /// The conversation, if `token` is its token; otherwise `NotFound`, as if it did not exist.
    pub(super) async fn owned_conversation(
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
        let customer = parse_customer(&record)?;
        let messages = self
            .store
            .messages(id)
            .await?
            .into_iter()
            .map(Message::try_from)
            .collect::<Result<_, _>>()?;
        let status = record.status;
        let waiting = match status {
            ConversationStatus::Queued => self.store.queue_standing(id).await?.map(Waiting::from),
            _ => None,
        };
        Ok(ConversationView {
            conversation_id: record.id.clone(),
            locale: record.locale,
            status,
            waiting,
            created_at: record.created_at,
            customer,
            messages,
        })
    }
}

/// The turn a miss happened in, as the service saw it.
struct MissSource<'a> {
    /// The customer's message this turn.
    message_id: &'a str,
    /// Whether they typed it (a button press is no words to learn from).
    typed: bool,
    /// The state before the turn.
    before: &'a DialogueState,
    understanding: Option<&'a Understanding>,
    locale: Locale,
}

/// Puts the turn's misses in the editors' review inbox: a message the bot misread under
/// its own words, a guide that failed the customer under the words that opened it.
async fn record_misses(
    turn: &mut crate::storage::TurnTx,
    misses: &[crate::dialogue::Miss],
    source: &MissSource<'_>,
    now: Timestamp,
) -> Result<(), ConversationError> {
    let mut opened_by = Vec::new();
    for miss in misses {
        if let Some(guide) = &miss.guide_id {
            opened_by.push(turn.message_that_opened(guide).await?);
        }
    }
    let mut opened_by = opened_by.into_iter();
    let rows: Vec<NewMiss<'_>> = misses
        .iter()
        .filter_map(|miss| {
            let (message_id, intent, confidence) = match &miss.guide_id {
                Some(_) => (opened_by.next().flatten()?, source.before.intent, None),
                None if source.typed => (
                    source.message_id.to_owned(),
                    source.understanding.map(|u| u.intent),
                    source.understanding.map(|u| f64::from(u.confidence)),
                ),
                None => return None,
            };
            Some((miss, message_id, intent, confidence))
        })
        .map(|(miss, message_id, intent, confidence)| NewMiss {
            message_id,
            kind: miss.kind,
            locale: source.locale,
            intent,
            confidence,
            guide_id: miss.guide_id.as_deref(),
        })
        .collect();
    metrics::counter!("felsok_review_misses_total").increment(rows.len() as u64);
    turn.record_misses(&rows, now).await?;
    Ok(())
}
