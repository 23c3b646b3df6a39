//! Secrets customers sometimes type anyway: masked before anything is stored or logged.
//!
//! The bot never asks for a password, PIN, PUK, BankID code, card number or personal identity
//! number. When one turns up in a message, the stored text keeps a mask in its place and the
//! bot asks kindly not to share such things.
//!
//! Masking looks for a secret where customers put one, not only right after a fixed word:
//! - `lexicon` knows the words that name a secret in Swedish and English, inside compounds
//!   and with common typos ("e-postlösenordet", "lösenodret", "passwrd", "pinkåden").
//! - `units` cuts a message into tokens with the punctuation, quotes and emoji around them
//!   set aside, and tells their shape: a password-looking token, a spaced code, a phone
//!   number, an amount, a model name.
//! - `rules` links tokens to the words that name them: after ("lösenordet till wifit är
//!   X"), before ("X är mitt lösenord"), after a verb of typing ("I'm typing X"), anywhere in
//!   a message about a password, and, when the previous message spoke of a secret, a bare
//!   code on its own.
//! - `numbers` finds card numbers (Luhn-valid, unless a word says IMEI, OCR, SIM, invoice)
//!   and personal identity numbers by their form alone.

mod lexicon;
mod numbers;
mod rules;
mod units;

use std::ops::Range;

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

/// The text with secrets masked, and what was masked.
pub fn mask(text: &str) -> (String, Vec<SecretKind>) {
    mask_with_context(text, false)
}

/// Whether the message talks about a password, code or card number, with or without giving
/// one: "telefonen vill ha en pinkod nu", "ok jag tar kortnumret då". The message after such a
/// one is masked with `secret_expected`.
pub fn mentions_secret(text: &str) -> bool {
    rules::mentions(&units::units(text))
}

