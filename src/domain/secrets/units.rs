//! A message cut into units: the pieces between white space, with the punctuation, quotes and
//! emoji around each set aside, a quoted phrase joined into one unit and digit groups
//! ("2 0 4 8", "4532 0177 4812 0931") joined into one number.

use std::ops::Range;

use super::lexicon;

/// What a unit looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    /// Letters, perhaps with hyphens or apostrophes: an ordinary word ("routern", "blå-häst").
    Word,
    /// Letters only, with a capital inside ("hundKoja"): a word that may be a password.
    MixedCase,
    /// Lower-case letters with digits or symbols ("kanelbulle88", "Kaffe&Kaka").
    Strong,
    /// Letters and digits with a capital inside or a symbol ("Zx12Qw", "Pumpa_2022"): a
    /// password wherever it stands.
    Complex,
    /// Capitals and digits ("EX3301", "88D4K2"): a model name as often as a code.
    CapsCode,
    /// Digits, perhaps in groups ("4821", "2 0 4 8", "6104-9925"), with their count.
    Digits(usize),
    /// Numbers that are never codes: dates, times, amounts, decimals, postcodes, phone
    /// numbers, measures ("5G", "500mbit") and hexadecimal error codes.
    Number,
    /// E-mail addresses and links.
    Address,
    /// Several words between quotes.
    Quoted,
    /// A mask from an earlier pass.
    Masked,
}

/// One unit of a message.
#[derive(Debug, Clone)]
pub(super) struct Unit {
    /// Where the unit stands in the message, punctuation around it left out.
    pub span: Range<usize>,
    /// The unit as written.
    pub text: String,
    /// In lower case.
    pub lower: String,
    /// Folded: lower case, "å" and "ä" as "a", "ö" as "o".
    pub fold: String,
    pub shape: Shape,
    /// The unit stands between quotes.
    pub quoted: bool,
    /// A single "!" right after it, which a password keeps ("Sommar2024!").
    pub bang: bool,
    /// Followed by ":", "=" or a dash.
    pub colon: bool,
    /// Followed by "," or ";".
    pub clause_end: bool,
    /// Followed by ".", "?" or "!".
    pub sentence_end: bool,
    /// Punctuation or quotes stand right before it.
    pub lead: bool,
    /// Punctuation, quotes or emoji stand right after it.
    pub trail: bool,
    open_quote: bool,
    close_quote: bool,
}

/// The message's units, in order.
pub(super) fn units(text: &str) -> Vec<Unit> {
    let mut units: Vec<Unit> = Vec::new();
    for piece in pieces(text) {
        match unit(text, piece.clone()) {
            Some(u) => units.push(u),
            None => punctuation(&text[piece], units.last_mut()),
        }
    }
    let units = join_quotes(text, units);
    join_digit_groups(text, units)
}

/// The pieces between white space.
fn pieces(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                split_after_name(text, s..i, &mut out);
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        split_after_name(text, s..text.len(), &mut out);
    }
    out
}

/// "Lösenord:Ribba2023", "lösenordet=Tulpan#8": a secret's name and the secret with no space
/// between become two pieces. Other colons ("tv:n", "08:00") stay inside their piece.
fn split_after_name(text: &str, piece: Range<usize>, out: &mut Vec<Range<usize>>) {
    let s = &text[piece.clone()];
    if let Some(i) = s.find([':', '=']) {
        let (left, right) = (&s[..i], &s[i + 1..]);
        let name = left.trim_start_matches(|c: char| !c.is_alphanumeric());
        if !name.is_empty()
            && right.chars().any(char::is_alphanumeric)
            && lexicon::keyword(name, None).is_some()
        {
            out.push(piece.start..piece.start + i + 1);
            out.push(piece.start + i + 1..piece.end);
            return;
        }
    }
    out.push(piece);
}

/// What may begin or end a unit; other characters at its edges (quotes, brackets, sentence
/// punctuation, emoji) are set aside. Symbols inside a unit always stay.
fn kept(c: char) -> bool {
    c.is_alphanumeric() || "#$%&*+@^_~•".contains(c)
}

fn is_quote(c: char) -> bool {
    "\"'“”„‘’«»‹›`´".contains(c)
}

