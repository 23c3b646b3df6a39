//! Checks across guides: translations exist both ways, and `guide:` jumps land in the same
//! language; and which company facts a folder of guides needs.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use super::guide::{self, Guide, GuideId, OnFailure};
use crate::company::CompanyProfile;
use crate::domain::Intent;

/// Problems that involve more than one guide, each naming the guide it is about.
pub fn cross_check(guides: &[Guide]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut by_id: HashMap<&GuideId, &Guide> = HashMap::new();
    for g in guides {
        if by_id.insert(&g.id, g).is_some() {
            problems.push(format!("{}: more than one guide has this id", g.id));
        }
    }
    for g in guides {
        match &g.translation {
            Some(t) => match by_id.get(t) {
                None => problems.push(format!("{}: its translation {t} does not exist", g.id)),
                Some(other) if other.translation.as_ref() != Some(&g.id) => problems.push(format!(
                    "{}: {t} does not name it back as its translation",
                    g.id
                )),
                Some(other) if other.language == g.language => problems.push(format!(
                    "{}: its translation {t} is in the same language",
                    g.id
                )),
                Some(_) => {}
            },
            None => problems.push(format!("{}: has no translation", g.id)),
        }
        for step in &g.steps {
            if let OnFailure::Guide(target) = &step.on_failure {
                match by_id.get(target) {
                    None => problems.push(format!(
                        "{}: step {:?} jumps to the missing guide {target}",
                        g.id, step.title
                    )),
                    Some(other) if other.language != g.language => problems.push(format!(
                        "{}: step {:?} jumps to {target} in another language",
                        g.id, step.title
                    )),
                    Some(_) => {}
                }
            }
        }
    }
    problems
}

/// The facts `guides` name that `company` leaves unset, each with how many guides name it:
/// customers see those steps without them.
pub fn unset_facts<'a>(guides: &'a [Guide], company: &CompanyProfile) -> BTreeMap<&'a str, usize> {
    let mut unset = BTreeMap::new();
    for g in guides {
        let named: BTreeSet<&str> = g.steps.iter().flat_map(|s| s.facts()).collect();
        for name in company.unset(named) {
            *unset.entry(name).or_insert(0) += 1;
        }
    }
    unset
}

/// Reads and parses every `*.md` guide in `dir`, naming only facts `company` declares;
/// returns the guides or every problem found.
pub fn load_dir(
    dir: &Path,
    known_intents: &[Intent],
    company: &CompanyProfile,
) -> Result<Vec<Guide>, Vec<String>> {
    let entries = std::fs::read_dir(dir).map_err(|e| vec![format!("{}: {e}", dir.display())])?;
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    paths.sort();
    let mut guides = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        let source = match std::fs::read_to_string(&path) {
            Ok(source) => source,
            Err(e) => {
                problems.push(format!("{}: {e}", path.display()));
                continue;
            }
        };
        match guide::parse(&source, known_intents, company) {
            Ok(g) => {
                let stem = path
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or_default();
                if stem != g.id.as_str() {
                    problems.push(format!(
                        "{}: the file name should be {}.md",
                        path.display(),
                        g.id
                    ));
                }
                guides.push(g);
            }
            Err(found) => problems.extend(found.iter().map(|p| format!("{}: {p}", path.display()))),
        }
    }
    problems.extend(cross_check(&guides));
    if problems.is_empty() {
        Ok(guides)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classifier::REQUIRED_INTENTS;

    #[test]
    fn duplicate_ids_and_missing_translations_are_reported() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge/guides");
        let source = std::fs::read_to_string(dir.join("router-restart-sv.md")).unwrap();
        let guide = guide::parse(&source, REQUIRED_INTENTS, &CompanyProfile::shipped()).unwrap();
        let problems = cross_check(&[guide.clone(), guide]);
        assert!(
            problems.iter().any(|p| p.contains("more than one guide")),
            "{problems:?}"
        );
        assert!(problems
            .iter()
            .any(|p| p.contains("router-restart-en does not exist")));
    }

    #[test]
    /// Parsing also refuses sales language, so this is the policy check on every guide.
    fn every_committed_guide_parses_and_the_library_is_consistent() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge/guides");
        let guides = load_dir(&dir, REQUIRED_INTENTS, &CompanyProfile::shipped())
            .unwrap_or_else(|p| panic!("{p:#?}"));
        assert!(guides.len() >= 60, "at least 30 guides in two languages");
        let swedish = guides
            .iter()
            .filter(|g| g.language == crate::domain::Locale::Sv)
            .count();
        assert_eq!(
            swedish * 2,
            guides.len(),
            "every Swedish guide has an English one"
        );
    }

    #[test]
    fn the_shipped_guides_name_only_declared_facts_and_no_placeholder() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge/guides");
        let shipped = CompanyProfile::shipped();
        let guides = load_dir(&dir, REQUIRED_INTENTS, &shipped).unwrap();
        // Every name the guides use is declared, and the shipped profile sets none of them.
        let unset = unset_facts(&guides, &shipped);
        for name in [
            "my_pages",
            "outages",
            "incoming_mail_server",
            "outgoing_mail_server",
        ] {
            assert!(unset.contains_key(name), "{unset:?}");
        }
        assert_eq!(
            unset["incoming_mail_server"], 2,
            "the two e-mail settings guides"
        );
        // Without a profile, no guide that names a fact is accepted.
        let problems = load_dir(&dir, REQUIRED_INTENTS, &CompanyProfile::default()).unwrap_err();
        assert!(
            problems
                .iter()
                .any(|p| p.contains("no link named my_pages")),
            "{problems:?}"
        );
        let set = shipped
            .with_link("my_pages", "https://www.operatoren.se/mina-sidor")
            .unwrap();
        assert!(!unset_facts(&guides, &set).contains_key("my_pages"));
    }
}
