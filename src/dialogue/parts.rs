//! A message cut into the parts that may each raise a problem: "tv:n säger no signal och
//! ipaden kommer inte in på wifit" is two. Each part is then understood on its own, so the
//! second problem is never lost behind the first.

/// Words that join two problems in one sentence, folded to lower case: cut before them.
const JOINS: &[&str] = &[
    " och dessutom ",
    " dessutom ",
    " och sen ",
    " och så ",
    " och sedan ",
    " plus att ",
    " samt att ",
    " och även ",
    " och också ",
    " och ",
    " and also ",
    " and on top of that ",
    " on top of that ",
    " as well as ",
    " and then ",
    " plus ",
    " also ",
    " and ",
];

/// Fewer words than this is not a problem of its own ("och ja").
const MIN_WORDS: usize = 3;

/// Words that only tie a part to the one before ("och fakturan…", "and also, my bill…"),
/// folded: left out when the part is quoted back to the customer. Swedish adverbials such
/// as "dessutom" or "sen" stay: the verb follows them, and "har fakturan blivit dyrare"
/// without its adverbial reads as a question.
const LEADS: &[&str] = &[
    "och", "plus", "samt", "men", "and", "also", "then", "plus", "but", "besides",
];

/// Longer than this, a part is not quoted back: a long quote reads as an echo, not as
/// having been heard.
const MAX_QUOTED_CHARS: usize = 90;

/// Whether a part tells of a fault that is over ("vi hade inget bredband 12 till 19
/// januari", "the tv was down all last week"): the reason for a claim, not a problem to
/// troubleshoot now.
pub fn tells_of_the_past(part: &str) -> bool {
    const OVER: &[&str] = &[
        "hade",
        "had",
        "was",
        "were",
        "lag",
        "lågo",
        "lago",
        "fungerade",
        "funkade",
        "gick",
    ];
    const STILL: &[&str] = &[
        "fortfarande",
        "still",
        "nu",
        "now",
        "idag",
        "today",
        "sen",
        "since",
        "har",
        "has",
        "have",
        "funkar",
        "fungerar",
        "works",
    ];
    let lower = part.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words.iter().any(|w| OVER.contains(w)) && !words.iter().any(|w| STILL.contains(w))
}

/// Whether a part says something works ("inne i huset är det inga problem", "the tv works
/// fine"): the contrast that places a fault, not a second one.
pub fn says_all_is_well(part: &str) -> bool {
    const WELL: &[&str] = &[
        "inga problem",
        "inget problem",
        "funkar bra",
        "funkar fint",
        "funkar utmarkt",
        "funkar som vanligt",
        "funkar som det ska",
        "fungerar bra",
        "fungerar fint",
        "fungerar utmarkt",
        "fungerar som vanligt",
        "fungerar som det ska",
        "ar det bra",
        "no problem",
        "no problems",
        "no issues",
        "works fine",
        "works well",
        "works perfectly",
        "working fine",
        "work fine",
        "is fine",
        "are fine",
    ];
    let mut folded = format!(" {} ", crate::classifier::lexicon::fold(part));
    let mut well = false;
    for phrase in WELL {
        let padded = format!(" {phrase} ");
        if folded.contains(&padded) {
            well = true;
            folded = folded.replace(&padded, " ");
        }
    }
    // "No sound on the hd channels, picture is fine" still has its fault.
    let complains = folded
        .split_whitespace()
        .any(|w| crate::classifier::readers::COMPLAINT_WORDS.contains(&w));
    well && !complains
}

/// A part as the bot quotes it back ("och TV6 har försvunnit från boxen!" → "TV6 har
/// försvunnit från boxen"), or `None` when it is too long to quote.
pub fn quotable(part: &str) -> Option<String> {
    let mut rest = part.trim();
    while let Some((first, after)) = rest.split_once(char::is_whitespace) {
        let word = first.trim_end_matches([',', ':']).to_lowercase();
        if !LEADS.contains(&word.as_str()) {
            break;
        }
        rest = after.trim_start();
    }
    let rest = rest.trim_end_matches(['.', '!', '?', ',', ' ']);
    (!rest.is_empty() && rest.chars().count() <= MAX_QUOTED_CHARS).then(|| rest.to_owned())
}

