//! The guides in use, held in memory with their search index and vectors.
//!
//! Storage is the record; this is what chats and searches read, so that reading a guide or
//! finding one never waits on the database. Changes arrive through [`KnowledgeBase::apply`],
//! from this replica's own saves at once and from other replicas' saves by polling.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};

use super::guide::{Guide, GuideId};
use super::index::{GuideIndex, IndexError, TextHit, TextQuery};
use super::outage::Outage;
use super::subjects::{self, Subject};
use crate::domain::{Intent, Locale};
use crate::timestamp::Timestamp;

/// A live guide with what the service needs to use it.
#[derive(Debug, Clone)]
pub struct GuideEntry {
    pub guide: Guide,
    pub source: String,
    pub version: i64,
    pub updated_at: Timestamp,
    /// The guide's meaning as the encoder sees it (`passage: ` side); empty if unavailable.
    pub vector: Vec<f32>,
    /// Each way customers put the problem (symptoms and examples), encoded like a customer
    /// message (`query: ` side): a message close to any one of them fits the guide.
    pub phrase_vectors: Vec<Vec<f32>>,
}

impl GuideEntry {
    /// The lines encoded one by one for [`GuideEntry::phrase_vectors`].
    pub fn phrases(guide: &Guide) -> Vec<String> {
        std::iter::once(&guide.title)
            .chain(&guide.symptoms)
            .chain(&guide.examples)
            .cloned()
            .collect()
    }

    /// How close a message's vector is to the guide: its nearest phrase, or the whole
    /// passage, whichever is closer.
    fn similarity(&self, vector: &[f32]) -> Option<f32> {
        let passage = (!self.vector.is_empty()).then(|| dot(vector, &self.vector));
        let phrase = self
            .phrase_vectors
            .iter()
            .map(|p| dot(vector, p))
            .max_by(f32::total_cmp);
        match (passage, phrase) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }

    /// The text whose vector stands for the guide: how customers describe the problem.
    pub fn passage(guide: &Guide) -> String {
        let mut text = format!("{}. {}", guide.title, guide.summary);
        for line in guide.symptoms.iter().chain(&guide.examples) {
            text.push_str(". ");
            text.push_str(line);
        }
        text
    }
}

/// A change to the set of live guides.
#[derive(Debug, Clone)]
pub enum Change {
    Saved(Box<GuideEntry>),
    Deleted { id: GuideId, version: i64 },
}

/// A guide found for a customer's message.
#[derive(Debug, Clone)]
pub struct Found {
    pub entry: Arc<GuideEntry>,
    pub score: f32,
}

/// What to find a guide for.
#[derive(Debug, Clone)]
pub struct FindQuery<'a> {
    pub text: &'a str,
    pub language: Locale,
    /// Intents the guide must serve (the classifier's reading); empty for any.
    pub intents: &'a [Intent],
    /// The message's vector (`query: ` side), for ranking by meaning.
    pub vector: Option<&'a [f32]>,
    /// The classifier's likely intents with their probabilities: guides serving them rank
    /// higher, without hiding the others in case the classifier is wrong.
    pub likely_intents: &'a [(Intent, f32)],
    pub limit: usize,
    pub weights: Weights,
}

/// How much each signal counts in [`KnowledgeBase::find`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    /// Text score, scaled so the best hit has 1.
    pub text: f32,
    /// Cosine similarity of meaning.
    pub meaning: f32,
    /// Probability that the message is about an intent the guide serves.
    pub intent: f32,
    /// How much of what the message names (devices, parts, kinds of fault) the guide is
    /// about (`subjects::coverage`).
    pub subject: f32,
}

impl Default for Weights {
    /// Chosen on the retrieval evaluation in `eval/retrieval/` (see eval/retrieval.md).
    fn default() -> Self {
        Self {
            text: 0.15,
            meaning: 1.0,
            intent: 0.15,
            subject: 0.05,
        }
    }
}

/// How many text hits are re-ranked by meaning, and how many guides nearest in meaning join
/// them even without a shared word (customers rarely use the guide's words).
const TEXT_CANDIDATES: usize = 20;
const MEANING_CANDIDATES: usize = 10;

