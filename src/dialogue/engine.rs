use std::sync::Arc;

use super::contract::{
    Context, HandoffRequest, Input, NoGuides, Reply, ReplyRole, Turn, Understanding,
};
use super::{
    Action, ActionButton, ConversationStatus, DialogueState, Miss, Pending, Replies, Situation,
    Topic,
};

use crate::classifier::StepReply;
use crate::company::CompanyProfile;
use crate::domain::{HandoffReason, Intent, Locale, MissKind, Postcode, Queue};
use crate::knowledge::GuideEntry;
use crate::timestamp::Timestamp;

/// What a problem is about, coarsely: two parts in one area are one problem told twice
/// ("nätet är nere och wifi syns inte"), two areas are two problems.
pub fn area(intent: Intent) -> &'static str {
    match crate::knowledge::Service::of_intent(intent) {
        Some(service) => service.as_str(),
        None if intent.queue() == Some(Queue::Billing) => "billing",
        None => intent.as_str(),
    }
}

/// The problem a message names, for routing a request for a person that comes with one:
/// the message's own intent when it is a problem, else the first problem in another part
/// ("can someone call me? the tv box is dead" goes to the technical queue). A fault comes
/// before an errand: "vi har precis flyttat in och fiberdosan blinkar" is for the team that
/// can mend the fibre box, not for the one that handles moves.
fn problem_named(u: &Understanding) -> Option<Intent> {
    let own = (u.confident && u.intent.is_problem()).then_some(u.intent);
    let named = || own.into_iter().chain(u.also.iter().map(|l| l.intent));
    named()
        .find(|intent| queue_for(Some(*intent), None) != Queue::General)
        .or_else(|| named().next())
}

/// How sure the model must be that a message is a claim or a complaint to pass it straight
/// to a person when it also has a guide to offer.
const PERSON_DECIDES_SURE: f32 = 0.7;

/// How sure the model must be of a claim or complaint in the middle of a billing guide to
/// leave the guide for a person at once.
const CLAIM_IN_A_BILLING_GUIDE_SURE: f32 = 0.9;

/// The customer's words about a step, cut to what an agent reads at a glance.
pub(super) fn said_about_a_step(text: &str) -> String {
    const MAX_CHARS: usize = 160;
    let text = text.trim();
    match text.char_indices().nth(MAX_CHARS) {
        Some((at, _)) => format!("{}…", text[..at].trim_end()),
        None => text.to_owned(),
    }
}

/// Billing questions go to billing, everything technical to technical: the customer is
/// never sent to "the wrong department". An understood intent routes more precisely than
/// a picked topic.
pub fn queue_for(intent: Option<Intent>, topic: Option<Topic>) -> Queue {
    let by_topic = match topic {
        Some(Topic::Billing) => Queue::Billing,
        Some(Topic::Broadband | Topic::Tv | Topic::Mobile) => Queue::Technical,
        None => Queue::General,
    };
    intent.and_then(Intent::queue).unwrap_or(by_topic)
}

/// Decides Felsök's answers. Cheap to clone and free of I/O.
#[derive(Debug, Clone, Default)]
pub struct Engine {
    replies: Replies,
    /// The phone and hours offered beside a person, and the facts steps name.
    company: Arc<CompanyProfile>,
}

impl Engine {
    pub fn new() -> Self {
        Self::default()
    }

    /// An engine that shows steps with the company's facts and tells customers how else to
    /// reach a person.
    pub fn with_company(company: Arc<CompanyProfile>) -> Self {
        Self {
            company,
            ..Self::default()
        }
    }

    /// The profile steps are shown with.
    pub fn company(&self) -> &CompanyProfile {
        &self.company
    }

    /// Kindly says that a password, code or card number was masked and is never needed. A
    /// system notice while a person has the conversation, since the bot is otherwise quiet.
    pub fn secrets_notice(
        &self,
        locale: Locale,
        status: ConversationStatus,
        found: &[crate::domain::secrets::SecretKind],
    ) -> Reply {
        let only_personal_number = found
            .iter()
            .all(|k| *k == crate::domain::secrets::SecretKind::PersonalNumber);
        let text = if only_personal_number {
            self.replies.personal_number_masked(locale)
        } else {
            self.replies.secrets_masked(locale)
        };
        match status {
            ConversationStatus::Queued | ConversationStatus::Agent => self.system(text),
            _ => self.bot(text, Vec::new()),
        }
    }

    /// A line of the catalogue followed by the configured ways to reach a person.
    fn with_contact_sentence(&self, locale: Locale, line: &str) -> String {
        match super::contact::sentence(&self.company, locale) {
            Some(contact) => format!("{line} {contact}"),
            None => line.to_owned(),
        }
    }

    pub fn replies(&self) -> &Replies {
        &self.replies
    }

    /// The first message of every conversation.
    pub fn greeting(&self, locale: Locale) -> Vec<Reply> {
        vec![self.bot(self.replies.greeting(locale), self.menu(locale, false))]
    }

    /// Answers without a knowledge base (no guides, no outages).
    pub fn respond(
        &self,
        locale: Locale,
        status: ConversationStatus,
        state: &DialogueState,
        input: Input<'_>,
    ) -> Turn {
        self.respond_in(
            &Context {
                locale,
                status,
                state,
                guides: &NoGuides,
                suggestion: None,
                outages: &[],
                customer_postcode: None,
                now: Timestamp::now(),
                requests: &[],
            },
            input,
        )
    }

