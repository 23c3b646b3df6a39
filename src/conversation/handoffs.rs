//! The agents' side of a handoff: the queue, the context packet, claiming, answering and
//! resolving. A handoff is never deleted; a written cancellation's handoff can only be
//! resolved, with its outcome recorded and told to the customer.

use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::details::{self, CaseDetails};
use super::service::{new_message, parse_locale, parse_state, stored};
use super::summary::{leaving_banner, summarise, CaseFacts};
use super::{ConversationError, Conversations, IntentScore, Message, Role};
use crate::auth::StaffMember;
use crate::dialogue::{ConversationStatus, DialogueState, StepTried};
use crate::domain::{
    CustomerDetails, FieldError, Locale, MessageText, PlainText, RequestKind, TextError,
};
use crate::domain::{Intent, Queue};
use crate::storage::{
    CallbackRecord, CancellationRow, ConversationRecord, HandoffCursor, HandoffFilter,
    HandoffRecord, MessageRecord, Resolution, StoreError, TurnTx,
};
use crate::timestamp::Timestamp;

#[derive(Debug, thiserror::Error)]
pub enum HandoffError {
    #[error("no such handoff")]
    NotFound,
    #[error("{0}")]
    Conflict(HandoffConflict),
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Conversation(#[from] ConversationError),
}

impl From<StoreError> for HandoffError {
    fn from(error: StoreError) -> Self {
        Self::Conversation(error.into())
    }
}

/// Why a handoff cannot do what was asked in its present state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HandoffConflict {
    #[error("Another agent has already claimed this handoff.")]
    AlreadyClaimed,
    #[error("This handoff is already resolved.")]
    AlreadyResolved,
    #[error("Claim this handoff before answering or resolving it.")]
    NotClaimed,
    #[error("Another agent holds this handoff.")]
    HeldByAnother,
}

impl HandoffConflict {
    pub fn code(self) -> &'static str {
        match self {
            Self::AlreadyClaimed => "already_claimed",
            Self::AlreadyResolved => "already_resolved",
            Self::NotClaimed => "not_claimed",
            Self::HeldByAnother => "held_by_another_agent",
        }
    }
}

/// How a handoff ended. A written cancellation is either carried out or, when the customer
/// asked for it, withdrawn; a withdrawal (ångerrätt) is either confirmed or disputed with a
/// reason the customer is told: nothing else closes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HandoffOutcome {
    Handled,
    CancellationConfirmed,
    CancellationWithdrawn,
    WithdrawalConfirmed,
    WithdrawalDisputed,
}

impl HandoffOutcome {
    const ALL: [Self; 5] = [
        Self::Handled,
        Self::CancellationConfirmed,
        Self::CancellationWithdrawn,
        Self::WithdrawalConfirmed,
        Self::WithdrawalDisputed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Handled => "handled",
            Self::CancellationConfirmed => "cancellation_confirmed",
            Self::CancellationWithdrawn => "cancellation_withdrawn",
            Self::WithdrawalConfirmed => "withdrawal_confirmed",
            Self::WithdrawalDisputed => "withdrawal_disputed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == raw)
    }

    /// The outcomes that carry a request out, and so need the dates it ends on.
    fn ends_the_service(self) -> bool {
        matches!(
            self,
            Self::CancellationConfirmed | Self::WithdrawalConfirmed
        )
    }

    /// The outcomes whose note is what the customer must hear (or how they asked).
    fn needs_a_note(self) -> bool {
        matches!(self, Self::CancellationWithdrawn | Self::WithdrawalDisputed)
    }

    /// The kind of written request this outcome ends; `None` for any other handoff's.
    fn ends_a(self) -> Option<RequestKind> {
        match self {
            Self::Handled => None,
            Self::CancellationConfirmed | Self::CancellationWithdrawn => {
                Some(RequestKind::Cancellation)
            }
            Self::WithdrawalConfirmed | Self::WithdrawalDisputed => Some(RequestKind::Withdrawal),
        }
    }
}

