//! Words that settle how a typed answer went, where the step-reply head hears "did it" and
//! "it works" alike: "tog bort splittern och kopplade direkt, blinkar ändå" reports a step
//! done and a fault still there, and the head, hearing the doing, reads it as fixed.
//!
//! Each sign is read over folded text and only in statements: a question about a step says
//! nothing of how it went.

use crate::classifier::lexicon::fold;
use crate::knowledge::ruled_out::DENIALS;

/// Phrases that say the fault outlived the step.
const NO_CHANGE: &[&str] = &[
    "ingen skillnad",
    "ingen forandring",
    "ingen forbattring",
    "fortfarande",
    "fortfarnade",
    "fortfarane",
    "samma sak",
    "samma problem",
    "samma fel",
    "lika daligt",
    "precis som innan",
    "som forut",
    "still",
    "no difference",
    "no change",
    "nothing changed",
    "didnt change",
    "same thing",
    "same problem",
    "same issue",
    "same as before",
    "no luck",
    "no joy",
];

/// Words that make a clause about something else than the step's result: a wish ("vill ha
/// hjälp ändå"), a second problem ("tv:n funkar fortfarande inte heller").
const NOT_ABOUT_THE_STEP: &[&str] = &[
    "vill", "want", "wanna", "hjalp", "help", "heller", "either", "ocksa", "also", "too",
    "dessutom", "tack", "thanks",
];

/// Trailing words that say the fault is still there when they close a statement: "blinkar
/// online ändå", "the light is blinking anyway".
const ANYWAY: &[&str] = &["anda", "anyway", "anyways", "regardless"];

/// Whether `text` says the fault is still there after the step: "startade om, fortfarande
/// SOS", "pushed in all the cables, still nothing", "efter 5 min blinkar den ändå".
pub fn says_no_change(text: &str) -> bool {
    statements(text).iter().any(|clause| {
        let words: Vec<&str> = clause.split_whitespace().collect();
        if words.iter().any(|w| NOT_ABOUT_THE_STEP.contains(w)) {
            return false;
        }
        says(clause, NO_CHANGE) || words.last().is_some_and(|w| ANYWAY.contains(w))
    })
}

/// Phrases that say the step was done before it was asked for.
const ALREADY_DONE: &[&str] = &[
    "redan gjort det",
    "redan gjort",
    "gjort det redan",
    "redan provat",
    "provat det redan",
    "redan testat",
    "testat det redan",
    "redan forsokt",
    "already done",
    "already did",
    "already tried",
    "done that already",
    "done it already",
    "tried that already",
    "tried it already",
];

/// Whether `text` tells that the step shown was already done ("måste jag verkligen dra ur
/// sladden? jag har redan gjort det två gånger"): the customer is still here, so it did not
/// help. Read in statements only: "har du redan gjort det?" tells nothing.
pub fn says_already_done(text: &str) -> bool {
    statements(text).iter().any(|clause| {
        let padded = format!(" {clause} ");
        ALREADY_DONE.iter().any(|phrase| {
            padded.find(&format!(" {phrase} ")).is_some_and(|at| {
                // "har inte redan gjort det", "haven't already done it": denied just before.
                let before: Vec<&str> = padded[..at].split_whitespace().collect();
                !before.iter().rev().take(2).any(|w| DENIALS.contains(w))
                    && !before.iter().any(|w| NOT_ABOUT_THE_STEP.contains(w))
            })
        })
    })
}

/// Phrases that say the customer lacks what the step needs, so it cannot be done: "har
/// ingen dator eller skrivare hemma", "we don't have an extender".
const LACKS: &[&str] = &[
    "har ingen",
    "har inget",
    "har inga",
    "har ju ingen",
    "har ju inget",
    "har ju inga",
    "har ingen egen",
    "saknar",
    "finns ingen",
    "finns inget",
    "finns inga",
    "dont have",
    "do not have",
    "dont own",
    "havent got",
    "have not got",
    "dont even have",
    "we have no",
    "i have no",
    "there s no",
    "there is no",
];

/// What one lacks that is no thing a step could need: "har ingen aning" is not knowing.
const NOT_A_THING: &[&str] = &[
    "aning",
    "idea",
    "clue",
    "tid",
    "time",
    "lust",
    "ork",
    "problem",
    "fel",
    "skillnad",
    "difference",
    "change",
];

/// Words that point at the step shown: "det steget kan jag inte göra", "this step".
const THE_STEP: &[&str] = &[
    "det steget",
    "det har steget",
    "det dar steget",
    "detta steg",
    "steget",
    "this step",
    "that step",
    "the step",
];

/// Whether `text` speaks of the step itself, whatever else its words name: a message about
/// "det steget" answers it.
pub fn speaks_of_the_step(text: &str) -> bool {
    clauses(text).iter().any(|clause| says(clause, THE_STEP))
}