    pub fn respond_in(&self, ctx: &Context<'_>, input: Input<'_>) -> Turn {
        let locale = ctx.locale;
        let status = ctx.status;
        let state = ctx.state;
        let mut turn = Turn {
            replies: Vec::new(),
            state: state.clone(),
            status,
            handoff: None,
            step_events: Vec::new(),
            misses: Vec::new(),
            words: match input {
                Input::Text(text, _) => Some(text.to_owned()),
                Input::Action(_) => None,
            },
        };
        let with_a_person = matches!(
            status,
            ConversationStatus::Queued | ConversationStatus::Agent
        );
        let awaiting_postcode = matches!(state.pending, Some(Pending::Postcode { .. }));
        let mut situation = match input {
            Input::Text(text, _) => Situation::read(text),
            Input::Action(_) => Situation::default(),
        };
        // Upset in words the lists know, or in the way the tone head has learnt to hear; a
        // listed word or a tone the head is sure of is a sure sign.
        let understood = match input {
            Input::Text(_, understanding) => understanding,
            Input::Action(_) => None,
        };
        let words = match input {
            Input::Text(text, _) => text,
            Input::Action(_) => "",
        };
        // Once a customer has been heard upset, the tone alone is believed sooner: "superb
        // hjälp verkligen" from someone already fed up is no compliment.
        let upset = situation.upset.is_some()
            || understood.is_some_and(|u| {
                u.reading.frustrated_in(words) || (state.upset_signs >= 1 && u.reading.frustrated())
            });
        let surely_upset =
            situation.upset.is_some() || understood.is_some_and(|u| u.reading.surely_frustrated());
        // A postcode said in passing ("nätet är nere här i 903 31") is remembered, so the
        // outage question never asks for it again.
        if let Input::Text(text, _) = input {
            if let Some(postcode) = Postcode::find_volunteered(text) {
                turn.state.postcode = Some(postcode);
            }
            // "Tvboxen startar inte, lampan är röd" the model cannot name still tells the
            // agent's team: a handoff from here goes to the area the things named belong to.
            if let Some(area) = Topic::named_in(text) {
                turn.state.topic = Some(area);
            }
        }
        // Questions the bot asked last turn are answered by this message or not at all.
        let after_cancellation_offer =
            matches!(state.pending, Some(Pending::AfterCancellationOffer));
        let after_languages_note = matches!(state.pending, Some(Pending::AfterLanguagesNote));
        let after_withdrawal_offer = matches!(state.pending, Some(Pending::AfterWithdrawalOffer));
        if after_cancellation_offer || after_languages_note || after_withdrawal_offer {
            turn.state.pending = None;
        }
        // "Shall we take that now?": a no lets the other problem go.
        let offered_later = matches!(state.pending, Some(Pending::TakeUpLater));
        if offered_later {
            turn.state.pending = None;
            if let Input::Text(text, _) = input {
                if super::situation::declines(text) {
                    turn.state.later.clear();
                }
            }
        }
        // "Och på söndagar?" right after the opening hours asks for them again.
        turn.state.last_request = None;
        if let (Input::Text(text, u), None, Some(last)) =
            (input, situation.request, state.last_request)
        {
            // Naming a thing ("och routern då?") is about the service, not the chat.
            let names_a_thing = !crate::knowledge::subjects::named_in(text).is_empty();
            let sure_problem = u.is_some_and(|u| {
                u.intent.is_problem() && u.confidence >= super::walk::NEW_PROBLEM_SURE
            });
            if !names_a_thing && !sure_problem && super::situation::follows_up(text) {
                situation.request = Some(last);
            }
        }
        turn.state.last_request = situation.request;
        // Counted again only by the branch for an unsure reading below.
        turn.state.unsure_in_a_row = 0;
        self.follow_language(ctx, &mut turn.state);
        match input {
            Input::Action(Action::WrittenCancellation) => {
                turn.replies
                    .push(self.cancellation_offer(locale, ReplyRole::Bot));
            }
            Input::Action(Action::OnBehalfCancellation) => {
                turn.replies.push(self.on_behalf_form(locale));
            }
            Input::Action(Action::Withdrawal) => {
                let role = if with_a_person {
                    ReplyRole::System
                } else {
                    ReplyRole::Bot
                };
                turn.state.withdrawal_wish = true;
                turn.replies.push(self.withdrawal_how(locale, role));
            }
            // The right of withdrawal is answered at once in every state, like a wish to
            // cancel: its 14 days must not run out in a queue.
            Input::Text(text, understanding) if with_a_person && situation.withdrawal => {
                self.withdrawal(ctx, &mut turn, text, understanding, ReplyRole::System, true);
            }
            // Even while a person holds the conversation, a wish to cancel is answered at
            // once with the written path: it must never wait in a queue.
            // An objection to being billed after cancelling is no new wish: the written way
            // was offered with the handoff, and offering it again reads as not listening.
            Input::Text(_, Some(u))
                if with_a_person
                    && u.cancellation
                    && !situation.billed_after_leaving
                    && !situation.asks_after_a_request
                    && !situation.retracts_a_cancellation =>
            {
                turn.state.cancellation_wish = true;
                turn.replies
                    .push(self.cancellation_offer(locale, ReplyRole::System));
            }
            // While waiting, each message is heard (the service adds the place in the queue);
            // once a person has the conversation the bot keeps quiet: the agent reads what the
            // customer writes, and a bot chiming in would only confuse.
            Input::Text(..) if status == ConversationStatus::Queued => {
                let text = match situation.request {
                    Some(request) => self.replies.chat_request(locale, request),
                    None => self.replies.noted_while_queued(locale),
                };
                turn.replies.push(self.system(text));
            }
            Input::Text(..) if with_a_person => {}
            Input::Action(Action::RequestCallback) => {
                let role = if with_a_person {
                    ReplyRole::System
                } else {
                    ReplyRole::Bot
                };
                let actions = vec![self.replies.button(locale, Action::RequestCallback)];
                turn.replies.push(Reply {
                    role,
                    ..self.bot(self.replies.callback_prompt(locale), actions)
                });
            }
            Input::Action(_) if with_a_person => {
                let text =
                    self.with_contact_sentence(locale, self.replies.already_with_a_person(locale));
                turn.replies.push(self.system(&text));
            }
            Input::Action(Action::TalkToHuman) => {
                self.hand_over(locale, &mut turn, HandoffReason::CustomerRequest, None);
            }
            Input::Action(Action::TakeUpLater) => self.take_up_later(ctx, &mut turn),
            Input::Action(Action::Topic(topic)) => {
                turn.state.topic = Some(topic);
                turn.state.unplaced_in_a_row = 0;
                turn.state.walk = None;
                turn.state.pending = None;
                let actions = vec![self.replies.button(locale, Action::TalkToHuman)];
                turn.replies
                    .push(self.bot(self.replies.topic_prompt(locale, topic), actions));
            }
            Input::Action(Action::StepWorked) => {
                self.step_answered(ctx, &mut turn, super::StepOutcome::Worked)
            }
            Input::Action(Action::StepFailed) => {
                self.step_answered(ctx, &mut turn, super::StepOutcome::Failed)
            }
            Input::Action(Action::StepSkipped) => {
                self.step_answered(ctx, &mut turn, super::StepOutcome::Skipped)
            }
            Input::Action(Action::TroubleshootAnyway) => self.troubleshoot_anyway(ctx, &mut turn),
            Input::Action(Action::ContinueTroubleshooting) if state.walk.is_some() => {
                self.remind_of_step(ctx, &mut turn, None);
            }
            Input::Action(Action::ContinueTroubleshooting) => {
                let menu = self.menu(locale, false);
                turn.replies
                    .push(self.bot(self.replies.no_step_open(locale), menu));
            }
            // Billed for what the customer has already cancelled: a dispute for billing to
            // settle, handed over at once, with the written way beside it as a record in case
            // the earlier cancellation never arrived. Not a new wish to leave.
            Input::Text(_, understanding) if situation.billed_after_leaving => {
                self.billing_dispute(locale, &mut turn, understanding, surely_upset);
            }
            // "Jag ångrar min uppsägning": keeping the subscription is no wish to leave; a
            // colleague takes the cancellation back.
            Input::Text(_, understanding) if situation.retracts_a_cancellation => {
                let mut reply = self.bot(
                    self.replies.keep_the_subscription(locale),
                    vec![self.replies.button(locale, Action::TalkToHuman)],
                );
                reply.intent = understanding.map(|u| (u.intent, u.confidence));
                turn.replies.push(reply);
            }
            // "Har min uppsägning kommit fram?": what has become of it, from the records,
            // before a word about cancelling is taken for a new wish to cancel. Asked about
            // a withdrawal nobody has sent, it is the wish to withdraw that is answered.
            Input::Text(text, _)
                if situation.asks_after_a_request
                    && (!situation.withdrawal || !ctx.requests.is_empty()) =>
            {
                self.request_status(ctx, &mut turn, text);
            }
            // Withdrawing from a contract just made: the right, the form and, when the
            // customer says when they made it, the last day.
            Input::Text(text, understanding) if situation.withdrawal => {
                self.withdrawal(ctx, &mut turn, text, understanding, ReplyRole::Bot, true);
                // "Säljaren lurade på mig!!!": the anger is heard, after the right. Only signs
                // in the words count: "jag vill inte ha det" reads sour to the model but is
                // a plain wish, and an apology to a calm customer rings false.
                if situation.upset.is_some() {
                    turn.replies
                        .push(self.bot(self.replies.upset_and_leaving(locale), Vec::new()));
                    turn.state.upset_signs = turn.state.upset_signs.max(1);
                }
                if situation.foreign {
                    turn.replies
                        .push(self.bot(self.replies.only_swedish_and_english(), Vec::new()));
                }
            }
            // "Hur gör jag?" right after the right was explained: the form, step by step.
            // "Hur säger jag upp?" or "hur får jag prata med någon?" are other wishes.
            Input::Text(text, understanding)
                if after_withdrawal_offer
                    && super::asks_how(text)
                    && !understanding
                        .is_some_and(|u| u.cancellation || u.is(Intent::TalkToHuman))
                    && !situation.bereavement =>
            {
                turn.replies
                    .push(self.withdrawal_how(locale, ReplyRole::Bot));
                turn.state.pending = Some(Pending::AfterWithdrawalOffer);
            }
            // "I måndags" right after the right was explained: when the contract was made;
            // or, once it was, "när måste jag ha ångrat senast?".
            Input::Text(text, understanding)
                if (after_withdrawal_offer
                    && super::made_on(text, ctx.now.swedish_date()).is_some())
                    || (state.withdrawal_wish && super::asks_about_the_period(text)) =>
            {
                self.withdrawal(ctx, &mut turn, text, understanding, ReplyRole::Bot, false);
            }
            // A wish to cancel wins over everything, in a guide or not; so does a death in
            // the family, whose subscriptions the estate will want to end.
            Input::Text(_, understanding)
                if understanding.is_some_and(|u| u.cancellation) || situation.bereavement =>
            {
                turn.state.cancellation_wish = true;
                turn.state.unplaced_in_a_row = 0;
                turn.state.for_an_estate |= situation.bereavement;
                if let Some(u) = understanding {
                    turn.state.intent = Some(u.intent);
                    // A fault named beside the wish waits, in case the customer wants it
                    // fixed first.
                    for other in &u.also {
                        if !turn.state.later.iter().any(|l| l.intent == other.intent) {
                            turn.state.later.push(other.clone());
                        }
                    }
                }
                turn.state.acting_for = situation.acting_for.or(turn.state.acting_for);
                let mut reply = self.cancellation_offer(locale, ReplyRole::Bot);
                if turn.state.for_an_estate {
                    reply = self.on_behalf_offer(locale, crate::domain::Relation::Estate);
                } else if let Some(relation) = turn.state.acting_for {
                    reply = self.on_behalf_offer(locale, relation);
                } else if situation.everything {
                    reply.text = self.replies.written_cancellation_all(locale).to_owned();
                }
                // Only after the written path: the way back to the guide, if one was open.
                if state.walk.is_some() {
                    reply
                        .actions
                        .push(self.replies.button(locale, Action::ContinueTroubleshooting));
                }
                reply.intent = understanding.map(|u| (u.intent, u.confidence));
                turn.replies.push(reply);
                turn.state.pending = Some(Pending::AfterCancellationOffer);
                if situation.foreign {
                    turn.replies
                        .push(self.bot(self.replies.only_swedish_and_english(), Vec::new()));
                }
                if upset && !turn.state.for_an_estate && turn.state.acting_for.is_none() {
                    turn.replies
                        .push(self.bot(self.replies.upset_and_leaving(locale), Vec::new()));
                    // Heard once: the next sign of it brings a person.
                    turn.state.upset_signs = turn.state.upset_signs.max(1);
                }
            }
            // Someone telling the bot it is failing them gets a person, not another try.
            Input::Text(text, understanding) if super::frustration::is_frustrated(text) => {
                self.hand_over(
                    locale,
                    &mut turn,
                    HandoffReason::Frustration,
                    understanding.map(|u| (u.intent, u.confidence)),
                );
                if let Some(reply) = turn.replies.last_mut() {
                    reply.text = format!("{} {}", self.replies.sorry(locale), reply.text);
                }
            }
            // Asking for a person gets one, whatever else the message is about; the intent
            // still routes it ("om min faktura" goes to billing).
            Input::Text(_, understanding) if situation.wants_a_person => {
                if let Some(problem) = understanding.and_then(problem_named) {
                    turn.state.intent = Some(problem);
                    turn.state.handoff_queue = None;
                }
                self.hand_over(
                    locale,
                    &mut turn,
                    HandoffReason::CustomerRequest,
                    understanding.map(|u| (u.intent, u.confidence)),
                );
            }
            Input::Text(_, understanding) if situation.request.is_some() => {
                let request = situation.request.expect("checked above");
                self.chat_request(ctx, &mut turn, request, understanding);
            }
            Input::Text(_, understanding) if situation.foreign => {
                let actions = vec![self.replies.button(locale, Action::TalkToHuman)];
                turn.replies
                    .push(self.bot(self.replies.only_swedish_and_english(), actions));
                // The model reads many languages: a clear problem still gets its guide.
                if let Some(u) = understanding.filter(|u| u.confident && u.intent.is_problem()) {
                    self.answer_intent(ctx, &mut turn, u);
                }
                if turn.state.pending.is_none() {
                    turn.state.pending = Some(Pending::AfterLanguagesNote);
                }
            }
            // "Okej, jag skriver på svenska då. Internet har legat nere sen i morse": after the
            // note on languages, the problem told again is its first description, not an
            // answer to a step the customer may not have read; its words may also pick a
            // better guide.
            Input::Text(_, Some(u))
                if after_languages_note && u.confident && u.intent.is_problem() =>
            {
                if let Some(walk) = turn.state.walk.take() {
                    turn.state.guides_started.retain(|id| *id != walk.guide_id);
                }
                self.answer_intent(ctx, &mut turn, u);
            }
            // However it is said, and however upset: a request for a person gets one. Heard
            // only faintly from a customer upset a second time ("superb hjälp verkligen"),
            // it is the upset speaking, and the person is told so.
            Input::Text(_, Some(u)) if u.confident && u.is(Intent::TalkToHuman) => {
                if let Some(problem) = problem_named(u) {
                    turn.state.intent = Some(problem);
                    turn.state.handoff_queue = None;
                }
                let reason = if upset && state.upset_signs >= 1 && u.confidence < 0.7 {
                    HandoffReason::Frustration
                } else {
                    HandoffReason::CustomerRequest
                };
                self.hand_over(locale, &mut turn, reason, Some((u.intent, u.confidence)));
            }
            Input::Text(_, understanding) if upset => {
                self.upset(ctx, &mut turn, understanding, surely_upset);
            }
            Input::Text(text, _) if awaiting_postcode && Postcode::find_in(text).is_some() => {
                let postcode = Postcode::find_in(text).expect("checked above");
                self.postcode_given(ctx, &mut turn, postcode);
            }
            // Asked for the postcode and answered with something else ("vet inte", a
            // question back): the problem is kept, and the customer can go on without it.
            // Only a new, different problem starts over.
            Input::Text(_, understanding)
                if awaiting_postcode
                    && !understanding.is_some_and(|u| {
                        u.confident
                            && ((u.is(Intent::TalkToHuman) || u.is(Intent::ThanksGoodbye))
                                || (u.intent.is_problem() && state.intent != Some(u.intent)))
                    }) =>
            {
                let mut reply = self.bot(
                    self.replies.postcode_not_found(locale),
                    vec![
                        self.replies.button(locale, Action::TroubleshootAnyway),
                        self.replies.button(locale, Action::TalkToHuman),
                    ],
                );
                reply.intent = understanding.map(|u| (u.intent, u.confidence));
                turn.replies.push(reply);
            }
            // Told of an outage, the customer says something that is no problem ("ok men jag
            // vill ha hjälp ändå"): the two ways on, again, and the problem kept. The problem
            // told again starts its guide.
            Input::Text(_, understanding)
                if matches!(state.pending, Some(Pending::AfterOutage { .. }))
                    && !understanding.is_some_and(|u| {
                        u.confident
                            && (u.is(Intent::ThanksGoodbye)
                                || (u.intent.is_problem() && !u.is(Intent::OutageStatus)))
                    }) =>
            {
                let mut reply = self.bot(
                    self.replies.after_outage_still(locale),
                    vec![
                        self.replies.button(locale, Action::TroubleshootAnyway),
                        self.replies.button(locale, Action::TalkToHuman),
                    ],
                );
                reply.intent = understanding.map(|u| (u.intent, u.confidence));
                turn.replies.push(reply);
            }
            // "Nej, fixa kanalerna först": the fault named beside the wish to cancel.
            Input::Text(text, _) if self.fault_first_after_cancellation_offer(ctx, text) => {
                self.take_up_later(ctx, &mut turn);
            }
            // Right after the written way to cancel, a question is about the cancellation
            // (the last invoice, whose name it is in) unless it is surely a new fault.
            Input::Text(..)
                if after_cancellation_offer
                    && state.walk.is_none()
                    && !understood.is_some_and(|u| {
                        u.confident
                            && (u.is(Intent::ThanksGoodbye)
                                || (u.intent.is_problem()
                                    && u.confidence >= super::walk::NEW_PROBLEM_SURE))
                    }) =>
            {
                let form = if state.for_an_estate || state.acting_for.is_some() {
                    Action::OnBehalfCancellation
                } else {
                    Action::WrittenCancellation
                };
                let actions = vec![
                    self.replies.button(locale, form),
                    self.replies.button(locale, Action::TalkToHuman),
                ];
                // "Alla tre numren alltså": the written way again, for all of them.
                let text = if state.for_an_estate {
                    self.replies.estate_cancellation_again(locale)
                } else if situation.everything {
                    self.replies.written_cancellation_all(locale)
                } else {
                    self.replies.cancellation_question(locale)
                };
                let mut reply = self.bot(text, actions);
                reply.intent = understood.map(|u| (u.intent, u.confidence));
                turn.state.pending = Some(Pending::AfterCancellationOffer);
                turn.replies.push(reply);
            }
            // "Fast vänta, vi fortsätter med kabeln först": back from the written way to
            // cancel, the customer is shown the step they were on, unless they answer it or
            // raise something new.
            Input::Text(text, understanding)
                if after_cancellation_offer
                    && state.walk.is_some()
                    && !understanding.is_some_and(|u| self.raises_a_new_problem(ctx, u))
                    && !super::says_no_change(text)
                    && !super::lacks_what_the_step_needs(text)
                    && !super::says_settled(text) =>
            {
                self.remind_of_step(ctx, &mut turn, understanding);
            }
            // "Ja, ta viaplay nu", "och TV6 då?": the other problem, as offered.
            Input::Text(text, understanding)
                if offered_later && self.takes_up_later(ctx, text, understanding) =>
            {
                self.take_up_later(ctx, &mut turn);
            }
            // Typed instead of pressing a step's button: "gjorde det, ingen skillnad".
            Input::Text(text, Some(u)) if self.answers_step(ctx, text, u) => {
                self.step_reply(ctx, &mut turn, u);
            }
            Input::Text(_, Some(u)) if u.confident => self.answer_intent(ctx, &mut turn, u),
            Input::Text(_, understanding) if state.walk.is_some() => {
                self.remind_of_step(ctx, &mut turn, understanding);
            }
            Input::Text(_, understanding) => {
                self.unsure(
                    ctx,
                    &mut turn,
                    understanding,
                    self.replies.not_understood(locale),
                );
            }
        }
        // A step answered in words: the words go with it, for the person who may take over.
        if let Input::Text(text, _) = input {
            if turn.state.steps_tried.len() > state.steps_tried.len() {
                if let Some(tried) = turn.state.steps_tried.last_mut() {
                    tried.said = Some(said_about_a_step(text));
                }
            }
        }
        // What else the bot thought, for the person who may take over: kept for the message
        // that set the intent, or for the latest one while no intent is known.
        if let Input::Text(_, Some(u)) = input {
            if turn.state.intent.is_none_or(|i| i == u.intent) {
                turn.state.intent_ranking = u.ranking.clone();
            }
        }
        turn.misses
            .extend(super::misses::of_the_guide(state, &turn));
        turn
    }

