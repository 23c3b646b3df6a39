//! Walking a customer through a guide, one step at a time, with known outages told first.

use std::collections::HashSet;
use std::sync::Arc;

use super::contract::{Context, GuideStepRef, Reply, StepEvent, Turn, Understanding};
use super::engine::area;
use super::{Action, ActionButton, Engine, Pending, StepOutcome, StepTried, Walk};
use crate::classifier::StepReply;
use crate::domain::{HandoffReason, Intent, Locale, Postcode};
use crate::knowledge::{ruled_out, subjects, GuideEntry, OnFailure, Outage, Service};

/// How sure the intent head must be of a problem the walked guide does not serve to take a
/// message the step-reply head read as an answer to the step as a new problem instead.
pub(super) const NEW_PROBLEM_SURE: f32 = 0.97;

/// How sure it must be of a problem of another kind, named in words the walked guide is
/// not about, to leave the guide for it.
const NEW_PROBLEM_LIKELY: f32 = 0.8;

impl Engine {
    /// The buttons under every step.
    fn step_buttons(&self, locale: Locale) -> Vec<ActionButton> {
        [
            Action::StepWorked,
            Action::StepFailed,
            Action::StepSkipped,
            Action::TalkToHuman,
        ]
        .into_iter()
        .map(|a| self.replies().button(locale, a))
        .collect()
    }

    /// An understood problem: an outage first if there is one where the customer lives, then
    /// the best guide's first step, or a person when there is no guide.
    pub(super) fn answer_problem(&self, ctx: &Context<'_>, turn: &mut Turn, u: &Understanding) {
        // "The bill first please" names, in its own words, the billing problem raised
        // earlier: that one is meant, not whatever billing intent the words are nearest.
        let same_area = turn
            .state
            .later
            .iter()
            .find(|l| l.intent != u.intent && super::area(l.intent) == super::area(u.intent))
            .filter(|_| !turn.state.later.iter().any(|l| l.intent == u.intent));
        let renamed;
        let u = match same_area {
            Some(earlier) => {
                renamed = Understanding {
                    intent: earlier.intent,
                    ..u.clone()
                };
                &renamed
            }
            None => u,
        };
        turn.state.intent = Some(u.intent);
        turn.state.pending = None;
        turn.state.handoff_queue = None;
        // A problem raised earlier beside another keeps the guide its own words found.
        let raised_earlier = turn
            .state
            .later
            .iter()
            .find(|l| l.intent == u.intent)
            .and_then(|l| l.guide_id.as_deref())
            .and_then(|id| ctx.guides.guide(id));
        let suggestion = raised_earlier
            .or_else(|| ctx.suggestion.clone())
            .filter(|e| e.guide.language == ctx.locale);
        if let (Some(walk), Some(entry)) = (&turn.state.walk, &suggestion) {
            let same_guide = walk.guide_id == entry.guide.id.as_str();
            if same_guide || self.nothing_new(ctx, turn, u) {
                // The same problem in other words: stay on the step the customer is at.
                self.remind_of_step(ctx, turn, Some(u));
                return;
            }
        }
        let services = match Service::of_intent(u.intent) {
            Some(service) => vec![service],
            None if u.is(Intent::OutageStatus) => Service::ALL.to_vec(),
            None => Vec::new(),
        };
        let active: Vec<&Outage> = ctx
            .outages
            .iter()
            .filter(|o| services.contains(&o.service))
            .filter(|o| o.starts_at <= ctx.now && o.expected_end.is_none_or(|e| e > ctx.now))
            .filter(|o| !turn.state.outages_told.contains(&o.id))
            .collect();
        let guide_id = suggestion.as_ref().map(|e| e.guide.id.to_string());
        if !active.is_empty() {
            let postcode = turn
                .state
                .postcode
                .clone()
                .or(ctx.customer_postcode.cloned());
            match postcode {
                Some(postcode) => {
                    if let Some(outage) = covering(&active, &postcode, ctx) {
                        self.tell_outage(ctx, turn, outage, &postcode, guide_id, Some(u));
                        return;
                    }
                }
                None => {
                    turn.state.walk = None;
                    let service = match services.as_slice() {
                        [one] => one.name(ctx.locale),
                        _ => match ctx.locale {
                            Locale::Sv => "våra tjänster",
                            Locale::En => "our services",
                        },
                    };
                    turn.state.pending = Some(Pending::Postcode {
                        service: services
                            .first()
                            .map(|s| s.as_str().to_owned())
                            .unwrap_or_default(),
                        guide_id,
                    });
                    let mut reply = self.bot(
                        &self.replies().ask_postcode(ctx.locale, service),
                        vec![
                            self.replies()
                                .button(ctx.locale, Action::TroubleshootAnyway),
                            self.replies().button(ctx.locale, Action::TalkToHuman),
                        ],
                    );
                    reply.intent = Some((u.intent, u.confidence));
                    turn.replies.push(reply);
                    return;
                }
            }
        }
        // A guide taken up again where it was left goes on from that step.
        let paused = turn
            .state
            .later
            .iter()
            .find(|l| l.intent == u.intent)
            .and_then(|l| l.paused_at);
        // A guide left half-way for another problem waits at its step, first in line.
        if let (Some(walk), Some(entry)) = (turn.state.walk.clone(), &suggestion) {
            let left = ctx.guides.guide(&walk.guide_id);
            let left_intent = left.as_ref().and_then(|e| e.guide.intents.first().copied());
            if let Some(intent) = left_intent.filter(|i| {
                walk.guide_id != entry.guide.id.as_str()
                    && *i != u.intent
                    && !turn.state.later.iter().any(|l| l.intent == *i)
            }) {
                turn.state.later.insert(
                    0,
                    super::Later {
                        intent,
                        guide_id: Some(walk.guide_id.clone()),
                        said: None,
                        paused_at: Some(walk.step),
                    },
                );
            }
        }
        // A problem taken up is no longer waiting; others raised with it wait their turn.
        turn.state.later.retain(|l| l.intent != u.intent);
        for other in &u.also {
            if other.intent != u.intent
                && !turn.state.later.iter().any(|l| l.intent == other.intent)
            {
                turn.state.later.push(other.clone());
            }
        }
        match suggestion {
            Some(entry)
                if paused.is_some_and(|step| step < entry.guide.steps.len())
                    && turn
                        .state
                        .guides_started
                        .contains(&entry.guide.id.to_string()) =>
            {
                let step = paused.expect("checked above");
                turn.state.walk = Some(super::Walk {
                    guide_id: entry.guide.id.to_string(),
                    version: entry.version,
                    step,
                });
                let back = self.replies().back_to_paused(ctx.locale).to_owned();
                self.show_step(ctx, turn, &entry, step, Some(back));
                if let Some(reply) = turn.replies.last_mut() {
                    reply.intent = Some((u.intent, u.confidence));
                }
            }
            Some(entry) => {
                let mut intro = self.replies().guide_intro(ctx.locale, &entry.guide.summary);
                if !u.also.is_empty() {
                    intro = format!(
                        "{} {intro}",
                        self.replies().one_at_a_time(ctx.locale, &u.also)
                    );
                }
                self.start_guide(ctx, turn, &entry, intro, Some(u));
            }
            None => {
                turn.state.walk = None;
                self.no_guide(ctx.locale, turn, u);
            }
        }
    }

