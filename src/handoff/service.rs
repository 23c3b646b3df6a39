//! The agents' side of a handoff: the queue, the packet, claiming, answering, moving,
//! handing back and resolving. A handoff is never deleted; a written cancellation's or
//! withdrawal's handoff can only be resolved, with its outcome recorded and told to the
//! customer.

use std::collections::HashMap;

use super::packet::{assemble, Case, HandoffPacket};
use super::resolution::{ResolveRequest, Resolved};
use super::{HandoffConflict, HandoffError};
use crate::auth::StaffMember;
use crate::conversation::{new_message, stored, Message, Role};
use crate::dialogue::{ConversationStatus, Engine};
use crate::domain::{FieldError, HandoffOutcome, HandoffStatus, Locale, MessageText, Queue};
use crate::storage::{
    CancellationRow, ConversationRecord, HandoffCursor, HandoffFilter, HandoffRecord, Store,
    StoreError, TurnTx,
};
use crate::timestamp::Timestamp;

/// The handoff service agents work through. Cheap to clone.
#[derive(Clone)]
pub struct Handoffs {
    store: Store,
    engine: Engine,
}

/// A change as an agent's inbox sees it: the conversation's handoffs and its latest message.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InboxChange {
    pub conversation_id: String,
    pub handoffs: Vec<HandoffPacket>,
    pub last_message: Option<Message>,
}

/// What an agent's action says in the customer's chat, and the chat's status after it.
struct Notice {
    role: Role,
    text: String,
    status: ConversationStatus,
}

impl Notice {
    fn system(text: String, status: ConversationStatus) -> Self {
        Self {
            role: Role::System,
            text,
            status,
        }
    }
}

/// What an action found and said.
struct Acted {
    /// The handoff as it was, read under the conversation's lock, before the action.
    before: HandoffRecord,
    told: Option<Message>,
}

impl Handoffs {
    pub fn new(store: Store, engine: Engine) -> Self {
        Self { store, engine }
    }

    /// One page of handoffs, oldest first, without transcripts, and where the next page
    /// starts when there may be more: nothing waiting is ever out of an agent's reach.
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