    /// The conversation went on in the other language: a guide being walked, or waiting to
    /// be, goes on in its translation, at the same step, so no answer mixes the two.
    fn follow_language(&self, ctx: &Context<'_>, state: &mut DialogueState) {
        let translated = |id: &str| -> Option<Arc<GuideEntry>> {
            let entry = ctx.guides.guide(id)?;
            if entry.guide.language == ctx.locale {
                return None;
            }
            let other = ctx
                .guides
                .guide(entry.guide.translation.as_ref()?.as_str())?;
            (other.guide.language == ctx.locale
                && other.guide.steps.len() == entry.guide.steps.len())
            .then_some(other)
        };
        if let Some(walk) = &mut state.walk {
            if let Some(other) = translated(&walk.guide_id) {
                walk.guide_id = other.guide.id.to_string();
                walk.version = other.version;
            }
        }
        if let Some(
            Pending::Postcode {
                guide_id: Some(id), ..
            }
            | Pending::AfterOutage { guide_id: Some(id) },
        ) = &mut state.pending
        {
            if let Some(other) = translated(id) {
                *id = other.guide.id.to_string();
            }
        }
    }

    /// A customer showing they are upset: the first time heard in words with a person
    /// offered, and helped on with what they asked; the second time a person takes over.
    /// A person takes over only on a `sure` sign (a word the lists know, or a tone the model
    /// is sure of) and only while the bot is not helping: a customer who answers the step,
    /// however annoyed, is still getting somewhere, and the walk goes on.
    fn upset(
        &self,
        ctx: &Context<'_>,
        turn: &mut Turn,
        understanding: Option<&Understanding>,
        sure: bool,
    ) {
        let locale = ctx.locale;
        let intent = understanding.map(|u| (u.intent, u.confidence));
        let words = turn.words.clone().unwrap_or_default();
        // Upset but fixed ("äntligen, nu funkar det!!") needs nobody; upset twice and still
        // stuck does, even when the message also answers the step.
        let fixed = understanding.is_some_and(|u| {
            self.answers_step(ctx, &words, u) && u.reading.step_reply == Some(StepReply::Worked)
        });
        if ctx.state.upset_signs >= 1 && sure && !fixed {
            if let Some(u) = understanding {
                self.record_failed_step_in_words(ctx, turn, u);
            }
            let line = self.replies.upset_again(locale);
            self.hand_over_saying(locale, turn, HandoffReason::Frustration, intent, line);
            return;
        }
        // Heard once in full; after that briefly, so it never reads like a form letter.
        let line = if ctx.state.upset_signs >= 1 {
            self.replies.upset_still(locale)
        } else {
            self.replies.upset_heard(locale)
        };
        turn.state.upset_signs = 1;
        let actions = vec![self.replies.button(locale, Action::TalkToHuman)];
        let mut heard = self.bot(line, actions);
        heard.intent = intent;
        turn.replies.push(heard);
        // Upset about the problem being walked is not a new problem: the walk goes on.
        let walking = ctx.state.walk.is_some();
        match understanding {
            Some(u) if self.answers_step(ctx, &words, u) => self.step_reply(ctx, turn, u),
            Some(u) if walking && !self.raises_a_new_problem(ctx, u) => {
                self.remind_of_step(ctx, turn, understanding)
            }
            // "No, I'd rather you fix the data first", said with some heat: the fault named
            // beside the wish to cancel, as when said calmly.
            _ if self.fault_first_after_cancellation_offer(ctx, &words) => {
                self.take_up_later(ctx, turn)
            }
            Some(u) if u.confident && u.intent.is_problem() => self.answer_intent(ctx, turn, u),
            _ if walking => self.remind_of_step(ctx, turn, understanding),
            // Thanks that mean the opposite, or nothing to act on: no "tack själv", no guess.
            _ => {}
        }
    }

