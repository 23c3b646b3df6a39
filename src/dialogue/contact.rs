//! How to reach people at the company, as its profile says.
//!
//! Customers asking for a person or a phone number are told what really exists. Nothing here
//! is invented: without a phone number or hours in the profile the bot only hands over in the
//! chat.

use crate::company::CompanyProfile;
use crate::domain::Locale;

/// A sentence about other ways to reach a person, or `None` when the profile has none.
/// English customers are never quoted the Swedish hours.
pub fn sentence(company: &CompanyProfile, locale: Locale) -> Option<String> {
    let phone = company.phone();
    let hours = company.hours(locale);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(yaml: &str) -> CompanyProfile {
        CompanyProfile::parse(yaml).unwrap()
    }

    #[test]
    fn says_only_what_is_configured() {
        assert_eq!(sentence(&CompanyProfile::default(), Locale::Sv), None);
        assert_eq!(sentence(&CompanyProfile::shipped(), Locale::Sv), None);
        assert_eq!(sentence(&profile("phone: '  '"), Locale::En), None);
        let both = profile("phone: 0771-40 40 40\nhours: {sv: vardagar 8–20}");
        let sv = sentence(&both, Locale::Sv).unwrap();
        assert!(
            sv.contains("0771-40 40 40") && sv.contains("vardagar 8–20"),
            "{sv}"
        );
        // English customers are never given the Swedish hours.
        let en = sentence(&both, Locale::En).unwrap();
        assert!(!en.contains("vardagar"), "{en}");
        let hours_only = profile("hours: {sv: vardagar 8–20, en: weekdays 8am–8pm}");
        assert_eq!(
            sentence(&hours_only, Locale::En).unwrap(),
            "Customer service is open weekdays 8am–8pm."
        );
    }
}
