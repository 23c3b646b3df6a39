//! The context packet: everything an agent needs to help without asking the customer to
//! repeat themselves, assembled from stored facts alone.

use serde::Serialize;
use utoipa::ToSchema;

use super::details::{self, CaseDetails};
use super::summary::{leaving_banner, summarise, CaseFacts};
use super::HandoffError;
use crate::conversation::{
    parse_customer, parse_state, CallbackFacts, ConversationError, IntentScore, Message, Role,
};
use crate::dialogue::{DialogueState, StepTried};
use crate::domain::{
    CustomerDetails, HandoffOutcome, HandoffReason, HandoffStatus, Intent, Locale, Queue,
    RequestKind,
};
use crate::storage::{CancellationRow, ConversationRecord, HandoffRecord, MessageRecord};
use crate::timestamp::Timestamp;

/// The written cancellation or withdrawal behind a handoff, as the agent sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CancellationFacts {
    pub kind: RequestKind,
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

/// Everything an agent needs to help without asking the customer to repeat themselves.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HandoffPacket {
    pub id: String,
    pub conversation_id: String,
    pub status: HandoffStatus,
    pub queue: Queue,
    pub reason: HandoffReason,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intent: Option<IntentScore>,
    /// The customer's language.
    pub language: Locale,
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
    pub outcome: Option<HandoffOutcome>,
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

/// What one handoff's packet is made from, read for it alone or for a whole listing at once.
pub(super) struct Case<'a> {
    pub conversation: &'a ConversationRecord,
    /// Every written cancellation sent from the conversation, oldest first.
    pub cancellations: &'a [CancellationRow],
    pub messages: &'a [MessageRecord],
}