    /// Billed for what the customer has already cancelled: billing gets the dispute at once,
    /// and the written way is offered beside it as a record.
    fn billing_dispute(
        &self,
        locale: Locale,
        turn: &mut Turn,
        understanding: Option<&Understanding>,
        upset: bool,
    ) {
        turn.state.unplaced_in_a_row = 0;
        turn.state.handoff_queue = Some(Queue::Billing);
        // A fault named beside it goes into the packet, and the customer is told. Only a part
        // that complains is a fault: "har bekräftelsen kvar i mejlen" is the dispute's
        // evidence, not a problem with e-mail.
        let others: Vec<super::Later> = understanding
            .map(|u| u.also.clone())
            .unwrap_or_default()
            .into_iter()
            .filter(|other| {
                other
                    .said
                    .as_deref()
                    .is_none_or(crate::classifier::readers::complains)
            })
            .filter(|other| !turn.state.later.iter().any(|l| l.intent == other.intent))
            .collect();
        turn.state.later.extend(others.iter().cloned());
        let mut line = self.replies.billed_after_leaving(locale).to_owned();
        // Billed for what they left, and angry about it: heard before anything else.
        if upset {
            line = format!("{} {line}", self.replies.upset_and_leaving(locale));
            turn.state.upset_signs = turn.state.upset_signs.max(1);
        }
        if !others.is_empty() {
            line = format!(
                "{line} {}",
                self.replies.seen_by_the_colleague_too(locale, &others)
            );
        }
        line = format!("{line} {}", self.replies.receipt_as_a_record(locale));
        self.hand_over_saying(
            locale,
            turn,
            HandoffReason::BillingDispute,
            understanding.map(|u| (u.intent, u.confidence)),
            &line,
        );
        if let Some(reply) = turn.replies.last_mut() {
            reply
                .actions
                .push(self.replies.button(locale, Action::WrittenCancellation));
        }
    }

