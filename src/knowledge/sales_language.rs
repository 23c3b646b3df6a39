//! Sales language, which support never uses.
//!
//! People who come for help must not be sold to. Every line the bot can say and every guide an
//! editor saves is checked against these patterns: a guide with sales language is refused
//! with the line it is on, and a policy test fails the build if the reply catalogue has any.
//! The patterns name selling itself (offers, campaigns, discounts, upgrade pitches), not words
//! that also describe help, such as "köp" in a guide about the right of withdrawal.

use std::sync::LazyLock;

use regex::Regex;

const PATTERNS: &[&str] = &[
    // Swedish
    r"\berbjud\w*",
    r"\bkampanj\w*",
    r"\w*rabatt\w*",
    r"\buppgradera (?:till|ditt|din|abonnemang\w*)",
    r"\bspecialpris\w*",
    r"\bintroduktionspris\w*",
    r"\bvälkomstpris\w*",
    r"\bförmånlig\w*",
    r"\bpassa på\b",
    r"\bmissa inte\b",
    r"\bbegränsad tid\b",
    r"\bprova gratis\b",
    r"\bgratis i \d+",
    r"\bbilligare\b",
    r"\bbättre pris\w*",
    r"\bhalva priset\b",
    r"\bför bara \d+",
    r"\blojalitet\w*",
    r"\bstanna kvar hos oss\b",
    r"\bbonus\w*",
    r"\bmersälj\w*",
    r"\bpaketpris\w*",
    // English
    r"\boffers?\b",
    r"\bdeals?\b",
    r"\bdiscount\w*",
    r"\bpromo\w*",
    r"\bcampaign\w*",
    r"\bupgrade (?:to|your)\b",
    r"\bfree trial\b",
    r"\blimited[- ]time\b",
    r"\bdon'?t miss\b",
    r"\bcheaper\b",
    r"\bbetter price\w*",
    r"\bsave up to\b",
    r"\bhalf price\b",
    r"\bfor only\b",
    r"\bbundle\w*",
    r"\bloyalty\b",
    r"\bexclusive\w*",
    r"\bstay with us\b",
    r"\bsign up now\b",
];

static SALES: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    PATTERNS
        .iter()
        .map(|p| Regex::new(&format!("(?i){p}")).expect("a valid pattern"))
        .collect()
});

/// The sales phrases found in `text`, as written there.
pub fn sales_phrases(text: &str) -> Vec<String> {
    let mut found: Vec<(usize, &str)> = SALES
        .iter()
        .flat_map(|re| re.find_iter(text).map(|m| (m.start(), m.as_str())))
        .collect();
    found.sort_unstable();
    found
        .into_iter()
        .map(|(_, phrase)| phrase.to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_pitches_in_both_languages() {
        for pitch in [
            "Just nu har vi ett erbjudande på 5G-abonnemang!",
            "Passa på: kampanjpris i tre månader.",
            "Du får 20 % rabatt om du stannar.",
            "Vill du uppgradera till 1000 Mbit/s?",
            "Before you go, we have a special offer for you.",
            "Upgrade to our premium plan for only 99 kr.",
            "Get a discount on your next bill.",
            "Stanna kvar hos oss så får du en bonus.",
        ] {
            assert!(!sales_phrases(pitch).is_empty(), "{pitch}");
        }
    }

    #[test]
    fn leaves_help_alone() {
        for help in [
            "Ångra ett köp inom 14 dagar.",
            "Du behåller ditt telefonnummer.",
            "Uppdatera routerns programvara och starta om den.",
            "Changing your subscription is done on My pages.",
            "The picture freezes.",
            "You can cancel in writing here, right now.",
            "Vi sänker inte farten, men mobildata kan vara slut för månaden.",
        ] {
            assert_eq!(sales_phrases(help), Vec::<String>::new(), "{help}");
        }
    }
}
