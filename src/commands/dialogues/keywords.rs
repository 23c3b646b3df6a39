//! The keyword sets the wording checks use, lower-cased, Swedish and English side by side.
//! A [`Term::Starts`] matches where a word starts ("tack" also finds "tackar", never
//! "attack"); a [`Term::Word`] only the whole word ("bot", not "botten").
//! `eval/dialogues/README.md` ("How the checks judge") lists the same sets; keep them in step.

/// A keyword, matched at the start of a word or as a whole word.
#[derive(Debug, Clone, Copy)]
pub enum Term {
    Starts(&'static str),
    Word(&'static str),
}

use Term::{Starts, Word};

/// `acknowledges_frustration`, matched sentence by sentence, skipping sentences in
/// [`NOT_UNDERSTOOD`]: "Sorry, I didn't quite understand that" acknowledges nothing, while
/// "I'm sorry, I haven't understood you the way I should" does. "förstår" alone is not
/// enough either: "Jag förstår att det gäller …" only repeats the topic.
pub const FRUSTRATION: &[Term] = &[
    Starts("förstår att du"),
    Starts("förstår hur"),
    Starts("förstår din"),
    Starts("förstår verkligen"),
    Starts("beklagar"),
    Starts("ledsen"),
    Starts("förlåt"),
    Starts("ursäkta"),
    Starts("frustrerande"),
    Starts("tråkigt"),
    Starts("jobbigt"),
    Starts("irriterande"),
    Starts("understand how"),
    Starts("understand that you"),
    Starts("understand your"),
    Starts("understand why you"),
    Starts("sorry"),
    Starts("frustrat"),
    Starts("annoying"),
    Starts("apologi"),
];

/// Sentences where the bot says it did not understand, which [`FRUSTRATION`] skips.
pub const NOT_UNDERSTOOD: &[Term] = &[
    Starts("förstår inte"),
    Starts("förstår fortfarande inte"),
    Starts("förstod inte"),
    Starts("didn't understand"),
    Starts("didn't quite understand"),
    Starts("don't understand"),
    Starts("don't quite understand"),
];

/// `condolence`: sympathy for a death in the family.
pub const CONDOLENCE: &[Term] = &[
    Starts("beklagar sorgen"),
    Starts("kondoleans"),
    Starts("så ledsen"),
    Starts("sorry for your loss"),
    Starts("so sorry"),
    Starts("condolence"),
    Starts("sympath"),
];

/// `languages_note` (and `request: languages`): one of each.
pub const SWEDISH_NAMED: &[Term] = &[Starts("svenska"), Starts("swedish")];
pub const ENGLISH_NAMED: &[Term] = &[Starts("engelska"), Starts("english")];

/// `queue_ack`: the place in the queue, said in words (and the status must be `queued`).
pub const QUEUE_PLACE: &[Term] = &[
    Starts("plats"),
    Starts("före dig"),
    Starts("nummer"),
    Starts("först i kön"),
    Starts("place"),
    Starts("position"),
    Starts("ahead of you"),
    Starts("number"),
    Starts("first in"),
    Starts("next in"),
];

/// `plural`: the answer speaks of all subscriptions, not one.
pub const PLURAL: &[Term] = &[
    Starts("abonnemangen"),
    Word("alla"),
    Word("allt"),
    Word("båda"),
    Starts("samtliga"),
    Starts("subscriptions"),
    Starts("everything"),
    Starts("all of"),
    Word("both"),
];

/// `no_thanks`: none of these.
pub const THANKS: &[Term] = &[Starts("tack"), Starts("thank")];

/// `not_asked: [postcode]`: the postcode named in a question (a sentence ending in `?`) or
/// in a sentence with one of [`ASKING`].
pub const POSTCODE: &[Term] = &[
    Starts("postnummer"),
    Starts("postcode"),
    Starts("post code"),
    Starts("postal code"),
    Starts("zip"),
];

/// Words that make a sentence about the postcode a request for it without a question mark
/// ("I couldn't find a postcode in what you wrote. Type five digits").
pub const ASKING: &[Term] = &[
    Starts("skriv"),
    Starts("ange"),
    Starts("uppge"),
    Starts("hittade inget"),
    Starts("type"),
    Starts("enter"),
    Starts("tell me"),
    Starts("couldn't find"),
];

/// `request: KIND`, for the kinds answered by words.
pub fn request_terms(kind: &str) -> Option<&'static [Term]> {
    const TRANSCRIPT_COPY: &[Term] = &[
        Starts("spara"),
        Starts("ladda ner"),
        Starts("utskrift"),
        Starts("kopia"),
        Starts("download"),
        Word("save"),
        Starts("copy"),
        Starts("transcript"),
    ];
    const EMAIL_TRANSCRIPT: &[Term] = &[
        Starts("e-post"),
        Starts("epost"),
        Starts("mejl"),
        Starts("mail"),
        Starts("email"),
        Starts("e-mail"),
    ];
    const ROBOT: &[Term] = &[
        Starts("robot"),
        Word("bot"),
        Starts("chatbot"),
        Starts("chattbot"),
        Starts("automatisk"),
        Starts("automated"),
        Word("ai"),
        Starts("chattassistent"),
        Starts("chat assistant"),
        Starts("virtual assistant"),
        Starts("virtuell assistent"),
    ];
    const OPENING_HOURS: &[Term] = &[
        Starts("öppe"),
        Starts("tider"),
        Starts("hours"),
        Starts("open"),
    ];
    match kind {
        "transcript_copy" => Some(TRANSCRIPT_COPY),
        "email_transcript" => Some(EMAIL_TRANSCRIPT),
        "robot" => Some(ROBOT),
        "opening_hours" => Some(OPENING_HOURS),
        _ => None,
    }
}

/// Whether `term` occurs in `lower` (already lower-cased) at a word start.
pub fn has(lower: &str, term: Term) -> bool {
    let (needle, whole) = match term {
        Starts(needle) => (needle, false),
        Word(needle) => (needle, true),
    };
    lower.match_indices(needle).any(|(at, _)| {
        let before = lower[..at].chars().next_back();
        let after = lower[at + needle.len()..].chars().next();
        let inside_word = before.is_some_and(char::is_alphanumeric);
        let runs_on = whole && after.is_some_and(char::is_alphanumeric);
        !inside_word && !runs_on
    })
}

pub fn any(lower: &str, terms: &[Term]) -> bool {
    terms.iter().any(|&t| has(lower, t))
}

/// The sentences of `text`, each with whether it ends in a question mark. A full stop ends a
/// sentence only before a capital letter or the end, so "t.ex. 123 45?" stays one sentence.
fn sentences(text: &str) -> Vec<(String, bool)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        current.push(c);
        let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
        let ends = match c {
            '?' | '!' | '\n' => true,
            '.' => next.is_none_or(|n| n.is_uppercase()),
            _ => false,
        };
        if ends {
            out.push((std::mem::take(&mut current), c == '?'));
        }
    }
    if !current.trim().is_empty() {
        out.push((current, false));
    }
    out
}

