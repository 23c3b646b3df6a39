//! What the service makes of a message the intent head is unsure of, or sure of in a way
//! that would act on a guess: a request for a person no word names, a problem it knows the
//! area of but not the kind, a problem its intents have no name for but a guide's examples
//! do.

use std::sync::Arc;

use crate::classifier::Classification;
use crate::domain::{Intent, Locale};
use crate::knowledge::{GuideEntry, KnowledgeBase};

/// How near a message must be to a guide, and how far ahead of every guide of another kind,
/// for the guide to be taken without the classifier naming its intent; chosen on the
/// dialogue evaluation and on the held-out out-of-scope messages (none of which starts a
/// guide).
const GUIDE_BY_MEANING_NEAR: f32 = 0.9;
const GUIDE_BY_MEANING_AHEAD: f32 = 0.03;

/// How sure the model must be that a message asks for a person when no word in it names
/// one: handing over on a guess ("hej, undrar om ni kan hjälpa mig med en grej") sends a
/// customer to a queue the bot could have helped them past.
const PERSON_UNNAMED_SURE: f32 = 0.9;

/// How likely the next problem must be to be taken as what such a message is about.
const PROBLEM_INSTEAD: f32 = 0.3;

/// Words that name a person or a call, folded.
const PERSON_WORDS: &[&str] = &[
    "person",
    "personal",
    "manniska",
    "manniskor",
    "handlaggare",
    "agent",
    "human",
    "someone",
    "somebody",
    "anyone",
    "nan",
    "nagon",
    "kollega",
    "tekniker",
    "kundtjanst",
    "kundservice",
    "support",
    "operator",
    "representative",
    "riktig",
    "real",
    "ring",
    "ringa",
    "ringer",
    "call",
    "phone",
    "telefon",
    "prata",
    "talk",
    "speak",
];

/// A request for a person the model heard without any word for one, from a customer who
/// does not sound upset: below
/// [`PERSON_UNNAMED_SURE`], the customer's problem (the next likeliest intent, when it is
/// one) is what they asked about, or nothing sure is.
pub(super) fn doubtful_person_request(c: &mut Classification, text: &str) {
    // An upset customer who may be asking for a person gets one (see `Engine::upset`).
    if c.intent != Intent::TalkToHuman
        || c.confidence >= PERSON_UNNAMED_SURE
        || c.reading.frustrated()
    {
        return;
    }
    let folded = crate::classifier::lexicon::fold(text);
    if folded.split_whitespace().any(|w| PERSON_WORDS.contains(&w)) {
        return;
    }
    read_as_the_next_problem(c);
}

/// The message read as the likeliest problem after the one the model named, when that is
/// likely enough, or as nothing sure.
fn read_as_the_next_problem(c: &mut Classification) {
    let next = c
        .ranking
        .iter()
        .find(|s| s.intent != c.intent && s.intent.is_problem())
        .filter(|s| s.confidence >= PROBLEM_INSTEAD)
        .map(|s| (s.intent, s.confidence));
    match next {
        Some((intent, confidence)) => {
            c.intent = intent;
            c.confidence = confidence;
        }
        None => {
            c.intent = Intent::OutOfScope;
            c.confident = false;
        }
    }
}

/// Below this, the model's "cancel" in an upset message with no cancellation word is the
/// upset, not a wish to leave.
const CANCEL_BESIDE_UPSET_SURE: f32 = 0.85;

/// "Nu ska jag sitta och gräva i avtal också?? så irriterande" or "take your time, it's not
/// like I have anything better to do": the model, trained on customers who complain on
/// their way out, hears a modest wish to cancel in anger alone. Offering the way out to
/// someone who only vented reads as "then leave"; the anger is heard and a person offered
/// instead. Every cancellation in the training and held-out sets carries a lexicon word
/// (the lexicon is broad on purpose), and any such word, or a sure model, keeps the written
/// way first; so does a wish to cancel said earlier in the conversation (the caller's
/// part).
pub(super) fn upset_not_cancellation(c: &mut Classification, text: &str) {
    let upset =
        c.reading.surely_frustrated() || crate::dialogue::Situation::read(text).upset.is_some();
    if !(modest_cancel_without_a_word(c, text, CANCEL_BESIDE_UPSET_SURE) && upset) {
        return;
    }
    c.cancellation = false;
    read_as_the_next_problem(c);
}

/// How sure the model must be of an area (mobile, broadband, tv, billing) when it is unsure
/// which of its problems a message names, for the guides to decide between them.
const AREA_SURE: f32 = 0.6;