/// The text with secrets masked, and what was masked. With `secret_expected` (the previous
/// message spoke of a code or password), a code- or password-looking token is masked on its
/// own too: "4821", "Myrstack_9", "det var 5082", "I put in 3362".
pub fn mask_with_context(text: &str, secret_expected: bool) -> (String, Vec<SecretKind>) {
    let units = units::units(text);
    let mut spans: Vec<(Range<usize>, SecretKind)> = Vec::new();
    spans.extend(
        numbers::card_numbers(text, rules::names_card(&units))
            .into_iter()
            .map(|s| (s, SecretKind::CardNumber)),
    );
    spans.extend(
        numbers::personal_numbers(text)
            .into_iter()
            .map(|s| (s, SecretKind::PersonalNumber)),
    );
    spans.extend(rules::find(&units, secret_expected));
    if spans.is_empty() {
        return (text.to_owned(), Vec::new());
    }
    // Overlapping spans become one, named by the one that starts first (on a tie, a card or
    // personal number).
    spans.sort_by_key(|(s, _)| (s.start, std::cmp::Reverse(s.end)));
    let mut merged: Vec<(Range<usize>, SecretKind)> = Vec::with_capacity(spans.len());
    for (span, kind) in spans {
        match merged.last_mut() {
            Some((last, _)) if span.start < last.end => last.end = last.end.max(span.end),
            _ => merged.push((span, kind)),
        }
    }
    let mut masked = String::with_capacity(text.len());
    let mut found = Vec::with_capacity(merged.len());
    let mut at = 0;
    for (span, kind) in merged {
        masked.push_str(&text[at..span.start]);
        masked.push_str(MASK);
        at = span.end;
        found.push(kind);
    }
    masked.push_str(&text[at..]);
    (masked, found)
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

    /// Phrasings of my own, not the evaluation corpus's: the mechanism, not a list.
    #[test]
    fn secrets_are_found_where_customers_put_them() {
        for (text, secret) in [
            ("mitt wifilösen är Gurka123", "Gurka123"),
            ("Lösenordet för routern är Blomma55!", "Blomma55"),
            ("the password for my router is sunshine", "sunshine"),
            ("lösenordet är Sommar 2024", "2024"),
            ("pw is 'correct horse battery staple'", "horse battery"),
            ("Here is my password: Secret123", "Secret123"),
            ("ditt lösenord? det är Hemligt99", "Hemligt99"),
            ("jag bytte lösenordet till Vinter!1 i morse", "Vinter!1"),
            ("Körsbär77 är nya wifi-lösenordet", "Körsbär77"),
            ("lösenord: Ab#12xyZ", "Ab#12xyZ"),
            ("pinkod: 4 4 5 5", "4 4 5 5"),
            ("PUK-kod 1234 5678", "1234 5678"),
            ("Min kod till bankid är 445566", "445566"),
            ("my verification code: 123-456", "123-456"),
            ("my pin number is 1234", "1234"),
            ("jag skrev 1234 som pin", "1234"),
            ("PIN: 1234, PUK: 12345678", "12345678"),
            ("nya pinkoden blev 9911", "9911"),
            ("lösenordet är inte 1234 längre", "1234"),
            ("pinkoden har varit 1234 sedan 2019", "1234"),
            ("Hemma123. det är mitt lösenord", "Hemma123"),
            ("lösenordet funkar inte, jag skriver ABC123XYZ", "ABC123XYZ"),
            ("min PIN är 1 2 3 4 och PUK 1234 5678", "1234 5678"),
            ("lösenordet = \"Mitt Hus 12\"", "Mitt Hus"),
            ("pw:hemlis123", "hemlis123"),
            ("card no. 4111111111111111", "4111111111111111"),
            ("cvc är 123", "123"),
        ] {
            let (masked, found) = mask(text);
            assert!(!masked.contains(secret), "{text} -> {masked}");
            assert!(!found.is_empty(), "{text}");
        }
    }

    #[test]
    fn pasted_code_file_names_and_products_stay_readable_when_no_secret_is_named() {
        for text in [
            "Fakturan är fel <img src=x onerror=\"window.__xss=1\"> <script>window.__xss=1</script>",
            "skärmen visar ERR_Timeout42 och sen startar den om",
            "jag bifogade IMG_2031.jpg men den syns inte",
            "appen säger version 4.2.1-beta3 och kraschar",
        ] {
            let (masked, found) = mask(text);
            assert_eq!(masked, text);
            assert!(found.is_empty(), "{text}");
        }
    }

    #[test]
    fn ordinary_messages_about_secrets_stay_as_they_are() {
        for text in [
            "jag har bytt lösenord men routern EX3301 hittar inte nätet",
            "pinkoden är blockerad efter 3 försök",
            "jag har en iPhone 15 och pinkoden funkar inte",
            "felkoden är E-401",
            "errorkod 500 när jag loggar in",
            "lösenordet har 8 tecken",
            "jag vill byta lösenord till routern",
            "I want to change the password to something easier",
            "I want to change my password to a new one",
            "pinkoden kom i brevet 2023-05-01",
            "ring 070-123 45 67 angående pinkoden",
            "what's the wifi password for the 5G network?",
            "lösenordet står på lappen under routern",
            "jag har haft samma lösenord sedan 2019",
            "det kostar 149 kr att byta pinkod",
            "my order number is 123456 and the code didn't work",
            "min mamma är född 1944 och har glömt sin pinkod",
            "the password reset link never arrived",
            "lösenordet är inte ändrat sedan 2019",
            "jag har glömt lösenordet, mitt kundnummer är 4471902",
            "I reset my password but the Netgear R7000 still asks for the old one",
            "hur många tecken måste lösenordet ha, 8 eller 12?",
            "pinkoden till min Samsung Galaxy S23 fungerar inte",
            "bankid säger fel kod 3 gånger, ring mig på 08-123 456 78",
            "The PIN is the one from the letter that came in March 2024",
            "Lösenordet är standard, det som står på routern",
            "the password is written on the back of the router",
        ] {
            let (masked, found) = mask(text);
            assert_eq!(masked, text);
            assert!(found.is_empty(), "{text}");
        }
    }

    #[test]
    fn a_bare_code_is_masked_only_when_one_was_expected() {
        assert!(mentions_secret("vänta jag letar fram pinkoden"));
        assert!(mentions_secret("ok jag tar kortnumret då"));
        assert!(!mentions_secret("här kommer mitt kundnummer"));
        assert!(!mentions_secret("tv:n visar felkod 1007"));
        for (text, secret) in [
            ("4821", "4821"),
            ("det var 5082", "5082"),
            ("I put in 3362 and it said wrong", "3362"),
            ("Myrstack_9", "Myrstack_9"),
            ("tried Falcon01 and falcon01", "alcon01"),
        ] {
            assert_eq!(mask(text).0.contains(secret), !text.contains("Myrstack_9"));
            let (masked, _) = mask_with_context(text, true);
            assert!(!masked.contains(secret), "{text} -> {masked}");
        }
        // What a customer needs read stays, even right after a secret was spoken of.
        for text in [
            "mitt kundnummer är 4471902",
            "fakturan är på 649 kr",
            "min mamma är född 1944",
            "ring mig på 070-412 88 31",
            "jag har en Zyxel EX3301",
        ] {
            assert_eq!(mask_with_context(text, true).0, text);
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

    #[test]
    fn mistyped_numbers_named_as_cards_or_personal_numbers_are_still_masked() {
        // Neither passes its check digit; the words around them say what they are.
        for (text, expected) in [
            (
                "betala med kort: 4929 1002 7735 6611, cvc 512",
                "betala med kort: ••••, cvc ••••",
            ),
            (
                "my personal number is 19791123-5538",
                "my personal number is ••••",
            ),
            ("personnumret 791123-5538", "personnumret ••••"),
        ] {
            assert_eq!(mask(text).0, expected, "{text}");
        }
        // Without such a word a failing number is something else: an OCR, an order.
        let ocr = "fakturan 4929 1002 7735 6611 och 19791123-5538";
        assert_eq!(mask(ocr).0, ocr);
    }

    #[test]
    fn codes_chosen_and_passwords_named_in_other_languages_are_masked() {
        for (text, expected) in [
            (
                "the voicemail wants my code, I set it to 2580 years ago",
                "the voicemail wants my code, I set it to •••• years ago",
            ),
            (
                "röstbrevlådan säger fel kod, jag satte den till 3141",
                "röstbrevlådan säger fel kod, jag satte den till ••••",
            ),
            (
                "wifi ei toimi, salasana Kuusi123",
                "wifi ei toimi, salasana ••••",
            ),
            ("пароль Sonyachnyk77", "пароль ••••"),
        ] {
            assert_eq!(mask(text).0, expected, "{text}");
        }
    }
}
