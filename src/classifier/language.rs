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
        if SWEDISH.contains(&word) {
            sv += 1;
        }
        if ENGLISH.contains(&word) {
            en += 1;
        }
    }
    if en > sv {
        Locale::En
    } else {
        Locale::Sv
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swedish_with_and_without_accents_and_plain_english() {
        assert_eq!(detect("nätet e nere igen"), Locale::Sv);
        assert_eq!(detect("natet funkar inte"), Locale::Sv);
        assert_eq!(detect("jag vill saga upp"), Locale::Sv);
        assert_eq!(detect("my internet is not working"), Locale::En);
        assert_eq!(detect("I want to cancel my subscription"), Locale::En);
        assert_eq!(detect("routern är typ dead"), Locale::Sv);
    }
}
