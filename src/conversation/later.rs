//! A problem waiting its turn, named in the middle of a guide for another: "okej, jag kollar
//! specifikationen sen. nu till det sega nätet" takes the slow connection up now.

use super::service::Conversations;
use super::ConversationError;
use crate::classifier::Classification;
use crate::dialogue::{area, DialogueState, GuideLookup};
use crate::domain::{Intent, Locale};
use crate::knowledge::subjects;

/// How sure a part's reading must be that it names a waiting problem to leave the guide
/// being walked for it.
const NAMED_SURE: f32 = 0.8;

impl Conversations {
    /// The waiting problem (its intent, and how sure the reading is) that a part of `text`
    /// names, when the guide being walked is about something else. `whole` is the reading
    /// of the whole message, reused when it is one part.
    pub(super) async fn waiting_problem_named(
        &self,
        state: &DialogueState,
        text: &str,
        locale: Locale,
        whole: &Classification,
    ) -> Result<Option<(Intent, f32)>, ConversationError> {
        let Some(walk) = state.walk.as_ref().filter(|_| !state.later.is_empty()) else {
            return Ok(None);
        };
        // "Fryser fortfarande" reports on the step, whatever problem its words are near.
        if crate::dialogue::says_no_change(text) || crate::dialogue::lacks_what_the_step_needs(text)
        {
            return Ok(None);
        }
        let Some(walked_guide) = self.knowledge().guide(&walk.guide_id) else {
            return Ok(None);
        };
        let walked: Vec<&str> = walked_guide
            .guide
            .intents
            .iter()
            .map(|i| area(*i))
            .collect();
        // A waiting problem of the walked guide's own area cannot be told from the walked
        // one by its words ("boxen startar inte" while a box guide runs).
        let waiting: Vec<_> = state
            .later
            .iter()
            .filter(|l| !walked.contains(&area(l.intent)))
            .collect();
        if waiting.is_empty() {
            return Ok(None);
        }
        // "Ta mobildatan först" names the waiting problem by its thing alone, which the
        // intent head cannot place; the thing the waiting problem's guide is about can.
        if crate::dialogue::picks_an_order(text) {
            let named = subjects::named_in(text);
            let walked_about = subjects::of_guide(&walked_guide.guide);
            let new_here: Vec<_> = named.difference(&walked_about).collect();
            let chosen = waiting.iter().find(|l| {
                let about = l
                    .guide_id
                    .as_deref()
                    .and_then(|id| self.knowledge().guide(id))
                    .map(|e| subjects::of_guide(&e.guide))
                    .unwrap_or_default();
                !new_here.is_empty() && new_here.iter().all(|s| about.contains(*s))
            });
            if let Some(l) = chosen {
                return Ok(Some((l.intent, 1.0)));
            }
        }
        // "Gjort, routern omstartad" at a step that restarts the router reports on it,
        // however near a waiting broadband problem its words are.
        let step_names = walked_guide
            .guide
            .steps
            .get(walk.step)
            .map(subjects::of_step)
            .unwrap_or_default();
        let parts: Vec<&str> = crate::dialogue::parts(text)
            .into_iter()
            .filter(|part| subjects::named_in(part).is_disjoint(&step_names))
            .collect();
        if parts.is_empty() {
            return Ok(None);
        }
        let readings = if parts.len() < 2 && parts[0] == text {
            vec![whole.clone()]
        } else {
            futures::future::try_join_all(
                parts
                    .iter()
                    .map(|part| self.classifier().classify(part, Some(locale))),
            )
            .await?
        };
        Ok(readings.iter().find_map(|c| {
            let named = c.confident
                && c.confidence >= NAMED_SURE
                && !c.cancellation
                && c.intent.is_problem();
            waiting
                .iter()
                .find(|l| named && area(l.intent) == area(c.intent))
                .map(|l| (l.intent, c.confidence))
        }))
    }
}