/// Whether `text` says the step cannot be done for want of something it needs.
pub fn lacks_what_the_step_needs(text: &str) -> bool {
    statements(text).iter().any(|clause| {
        let padded = format!(" {clause} ");
        LACKS.iter().any(|p| {
            padded
                .find(&format!(" {p} "))
                .map(|at| &padded[at + p.len() + 2..])
                .and_then(|rest| rest.split_whitespace().next())
                .is_some_and(|thing| !NOT_A_THING.contains(&thing))
        })
    })
}

/// Words that close a message pleased or having understood: "då fattar jag. toppen",
/// "perfect, makes sense now".
const PLEASED: &[&str] = &[
    "toppen",
    "perfekt",
    "kanon",
    "kanonbra",
    "utmarkt",
    "grymt",
    "suveranent",
    "great",
    "perfect",
    "brilliant",
    "awesome",
    "excellent",
    "sorted",
];

/// Phrases that say an explanation was understood.
const UNDERSTOOD: &[&str] = &[
    "da fattar jag",
    "nu fattar jag",
    "da forstar jag",
    "nu forstar jag",
    "da begriper jag",
    "nu begriper jag",
    "det forklarar saken",
    "det forklarar det",
    "makes sense",
    "that explains it",
    "that explains",
    "i get it now",
    "got it now",
    "i understand now",
    "now i understand",
    "now i get it",
];

/// Whether `text` ends pleased, or says the explanation was understood, with no question,
/// "but" or denial that would take it back: "jaha den gäller halva mars, då fattar jag.
/// toppen".
pub fn says_settled(text: &str) -> bool {
    if text.contains('?') || crate::dialogue::after_contrast(text).is_some() {
        return false;
    }
    let folded = fold(&text.replace("n't", "nt"));
    let words: Vec<&str> = folded.split_whitespace().collect();
    if words.iter().any(|w| DENIALS.contains(w)) {
        return false;
    }
    says(&folded, UNDERSTOOD) || words.last().is_some_and(|w| PLEASED.contains(w))
}

/// Questions that ask for the next step.
const WHATS_NEXT: &[&str] = &[
    "vad gor jag nu",
    "vad gor jag sen",
    "vad gor jag sedan",
    "vad ska jag gora nu",
    "vad ska jag gora sen",
    "och sen da",
    "och nu da",
    "nasta steg",
    "what now",
    "what next",
    "whats next",
    "what s next",
    "what do i do now",
    "what do i do next",
    "and now what",
    "next step",
];

/// Whether `text` tells of something done and asks what comes next ("ok hittade den på
/// mina sidor, vad gör jag sen?"): the step is behind the customer, the next one is the
/// answer. A bare "vad gör jag nu?" is not: nothing says the step was done.
pub fn done_and_asks_next(text: &str) -> bool {
    // What was done is told before the question: "what now? i need it for work" asks
    // first, and tells of no step done.
    let clauses = clauses(text);
    let asked_at = clauses.iter().position(|c| says(c, WHATS_NEXT));
    asked_at.is_some_and(|at| {
        clauses[..at].iter().any(|clause| {
            clause.split_whitespace().count() >= 2
                && !clause.split_whitespace().any(|w| DENIALS.contains(&w))
        })
    })
}

/// Words that say which of two problems to take first.
const FIRST: &[&str] = &[
    "forst",
    "first",
    "borja med",
    "borjar med",
    "start with",
    "begin with",
];

/// Whether a short `text` picks which problem to take first ("ta tv:n först, det är match
/// ikväll", "the bill first please"): a choice, not an answer to the step. A longer message
/// with "först" tells the order the customer did things in.
pub fn picks_an_order(text: &str) -> bool {
    const SHORT: usize = 8;
    const SHORT_CLAUSE: usize = 5;
    let folded = fold(text);
    if folded.split_whitespace().count() <= SHORT {
        return says(&folded, FIRST);
    }
    // In a longer message, a short clause that names what comes first ("vänta, ta
    // mobildatan först, jag behöver den i morgon"), not one that opens a story with it.
    clauses(text).iter().any(|clause| {
        let words: Vec<&str> = clause.split_whitespace().collect();
        words.len() <= SHORT_CLAUSE
            && says(clause, FIRST)
            && !words.first().is_some_and(|w| FIRST.contains(w))
    })
}

/// Whether `folded` holds one of `phrases` as whole words.
fn says(folded: &str, phrases: &[&str]) -> bool {
    let padded = format!(" {folded} ");
    phrases.iter().any(|p| padded.contains(&format!(" {p} ")))
}

/// Every clause of `text`, folded, cut at sentence ends and commas, questions included.
fn clauses(text: &str) -> Vec<String> {
    text.replace("n't", "nt")
        .split(['.', ';', '!', '?', '\n', ','])
        .map(fold)
        .filter(|clause| !clause.is_empty())
        .collect()
}

