//! The editor workflow: validate, store, index and share guides and outage notices.
//!
//! A save is validated completely before anything is written; once stored it is applied to
//! this replica's knowledge base before the call returns, so the next chat uses it. Other
//! replicas pick it up by polling the revision log ([`Editing::refresh`]).

use std::borrow::Cow;
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use uuid::Uuid;

use super::base::{Change, GuideEntry, KnowledgeBase};
use super::guide::{self, Guide, GuideId, GuideProblem, OnFailure, Outline, Reading};
use super::index::IndexError;
use super::library;
use super::outage::{Outage, Service};
use crate::classifier::pool::PoolError;
use crate::classifier::Classifier;
use crate::company::CompanyProfile;
use crate::domain::{Intent, Locale};
use crate::storage::{GuideToSave, OutageRow, RevisionRow, Store, StoreError};
use crate::timestamp::Timestamp;

#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error("the guide is not valid")]
    Invalid(Vec<GuideProblem>),
    #[error("no such guide")]
    NotFound,
    #[error("{0}")]
    BadOutage(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error("embedding the guide failed: {0}")]
    Encoder(#[from] PoolError),
    #[error("the committed guides are not valid: {}", .0.join("; "))]
    Library(Vec<String>),
}

/// A save's result: the guide as now live, and whether it was new.
#[derive(Debug, Clone)]
pub struct Saved {
    pub entry: Arc<GuideEntry>,
    pub created: bool,
}

/// Per-step counts for editors.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct StepStats {
    pub step: i64,
    pub title: Option<String>,
    pub shown: i64,
    pub worked: i64,
    pub failed: i64,
    pub skipped: i64,
}

/// A new outage notice from an editor.
#[derive(Debug, Clone)]
pub struct NewOutage {
    pub service: Service,
    pub postcodes: Vec<String>,
    pub message_sv: String,
    pub message_en: String,
    pub starts_at: Option<Timestamp>,
    pub expected_end: Option<Timestamp>,
}

/// How far back the revision poll looks: on PostgreSQL a revision with a lower `seq` can
/// commit after one with a higher `seq`; re-reading a window catches it, and versions make
/// re-applying harmless.
const POLL_LOOKBACK: i64 = 64;

#[derive(Clone)]
pub struct Editing {
    store: Store,
    knowledge: KnowledgeBase,
    classifier: Classifier,
    /// The facts guides may name; a guide naming any other is refused.
    company: Arc<CompanyProfile>,
    seen: Arc<AtomicI64>,
}

impl std::fmt::Debug for Editing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Editing").finish_non_exhaustive()
    }
}

fn outage_from_row(row: OutageRow) -> Result<Outage, StoreError> {
    let service = Service::parse(&row.service)
        .ok_or_else(|| StoreError::Corrupt(format!("outage service {:?}", row.service)))?;
    let postcodes: Vec<String> = serde_json::from_str(&row.postcodes_json)
        .map_err(|e| StoreError::Corrupt(format!("outage postcodes: {e}")))?;
    Ok(Outage {
        id: row.id,
        service,
        postcodes,
        message_sv: row.message_sv,
        message_en: row.message_en,
        starts_at: row.starts_at,
        expected_end: row.expected_end,
    })
}

/// A guide's vectors: the whole passage, and each phrase customers use. All requests are
/// made at once so the encoder batches them.
pub async fn embed_guide(
    classifier: &Classifier,
    guide: &Guide,
) -> Result<(Vec<f32>, Vec<Vec<f32>>), PoolError> {
    let passage = classifier.embed_guide_passage(GuideEntry::passage(guide));
    let phrases = futures::future::try_join_all(
        GuideEntry::phrases(guide)
            .into_iter()
            .map(|p| classifier.embed_guide_phrase(p)),
    );
    futures::try_join!(passage, phrases)
}

impl Editing {
    pub fn new(
        store: Store,
        knowledge: KnowledgeBase,
        classifier: Classifier,
        company: Arc<CompanyProfile>,
    ) -> Self {
        Self {
            store,
            knowledge,
            classifier,
            company,
            seen: Arc::new(AtomicI64::new(0)),
        }
    }

    pub fn knowledge(&self) -> &KnowledgeBase {
        &self.knowledge
    }

    /// The company profile guides are checked against and shown with.
    pub fn company(&self) -> &CompanyProfile {
        &self.company
    }

    fn intents(&self) -> &[Intent] {
        self.classifier.intents()
    }

    /// Parses a guide's source and checks it against the live guides.
    pub fn validate(&self, id: &str, source: &str) -> Result<Guide, EditError> {
        let reading = self.check(Some(id), source);
        match reading.guide {
            Ok(guide) => Ok(guide),
            Err(problems) => Err(EditError::Invalid(problems)),
        }
    }