/// How a written request of `kind` may end, told to an agent who tries another outcome.
fn how_it_ends(kind: RequestKind) -> &'static str {
    match kind {
        RequestKind::Cancellation => {
            "A written cancellation is resolved with outcome \"cancellation_confirmed\" or, if \
             the customer asked to withdraw it, \"cancellation_withdrawn\"."
        }
        RequestKind::Withdrawal => {
            "A withdrawal is resolved with outcome \"withdrawal_confirmed\" or, with the \
             reason in the note, \"withdrawal_disputed\"."
        }
    }
}

/// An agent's resolution, checked against the handoff's queue.
#[derive(Debug, Clone, Default)]
pub struct ResolveRequest {
    pub outcome: Option<String>,
    pub note: Option<String>,
    /// `YYYY-MM-DD`: required when confirming a cancellation or withdrawal.
    pub service_ends_on: Option<String>,
    pub last_invoice_on: Option<String>,
}

/// A checked resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub outcome: HandoffOutcome,
    pub note: Option<String>,
    /// The day the service ends and the last invoice date, when the outcome carries it out.
    pub ends: Option<(time::Date, time::Date)>,
}

/// The longest internal note an agent can leave.
const NOTE_CHARS: usize = 4000;

impl ResolveRequest {
    /// Checks the resolution for a handoff in `queue`, about `behind` when it is a written
    /// request; every problem is reported at once.
    pub fn check(
        &self,
        queue: Queue,
        behind: Option<RequestKind>,
    ) -> Result<Resolved, HandoffError> {
        let mut problems = Vec::new();
        let note = match self
            .note
            .as_deref()
            .map(|n| PlainText::parse(n, NOTE_CHARS))
        {
            None | Some(Err(TextError::Empty)) => None,
            Some(Ok(note)) => Some(note.into_string()),
            Some(Err(e)) => {
                problems.push(FieldError::new("note", "invalid_note", e.to_string()));
                None
            }
        };
        // A handoff in the cancellation queue with no written request behind it was moved
        // there by an agent: it ends as a cancellation does.
        let behind = match queue {
            Queue::Cancellation => Some(behind.unwrap_or(RequestKind::Cancellation)),
            _ => None,
        };
        let outcome = match (behind, self.outcome.as_deref()) {
            (Some(behind), None) => {
                problems.push(FieldError::new(
                    "outcome",
                    "outcome_required",
                    how_it_ends(behind),
                ));
                None
            }
            (None, None) => Some(HandoffOutcome::Handled),
            (behind, Some(raw)) => match (behind, HandoffOutcome::parse(raw)) {
                (None, Some(HandoffOutcome::Handled)) => Some(HandoffOutcome::Handled),
                (Some(behind), Some(o)) if o.ends_a() == Some(behind) => Some(o),
                (Some(behind), Some(_)) => {
                    problems.push(FieldError::new(
                        "outcome",
                        "invalid_outcome",
                        how_it_ends(behind),
                    ));
                    None
                }
                (None, Some(_)) => {
                    problems.push(FieldError::new(
                        "outcome",
                        "invalid_outcome",
                        "Only a handoff in the cancellation queue has a cancellation or \
                         withdrawal outcome.",
                    ));
                    None
                }
                (_, None) => {
                    problems.push(FieldError::new(
                        "outcome",
                        "invalid_outcome",
                        "Outcome must be handled, cancellation_confirmed, \
                         cancellation_withdrawn, withdrawal_confirmed or withdrawal_disputed.",
                    ));
                    None
                }
            },
        };
        if outcome.is_some_and(HandoffOutcome::needs_a_note) && note.is_none() {
            let message = if outcome == Some(HandoffOutcome::WithdrawalDisputed) {
                "Say in the note why the withdrawal cannot be accepted: the customer is told."
            } else {
                "Say in the note how and when the customer asked to withdraw the cancellation."
            };
            problems.push(FieldError::new("note", "note_required", message));
        }
        let ends = if outcome.is_some_and(HandoffOutcome::ends_the_service) {
            let date = |field: &'static str, raw: Option<&str>, what: &str| match raw
                .filter(|r| !r.trim().is_empty())
            {
                None => Err(FieldError::new(
                    field,
                    "date_required",
                    format!("Enter {what} (YYYY-MM-DD): the customer is told."),
                )),
                Some(raw) => crate::domain::parse_iso_date(raw).ok_or_else(|| {
                    FieldError::new(
                        field,
                        "invalid_date",
                        format!("{what} should look like 2027-01-31."),
                    )
                }),
            };
            let ends_on = date(
                "service_ends_on",
                self.service_ends_on.as_deref(),
                "the day the service ends",
            );
            let last_invoice = date(
                "last_invoice_on",
                self.last_invoice_on.as_deref(),
                "the last invoice date",
            );
            match (ends_on, last_invoice) {
                (Ok(a), Ok(b)) => Some((a, b)),
                (a, b) => {
                    problems.extend(a.err());
                    problems.extend(b.err());
                    None
                }
            }
        } else {
            None
        };
        match outcome {
            Some(outcome) if problems.is_empty() => Ok(Resolved {
                outcome,
                note,
                ends,
            }),
            _ => Err(HandoffError::Invalid(problems)),
        }
    }
}