pub(super) fn assemble(
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
        .map(|c| (c.reference.clone(), c.kind));
    let cancellation = case
        .cancellations
        .iter()
        .find(|c| c.handoff_id == record.id)
        .cloned();
    let messages = case.messages;
    let first_words = messages
        .iter()
        .find(|m| m.role == Role::Customer && m.action_id.is_none())
        .map(|m| m.text.clone());
    // The confidence of the last reply that named the intent the bot settled on.
    let intent = state.intent.and_then(|name| {
        messages
            .iter()
            .rev()
            .find_map(|m| m.intent.filter(|(n, _)| *n == name))
    });
    // What the customer came with: the first problem the bot understood, not the wish
    // to cancel or a greeting, which the summary tells on their own.
    let problem = messages
        .iter()
        .filter_map(|m| m.intent)
        .find(|(name, _)| name.is_problem() && *name != Intent::CancelSubscription)
        .or(intent);
    let given = parse_customer(conversation)?;
    let details = details::extract(
        agent_locale,
        messages
            .iter()
            .filter(|m| m.role == Role::Customer && m.action_id.is_none())
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
            intent: problem,
            steps_tried: &state.steps_tried,
            reason: Some(record.reason),
            cancellation: cancellation
                .as_ref()
                .filter(|c| c.kind == RequestKind::Cancellation)
                .map(|c| {
                    (
                        c.reference.as_str(),
                        c.service.as_str(),
                        c.end_date.as_deref(),
                    )
                }),
            withdrawal: cancellation
                .as_ref()
                .filter(|c| c.kind == RequestKind::Withdrawal)
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
        language: conversation.locale,
        intents: state
            .intent_ranking
            .iter()
            .map(|(name, confidence)| {
                IntentScore::new(*name, f64::from(*confidence)).labelled(agent_locale)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Channel, ConversationStatus, Locale};

    fn at(text: &str) -> Timestamp {
        Timestamp::parse(text).expect("a valid time")
    }

    fn conversation(state: &DialogueState, customer: Option<&str>) -> ConversationRecord {
        ConversationRecord {
            id: "c1".into(),
            token_hash: String::new(),
            locale: Locale::Sv,
            channel: Channel::Web,
            status: ConversationStatus::Queued,
            state_json: serde_json::to_string(state).expect("a state serialises"),
            customer_json: customer.map(str::to_owned),
            last_seq: 3,
            created_at: at("2026-12-01T09:00:00Z"),
            updated_at: at("2026-12-01T09:05:00Z"),
        }
    }

    fn handoff(queue: Queue, reason: HandoffReason) -> HandoffRecord {
        HandoffRecord {
            id: "h1".into(),
            conversation_id: "c1".into(),
            queue,
            reason,
            status: HandoffStatus::Claimed,
            created_at: at("2026-12-01T09:05:00Z"),
            claimed_by: Some(("s1".into(), "Agnes".into())),
            claimed_at: Some(at("2026-12-01T09:07:30Z")),
            resolved_at: None,
            outcome: None,
            note: None,
            callback: None,
        }
    }

    fn message(seq: i64, role: Role, text: &str, intent: Option<(Intent, f64)>) -> MessageRecord {
        MessageRecord {
            id: format!("m{seq}"),
            seq,
            role,
            text: text.into(),
            actions_json: "[]".into(),
            action_id: None,
            intent,
            guide_step_json: None,
            created_at: at("2026-12-01T09:01:00Z"),
        }
    }

    fn withdrawal_row() -> CancellationRow {
        CancellationRow {
            id: "w1".into(),
            conversation_id: "c1".into(),
            kind: RequestKind::Withdrawal,
            reference: "ÅN-261201-ABCDEF".into(),
            fingerprint: String::new(),
            service: "Bredband 250".into(),
            full_name: "Sara Lind".into(),
            customer_number: None,
            email: Some("sara@example.org".into()),
            end_date: None,
            comment: None,
            locale: "sv".into(),
            receipt: "Kvitto".into(),
            handoff_id: "h1".into(),
            received_at: at("2026-12-01T09:05:00Z"),
            contract_date: Some("2026-11-27".into()),
            holder_name: None,
            relation: None,
            service_ends_on: None,
            last_invoice_on: None,
        }
    }

    fn packet_of(
        conversation: &ConversationRecord,
        cancellations: &[CancellationRow],
        messages: &[MessageRecord],
        handoff: HandoffRecord,
        agent_locale: Locale,
        with_transcript: bool,
    ) -> Result<HandoffPacket, HandoffError> {
        let case = Case {
            conversation,
            cancellations,
            messages,
        };
        assemble(handoff, &case, agent_locale, with_transcript)
    }

    #[test]
    fn the_packet_names_the_problem_the_customer_came_with_not_the_greeting() {
        let state = DialogueState {
            intent: Some(Intent::BroadbandDown),
            ..DialogueState::default()
        };
        let record = conversation(&state, None);
        let messages = [
            message(1, Role::Customer, "hej", None),
            message(2, Role::Bot, "Hej!", Some((Intent::Greeting, 0.9))),
            message(3, Role::Customer, "internet funkar inte", None),
            message(
                4,
                Role::Bot,
                "Vi testar.",
                Some((Intent::BroadbandDown, 0.82)),
            ),
        ];
        let packet = packet_of(
            &record,
            &[],
            &messages,
            handoff(Queue::Technical, HandoffReason::CustomerRequest),
            Locale::En,
            true,
        )
        .expect("a packet");
        let intent = packet.intent.expect("the settled intent");
        assert_eq!(
            (intent.name, intent.confidence),
            (Intent::BroadbandDown, 0.82)
        );
        assert_eq!(packet.waited_seconds, 150, "from creation to the claim");
        assert_eq!(packet.claimed_by.as_deref(), Some("Agnes"));
        assert_eq!(packet.transcript.map(|t| t.len()), Some(4));
        assert!(packet.banner.is_none(), "nobody wants to leave");
        assert!(packet.cancellation.is_none());
        assert!(!packet.summary.is_empty());
    }

    #[test]
    fn a_listing_leaves_the_transcript_out() {
        let state = DialogueState::default();
        let record = conversation(&state, None);
        let messages = [message(1, Role::Customer, "hej", None)];
        let packet = packet_of(
            &record,
            &[],
            &messages,
            handoff(Queue::General, HandoffReason::CustomerRequest),
            Locale::Sv,
            false,
        )
        .expect("a packet");
        assert!(packet.transcript.is_none());
    }

    #[test]
    fn a_written_withdrawal_carries_its_last_day_the_form_details_and_a_banner() {
        let state = DialogueState {
            withdrawal_wish: true,
            ..DialogueState::default()
        };
        let record = conversation(&state, None);
        let rows = [withdrawal_row()];
        let packet = packet_of(
            &record,
            &rows,
            &[],
            handoff(Queue::Cancellation, HandoffReason::Withdrawal),
            Locale::Sv,
            false,
        )
        .expect("a packet");
        let facts = packet.cancellation.expect("the request behind it");
        assert_eq!(facts.kind, RequestKind::Withdrawal);
        assert_eq!(facts.contract_date.as_deref(), Some("2026-11-27"));
        // 27 November and fourteen days: 11 December, a Friday.
        assert_eq!(facts.last_day.as_deref(), Some("2026-12-11"));
        assert_eq!(
            packet.customer.name.as_ref().map(|n| n.as_str()),
            Some("Sara Lind"),
            "completed from the form"
        );
        assert!(packet.banner.is_some());
    }

    #[test]
    fn details_given_up_front_win_over_the_form() {
        let given = r#"{"name":"Sara Andersson"}"#;
        let record = conversation(&DialogueState::default(), Some(given));
        let rows = [withdrawal_row()];
        let packet = packet_of(
            &record,
            &rows,
            &[],
            handoff(Queue::Cancellation, HandoffReason::Withdrawal),
            Locale::Sv,
            false,
        )
        .expect("a packet");
        assert_eq!(
            packet.customer.name.as_ref().map(|n| n.as_str()),
            Some("Sara Andersson")
        );
        assert_eq!(
            packet.customer.email.as_ref().map(|e| e.as_str()),
            Some("sara@example.org")
        );
    }

    #[test]
    fn a_state_that_does_not_read_is_reported_not_guessed() {
        let mut record = conversation(&DialogueState::default(), None);
        record.state_json = "{not json".into();
        assert!(packet_of(
            &record,
            &[],
            &[],
            handoff(Queue::General, HandoffReason::CustomerRequest),
            Locale::Sv,
            false
        )
        .is_err());
    }
}
