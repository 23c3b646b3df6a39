//! How to reach people at the company, as the deployment configures it.
//!
//! Customers asking for a person or a phone number are told what really exists. Nothing here
//! is invented: without configuration the bot only hands over in the chat.

use crate::domain::Locale;

/// The support phone number and opening hours, both optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SupportContact {
    /// As customers should dial it, e.g. "0771-40 40 40".
    pub phone: Option<String>,
    /// In the customer's words, e.g. "vardagar 8–20, helger 10–16".
    pub hours: Option<String>,
    /// The same in English, e.g. "weekdays 8 am–8 pm". Without it an English answer leaves
    /// the hours out rather than quote Swedish ones.
    pub hours_en: Option<String>,
}

impl SupportContact {
    /// A sentence about other ways to reach a person, or `None` when nothing is configured.
    pub fn sentence(&self, locale: Locale) -> Option<String> {
        let phone = self
            .phone
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty());
        let hours = match locale {
            Locale::Sv => self.hours.as_deref(),
            Locale::En => self.hours_en.as_deref(),
        }
        .map(str::trim)
        .filter(|h| !h.is_empty());
        Some(match (locale, phone, hours) {
            (_, None, None) => return None,
            (Locale::Sv, Some(phone), Some(hours)) => {
                format!("Du kan också ringa kundtjänsten på {phone}. Telefonen är öppen {hours}.")
            }
            (Locale::Sv, Some(phone), None) => {
                format!("Du kan också ringa kundtjänsten på {phone}.")
            }
            (Locale::Sv, None, Some(hours)) => {
                format!("Kundtjänsten har öppet {hours}.")
            }
            (Locale::En, Some(phone), Some(hours)) => format!(
                "You can also call customer service on {phone}. The phone line is open {hours}."
            ),
            (Locale::En, Some(phone), None) => {
                format!("You can also call customer service on {phone}.")
            }
            (Locale::En, None, Some(hours)) => {
                format!("Customer service is open {hours}.")
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_only_what_is_configured() {
        assert_eq!(SupportContact::default().sentence(Locale::Sv), None);
        let blank = SupportContact {
            phone: Some("  ".into()),
            ..SupportContact::default()
        };
        assert_eq!(blank.sentence(Locale::En), None);
        let both = SupportContact {
            phone: Some("0771-40 40 40".into()),
            hours: Some("vardagar 8–20".into()),
            hours_en: None,
        };
        let sv = both.sentence(Locale::Sv).unwrap();
        assert!(
            sv.contains("0771-40 40 40") && sv.contains("vardagar 8–20"),
            "{sv}"
        );
        // English customers are never given the Swedish hours.
        let en = both.sentence(Locale::En).unwrap();
        assert!(!en.contains("vardagar"), "{en}");
        let hours_only = SupportContact {
            phone: None,
            hours: Some("vardagar 8–20".into()),
            hours_en: Some("weekdays 8am–8pm".into()),
        };
        assert_eq!(
            hours_only.sentence(Locale::En).unwrap(),
            "Customer service is open weekdays 8am–8pm."
        );
    }
}