/// The written cancellation or withdrawal behind a handoff, as the agent sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CancellationFacts {
    /// `cancellation` or `withdrawal`.
    pub kind: String,
    pub reference: String,
    /// The subscription or contract, in the customer's words.
    pub service: String,
    #[schema(value_type = String, format = DateTime)]
    pub received_at: Timestamp,
    /// `YYYY-MM-DD`; absent: as soon as the notice period allows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
    /// A withdrawal's `YYYY-MM-DD`: the day the contract was made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contract_date: Option<String>,
    /// A withdrawal's `YYYY-MM-DD`: the last day of the withdrawal period as counted from
    /// the contract date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_day: Option<String>,
    /// Whose subscription it is, when the writer cancels for someone else.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holder_name: Option<String>,
    /// `estate`, `guardian` or `power_of_attorney`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relation: Option<String>,
    /// Entered by the agent who confirmed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_ends_on: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_invoice_on: Option<String>,
    /// The receipt the customer was given, word for word.
    pub receipt: String,
}

/// When and where the customer wants to be phoned.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CallbackFacts {
    /// E.164, ready to dial: `+46701234567`.
    pub phone: String,
    #[schema(value_type = String, format = DateTime)]
    pub from: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub to: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub requested_at: Timestamp,
}

impl From<CallbackRecord> for CallbackFacts {
    fn from(c: CallbackRecord) -> Self {
        Self {
            phone: c.phone,
            from: c.from,
            to: c.to,
            requested_at: c.requested_at,
        }
    }
}

/// Everything an agent needs to help without asking the customer to repeat themselves.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HandoffPacket {
    pub id: String,
    pub conversation_id: String,
    /// `queued`, `claimed` or `resolved`.
    pub status: String,
    #[schema(value_type = Queue)]
    pub queue: String,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intent: Option<IntentScore>,
    /// The customer's language.
    pub language: String,
    /// The classifier's likeliest readings of the message the intent came from, best first
    /// (at most three): what else the customer might have meant.
    pub intents: Vec<IntentScore>,
    pub summary: String,
    /// Services, devices, error codes and the postcode the customer mentioned.
    pub details: CaseDetails,
    /// The call-back the customer asked for instead of waiting, if they did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback: Option<CallbackFacts>,
    /// Shown above everything when the customer wants to cancel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub banner: Option<String>,
    #[schema(value_type = Object)]
    pub customer: CustomerDetails,
    #[schema(value_type = Vec<Object>)]
    pub steps_tried: Vec<StepTried>,
    pub cancellation: Option<CancellationFacts>,
    /// The display name of the agent holding it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claimed_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub claimed_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub resolved_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Seconds the customer waited before an agent claimed it (so far, if unclaimed).
    pub waited_seconds: u64,
    /// The whole conversation; left out of listings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transcript: Option<Vec<Message>>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

