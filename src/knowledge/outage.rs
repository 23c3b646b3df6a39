//! Outage notices: known faults in an area, told to customers before any restart.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::{Intent, Locale, Postcode};
use crate::timestamp::Timestamp;

/// The services a notice can be about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Service {
    Broadband,
    Tv,
    Mobile,
    Landline,
    Email,
}

impl Service {
    pub const ALL: [Service; 5] = [
        Self::Broadband,
        Self::Tv,
        Self::Mobile,
        Self::Landline,
        Self::Email,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Broadband => "broadband",
            Self::Tv => "tv",
            Self::Mobile => "mobile",
            Self::Landline => "landline",
            Self::Email => "email",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// The service a fault report is about, when the intent says; `None` for intents that
    /// are not faults (billing, moving, greetings) and for "is there an outage?" itself.
    pub fn of_intent(intent: Intent) -> Option<Self> {
        match intent {
            Intent::BroadbandDown | Intent::BroadbandSlow | Intent::WifiProblem => {
                Some(Self::Broadband)
            }
            Intent::TvProblem => Some(Self::Tv),
            Intent::MobileCoverage | Intent::MobileData => Some(Self::Mobile),
            Intent::VoipLandline => Some(Self::Landline),
            Intent::EmailLogin => Some(Self::Email),
            _ => None,
        }
    }

    /// How the service is named in a sentence.
    pub fn name(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (Self::Broadband, Locale::Sv) => "bredband",
            (Self::Tv, Locale::Sv) => "tv",
            (Self::Mobile, Locale::Sv) => "mobilnätet",
            (Self::Landline, Locale::Sv) => "fast telefoni",
            (Self::Email, Locale::Sv) => "e-post",
            (Self::Broadband, Locale::En) => "broadband",
            (Self::Tv, Locale::En) => "TV",
            (Self::Mobile, Locale::En) => "the mobile network",
            (Self::Landline, Locale::En) => "landline telephony",
            (Self::Email, Locale::En) => "e-mail",
        }
    }
}

/// A known outage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outage {
    pub id: String,
    pub service: Service,
    /// Postcode prefixes the outage covers: "903" covers 903 xx, "90331" just that code.
    pub postcodes: Vec<String>,
    pub message_sv: String,
    pub message_en: String,
    pub starts_at: Timestamp,
    pub expected_end: Option<Timestamp>,
}

impl Outage {
    /// Whether the outage affects `service` at `postcode` at `now`.
    pub fn covers(&self, service: Service, postcode: &Postcode, now: Timestamp) -> bool {
        self.service == service
            && self.starts_at <= now
            && self.expected_end.is_none_or(|end| end > now)
            && self
                .postcodes
                .iter()
                .any(|prefix| postcode.digits().starts_with(prefix.as_str()))
    }

    pub fn message(&self, locale: Locale) -> &str {
        match locale {
            Locale::Sv => &self.message_sv,
            Locale::En => &self.message_en,
        }
    }

    /// A valid postcode prefix: one to five digits.
    pub fn valid_prefix(prefix: &str) -> bool {
        (1..=5).contains(&prefix.len()) && prefix.bytes().all(|b| b.is_ascii_digit())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outage(postcodes: &[&str], end: Option<&str>) -> Outage {
        Outage {
            id: "o1".into(),
            service: Service::Broadband,
            postcodes: postcodes.iter().map(|p| (*p).to_owned()).collect(),
            message_sv: "Fiberkabel avgrävd".into(),
            message_en: "Fibre cable cut".into(),
            starts_at: Timestamp::parse("2026-12-01T08:00:00.000000Z").unwrap(),
            expected_end: end.map(|e| Timestamp::parse(e).unwrap()),
        }
    }

    #[test]
    fn an_outage_covers_its_area_service_and_time_only() {
        let now = Timestamp::parse("2026-12-01T10:00:00.000000Z").unwrap();
        let o = outage(&["903", "41301"], Some("2026-12-01T18:00:00.000000Z"));
        let umea = Postcode::parse("903 31").unwrap();
        assert!(o.covers(Service::Broadband, &umea, now));
        assert!(!o.covers(Service::Tv, &umea, now));
        assert!(o.covers(Service::Broadband, &Postcode::parse("41301").unwrap(), now));
        assert!(!o.covers(Service::Broadband, &Postcode::parse("41302").unwrap(), now));
        let later = Timestamp::parse("2026-12-01T19:00:00.000000Z").unwrap();
        assert!(!o.covers(Service::Broadband, &umea, later));
        let earlier = Timestamp::parse("2026-12-01T07:00:00.000000Z").unwrap();
        assert!(!o.covers(Service::Broadband, &umea, earlier));
    }
}
