//! Details an agent would otherwise ask for again, picked out of what the customer wrote:
//! which service, which device, any error code, and the postcode. Only words the customer
//! actually used count; nothing is guessed from the intent.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::{Locale, Postcode};

/// What the customer mentioned, in the agent's language, each list in the order first said.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct CaseDetails {
    /// The services the case is about ("bredband", "tv", ...).
    pub products: Vec<String>,
    /// Equipment, with models as the customer wrote them ("router", "iPhone 13").
    pub devices: Vec<String>,
    /// Error codes and messages quoted from a screen ("651", "DNS_PROBE_FINISHED_NXDOMAIN").
    pub error_codes: Vec<String>,
    /// `123 45`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
}

impl CaseDetails {
    pub fn is_empty(&self) -> bool {
        self.products.is_empty()
            && self.devices.is_empty()
            && self.error_codes.is_empty()
            && self.postcode.is_none()
    }
}

/// `(pattern, Swedish label, English label)`. Patterns match the lower-cased text, with the
/// spellings people type in a hurry (no å/ä/ö, compounds, English words in Swedish).
const PRODUCTS: &[(&str, &str, &str)] = &[
    (
        r"\b(bredband\w*|fiber\w*|internet\w*|adsl|vdsl|dsl|wifi|wi-fi|wlan|natet|nätet|broadband)\b",
        "bredband",
        "broadband",
    ),
    (
        r"\b(tv|tv-\w+|tv\w*kanal\w*|kanal\w*|play(tjänst|tjanst)\w*|streaming|channels?)\b",
        "tv",
        "TV",
    ),
    (
        r"\b(mobil\w*|mobile|sim|simkort\w*|sim-kort\w*|e-?sim|täckning\w*|tackning\w*|coverage|roaming)\b",
        "mobil",
        "mobile",
    ),
    (
        r"\b(fast telefon\w*|hemtelefon\w*|ip-telefon\w*|landline|voip)\b",
        "fast telefoni",
        "landline",
    ),
    (
        r"\b(e-post\w*|epost\w*|mejl\w*|mail\w*|e-mail|email|inkorg\w*|inbox)\b",
        "e-post",
        "e-mail",
    ),
    (
        r"\b(faktur\w*|räkning\w*|rakning\w*|invoice\w*|bill|billing|betalning\w*|payment)\b",
        "faktura",
        "invoice",
    ),
];

const DEVICES: &[(&str, &str, &str)] = &[
    (r"\b(router\w*|routern)\b", "router", "router"),
    (
        r"\b(fiberbox\w*|fiber-box\w*|fiberdosa\w*|mediaomvandlare\w*|mediakonverter\w*|fibre box|fiber box|media converter)\b",
        "fiberbox",
        "fibre box",
    ),
    (r"\b(modem\w*)\b", "modem", "modem"),
    (
        r"\b(tv-box\w*|tvbox\w*|digitalbox\w*|set-top box|tv box|boxen)\b",
        "tv-box",
        "TV box",
    ),
    (r"\b(smart-tv|smart tv)\b", "smart-tv", "smart TV"),
    (
        r"\b(dator\w*|laptop\w*|bärbar\w*|barbar\w*|computer|pc|mac(book)?)\b",
        "dator",
        "computer",
    ),
    (
        r"\b(mesh\w*|förstärkare|forstarkare|repeater\w*|extender)\b",
        "wifi-förstärkare",
        "Wi-Fi extender",
    ),
    (r"\b(surfplatt\w*|ipad|tablet)\b", "surfplatta", "tablet"),
];

/// Phone and TV-box models, kept as the customer wrote them.
static MODELS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(iphone\s?(?:se|\d{1,2})(?:\s?(?:pro\s?max|pro|plus|mini))?|(?:samsung\s)?galaxy\s[a-z]\d{1,2}\w*|pixel\s\d\w*(?:\s?pro)?|apple\s?tv(?:\s?4k)?|chromecast|fire\s?tv(?:\s?stick)?)\b",
    )
    .expect("model pattern compiles")
});

/// Error codes: after a word that introduces one ("felkod 651", "error: E-102"), or in a form
/// that is a code on its own (`0x800CCC0E`, `DNS_PROBE_FINISHED_NXDOMAIN`, `ERR_...`).
static ERROR_CODES: LazyLock<[Regex; 2]> = LazyLock::new(|| {
    [
        Regex::new(
            r"(?i)\b(?:felkod(?:en)?|felmeddelande(?:t)?|fel|error(?:\s?code)?|code)\s*(?:nr\.?|nummer|number)?\s*[:#]?\s*([a-z]{0,4}[-_]?\d{2,6}[a-z]?)\b",
        )
        .expect("error code pattern compiles"),
        Regex::new(r"\b(0x[0-9A-Fa-f]{4,8}|(?:ERR|DNS|NET|SSL)_[A-Z_]{3,40})\b")
            .expect("error code pattern compiles"),
    ]
});