/// The customer details given up front, completed from a written cancellation's form.
fn customer_of(given: CustomerDetails, cancellation: Option<&CancellationRow>) -> CustomerDetails {
    let Some(c) = cancellation else {
        return given;
    };
    let parsed = CustomerDetails::parse(
        Some(&c.full_name),
        c.customer_number.as_deref(),
        c.email.as_deref(),
        None,
    )
    .unwrap_or_default();
    CustomerDetails {
        name: given.name.or(parsed.name),
        customer_number: given.customer_number.or(parsed.customer_number),
        email: given.email.or(parsed.email),
        postcode: given.postcode,
    }
}

impl Conversations {
    /// Handoffs oldest first, without transcripts.
    /// One page of handoffs, oldest first, and where the next page starts when there may be
    /// more: nothing waiting is ever out of an agent's reach.
    pub async fn handoffs(
        &self,
        filter: HandoffFilter<'_>,
        agent_locale: Locale,
    ) -> Result<(Vec<HandoffPacket>, Option<HandoffCursor>), HandoffError> {
        let limit = filter.limit;
        let records = self.store.handoffs(filter).await?;
        let next = (records.len() as i64 >= limit)
            .then(|| records.last())
            .flatten()
            .map(|last| HandoffCursor {
                created_at: last.created_at.to_string(),
                id: last.id.clone(),
            });
        // Three reads for the whole list rather than three for each handoff in it.
        let mut ids: Vec<&str> = records.iter().map(|r| r.conversation_id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let conversations: HashMap<String, ConversationRecord> = self
            .store
            .conversations_with_ids(&ids)
            .await?
            .into_iter()
            .map(|c| (c.id.clone(), c))
            .collect();
        let messages = self.store.messages_of_many(&ids).await?;
        let mut cancellations: HashMap<String, Vec<CancellationRow>> = HashMap::new();
        for row in self.store.cancellations_of_many(&ids).await? {
            cancellations
                .entry(row.conversation_id.clone())
                .or_default()
                .push(row);
        }
        let mut packets = Vec::with_capacity(records.len());
        for record in &records {
            let conversation = conversations
                .get(&record.conversation_id)
                .ok_or_else(|| StoreError::Corrupt("a handoff without its conversation".into()))?;
            let case = Case {
                conversation,
                cancellations: cancellations
                    .get(&record.conversation_id)
                    .map_or(&[], Vec::as_slice),
                messages: messages
                    .get(&record.conversation_id)
                    .map_or(&[], Vec::as_slice),
            };
            packets.push(assemble(record.clone(), &case, agent_locale, false)?);
        }
        Ok((packets, next))
    }

    /// One handoff with the whole conversation.
    pub async fn handoff(
        &self,
        id: &str,
        agent_locale: Locale,
    ) -> Result<HandoffPacket, HandoffError> {
        let record = self
            .store
            .handoff(id)
            .await?
            .ok_or(HandoffError::NotFound)?;
        self.packet(record, agent_locale, true).await
    }

    pub(super) async fn packet(
        &self,
        record: HandoffRecord,
        agent_locale: Locale,
        with_transcript: bool,
    ) -> Result<HandoffPacket, HandoffError> {
        let conversation = self
            .store
            .conversation(&record.conversation_id)
            .await?
            .ok_or_else(|| StoreError::Corrupt("a handoff without its conversation".into()))?;
        let cancellations = self.store.cancellations_of(&record.conversation_id).await?;
        let messages = self.store.messages(&record.conversation_id).await?;
        let case = Case {
            conversation: &conversation,
            cancellations: &cancellations,
            messages: &messages,
        };
        assemble(record, &case, agent_locale, with_transcript)
    }
}

/// What one handoff's packet is made from, read for it alone or for a whole listing at once.
struct Case<'a> {
    conversation: &'a ConversationRecord,
    /// Every written cancellation sent from the conversation, oldest first.
    cancellations: &'a [CancellationRow],
    messages: &'a [MessageRecord],
}

