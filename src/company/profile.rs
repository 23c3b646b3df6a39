//! The company profile: the facts about the company that customers are told, in one YAML file
//! the operator keeps (`knowledge/company.yaml`).
//!
//! ```yaml
//! phone: 0771-40 40 40
//! hours:
//!   sv: vardagar 8–20
//!   en: weekdays 8 am–8 pm
//! links:
//!   my_pages: https://www.operatoren.se/mina-sidor
//!   outages: null          # declared, so guides may name it; unset, so it is left out
//! details:
//!   incoming_mail_server: imap.operatoren.se
//! ```
//!
//! Guides name links and details instead of writing them (see [`super::names`]). A fact that
//! is declared but unset (null) is simply left out where a customer would see it: the step's
//! own words stand alone. [`CompanyProfile::fill`] and [`CompanyProfile::address`] are the one
//! place where names become what customers read.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::names::{is_fact_name, placeholder_address, references, LinkRef};
use crate::domain::Locale;

/// Where the profile is read from when none is named, relative to the working directory.
pub const DEFAULT_PATH: &str = "knowledge/company.yaml";

/// The company's facts. An empty profile declares nothing and sets nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompanyProfile {
    phone: Option<String>,
    hours_sv: Option<String>,
    hours_en: Option<String>,
    /// Every declared link, with its https address when set.
    links: BTreeMap<String, Option<String>>,
    /// Every declared plain-text fact, with its text when set.
    details: BTreeMap<String, Option<String>>,
}

/// Why a company profile could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("the company profile {} does not exist", .0.display())]
    Missing(PathBuf),
    #[error("could not read the company profile {}: {source}", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the company profile {}: {problem}", .path.display())]
    Invalid {
        path: PathBuf,
        #[source]
        problem: ProfileProblem,
    },
}

/// What is wrong inside a company profile.
#[derive(Debug, thiserror::Error)]
pub enum ProfileProblem {
    #[error("{0}")]
    Syntax(#[from] serde_norway::Error),
    #[error("{0:?} is not a fact name (a-z, 0-9 and _, starting with a letter)")]
    InvalidName(String),
    #[error("links.{name}: must be one https:// address or null, not {value:?}")]
    NotHttps { name: String, value: String },
    #[error(
        "{field}: {address} is a placeholder, not the company's address; write the real one \
         or leave it unset (null)"
    )]
    PlaceholderAddress { field: String, address: String },
    #[error("{0} is declared both under links and under details")]
    DeclaredTwice(String),
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    hours: HoursFile,
    #[serde(default)]
    links: Option<BTreeMap<String, Option<String>>>,
    #[serde(default)]
    details: Option<BTreeMap<String, Option<String>>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct HoursFile {
    #[serde(default)]
    sv: Option<String>,
    #[serde(default)]
    en: Option<String>,
}