static COMPILED: LazyLock<(Vec<Regex>, Vec<Regex>)> = LazyLock::new(|| {
    let compile = |list: &[(&str, &str, &str)]| {
        list.iter()
            .map(|(pattern, _, _)| Regex::new(pattern).expect("detail pattern compiles"))
            .collect()
    };
    (compile(PRODUCTS), compile(DEVICES))
});

fn push_once(list: &mut Vec<String>, value: String) {
    if !list.iter().any(|v| v.eq_ignore_ascii_case(&value)) {
        list.push(value);
    }
}

/// Picks details out of the customer's messages (secrets already masked), oldest first.
/// `known_postcode` is one the customer gave in a form or when asked; it wins.
pub fn extract<'a>(
    locale: Locale,
    customer_texts: impl IntoIterator<Item = &'a str>,
    known_postcode: Option<&Postcode>,
) -> CaseDetails {
    let (products, devices) = &*COMPILED;
    let mut details = CaseDetails::default();
    let label = |entry: &(&str, &'static str, &'static str)| match locale {
        Locale::Sv => entry.1,
        Locale::En => entry.2,
    };
    for text in customer_texts {
        let lower = text.to_lowercase();
        // Ordered by where they were first mentioned: messages oldest first, then position.
        let mut mentioned: Vec<(usize, &str)> = products
            .iter()
            .zip(PRODUCTS)
            .filter_map(|(re, entry)| re.find(&lower).map(|m| (m.start(), label(entry))))
            .collect();
        mentioned.sort_by_key(|(at, _)| *at);
        for (_, product) in mentioned {
            push_once(&mut details.products, product.to_owned());
        }
        let mut equipment: Vec<(usize, String)> = Vec::new();
        for m in MODELS.find_iter(text) {
            equipment.push((
                m.start(),
                m.as_str().split_whitespace().collect::<Vec<_>>().join(" "),
            ));
        }
        for (i, re) in devices.iter().enumerate() {
            if let Some(m) = re.find(&lower) {
                equipment.push((m.start(), label(&DEVICES[i]).to_owned()));
            }
        }
        equipment.sort_by_key(|(at, _)| *at);
        for (_, device) in equipment {
            push_once(&mut details.devices, device);
        }
        for re in ERROR_CODES.iter() {
            for captures in re.captures_iter(text) {
                let code = captures.get(1).map_or("", |m| m.as_str());
                // A bare number of five digits after "fel" is more likely a postcode.
                if Postcode::parse(code).is_some() {
                    continue;
                }
                push_once(&mut details.error_codes, code.to_uppercase());
            }
        }
        if details.postcode.is_none() {
            details.postcode = Postcode::find_in(text).map(|p| p.to_string());
        }
    }
    if let Some(known) = known_postcode {
        details.postcode = Some(known.to_string());
    }
    details
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_swedish_case_gives_service_devices_codes_and_postcode() {
        let details = extract(
            Locale::Sv,
            [
                "Hej! Internet har slutat funka, routern blinkar rött",
                "Datorn säger felkod 651 och sen DNS_PROBE_FINISHED_NXDOMAIN",
                "Jag bor på 123 45 och har en iPhone 13 pro också",
            ],
            None,
        );
        assert_eq!(details.products, ["bredband"]);
        assert_eq!(details.devices, ["router", "dator", "iPhone 13 pro"]);
        assert_eq!(details.error_codes, ["651", "DNS_PROBE_FINISHED_NXDOMAIN"]);
        assert_eq!(details.postcode.as_deref(), Some("123 45"));
    }

    #[test]
    fn labels_follow_the_agents_language() {
        let details = extract(
            Locale::En,
            ["tv-boxen visar error E-102 på alla kanaler"],
            None,
        );
        assert_eq!(details.products, ["TV"]);
        assert_eq!(details.devices, ["TV box"]);
        assert_eq!(details.error_codes, ["E-102"]);
    }

    #[test]
    fn nothing_is_made_up_from_ordinary_words() {
        let details = extract(
            Locale::Sv,
            [
                "jag vill prata med en människa",
                "portkoden är 1234 och jag bor i lägenhet 1102",
                "fel på allt, 5 gånger i dag",
            ],
            None,
        );
        assert!(details.is_empty(), "{details:?}");
    }

    #[test]
    fn a_postcode_given_in_a_form_wins_and_is_not_an_error_code() {
        let known = Postcode::parse("98765").unwrap();
        let details = extract(Locale::Sv, ["fel 12345 i mobilen"], Some(&known));
        assert!(details.error_codes.is_empty(), "{details:?}");
        assert_eq!(details.products, ["mobil"]);
        assert_eq!(details.postcode.as_deref(), Some("987 65"));
    }
}