fn assemble(
    record: HandoffRecord,
    case: &Case<'_>,
    agent_locale: Locale,
    with_transcript: bool,
) -> Result<HandoffPacket, HandoffError> {
    let conversation = case.conversation;
    let state: DialogueState = parse_state(conversation)?;
    let sent_elsewhere = case.cancellations.last().map(|c| c.reference.clone());
    let last_sent = case
        .cancellations
        .last()
        .map(|c| (c.reference.clone(), RequestKind::from_stored(&c.kind)));
    let cancellation = case
        .cancellations
        .iter()
        .find(|c| c.handoff_id == record.id)
        .cloned();
    let messages = case.messages;
    let first_words = messages
        .iter()
        .find(|m| m.role == Role::Customer.as_str() && m.action_id.is_none())
        .map(|m| m.text.clone());
    // The confidence of the last reply that named the intent the bot settled on.
    let intent = state.intent.as_deref().and_then(|name| {
        messages
            .iter()
            .rev()
            .find_map(|m| m.intent.as_ref().filter(|(n, _)| n == name).cloned())
    });
    // What the customer came with: the first problem the bot understood, not the wish
    // to cancel or a greeting, which the summary tells on their own.
    let problem = messages
        .iter()
        .filter_map(|m| m.intent.as_ref())
        .find(|(name, _)| {
            Intent::parse(name).map_or(true, |i| i.is_problem() && i != Intent::CancelSubscription)
        })
        .or(intent.as_ref());
    let given = super::service::parse_customer(conversation)?;
    let details = details::extract(
        agent_locale,
        messages
            .iter()
            .filter(|m| m.role == Role::Customer.as_str() && m.action_id.is_none())
            .map(|m| m.text.as_str()),
        given.postcode.as_ref().or(state.postcode.as_ref()),
    );
    let callback = record.callback.clone();
    let summary = summarise(
        agent_locale,
        &CaseFacts {
            details: Some(&details),
            callback: callback.as_ref().map(|c| (c.phone.as_str(), c.from, c.to)),
            first_words: first_words.as_deref(),
            intent: problem.map(|(n, c)| (n.as_str(), *c)),
            steps_tried: &state.steps_tried,
            reason: &record.reason,
            cancellation: cancellation
                .as_ref()
                .filter(|c| RequestKind::from_stored(&c.kind) == RequestKind::Cancellation)
                .map(|c| {
                    (
                        c.reference.as_str(),
                        c.service.as_str(),
                        c.end_date.as_deref(),
                    )
                }),
            withdrawal: cancellation
                .as_ref()
                .filter(|c| RequestKind::from_stored(&c.kind) == RequestKind::Withdrawal)
                .map(|c| {
                    (
                        c.reference.as_str(),
                        c.service.as_str(),
                        c.contract_date.as_deref().unwrap_or_default(),
                    )
                }),
            withdrawal_wish: state.withdrawal_wish,
            contract_made_on: state.contract_made_on,
            on_behalf: cancellation
                .as_ref()
                .and_then(|c| Some((c.holder_name.as_deref()?, c.relation.as_deref()?))),
            cancellation_wish: state.cancellation_wish,
            cancellation_sent: sent_elsewhere.as_deref(),
            later: &state.later,
        },
    );
    let wants = if state.withdrawal_wish && !state.cancellation_wish {
        RequestKind::Withdrawal
    } else {
        RequestKind::Cancellation
    };
    let banner =
        (last_sent.is_some() || state.cancellation_wish || state.withdrawal_wish).then(|| {
            let sent = last_sent.as_ref().map(|(r, kind)| (r.as_str(), *kind));
            leaving_banner(agent_locale, sent, wants)
        });
    let customer = customer_of(given, cancellation.as_ref());
    let waited_until = record.claimed_at.unwrap_or_else(Timestamp::now);
    let transcript = if with_transcript {
        Some(
            messages
                .iter()
                .cloned()
                .map(|record| {
                    let mut message = Message::try_from(record)?;
                    message.intent = message.intent.map(|i| i.labelled(agent_locale));
                    Ok(message)
                })
                .collect::<Result<Vec<_>, ConversationError>>()?,
        )
    } else {
        None
    };
    Ok(HandoffPacket {
        id: record.id,
        conversation_id: record.conversation_id,
        status: record.status,
        queue: record.queue,
        reason: record.reason,
        intent: intent
            .map(|(name, confidence)| IntentScore::new(name, confidence).labelled(agent_locale)),
        language: conversation.locale.clone(),
        intents: state
            .intent_ranking
            .iter()
            .map(|(name, confidence)| {
                IntentScore::new(name.clone(), f64::from(*confidence)).labelled(agent_locale)
            })
            .collect(),
        summary,
        details,
        callback: callback.map(Into::into),
        banner,
        customer,
        steps_tried: state.steps_tried,
        cancellation: cancellation.map(|c| CancellationFacts {
            last_day: c
                .contract_date
                .as_deref()
                .and_then(crate::domain::last_withdrawal_day_of),
            kind: c.kind,
            reference: c.reference,
            service: c.service,
            received_at: c.received_at,
            end_date: c.end_date,
            contract_date: c.contract_date,
            holder_name: c.holder_name,
            relation: c.relation,
            service_ends_on: c.service_ends_on,
            last_invoice_on: c.last_invoice_on,
            receipt: c.receipt,
        }),
        claimed_by: record.claimed_by.map(|(_, name)| name),
        claimed_at: record.claimed_at,
        resolved_at: record.resolved_at,
        outcome: record.outcome,
        note: record.note,
        waited_seconds: waited_until.seconds_since(record.created_at).max(0.0) as u64,
        transcript,
        created_at: record.created_at,
    })
}

