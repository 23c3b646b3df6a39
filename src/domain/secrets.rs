//! Secrets customers sometimes type anyway: masked before anything is stored or logged.
//!
//! The bot never asks for a password, PIN, PUK, BankID code, card number or personal identity
//! number. When one turns up in a message, the stored text keeps a mask in its place and the
//! bot asks kindly not to share such things.

use std::sync::LazyLock;

use regex::Regex;

/// What kind of secret was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    Password,
    Code,
    CardNumber,
    /// A Swedish personnummer or samordningsnummer.
    PersonalNumber,
}

const MASK: &str = "••••";

/// A word that announces a password, then (after an optional "is", ":" or "=") the password:
/// everything up to the next space, since passwords end in "!" or "." as often as sentences do.
static PASSWORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(lösenord(?:et)?|losenord(?:et)?|password|passwd|pwd|lösen)\b(\s*(?:är|ar|is|=|:)\s*)(\S{3,})",
    )
    .expect("a valid pattern")
});

/// PIN, PUK and BankID-style codes: a code word followed by 4 to 8 digits.
static CODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(pin(?:-?kod(?:en)?)?|puk(?:-?kod(?:en)?)?|bankid(?:-?kod(?:en)?)?|kod(?:en)?|code)(\s*(?:är|ar|is|=|:)?\s*[:=]?\s*)(\d{4,8})\b")
        .expect("a valid pattern")
});

/// Runs of 13 to 19 digits, possibly grouped by spaces or dashes: card number candidates.
static CARD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b\d(?:[ -]?\d){12,18}\b").expect("a valid pattern"));

/// Swedish personal identity numbers: `YYMMDD-NNNN`, `YYMMDD+NNNN` (over 100) or the 12-digit
/// `YYYYMMDD-NNNN` / `YYYYMMDDNNNN`. Ten digits without a separator are left alone: that is
/// how phone numbers (0701234567) are written.
static PERSONAL_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:(?:19|20)(\d{6})[- ]?|(\d{6})[-+])(\d{4})\b").expect("a valid pattern")
});

/// A real date (day + 60 for a samordningsnummer) and the Luhn check over the ten digits.
fn is_personal_number(date: &str, serial: &str) -> bool {
    let digits: Vec<u32> = date
        .chars()
        .chain(serial.chars())
        .filter_map(|c| c.to_digit(10))
        .collect();
    if digits.len() != 10 {
        return false;
    }
    let month = digits[2] * 10 + digits[3];
    let day = digits[4] * 10 + digits[5];
    let day = if day > 60 { day - 60 } else { day };
    (1..=12).contains(&month) && (1..=31).contains(&day) && luhn_valid(&digits)
}

fn luhn_valid(digits: &[u32]) -> bool {
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

/// The text with secrets masked, and what was masked.
pub fn mask(text: &str) -> (String, Vec<SecretKind>) {
    let mut found = Vec::new();
    let masked = PASSWORD.replace_all(text, |c: &regex::Captures<'_>| {
        // "lösenordet är fel" is a complaint, not a password: only a token with a digit, a
        // symbol or mixed case is taken for one.
        let token = &c[3];
        let plain_word = token.chars().all(char::is_lowercase)
            || (token.chars().all(char::is_alphabetic)
                && token.chars().skip(1).all(char::is_lowercase));
        if plain_word {
            return c[0].to_owned();
        }
        found.push(SecretKind::Password);
        format!("{}{}{MASK}", &c[1], &c[2])
    });
    let masked = CODE.replace_all(&masked, |c: &regex::Captures<'_>| {
        found.push(SecretKind::Code);
        format!("{}{}{MASK}", &c[1], &c[2])
    });
    let masked = CARD.replace_all(&masked, |c: &regex::Captures<'_>| {
        let digits: Vec<u32> = c[0].chars().filter_map(|ch| ch.to_digit(10)).collect();
        if luhn_valid(&digits) {
            found.push(SecretKind::CardNumber);
            MASK.to_owned()
        } else {
            c[0].to_owned()
        }
    });
    let masked = PERSONAL_NUMBER.replace_all(&masked, |c: &regex::Captures<'_>| {
        let date = c.get(1).or_else(|| c.get(2)).map_or("", |m| m.as_str());
        if is_personal_number(date, &c[3]) {
            found.push(SecretKind::PersonalNumber);
            MASK.to_owned()
        } else {
            c[0].to_owned()
        }
    });
    (masked.into_owned(), found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_after_the_word_are_masked() {
        for (text, expected) in [
            ("mitt lösenord är Sommar2024!", "mitt lösenord är ••••"),
            ("losenordet: hemligt123", "losenordet: ••••"),
            (
                "my password is hunter22 but it fails",
                "my password is •••• but it fails",
            ),
        ] {
            let (masked, found) = mask(text);
            assert_eq!(masked, expected);
            assert_eq!(found, [SecretKind::Password]);
        }
    }

    #[test]
    fn personal_identity_numbers_are_masked_in_their_written_forms() {
        // 811218-9876 passes the Luhn check; 811218-9875 does not.
        for text in [
            "mitt personnummer är 811218-9876",
            "pnr 19811218-9876 tack",
            "198112189876",
            "samordningsnummer 811278-9873",
        ] {
            let (masked, found) = mask(text);
            assert!(masked.contains(MASK), "{text} -> {masked}");
            assert!(
                !masked.contains("9876") && !masked.contains("9873"),
                "{masked}"
            );
            assert_eq!(found, [SecretKind::PersonalNumber], "{text}");
        }
        for ordinary in [
            "811218-9875",
            "ring mig på 0701234567",
            "ordernummer 123456-7890",
            "070-123 45 67",
        ] {
            let (masked, found) = mask(ordinary);
            assert_eq!(masked, ordinary);
            assert!(found.is_empty(), "{ordinary}");
        }
    }

    #[test]
    fn codes_and_card_numbers_are_masked_but_ordinary_numbers_stay() {
        let (masked, found) = mask("min PUK-kod är 12345678 och pin 1234");
        assert_eq!(masked, "min PUK-kod är •••• och pin ••••");
        assert_eq!(found.len(), 2);
        let (masked, found) = mask("kortet 4111 1111 1111 1111 drogs två gånger");
        assert_eq!(masked, "kortet •••• drogs två gånger");
        assert_eq!(found, [SecretKind::CardNumber]);
        for ordinary in [
            "fakturan 4111111111111112 stämmer inte",
            "ring 0701234567",
            "kundnummer 123456",
            "routern blinkar",
            "jag glömde mitt lösenord",
            "mitt lösenord funkar inte",
            "lösenordet är fel",
            "the password is wrong",
        ] {
            let (masked, found) = mask(ordinary);
            assert_eq!(masked, ordinary);
            assert!(found.is_empty(), "{ordinary}");
        }
    }
}
