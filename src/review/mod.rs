//! The editors' review inbox: the customers' messages the bot handled badly, grouped by
//! meaning so that an editor reads one group, not three hundred messages.
//!
//! The engine names each miss as it answers (`dialogue::Miss`), the conversation stores it
//! with the turn, and this service reads them back. Only the stored, already masked text is
//! ever shown, and erasing a conversation removes its items with it.

mod grouping;
mod teach;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub use grouping::{by_meaning, SAME_MEANING};
pub use teach::{with_examples, ExamplesError, Lesson};

use crate::classifier::pool::PoolError;
use crate::classifier::Classifier;
use crate::domain::{Locale, MissKind, ReviewStatus};
use crate::knowledge::{EditError, Editing, GuideEntry, GuideId};
use crate::storage::{ReviewFilter, ReviewRow, Store, StoreError};
use crate::timestamp::Timestamp;

/// Vectors kept for stored messages, by message id; about 1.5 KB each.
const VECTOR_CACHE_ENTRIES: usize = 10_000;

/// Why reading or changing the inbox failed. The HTTP layer maps each to a status.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("encoding failed: {0}")]
    Classifier(#[from] PoolError),
    /// The guide to teach does not exist.
    #[error("no such guide")]
    NoSuchGuide,
    /// Messages in a language the guide has no translation in.
    #[error("the guide {guide} has no translation in {}", language.as_str())]
    NoGuideIn { guide: GuideId, language: Locale },
    #[error("the guide's examples cannot be added to: {0}")]
    Examples(#[from] ExamplesError),
    #[error(transparent)]
    Guide(#[from] EditError),
}

/// What one verdict did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handled {
    /// How many of the items were still open and are now handled.
    pub items: u64,
    /// The guides saved with new examples, with their new versions.
    pub guides: Vec<(GuideId, i64)>,
}

/// One customer message in the inbox, with every reason it is there.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The newest item about the message; its text is the customer's, masked.
    pub item: ReviewRow,
    /// Every reason, in the order first recorded.
    pub kinds: Vec<MissKind>,
    /// The ids of every item about the message, to act on all of them at once.
    pub item_ids: Vec<String>,
}

/// The inbox as read: groups of messages that say the same thing, the biggest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Inbox {
    /// Each group's messages, newest first.
    pub groups: Vec<Vec<Entry>>,
    /// How many items were read; the filter's limit when `limited`.
    pub items: usize,
    /// More items matched than the limit let in: the oldest were left out.
    pub limited: bool,
}

/// The inbox service, shared by all requests. Cheap to clone.
#[derive(Clone)]
pub struct ReviewInbox {
    store: Store,
    classifier: Classifier,
    editing: Editing,
    vectors: Arc<Mutex<HashMap<String, Arc<[f32]>>>>,
}

impl std::fmt::Debug for ReviewInbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReviewInbox").finish_non_exhaustive()
    }
}

impl ReviewInbox {
    pub fn new(store: Store, classifier: Classifier, editing: Editing) -> Self {
        Self {
            store,
            classifier,
            editing,
            vectors: Arc::default(),
        }
    }

    /// The items that match `filter`, one entry a message, grouped by meaning.
    pub async fn read(&self, filter: &ReviewFilter) -> Result<Inbox, ReviewError> {
        let rows = self.store.review_items(filter).await?;
        let items = rows.len();
        let limited = i64::try_from(items).is_ok_and(|n| n >= filter.limit);
        let entries = by_message(rows);
        let vectors = self.vectors_of(&entries).await?;
        let refs: Vec<&[f32]> = vectors.iter().map(|v| &v[..]).collect();
        let mut entries: Vec<Option<Entry>> = entries.into_iter().map(Some).collect();
        let groups = by_meaning(&refs, SAME_MEANING)
            .into_iter()
            .map(|members| {
                members
                    .into_iter()
                    .filter_map(|i| entries[i].take())
                    .collect()
            })
            .collect();
        Ok(Inbox {
            groups,
            items,
            limited,
        })
    }

    /// Marks the items dismissed by `editor`: looked at, nothing to teach. Returns how many
    /// were still open.
    pub async fn dismiss(&self, item_ids: &[String], editor: &str) -> Result<u64, ReviewError> {
        Ok(self
            .store
            .handle_review_items(item_ids, ReviewStatus::Dismissed, editor, Timestamp::now())
            .await?)
    }