    /// The customer wants the other problem they raised taken up now: its guide starts, as
    /// if they had just described it again.
    pub(super) fn take_up_later(&self, ctx: &Context<'_>, turn: &mut Turn) {
        turn.state.pending = None;
        if turn.state.later.is_empty() {
            let menu = self.menu(ctx.locale, false);
            turn.replies
                .push(self.bot(self.replies().no_step_open(ctx.locale), menu));
            return;
        }
        let next = turn.state.later[0].clone();
        let u = Understanding {
            intent: next.intent,
            confidence: 1.0,
            confident: true,
            cancellation: false,
            ranking: Vec::new(),
            reading: crate::classifier::Reading::NEUTRAL,
            also: Vec::new(),
        };
        let ctx = Context {
            suggestion: None,
            ..*ctx
        };
        // The words that took it up ("ja, ta viaplay nu") are not a step's answer.
        turn.words = None;
        self.answer_problem(&ctx, turn, &u);
    }

    /// Whether a message after "shall we take that now?" takes the other problem up: anything
    /// but a no, thanks alone, or a different problem does.
    pub(super) fn takes_up_later(
        &self,
        ctx: &Context<'_>,
        text: &str,
        u: Option<&Understanding>,
    ) -> bool {
        let Some(next) = ctx.state.later.first() else {
            return false;
        };
        if super::situation::declines(text) {
            return false;
        }
        let Some(u) = u.filter(|u| u.confident) else {
            return true;
        };
        let other_problem = u.intent.is_problem() && area(u.intent) != area(next.intent);
        // "Ja gärna" is a yes, though it reads like thanks; "ok, men nu är mobilen död" is
        // something else.
        if super::situation::agrees(text) {
            return !(other_problem && u.confidence >= NEW_PROBLEM_SURE);
        }
        let only_thanks = u.is(Intent::ThanksGoodbye) && text.split_whitespace().count() <= 3;
        !other_problem && !only_thanks
    }

    /// Whether a message in the middle of a guide adds nothing the walked guide is not
    /// already about ("vad händer nu? jag behöver nätet"): another guide nearer its words is
    /// no reason to start over. A thing or symptom the guide is not about ("nu fryser
    /// bilden") is.
    fn nothing_new(&self, ctx: &Context<'_>, turn: &Turn, u: &Understanding) -> bool {
        let (Some(walk), Some(words)) = (&turn.state.walk, turn.words.as_deref()) else {
            return false;
        };
        let Some(walked) = ctx.guides.guide(&walk.guide_id) else {
            return false;
        };
        // Naming nothing the walked guide is not about ("there's loads left, like 14 gb"),
        // a message is a new problem only when the intent head is very sure of one; naming
        // other things ("har ingen dator eller skrivare, bara mobilen"), only when it is
        // fairly sure: leaving a guide half-way on a guess loses the customer's place.
        let serves = walked.guide.intents.contains(&u.intent);
        // The other problem the customer raised at the start, asked for now.
        if turn.state.later.iter().any(|l| l.intent == u.intent) && !serves {
            return false;
        }
        if subjects::named_in(words).is_subset(&subjects::of_guide(&walked.guide)) {
            serves || u.confidence < NEW_PROBLEM_SURE
        } else {
            // New things named for the same problem point to a better guide for it.
            !serves && u.confidence < NEW_PROBLEM_LIKELY
        }
    }