impl Conversations {
    /// Claims a queued handoff. Of two agents claiming at once, one wins; the other gets
    /// `AlreadyClaimed`. The customer is told who has taken over.
    #[tracing::instrument(skip_all, fields(handoff_id = %id))]
    pub async fn claim_handoff(
        &self,
        id: &str,
        agent: &StaffMember,
        agent_locale: Locale,
    ) -> Result<HandoffPacket, HandoffError> {
        let (current, mut turn) = self.handoff_turn(id).await?;
        match current.status.as_str() {
            "resolved" => return Err(HandoffError::Conflict(HandoffConflict::AlreadyResolved)),
            "claimed" => return Err(HandoffError::Conflict(HandoffConflict::AlreadyClaimed)),
            _ => {}
        }
        let now = Timestamp::now();
        if !turn.claim_handoff(id, &agent.id, &agent.name, now).await? {
            return Err(HandoffError::Conflict(HandoffConflict::AlreadyClaimed));
        }
        // A written cancellation is back-office work: the customer's chat goes on as it was.
        if current.queue != Queue::Cancellation.as_str() {
            let locale = parse_locale(&turn.conversation)?;
            let text = self.engine.replies().agent_joined(locale, &agent.name);
            tell(
                &mut turn,
                Role::System,
                text,
                ConversationStatus::Agent.as_str(),
                now,
            )
            .await?;
        }
        turn.commit().await?;
        metrics::counter!("felsok_handoffs_claimed_total", "queue" => current.queue.clone())
            .increment(1);
        tracing::info!(queue = %current.queue, "handoff claimed");
        self.handoff(id, agent_locale).await
    }

    /// An agent's message to the customer, on a handoff the agent holds.
    #[tracing::instrument(skip_all, fields(handoff_id = %id))]
    pub async fn agent_message(
        &self,
        id: &str,
        agent: &StaffMember,
        text: &MessageText,
    ) -> Result<Message, HandoffError> {
        let (current, mut turn) = self.handoff_turn(id).await?;
        holds(&current, agent)?;
        let now = Timestamp::now();
        let status = turn.conversation.status.clone();
        let message = tell(
            &mut turn,
            Role::Agent,
            text.as_str().to_owned(),
            &status,
            now,
        )
        .await?;
        turn.commit().await?;
        Ok(message)
    }