fn unit(text: &str, piece: Range<usize>) -> Option<Unit> {
    let s = &text[piece.clone()];
    let start = s.find(kept)?;
    let last = s.rfind(kept)?;
    let end = last + s[last..].chars().next().map_or(1, char::len_utf8);
    let core = &s[start..end];
    if !core.chars().any(|c| c.is_alphanumeric() || c == '•') {
        return None;
    }
    let (lead, trail) = (&s[..start], &s[end..]);
    let lower = core.to_lowercase();
    Some(Unit {
        span: piece.start + start..piece.start + end,
        text: core.to_owned(),
        fold: lexicon::fold(core),
        shape: shape(core, &lower),
        lower,
        quoted: false,
        bang: trail.starts_with('!') && !trail[1..].starts_with('!'),
        colon: trail.contains([':', '=']),
        clause_end: trail.contains([',', ';']),
        sentence_end: trail.contains(['.', '?', '!', '…']),
        open_quote: lead.chars().any(is_quote),
        close_quote: trail.chars().any(is_quote),
        lead: !lead.is_empty(),
        trail: !trail.is_empty(),
    })
}

/// A piece of punctuation alone ("=", "!!!", "🙏") tells about the unit before it.
fn punctuation(piece: &str, previous: Option<&mut Unit>) {
    let Some(previous) = previous else {
        return;
    };
    if matches!(piece, "=" | ":" | "-" | "–" | "—" | "->" | "→" | ":=") {
        previous.colon = true;
    }
    if piece.contains([',', ';']) {
        previous.clause_end = true;
    }
    if piece.contains(['.', '?', '!', '…']) {
        previous.sentence_end = true;
    }
    previous.trail = true;
}

fn shape(core: &str, lower: &str) -> Shape {
    if core.chars().all(|c| c == '•') {
        return Shape::Masked;
    }
    if is_address(lower) {
        return Shape::Address;
    }
    if lower.len() > 2
        && lower.starts_with("0x")
        && lower[2..].chars().all(|c| c.is_ascii_hexdigit())
    {
        return Shape::Number;
    }
    if is_markup(core) {
        return Shape::Word;
    }
    if is_error_constant(core) {
        return Shape::CapsCode;
    }
    let chars: Vec<char> = core.chars().collect();
    let letters = chars.iter().any(|c| c.is_alphabetic());
    let digits = chars.iter().filter(|c| c.is_ascii_digit()).count();
    let has_lower = chars.iter().any(|c| c.is_lowercase());
    let symbol = chars.iter().any(|&c| "!#$%&*+=?@^_~|\\<>".contains(c));
    if !letters {
        if digits == 0 {
            return Shape::Number;
        }
        if chars.iter().all(char::is_ascii_digit) {
            return Shape::Digits(digits);
        }
        if chars.iter().all(|&c| c.is_ascii_digit() || c == '-')
            && !core.starts_with('-')
            && !core.ends_with('-')
            && !core.contains("--")
            && !is_date(core)
            && !is_phone_start(core)
        {
            return Shape::Digits(digits);
        }
        return Shape::Number;
    }
    if digits == 0 {
        if symbol && has_lower {
            return Shape::Strong;
        }
        if has_hump(&chars) {
            return Shape::MixedCase;
        }
        return Shape::Word;
    }
    if is_measure(lower) {
        return Shape::Number;
    }
    if !has_lower {
        return Shape::CapsCode;
    }
    if (has_hump(&chars) || symbol) && chars.len() >= 6 {
        return Shape::Complex;
    }
    Shape::Strong
}

/// Markup or code a customer pasted ("<script>x=1</script>", "onerror=\"f()\""): an agent
/// must be able to read it, and a password is typed, not tagged.
fn is_markup(core: &str) -> bool {
    const SIGNS: [&str; 7] = ["</", "/>", "=\"", "='", "()", "=>", "&&"];
    if SIGNS.iter().any(|sign| core.contains(sign)) {
        return true;
    }
    // An opening tag: "<" and a letter, closed by ">" later on.
    core.char_indices().any(|(i, c)| {
        c == '<'
            && core[i + 1..].starts_with(|n: char| n.is_ascii_alphabetic())
            && core[i + 1..].contains('>')
    })
}

/// An error as a program names it ("ERR_Timeout42", "DNS_PROBE_FINISHED"): capitals, then
/// an underscore.
fn is_error_constant(core: &str) -> bool {
    let caps = core.chars().take_while(char::is_ascii_uppercase).count();
    caps >= 2 && core[caps..].starts_with('_')
}