    /// "Nej, fixa kanalerna först": no to the written way just offered, with a fault named
    /// beside the wish to cancel still waiting.
    fn fault_first_after_cancellation_offer(&self, ctx: &Context<'_>, text: &str) -> bool {
        matches!(ctx.state.pending, Some(Pending::AfterCancellationOffer))
            && ctx.state.walk.is_none()
            && !ctx.state.later.is_empty()
            && super::situation::declines(text)
    }

    /// A question about the chat itself, answered; a guide in progress goes on after it.
    fn chat_request(
        &self,
        ctx: &Context<'_>,
        turn: &mut Turn,
        request: super::ChatRequest,
        understanding: Option<&Understanding>,
    ) {
        let locale = ctx.locale;
        let actions = match request {
            super::ChatRequest::Robot
            | super::ChatRequest::Languages
            | super::ChatRequest::OpeningHours => {
                vec![self.replies.button(locale, Action::TalkToHuman)]
            }
            _ => Vec::new(),
        };
        let text = match request {
            super::ChatRequest::OpeningHours => {
                self.with_contact_sentence(locale, self.replies.chat_request(locale, request))
            }
            _ => self.replies.chat_request(locale, request).to_owned(),
        };
        let mut reply = self.bot(&text, actions);
        reply.intent = understanding.map(|u| (u.intent, u.confidence));
        turn.replies.push(reply);
        if ctx.state.walk.is_some() {
            self.remind_of_step(ctx, turn, None);
        }
    }

