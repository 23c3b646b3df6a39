//! Words that say the bot is failing the customer. When they come, a person takes over at
//! once: making someone argue with a bot is what people complain about most.

pub(super) use crate::classifier::lexicon::lower_folded as fold;

/// Phrases aimed at the bot, not at the product: "värdelöst internet" is a problem to solve,
/// "du är värdelös" is a request for someone else.
const PHRASES: &[&str] = &[
    "du forstar inte",
    "forstar du inte",
    "du forstar ingenting",
    "du fattar inte",
    "fattar du inte",
    "du fattar ingenting",
    "du ar vardelos",
    "vardelos bot",
    "korkad bot",
    "dum bot",
    "dumma bot",
    "skitbot",
    "det har hjalper inte",
    "det har leder ingenstans",
    "det har ar meningslost",
    "jag har ju redan sagt",
    "jag har redan sagt det",
    "jag har redan sagt att",
    "du upprepar",
    "upprepar bara samma",
    "samma sak om och om",
    "hur manga ganger ska jag",
    "you don't understand",
    "you do not understand",
    "you dont understand",
    "you're useless",
    "you are useless",
    "useless bot",
    "stupid bot",
    "this is useless",
    "this is pointless",
    "this isn't helping",
    "this is not helping",
    "i already told you",
    "i've already said",
    "i already said",
    "you keep repeating",
    "you're repeating yourself",
    "same thing over and over",
    "how many times do i",
];

pub fn is_frustrated(text: &str) -> bool {
    let folded = fold(text);
    PHRASES.iter().any(|p| folded.contains(p))
}

#[cfg(test)]
mod tests {
    use super::is_frustrated;

    #[test]
    fn frustration_with_the_bot_is_heard_in_both_languages() {
        for text in [
            "Du förstår inte vad jag säger!!",
            "du fattar ingenting, jag vill ha hjälp",
            "asså du forstar inte",
            "Hur många gånger ska jag behöva skriva det",
            "You don't understand, the router is fine",
            "this is pointless",
        ] {
            assert!(is_frustrated(text), "{text}");
        }
    }

    #[test]
    fn a_problem_with_the_product_is_not_frustration_with_the_bot() {
        for text in [
            "värdelöst internet, funkar aldrig",
            "jag förstår inte fakturan",
            "I don't understand my invoice",
            "routern hjälper inte att starta om",
        ] {
            assert!(!is_frustrated(text), "{text}");
        }
    }
}