    /// The customer gave the postcode the bot asked for.
    pub(super) fn postcode_given(&self, ctx: &Context<'_>, turn: &mut Turn, postcode: Postcode) {
        let Some(Pending::Postcode { service, guide_id }) = turn.state.pending.take() else {
            return;
        };
        turn.state.postcode = Some(postcode.clone());
        let services = match Service::parse(&service) {
            Some(one) if turn.state.intent != Some(Intent::OutageStatus) => {
                vec![one]
            }
            _ => Service::ALL.to_vec(),
        };
        let active: Vec<&Outage> = ctx
            .outages
            .iter()
            .filter(|o| services.contains(&o.service))
            .filter(|o| !turn.state.outages_told.contains(&o.id))
            .collect();
        if let Some(outage) = covering(&active, &postcode, ctx) {
            self.tell_outage(ctx, turn, outage, &postcode, guide_id, None);
            return;
        }
        let clear = self
            .replies()
            .no_outage_at(ctx.locale, &postcode.to_string());
        match guide_id.and_then(|id| ctx.guides.guide(&id)) {
            Some(entry) => {
                let intro = self.replies().guide_intro(ctx.locale, &entry.guide.summary);
                self.start_guide(ctx, turn, &entry, format!("{clear} {intro}"), None);
            }
            None => {
                let text = format!("{clear} {}", self.replies().steps_ran_out(ctx.locale));
                let actions = vec![self.replies().button(ctx.locale, Action::TalkToHuman)];
                turn.replies.push(self.bot(&text, actions));
            }
        }
    }

    fn tell_outage(
        &self,
        ctx: &Context<'_>,
        turn: &mut Turn,
        outage: &Outage,
        postcode: &Postcode,
        guide_id: Option<String>,
        u: Option<&Understanding>,
    ) {
        let locale = ctx.locale;
        let text = self.replies().outage_notice(
            locale,
            outage.service.name(locale),
            &postcode.to_string(),
            outage.message(locale),
            &outage.starts_at.to_local_phrase(locale),
            outage
                .expected_end
                .map(|end| end.to_local_phrase(locale))
                .as_deref(),
        );
        let mut actions = Vec::new();
        if guide_id.is_some() {
            actions.push(self.replies().button(locale, Action::TroubleshootAnyway));
        }
        actions.push(self.replies().button(locale, Action::TalkToHuman));
        turn.state.walk = None;
        turn.state.outages_told.push(outage.id.clone());
        turn.state.pending = Some(Pending::AfterOutage { guide_id });
        let mut reply = self.bot(&text, actions);
        reply.intent = u.map(|u| (u.intent, u.confidence));
        turn.replies.push(reply);
    }

    /// "Troubleshoot anyway" after an outage notice or a question for the postcode.
    pub(super) fn troubleshoot_anyway(&self, ctx: &Context<'_>, turn: &mut Turn) {
        let guide_id = match turn.state.pending.take() {
            Some(Pending::AfterOutage { guide_id }) | Some(Pending::Postcode { guide_id, .. }) => {
                guide_id
            }
            Some(
                Pending::TakeUpLater
                | Pending::AfterCancellationOffer
                | Pending::AfterWithdrawalOffer
                | Pending::AfterLanguagesNote,
            )
            | None => None,
        };
        match guide_id.and_then(|id| ctx.guides.guide(&id)) {
            Some(entry) => {
                let intro = self.replies().guide_intro(ctx.locale, &entry.guide.summary);
                self.start_guide(ctx, turn, &entry, intro, None);
            }
            None => {
                let menu = self.menu(ctx.locale, false);
                turn.replies
                    .push(self.bot(self.replies().no_step_open(ctx.locale), menu));
            }
        }
    }

    /// Shows a guide's first step. A guide already walked in this conversation is not walked
    /// again: the customer has seen its steps, so a person is offered instead.
    fn start_guide(
        &self,
        ctx: &Context<'_>,
        turn: &mut Turn,
        entry: &Arc<GuideEntry>,
        intro: String,
        u: Option<&Understanding>,
    ) {
        let id = entry.guide.id.to_string();
        if turn.state.guides_started.contains(&id) {
            self.offer_person(ctx.locale, turn, None);
            if let (Some(reply), Some(u)) = (turn.replies.last_mut(), u) {
                reply.intent = Some((u.intent, u.confidence));
            }
            return;
        }
        turn.state.guides_started.push(id.clone());
        turn.state.walk = Some(Walk {
            guide_id: id,
            version: entry.version,
            step: 0,
        });
        self.show_step(ctx, turn, entry, 0, Some(intro));
        if let (Some(reply), Some(u)) = (turn.replies.last_mut(), u) {
            reply.intent = Some((u.intent, u.confidence));
        }
    }