#[derive(Debug)]
struct Live {
    guides: HashMap<GuideId, Arc<GuideEntry>>,
    /// What each live guide is about, for [`KnowledgeBase::find`].
    subjects: HashMap<GuideId, HashSet<Subject>>,
    /// The last version seen of each guide, deleted or not, so a late or repeated change
    /// never undoes a newer one.
    versions: HashMap<GuideId, i64>,
}

/// Shared by every request. Cheap to clone.
#[derive(Debug, Clone)]
pub struct KnowledgeBase {
    live: Arc<RwLock<Live>>,
    index: Arc<GuideIndex>,
    outages: Arc<RwLock<Arc<Vec<Outage>>>>,
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

impl KnowledgeBase {
    pub fn new() -> Result<Self, IndexError> {
        Ok(Self {
            live: Arc::new(RwLock::new(Live {
                guides: HashMap::new(),
                subjects: HashMap::new(),
                versions: HashMap::new(),
            })),
            index: Arc::new(GuideIndex::new()?),
            outages: Arc::new(RwLock::new(Arc::new(Vec::new()))),
        })
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Live> {
        // A panic while applying a change leaves the maps whole (they are replaced entry by
        // entry), so reading on is safe.
        self.live.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Applies changes newer than what is held; older or repeated ones are skipped. Returns
    /// how many took effect.
    pub fn apply(&self, changes: Vec<Change>) -> Result<usize, IndexError> {
        let mut live = self.live.write().unwrap_or_else(|e| e.into_inner());
        let mut upserts: Vec<GuideEntry> = Vec::new();
        let mut removals: Vec<GuideId> = Vec::new();
        for change in changes {
            let (id, version) = match &change {
                Change::Saved(entry) => (entry.guide.id.clone(), entry.version),
                Change::Deleted { id, version } => (id.clone(), *version),
            };
            if live.versions.get(&id).is_some_and(|seen| *seen >= version) {
                continue;
            }
            live.versions.insert(id.clone(), version);
            upserts.retain(|e| e.guide.id != id);
            removals.retain(|r| *r != id);
            match change {
                Change::Saved(entry) => upserts.push(*entry),
                Change::Deleted { id, .. } => removals.push(id),
            }
        }
        let applied = upserts.len() + removals.len();
        if applied == 0 {
            return Ok(0);
        }
        let guides: Vec<&Guide> = upserts.iter().map(|e| &e.guide).collect();
        let gone: Vec<&GuideId> = removals.iter().collect();
        self.index.apply(&guides, &gone)?;
        for id in removals {
            live.guides.remove(&id);
            live.subjects.remove(&id);
        }
        for entry in upserts {
            let about = subjects::of_guide(&entry.guide);
            live.subjects.insert(entry.guide.id.clone(), about);
            live.guides.insert(entry.guide.id.clone(), Arc::new(entry));
        }
        Ok(applied)
    }

    /// The last version seen of a guide, live or deleted.
    pub fn seen_version(&self, id: &GuideId) -> Option<i64> {
        self.read().versions.get(id).copied()
    }

    pub fn get(&self, id: &GuideId) -> Option<Arc<GuideEntry>> {
        self.read().guides.get(id).cloned()
    }

    /// Every live guide, by id.
    pub fn list(&self) -> Vec<Arc<GuideEntry>> {
        let mut all: Vec<_> = self.read().guides.values().cloned().collect();
        all.sort_by(|a, b| a.guide.id.cmp(&b.guide.id));
        all
    }

    pub fn len(&self) -> usize {
        self.read().guides.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Full-text search, as editors and the search endpoint use it.
    pub fn search(
        &self,
        text: &str,
        language: Locale,
        limit: usize,
    ) -> Result<Vec<TextHit>, IndexError> {
        self.index.search(&TextQuery {
            text,
            language,
            intents: &[],
            limit,
        })
    }

    /// The guides that best fit a customer's message: the intent narrows, the text ranks, and
    /// the message's meaning re-ranks the best of them.
    /// The guide in `language` nearest in meaning to `vector`, with how near it is and how
    /// near the nearest guide for other intents is: a guide far ahead of every other kind is
    /// what the message is about even when the classifier has no name for it.
    pub fn nearest_in_meaning(
        &self,
        vector: &[f32],
        language: Locale,
    ) -> Option<(Arc<GuideEntry>, f32, f32)> {
        let live = self.read();
        let mut near: Vec<(f32, &Arc<GuideEntry>)> = live
            .guides
            .values()
            .filter(|e| e.guide.language == language)
            .filter_map(|e| Some((e.similarity(vector)?, e)))
            .collect();
        near.sort_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then_with(|| a.1.guide.id.cmp(&b.1.guide.id))
        });
        let (best, entry) = near.first()?;
        let other_kind = near
            .iter()
            .find(|(_, e)| {
                !e.guide
                    .intents
                    .iter()
                    .any(|i| entry.guide.intents.contains(i))
            })
            .map_or(0.0, |(s, _)| *s);
        Some(((*entry).clone(), *best, other_kind))
    }

    pub fn find(&self, query: &FindQuery<'_>) -> Result<Vec<Found>, IndexError> {
        let text_hits = self.index.search(&TextQuery {
            text: query.text,
            language: query.language,
            intents: query.intents,
            limit: TEXT_CANDIDATES,
        })?;
        let live = self.read();
        let best_text = text_hits.first().map_or(1.0, |h| h.score.max(f32::EPSILON));
        let mut scored: HashMap<GuideId, (f32, Option<f32>)> = HashMap::new();
        for hit in &text_hits {
            scored.insert(hit.id.clone(), (hit.score / best_text, None));
        }
        if let Some(vector) = query.vector {
            let mut nearest: Vec<(f32, &GuideId)> = live
                .guides
                .values()
                .filter(|e| e.guide.language == query.language)
                .filter(|e| {
                    query.intents.is_empty()
                        || e.guide.intents.iter().any(|i| query.intents.contains(i))
                })
                .filter_map(|e| Some((e.similarity(vector)?, &e.guide.id)))
                .collect();
            nearest.sort_by(|a, b| b.0.total_cmp(&a.0));
            for (similarity, id) in nearest.iter().take(MEANING_CANDIDATES) {
                scored
                    .entry((*id).clone())
                    .or_insert((0.0, Some(*similarity)));
            }
            for (id, (_, meaning)) in scored.iter_mut() {
                if meaning.is_none() {
                    *meaning = live.guides.get(id).and_then(|e| e.similarity(vector));
                }
            }
        }
        let w = query.weights;
        let named = subjects::named_in(query.text);
        let in_language: Vec<&HashSet<Subject>> = live
            .subjects
            .iter()
            .filter(|(id, _)| {
                live.guides
                    .get(*id)
                    .is_some_and(|e| e.guide.language == query.language)
            })
            .map(|(_, s)| s)
            .collect();
        let covers = subjects::coverage(&named, in_language.iter().copied());
        let mut found: Vec<Found> = scored
            .into_iter()
            .filter_map(|(id, (text, meaning))| {
                let entry = live.guides.get(&id)?.clone();
                let intent = query
                    .likely_intents
                    .iter()
                    .filter(|(name, _)| entry.guide.intents.contains(name))
                    .map(|(_, p)| *p)
                    .fold(0.0_f32, f32::max);
                let about = live.subjects.get(&id).map_or(0.0, &covers);
                let score = w.text * text
                    + w.meaning * meaning.unwrap_or(0.0)
                    + w.intent * intent
                    + w.subject * about;
                Some(Found { entry, score })
            })
            .collect();
        found.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.entry.guide.id.cmp(&b.entry.guide.id))
        });
        found.truncate(query.limit);
        Ok(found)
    }

    /// Outage notices not yet ended, as last loaded.
    pub fn outages(&self) -> Arc<Vec<Outage>> {
        self.outages
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn set_outages(&self, outages: Vec<Outage>) {
        *self.outages.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(outages);
    }
}