/// A value as set: trimmed, and blank counts as unset.
fn set(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

impl CompanyProfile {
    /// Reads a profile from its YAML; an empty document is an empty profile.
    pub fn parse(yaml: &str) -> Result<Self, ProfileProblem> {
        let file: ProfileFile = if yaml
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
        {
            ProfileFile::default()
        } else {
            serde_norway::from_str(yaml)?
        };
        let profile = Self {
            phone: set(file.phone),
            hours_sv: set(file.hours.sv),
            hours_en: set(file.hours.en),
            links: file
                .links
                .unwrap_or_default()
                .into_iter()
                .map(|(name, value)| (name, set(value)))
                .collect(),
            details: file
                .details
                .unwrap_or_default()
                .into_iter()
                .map(|(name, value)| (name, set(value)))
                .collect(),
        };
        profile.check()?;
        Ok(profile)
    }

    fn check(&self) -> Result<(), ProfileProblem> {
        for name in self.links.keys().chain(self.details.keys()) {
            if !is_fact_name(name) {
                return Err(ProfileProblem::InvalidName(name.clone()));
            }
        }
        if let Some(name) = self.links.keys().find(|n| self.details.contains_key(*n)) {
            return Err(ProfileProblem::DeclaredTwice(name.clone()));
        }
        for (name, value) in &self.links {
            if let Some(value) = value {
                if !matches!(LinkRef::parse(value), Some(LinkRef::Address(_))) {
                    return Err(ProfileProblem::NotHttps {
                        name: name.clone(),
                        value: value.clone(),
                    });
                }
            }
        }
        let fields = [
            ("phone".to_owned(), &self.phone),
            ("hours.sv".to_owned(), &self.hours_sv),
            ("hours.en".to_owned(), &self.hours_en),
        ]
        .into_iter()
        .chain(self.links.iter().map(|(n, v)| (format!("links.{n}"), v)))
        .chain(
            self.details
                .iter()
                .map(|(n, v)| (format!("details.{n}"), v)),
        );
        for (field, value) in fields {
            if let Some(address) = value.as_deref().and_then(placeholder_address) {
                return Err(ProfileProblem::PlaceholderAddress { field, address });
            }
        }
        Ok(())
    }

    /// Reads the profile at `path`, which must exist.
    pub fn load(path: &Path) -> Result<Self, ProfileError> {
        let yaml = std::fs::read_to_string(path).map_err(|source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                ProfileError::Missing(path.to_owned())
            } else {
                ProfileError::Read {
                    path: path.to_owned(),
                    source,
                }
            }
        })?;
        Self::parse(&yaml).map_err(|problem| ProfileError::Invalid {
            path: path.to_owned(),
            problem,
        })
    }

    /// The profile a command was given, or else the one at the default path
    /// ([`DEFAULT_PATH`]); without a file there, an empty one. A
    /// path given explicitly must exist.
    pub fn load_configured(explicit: Option<&Path>) -> Result<Self, ProfileError> {
        match explicit {
            Some(path) => Self::load(path),
            None => match Self::load(Path::new(DEFAULT_PATH)) {
                Err(ProfileError::Missing(path)) => {
                    tracing::info!(path = %path.display(), "no company profile: no company facts are shown");
                    Ok(Self::default())
                }
                loaded => loaded,
            },
        }
    }

    /// The profile shipped in the repository: every name the shipped guides use, declared
    /// and unset. For evaluations and tests that read the shipped guides.
    pub fn shipped() -> Self {
        Self::parse(include_str!("../../knowledge/company.yaml"))
            .expect("the shipped company profile reads")
    }

    /// The support phone number, as customers should dial it.
    pub fn phone(&self) -> Option<&str> {
        self.phone.as_deref()
    }

    /// When the phone line is open, in the customer's language; English customers are never
    /// given the Swedish hours.
    pub fn hours(&self, locale: Locale) -> Option<&str> {
        match locale {
            Locale::Sv => self.hours_sv.as_deref(),
            Locale::En => self.hours_en.as_deref(),
        }
    }

    /// Whether `name` is a declared link.
    pub fn declares_link(&self, name: &str) -> bool {
        self.links.contains_key(name)
    }

    /// This profile, also declaring, unset, every fact `source` names that it does not, and
    /// those names. Guides already stored are read with it: a fact the operator has since
    /// taken out of the profile is then left out for customers, as an unset one is, instead
    /// of the whole guide leaving the chats. Saving a guide still refuses such a name.
    pub fn also_declaring_facts_of(&self, source: &str) -> (Cow<'_, Self>, Vec<String>) {
        let mut profile = Cow::Borrowed(self);
        let mut added = Vec::new();
        for line in source.lines() {
            let link = line
                .strip_prefix("link:")
                .and_then(LinkRef::parse)
                .and_then(|link| match link {
                    LinkRef::Named(name) => Some(name),
                    LinkRef::Address(_) => None,
                });
            if let Some(name) = link.filter(|name| !profile.declares_link(name)) {
                profile.to_mut().links.insert(name.clone(), None);
                added.push(name);
            }
            for name in references(line) {
                if !profile.declares(name) {
                    profile.to_mut().details.insert(name.to_owned(), None);
                    added.push(name.to_owned());
                }
            }
        }
        (profile, added)
    }

    /// Whether `name` is a declared link or detail.
    pub fn declares(&self, name: &str) -> bool {
        self.links.contains_key(name) || self.details.contains_key(name)
    }

    /// What `name` stands for, when declared and set.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.links
            .get(name)
            .or_else(|| self.details.get(name))
            .and_then(Option::as_deref)
    }

    /// Declares and sets a link (for tests and tools that adjust a loaded profile).
    pub fn with_link(mut self, name: &str, address: &str) -> Result<Self, ProfileProblem> {
        self.links
            .insert(name.to_owned(), set(Some(address.to_owned())));
        self.check()?;
        Ok(self)
    }

    /// Of `names`, those this profile leaves unset (undeclared ones included).
    pub fn unset<'a>(&self, names: impl IntoIterator<Item = &'a str>) -> BTreeSet<&'a str> {
        names
            .into_iter()
            .filter(|name| self.value(name).is_none())
            .collect()
    }

    /// A link as a customer is shown it: an address as written, a named link as set, and
    /// nothing for a named link that is unset.
    pub fn address<'a>(&'a self, link: &'a LinkRef) -> Option<&'a str> {
        match link {
            LinkRef::Address(address) => Some(address),
            LinkRef::Named(name) => self.links.get(name).and_then(Option::as_deref),
        }
    }

    /// `text` as a customer reads it: each `{name}` filled in, and each line that names a
    /// fact left unset (or undeclared) left out. `None` when no line is left.
    pub fn fill(&self, text: &str) -> Option<String> {
        let lines: Vec<String> = text
            .lines()
            .filter_map(|line| {
                let mut filled = line.to_owned();
                for name in references(line) {
                    filled = filled.replace(&format!("{{{name}}}"), self.value(name)?);
                }
                Some(filled)
            })
            .collect();
        Some(lines.join("\n")).filter(|t| !t.trim().is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SET: &str = "\
phone: 0771-40 40 40
hours:
  sv: vardagar 8–20
  en: weekdays 8 am–8 pm
links:
  my_pages: https://www.operatoren.se/mina-sidor
  outages: null
details:
  incoming_mail_server: imap.operatoren.se
  outgoing_mail_server:
";

    #[test]
    fn a_profile_reads_its_facts_and_knows_what_it_leaves_unset() {
        let profile = CompanyProfile::parse(SET).unwrap();
        assert_eq!(profile.phone(), Some("0771-40 40 40"));
        assert_eq!(profile.hours(Locale::Sv), Some("vardagar 8–20"));
        assert_eq!(profile.hours(Locale::En), Some("weekdays 8 am–8 pm"));
        assert!(profile.declares_link("outages") && !profile.declares_link("nowhere"));
        assert!(profile.declares("outgoing_mail_server"));
        assert!(!profile.declares_link("incoming_mail_server"));
        assert_eq!(
            profile.value("incoming_mail_server"),
            Some("imap.operatoren.se")
        );
        assert_eq!(
            profile.unset(["my_pages", "outages", "outgoing_mail_server", "nowhere"]),
            BTreeSet::from(["outages", "outgoing_mail_server", "nowhere"])
        );
    }

    #[test]
    fn an_empty_or_commented_profile_is_empty() {
        for yaml in ["", "\n  \n", "# nothing configured yet\n"] {
            assert_eq!(
                CompanyProfile::parse(yaml).unwrap(),
                CompanyProfile::default()
            );
        }
        let blank = CompanyProfile::parse("phone: '  '\nhours: {sv: null}\n").unwrap();
        assert_eq!(blank.phone(), None);
        assert_eq!(blank.hours(Locale::Sv), None);
    }

    #[test]
    fn the_shipped_profile_declares_facts_but_sets_none() {
        let shipped = CompanyProfile::shipped();
        assert!(shipped.declares_link("my_pages"));
        assert!(shipped.declares("incoming_mail_server"));
        assert_eq!(shipped.phone(), None);
        assert!(shipped
            .links
            .values()
            .chain(shipped.details.values())
            .all(Option::is_none));
    }

    #[test]
    fn wrong_profiles_are_refused_with_the_reason() {
        for (yaml, expected) in [
            ("colour: red\n", "unknown field"),
            ("hours: {fi: arkisin}\n", "unknown field"),
            ("links:\n  My-Pages: null\n", "not a fact name"),
            (
                "links:\n  my_pages: http://operatoren.se\n",
                "https:// address",
            ),
            ("links:\n  my_pages: Mina sidor\n", "https:// address"),
            (
                "links:\n  my_pages: https://www.example.se/mina-sidor\n",
                "placeholder",
            ),
            (
                "details:\n  incoming_mail_server: mail.example.se\n",
                "placeholder",
            ),
            ("phone: ring support.test\n", "placeholder"),
            (
                "links:\n  webmail: null\ndetails:\n  webmail: null\n",
                "both under",
            ),
        ] {
            let problem = CompanyProfile::parse(yaml).unwrap_err().to_string();
            assert!(problem.contains(expected), "{yaml:?}: {problem}");
        }
    }

    #[test]
    fn a_profile_that_is_not_yaml_says_so() {
        assert!(matches!(
            CompanyProfile::parse("phone: [1, 2\n"),
            Err(ProfileProblem::Syntax(_))
        ));
    }

    #[test]
    fn a_missing_file_is_an_error_only_when_named() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("company.yaml");
        assert!(matches!(
            CompanyProfile::load(&missing),
            Err(ProfileError::Missing(_))
        ));
        let error = CompanyProfile::load_configured(Some(&missing)).unwrap_err();
        assert!(error.to_string().contains("does not exist"), "{error}");
        std::fs::write(&missing, "links:\n  my_pages: ftp://x\n").unwrap();
        let error = CompanyProfile::load(&missing).unwrap_err().to_string();
        assert!(error.contains("company.yaml: links.my_pages"), "{error}");
    }

    #[test]
    fn a_stored_guide_naming_a_removed_fact_reads_with_it_left_unset() {
        let profile = CompanyProfile::parse(SET).unwrap();
        let source = "Gå till {old_portal}.\nlink: old_link\nlink: https://operatoren.se/x\n\
                      Servern heter {incoming_mail_server}.";
        let (lenient, added) = profile.also_declaring_facts_of(source);
        assert_eq!(added, ["old_portal", "old_link"]);
        assert!(lenient.declares_link("old_link") && lenient.declares("old_portal"));
        assert_eq!(
            lenient.fill("Gå till {old_portal}.\nEller ring."),
            Some("Eller ring.".into())
        );
        assert_eq!(
            lenient.address(&LinkRef::Named("old_link".into())),
            None,
            "left out, as an unset link"
        );
        assert_eq!(
            profile.also_declaring_facts_of("Inga namn här.").1,
            Vec::<String>::new()
        );
    }

    #[test]
    fn filling_text_leaves_out_lines_with_unset_facts_and_fills_the_rest() {
        let profile = CompanyProfile::parse(SET).unwrap();
        let text = "Fyll i:\n- Servern heter {incoming_mail_server}\n\
                    - Utgående: {outgoing_mail_server}\n- Porten är 993\n\
                    Störningar: {outages}. {Inget namn} står kvar.";
        assert_eq!(
            profile.fill(text).unwrap(),
            "Fyll i:\n- Servern heter imap.operatoren.se\n- Porten är 993"
        );
        assert_eq!(
            profile.fill("Logga in på {my_pages}, {my_pages}.").unwrap(),
            "Logga in på https://www.operatoren.se/mina-sidor, \
             https://www.operatoren.se/mina-sidor."
        );
        assert_eq!(profile.fill("Okänt: {nowhere}"), None);
        assert_eq!(
            profile.fill("Inga namn {alls."),
            Some("Inga namn {alls.".into())
        );
        assert_eq!(CompanyProfile::default().fill("Se {my_pages}."), None);
    }

    #[test]
    fn a_named_link_is_shown_as_set_or_not_at_all() {
        let profile = CompanyProfile::parse(SET).unwrap();
        let named = |n: &str| LinkRef::Named(n.into());
        assert_eq!(
            profile.address(&named("my_pages")),
            Some("https://www.operatoren.se/mina-sidor")
        );
        assert_eq!(profile.address(&named("outages")), None);
        assert_eq!(profile.address(&named("nowhere")), None);
        let written = LinkRef::Address("https://www.pts.se".into());
        assert_eq!(profile.address(&written), Some("https://www.pts.se"));
        let shipped = CompanyProfile::shipped();
        assert_eq!(shipped.address(&named("my_pages")), None);
        let set = shipped
            .with_link("my_pages", "https://www.operatoren.se/mina-sidor")
            .unwrap();
        assert!(set.address(&named("my_pages")).is_some());
        assert!(CompanyProfile::shipped()
            .with_link("my_pages", "https://www.example.se/mina-sidor")
            .is_err());
    }
}