    /// A message the bot cannot act on: once, it asks for more and shows the areas; twice in
    /// a row, a person reads it rather than the bot guessing a third time.
    fn unsure(
        &self,
        ctx: &Context<'_>,
        turn: &mut Turn,
        understanding: Option<&Understanding>,
        first_time: &str,
    ) {
        let locale = ctx.locale;
        let intent = understanding.map(|u| (u.intent, u.confidence));
        turn.misses.push(Miss::of_message(MissKind::NotUnderstood));
        if ctx.state.unsure_in_a_row >= 1 {
            let line = self.replies.unclear_twice(locale);
            self.hand_over_saying(locale, turn, HandoffReason::NotUnderstood, intent, line);
            return;
        }
        turn.state.unsure_in_a_row = 1;
        turn.state.unplaced_in_a_row = turn.state.unplaced_in_a_row.saturating_add(1);
        let person_first = turn.state.unplaced_in_a_row >= 2;
        let text = if person_first {
            self.replies.still_not_understood(locale)
        } else {
            first_time
        };
        let mut reply = self.bot(text, self.menu(locale, person_first));
        reply.intent = intent;
        turn.replies.push(reply);
    }

    /// An intent the bot is sure of.
    fn answer_intent(&self, ctx: &Context<'_>, turn: &mut Turn, u: &Understanding) {
        let locale = ctx.locale;
        let in_a_guide = turn.state.walk.is_some();
        let unplaced = turn.state.unplaced_in_a_row;
        turn.state.unplaced_in_a_row = 0;
        let intent = Some((u.intent, u.confidence));
        // "Det funkar inte" alone and the bot's own "not my area" are named as such below.
        if u.confidence < super::misses::LOW_CONFIDENCE_BELOW
            && !matches!(u.intent, Intent::UnclearProblem | Intent::OutOfScope)
        {
            turn.misses.push(Miss::of_message(MissKind::LowConfidence));
        }
        match u.intent {
            Intent::TalkToHuman => {
                self.hand_over(locale, turn, HandoffReason::CustomerRequest, intent);
            }
            // Small talk in the middle of a guide: bring the customer back to the step. Thanks
            // too: "tack" is not "it worked", and ending the guide on a guess loses the step.
            Intent::Greeting | Intent::OutOfScope | Intent::ThanksGoodbye if in_a_guide => {
                self.remind_of_step(ctx, turn, Some(u));
            }
            Intent::Greeting => {
                let mut reply =
                    self.bot(self.replies.greeting_back(locale), self.menu(locale, false));
                reply.intent = intent;
                turn.replies.push(reply);
            }
            Intent::OutOfScope => {
                turn.misses.push(Miss::of_message(MissKind::OutsideArea));
                // Counts towards offering a person first, like any message the bot can't help with.
                turn.state.unplaced_in_a_row = unplaced.saturating_add(1);
                let repeated = turn.state.unplaced_in_a_row >= 2;
                let mut reply = self.bot(
                    self.replies.outside_my_area(locale),
                    self.menu(locale, repeated),
                );
                reply.intent = intent;
                turn.replies.push(reply);
            }
            Intent::ThanksGoodbye => {
                turn.state.walk = None;
                turn.state.pending = None;
                let mut reply = self.bot(self.replies.goodbye(locale), Vec::new());
                reply.intent = intent;
                turn.replies.push(reply);
            }
            // "Det funkar inte" with no more said: in a guide, the step did not help; otherwise
            // the bot asks what it is about, like any message it cannot place.
            Intent::UnclearProblem if in_a_guide => {
                self.step_answered(ctx, turn, super::StepOutcome::Failed);
            }
            Intent::UnclearProblem => {
                self.unsure(ctx, turn, Some(u), self.replies.what_is_wrong(locale));
            }
            // Claims and formal complaints are decided by people: straight to one.
            // A claim or complaint the model is unsure of, in a message that also names a
            // fault with a guide ("INGEN SIGNAL IGEN!!! VI BETALAR FÖR DET HÄR"): the fault
            // first; the customer can still ask for a person.
            // In a billing guide, a claim the model is not very sure of is mostly the step
            // told not to settle it ("it went out 3 days before the due date, i have the
            // receipt"): the guide goes on, and its last step brings billing in.
            Intent::Compensation | Intent::Complaint
                if in_a_guide
                    && u.confidence < CLAIM_IN_A_BILLING_GUIDE_SURE
                    && self.walked_area_is(ctx, "billing") =>
            {
                self.step_answered(ctx, turn, super::StepOutcome::Failed);
            }
            Intent::Compensation | Intent::Complaint
                if u.confidence < PERSON_DECIDES_SURE && ctx.suggestion.is_some() =>
            {
                self.answer_problem(ctx, turn, u)
            }
            Intent::Compensation | Intent::Complaint => {
                turn.state.intent = Some(u.intent);
                turn.state.handoff_queue = None;
                let line = self.replies.person_decides(locale, u.intent);
                self.hand_over_saying(locale, turn, HandoffReason::NeedsPerson, intent, &line);
            }
            _ => self.answer_problem(ctx, turn, u),
        }
    }

    /// An understood problem with no guide to walk: say what was understood and offer a
    /// person, rather than guess.
    pub(super) fn no_guide(&self, locale: Locale, turn: &mut Turn, u: &Understanding) {
        let text = self.replies.needs_a_person(locale, u.intent);
        let actions = vec![self.replies.button(locale, Action::TalkToHuman)];
        let mut reply = self.bot(&text, actions);
        reply.intent = Some((u.intent, u.confidence));
        turn.replies.push(reply);
    }

    fn hand_over(
        &self,
        locale: Locale,
        turn: &mut Turn,
        reason: HandoffReason,
        intent: Option<(Intent, f32)>,
    ) {
        self.hand_over_saying(
            locale,
            turn,
            reason,
            intent,
            self.replies.handing_over(locale),
        );
    }

    /// Puts the conversation in a person's queue, telling the customer why with `line`.
    pub(super) fn hand_over_saying(
        &self,
        locale: Locale,
        turn: &mut Turn,
        reason: HandoffReason,
        intent: Option<(Intent, f32)>,
        line: &str,
    ) {
        let text = self.with_contact_sentence(locale, line);
        let mut reply = self.bot(&text, Vec::new());
        reply.intent = intent;
        turn.replies.push(reply);
        turn.status = ConversationStatus::Queued;
        let queue = turn.state.handoff_route();
        turn.handoff = Some(HandoffRequest { queue, reason });
        turn.state.handoff_queue = None;
        turn.state.unplaced_in_a_row = 0;
        turn.state.walk = None;
        turn.state.pending = None;
    }