    async fn packet(
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

    /// A conversation's change as an agent sees it; `None` when no person is involved in it.
    pub async fn inbox_change(
        &self,
        conversation_id: &str,
        agent_locale: Locale,
    ) -> Result<Option<InboxChange>, HandoffError> {
        let records = self.store.handoffs_of(conversation_id).await?;
        if records.is_empty() {
            return Ok(None);
        }
        let mut handoffs = Vec::with_capacity(records.len());
        for record in records {
            handoffs.push(self.packet(record, agent_locale, false).await?);
        }
        let last_seq = self
            .store
            .conversation(conversation_id)
            .await?
            .map_or(0, |c| c.last_seq);
        let last_message = self
            .store
            .messages_after(conversation_id, last_seq - 1)
            .await?
            .pop()
            .map(Message::try_from)
            .transpose()?;
        Ok(Some(InboxChange {
            conversation_id: conversation_id.to_owned(),
            handoffs,
            last_message,
        }))
    }

    /// Claims a queued handoff. Of two agents claiming at once, one wins; the other gets
    /// `AlreadyClaimed`. The customer is told who has taken over.
    #[tracing::instrument(skip_all, fields(handoff_id = %id))]
    pub async fn claim(
        &self,
        id: &str,
        agent: &StaffMember,
        agent_locale: Locale,
    ) -> Result<HandoffPacket, HandoffError> {
        let acted = self
            .act(id, async |current, turn, now| {
                match current.status {
                    HandoffStatus::Resolved => return Err(HandoffConflict::AlreadyResolved.into()),
                    HandoffStatus::Claimed => return Err(HandoffConflict::AlreadyClaimed.into()),
                    HandoffStatus::Queued => {}
                }
                if !turn.claim_handoff(id, &agent.id, &agent.name, now).await? {
                    return Err(HandoffConflict::AlreadyClaimed.into());
                }
                // A written request is back-office work: the customer's chat goes on as it was.
                if current.queue == Queue::Cancellation {
                    return Ok(None);
                }
                let locale = turn.conversation.locale;
                let text = self.engine.replies().agent_joined(locale, &agent.name);
                Ok(Some(Notice::system(text, ConversationStatus::Agent)))
            })
            .await?;
        let queue = acted.before.queue;
        metrics::counter!("felsok_handoffs_claimed_total", "queue" => queue.as_str()).increment(1);
        tracing::info!(queue = %queue, "handoff claimed");
        self.handoff(id, agent_locale).await
    }

    /// An agent's message to the customer, on a handoff the agent holds.
    #[tracing::instrument(skip_all, fields(handoff_id = %id))]
    pub async fn message(
        &self,
        id: &str,
        agent: &StaffMember,
        text: &MessageText,
    ) -> Result<Message, HandoffError> {
        let acted = self
            .act(id, async |current, turn, _| {
                holds(current, agent)?;
                Ok(Some(Notice {
                    role: Role::Agent,
                    text: text.as_str().to_owned(),
                    status: turn.conversation.status,
                }))
            })
            .await?;
        Ok(acted.told.expect("an agent's message is always told"))
    }

    /// Moves a handoff, with its whole context, to another queue, where it waits to be
    /// claimed. Written requests stay in theirs: they must be processed, not passed on.
    #[tracing::instrument(skip_all, fields(handoff_id = %id))]
    pub async fn move_to(
        &self,
        id: &str,
        agent: &StaffMember,
        to: Queue,
        agent_locale: Locale,
    ) -> Result<HandoffPacket, HandoffError> {
        let acted = self
            .act(id, async |current, turn, now| {
                if current.queue == Queue::Cancellation || to == Queue::Cancellation {
                    return Err(HandoffError::Invalid(vec![FieldError::new(
                        "queue",
                        "cancellation_stays",
                        "Written cancellations are processed in the cancellation queue, and \
                         only they belong there.",
                    )]));
                }
                if current.status == HandoffStatus::Claimed {
                    holds(current, agent)?;
                }
                if current.queue == to {
                    return Ok(None);
                }
                if !turn.move_handoff(id, to, now).await? {
                    return Err(HandoffConflict::AlreadyResolved.into());
                }
                let locale = turn.conversation.locale;
                let text = self.engine.replies().moved_to_queue(locale, to);
                Ok(Some(Notice::system(text, ConversationStatus::Queued)))
            })
            .await?;
        if acted.told.is_some() {
            tracing::info!(from = %acted.before.queue, to = to.as_str(), "handoff moved");
        }
        self.handoff(id, agent_locale).await
    }

    /// Hands a claimed handoff back to its queue for the next free agent, context and all;
    /// for an agent who cannot finish it (a shift ends, a case needs other skills).
    #[tracing::instrument(skip_all, fields(handoff_id = %id))]
    pub async fn release(
        &self,
        id: &str,
        agent: &StaffMember,
        agent_locale: Locale,
    ) -> Result<HandoffPacket, HandoffError> {
        let acted = self
            .act(id, async |current, turn, now| {
                holds(current, agent)?;
                if !turn.release_handoff(id, &agent.id, now).await? {
                    return Err(HandoffConflict::HeldByAnother.into());
                }
                // As with claiming, a written request's chat is not the agent's to speak in.
                if current.queue == Queue::Cancellation {
                    return Ok(None);
                }
                let locale = turn.conversation.locale;
                let text = self.engine.replies().handed_back(locale);
                Ok(Some(Notice::system(text, ConversationStatus::Queued)))
            })
            .await?;
        tracing::info!(queue = %acted.before.queue, "handoff handed back");
        self.handoff(id, agent_locale).await
    }

    /// Resolves a handoff the agent holds, recording the outcome and note. The customer is
    /// told: a case closed, or a request confirmed (with its dates), withdrawn or disputed.
    #[tracing::instrument(skip_all, fields(handoff_id = %id))]
    pub async fn resolve(
        &self,
        id: &str,
        agent: &StaffMember,
        request: &ResolveRequest,
        agent_locale: Locale,
    ) -> Result<HandoffPacket, HandoffError> {
        let cancellation = self.store.cancellation_for_handoff(id).await?;
        let mut ended = None;
        let acted = self
            .act(id, async |current, turn, now| {
                holds(current, agent)?;
                let behind = cancellation.as_ref().map(|c| c.kind);
                let Resolved {
                    outcome,
                    note,
                    ends,
                } = request.check(current.queue, behind)?;
                ended = Some(outcome);
                let resolution = crate::storage::Resolution {
                    staff_id: &agent.id,
                    outcome,
                    note: note.as_deref(),
                };
                if !turn.resolve_handoff(id, resolution, now).await? {
                    return Err(HandoffConflict::HeldByAnother.into());
                }
                if let Some((ends_on, last_invoice_on)) = ends {
                    turn.set_request_end(
                        id,
                        &crate::domain::iso_date(ends_on),
                        &crate::domain::iso_date(last_invoice_on),
                    )
                    .await?;
                }
                let locale = turn.conversation.locale;
                let replies = self.engine.replies();
                let reference = cancellation.as_ref().map(|c| c.reference.as_str());
                let unchanged = turn.conversation.status;
                let (text, status) = match (outcome, reference, ends) {
                    (confirmed, Some(r), Some((ends_on, invoice)))
                        if confirmed.ends_the_service() =>
                    {
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
                        ConversationStatus::Bot,
                    ),
                };
                Ok(Some(Notice {
                    role: Role::System,
                    text,
                    status,
                }))
            })
            .await?;
        let outcome = ended.expect("a resolved handoff has its outcome").as_str();
        let queue = acted.before.queue;
        metrics::counter!(
            "felsok_handoffs_resolved_total",
            "queue" => queue.as_str(),
            "outcome" => outcome
        )
        .increment(1);
        tracing::info!(queue = %queue, outcome, "handoff resolved");
        self.handoff(id, agent_locale).await
    }

    /// The one sequence every agent action follows: lock the handoff's conversation and read
    /// the handoff under that lock (so what is checked is what is changed), let the action
    /// check and change it, tell the customer what it says, and commit all of it at once.
    async fn act<A>(&self, id: &str, action: A) -> Result<Acted, HandoffError>
    where
        A: AsyncFnOnce(
            &HandoffRecord,
            &mut TurnTx,
            Timestamp,
        ) -> Result<Option<Notice>, HandoffError>,
    {
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
        let before = turn.handoff(id).await?.ok_or(HandoffError::NotFound)?;
        let now = Timestamp::now();
        let told = match action(&before, &mut turn, now).await? {
            Some(notice) => Some(tell(&mut turn, notice, now).await?),
            None => None,
        };
        turn.commit().await?;
        Ok(Acted { before, told })
    }
}

/// Adds one message to the conversation in this turn, leaving the dialogue state as it is.
async fn tell(turn: &mut TurnTx, notice: Notice, now: Timestamp) -> Result<Message, StoreError> {
    let message = new_message(notice.role, notice.text, None, now);
    let state = turn.conversation.state_json.clone();
    let seqs = turn
        .append(std::slice::from_ref(&message), notice.status, &state, now)
        .await?;
    stored(message, seqs[0])
}

/// Whether the agent may act on the handoff now.
fn holds(handoff: &HandoffRecord, agent: &StaffMember) -> Result<(), HandoffError> {
    match handoff.status {
        HandoffStatus::Resolved => Err(HandoffConflict::AlreadyResolved.into()),
        HandoffStatus::Queued => Err(HandoffConflict::NotClaimed.into()),
        HandoffStatus::Claimed => match &handoff.claimed_by {
            Some((staff_id, _)) if *staff_id == agent.id => Ok(()),
            _ => Err(HandoffConflict::HeldByAnother.into()),
        },
    }
}