    /// Everything a save of `source` under `address` would report, and what could be read of
    /// it, without storing anything: the editor's live preview asks this as the editor types.
    pub fn check(&self, address: Option<&str>, source: &str) -> Reading {
        let intents = self.intents();
        let mut reading = guide::read(source, intents, &self.company);
        let across = self.problems_across(address, &reading.outline);
        if !across.is_empty() {
            reading.guide = match reading.guide {
                Ok(_) => Err(across),
                Err(mut problems) => {
                    problems.extend(across);
                    Err(problems)
                }
            };
        }
        reading
    }

    /// What a guide has wrong with respect to its address and the live guides; checked on
    /// whatever could be read, so that they are reported along with the guide's own problems.
    fn problems_across(&self, address: Option<&str>, outline: &Outline) -> Vec<GuideProblem> {
        let mut problems = Vec::new();
        if let (Some(id), Some(address)) = (&outline.id, address) {
            if id.as_str() != address {
                problems.push(
                    GuideProblem::new(
                        "id_differs_from_address",
                        format!("the id in the front matter ({id}) differs from the address ({address})"),
                    )
                    .at(2)
                    .with("id", id.as_str())
                    .with("address", address),
                );
            }
        }
        for (number, step) in (1..).zip(&outline.steps) {
            let Some(OnFailure::Guide(target)) = &step.on_failure else {
                continue;
            };
            let problem = match self.knowledge.get(target) {
                None => GuideProblem::new(
                    "jump_to_missing_guide",
                    format!("step {number} jumps to the missing guide {target}"),
                ),
                Some(other) if outline.language.is_some_and(|l| l != other.guide.language) => {
                    GuideProblem::new(
                        "jump_to_other_language",
                        format!("step {number} jumps to {target}, which is in another language"),
                    )
                }
                Some(_) => continue,
            };
            problems.push(
                problem
                    .with("step", number.to_string())
                    .with("id", target.as_str()),
            );
        }
        if let (Some(translation), Some(language)) = (&outline.translation, outline.language) {
            if translation
                .as_str()
                .ends_with(&format!("-{}", language.as_str()))
            {
                problems.push(
                    GuideProblem::new(
                        "translation_same_language",
                        format!("translation {translation} is in the same language"),
                    )
                    .with("id", translation.as_str()),
                );
            }
        }
        problems
    }

    async fn entry(&self, revision: &RevisionRow, guide: Guide) -> Result<GuideEntry, EditError> {
        let (vector, phrase_vectors) = embed_guide(&self.classifier, &guide).await?;
        Ok(GuideEntry {
            guide,
            source: revision.source.clone().unwrap_or_default(),
            version: revision.version,
            updated_at: revision.created_at,
            vector,
            phrase_vectors,
        })
    }