/// A capital inside a word: after a small letter ("hundKoja") or between a digit and a small
/// letter ("Zx12Qw"). "iPhone" and "eSIM" are brand names, not humps.
fn has_hump(chars: &[char]) -> bool {
    (1..chars.len()).any(|i| {
        let (before, c) = (chars[i - 1], chars[i]);
        c.is_uppercase()
            && ((before.is_lowercase() && !(i == 1 && matches!(before, 'i' | 'e')))
                || (before.is_ascii_digit() && chars.get(i + 1).is_some_and(|n| n.is_lowercase())))
    })
}

fn is_address(lower: &str) -> bool {
    if lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("www.") {
        return true;
    }
    lower.split_once('@').is_some_and(|(user, host)| {
        !user.is_empty()
            && host
                .rsplit_once('.')
                .is_some_and(|(name, tld)| !name.is_empty() && tld.chars().all(char::is_alphabetic))
    })
}

/// "2024-11-14", "14-11-2024".
fn is_date(core: &str) -> bool {
    let parts: Vec<usize> = core.split('-').map(str::len).collect();
    matches!(parts.as_slice(), [4, 1..=2, 1..=2] | [1..=2, 1..=2, 4])
}

/// "070-412", "08-1234567": the area code of a phone number.
fn is_phone_start(core: &str) -> bool {
    let parts: Vec<&str> = core.split('-').collect();
    matches!(parts.as_slice(), [area, rest] if area.starts_with('0') && (2..=4).contains(&area.len()) && rest.len() >= 2)
}

/// "5g", "500mbit", "2.4ghz", "1st", "5g-routern": a number with its unit.
fn is_measure(lower: &str) -> bool {
    let mut measures = 0;
    for part in lower.split('-') {
        let number = part
            .char_indices()
            .find(|&(_, c)| !(c.is_ascii_digit() || c == '.' || c == ','))
            .map_or(part.len(), |(i, _)| i);
        if number > 0 && part.starts_with(|c: char| c.is_ascii_digit()) {
            if lexicon::is_measure_suffix(&part[number..]) {
                measures += 1;
                continue;
            }
            return false;
        }
        if !part.chars().all(char::is_alphabetic) {
            return false;
        }
    }
    measures > 0
}

/// A quoted phrase ("'Min katt heter Sixten'") becomes one unit; a single quoted unit is
/// marked as quoted.
fn join_quotes(text: &str, units: Vec<Unit>) -> Vec<Unit> {
    let mut out: Vec<Unit> = Vec::with_capacity(units.len());
    let mut i = 0;
    while i < units.len() {
        let mut u = units[i].clone();
        if u.open_quote && u.close_quote {
            u.quoted = true;
        } else if u.open_quote && !u.sentence_end {
            let close = (i + 1..units.len().min(i + 10)).find(|&j| {
                units[j].close_quote || units[j].open_quote || units[j - 1].sentence_end
            });
            if let Some(j) = close.filter(|&j| {
                units[j].close_quote && !units[j].open_quote && !units[j - 1].sentence_end
            }) {
                let last = &units[j];
                let span = u.span.start..last.span.end;
                let core = &text[span.clone()];
                out.push(Unit {
                    span,
                    text: core.to_owned(),
                    lower: core.to_lowercase(),
                    fold: lexicon::fold(core),
                    shape: if core.contains('•') {
                        Shape::Masked
                    } else {
                        Shape::Quoted
                    },
                    quoted: true,
                    bang: false,
                    colon: last.colon,
                    clause_end: last.clause_end,
                    sentence_end: last.sentence_end,
                    open_quote: true,
                    close_quote: true,
                    lead: u.lead,
                    trail: last.trail,
                });
                i = j + 1;
                continue;
            }
        }
        out.push(u);
        i += 1;
    }
    out
}

fn is_bare_digits(u: &Unit) -> bool {
    matches!(u.shape, Shape::Digits(_)) && u.text.bytes().all(|b| b.is_ascii_digit()) && !u.quoted
}

