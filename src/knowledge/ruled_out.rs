//! Whether a customer has already said that what a step checks holds: "strömlampan lyser som
//! den ska" answers the power step before it is asked, and "har redan startat om routern"
//! makes the restart step needless.
//!
//! A guide's step lists such phrases (`rules_out:`). A phrase is said when one clause of the
//! message holds every word of it, each perhaps inflected ("lyser" in "lyste", "lampan" in
//! "strömlampan") and the clause denies nothing the phrase does not: "strömlampan lyser
//! inte" says the opposite, and the step must still be checked. Words, not meaning, decide:
//! the encoder hears "lyser" and "lyser inte" as nearly the same.

use crate::classifier::lexicon::fold;

use super::Step;

/// Words that turn a clause into its opposite.
pub const DENIALS: &[&str] = &[
    "inte", "ej", "icke", "aldrig", "ingen", "inget", "inga", "not", "no", "never", "none",
    "nothing", "cant", "dont", "doesnt", "isnt", "wont", "didnt", "arent", "havent", "hasnt",
];

/// Words too common to say anything about a check.
const FILLER: &[&str] = &[
    "the", "a", "an", "is", "are", "it", "has", "have", "my", "i", "ar", "den", "det", "har",
    "jag", "min", "mitt", "en", "ett", "som", "pa", "och", "and",
];

/// Words that open a question: "hur startar jag om routern" names the check without saying
/// it was made. Swedish verbs are not among them, as "kollade på mina sidor" drops its
/// subject and opens with the verb.
const ASKS: &[&str] = &[
    "hur", "vad", "varfor", "nar", "var", "vart", "vilken", "vilket", "vilka", "how", "what",
    "why", "when", "where", "which", "does", "do", "should", "could", "would", "can", "is", "are",
];

/// The phrase of `step` that `text` says, if any.
pub fn said<'a>(step: &'a Step, text: &str) -> Option<&'a str> {
    let clauses = clauses(text);
    step.rules_out
        .iter()
        .find(|phrase| {
            let folded = fold(&phrase.replace("n't", "nt"));
            let wanted = words(&folded);
            let denies = wanted.iter().any(|w| DENIALS.contains(w));
            !wanted.is_empty()
                && clauses.iter().any(|clause| {
                    let have = words(clause);
                    (denies || !have.iter().any(|w| DENIALS.contains(w)))
                        && wanted.iter().all(|w| have.iter().any(|h| same_word(w, h)))
                })
        })
        .map(String::as_str)
}

/// What `text` says besides the clauses that say a phrase of `step`, when one does:
/// "fick koden, satte ett nytt lösenord och nu ser jag inkorgen" is the check made and
/// something more, which may be that the problem is gone.
pub fn beyond(step: &Step, text: &str) -> Option<String> {
    let phrase = said(step, text)?;
    let folded = fold(&phrase.replace("n't", "nt"));
    let wanted = words(&folded);
    let holds = |piece: &str, all: bool| {
        let clause = fold(piece);
        let have = words(&clause);
        let has = |w: &&str| have.iter().any(|h| same_word(w, h));
        if all {
            wanted.iter().all(has)
        } else {
            wanted.iter().any(has)
        }
    };
    let mut rest: Vec<String> = Vec::new();
    for piece in pieces(text) {
        if !holds(&piece, true) {
            rest.push(piece);
            continue;
        }
        // "Har valt en ny pin och nu är telefonen upplåst": what follows an "och" that
        // shares no word with the check is said beside it.
        rest.extend(
            piece
                .split(" och ")
                .flat_map(|p| p.split(" and "))
                .filter(|part| !holds(part, false))
                .map(|part| part.trim().to_owned()),
        );
    }
    Some(rest.join(", ").trim().to_owned())
}

/// Words that say the problem is gone or back to normal ("nu är jag inne igen"), where
/// "satte tillbaka den" only says the step was done.
const FIXED: &[&str] = &[
    "funkar",
    "fungerar",
    "funkade",
    "fungerade",
    "works",
    "working",
    "worked",
    "fixed",
    "solved",
    "lost",
    "loste",
    "fixat",
    "fixade",
    "inne",
    "igang",
    "igen",
    "again",
];

/// Whether `rest` (what a message says beyond a check, see [`beyond`]) says in so many
/// words that the problem is gone: the step-reply head hears "did it" and "it works" alike,
/// so a word for the second must be there.
pub fn says_fixed(rest: &str) -> bool {
    let folded = fold(&rest.replace("n't", "nt"));
    let said = words(&folded);
    !said.iter().any(|w| DENIALS.contains(w)) && said.iter().any(|w| FIXED.contains(w))
}

/// The message cut where one statement ends and another begins, folded; questions are left
/// out, as asking about a check is not saying it was made.
fn clauses(text: &str) -> Vec<String> {
    pieces(text).iter().map(|p| fold(p)).collect()
}