    /// Imports `dir` when no guide was ever stored (the first start), then loads every live
    /// guide into the knowledge base.
    /// The profile a stored guide is read with: the live one, also declaring any fact the
    /// guide names that the profile no longer does, so that fact is left out for customers
    /// rather than the guide (see [`CompanyProfile::also_declaring_facts_of`]).
    fn lenient_company(&self, guide_id: &str, source: &str) -> Cow<'_, CompanyProfile> {
        let (company, undeclared) = self.company.also_declaring_facts_of(source);
        if !undeclared.is_empty() {
            tracing::warn!(
                guide_id,
                facts = ?undeclared,
                "a stored guide names company facts the profile does not declare; \
                 customers see it without them"
            );
        }
        company
    }

    #[tracing::instrument(skip_all)]
    pub async fn load(&self, import_dir: Option<&Path>) -> Result<usize, EditError> {
        let head = self.store.latest_guide_revision().await?;
        if head == 0 {
            if let Some(dir) = import_dir.filter(|d| d.is_dir()) {
                let imported = self.import_dir(dir, "import").await?;
                tracing::info!(guides = imported, dir = %dir.display(), "imported guides");
            }
        }
        let head = self.store.latest_guide_revision().await?;
        let rows = self.store.live_guides().await?;
        let intents = self.intents();
        let mut parsed = Vec::with_capacity(rows.len());
        for row in rows {
            let company = self.lenient_company(&row.id, &row.source);
            match guide::parse(&row.source, intents, &company) {
                Ok(guide) => parsed.push((row, guide)),
                // A guide stored under an older model's intents: keep serving the rest.
                Err(problems) => {
                    tracing::warn!(guide_id = %row.id, ?problems, "stored guide no longer valid")
                }
            }
        }
        // Embedded together, so the encoder batches them.
        let vectors = futures::future::try_join_all(
            parsed.iter().map(|(_, g)| embed_guide(&self.classifier, g)),
        )
        .await?;
        let changes: Vec<Change> = parsed
            .into_iter()
            .zip(vectors)
            .map(|((row, guide), (vector, phrase_vectors))| {
                Change::Saved(Box::new(GuideEntry {
                    guide,
                    source: row.source,
                    version: row.version,
                    updated_at: row.updated_at,
                    vector,
                    phrase_vectors,
                }))
            })
            .collect();
        let loaded = self.knowledge.apply(changes)?;
        self.seen.fetch_max(head, Ordering::SeqCst);
        self.refresh_outages().await?;
        Ok(loaded)
    }

    /// Imports every guide in `dir` (checked together first: nothing is stored unless all
    /// are valid). Returns how many were saved.
    pub async fn import_dir(&self, dir: &Path, author: &str) -> Result<usize, EditError> {
        let intents = self.intents();
        let guides = library::load_dir(dir, intents, &self.company).map_err(EditError::Library)?;
        let now = Timestamp::now();
        let stored: std::collections::HashMap<String, String> = self
            .store
            .live_guides()
            .await?
            .into_iter()
            .map(|row| (row.id, row.source))
            .collect();
        let mut saved = 0;
        for guide in &guides {
            let path = dir.join(format!("{}.md", guide.id));
            let source = std::fs::read_to_string(&path)
                .map_err(|e| EditError::Library(vec![format!("{}: {e}", path.display())]))?;
            if stored.get(guide.id.as_str()) == Some(&source) {
                continue;
            }
            let result = self
                .store
                .save_guide(
                    GuideToSave {
                        id: guide.id.as_str(),
                        language: guide.language.as_str(),
                        title: &guide.title,
                        source: &source,
                    },
                    author,
                    now,
                )
                .await;
            match result {
                Ok(_) => saved += 1,
                // Replicas starting together on an empty database all import; for each guide
                // one insert wins and the others find it taken, which is the same outcome.
                Err(StoreError::Database(sqlx::Error::Database(e))) if e.is_unique_violation() => {
                    tracing::debug!(guide_id = %guide.id, "another replica imported this guide");
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(saved)
    }

    /// Validates and saves a guide; live in this replica's chats and search when it returns.
    #[tracing::instrument(skip_all, fields(guide_id = id))]
    pub async fn save(&self, id: &str, source: &str, author: &str) -> Result<Saved, EditError> {
        let guide = self.validate(id, source)?;
        let created = self.knowledge.get(&guide.id).is_none();
        // Embed before storing: if the encoder fails, nothing is saved half-way.
        let (vector, phrase_vectors) = embed_guide(&self.classifier, &guide).await?;
        let revision = self
            .store
            .save_guide(
                GuideToSave {
                    id: guide.id.as_str(),
                    language: guide.language.as_str(),
                    title: &guide.title,
                    source,
                },
                author,
                Timestamp::now(),
            )
            .await?;
        let entry = GuideEntry {
            guide,
            source: source.to_owned(),
            version: revision.version,
            updated_at: revision.created_at,
            vector,
            phrase_vectors,
        };
        let id = entry.guide.id.clone();
        self.knowledge.apply(vec![Change::Saved(Box::new(entry))])?;
        let entry = self.knowledge.get(&id).ok_or(EditError::NotFound)?;
        tracing::info!(version = revision.version, created, "guide saved");
        Ok(Saved { entry, created })
    }

    /// Takes a guide out of chats and search at once; its history stays.
    #[tracing::instrument(skip_all, fields(guide_id = %id))]
    pub async fn delete(&self, id: &GuideId, author: &str) -> Result<(), EditError> {
        let revision = self
            .store
            .delete_guide(id.as_str(), author, Timestamp::now())
            .await?
            .ok_or(EditError::NotFound)?;
        self.knowledge.apply(vec![Change::Deleted {
            id: id.clone(),
            version: revision.version,
        }])?;
        tracing::info!(version = revision.version, "guide deleted");
        Ok(())
    }

    /// Applies revisions other replicas stored since the last call. Returns how many took
    /// effect here.
    pub async fn refresh(&self) -> Result<usize, EditError> {
        let seen = self.seen.load(Ordering::SeqCst);
        let revisions = self
            .store
            .guide_revisions_since((seen - POLL_LOOKBACK).max(0))
            .await?;
        let intents = self.intents();
        let mut changes = Vec::new();
        let mut head = seen;
        for revision in revisions {
            head = head.max(revision.seq);
            let Ok(id) = GuideId::parse(&revision.guide_id) else {
                continue;
            };
            if self
                .knowledge
                .seen_version(&id)
                .is_some_and(|v| v >= revision.version)
            {
                continue;
            }
            match &revision.source {
                Some(source) => match guide::parse(
                    source,
                    intents,
                    &self.lenient_company(&revision.guide_id, source),
                ) {
                    Ok(guide) => {
                        changes.push(Change::Saved(Box::new(self.entry(&revision, guide).await?)))
                    }
                    Err(_) => continue,
                },
                None => changes.push(Change::Deleted {
                    id,
                    version: revision.version,
                }),
            }
        }
        let applied = self.knowledge.apply(changes)?;
        self.seen.fetch_max(head, Ordering::SeqCst);
        self.refresh_outages().await?;
        Ok(applied)
    }

    pub async fn history(&self, id: &GuideId) -> Result<Vec<RevisionRow>, EditError> {
        let history = self.store.guide_history(id.as_str()).await?;
        if history.is_empty() {
            return Err(EditError::NotFound);
        }
        Ok(history)
    }

    /// Shown/worked/failed/skipped per step, with the live guide's step titles.
    pub async fn stats(&self, id: &GuideId) -> Result<Vec<StepStats>, EditError> {
        let entry = self.knowledge.get(id);
        let counts = self.store.guide_step_counts(id.as_str()).await?;
        if entry.is_none() && counts.is_empty() {
            return Err(EditError::NotFound);
        }
        let steps = entry.as_ref().map_or(0, |e| e.guide.steps.len() as i64);
        let last = counts
            .iter()
            .map(|(s, _, _)| *s)
            .max()
            .unwrap_or(0)
            .max(steps);
        let mut stats: Vec<StepStats> = (1..=last)
            .map(|step| StepStats {
                step,
                title: entry.as_ref().and_then(|e| {
                    usize::try_from(step - 1)
                        .ok()
                        .and_then(|i| e.guide.steps.get(i))
                        .map(|s| s.title.clone())
                }),
                shown: 0,
                worked: 0,
                failed: 0,
                skipped: 0,
            })
            .collect();
        for (step, event, n) in counts {
            let Some(row) = usize::try_from(step - 1)
                .ok()
                .and_then(|i| stats.get_mut(i))
            else {
                continue;
            };
            match event.as_str() {
                "shown" => row.shown += n,
                "worked" => row.worked += n,
                "failed" => row.failed += n,
                "skipped" => row.skipped += n,
                _ => {}
            }
        }
        Ok(stats)
    }

    pub async fn refresh_outages(&self) -> Result<(), EditError> {
        let rows = self.store.open_outages().await?;
        let outages = rows
            .into_iter()
            .map(outage_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        self.knowledge.set_outages(outages);
        Ok(())
    }

    pub async fn create_outage(&self, new: NewOutage, author: &str) -> Result<Outage, EditError> {
        let mut problems = Vec::new();
        if new.postcodes.is_empty() || new.postcodes.len() > 500 {
            problems.push("postcodes: give 1 to 500 postcode prefixes".to_owned());
        }
        for prefix in &new.postcodes {
            if !Outage::valid_prefix(prefix) {
                problems.push(format!("postcodes: {prefix:?} is not 1 to 5 digits"));
            }
        }
        for (field, text) in [
            ("message.sv", &new.message_sv),
            ("message.en", &new.message_en),
        ] {
            let length = text.trim().chars().count();
            if !(1..=1000).contains(&length) {
                problems.push(format!("{field}: 1 to 1000 characters"));
            }
        }
        let now = Timestamp::now();
        let starts_at = new.starts_at.unwrap_or(now);
        if new.expected_end.is_some_and(|end| end <= starts_at) {
            problems.push("expected_end: must be after starts_at".to_owned());
        }
        if !problems.is_empty() {
            return Err(EditError::BadOutage(problems.join("; ")));
        }
        let row = OutageRow {
            id: Uuid::now_v7().to_string(),
            service: new.service.as_str().to_owned(),
            postcodes_json: serde_json::to_string(&new.postcodes)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            message_sv: new.message_sv.trim().to_owned(),
            message_en: new.message_en.trim().to_owned(),
            starts_at,
            expected_end: new.expected_end,
            created_by: author.to_owned(),
            created_at: now,
            ended_at: None,
        };
        self.store.create_outage(&row).await?;
        let outage = outage_from_row(row)?;
        self.refresh_outages().await?;
        Ok(outage)
    }

    pub async fn end_outage(&self, id: &str) -> Result<(), EditError> {
        if !self.store.end_outage(id, Timestamp::now()).await? {
            return Err(EditError::NotFound);
        }
        self.refresh_outages().await
    }

    /// Guides in a language, for `felsok guides export`.
    pub fn live_in(&self, language: Option<Locale>) -> Vec<Arc<GuideEntry>> {
        self.knowledge
            .list()
            .into_iter()
            .filter(|e| language.is_none_or(|l| e.guide.language == l))
            .collect()
    }
}