    /// The written way to cancel, offered first and plainly.
    pub(super) fn cancellation_offer(&self, locale: Locale, role: ReplyRole) -> Reply {
        let actions = vec![
            self.replies.button(locale, Action::WrittenCancellation),
            self.replies.button(locale, Action::TalkToHuman),
        ];
        Reply {
            role,
            ..self.bot(self.replies.written_cancellation(locale), actions)
        }
    }

    /// The topic menu. After repeated misunderstandings a person is offered first.
    pub(super) fn menu(&self, locale: Locale, person_first: bool) -> Vec<ActionButton> {
        let topics = Topic::ALL.map(Action::Topic);
        let tail = [Action::WrittenCancellation, Action::TalkToHuman];
        let ordered: Vec<Action> = if person_first {
            std::iter::once(Action::TalkToHuman)
                .chain(topics)
                .chain([Action::WrittenCancellation])
                .collect()
        } else {
            topics.into_iter().chain(tail).collect()
        };
        ordered
            .into_iter()
            .map(|a| self.replies.button(locale, a))
            .collect()
    }

    pub(super) fn bot(&self, text: &str, actions: Vec<ActionButton>) -> Reply {
        Reply {
            role: ReplyRole::Bot,
            text: text.to_owned(),
            actions,
            intent: None,
            guide_step: None,
        }
    }

