//! Guessing whether a short message is Swedish or English.
//!
//! Only needed where no conversation locale is known (the classify endpoint) and to pick the
//! confidence threshold. Customers often write Swedish without å/ä/ö, so the guess rests on
//! common function words as well as letters.

use crate::domain::Locale;

const SWEDISH: &[&str] = &[
    "och", "att", "det", "jag", "inte", "är", "ar", "har", "min", "mitt", "mina", "på", "pa",
    "för", "for", "med", "som", "en", "ett", "vill", "kan", "hur", "vad", "funkar", "fungerar",
    "nätet", "natet", "hej", "tack", "ni", "er", "mig", "mej", "sig", "också", "nu", "igen",
    "varför", "varfor", "när", "nar", "till", "från", "fran", "av", "om", "hos", "e", "va",
];
const ENGLISH: &[&str] = &[
    "the", "and", "is", "my", "i", "it", "to", "not", "have", "can", "how", "what", "with", "for",
    "on", "of", "you", "your", "please", "hi", "hello", "thanks", "want", "does", "doesn't",
    "don't", "isn't", "working", "from", "why", "when", "this", "that", "are",
];

pub fn detect(text: &str) -> Locale {
    let (sv, en) = evidence(text);
    if en > sv {
        Locale::En
    } else {
        Locale::Sv
    }
}

/// The other language, when a message in a conversation held in `current` is plainly
/// written in it: several of its common words and none of the current language's. A
/// Swedish customer's "ok thanks" or "routern är typ dead" is not a switch; "ok english then,
/// my phone has no internet at all" is.
pub fn switched(text: &str, current: Locale) -> Option<Locale> {
    const PLAINLY: i32 = 3;
    let (sv, en) = evidence(text);
    let lower = text.to_lowercase();
    // Asking for the other language by name ("english ok", "kan vi ta det på svenska?")
    // switches on less evidence.
    const ENGLISH_PLEASE: &[&str] = &[
        "in english",
        "english please",
        "english pls",
        "english ok",
        "ok english",
        "english then",
        "english is better",
        "write english",
        "speak english",
    ];
    const SWEDISH_PLEASE: &[&str] = &[
        "på svenska",
        "pa svenska",
        "svenska tack",
        "svenska går bra",
        "in swedish",
    ];
    let asks_for_english = ENGLISH_PLEASE.iter().any(|p| lower.contains(p)) && en >= sv;
    let asks_for_swedish = SWEDISH_PLEASE.iter().any(|p| lower.contains(p)) && sv >= en;
    match current {
        Locale::Sv if (en >= PLAINLY && sv == 0) || asks_for_english => Some(Locale::En),
        Locale::En if (sv >= PLAINLY && en == 0) || asks_for_swedish => Some(Locale::Sv),
        _ => None,
    }
}

/// Words that name a language or talk about one.
const LANGUAGE_TALK: &[&str] = &[
    "english",
    "engelska",
    "engelskan",
    "swedish",
    "svenska",
    "svenskan",
    "language",
    "språk",
    "språket",
];

/// `text` without its sentences and clauses about which language to write in ("sorry my
/// swedish is not so good, can we do this in english?"), when it has both those and
/// something else: the rest may answer the step the customer is on.
pub fn without_language_talk(text: &str) -> Option<String> {
    let talks = |piece: &str| {
        piece
            .to_lowercase()
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| LANGUAGE_TALK.contains(&w))
    };
    let mut kept = Vec::new();
    let mut dropped = false;
    for sentence in text.split_inclusive(['.', '!', '?', '\n']) {
        if !talks(sentence) {
            kept.push(sentence.trim().to_owned());
            continue;
        }
        dropped = true;
        // "my partner handed me the laptop so i'll write in english, we switched to 2.4":
        // the clauses of a sentence that do not talk of language stay.
        kept.extend(
            sentence
                .split(',')
                .filter(|clause| !talks(clause))
                .map(|clause| clause.trim().to_owned()),
        );
    }
    let rest = kept
        .into_iter()
        .filter(|piece| piece.split_whitespace().count() >= 2)
        .collect::<Vec<_>>()
        .join(" ");
    (dropped && !rest.is_empty()).then_some(rest)
}

/// How many signs of Swedish and of English a message shows.
fn evidence(text: &str) -> (i32, i32) {
    let lower = text.to_lowercase();
    let mut sv = 0i32;
    let mut en = 0i32;
    if lower.contains(['å', 'ä', 'ö']) {
        sv += 2;
    }
    for word in lower.split(|c: char| !(c.is_alphanumeric() || c == '\'')) {
        if word.is_empty() {
            continue;
        }
        // "for" is Swedish "för" without its ö as often as it is English: no evidence.
        match (SWEDISH.contains(&word), ENGLISH.contains(&word)) {
            (true, false) => sv += 1,
            (false, true) => en += 1,
            _ => {}
        }
    }
    (sv, en)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_said_beside_a_wish_for_the_other_language_is_kept() {
        assert_eq!(
            without_language_talk(
                "sorry my swedish is not so good, can we do this in english? the light on the box is blue, but still no picture"
            )
            .as_deref(),
            Some("the light on the box is blue, but still no picture")
        );
        assert_eq!(
            without_language_talk(
                "kan vi köra på svenska istället? min engelska är inte så bra. nätverksval stod redan på automatiskt"
            )
            .as_deref(),
            Some("nätverksval stod redan på automatiskt")
        );
        assert_eq!(
            without_language_talk("can we do this in english please?"),
            None
        );
        assert_eq!(without_language_talk("the light is blue"), None);
    }

    #[test]
    fn swedish_with_and_without_accents_and_plain_english() {
        assert_eq!(detect("nätet e nere igen"), Locale::Sv);
        assert_eq!(detect("natet funkar inte"), Locale::Sv);
        assert_eq!(detect("jag vill saga upp"), Locale::Sv);
        assert_eq!(detect("my internet is not working"), Locale::En);
        assert_eq!(detect("I want to cancel my subscription"), Locale::En);
        assert_eq!(detect("routern är typ dead"), Locale::Sv);
    }

    #[test]
    fn a_switch_needs_plain_evidence_of_the_other_language() {
        let english = "ok english then, my phone has no internet at all on the hotel wifi";
        assert_eq!(switched(english, Locale::Sv), Some(Locale::En));
        assert_eq!(switched(english, Locale::En), None);
        assert_eq!(switched("ok thanks", Locale::Sv), None);
        assert_eq!(
            switched("routern är typ dead, funkar inte", Locale::Sv),
            None
        );
        assert_eq!(switched("the wifi är nere igen", Locale::Sv), None);
        let swedish = "förlåt, jag skriver hellre på svenska. nätet funkar inte";
        assert_eq!(switched(swedish, Locale::En), Some(Locale::Sv));
        assert_eq!(switched("tack", Locale::En), None);
        let asks = "can you write it in english please, my swedish isn't good enough for contracts";
        assert_eq!(switched(asks, Locale::Sv), Some(Locale::En));
        assert_eq!(
            switched("english ok. puk code?", Locale::Sv),
            Some(Locale::En)
        );
        assert_eq!(
            switched("kan vi ta det på svenska?", Locale::En),
            Some(Locale::Sv)
        );
    }
}