/// The statements of `text`, folded, cut at sentence ends and commas; questions left out.
fn statements(text: &str) -> Vec<String> {
    let text = text.replace("n't", "nt").replace(['’', '`'], "'");
    text.split_inclusive(['.', ';', '!', '?', '\n'])
        .filter(|sentence| !sentence.trim_end().ends_with('?'))
        .flat_map(|sentence| sentence.split(','))
        .map(fold)
        .filter(|clause| !clause.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_done_before_it_was_shown_is_heard_in_statements_only() {
        for text in [
            "Måste jag verkligen dra ur sladden? jag har redan gjort det två gånger",
            "har redan provat det, ingen skillnad",
            "I've already tried that twice.",
            "done that already",
            "jag har redan gjort det men det funkar inte",
        ] {
            assert!(says_already_done(text), "{text}");
        }
        for text in [
            "har du redan gjort det?",
            "jag har inte redan gjort det",
            "ok, jag drar ur sladden nu",
        ] {
            assert!(!says_already_done(text), "{text}");
        }
    }

    #[test]
    fn the_step_itself_is_heard() {
        assert!(speaks_of_the_step(
            "jag har ingen stege hemma, så det steget kan jag inte göra just nu"
        ));
        assert!(speaks_of_the_step(
            "can't do that step, the box is locked away"
        ));
        assert!(!speaks_of_the_step("mobilen har ingen täckning i stugan"));
        assert!(!speaks_of_the_step(
            "tog tre steg bakåt och tappade täckningen"
        ));
    }

    #[test]
    fn a_fault_that_outlived_the_step_is_heard_in_both_languages() {
        for text in [
            "startade om, fortfarande SOS",
            "tog ut simkortet och torkade av det, satte tillbaka och skrev pin. ingen skillnad",
            "det satt en splitter, tog bort den och kopplade modemet direkt. efter 5 min blinkar online ändå",
            "the light on the box is blue so it is on, but still no picture",
            "pushed in all the cables. same thing",
            "switched the kids tablets to the other network, no difference",
        ] {
            assert!(says_no_change(text), "{text}");
        }
    }

    #[test]
    fn a_wish_a_second_problem_or_a_question_is_no_report_on_the_step() {
        for text in [
            "ok men jag vill ha hjälp ändå",
            "i still want someone to look at it",
            "och tv:n funkar fortfarande inte heller",
            "är det fortfarande samma sak?",
            "nu funkar det!",
        ] {
            assert!(!says_no_change(text), "{text}");
        }
    }

    #[test]
    fn a_step_that_needs_what_the_customer_lacks_cannot_be_done() {
        for text in [
            "har ingen dator eller skrivare hemma, bara den här mobilen",
            "we don't have an extender or mesh or anything",
            "jag saknar nätverkskabel",
            "i haven't got a laptop",
        ] {
            assert!(lacks_what_the_step_needs(text), "{text}");
        }
        for text in [
            "har ingen aning",
            "no idea what that means",
            "har du ingen annan lösning?",
            "nu är det ingen skillnad",
        ] {
            assert!(!lacks_what_the_step_needs(text), "{text}");
        }
    }

    #[test]
    fn a_step_done_and_a_question_for_the_next_one_moves_on() {
        for text in [
            "ok hittade den på mina sidor, vad gör jag sen?",
            "found the code on the card. what now?",
        ] {
            assert!(done_and_asks_next(text), "{text}");
        }
        for text in [
            "vad gör jag nu?",
            "hittade den inte, vad gör jag nu?",
            "what now? i need it for work",
            "ok hittade den",
        ] {
            assert!(!done_and_asks_next(text), "{text}");
        }
    }

    #[test]
    fn a_short_choice_of_what_comes_first_is_heard() {
        for text in [
            "ta tv:n först, det är match ikväll",
            "the bill first please",
            "börja med skrivaren",
        ] {
            assert!(picks_an_order(text), "{text}");
        }
        assert!(!picks_an_order(
            "först drog jag ur sladden, sen väntade jag fem minuter och satte i den igen"
        ));
        assert!(!picks_an_order("drog ur sladden, ingen skillnad"));
        assert!(picks_an_order(
            "vänta, ta mobildatan först, jag behöver den i morgon bitti"
        ));
        assert!(!picks_an_order(
            "först drog jag ur sladden, sen väntade jag och satte i den igen"
        ));
    }

    #[test]
    fn pleased_or_understanding_endings_settle_the_step() {
        for text in [
            "jaha den gäller halva mars och hela april, då fattar jag. toppen",
            "ok that makes sense",
            "hittade den, gick att ladda ner som pdf. perfekt",
        ] {
            assert!(says_settled(text), "{text}");
        }
        for text in [
            "toppen, men det funkar inte",
            "perfekt, vad gör jag nu?",
            "inte perfekt",
            "toppen tack, jag testar",
            "jag fattar inte",
        ] {
            assert!(!says_settled(text), "{text}");
        }
    }
}