    /// Moves a handoff, with its whole context, to another queue, where it waits to be
    /// claimed. Written cancellations stay in theirs: they must be processed, not passed on.
    #[tracing::instrument(skip_all, fields(handoff_id = %id))]
    pub async fn move_handoff(
        &self,
        id: &str,
        agent: &StaffMember,
        to: Queue,
        agent_locale: Locale,
    ) -> Result<HandoffPacket, HandoffError> {
        let (current, mut turn) = self.handoff_turn(id).await?;
        let cancellation = Queue::Cancellation.as_str();
        if current.queue == cancellation || to == Queue::Cancellation {
            return Err(HandoffError::Invalid(vec![FieldError::new(
                "queue",
                "cancellation_stays",
                "Written cancellations are processed in the cancellation queue, and only they \
                 belong there.",
            )]));
        }
        if current.status == "claimed" {
            holds(&current, agent)?;
        }
        let now = Timestamp::now();
        if current.queue == to.as_str() {
            return self.handoff(id, agent_locale).await;
        }
        if !turn.move_handoff(id, to.as_str(), now).await? {
            return Err(HandoffError::Conflict(HandoffConflict::AlreadyResolved));
        }
        let locale = parse_locale(&turn.conversation)?;
        let text = self.engine.replies().moved_to_queue(locale, to);
        tell(
            &mut turn,
            Role::System,
            text,
            ConversationStatus::Queued.as_str(),
            now,
        )
        .await?;
        turn.commit().await?;
        tracing::info!(from = %current.queue, to = to.as_str(), "handoff moved");
        self.handoff(id, agent_locale).await
    }

    /// Hands a claimed handoff back to its queue for the next free agent, context and all;
    /// for an agent who cannot finish it (a shift ends, a case needs other skills).
    #[tracing::instrument(skip_all, fields(handoff_id = %id))]
    pub async fn release_handoff(
        &self,
        id: &str,
        agent: &StaffMember,
        agent_locale: Locale,
    ) -> Result<HandoffPacket, HandoffError> {
        let (current, mut turn) = self.handoff_turn(id).await?;
        holds(&current, agent)?;
        let now = Timestamp::now();
        if !turn.release_handoff(id, &agent.id, now).await? {
            return Err(HandoffError::Conflict(HandoffConflict::HeldByAnother));
        }
        // As with claiming, a written cancellation's chat is not the agent's to speak in.
        if current.queue != Queue::Cancellation.as_str() {
            let locale = parse_locale(&turn.conversation)?;
            let text = self.engine.replies().handed_back(locale);
            tell(
                &mut turn,
                Role::System,
                text,
                ConversationStatus::Queued.as_str(),
                now,
            )
            .await?;
        }
        turn.commit().await?;
        tracing::info!(queue = %current.queue, "handoff handed back");
        self.handoff(id, agent_locale).await
    }

