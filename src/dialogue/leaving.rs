//! The engine's turns on the ways out beside a plain cancellation: withdrawing from a
//! contract just made, cancelling for someone else, and asking after a request already sent.

use super::contract::{Context, Reply, ReplyRole, Turn, Understanding};
use super::engine::Engine;
use super::{made_on, references_in, Action, MadeOn, Pending};
use crate::domain::{Intent, Locale, Relation};

impl Engine {
    /// The right of withdrawal in two sentences with the form, then the last day when the
    /// customer has said (now or before) when they made the contract. A day that may be past
    /// is said honestly, with the written cancellation beside the form: never a refusal.
    /// `new_wish`: this message asks to withdraw (rather than giving the day or asking about
    /// the period after the right was explained).
    pub(super) fn withdrawal(
        &self,
        ctx: &Context<'_>,
        turn: &mut Turn,
        text: &str,
        understanding: Option<&Understanding>,
        role: ReplyRole,
        new_wish: bool,
    ) {
        let locale = ctx.locale;
        let today = ctx.now.swedish_date();
        turn.state.withdrawal_wish = true;
        turn.state.unplaced_in_a_row = 0;
        let said = made_on(text, today);
        if let Some(said) = said {
            turn.state.contract_made_on = Some(said.date);
        }
        let made = said.or(turn.state.contract_made_on.map(|date| MadeOn {
            date,
            approximate: false,
        }));
        let past = made.is_some_and(|m| crate::domain::last_withdrawal_day(m.date) < today);
        let mut actions = vec![self.replies().button(locale, Action::Withdrawal)];
        if past {
            actions.push(self.replies().button(locale, Action::WrittenCancellation));
        }
        actions.push(self.replies().button(locale, Action::TalkToHuman));
        if turn.state.walk.is_some() && role == ReplyRole::Bot {
            actions.push(
                self.replies()
                    .button(locale, Action::ContinueTroubleshooting),
            );
        }
        // The right already explained in this chat and the day known: only the last day,
        // not the right all over again.
        let heard_before = ctx.state.withdrawal_wish && made.is_some() && !new_wish;
        let deadline = self.replies().withdrawal_deadline(locale, made, today);
        let text = if heard_before {
            deadline
        } else {
            format!("{} {deadline}", self.replies().withdrawal_right(locale))
        };
        let mut reply = Reply {
            role,
            ..self.bot(&text, actions)
        };
        // What this answers is the wish to withdraw, which the model has no intent for. Its
        // reading of "jag ångrar köpet" is usually a complaint, and recorded here it would
        // tell the agent the customer complained; only a reading as leaving is kept.
        reply.intent = understanding
            .filter(|u| u.is(Intent::CancelSubscription))
            .map(|u| (u.intent, u.confidence));
        turn.replies.push(reply);
        if role == ReplyRole::Bot {
            turn.state.pending = Some(Pending::AfterWithdrawalOffer);
        }
    }

    /// The cancellation form opened at its part for someone else's subscription, with what
    /// the writer may later be asked to show and never a request for documents in the chat.
    pub(super) fn on_behalf_offer(&self, locale: Locale, relation: Relation) -> Reply {
        let text = self.replies().acting_for_cancellation(locale, relation);
        self.form_offer(locale, text, Action::OnBehalfCancellation, ReplyRole::Bot)
    }

    /// The button for someone else's subscription, sent back: the form's fields again.
    pub(super) fn on_behalf_form(&self, locale: Locale) -> Reply {
        let text = self.replies().on_behalf_form(locale);
        self.form_offer(locale, text, Action::OnBehalfCancellation, ReplyRole::Bot)
    }

    /// How the withdrawal form goes, with its button.
    pub(super) fn withdrawal_how(&self, locale: Locale, role: ReplyRole) -> Reply {
        let text = self.replies().withdrawal_how(locale);
        self.form_offer(locale, text, Action::Withdrawal, role)
    }

    /// `text` with the button that opens `form`, and a person beside it.
    fn form_offer(&self, locale: Locale, text: &str, form: Action, role: ReplyRole) -> Reply {
        let actions = vec![
            self.replies().button(locale, form),
            self.replies().button(locale, Action::TalkToHuman),
        ];
        Reply {
            role,
            ..self.bot(text, actions)
        }
    }

    /// What has become of the requests this conversation sent, or the ones the message
    /// names. Nothing found: the written way now, as a record.
    pub(super) fn request_status(&self, ctx: &Context<'_>, turn: &mut Turn, text: &str) {
        let locale = ctx.locale;
        let asked = references_in(text);
        // Named by reference: only those. Otherwise every request of this conversation.
        let shown: Vec<_> = ctx
            .requests
            .iter()
            .filter(|r| asked.is_empty() || asked.contains(&r.reference))
            .cloned()
            .collect();
        let found_all = !shown.is_empty()
            && asked
                .iter()
                .all(|a| shown.iter().any(|r| &r.reference == a));
        let mut actions = Vec::new();
        let taken_back = shown
            .iter()
            .all(|r| matches!(r.state, super::RequestState::Withdrawn));
        if !found_all || taken_back {
            actions.push(self.replies().button(locale, Action::WrittenCancellation));
        }
        actions.push(self.replies().button(locale, Action::TalkToHuman));
        let text = self.replies().request_status(locale, &shown, &asked);
        turn.replies.push(self.bot(&text, actions));
    }
}