/// Words that turn a sentence against what went before ("inkorgen syns nu, men allt jag
/// skickar fastnar"), folded, with the spaces around them.
const CONTRASTS: &[&str] = &[
    " men ",
    ", men ",
    " fast ",
    " dock ",
    " but ",
    " however ",
    " although ",
    " though ",
    " except ",
    " förutom att ",
    " utom att ",
];

/// What follows the last turn against the rest of a message, when it has words enough to
/// say something of its own: a customer who reports a step's result and then "men …" tells
/// whether the problem is gone in the second half.
pub fn after_contrast(text: &str) -> Option<&str> {
    let lower = text.to_lowercase();
    // Byte offsets are shared only when case mapping keeps lengths.
    if lower.len() != text.len() {
        return None;
    }
    let (at, len) = CONTRASTS
        .iter()
        .filter_map(|c| lower.rfind(c).map(|at| (at, c.len())))
        .max_by_key(|(at, _)| *at)?;
    let tail = text[at + len..].trim();
    (tail.split_whitespace().count() >= MIN_WORDS).then_some(tail)
}

/// The last thing a message says, when it says more than one: its last sentence, from its
/// last "och"/"and" or comma on. A customer tells the outcome last ("hittade felet, sladden
/// hade glidit ur. tryckte in den och allt funkar igen").
pub fn last_said(text: &str) -> Option<&str> {
    let sentence = sentences(text).pop()?;
    let lower = sentence.to_lowercase();
    let tail = if lower.len() == sentence.len() {
        [" och ", " and ", ", ", " men ", " but "]
            .iter()
            .filter_map(|cut| lower.rfind(cut).map(|at| at + cut.len()))
            .max()
            .map_or(sentence, |at| &sentence[at..])
    } else {
        sentence
    };
    let tail = tail.trim();
    (tail.split_whitespace().count() >= MIN_WORDS && tail.len() < text.trim().len()).then_some(tail)
}

/// The parts of `text`, in order, each with at least [`MIN_WORDS`] words; a message that
/// cannot be cut gives one part, itself.
pub fn parts(text: &str) -> Vec<&str> {
    let mut pieces: Vec<&str> = Vec::new();
    for sentence in sentences(text) {
        cut_at_joins(sentence, &mut pieces);
    }
    // Too short to stand alone: joined back onto the part before it.
    let mut merged: Vec<&str> = Vec::new();
    let mut start: Option<usize> = None;
    let offset = |piece: &str| piece.as_ptr() as usize - text.as_ptr() as usize;
    for piece in pieces {
        let words = piece.split_whitespace().count();
        let begin = offset(piece);
        let end = begin + piece.len();
        match (start, merged.last_mut()) {
            (Some(from), Some(last)) if words < MIN_WORDS => {
                *last = text[from..end].trim();
            }
            _ => {
                start = Some(begin);
                merged.push(piece);
            }
        }
    }
    merged.retain(|p| p.split_whitespace().count() >= MIN_WORDS);
    if merged.is_empty() {
        vec![text.trim()]
    } else {
        merged
    }
}

/// Cut after `.`, `!` and `?` followed by a space, and at line breaks.
fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut begin = 0;
    let bytes = text.as_bytes();
    for (i, c) in text.char_indices() {
        let ends = match c {
            '\n' => true,
            '.' | '!' | '?' => bytes.get(i + 1).is_some_and(|b| *b == b' ' || *b == b'\n'),
            _ => false,
        };
        if ends {
            push_trimmed(&text[begin..=i], &mut out);
            begin = i + 1;
        }
    }
    push_trimmed(&text[begin..], &mut out);
    out
}

fn push_trimmed<'a>(piece: &'a str, out: &mut Vec<&'a str>) {
    let piece = piece.trim();
    if !piece.is_empty() {
        out.push(piece);
    }
}