/// Digit groups with only a space between them become one unit: a spaced code ("2 0 4 8",
/// "49 31 07") as digits; a phone number ("070-412 88 31", "+46 70 412 88 31"), an amount
/// ("1 249") or a postcode ("903 31") as a number that is never a code.
fn join_digit_groups(text: &str, units: Vec<Unit>) -> Vec<Unit> {
    let mut out: Vec<Unit> = Vec::with_capacity(units.len());
    let mut i = 0;
    while i < units.len() {
        let u = &units[i];
        let touching = |j: usize| {
            j < units.len() && !units[j - 1].trail && !units[j].lead && is_bare_digits(&units[j])
        };
        let phone = (u.text.starts_with('+') && u.text[1..].bytes().all(|b| b.is_ascii_digit()))
            || (u.shape == Shape::Number && is_phone_start(&u.text));
        if phone {
            let mut j = i + 1;
            while touching(j) && units[j].text.len() <= 4 {
                j += 1;
            }
            out.push(joined(text, &units[i..j], Shape::Number));
            i = j;
            continue;
        }
        if is_bare_digits(u) {
            let mut j = i + 1;
            while touching(j) && j < i + 8 {
                j += 1;
            }
            let groups: Vec<usize> = units[i..j].iter().map(|u| u.text.len()).collect();
            let total: usize = groups.iter().sum();
            let shape = match groups.as_slice() {
                [_] => None,
                [first, ..]
                    if u.text.starts_with('0')
                        && (2..=4).contains(first)
                        && groups.len() >= 3
                        && (8..=11).contains(&total) =>
                {
                    Some(Shape::Number)
                }
                [first, rest @ ..] if rest.iter().all(|g| g == first) && total >= 3 => {
                    Some(Shape::Digits(total))
                }
                [1..=3, rest @ ..] if rest.iter().all(|&g| g == 3) => Some(Shape::Number),
                [3, 2] => Some(Shape::Number),
                _ => None,
            };
            if let Some(shape) = shape {
                out.push(joined(text, &units[i..j], shape));
                i = j;
                continue;
            }
        }
        out.push(u.clone());
        i += 1;
    }
    out
}

fn joined(text: &str, parts: &[Unit], shape: Shape) -> Unit {
    let (first, last) = (&parts[0], &parts[parts.len() - 1]);
    let span = first.span.start..last.span.end;
    let core = &text[span.clone()];
    Unit {
        span,
        text: core.to_owned(),
        lower: core.to_lowercase(),
        fold: lexicon::fold(core),
        shape,
        quoted: false,
        bang: last.bang,
        colon: last.colon,
        clause_end: last.clause_end,
        sentence_end: last.sentence_end,
        open_quote: first.open_quote,
        close_quote: last.close_quote,
        lead: first.lead,
        trail: last.trail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shapes(text: &str) -> Vec<(String, Shape)> {
        units(text).into_iter().map(|u| (u.text, u.shape)).collect()
    }

    #[test]
    fn punctuation_quotes_and_emoji_are_set_aside() {
        let found = shapes("lösenordet: ölkorv12😅 (Snöflinga_3) ”Strandkant12”, Turnip7.");
        let texts: Vec<&str> = found.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(
            texts,
            [
                "lösenordet",
                "ölkorv12",
                "Snöflinga_3",
                "Strandkant12",
                "Turnip7"
            ]
        );
        assert_eq!(found[2].1, Shape::Complex);
        let bang = units("Sommar2024! och Kvarn2020!!!");
        assert!(bang[0].bang && !bang[2].bang);
    }

    #[test]
    fn digit_groups_are_joined_by_what_they_look_like() {
        assert_eq!(
            shapes("pinkoden är 2 0 4 8")[2],
            ("2 0 4 8".into(), Shape::Digits(4))
        );
        assert_eq!(shapes("koden 49 31 07")[1].1, Shape::Digits(6));
        for number in [
            "070-412 88 31",
            "+46 70 412 88 31",
            "1 249",
            "903 31",
            "2024-11-14",
        ] {
            assert_eq!(shapes(number), [(number.into(), Shape::Number)], "{number}");
        }
        assert_eq!(shapes("Lösenord:Ribba2023")[1].0, "Ribba2023");
        assert_eq!(shapes("tv:n")[0].0, "tv:n");
    }

    #[test]
    fn shapes_tell_passwords_from_model_names() {
        for (text, expected) in [
            ("Zx12Qw", Shape::Complex),
            ("x7Kp9mQ2vL", Shape::Complex),
            ("Kanelbulle88", Shape::Strong),
            ("Telia-5G-7781", Shape::Strong),
            ("EX3301", Shape::CapsCode),
            ("RT-AX58U", Shape::CapsCode),
            ("5G-routern", Shape::Number),
            ("0x80070005", Shape::Number),
            ("iPhone", Shape::Word),
            ("hundKoja", Shape::MixedCase),
            ("anna.berg@exempel.se", Shape::Address),
            ("192.168.1.1", Shape::Number),
            ("<script>window.x=1</script>", Shape::Word),
            ("<b>Hej1</b>", Shape::Word),
            ("ERR_Timeout42", Shape::CapsCode),
        ] {
            assert_eq!(shapes(text)[0].1, expected, "{text}");
        }
    }
}
