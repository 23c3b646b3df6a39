//! How guides name company facts, and the placeholder addresses nobody may publish.
//!
//! A guide names a fact instead of writing it: `link: my_pages` for a link, `{name}` inside a
//! step's text for a link or a detail. Names are lowercase ASCII letters, digits and `_`,
//! starting with a letter, so that `{` and `}` around anything else stay ordinary text.

use serde::{Serialize, Serializer};

/// The longest name accepted; names are short words such as `my_pages`.
const MAX_NAME_CHARS: usize = 64;

/// Whether `raw` is shaped like a fact name (`my_pages`, `incoming_mail_server`).
pub fn is_fact_name(raw: &str) -> bool {
    let mut chars = raw.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && raw.len() <= MAX_NAME_CHARS
}

/// The facts `text` names, `{name}` by `{name}`, in order (a name may come more than once).
pub fn references(text: &str) -> impl Iterator<Item = &str> {
    text.split('{')
        .skip(1)
        .filter_map(|after| after.split_once('}').map(|(name, _)| name))
        .filter(|name| is_fact_name(name))
}

/// Where a step's `link:` points: an address written out in full, or a link of the company
/// profile by name, looked up when the step is shown.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LinkRef {
    /// `link: https://…`, shown as written.
    Address(String),
    /// `link: my_pages`, shown as the profile sets it, or not at all while it is unset.
    Named(String),
}

impl LinkRef {
    /// A `link:` value: one https address, or a fact name. `None` for anything else.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        if raw.starts_with("https://") && !raw.contains(char::is_whitespace) {
            Some(Self::Address(raw.to_owned()))
        } else if is_fact_name(raw) {
            Some(Self::Named(raw.to_owned()))
        } else {
            None
        }
    }

    /// As written in the guide.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Address(address) | Self::Named(address) => address,
        }
    }
}

impl Serialize for LinkRef {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// The first placeholder host in `text`: `example.se` (and `.com`, `.org`, `.net`) with any
/// subdomain, any name under the reserved `.example`, `.invalid`, `.test` and `.localhost`,
/// and `localhost` itself. They stand in for a real address in drafts and must never reach
/// a customer, who would either find nothing there or find somebody else.
pub fn placeholder_address(text: &str) -> Option<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
        .map(|word| word.trim_matches('.').to_ascii_lowercase())
        .find(|host| is_placeholder_host(host))
}

fn is_placeholder_host(host: &str) -> bool {
    const RESERVED_TOP_LEVEL: [&str; 4] = ["example", "invalid", "test", "localhost"];
    const EXAMPLE_DOMAINS: [&str; 4] = ["example.se", "example.com", "example.org", "example.net"];
    if host == "localhost" {
        return true;
    }
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2 || labels.iter().any(|label| label.is_empty()) {
        return false;
    }
    let under = |domain: &str| {
        host == domain
            || host
                .strip_suffix(domain)
                .is_some_and(|rest| rest.ends_with('.'))
    };
    labels
        .last()
        .is_some_and(|top| RESERVED_TOP_LEVEL.contains(top))
        || EXAMPLE_DOMAINS.into_iter().any(under)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_lowercase_words_with_underscores() {
        for good in ["my_pages", "outages", "speed_test2", "a"] {
            assert!(is_fact_name(good), "{good}");
        }
        for bad in [
            "",
            "My_pages",
            "2fa",
            "_x",
            "my-pages",
            "mina sidor",
            "sidor.se",
        ] {
            assert!(!is_fact_name(bad), "{bad}");
        }
        assert!(!is_fact_name(&"a".repeat(65)));
    }

    #[test]
    fn references_are_the_names_in_braces_and_nothing_else() {
        let text = "Logga in på {my_pages} eller {webmail}. {Inte detta} {} { x } {my_pages}";
        assert_eq!(
            references(text).collect::<Vec<_>>(),
            ["my_pages", "webmail", "my_pages"]
        );
        assert_eq!(references("Inga klamrar här.").count(), 0);
        assert_eq!(references("{oavslutad").count(), 0);
    }

    #[test]
    fn a_link_is_an_https_address_or_a_name() {
        assert_eq!(
            LinkRef::parse(" https://www.operatoren.se/mina-sidor "),
            Some(LinkRef::Address(
                "https://www.operatoren.se/mina-sidor".into()
            ))
        );
        assert_eq!(
            LinkRef::parse("my_pages"),
            Some(LinkRef::Named("my_pages".into()))
        );
        for bad in [
            "http://operatoren.se",
            "https://a b",
            "Mina sidor",
            "{my_pages}",
        ] {
            assert_eq!(LinkRef::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn placeholder_hosts_are_found_in_links_addresses_and_prose() {
        for (text, host) in [
            ("https://www.example.se/mina-sidor", "www.example.se"),
            ("Servern heter mail.example.se", "mail.example.se"),
            ("till exempel namn@example.se, och", "example.se"),
            ("https://example.com", "example.com"),
            ("see http://Docs.Example.ORG.", "docs.example.org"),
            ("ftp.example.net", "ftp.example.net"),
            ("https://router.example/setup", "router.example"),
            ("host.invalid", "host.invalid"),
            ("https://shop.test/x", "shop.test"),
            ("app.localhost:8080", "app.localhost"),
            ("http://localhost:8080/", "localhost"),
        ] {
            assert_eq!(placeholder_address(text).as_deref(), Some(host), "{text}");
        }
    }

    #[test]
    fn real_addresses_and_ordinary_words_are_no_placeholders() {
        for text in [
            "https://www.operatoren.se/mina-sidor",
            "for example, restart the router.",
            "Run a speed test. Then wait.",
            "till exempel t.ex. 192.168.0.1",
            "https://notexample.se and example.seller.se and myexample.com",
            "testa.se, test-sidan.se, localhosts",
        ] {
            assert_eq!(placeholder_address(text), None, "{text}");
        }
    }
}
