//! Where a secret stands relative to the word that names it.
//!
//! - After it, with small words between: "lösenordet till wifit är X", "pin: X",
//!   "the code from the email is X", "koden jag fick på sms var X".
//! - Before it: "X är mitt lösenord", "X som pinkod", "entered X as the PIN".
//! - After a verb of typing in a message about a secret: "jag skriver X", "I'm typing X".
//! - Anywhere in a message about a password, when it looks like one ("Rönnbär82").
//! - Anywhere at all when it could be nothing else ("Zx12Qw!", "Pumpa_2022").
//! - Plain words only right after "lösenordet är", "password:", "satte lösenordet till",
//!   and never a complaint or a function word ("lösenordet är fel").
//!
//! A second candidate joined by "och", "eller", "and", "or" goes with the first, and so does
//! any other token in the message that is nearly the same ("Vasa1628" and "Vasa1629!").

use std::ops::Range;

use super::lexicon::{self, Class, Keyword};
use super::units::{Shape, Unit};
use super::SecretKind;

/// Whether the message names a secret: a password, a PIN, PUK or other code, a card number.
pub(super) fn mentions(units: &[Unit]) -> bool {
    keywords(units)
        .into_iter()
        .flatten()
        .any(|k| match k.class {
            Class::Password => k.strong && !k.login,
            Class::Code | Class::Card => true,
        })
}

/// Whether the message speaks of a payment card: "kortnumret", "card number", "Mastercard",
/// "med kort", "cvc 512".
pub(super) fn names_card(units: &[Unit]) -> bool {
    keywords(units)
        .into_iter()
        .flatten()
        .any(|k| k.class == Class::Card)
        || units.iter().any(|u| lexicon::is_card_word(&u.fold))
}

fn keywords(units: &[Unit]) -> Vec<Option<Keyword>> {
    units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            if u.quoted
                || matches!(
                    u.shape,
                    Shape::Digits(_)
                        | Shape::Number
                        | Shape::Address
                        | Shape::Quoted
                        | Shape::Masked
                )
            {
                return None;
            }
            let previous = i.checked_sub(1).map(|p| units[p].text.as_str());
            lexicon::keyword(&u.text, previous)
        })
        .collect()
}

/// The spans to mask in a message cut into `units`, and what each holds.
pub(super) fn find(units: &[Unit], secret_expected: bool) -> Vec<(Range<usize>, SecretKind)> {
    let mut scan = Scan {
        units,
        keys: keywords(units),
        marks: vec![None; units.len()],
        groups: 0,
    };
    scan.run(secret_expected);
    scan.spans()
}

fn kind_of(class: Class) -> SecretKind {
    match class {
        Class::Password => SecretKind::Password,
        Class::Code => SecretKind::Code,
        Class::Card => SecretKind::CardNumber,
    }
}

/// Which tokens may follow one another as alternatives ("1990 eller 1909").
#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    Digits,
    Token,
    Plain,
}

struct Scan<'a> {
    units: &'a [Unit],
    keys: Vec<Option<Keyword>>,
    /// What each unit was masked as, and the group of units masked as one span.
    marks: Vec<Option<(SecretKind, usize)>>,
    groups: usize,
}