/// A message the model is unsure of, but sure is about one area: "can call but can't get
/// online without wifi" is coverage or mobile data, and the guide search, which reads the
/// symptoms, tells which; asking the customer to say more would lose a turn.
pub(super) fn sure_of_the_area(c: &mut Classification) {
    if c.confident {
        return;
    }
    let problems = || c.ranking.iter().filter(|s| s.intent.is_problem());
    let Some(best) = problems().next() else {
        return;
    };
    let area = crate::dialogue::area(best.intent);
    let sure: f32 = problems()
        .filter(|s| crate::dialogue::area(s.intent) == area)
        .map(|s| s.confidence)
        .sum();
    if sure >= AREA_SURE {
        c.intent = best.intent;
        c.confidence = best.confidence;
        c.confident = true;
    }
}

/// A guide for a message the classifier has no sure name for ("hur spelar jag in en ny
/// hälsning på röstbrevlådan?" read as out of scope): taken when the message is as near
/// one guide as its own examples are and clearly nearer it than any guide of another
/// kind. Guides carry the editors' examples, which reach further than the intents'.
pub(super) fn guide_by_meaning(
    knowledge: &KnowledgeBase,
    lead: &Classification,
    vector: &[f32],
    locale: Locale,
) -> Option<Arc<GuideEntry>> {
    let unnamed =
        !lead.confident || matches!(lead.intent, Intent::OutOfScope | Intent::UnclearProblem);
    if !unnamed {
        return None;
    }
    let (entry, near, other) = knowledge.nearest_in_meaning(vector, locale)?;
    tracing::debug!(guide = %entry.guide.id, near, other, "nearest guide in meaning");
    (near >= GUIDE_BY_MEANING_NEAR && near - other >= GUIDE_BY_MEANING_AHEAD).then_some(entry)
}

/// A "cancel" only the model heard, and not surely: the flag is up on the model's reading
/// of a cancellation below `sure`, and the lexicon, broad on purpose, finds no word for
/// cancelling. Such a reading gives way to what else the message plainly says; any word for
/// cancelling, or a sure model, keeps the written way first.
fn modest_cancel_without_a_word(c: &Classification, text: &str, sure: f32) -> bool {
    c.cancellation
        && c.intent == Intent::CancelSubscription
        && c.confidence < sure
        && !crate::classifier::lexicon::signals_cancellation(text)
}

/// Below this, the model's "cancel" in a no to the written way just offered, with no
/// cancellation word, is the no, not the wish again.
const CANCEL_IN_A_NO_SURE: f32 = 0.85;

/// "Nej, fixa kanalerna först tack", right after the written way to cancel was offered: the
/// model hears a modest "cancel" in a no that answers the offer. Without a cancellation word
/// (the broad lexicon finds none) the customer is turning the offer down, and what they ask
/// for instead is read; "nej, jag vill bara säga upp" keeps its word and the written way.
/// The caller asks only right after the offer.
pub(super) fn declined_not_cancellation(c: &mut Classification, text: &str) {
    if modest_cancel_without_a_word(c, text, CANCEL_IN_A_NO_SURE) && crate::dialogue::declines(text)
    {
        c.cancellation = false;
        read_as_the_next_problem(c);
    }
}

/// Below this, the model's "cancel" in the middle of a guide, for a message that says the step
/// was done already and has no cancellation word, is the report on the step.
const CANCEL_BESIDE_A_STEP_DONE_SURE: f32 = 0.8;

/// "Do I really have to unplug it again? I've already done that twice": the model hears a
/// modest wish to cancel in "already done that twice" (customers who have tried everything
/// and leave). In the middle of a guide, with no cancellation word in the message (the
/// lexicon is broad on purpose) and the step told as done, it is an answer to the step; any
/// word for cancelling, a sure model, or a wish to leave said earlier (the caller's part)
/// keeps the written way first.
pub(super) fn step_done_not_cancellation(c: &mut Classification, text: &str) {
    if modest_cancel_without_a_word(c, text, CANCEL_BESIDE_A_STEP_DONE_SURE)
        && crate::dialogue::says_already_done(text)
    {
        c.cancellation = false;
        read_as_the_next_problem(c);
    }
}

/// Below this, the model's "cancel" for a message that asks for a person in so many words
/// and has no cancellation word is the request for a person.
const CANCEL_BESIDE_A_PERSON_SURE: f32 = 0.8;

