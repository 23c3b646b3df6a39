//! A step answered in the customer's own words, read more closely than the step-reply
//! head reads the whole message.

use super::service::Conversations;
use super::ConversationError;
use crate::classifier::{Reading, StepReply};
use crate::dialogue::DialogueState;
use crate::domain::{Intent, Locale};

/// How sure the intent head must be that the end of a message is about another problem for
/// that end to answer no step.
const OTHER_PROBLEM_LIKELY: f32 = 0.8;

/// What the end of a message says of the step.
enum End {
    Answers(Option<StepReply>),
    /// It is about another problem than the walked guide's.
    Elsewhere,
}

impl Conversations {
    /// How free text in the middle of a guide answers its step, the head's `reading` checked
    /// against the message's parts: a "but" after "it worked", a long answer read by its
    /// end, a check already made that may or may not have fixed the problem. Each extra
    /// reading costs one encoder pass, and only for the messages that need it.
    pub(super) async fn read_step_answer(
        &self,
        state: &DialogueState,
        text: &str,
        locale: Locale,
        switched_language: bool,
        reading: Reading,
    ) -> Result<Option<StepReply>, ConversationError> {
        let mut answer = reading.step_reply;
        // "Can we do this in English? The light is blue, but still no picture": the step is
        // answered beside the wish for the other language, and read without it.
        let language_talk_left_out = switched_language
            .then(|| crate::classifier::language::without_language_talk(text))
            .flatten();
        let text = match &language_talk_left_out {
            Some(rest) => {
                let rest_reading = self.classifier().classify(rest, Some(locale)).await?;
                answer = rest_reading.reading.step_reply;
                rest.as_str()
            }
            None => text,
        };
        if answer == Some(StepReply::Worked) {
            answer = Some(self.worked_but(text, locale).await?);
        }
        // A long answer whose whole the step-reply head cannot read ("found it!! the cable
        // had slipped out … pushed it in and everything works again") is read by its end,
        // and so is an "it worked" that ends on another problem ("ok, I'll check that
        // later. now the slow internet"). Not so after a switch of language: the customer
        // tells the problem again. A question is no report of how the step went.
        if !switched_language
            && !text.contains('?')
            && matches!(
                answer,
                None | Some(StepReply::SomethingElse) | Some(StepReply::Worked)
            )
        {
            if let Some(last) = crate::dialogue::last_said(text) {
                match self.read_by_its_end(state, text, last, locale).await? {
                    End::Elsewhere => answer = None,
                    End::Answers(_) if answer == Some(StepReply::Worked) => {}
                    End::Answers(end) => answer = end.or(answer),
                }
            }
        }
        if answer == Some(StepReply::Worked) {
            if let Some(beyond) = self.beyond_the_check(state, text) {
                answer = Some(self.beyond_reads_worked(&beyond, locale).await?);
            }
        }
        // The head hears "did it" and "it works" alike; words that say the fault is still
        // there, or that the step cannot be done, settle it. Words that close pleased settle
        // an answer the head could not read.
        if crate::dialogue::says_no_change(text) || crate::dialogue::lacks_what_the_step_needs(text)
        {
            answer = Some(StepReply::NotFixed);
        } else if matches!(answer, None | Some(StepReply::SomethingElse))
            && crate::dialogue::says_settled(text)
        {
            answer = Some(StepReply::Worked);
        } else if crate::dialogue::done_and_asks_next(text) {
            // Done, and not fixed yet: the next step is the answer to the question.
            answer = Some(StepReply::NotFixed);
        }
        Ok(answer)
    }

    /// What `last` (the end of `text`) says of the step: the answer it gives, when it gives
    /// one, or that it turns to another problem.
    async fn read_by_its_end(
        &self,
        state: &DialogueState,
        text: &str,
        last: &str,
        locale: Locale,
    ) -> Result<End, ConversationError> {
        let end = self.classifier().classify(last, Some(locale)).await?;
        // The walked problem told again after a "but" ("I see my inbox now, but anything I
        // send just sits in the outbox") is the step not having fixed it.
        let still = crate::dialogue::after_contrast(text) == Some(last)
            && end.confident
            && self.walked_guide_serves(state, end.intent);
        // "Ok, I'll check that later. Now the slow internet": an end surely about a problem
        // the walked guide does not serve turns to it, and answers no step.
        // An end that says the fault is gone ("nu är telefonen upplåst och har täckning
        // igen") names the service it is about, not a new problem.
        let elsewhere = end.confident
            && end.confidence >= OTHER_PROBLEM_LIKELY
            && !crate::knowledge::ruled_out::says_fixed(last)
            && end.intent.is_problem()
            && !self.walked_guide_serves(state, end.intent);
        Ok(if still {
            End::Answers(Some(StepReply::NotFixed))
        } else if elsewhere {
            End::Elsewhere
        } else {
            End::Answers(
                end.reading
                    .step_reply
                    .filter(|r| matches!(r, StepReply::Worked | StepReply::NotFixed))
                    .filter(|_| !end.reading.surely_frustrated()),
            )
        })
    }

    /// A step answer read as "it worked" that goes on with a "but" ("inkorgen kommer upp
    /// nu, men allt jag skickar fastnar"): the step's check holds, yet the problem is still
    /// there when the half after the "but" reads as a fault or a question on its own.
    async fn worked_but(&self, text: &str, locale: Locale) -> Result<StepReply, ConversationError> {
        let Some(tail) = crate::dialogue::after_contrast(text) else {
            return Ok(StepReply::Worked);
        };
        let t = self.classifier().classify(tail, Some(locale)).await?;
        // A fault told in words the heads do not know ("allt jag skickar blir liggande")
        // still reads as upset; a question about why it broke is no sign it still is.
        let fault = t.reading.step_reply == Some(StepReply::NotFixed)
            || (t.confident && t.intent.is_problem())
            || (t.reading.step_reply != Some(StepReply::Question) && t.reading.surely_frustrated());
        Ok(if fault {
            StepReply::NotFixed
        } else {
            StepReply::Worked
        })
    }

    /// What a message says beyond the current step's check, when it says the check holds
    /// ("har redan dragit ur sladden"): the step is passed by, and the message reads "it
    /// worked" only if the rest says so on its own.
    fn beyond_the_check(&self, state: &DialogueState, text: &str) -> Option<String> {
        use crate::dialogue::GuideLookup;
        let walk = state.walk.as_ref()?;
        let entry = self.knowledge().guide(&walk.guide_id)?;
        let step = entry.guide.steps.get(walk.step)?;
        crate::knowledge::ruled_out::beyond(step, text)
    }

    /// Whether the guide being walked serves `intent`.
    fn walked_guide_serves(&self, state: &DialogueState, intent: Intent) -> bool {
        use crate::dialogue::GuideLookup;
        state
            .walk
            .as_ref()
            .and_then(|walk| self.knowledge().guide(&walk.guide_id))
            .is_some_and(|entry| entry.guide.intents.contains(&intent))
    }

    async fn beyond_reads_worked(
        &self,
        beyond: &str,
        locale: Locale,
    ) -> Result<StepReply, ConversationError> {
        if beyond.split_whitespace().count() < 3 || !crate::knowledge::ruled_out::says_fixed(beyond)
        {
            return Ok(StepReply::NotFixed);
        }
        let rest = self.classifier().classify(beyond, Some(locale)).await?;
        Ok(match rest.reading.step_reply {
            Some(StepReply::Worked) => StepReply::Worked,
            _ => StepReply::NotFixed,
        })
    }
}