    /// Shows step `index`, or the first after it the customer has not already answered in
    /// this turn's words ("har redan startat om routern" passes the restart step by).
    fn show_step(
        &self,
        ctx: &Context<'_>,
        turn: &mut Turn,
        entry: &Arc<GuideEntry>,
        index: usize,
        before: Option<String>,
    ) {
        let locale = ctx.locale;
        let steps = &entry.guide.steps;
        let mut index = index;
        let mut passed: Vec<&str> = Vec::new();
        if let Some(words) = turn.words.clone() {
            while let Some(step) = steps.get(index) {
                if ruled_out::said(step, &words).is_none() {
                    break;
                }
                self.record_step(turn, entry, index, StepOutcome::RuledOut, Some(&words));
                passed.push(&step.title);
                index += 1;
            }
        }
        let before = if passed.is_empty() {
            before
        } else {
            Some(with_lead(
                before,
                &self.replies().already_told(locale, &passed),
            ))
        };
        if index >= steps.len() {
            // Every step left is one the customer has already checked: the guide has
            // nothing more to try, so it goes on as its last step says.
            if let Some(walk) = &mut turn.state.walk {
                walk.step = steps.len() - 1;
            }
            self.after_failure(ctx, turn, entry, steps.len() - 1, before);
            return;
        }
        turn.replies
            .push(self.step_message(locale, entry, index, before));
        turn.step_events.push(StepEvent {
            guide_id: entry.guide.id.to_string(),
            version: entry.version,
            step: (index + 1) as u32,
            event: "shown",
        });
        if let Some(walk) = &mut turn.state.walk {
            walk.step = index;
        }
    }

    /// Remembers that the step shown did not help, in the customer's words, when a message
    /// that says so also ends the walk (a person taking over): the agent sees the step as
    /// tried, not as never reached.
    pub(super) fn record_failed_step_in_words(
        &self,
        ctx: &Context<'_>,
        turn: &mut Turn,
        u: &Understanding,
    ) {
        let words = turn.words.clone().unwrap_or_default();
        if u.reading.step_reply != Some(StepReply::NotFixed) || !self.answers_step(ctx, &words, u) {
            return;
        }
        if let Some((entry, step)) = walked_step(ctx) {
            self.record_step(turn, &entry, step, StepOutcome::Failed, Some(&words));
        }
    }

    /// Remembers the customer's answer to step `index`, with their words when they typed it.
    fn record_step(
        &self,
        turn: &mut Turn,
        entry: &GuideEntry,
        index: usize,
        outcome: StepOutcome,
        said: Option<&str>,
    ) {
        let step = &entry.guide.steps[index];
        turn.state.steps_tried.push(StepTried {
            guide_id: entry.guide.id.to_string(),
            step: (index + 1) as u32,
            title: step.title.clone(),
            outcome,
            said: said.map(super::engine::said_about_a_step),
        });
        turn.step_events.push(StepEvent {
            guide_id: entry.guide.id.to_string(),
            version: entry.version,
            step: (index + 1) as u32,
            event: outcome.as_str(),
        });
    }

    /// A step in full with its buttons, and `before` it what leads up to it.
    fn step_message(
        &self,
        locale: Locale,
        entry: &GuideEntry,
        index: usize,
        before: Option<String>,
    ) -> Reply {
        let guide = &entry.guide;
        let step = &guide.steps[index];
        let mut parts =
            self.replies()
                .step_card(locale, index + 1, guide.steps.len(), step, self.company());
        parts.lead = before;
        let mut reply = self.bot(&parts.text(), self.step_buttons(locale));
        reply.guide_step = Some(GuideStepRef {
            guide_id: guide.id.to_string(),
            step: (index + 1) as u32,
            steps: guide.steps.len() as u32,
            title: step.title.clone(),
            parts: Some(parts),
        });
        reply
    }

    /// The customer answered the step shown last.
    pub(super) fn step_answered(&self, ctx: &Context<'_>, turn: &mut Turn, outcome: StepOutcome) {
        let locale = ctx.locale;
        let Some(walk) = turn.state.walk.clone() else {
            let menu = self.menu(locale, false);
            turn.replies
                .push(self.bot(self.replies().no_step_open(locale), menu));
            return;
        };
        // The guide may have been deleted or shortened by an editor since the step was shown.
        let entry = ctx.guides.guide(&walk.guide_id);
        let Some(entry) = entry.filter(|e| walk.step < e.guide.steps.len()) else {
            self.offer_person(locale, turn, None);
            return;
        };
        self.record_step(turn, &entry, walk.step, outcome, None);
        if outcome == StepOutcome::Worked {
            turn.state.walk = None;
            turn.state.handoff_queue = None;
            let reply = match turn.state.later.first() {
                Some(next) => {
                    turn.state.pending = Some(Pending::TakeUpLater);
                    self.bot(
                        &self.replies().worked_and_next(locale, next),
                        vec![self.replies().button(locale, Action::TakeUpLater)],
                    )
                }
                None => self.bot(&self.replies().step_worked(locale), Vec::new()),
            };
            turn.replies.push(reply);
            return;
        }
        let ack = match outcome {
            StepOutcome::Skipped => Some(self.replies().step_skipped(locale).to_owned()),
            StepOutcome::RuledOut => Some(self.replies().check_holds(locale).to_owned()),
            _ => None,
        };
        // What the step checks holds, so its failure branch (often "bring a person") does
        // not apply: the next step looks further.
        if outcome == StepOutcome::RuledOut && walk.step + 1 < entry.guide.steps.len() {
            self.show_step(ctx, turn, &entry, walk.step + 1, ack);
            return;
        }
        self.after_failure(ctx, turn, &entry, walk.step, ack);
    }