fn cut_at_joins<'a>(sentence: &'a str, out: &mut Vec<&'a str>) {
    let lower = sentence.to_lowercase();
    // Lower-casing keeps byte offsets only for text whose case mapping keeps lengths; for
    // anything else the sentence stays whole.
    if lower.len() != sentence.len() {
        out.push(sentence);
        return;
    }
    let cut = JOINS
        .iter()
        .filter_map(|join| lower.find(join).map(|at| (at, join.len())))
        .min_by_key(|(at, _)| *at);
    match cut {
        Some((at, len)) => {
            push_trimmed(&sentence[..at], out);
            let rest = sentence[at + len..].trim();
            if !rest.is_empty() {
                cut_at_joins(rest, out);
            }
        }
        None => out.push(sentence),
    }
}

#[cfg(test)]
mod tests {
    use super::{parts, quotable};

    #[test]
    fn a_fault_that_is_over_is_told_from_one_still_going_on() {
        assert!(super::tells_of_the_past(
            "vi hade inget bredband alls mellan 12 och 19 januari"
        ));
        assert!(super::tells_of_the_past(
            "we had no broadband at all from 3 to 9 november"
        ));
        assert!(!super::tells_of_the_past(
            "vi har inte haft något internet sen i fredags"
        ));
        assert!(!super::tells_of_the_past(
            "the tv was fine but now it says no signal"
        ));
    }

    #[test]
    fn the_half_after_a_but_is_found_when_it_says_something() {
        assert_eq!(
            super::after_contrast("inkorgen kommer upp nu, men allt jag skickar fastnar"),
            Some("allt jag skickar fastnar")
        );
        assert_eq!(
            super::after_contrast("it works now but the tv still freezes"),
            Some("the tv still freezes")
        );
        assert_eq!(super::after_contrast("ja men nej"), None);
        assert_eq!(super::after_contrast("nu funkar det, tack"), None);
    }

    #[test]
    fn the_last_thing_said_is_found() {
        assert_eq!(
            super::last_said(
                "found it!! the cable had slipped. pushed it in and everything works again"
            ),
            Some("everything works again")
        );
        assert_eq!(
            super::last_said("the box remote was on mute, silly me. sound is back on all of them"),
            Some("sound is back on all of them")
        );
        assert_eq!(super::last_said("funkar nu"), None);
        assert_eq!(super::last_said("det funkar. tack"), None);
    }

    #[test]
    fn a_part_is_quoted_without_the_words_that_tie_it_on() {
        assert_eq!(
            quotable("och fakturan har blivit dyrare!").as_deref(),
            Some("fakturan har blivit dyrare")
        );
        assert_eq!(
            quotable("Dessutom har fakturan blivit dyrare!").as_deref(),
            Some("Dessutom har fakturan blivit dyrare")
        );
        assert_eq!(
            quotable("and also, my bill went up").as_deref(),
            Some("my bill went up")
        );
        assert_eq!(quotable(&"långt ".repeat(30)), None);
        assert_eq!(quotable("och ..."), None);
    }

    #[test]
    fn two_problems_in_one_sentence_or_two_are_cut_apart() {
        assert_eq!(
            parts("tv:n säger no signal och ipaden kommer inte in på wifit"),
            ["tv:n säger no signal", "ipaden kommer inte in på wifit"]
        );
        assert_eq!(
            parts("internet is slow all week and on top of that my bill went up"),
            ["internet is slow all week", "my bill went up"]
        );
        assert_eq!(
            parts("Nätet är nere. Dessutom har fakturan blivit dyrare!"),
            ["Nätet är nere.", "Dessutom har fakturan blivit dyrare!"]
        );
    }

    #[test]
    fn short_pieces_stay_with_the_part_before_and_one_problem_stays_whole() {
        assert_eq!(parts("routern och modemet"), ["routern och modemet"]);
        assert_eq!(
            parts("jag har startat om routern och väntat"),
            ["jag har startat om routern och väntat"]
        );
        assert_eq!(parts("nätet är nere"), ["nätet är nere"]);
        assert_eq!(parts(""), [""]);
    }
}