impl Scan<'_> {
    fn run(&mut self, secret_expected: bool) {
        let n = self.units.len();
        for k in 0..n {
            let Some(key) = self.keys[k] else {
                continue;
            };
            if key.class == Class::Card {
                continue;
            }
            let kind = kind_of(key.class);
            if let Some(j) = self.after(k, key) {
                self.mark(j, kind);
            }
            if let Some(j) = self.before(k, key) {
                self.mark(j, kind);
            }
            if key.class == Class::Password && !key.login {
                self.plain_after(k, key);
            }
        }
        let names_secret = self.keys.iter().flatten().any(|k| k.class != Class::Card);
        let names_password = self
            .keys
            .iter()
            .flatten()
            .any(|k| k.class == Class::Password && !k.login);
        let names_password_surely = self
            .keys
            .iter()
            .flatten()
            .any(|k| k.class == Class::Password && k.strong && !k.login);
        if names_secret || secret_expected {
            self.typed_in();
        }
        for j in 0..n {
            if self.keys[j].is_some() || self.marks[j].is_some() || self.protected(j) {
                continue;
            }
            let u = &self.units[j];
            let quoted = u.quoted
                && matches!(
                    u.shape,
                    Shape::Quoted
                        | Shape::Word
                        | Shape::MixedCase
                        | Shape::Strong
                        | Shape::Complex
                        | Shape::CapsCode
                        | Shape::Digits(_)
                );
            let take = match u.shape {
                // Could be nothing but a password.
                Shape::Complex => true,
                Shape::Strong => names_password_surely || secret_expected,
                _ if quoted => names_password || secret_expected,
                Shape::Digits(d) => secret_expected && (3..=8).contains(&d) && !self.measured(j),
                Shape::CapsCode | Shape::MixedCase => {
                    secret_expected
                        && (j == 0 || lexicon::is_presenting_verb(&self.units[j - 1].fold))
                }
                _ => false,
            };
            if take {
                let kind = match u.shape {
                    Shape::Digits(_) => SecretKind::Code,
                    _ => SecretKind::Password,
                };
                self.mark(j, kind);
            }
        }
        self.similar();
    }

    /// A unit that may be the secret a word of `class` names.
    fn candidate(&self, j: usize, class: Class) -> bool {
        let u = &self.units[j];
        if self.keys[j].is_some() {
            return false;
        }
        match u.shape {
            Shape::Digits(d) => match class {
                Class::Code => (3..=8).contains(&d),
                Class::Password => d >= 4,
                Class::Card => false,
            },
            Shape::Strong | Shape::Complex | Shape::CapsCode | Shape::Quoted => true,
            Shape::MixedCase => class == Class::Password,
            Shape::Word => u.quoted && class == Class::Password,
            Shape::Number | Shape::Address | Shape::Masked => false,
        }
    }

    /// The secret after its name: "pinkoden är X", "lösenordet till wifit är X", "pin X".
    /// Between them only small words, or any few words and then "är", "is", ":"; digits, which
    /// are years and counts as often as codes, only right after that "är" ("lösenordet är inte
    /// ändrat sedan 2019" keeps its year).
    fn after(&self, k: usize, key: Keyword) -> Option<usize> {
        let units = self.units;
        let name = &units[k];
        if name.sentence_end && !name.colon {
            return None;
        }
        let mut linked = name.colon || lexicon::is_copula(&name.fold);
        let mut small_words_only = true;
        let mut just_linked = linked;
        for (j, u) in units.iter().enumerate().take(k + 7).skip(k + 1) {
            if u.shape == Shape::Masked {
                return None;
            }
            if self.candidate(j, key.class) {
                let digits = matches!(u.shape, Shape::Digits(_));
                let near = small_words_only || (linked && (just_linked || !digits));
                return near.then_some(j);
            }
            if self.keys[j].is_some() {
                // Another name of a secret: "säkerhetskoden i bankid är X", "PIN number X".
                small_words_only = false;
                just_linked = false;
            } else if lexicon::ends_phrase(&u.fold) || lexicon::is_number_noun(&u.fold) {
                return None;
            } else if lexicon::is_copula(&u.fold) {
                linked = true;
                just_linked = true;
            } else if !lexicon::is_glue(&u.fold) {
                small_words_only = false;
                just_linked &= lexicon::is_negation(&u.fold);
            }
            if u.colon {
                linked = true;
                just_linked = true;
            }
            if u.sentence_end {
                return None;
            }
        }
        None
    }

    /// The secret before its name: "X är mitt lösenord", "X som pinkod", "X into BankID".
    fn before(&self, k: usize, key: Keyword) -> Option<usize> {
        let units = self.units;
        let mut l = k;
        while l > k.saturating_sub(4) {
            l -= 1;
            let u = &units[l];
            if u.sentence_end
                || self.keys[l].is_some()
                || lexicon::ends_phrase(&u.fold)
                || u.shape == Shape::Masked
                || self.candidate(l, key.class)
            {
                return None;
            }
            if lexicon::is_backward_link(&u.fold) {
                let c = l.checked_sub(1)?;
                return (!units[c].sentence_end && self.candidate(c, key.class)).then_some(c);
            }
        }
        None
    }

    /// A plain-word password after "lösenordet är", "password:", "satte lösenordet till", or
    /// a passphrase ("the passphrase is purple monkey dishwasher 7").
    fn plain_after(&mut self, k: usize, key: Keyword) {
        let units = self.units;
        let n = units.len();
        let name = &units[k];
        if (name.sentence_end || name.clause_end) && !name.colon {
            return;
        }
        let mut j = k + 1;
        let linked = name.colon || lexicon::is_copula(&name.fold);
        if !linked {
            let Some(next) = units.get(j) else {
                return;
            };
            if lexicon::is_copula(&next.fold) || next.colon {
                j += 1;
            } else if lexicon::is_preposition(&next.fold) {
                // "satte lösenordet till hundkoja", "set the password to sunflower".
                if matches!(next.fold.as_str(), "till" | "to")
                    && (k.saturating_sub(4)..k).any(|v| lexicon::is_change_verb(&units[v].fold))
                {
                    if !next.sentence_end
                        && units.get(j + 1).is_some_and(|u| !looks_definite(&u.fold))
                        && self.plain_password(j + 1)
                    {
                        self.mark(j + 1, SecretKind::Password);
                    }
                    return;
                }
                // "lösenordet till nätverket är sommarstuga", "password for the app = X".
                let mut t = j;
                loop {
                    if units[t].sentence_end || units[t].clause_end {
                        return;
                    }
                    if units[t].colon {
                        j = t + 1;
                        break;
                    }
                    t += 1;
                    if t >= n || t > j + 4 || self.keys[t].is_some() {
                        return;
                    }
                    if lexicon::is_copula(&units[t].fold) {
                        j = t + 1;
                        break;
                    }
                }
            } else if j + 1 == n
                && key.strong
                && !looks_like_verb(&next.fold)
                && next.text.chars().count() >= 4
                && self.plain_password(j)
            {
                // "wifi heter Svensson och lösen svensson": a last word, right after the name.
                self.mark(j, SecretKind::Password);
                return;
            } else {
                return;
            }
        }
        if units[j - 1].sentence_end {
            return;
        }
        // "är ju X", "is the one": small words are skipped; a preposition is not ("är för kort").
        while j < n
            && lexicon::is_glue(&units[j].fold)
            && !lexicon::is_preposition(&units[j].fold)
            && !lexicon::is_copula(&units[j].fold)
        {
            if units[j].sentence_end {
                return;
            }
            j += 1;
        }
        if j >= n {
            return;
        }
        if key.phrase && (self.plain_password(j) || self.candidate(j, Class::Password)) {
            let group = self.group();
            let mut t = j;
            while t < n && t < j + 8 && self.keys[t].is_none() {
                if t > j && lexicon::ends_phrase(&units[t].fold) {
                    break;
                }
                if self.marks[t].is_none() {
                    self.marks[t] = Some((SecretKind::Password, group));
                }
                if units[t].clause_end || units[t].sentence_end {
                    break;
                }
                t += 1;
            }
        } else if self.plain_password(j) {
            self.mark(j, SecretKind::Password);
            // "lösenordet är Sommar 2024": digits right after the word belong to it.
            let word = &units[j];
            if let Some(next) = units.get(j + 1) {
                if matches!(next.shape, Shape::Digits(_))
                    && !word.trail
                    && !next.lead
                    && self.marks[j + 1].is_none()
                {
                    self.marks[j + 1] = self.marks[j];
                }
            }
        }
    }

    /// A word that may be a password when it stands where one does.
    fn plain_password(&self, j: usize) -> bool {
        let Some(u) = self.units.get(j) else {
            return false;
        };
        self.keys[j].is_none()
            && matches!(u.shape, Shape::Word | Shape::MixedCase)
            && u.text.chars().count() >= 3
            && !lexicon::is_not_a_password(&u.fold)
    }

    /// After a verb of typing in, in a message about a secret: "jag skriver X", "tried X",
    /// "har provat 9631 och 9613".
    fn typed_in(&mut self) {
        let units = self.units;
        for e in 0..units.len() {
            let verb = &units[e].fold;
            let changed = lexicon::is_change_verb(verb);
            if !(lexicon::is_entry_verb(verb) || changed) || units[e].sentence_end {
                continue;
            }
            // "satte den till 3141", "set it to 2580": a code chosen, in a message about one.
            let particle = |w: &str| {
                lexicon::is_entry_particle(w) || (changed && lexicon::is_change_particle(w))
            };
            let mut j = e + 1;
            while j < units.len()
                && j <= e + 3
                && particle(&units[j].fold)
                && !units[j].sentence_end
            {
                j += 1;
            }
            if j >= units.len() || units[j - 1].sentence_end || self.protected(j) {
                continue;
            }
            let u = &units[j];
            let kind = match u.shape {
                Shape::Digits(d) if (3..=8).contains(&d) && !self.measured(j) => SecretKind::Code,
                Shape::Strong
                | Shape::Complex
                | Shape::CapsCode
                | Shape::MixedCase
                | Shape::Quoted => SecretKind::Password,
                Shape::Word if u.quoted => SecretKind::Password,
                _ => continue,
            };
            if self.keys[j].is_none() {
                self.mark(j, kind);
            }
        }
    }

    /// Named as something else: "heter X", "användarnamn X", "kundnummer är X", "född X".
    fn protected(&self, j: usize) -> bool {
        let units = self.units;
        let named_by = |i: usize| {
            self.keys[i].is_none()
                && (lexicon::is_naming_word(&units[i].fold)
                    || lexicon::is_number_noun(&units[i].fold))
        };
        (j >= 1 && (named_by(j - 1) || lexicon::is_time_word(&units[j - 1].lower)))
            || (j >= 2 && named_by(j - 2) && lexicon::is_copula(&units[j - 1].fold))
    }

    /// A number with a unit after it: "649 kr", "10 minuter".
    fn measured(&self, j: usize) -> bool {
        self.units
            .get(j + 1)
            .is_some_and(|u| lexicon::is_unit_word(&u.lower))
    }

    fn family(&self, j: usize) -> Option<Family> {
        let u = &self.units[j];
        match u.shape {
            Shape::Digits(_) => Some(Family::Digits),
            Shape::Strong | Shape::Complex | Shape::CapsCode | Shape::MixedCase | Shape::Quoted => {
                Some(Family::Token)
            }
            Shape::Word if u.quoted => Some(Family::Token),
            Shape::Word => Some(Family::Plain),
            _ => None,
        }
    }

    /// A unit that may stand as an alternative to a secret of `family`.
    fn alternative(&self, j: usize, family: Family) -> bool {
        if self.keys[j].is_some() || self.marks[j].is_some() || self.protected(j) {
            return false;
        }
        match (self.family(j), self.units[j].shape) {
            (Some(Family::Digits), Shape::Digits(d)) => {
                family == Family::Digits && (3..=19).contains(&d) && !self.measured(j)
            }
            (Some(Family::Token), _) => family == Family::Token,
            _ => false,
        }
    }

    fn group(&mut self) -> usize {
        self.groups += 1;
        self.groups
    }

    /// Masks a unit, then any alternative joined to it by "och", "eller", "and", "or".
    fn mark(&mut self, j: usize, kind: SecretKind) {
        let units = self.units;
        let n = units.len();
        let mut todo = vec![j];
        while let Some(j) = todo.pop() {
            if self.marks[j].is_some() || self.keys[j].is_some() || units[j].shape == Shape::Masked
            {
                continue;
            }
            let group = self.group();
            self.marks[j] = Some((kind, group));
            let Some(family) = self.family(j) else {
                continue;
            };
            if family == Family::Plain {
                continue;
            }
            // "9631 och 9613", "Kalmar_Union97 eller kanske Kalmar_union97".
            if !units[j].sentence_end && j + 2 < n && lexicon::is_conjunction(&units[j + 1].fold) {
                let mut t = j + 2;
                while t + 1 < n && t < j + 4 && lexicon::is_hedge(&units[t].fold) {
                    t += 1;
                }
                if !units[t - 1].sentence_end && self.alternative(t, family) {
                    todo.push(t);
                }
            }
            // "både Mamma1961 och mamma1961 som lösenord".
            if j >= 2
                && lexicon::is_conjunction(&units[j - 1].fold)
                && !units[j - 2].sentence_end
                && self.alternative(j - 2, family)
            {
                todo.push(j - 2);
            }
        }
    }

    /// Tokens nearly the same as a masked one: "Hjortron44" beside "Hjortron45", "1909"
    /// beside "1990".
    fn similar(&mut self) {
        let units = self.units;
        let masked: Vec<(Family, String, SecretKind)> = (0..units.len())
            .filter_map(|j| {
                let (kind, _) = self.marks[j]?;
                let family = self.family(j)?;
                let text = match family {
                    Family::Digits => units[j].text.chars().filter(char::is_ascii_digit).collect(),
                    _ => units[j].lower.clone(),
                };
                Some((family, text, kind))
            })
            .collect();
        for (j, u) in units.iter().enumerate() {
            if self.marks[j].is_some() || self.keys[j].is_some() || self.protected(j) {
                continue;
            }
            let hit = match u.shape {
                Shape::Digits(d) if d >= 4 && !self.measured(j) => {
                    let digits: String = u.text.chars().filter(char::is_ascii_digit).collect();
                    masked.iter().find(|(f, m, _)| {
                        *f == Family::Digits
                            && m.len() == digits.len()
                            && nearly_same_digits(m, &digits)
                    })
                }
                Shape::Strong
                | Shape::Complex
                | Shape::CapsCode
                | Shape::MixedCase
                | Shape::Word => {
                    let plain = u.shape == Shape::Word;
                    masked.iter().find(|(f, m, _)| {
                        let close = if plain || *f == Family::Plain { 1 } else { 2 };
                        *f != Family::Digits
                            && (plain == (*f == Family::Plain))
                            && m.chars().count().min(u.lower.chars().count()) >= 5
                            && lexicon::distance(m, &u.lower) <= close
                    })
                }
                _ => None,
            };
            if let Some(&(_, _, kind)) = hit {
                self.mark(j, kind);
            }
        }
    }

    /// The masked spans, a passphrase's words as one.
    fn spans(&self) -> Vec<(Range<usize>, SecretKind)> {
        let mut spans: Vec<(Range<usize>, SecretKind, usize)> = Vec::new();
        for (j, u) in self.units.iter().enumerate() {
            let Some((kind, group)) = self.marks[j] else {
                continue;
            };
            let mut span = u.span.clone();
            let keeps_bang = matches!(
                u.shape,
                Shape::Strong | Shape::Complex | Shape::CapsCode | Shape::MixedCase
            );
            if u.bang && keeps_bang {
                span.end += 1;
            }
            match spans.last_mut() {
                Some((last, _, g)) if *g == group => last.end = span.end,
                _ => spans.push((span, kind, group)),
            }
        }
        spans.into_iter().map(|(s, k, _)| (s, k)).collect()
    }
}

/// The same digits in another order, or one digit changed: "1990" and "1909".
fn nearly_same_digits(a: &str, b: &str) -> bool {
    let mut x: Vec<char> = a.chars().collect();
    let mut y: Vec<char> = b.chars().collect();
    let changed = x.iter().zip(&y).filter(|(p, q)| p != q).count();
    x.sort_unstable();
    y.sort_unstable();
    changed <= 1 || x == y
}

/// "routern", "wifit", "nätverket", "tv:n": a Swedish noun in its definite form, which after
/// "till" names where a password belongs rather than the password.
fn looks_definite(w: &str) -> bool {
    w.contains(':')
        || ["en", "et", "rn", "ln", "tn"]
            .iter()
            .any(|e| w.ends_with(e))
}

/// "funkar", "behövs", "ändrades", "resetting": a verb, not a password.
fn looks_like_verb(w: &str) -> bool {
    [
        "ar", "er", "ir", "or", "ade", "de", "te", "tt", "at", "it", "ut", "as", "es", "ed", "ing",
        "s",
    ]
    .iter()
    .any(|e| w.ends_with(e))
}