    fn system(&self, text: &str) -> Reply {
        Reply {
            role: ReplyRole::System,
            text: text.to_owned(),
            actions: Vec::new(),
            intent: None,
            guide_step: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialogue::ActionKind;

    fn engine() -> Engine {
        Engine::new()
    }

    fn kinds(reply: &Reply) -> Vec<ActionKind> {
        reply.actions.iter().map(|a| a.kind).collect()
    }

    #[test]
    fn greeting_is_in_the_conversation_language_and_offers_every_topic() {
        let sv = engine().greeting(Locale::Sv);
        assert!(sv[0].text.starts_with("Hej!"));
        let en = engine().greeting(Locale::En);
        assert!(en[0].text.starts_with("Hi!"));
        assert!(kinds(&sv[0]).contains(&ActionKind::WrittenCancellation));
        assert!(kinds(&sv[0]).contains(&ActionKind::TalkToHuman));
        assert_eq!(
            kinds(&sv[0])
                .iter()
                .filter(|k| **k == ActionKind::Topic)
                .count(),
            4
        );
    }

    #[test]
    fn unplaced_text_gets_an_apology_and_topic_buttons() {
        let turn = engine().respond(
            Locale::Sv,
            ConversationStatus::Bot,
            &DialogueState::default(),
            Input::Text("blorp", None),
        );
        assert_eq!(turn.replies.len(), 1);
        assert!(turn.replies[0].text.starts_with("Förlåt"));
        assert_eq!(turn.replies[0].actions[0].id, "topic:broadband");
        assert_eq!(turn.state.unplaced_in_a_row, 1);
    }

    #[test]
    fn a_second_unplaced_text_in_a_row_offers_a_person_first() {
        let state = DialogueState {
            unplaced_in_a_row: 1,
            ..Default::default()
        };
        let turn = engine().respond(
            Locale::En,
            ConversationStatus::Bot,
            &state,
            Input::Text("blorp", None),
        );
        assert_eq!(turn.replies[0].actions[0].kind, ActionKind::TalkToHuman);
        assert!(turn.replies[0].text.contains("colleague"));
    }

    #[test]
    fn picking_a_topic_remembers_it_and_routes_a_later_handoff() {
        let e = engine();
        let billing = e.respond(
            Locale::Sv,
            ConversationStatus::Bot,
            &DialogueState::default(),
            Input::Action(Action::Topic(Topic::Billing)),
        );
        assert_eq!(billing.state.topic, Some(Topic::Billing));
        let handoff = e.respond(
            Locale::Sv,
            ConversationStatus::Bot,
            &billing.state,
            Input::Action(Action::TalkToHuman),
        );
        assert_eq!(handoff.status, ConversationStatus::Queued);
        assert_eq!(
            handoff.handoff,
            Some(HandoffRequest {
                queue: Queue::Billing,
                reason: HandoffReason::CustomerRequest
            })
        );
    }

    #[test]
    fn the_bot_is_silent_on_text_while_a_person_has_the_conversation() {
        let turn = engine().respond(
            Locale::Sv,
            ConversationStatus::Agent,
            &DialogueState::default(),
            Input::Text("hallå?", None),
        );
        assert!(turn.replies.is_empty());
        assert_eq!(turn.status, ConversationStatus::Agent);
    }

    #[test]
    fn a_message_while_waiting_is_heard_in_one_short_notice() {
        let turn = engine().respond(
            Locale::Sv,
            ConversationStatus::Queued,
            &DialogueState::default(),
            Input::Text("hallå? hur länge till?", None),
        );
        assert_eq!(turn.replies.len(), 1);
        assert_eq!(turn.replies[0].role, ReplyRole::System);
        assert_eq!(turn.status, ConversationStatus::Queued);
        assert!(turn.handoff.is_none());
    }

    #[test]
    fn written_cancellation_is_answered_in_every_status() {
        for status in [
            ConversationStatus::Bot,
            ConversationStatus::Queued,
            ConversationStatus::Agent,
        ] {
            let turn = engine().respond(
                Locale::Sv,
                status,
                &DialogueState::default(),
                Input::Action(Action::WrittenCancellation),
            );
            assert_eq!(
                turn.replies[0].actions[0].kind,
                ActionKind::WrittenCancellation
            );
        }
    }
}

#[cfg(test)]
mod understanding_tests {
    use super::*;
    use crate::classifier::Reading;
    use crate::dialogue::ActionKind;

    fn understood(intent: Intent, confident: bool, cancellation: bool) -> Understanding {
        Understanding {
            intent,
            confidence: if confident { 0.9 } else { 0.3 },
            confident,
            cancellation,
            ranking: vec![(intent, if confident { 0.9 } else { 0.3 })],
            reading: Reading::NEUTRAL,
            also: Vec::new(),
        }
    }

    fn answer(status: ConversationStatus, u: &Understanding) -> Turn {
        Engine::new().respond(
            Locale::Sv,
            status,
            &DialogueState::default(),
            Input::Text("text", Some(u)),
        )
    }

    fn kinds(turn: &Turn) -> Vec<MissKind> {
        turn.misses.iter().map(|m| m.kind).collect()
    }

    #[test]
    fn the_turns_the_bot_handled_badly_are_named_for_the_editors() {
        let unsure = understood(Intent::BroadbandDown, false, false);
        assert_eq!(
            kinds(&answer(ConversationStatus::Bot, &unsure)),
            vec![MissKind::NotUnderstood]
        );
        let outside = understood(Intent::OutOfScope, true, false);
        assert_eq!(
            kinds(&answer(ConversationStatus::Bot, &outside)),
            vec![MissKind::OutsideArea]
        );
        let guess = Understanding {
            confidence: 0.45,
            ..understood(Intent::InvoiceQuestion, true, false)
        };
        assert_eq!(
            kinds(&answer(ConversationStatus::Bot, &guess)),
            vec![MissKind::LowConfidence]
        );
        // A sure reading and a greeting are nothing to review.
        for fine in [Intent::InvoiceQuestion, Intent::Greeting] {
            let turn = answer(ConversationStatus::Bot, &understood(fine, true, false));
            assert!(turn.misses.is_empty(), "{fine:?}: {:?}", turn.misses);
        }
    }

    /// The model has no intent for withdrawing and reads "jag ångrar köpet" as a complaint;
    /// the answer, about the right of withdrawal, must not tell the agent a complaint was made.
    #[test]
    fn a_withdrawal_offer_keeps_no_reading_but_leaving() {
        let complaint = understood(Intent::Complaint, true, false);
        let turn = Engine::new().respond(
            Locale::Sv,
            ConversationStatus::Bot,
            &DialogueState::default(),
            Input::Text(
                "Jag ångrar köpet av bredbandet, vill ångra avtalet",
                Some(&complaint),
            ),
        );
        let first = &turn.replies[0];
        assert_eq!(
            first.actions[0].kind,
            ActionKind::Withdrawal,
            "{}",
            first.text
        );
        assert_eq!(first.intent, None);
    }

    #[test]
    fn a_wish_to_cancel_is_answered_first_with_the_written_path_in_every_status() {
        let u = understood(Intent::CancelSubscription, true, true);
        for status in [
            ConversationStatus::Bot,
            ConversationStatus::Queued,
            ConversationStatus::Agent,
        ] {
            let turn = answer(status, &u);
            let first = &turn.replies[0];
            assert_eq!(first.actions[0].kind, ActionKind::WrittenCancellation);
            assert!(first.text.contains("skriftligt"));
            assert_eq!(turn.status, status, "offering the form changes no status");
        }
        // The flag wins even when the intent says something else.
        let turn = answer(
            ConversationStatus::Bot,
            &understood(Intent::BroadbandDown, true, true),
        );
        assert_eq!(
            turn.replies[0].actions[0].kind,
            ActionKind::WrittenCancellation
        );
    }

    #[test]
    fn asking_for_a_person_in_words_hands_over_at_once() {
        let turn = answer(
            ConversationStatus::Bot,
            &understood(Intent::TalkToHuman, true, false),
        );
        assert_eq!(turn.status, ConversationStatus::Queued);
        assert_eq!(turn.handoff.unwrap().queue, Queue::General);
        assert_eq!(
            turn.replies[0].intent.as_ref().unwrap().0,
            Intent::TalkToHuman
        );
    }

    #[test]
    fn a_billing_intent_routes_a_later_handoff_to_billing() {
        let e = Engine::new();
        let u = understood(Intent::InvoiceQuestion, true, false);
        let first = e.respond(
            Locale::Sv,
            ConversationStatus::Bot,
            &DialogueState::default(),
            Input::Text("fakturan", Some(&u)),
        );
        assert!(first.replies[0].text.contains("din faktura"));
        let handoff = e.respond(
            Locale::Sv,
            ConversationStatus::Bot,
            &first.state,
            Input::Action(Action::TalkToHuman),
        );
        assert_eq!(handoff.handoff.unwrap().queue, Queue::Billing);
    }

    #[test]
    fn an_unsure_guess_gets_the_fallback_but_keeps_the_intent_for_the_record() {
        let turn = answer(
            ConversationStatus::Bot,
            &understood(Intent::OutOfScope, false, false),
        );
        assert!(turn.replies[0].text.starts_with("Förlåt"));
        assert_eq!(
            turn.replies[0].intent.as_ref().unwrap().0,
            Intent::OutOfScope
        );
    }

    #[test]
    fn two_unsure_messages_in_a_row_go_to_a_person_but_one_does_not() {
        let e = Engine::new();
        let unsure = understood(Intent::WifiProblem, false, false);
        let say = |state: &DialogueState, u: &Understanding| {
            e.respond(
                Locale::Sv,
                ConversationStatus::Bot,
                state,
                Input::Text("hmm", Some(u)),
            )
        };
        let first = say(&DialogueState::default(), &unsure);
        assert!(first.handoff.is_none());
        assert_eq!(first.status, ConversationStatus::Bot);
        // Something the bot understood in between starts the count over.
        let greeting = say(&first.state, &understood(Intent::Greeting, true, false));
        assert!(say(&greeting.state, &unsure).handoff.is_none());
        let second = say(&first.state, &unsure);
        assert_eq!(
            second.handoff,
            Some(HandoffRequest {
                queue: Queue::General,
                reason: HandoffReason::NotUnderstood
            })
        );
        assert_eq!(second.status, ConversationStatus::Queued);
        assert!(second.replies[0].text.contains("vill inte gissa"));
        // With no intent known, the agent still sees what the bot guessed.
        assert_eq!(second.state.intent_ranking, unsure.ranking);
    }

    #[test]
    fn compensation_and_complaints_go_straight_to_a_person() {
        for (intent, queue) in [
            (Intent::Compensation, Queue::Billing),
            (Intent::Complaint, Queue::General),
        ] {
            let turn = answer(ConversationStatus::Bot, &understood(intent, true, false));
            assert_eq!(
                turn.handoff,
                Some(HandoffRequest {
                    queue,
                    reason: HandoffReason::NeedsPerson
                }),
                "{intent}"
            );
            assert_eq!(turn.status, ConversationStatus::Queued);
            assert!(turn.replies[0].text.contains("kopplar dig vidare direkt"));
        }
    }

    #[test]
    fn the_call_back_button_asks_for_the_number_without_a_new_handoff() {
        for (status, role) in [
            (ConversationStatus::Queued, ReplyRole::System),
            (ConversationStatus::Bot, ReplyRole::Bot),
        ] {
            let turn = Engine::new().respond(
                Locale::En,
                status,
                &DialogueState::default(),
                Input::Action(Action::RequestCallback),
            );
            assert!(turn.handoff.is_none());
            assert_eq!(turn.status, status);
            assert_eq!(turn.replies[0].role, role);
            assert_eq!(turn.replies[0].actions[0].kind, ActionKind::RequestCallback);
        }
    }
}