    /// Step `index` did not solve the problem: on as the step says.
    fn after_failure(
        &self,
        ctx: &Context<'_>,
        turn: &mut Turn,
        entry: &Arc<GuideEntry>,
        index: usize,
        before: Option<String>,
    ) {
        let locale = ctx.locale;
        let step = &entry.guide.steps[index];
        match &step.on_failure {
            OnFailure::Next if index + 1 < entry.guide.steps.len() => {
                self.show_step(ctx, turn, entry, index + 1, before);
            }
            OnFailure::Guide(next) => match ctx.guides.guide(next.as_str()) {
                Some(next) => {
                    let intro = self.replies().next_guide_intro(locale, &next.guide.title);
                    self.start_guide(ctx, turn, &next, with_lead(before, &intro), None);
                }
                None => self.offer_person(locale, turn, before.as_deref()),
            },
            OnFailure::Handoff(queue) => {
                turn.state.handoff_queue = Some(*queue);
                self.offer_person(locale, turn, before.as_deref());
            }
            OnFailure::Next => self.offer_person(locale, turn, before.as_deref()),
        }
    }

    /// The steps ran out: a person takes over, and sees every step tried.
    fn offer_person(&self, locale: Locale, turn: &mut Turn, before: Option<&str>) {
        turn.state.walk = None;
        let line = with_lead(
            before.map(str::to_owned),
            self.replies().steps_ran_out(locale),
        );
        self.hand_over_saying(locale, turn, HandoffReason::StepsExhausted, None, &line);
    }

    /// Whether free text answers the step the customer is on, rather than raising something
    /// new. A problem the guide does not serve is new whatever its wording ("och nu funkar
    /// inte tv:n heller"); a request for a person is answered before this is asked.
    pub(super) fn answers_step(&self, ctx: &Context<'_>, text: &str, u: &Understanding) -> bool {
        if ctx.state.walk.is_none() {
            return false;
        }
        if self.check_said(ctx, text) {
            return true;
        }
        // "Ta tv:n först": which of the customer's problems comes first, not how it went.
        if !ctx.state.later.is_empty() && super::picks_an_order(text) {
            return false;
        }
        if self.names_only_the_step(ctx, text) {
            return true;
        }
        if matches!(u.reading.step_reply, None | Some(StepReply::SomethingElse)) {
            return false;
        }
        // "Tog ut simkortet och satte tillbaka det. Ingen skillnad" names the SIM card, which
        // the intent head is sure is a problem of its own; in words that say the step left
        // the fault as it was, it is this problem still.
        let still_stuck = u.reading.step_reply == Some(StepReply::NotFixed)
            && (super::says_no_change(text) || super::lacks_what_the_step_needs(text))
            && (self.walked_area_is(ctx, area(u.intent))
                || self.names_the_step(ctx, text)
                || super::speaks_of_the_step(text));
        // The step-reply head is trained on exactly this question; the intent head only
        // overrules it when it is very sure of another problem.
        still_stuck || !(self.raises_a_new_problem(ctx, u) && u.confidence >= NEW_PROBLEM_SURE)
    }

    /// Whether `text` names what the current step is about and nothing else: "vår router
    /// klarar inte 5 GHz" at the band step is about the step, whatever problem the intent
    /// head hears in it.
    fn names_only_the_step(&self, ctx: &Context<'_>, text: &str) -> bool {
        let named = subjects::named_in(text);
        !named.is_empty()
            && self
                .step_subjects(ctx)
                .is_some_and(|step| named.is_subset(&step))
    }

    /// Whether `text` says that what the current step checks already holds ("strömlampan
    /// lyser som den ska"): the step is answered, whatever the step-reply head made of it.
    fn check_said(&self, ctx: &Context<'_>, text: &str) -> bool {
        ctx.state.walk.as_ref().is_some_and(|walk| {
            ctx.guides.guide(&walk.guide_id).is_some_and(|entry| {
                entry
                    .guide
                    .steps
                    .get(walk.step)
                    .is_some_and(|step| ruled_out::said(step, text).is_some())
            })
        })
    }

    /// Whether `text` names something the current step is about ("tog ut simkortet" at
    /// the step that checks the SIM card).
    fn names_the_step(&self, ctx: &Context<'_>, text: &str) -> bool {
        self.step_subjects(ctx)
            .is_some_and(|step| !subjects::named_in(text).is_disjoint(&step))
    }

    /// What the step on show is about, when a guide is being walked.
    fn step_subjects(&self, ctx: &Context<'_>) -> Option<HashSet<subjects::Subject>> {
        let (entry, step) = walked_step(ctx)?;
        Some(subjects::of_step(&entry.guide.steps[step]))
    }

    /// Whether the guide being walked serves problems of `wanted` area.
    pub(super) fn walked_area_is(&self, ctx: &Context<'_>, wanted: &str) -> bool {
        ctx.state.walk.as_ref().is_some_and(|walk| {
            ctx.guides
                .guide(&walk.guide_id)
                .is_some_and(|e| e.guide.intents.iter().any(|i| area(*i) == wanted))
        })
    }

    /// Whether, in the middle of a guide, a message is about a problem the guide does not
    /// serve.
    pub(super) fn raises_a_new_problem(&self, ctx: &Context<'_>, u: &Understanding) -> bool {
        let served = ctx.state.walk.as_ref().is_some_and(|walk| {
            ctx.guides
                .guide(&walk.guide_id)
                .is_some_and(|e| e.guide.intents.contains(&u.intent))
        });
        u.confident && u.intent.is_problem() && !served
    }