/// Whether a sentence of the answer acknowledges the customer's frustration.
pub fn acknowledges_frustration(text: &str) -> bool {
    sentences(text).iter().any(|(s, _)| {
        let s = s.to_lowercase();
        any(&s, FRUSTRATION) && !any(&s, NOT_UNDERSTOOD)
    })
}

/// Whether the answer (as written, capitals and all) asks for the postcode.
pub fn asks_for_postcode(text: &str) -> bool {
    sentences(text).iter().any(|(s, question)| {
        let s = s.to_lowercase();
        any(&s, POSTCODE) && (*question || any(&s, ASKING))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_match_at_word_starts_and_whole_words_only_whole() {
        assert!(has("tackar för hjälpen", Starts("tack")));
        assert!(!has("an attack", Starts("tack")));
        assert!(has("i'm a bot.", Word("bot")));
        assert!(!has("botten är nådd", Word("bot")));
        assert!(!has("installation", Word("alla")));
    }

    #[test]
    fn the_place_in_the_queue_is_heard_however_it_is_said() {
        for said in [
            "du är nummer 11 i kön.",
            "du är först i kön.",
            "you are first in the queue.",
            "there are 3 people ahead of you.",
        ] {
            assert!(any(said, QUEUE_PLACE), "{said}");
        }
        assert!(!any("en kollega hör av sig.", QUEUE_PLACE));
    }

    #[test]
    fn an_apology_acknowledges_frustration_and_not_understanding_does_not() {
        assert!(acknowledges_frustration(
            "I'm sorry, I haven't understood you the way I should. I'm passing you on."
        ));
        assert!(acknowledges_frustration(
            "Vad tråkigt att det strular igen."
        ));
        assert!(!acknowledges_frustration(
            "Sorry, I didn't quite understand that. Pick the closest area below."
        ));
        assert!(!acknowledges_frustration(
            "Jag förstår att det gäller fakturan. En kollega hjälper dig."
        ));
    }

    #[test]
    fn a_postcode_question_is_found_and_a_mention_is_not() {
        let asked = "Innan vi felsöker vill jag kolla. Vilket postnummer har adressen? Till \
                     exempel 123 45.";
        assert!(asks_for_postcode(asked));
        let asked = "I couldn't find a postcode in what you wrote. Type five digits.";
        assert!(asks_for_postcode(asked));
        let asked = "Vilket postnummer (t.ex. 123 45) har du?";
        assert!(asks_for_postcode(asked));
        let told = "Det finns en känd störning vid postnummer 903 31. Vill du felsöka ändå?";
        assert!(!asks_for_postcode(told));
    }
}