/// "Kan någon ringa mig istället? Det gäller tv:n" or "put me through to whoever decides
/// that": the model, trained on people who ask for a person in order to leave, hears a
/// modest wish to cancel. With no cancellation word in the message (the lexicon, which is
/// broad on purpose, finds none) and a person asked for in words, the person is what was
/// asked for; a person can take a cancellation too, and any word for one keeps the flag.
pub(super) fn person_not_cancellation(c: &mut Classification, text: &str) {
    let asks_for_a_person = crate::dialogue::Situation::read(text).wants_a_person;
    if modest_cancel_without_a_word(c, text, CANCEL_BESIDE_A_PERSON_SURE) && asks_for_a_person {
        c.cancellation = false;
        c.intent = Intent::TalkToHuman;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classifier::decision::Scored;
    use crate::classifier::Reading;
    use crate::domain::Locale;

    fn read_as_cancel(p: f32) -> Classification {
        Classification {
            intent: Intent::CancelSubscription,
            confidence: p,
            confident: true,
            cancellation: true,
            ranking: vec![Scored {
                intent: Intent::CancelSubscription,
                confidence: p,
            }],
            language: Locale::Sv,
            reading: Reading::NEUTRAL,
        }
    }

    #[test]
    fn a_step_told_as_done_is_no_modest_wish_to_cancel_but_a_cancellation_word_is() {
        let done = "do I really have to unplug it again? I've already done that twice.";
        let mut c = read_as_cancel(0.61);
        step_done_not_cancellation(&mut c, done);
        assert!(!c.cancellation);
        let mut sure = read_as_cancel(0.9);
        step_done_not_cancellation(&mut sure, done);
        assert!(
            sure.cancellation,
            "a sure model keeps the written way first"
        );
        let mut worded = read_as_cancel(0.61);
        step_done_not_cancellation(
            &mut worded,
            "jag har redan gjort det två gånger, nu vill jag säga upp abonnemanget",
        );
        assert!(
            worded.cancellation,
            "a word for cancelling keeps the written way first"
        );
    }

    #[test]
    fn a_person_asked_for_in_words_is_no_modest_wish_to_cancel() {
        let mut c = read_as_cancel(0.62);
        person_not_cancellation(&mut c, "kan någon ringa mig istället? det gäller tv:n");
        assert!(!c.cancellation);
        assert_eq!(c.intent, Intent::TalkToHuman);
    }

    #[test]
    fn anger_alone_is_no_wish_to_cancel_but_a_cancellation_word_is() {
        let mut angry = read_as_cancel(0.6);
        angry.reading.frustration = 0.95;
        let mut vented = angry.clone();
        upset_not_cancellation(
            &mut vented,
            "nu ska jag gräva i avtal också?? så irriterande",
        );
        assert!(!vented.cancellation);
        for (p, text) in [
            (0.6, "så irriterande, jag vill säga upp allt"),
            (0.9, "så irriterande, nu får det vara nog"),
        ] {
            let mut c = angry.clone();
            c.confidence = p;
            upset_not_cancellation(&mut c, text);
            assert!(c.cancellation, "{text}");
        }
        let mut calm = read_as_cancel(0.6);
        upset_not_cancellation(&mut calm, "vi har haft samma paket i tio år");
        assert!(calm.cancellation);
    }

    #[test]
    fn a_no_to_the_offer_is_no_wish_to_cancel_but_a_cancellation_word_is() {
        let mut no = read_as_cancel(0.52);
        declined_not_cancellation(&mut no, "nej fixa kanalerna först tack");
        assert!(!no.cancellation);
        for (p, text) in [
            (0.52, "nej, jag vill bara säga upp"),
            (0.52, "no, just cancel it"),
            (0.95, "nej fixa kanalerna först"),
            (0.52, "fixa kanalerna först"),
        ] {
            let mut kept = read_as_cancel(p);
            declined_not_cancellation(&mut kept, text);
            assert!(kept.cancellation, "{text} at {p}");
        }
    }

    #[test]
    fn a_cancellation_word_or_a_sure_model_keeps_the_written_way_first() {
        for (p, text) in [
            (0.62, "kan någon ringa mig? jag vill säga upp bredbandet"),
            (0.9, "kan någon ringa mig istället"),
            (0.62, "jag vill avsluta, inget mer strul"),
        ] {
            let mut c = read_as_cancel(p);
            person_not_cancellation(&mut c, text);
            assert!(c.cancellation, "{text}");
        }
    }
}