    /// Teaches the bot from the items that are still open, in one action by `editor`, and
    /// marks them taught. An intent lesson is kept, versioned, for the next trained head; a
    /// guide lesson saves the guide (and its translation, for messages in the other
    /// language) as a new version by `editor`, live at once.
    pub async fn teach(
        &self,
        item_ids: &[String],
        lesson: &Lesson,
        editor: &str,
    ) -> Result<Handled, ReviewError> {
        let items = self.store.open_review_items(item_ids).await?;
        let now = Timestamp::now();
        match lesson {
            Lesson::Intent(intent) => {
                let items = self
                    .store
                    .teach_intent(&items, *intent, editor, now)
                    .await?;
                Ok(Handled {
                    items,
                    guides: Vec::new(),
                })
            }
            Lesson::Guide(id) => {
                let knowledge = self.editing.knowledge();
                let chosen = knowledge.get(id).ok_or(ReviewError::NoSuchGuide)?;
                let mut changes: Vec<(Arc<GuideEntry>, Vec<&str>)> = Vec::new();
                for item in &items {
                    let target = if chosen.guide.language == item.locale {
                        chosen.clone()
                    } else {
                        chosen
                            .guide
                            .translation
                            .as_ref()
                            .and_then(|t| knowledge.get(t))
                            .filter(|t| t.guide.language == item.locale)
                            .ok_or_else(|| ReviewError::NoGuideIn {
                                guide: id.clone(),
                                language: item.locale,
                            })?
                    };
                    match changes
                        .iter_mut()
                        .find(|(e, _)| e.guide.id == target.guide.id)
                    {
                        Some((_, texts)) => texts.push(&item.text),
                        None => changes.push((target, vec![&item.text])),
                    }
                }
                // Every source first: a guide that cannot take examples saves nothing.
                let mut sources = Vec::new();
                for (entry, texts) in &changes {
                    let source = with_examples(&entry.source, &entry.guide.examples, texts)?;
                    sources.extend(source.map(|s| (entry.guide.id.clone(), s)));
                }
                let mut guides = Vec::new();
                for (guide, source) in sources {
                    let saved = self.editing.save(guide.as_str(), &source, editor).await?;
                    guides.push((guide, saved.entry.version));
                }
                let ids: Vec<String> = items.iter().map(|i| i.id.clone()).collect();
                let items = self
                    .store
                    .handle_review_items(&ids, ReviewStatus::Taught, editor, now)
                    .await?;
                Ok(Handled { items, guides })
            }
        }
    }

    /// Every example taught, oldest first.
    pub async fn taught(&self) -> Result<Vec<crate::storage::TaughtRow>, ReviewError> {
        Ok(self.store.taught_examples().await?)
    }

    /// Each entry's vector: from memory when the message was encoded before (its stored text
    /// never changes), otherwise encoded behind the customers waiting now.
    async fn vectors_of(&self, entries: &[Entry]) -> Result<Vec<Arc<[f32]>>, PoolError> {
        let known: Vec<Option<Arc<[f32]>>> = {
            let cache = self.vectors.lock().unwrap_or_else(|e| e.into_inner());
            entries
                .iter()
                .map(|e| cache.get(&e.item.message_id).cloned())
                .collect()
        };
        let encoded = futures::future::try_join_all(
            entries
                .iter()
                .zip(&known)
                .filter(|(_, known)| known.is_none())
                .map(|(e, _)| self.classifier.embed_stored_message(&e.item.text)),
        )
        .await?;
        let mut encoded = encoded.into_iter().map(Arc::<[f32]>::from);
        let mut cache = self.vectors.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= VECTOR_CACHE_ENTRIES {
            cache.clear();
        }
        Ok(entries
            .iter()
            .zip(known)
            .map(|(entry, known)| {
                known.unwrap_or_else(|| {
                    let vector = encoded.next().expect("one vector per unknown entry");
                    cache.insert(entry.item.message_id.clone(), vector.clone());
                    vector
                })
            })
            .collect())
    }
}

/// One entry a message, in the order of each message's newest item.
fn by_message(rows: Vec<ReviewRow>) -> Vec<Entry> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    // Newest first: the first row of a message is its newest.
    for row in rows {
        match at.get(&row.message_id) {
            Some(&i) => {
                let entry = &mut entries[i];
                if !entry.kinds.contains(&row.kind) {
                    entry.kinds.insert(0, row.kind);
                }
                entry.item_ids.push(row.id);
            }
            None => {
                at.insert(row.message_id.clone(), entries.len());
                entries.push(Entry {
                    kinds: vec![row.kind],
                    item_ids: vec![row.id.clone()],
                    item: row,
                });
            }
        }
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Locale;

    fn row(id: &str, message: &str, kind: MissKind) -> ReviewRow {
        ReviewRow {
            id: id.to_owned(),
            conversation_id: "c".to_owned(),
            message_id: message.to_owned(),
            text: format!("text of {message}"),
            kind,
            locale: Locale::Sv,
            intent: None,
            confidence: None,
            guide_id: None,
            status: ReviewStatus::Open,
            created_at: Timestamp::now(),
        }
    }

    #[test]
    fn a_message_missed_twice_is_one_entry_with_both_reasons() {
        let entries = by_message(vec![
            row("3", "m2", MissKind::HandoffDuringGuide),
            row("2", "m1", MissKind::NotUnderstood),
            row("1", "m2", MissKind::StepsExhausted),
        ]);
        assert_eq!(entries.len(), 2);
        assert_eq!(
            entries[0].item.id, "3",
            "the newest item speaks for the message"
        );
        assert_eq!(
            entries[0].kinds,
            vec![MissKind::StepsExhausted, MissKind::HandoffDuringGuide]
        );
        assert_eq!(entries[0].item_ids, vec!["3", "1"]);
        assert_eq!(entries[1].kinds, vec![MissKind::NotUnderstood]);
    }
}