    /// Free text that [`Engine::answers_step`]: the step worked, did not help, or raised a
    /// question about it.
    pub(super) fn step_reply(&self, ctx: &Context<'_>, turn: &mut Turn, u: &Understanding) {
        let words = turn.words.clone().unwrap_or_default();
        if self.check_said(ctx, &words) {
            // "Bytte lösenord och nu är jag inne igen": done, not only this step passed. The
            // reading says "worked" only when what is said beyond the check does (see
            // `ruled_out::beyond`).
            let outcome = if u.reading.step_reply == Some(StepReply::Worked) {
                StepOutcome::Worked
            } else {
                StepOutcome::RuledOut
            };
            self.step_answered(ctx, turn, outcome);
            return;
        }
        // "Måste jag verkligen dra ur sladden? Jag har redan gjort det": done before it was
        // asked for, and the customer is still here, so it did not help.
        if u.reading.step_reply != Some(StepReply::Worked) && super::says_already_done(&words) {
            self.step_answered(ctx, turn, StepOutcome::Failed);
            return;
        }
        match u.reading.step_reply {
            Some(StepReply::Worked) => self.step_answered(ctx, turn, StepOutcome::Worked),
            Some(StepReply::NotFixed) => self.step_answered(ctx, turn, StepOutcome::Failed),
            Some(StepReply::Question) => self.step_question(ctx, turn, u),
            Some(StepReply::SomethingElse) | None => self.remind_of_step(ctx, turn, Some(u)),
        }
    }

    /// A question about the step: the bot cannot answer free questions, so it says so, shows
    /// the whole step again (most questions are answered there: where, how long, which
    /// cable) and offers a person for the rest.
    fn step_question(&self, ctx: &Context<'_>, turn: &mut Turn, u: &Understanding) {
        let Some(walk) = turn.state.walk.clone() else {
            return;
        };
        let entry = ctx.guides.guide(&walk.guide_id);
        let Some(entry) = entry.filter(|e| walk.step < e.guide.steps.len()) else {
            self.offer_person(ctx.locale, turn, None);
            return;
        };
        let before = self.replies().step_question(ctx.locale).to_owned();
        let mut reply = self.step_message(ctx.locale, &entry, walk.step, Some(before));
        reply.intent = Some((u.intent, u.confidence));
        turn.replies.push(reply);
    }

    /// Free text in the middle of a guide that is not a new problem: back to the step.
    pub(super) fn remind_of_step(
        &self,
        ctx: &Context<'_>,
        turn: &mut Turn,
        u: Option<&Understanding>,
    ) {
        let Some(walk) = turn.state.walk.clone() else {
            return;
        };
        let title = ctx
            .guides
            .guide(&walk.guide_id)
            .and_then(|e| e.guide.steps.get(walk.step).map(|s| s.title.clone()));
        let Some(title) = title else {
            self.offer_person(ctx.locale, turn, None);
            return;
        };
        // Back from the written way to cancel ("fast vänta, vi fortsätter med kabeln"): the
        // step has been out of sight, so it is shown again in full. So it is when the
        // customer picks the problem being walked to come first ("tv:n först"): its step
        // is what to do now.
        let lead = if matches!(ctx.state.pending, Some(Pending::AfterCancellationOffer)) {
            Some(self.replies().where_we_were(ctx.locale))
        } else if !ctx.state.later.is_empty()
            && turn.words.as_deref().is_some_and(super::picks_an_order)
        {
            Some(self.replies().this_first(ctx.locale))
        } else {
            None
        };
        if let Some(lead) = lead {
            if let Some(entry) = ctx.guides.guide(&walk.guide_id) {
                self.show_step(ctx, turn, &entry, walk.step, Some(lead.to_owned()));
                if let (Some(reply), Some(u)) = (turn.replies.last_mut(), u) {
                    reply.intent = Some((u.intent, u.confidence));
                }
                return;
            }
        }
        let text = self
            .replies()
            .step_reminder(ctx.locale, walk.step + 1, &title);
        let mut reply: Reply = self.bot(&text, self.step_buttons(ctx.locale));
        reply.intent = u.map(|u| (u.intent, u.confidence));
        turn.replies.push(reply);
    }
}

/// `text`, with what leads up to it in front.
fn with_lead(before: Option<String>, text: &str) -> String {
    match before {
        Some(before) => format!("{before} {text}"),
        None => text.to_owned(),
    }
}

/// The first active outage that covers the customer's postcode.
fn covering<'a>(
    outages: &[&'a Outage],
    postcode: &Postcode,
    ctx: &Context<'_>,
) -> Option<&'a Outage> {
    outages
        .iter()
        .copied()
        .find(|o| o.covers(o.service, postcode, ctx.now))
}