/// [`clauses`] as the customer wrote them.
fn pieces(text: &str) -> Vec<String> {
    let text = text.replace("n't", "nt").replace(['’', '`'], "'");
    let mut out = Vec::new();
    for sentence in text.split_inclusive(['.', ';', '!', '?', '\n', ':']) {
        if is_question(sentence) {
            continue;
        }
        for part in sentence.split(',') {
            let mut clause: Vec<&str> = Vec::new();
            for word in part.split_whitespace() {
                if matches!(word.to_lowercase().as_str(), "men" | "but") && !clause.is_empty() {
                    out.push(clause.join(" "));
                    clause.clear();
                } else {
                    clause.push(word);
                }
            }
            if !clause.is_empty() {
                out.push(clause.join(" "));
            }
        }
    }
    out.retain(|c| !fold(c).trim().is_empty());
    out
}

fn is_question(sentence: &str) -> bool {
    let folded = fold(sentence);
    sentence.trim_end().ends_with('?')
        || folded
            .split_whitespace()
            .next()
            .is_some_and(|first| ASKS.contains(&first))
}

fn words(folded: &str) -> Vec<&str> {
    folded
        .split_whitespace()
        .filter(|w| !FILLER.contains(w))
        .collect()
}

/// `have` is `wanted`, inflected or inside a compound: the longer the word, the more of its
/// end may differ ("routern"/"router"); short words must be exact ("on"), and a five-letter
/// word shares only three letters with a form no longer than itself ("lyser"/"lyste", but
/// "ström" is not "streck").
fn same_word(wanted: &str, have: &str) -> bool {
    let n = wanted.chars().count();
    let prefix = |k: usize| -> String { wanted.chars().take(k).collect() };
    match n {
        0..=3 => wanted == have,
        4 => have.starts_with(wanted),
        5 => {
            have.starts_with(&prefix(4))
                || (have.starts_with(&prefix(3)) && have.chars().count() <= n)
        }
        _ => {
            let stem = prefix(n - 2);
            have.starts_with(&stem) || (stem.chars().count() >= 5 && have.contains(&stem))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knowledge::OnFailure;

    fn step(phrases: &[&str]) -> Step {
        Step {
            title: "Kontrollera strömmen".into(),
            instruction: "Titta på strömlampan.".into(),
            warning: None,
            expected: "Strömlampan lyser.".into(),
            on_failure: OnFailure::Next,
            link: None,
            rules_out: phrases.iter().map(|p| (*p).to_owned()).collect(),
        }
    }

    #[test]
    fn a_check_already_made_is_heard_in_inflections_and_compounds() {
        let s = step(&["strömlampan lyser", "power light on", "startat om routern"]);
        for text in [
            "strömlampan lyser grönt som vanligt, det är bara jordgloben som är orange",
            "Strömlampan lyste hela tiden",
            "yep, the power light is on",
            "jag har redan startat om routern två gånger",
        ] {
            assert!(said(&s, text).is_some(), "{text}");
        }
    }

    #[test]
    fn a_denied_or_partial_check_is_not_taken_as_made() {
        let s = step(&["strömlampan lyser", "power light on"]);
        for text in [
            "strömlampan lyser inte",
            "the power light isn't on",
            "the power light is off",
            "lampan lyser rött",
            "strömmen gick i natt, lyser gör ingenting",
        ] {
            assert!(said(&s, text).is_none(), "{text}");
        }
    }

    #[test]
    fn a_question_about_the_check_is_not_the_check_made() {
        let s = step(&[
            "startat om routern",
            "restarted the router",
            "routern har ström",
        ]);
        for text in [
            "hur startar jag om routern?",
            "hur startar jag om routern",
            "should I have restarted the router first",
            "bara ett streck wifi i rummet längst bort från routern",
        ] {
            assert!(said(&s, text).is_none(), "{text}");
        }
        assert!(said(&s, "Hur gör jag nu? Jag har redan startat om routern.").is_some());
    }

    #[test]
    fn what_is_said_beyond_the_check_is_kept_apart() {
        let s = step(&["fått koden"]);
        assert_eq!(
            beyond(
                &s,
                "fått koden, satte nytt lösenord och nu ser jag inkorgen"
            )
            .as_deref(),
            Some("satte nytt lösenord och nu ser jag inkorgen")
        );
        assert_eq!(
            beyond(&s, "fått koden och nu är jag inne igen, tack").as_deref(),
            Some("nu är jag inne igen, tack")
        );
        assert_eq!(beyond(&s, "har fått koden").as_deref(), Some(""));
        assert_eq!(beyond(&s, "kommer inte in"), None);
    }

    #[test]
    fn the_problem_gone_is_told_from_the_step_done() {
        assert!(says_fixed(
            "satte nytt lösenord och nu ser jag inkorgen igen"
        ));
        assert!(says_fixed("now it works"));
        assert!(!says_fixed("räknade till 30 och satte tillbaka den"));
        assert!(!says_fixed("funkar inte ändå"));
    }

    #[test]
    fn a_phrase_may_be_written_with_a_contraction() {
        let s = step(&["tv isn't muted"]);
        assert!(said(&s, "the tv isn't muted, I checked").is_some());
    }

    #[test]
    fn only_the_clause_that_names_the_check_counts() {
        let s = step(&["strömlampan lyser"]);
        assert!(said(&s, "wifi-lampan lyser inte, men strömlampan lyser").is_some());
        assert!(said(&s, "strömlampan, hmm, den lyser inte").is_none());
    }
}
