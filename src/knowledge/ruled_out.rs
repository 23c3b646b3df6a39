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
const DENIALS: &[&str] = &[
    "inte", "ej", "icke", "aldrig", "ingen", "inget", "inga", "not", "no", "never", "none",
    "nothing", "cant", "dont", "doesnt", "isnt", "wont", "didnt", "arent", "havent", "hasnt",
];

/// Words too common to say anything about a check.
const FILLER: &[&str] = &[
    "the", "a", "an", "is", "are", "it", "has", "have", "my", "i", "ar", "den", "det", "har",
    "jag", "min", "mitt", "en", "ett", "som", "pa", "och", "and",
];

/// The phrase of `step` that `text` says, if any.
pub fn said<'a>(step: &'a Step, text: &str) -> Option<&'a str> {
    let clauses = clauses(text);
    step.rules_out
        .iter()
        .find(|phrase| {
            let folded = fold(phrase);
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

/// The message cut where one statement ends and another begins, folded.
fn clauses(text: &str) -> Vec<String> {
    let text = text.replace("n't", "nt").replace(['’', '`'], "'");
    text.split(['.', ',', ';', '!', '?', '\n', ':'])
        .flat_map(|part| {
            let folded = fold(part);
            folded
                .split(" men ")
                .flat_map(|p| p.split(" but "))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|c| !c.trim().is_empty())
        .collect()
}

fn words(folded: &str) -> Vec<&str> {
    folded
        .split_whitespace()
        .filter(|w| !FILLER.contains(w))
        .collect()
}

/// `have` is `wanted`, inflected or inside a compound: the longer the word, the more of its
/// end may differ ("lyser"/"lyste", "routern"/"router"); short words must be exact ("on").
fn same_word(wanted: &str, have: &str) -> bool {
    let n = wanted.chars().count();
    let keep = match n {
        0..=3 => return wanted == have,
        4 => 4,
        _ => (n - 2).max(3),
    };
    let stem: String = wanted.chars().take(keep).collect();
    have.starts_with(&stem) || (stem.chars().count() >= 5 && have.contains(&stem))
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
    fn only_the_clause_that_names_the_check_counts() {
        let s = step(&["strömlampan lyser"]);
        assert!(said(&s, "wifi-lampan lyser inte, men strömlampan lyser").is_some());
        assert!(said(&s, "strömlampan, hmm, den lyser inte").is_none());
    }
}
