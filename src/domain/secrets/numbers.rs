//! Numbers that are secrets by their form: card numbers (Luhn-valid runs of 13 to 19 digits)
//! and Swedish personal identity numbers.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::lexicon;

pub(super) fn luhn_valid(digits: &[u32]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

fn digits_of(text: &str) -> Vec<u32> {
    text.chars().filter_map(|c| c.to_digit(10)).collect()
}

/// Card numbers: Luhn-valid runs of 13 to 19 digits, grouped by single spaces or dashes or
/// not at all ("4532 0177 4812 0931", "3742 871330 55518", "5127-6300-9143-8250"). A run
/// longer than the card may carry other digits after it (a CVC); the card is still found. A
/// nearby word that names another number (IMEI, OCR, SIM, invoice, order, customer number)
/// makes it that number instead, as does the telecom prefix 89 of a SIM card's ICCID. When
/// the message names a card (`card_named`), a run that fails the Luhn check is masked too: a
/// mistyped card number is still a card number.
pub(super) fn card_numbers(text: &str, card_named: bool) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let starts_run = bytes[i].is_ascii_digit()
            && !text[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '+');
        if !starts_run {
            i += 1;
            continue;
        }
        let mut groups: Vec<Range<usize>> = Vec::new();
        let mut j = i;
        loop {
            let start = j;
            while j < bytes.len() && bytes[j].is_ascii_digit() {
                j += 1;
            }
            groups.push(start..j);
            if j + 1 < bytes.len()
                && matches!(bytes[j], b' ' | b'-')
                && bytes[j + 1].is_ascii_digit()
            {
                j += 1;
            } else {
                break;
            }
        }
        let end = j;
        if !text[end..]
            .chars()
            .next()
            .is_some_and(char::is_alphanumeric)
        {
            found.extend(cards_in(text, &groups, card_named));
        }
        i = end.max(i + 1);
    }
    found
}

/// The Luhn-valid spans of whole groups in one run of digit groups.
fn cards_in(text: &str, groups: &[Range<usize>], card_named: bool) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut a = 0;
    while a < groups.len() {
        let hit = (a + 1..=groups.len()).rev().find(|&b| {
            let span = groups[a].start..groups[b - 1].end;
            let digits = digits_of(&text[span.clone()]);
            (13..=19).contains(&digits.len())
                && (card_named || luhn_valid(&digits))
                && !(digits.len() >= 18 && digits.starts_with(&[8, 9]))
                && !names_another_number(text, span)
        });
        match hit {
            Some(b) => {
                found.push(groups[a].start..groups[b - 1].end);
                a = b;
            }
            None => a += 1,
        }
    }
    found
}

/// Whether a word just before (eight words) or after (three) names the number as something
/// other than a card.
fn names_another_number(text: &str, span: Range<usize>) -> bool {
    let before = text[..span.start].split_whitespace().rev().take(8);
    let after = text[span.end..].split_whitespace().take(3);
    before
        .chain(after)
        .any(|w| lexicon::blocks_card_number(&lexicon::fold(w)))
}

/// Swedish personal identity numbers: `YYMMDD-NNNN`, `YYMMDD+NNNN` (over 100) or the 12-digit
/// `YYYYMMDD-NNNN` / `YYYYMMDDNNNN`. Ten digits without a separator are left alone: that is
/// how phone numbers (0701234567) are written.
static PERSONAL_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:(?:19|20)(\d{6})[- ]?|(\d{6})[-+])(\d{4})\b").expect("a valid pattern")
});

/// A real date (day + 60 for a samordningsnummer) and, unless a word names the number as a
/// personal identity number, the Luhn check over the ten digits.
fn is_personal_number(date: &str, serial: &str, named: bool) -> bool {
    let digits: Vec<u32> = digits_of(date)
        .into_iter()
        .chain(digits_of(serial))
        .collect();
    if digits.len() != 10 {
        return false;
    }
    let month = digits[2] * 10 + digits[3];
    let day = digits[4] * 10 + digits[5];
    let day = if day > 60 { day - 60 } else { day };
    (1..=12).contains(&month) && (1..=31).contains(&day) && (named || luhn_valid(&digits))
}

pub(super) fn personal_numbers(text: &str) -> Vec<Range<usize>> {
    PERSONAL_NUMBER
        .captures_iter(text)
        .filter(|c| {
            let date = c.get(1).or_else(|| c.get(2)).map_or("", |m| m.as_str());
            let start = c.get(0).map_or(0, |m| m.start());
            is_personal_number(date, &c[3], named_personal_number(&text[..start]))
        })
        .filter_map(|c| c.get(0).map(|m| m.range()))
        .collect()
}

/// Whether the last few words before a number name it a personal identity number: "mitt
/// personnummer är", "pnr:", "my personal number is".
fn named_personal_number(before: &str) -> bool {
    let words: Vec<String> = before
        .split_whitespace()
        .rev()
        .take(5)
        .map(|w| lexicon::fold(w.trim_matches(|c: char| !c.is_alphanumeric())))
        .collect();
    words.iter().enumerate().any(|(i, w)| {
        let previous = words.get(i + 1).map_or("", String::as_str);
        lexicon::names_personal_number(w, previous)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_card_is_found_in_a_longer_run_and_not_beside_another_number_word() {
        let text = "4111 1111 1111 1111 123";
        let spans: Vec<(usize, usize)> = card_numbers(text, false)
            .into_iter()
            .chain(card_numbers("amex 3742 871330 55518", false))
            .map(|s| (s.start, s.end))
            .collect();
        assert_eq!(spans, [(0, 19), (5, 22)]);
        assert!(card_numbers("IMEI: 356938035643809", false).is_empty());
        assert!(card_numbers("simkortet 8946012345678901233", false).is_empty());
        assert!(card_numbers("x4111111111111111", false).is_empty());
    }
}