/// The guide being walked and the step on show, while both still exist: an editor may have
/// deleted or shortened the guide since the step was shown.
fn walked_step(ctx: &Context<'_>) -> Option<(Arc<GuideEntry>, usize)> {
    let walk = ctx.state.walk.as_ref()?;
    let entry = ctx.guides.guide(&walk.guide_id)?;
    (walk.step < entry.guide.steps.len()).then_some((entry, walk.step))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::classifier::Reading;
    use crate::dialogue::{
        ConversationStatus, DialogueState, GuideLookup, HandoffRequest, Input, Understanding,
    };
    use crate::domain::Queue;
    use crate::knowledge::guide;
    use crate::timestamp::Timestamp;

    const GUIDE: &str = "---\nid: router-restart-sv\ntitle: Starta om routern\nlanguage: sv\n\
translation: router-restart-en\nintents: [broadband_down]\nproducts: [fiber]\n\
summary: En omstart hjälper oftast.\n---\n\n## Dra ur sladden\nDra ut sladden.\n\
expected: Lamporna tänds.\non_failure: next\n\n## Vänta på lampan\nVänta två minuter.\n\
expected: Lampan lyser fast.\non_failure: handoff:technical\n";

    struct Library(HashMap<String, Arc<GuideEntry>>);

    impl GuideLookup for Library {
        fn guide(&self, id: &str) -> Option<Arc<GuideEntry>> {
            self.0.get(id).cloned()
        }
    }

    fn library() -> Library {
        let guide = guide::parse(
            GUIDE,
            &[Intent::BroadbandDown],
            &crate::company::CompanyProfile::default(),
        )
        .unwrap();
        let entry = Arc::new(GuideEntry {
            guide,
            source: GUIDE.to_owned(),
            version: 3,
            updated_at: Timestamp::now(),
            vector: Vec::new(),
            phrase_vectors: Vec::new(),
        });
        Library(HashMap::from([("router-restart-sv".to_owned(), entry)]))
    }

    fn fault() -> Understanding {
        Understanding {
            intent: Intent::BroadbandDown,
            confidence: 0.9,
            confident: true,
            cancellation: false,
            ranking: vec![(Intent::BroadbandDown, 0.9), (Intent::BroadbandSlow, 0.05)],
            reading: Reading::NEUTRAL,
            also: Vec::new(),
        }
    }

    fn turn(lib: &Library, state: &DialogueState, outages: &[Outage], input: Input<'_>) -> Turn {
        let suggestion = lib.guide("router-restart-sv");
        Engine::new().respond_in(
            &Context {
                locale: Locale::Sv,
                status: ConversationStatus::Bot,
                state,
                guides: lib,
                suggestion,
                outages,
                customer_postcode: None,
                now: Timestamp::now(),
                requests: &[],
            },
            input,
        )
    }

    /// What the editors are told of a turn that failed the walked guide.
    fn missed_guide(kind: crate::domain::MissKind) -> Vec<crate::dialogue::Miss> {
        vec![crate::dialogue::Miss {
            kind,
            guide_id: Some("router-restart-sv".to_owned()),
        }]
    }

    #[test]
    fn a_guide_is_walked_once_and_its_handoff_queue_routes_the_person() {
        let lib = library();
        let u = fault();
        let first = turn(
            &lib,
            &DialogueState::default(),
            &[],
            Input::Text("nätet", Some(&u)),
        );
        assert_eq!(first.replies[0].guide_step.as_ref().unwrap().step, 1);
        assert_eq!(first.step_events[0].event, "shown");
        assert_eq!(first.step_events[0].version, 3);
        let second = turn(&lib, &first.state, &[], Input::Action(Action::StepFailed));
        assert_eq!(second.replies[0].guide_step.as_ref().unwrap().step, 2);
        let third = turn(&lib, &second.state, &[], Input::Action(Action::StepSkipped));
        assert!(third.replies[0].guide_step.is_none());
        assert!(third.replies[0].text.starts_with("Inga problem"));
        // The steps ran out: a person takes over, in the queue the guide names.
        assert_eq!(
            third.handoff,
            Some(HandoffRequest {
                queue: Queue::Technical,
                reason: HandoffReason::StepsExhausted
            })
        );
        assert_eq!(third.status, ConversationStatus::Queued);
        // The editors see that the guide failed this customer.
        assert_eq!(
            third.misses,
            missed_guide(crate::domain::MissKind::StepsExhausted)
        );
        assert!(first.misses.is_empty() && second.misses.is_empty());
        assert_eq!(third.state.intent_ranking, u.ranking);
        let outcomes: Vec<StepOutcome> =
            third.state.steps_tried.iter().map(|s| s.outcome).collect();
        assert_eq!(outcomes, [StepOutcome::Failed, StepOutcome::Skipped]);
        // The same problem again: the guide is not walked a second time.
        let again = turn(&lib, &third.state, &[], Input::Text("nätet", Some(&u)));
        assert!(again.replies[0].guide_step.is_none());
        assert!(again.step_events.is_empty());
    }

    #[test]
    fn a_person_asked_for_in_the_middle_of_a_guide_is_a_miss_of_the_guide() {
        let lib = library();
        let u = fault();
        let first = turn(
            &lib,
            &DialogueState::default(),
            &[],
            Input::Text("nätet", Some(&u)),
        );
        let person = turn(&lib, &first.state, &[], Input::Action(Action::TalkToHuman));
        assert!(person.handoff.is_some());
        assert_eq!(
            person.misses,
            missed_guide(crate::domain::MissKind::HandoffDuringGuide)
        );
        // Asking for the written cancellation is a way out, not a guide that failed.
        let leaving = turn(
            &lib,
            &first.state,
            &[],
            Input::Action(Action::WrittenCancellation),
        );
        assert!(leaving.misses.is_empty());
    }

    #[test]
    fn an_outage_is_told_once_before_the_first_step() {
        let lib = library();
        let u = fault();
        let outage = Outage {
            id: "o1".into(),
            service: Service::Broadband,
            postcodes: vec!["903".into()],
            message_sv: "Kabel avgrävd.".into(),
            message_en: "Cable cut.".into(),
            starts_at: Timestamp::parse("2020-01-01T00:00:00Z").unwrap(),
            expected_end: None,
        };
        let outages = [outage];
        let asked = turn(
            &lib,
            &DialogueState::default(),
            &outages,
            Input::Text("nätet", Some(&u)),
        );
        assert!(asked.replies[0].text.contains("postnummer"));
        let told = turn(&lib, &asked.state, &outages, Input::Text("90331", None));
        assert!(told.replies[0].text.contains("Kabel avgrävd."));
        assert!(told.step_events.is_empty(), "no restart before the notice");
        let again = turn(&lib, &told.state, &outages, Input::Text("nätet", Some(&u)));
        assert_eq!(again.replies[0].guide_step.as_ref().unwrap().step, 1);
    }

    #[test]
    fn free_text_answers_a_step_but_thanks_do_not_end_the_guide() {
        let lib = library();
        let first = turn(
            &lib,
            &DialogueState::default(),
            &[],
            Input::Text("nätet", Some(&fault())),
        );
        let said = |intent: Intent| Understanding {
            intent,
            confidence: 0.95,
            confident: true,
            cancellation: false,
            ranking: vec![(intent, 0.95)],
            reading: Reading::NEUTRAL,
            also: Vec::new(),
        };
        let thanks = said(Intent::ThanksGoodbye);
        let polite = turn(&lib, &first.state, &[], Input::Text("tack", Some(&thanks)));
        assert_eq!(polite.state.walk, first.state.walk, "still on step 1");
        assert!(polite.replies[0]
            .text
            .starts_with("Vi håller på med steg 1"));
        let unclear = said(Intent::UnclearProblem);
        let failed = turn(
            &lib,
            &first.state,
            &[],
            Input::Text("det hjälpte inte", Some(&unclear)),
        );
        assert_eq!(failed.replies[0].guide_step.as_ref().unwrap().step, 2);
        assert_eq!(failed.state.steps_tried[0].outcome, StepOutcome::Failed);
    }

    #[test]
    fn a_guide_left_half_way_for_the_other_problem_goes_on_where_it_was_left() {
        const BILL: &str = "---\nid: invoice-sv\ntitle: Fakturan\nlanguage: sv\n\
intents: [invoice_question]\nproducts: [fiber]\nsummary: Fakturan förklarad.\n---\n\n\
## Öppna specifikationen\nLogga in.\nexpected: Du ser posterna.\non_failure: handoff:billing\n";
        let mut lib = library();
        let bill = guide::parse(
            BILL,
            &[Intent::InvoiceQuestion],
            &crate::company::CompanyProfile::default(),
        )
        .unwrap();
        lib.0.insert(
            "invoice-sv".to_owned(),
            Arc::new(GuideEntry {
                guide: bill,
                source: BILL.to_owned(),
                version: 1,
                updated_at: Timestamp::now(),
                vector: Vec::new(),
                phrase_vectors: Vec::new(),
            }),
        );
        let at = |state: &DialogueState, id: &str, text: &str, u: &Understanding| {
            Engine::new().respond_in(
                &Context {
                    locale: Locale::Sv,
                    status: ConversationStatus::Bot,
                    state,
                    guides: &lib,
                    suggestion: lib.guide(id),
                    outages: &[],
                    customer_postcode: None,
                    now: Timestamp::now(),
                    requests: &[],
                },
                Input::Text(text, Some(u)),
            )
        };
        let mut net = fault();
        net.also = vec![crate::dialogue::Later {
            intent: Intent::InvoiceQuestion,
            guide_id: Some("invoice-sv".into()),
            said: Some("fakturan är för hög".into()),
            paused_at: None,
        }];
        let first = at(
            &DialogueState::default(),
            "router-restart-sv",
            "nätet",
            &net,
        );
        let second = turn(&lib, &first.state, &[], Input::Action(Action::StepFailed));
        assert_eq!(second.state.walk.as_ref().unwrap().step, 1);
        let bill = Understanding {
            intent: Intent::InvoiceQuestion,
            ..fault()
        };
        let billing = at(&second.state, "invoice-sv", "fakturan först", &bill);
        assert_eq!(billing.state.walk.as_ref().unwrap().guide_id, "invoice-sv");
        assert_eq!(billing.state.later[0].intent, Intent::BroadbandDown);
        assert_eq!(billing.state.later[0].paused_at, Some(1));
        let back = at(&billing.state, "router-restart-sv", "nu nätet", &fault());
        let step = back.replies[0].guide_step.as_ref().unwrap();
        assert_eq!(
            (step.guide_id.as_str(), step.step),
            ("router-restart-sv", 2)
        );
        assert!(back.replies[0].text.starts_with("Då tar vi det nu"));
        // The bill, left in its turn, waits at its step.
        assert_eq!(back.state.later.len(), 1);
        assert_eq!(back.state.later[0].intent, Intent::InvoiceQuestion);
        assert_eq!(back.state.later[0].paused_at, Some(0));
    }
}