    /// Resolves a handoff the agent holds, recording the outcome and note. The customer is
    /// told: a case closed, or a cancellation confirmed or withdrawn.
    #[tracing::instrument(skip_all, fields(handoff_id = %id))]
    pub async fn resolve_handoff(
        &self,
        id: &str,
        agent: &StaffMember,
        request: &ResolveRequest,
        agent_locale: Locale,
    ) -> Result<HandoffPacket, HandoffError> {
        let cancellation = self.store.cancellation_for_handoff(id).await?;
        let (current, mut turn) = self.handoff_turn(id).await?;
        holds(&current, agent)?;
        let queue = Queue::parse(&current.queue)
            .ok_or_else(|| StoreError::Corrupt(format!("queue {:?}", current.queue)))?;
        let behind = cancellation
            .as_ref()
            .map(|c| RequestKind::from_stored(&c.kind));
        let Resolved {
            outcome,
            note,
            ends,
        } = request.check(queue, behind)?;
        let now = Timestamp::now();
        let resolution = Resolution {
            staff_id: &agent.id,
            outcome: outcome.as_str(),
            note: note.as_deref(),
        };
        if !turn.resolve_handoff(id, resolution, now).await? {
            return Err(HandoffError::Conflict(HandoffConflict::HeldByAnother));
        }
        if let Some((ends_on, last_invoice_on)) = ends {
            turn.set_request_end(
                id,
                &crate::domain::iso_date(ends_on),
                &crate::domain::iso_date(last_invoice_on),
            )
            .await?;
        }
        let locale = parse_locale(&turn.conversation)?;
        let replies = self.engine.replies();
        let reference = cancellation.as_ref().map(|c| c.reference.as_str());
        let unchanged = turn.conversation.status.clone();
        let (text, status) = match (outcome, reference, ends) {
            (confirmed, Some(r), Some((ends_on, invoice))) if confirmed.ends_the_service() => {
                let kind = confirmed
                    .ends_a()
                    .expect("a confirmed outcome ends a request");
                let told = replies.request_confirmed(locale, kind, r, ends_on, invoice);
                (told, unchanged)
            }
            (HandoffOutcome::CancellationWithdrawn, Some(r), _) => {
                (replies.cancellation_withdrawn(locale, r), unchanged)
            }
            (HandoffOutcome::WithdrawalDisputed, Some(r), _) => (
                replies.withdrawal_disputed(locale, r, note.as_deref().unwrap_or_default()),
                unchanged,
            ),
            // The bot answers again once the person who held the chat has closed it.
            _ => (
                replies.case_closed(locale, &agent.name),
                ConversationStatus::Bot.as_str().to_owned(),
            ),
        };
        tell(&mut turn, Role::System, text, &status, now).await?;
        turn.commit().await?;
        metrics::counter!(
            "felsok_handoffs_resolved_total",
            "queue" => current.queue.clone(),
            "outcome" => outcome.as_str()
        )
        .increment(1);
        tracing::info!(queue = %current.queue, outcome = outcome.as_str(), "handoff resolved");
        self.handoff(id, agent_locale).await
    }
}

impl Conversations {
    /// Locks the handoff's conversation for a turn and reads the handoff as it is under that
    /// lock, so that what is checked is what is changed.
    async fn handoff_turn(&self, id: &str) -> Result<(HandoffRecord, TurnTx), HandoffError> {
        let found = self
            .store
            .handoff(id)
            .await?
            .ok_or(HandoffError::NotFound)?;
        let mut turn = self
            .store
            .begin_turn(&found.conversation_id)
            .await?
            .ok_or(HandoffError::NotFound)?;
        let current = turn.handoff(id).await?.ok_or(HandoffError::NotFound)?;
        Ok((current, turn))
    }
}

/// Adds one message to the conversation in this turn, leaving the dialogue state as it is.
async fn tell(
    turn: &mut TurnTx,
    role: Role,
    text: String,
    status: &str,
    now: Timestamp,
) -> Result<Message, StoreError> {
    let message = new_message(role, text, None, now);
    let state = turn.conversation.state_json.clone();
    let seqs = turn
        .append(std::slice::from_ref(&message), status, &state, now)
        .await?;
    stored(message, seqs[0])
}

/// Whether the agent may act on the handoff now.
fn holds(handoff: &HandoffRecord, agent: &StaffMember) -> Result<(), HandoffError> {
    match handoff.status.as_str() {
        "resolved" => Err(HandoffError::Conflict(HandoffConflict::AlreadyResolved)),
        "queued" => Err(HandoffError::Conflict(HandoffConflict::NotClaimed)),
        _ => match &handoff.claimed_by {
            Some((staff_id, _)) if *staff_id == agent.id => Ok(()),
            _ => Err(HandoffError::Conflict(HandoffConflict::HeldByAnother)),
        },
    }
}
