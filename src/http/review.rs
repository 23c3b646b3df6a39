//! The editors' review inbox over HTTP: what the bot handled badly, grouped by meaning, and
//! the editor's verdict on it.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{ApiJson, ApiQuery, EditorStaff};
use super::{ApiError, AppState};
use crate::domain::{parse_iso_date, FieldError, Intent, Locale, MissKind, ReviewStatus};
use crate::knowledge::GuideId;
use crate::review::{Entry, ExamplesError, Inbox, Lesson, ReviewError};
use crate::storage::ReviewFilter;
use crate::timestamp::Timestamp;

/// How many items one read groups by default, and at most: the newest of them.
const DEFAULT_LIMIT: i64 = 500;
const MAX_LIMIT: i64 = 2000;
/// How many items one verdict may name.
const MAX_ITEMS_PER_ACTION: usize = 2000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/review", get(read_inbox))
        .route("/api/v1/review/dismiss", post(dismiss))
        .route("/api/v1/review/teach", post(teach))
        .route("/api/v1/review/taught", get(taught))
}

impl From<ReviewError> for ApiError {
    fn from(error: ReviewError) -> Self {
        let refused = |code, message: String| FieldError::new("guide", code, message).into();
        match error {
            ReviewError::NoSuchGuide => Self::NotFound(super::Missing::Guide),
            ReviewError::NoGuideIn { guide, language } => {
                let language = language.as_str();
                refused(
                    "no_translation",
                    format!("{guide} has no translation for the messages in {language}."),
                )
            }
            ReviewError::Examples(ExamplesError::Inline) => refused(
                "examples_inline",
                "The guide writes its examples on one line; write them as a list, one a line, \
                 to add to them."
                    .to_owned(),
            ),
            ReviewError::Examples(ExamplesError::NoFrontMatter) => refused(
                "examples_unreadable",
                "The guide's front matter could not be found.".to_owned(),
            ),
            ReviewError::Guide(e) => e.into(),
            ReviewError::Store(_) | ReviewError::Classifier(_) => Self::Internal(error.to_string()),
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct InboxParams {
    /// `open` (the default), `dismissed` or `taught`.
    status: Option<String>,
    /// Only this reason: `not_understood`, `low_confidence`, `outside_area`,
    /// `steps_exhausted` or `handoff_during_guide`.
    kind: Option<String>,
    /// Only conversations in `sv` or `en`.
    lang: Option<String>,
    /// Only messages read as this intent.
    intent: Option<String>,
    /// Only misses about this guide.
    guide: Option<String>,
    /// From this day on (`YYYY-MM-DD`, Swedish time).
    from: Option<String>,
    /// Up to and including this day (`YYYY-MM-DD`, Swedish time).
    to: Option<String>,
    /// Group at most this many of the newest items (1 to 2000, default 500).
    limit: Option<i64>,
}

impl InboxParams {
    /// The filter, or every problem with the parameters at once.
    fn filter(&self) -> Result<ReviewFilter, Vec<FieldError>> {
        let mut problems = Vec::new();
        let mut named =
            |field: &'static str, raw: Option<&str>, known: &[&str]| -> Option<String> {
                let raw = raw?;
                if known.contains(&raw) {
                    return Some(raw.to_owned());
                }
                problems.push(FieldError::new(
                    field,
                    "invalid_filter",
                    format!("{field} must be one of: {}.", known.join(", ")),
                ));
                None
            };
        let names = |all: &'static [MissKind]| all.iter().map(|k| k.as_str()).collect::<Vec<_>>();
        let statuses: Vec<&str> = ReviewStatus::ALL.iter().map(|s| s.as_str()).collect();
        let intents: Vec<&str> = Intent::ALL.iter().map(|i| i.as_str()).collect();
        let status = named("status", self.status.as_deref(), &statuses);
        let kind = named("kind", self.kind.as_deref(), &names(MissKind::ALL));
        let lang = named("lang", self.lang.as_deref(), &["sv", "en"]);
        let intent = named("intent", self.intent.as_deref(), &intents);
        let mut day = |field: &'static str, raw: Option<&str>| {
            let raw = raw?;
            let parsed = parse_iso_date(raw);
            if parsed.is_none() {
                problems.push(FieldError::new(
                    field,
                    "invalid_date",
                    format!("{field} must be a date like 2026-12-01."),
                ));
            }
            parsed
        };
        let from = day("from", self.from.as_deref());
        let to = day("to", self.to.as_deref());
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            problems.push(FieldError::new(
                "limit",
                "invalid_limit",
                format!("limit must be 1 to {MAX_LIMIT}."),
            ));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(ReviewFilter {
            status: status
                .and_then(|s| ReviewStatus::parse(&s))
                .unwrap_or(ReviewStatus::Open),
            kind: kind.and_then(|k| MissKind::parse(&k)),
            locale: lang.and_then(|l| Locale::parse(&l).ok()),
            intent: intent.and_then(|i| Intent::parse(&i).ok()),
            guide_id: self.guide.clone().filter(|g| !g.trim().is_empty()),
            since: from.map(Timestamp::start_of_swedish_day),
            until: to
                .and_then(|day| day.next_day())
                .map(Timestamp::start_of_swedish_day),
            limit,
        })
    }
}

/// A name with how often it comes up in a group.
#[derive(Debug, Serialize, ToSchema)]
pub struct Tally {
    name: String,
    count: usize,
}

/// One customer message in the inbox.
#[derive(Debug, Serialize, ToSchema)]
pub struct InboxMessage {
    message_id: String,
    conversation_id: String,
    /// The customer's words, masked as they were stored.
    text: String,
    /// Why it is here, oldest reason first.
    kinds: Vec<MissKind>,
    language: Locale,
    /// What the bot read it as, when it read anything.
    intent: Option<Intent>,
    confidence: Option<f64>,
    /// The guide it concerns, for misses about a guide.
    guide_id: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    at: Timestamp,
    /// The inbox items about this message: what a verdict names.
    item_ids: Vec<String>,
}

impl From<Entry> for InboxMessage {
    fn from(entry: Entry) -> Self {
        let item = entry.item;
        Self {
            message_id: item.message_id,
            conversation_id: item.conversation_id,
            text: item.text,
            kinds: entry.kinds,
            language: item.locale,
            intent: item.intent,
            confidence: item.confidence,
            guide_id: item.guide_id,
            at: item.created_at,
            item_ids: entry.item_ids,
        }
    }
}

/// Messages that say the same thing.
#[derive(Debug, Serialize, ToSchema)]
pub struct InboxGroup {
    /// How many messages.
    size: usize,
    /// The reasons, the intents read and the guides concerned, most frequent first.
    kinds: Vec<Tally>,
    intents: Vec<Tally>,
    guides: Vec<Tally>,
    /// Every item of the group, so one verdict can cover it all.
    item_ids: Vec<String>,
    /// Newest first.
    messages: Vec<InboxMessage>,
}

/// An intent with what people call it.
#[derive(Debug, Serialize, ToSchema)]
pub struct IntentChoice {
    name: Intent,
    sv: &'static str,
    en: &'static str,
    /// Whether a message can be taught as it here; `out_of_scope` has a verdict of its own.
    teachable: bool,
}

/// The inbox: groups of messages, the biggest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct InboxBody {
    /// How many items were read.
    items: usize,
    /// More matched than `limit`: the oldest were left out.
    limited: bool,
    groups: Vec<InboxGroup>,
    /// Every intent with its labels, so the editor keeps no list of its own.
    intent_choices: Vec<IntentChoice>,
}

fn tally<'a>(names: impl Iterator<Item = &'a str>) -> Vec<Tally> {
    let mut counts: Vec<Tally> = Vec::new();
    for name in names {
        match counts.iter_mut().find(|t| t.name == name) {
            Some(t) => t.count += 1,
            None => counts.push(Tally {
                name: name.to_owned(),
                count: 1,
            }),
        }
    }
    // Stable: equal counts keep the order they were first seen in (newest first).
    counts.sort_by_key(|t| std::cmp::Reverse(t.count));
    counts
}

impl From<Vec<Entry>> for InboxGroup {
    fn from(entries: Vec<Entry>) -> Self {
        let kinds = tally(
            entries
                .iter()
                .flat_map(|e| e.kinds.iter().map(|k| k.as_str())),
        );
        let intents = tally(
            entries
                .iter()
                .filter_map(|e| e.item.intent.map(Intent::as_str)),
        );
        let guides = tally(entries.iter().filter_map(|e| e.item.guide_id.as_deref()));
        let item_ids = entries.iter().flat_map(|e| e.item_ids.clone()).collect();
        Self {
            size: entries.len(),
            kinds,
            intents,
            guides,
            item_ids,
            messages: entries.into_iter().map(InboxMessage::from).collect(),
        }
    }
}

impl From<Inbox> for InboxBody {
    fn from(inbox: Inbox) -> Self {
        Self {
            items: inbox.items,
            limited: inbox.limited,
            groups: inbox.groups.into_iter().map(InboxGroup::from).collect(),
            intent_choices: Intent::ALL
                .iter()
                .map(|&i| IntentChoice {
                    name: i,
                    sv: i.label(Locale::Sv),
                    en: i.label(Locale::En),
                    teachable: i != Intent::OutOfScope,
                })
                .collect(),
        }
    }
}

/// The review inbox (editor): customers' messages the bot handled badly, already masked,
/// grouped by meaning, the biggest groups first.
#[utoipa::path(get, path = "/api/v1/review", tag = "review", params(InboxParams),
    responses((status = 200, body = InboxBody), (status = 401, body = super::ErrorBody),
        (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)),
    security(("bearer" = [])))]
async fn read_inbox(
    State(state): State<AppState>,
    _editor: EditorStaff,
    ApiQuery(params): ApiQuery<InboxParams>,
) -> Result<Json<InboxBody>, ApiError> {
    let filter = params.filter()?;
    Ok(Json(state.review.read(&filter).await?.into()))
}

/// The items an editor gives a verdict on.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Verdict {
    /// Item ids from the inbox (a message's or a whole group's).
    item_ids: Vec<String>,
}

impl Verdict {
    fn checked(self) -> Result<Vec<String>, FieldError> {
        if self.item_ids.is_empty() || self.item_ids.len() > MAX_ITEMS_PER_ACTION {
            return Err(FieldError::new(
                "item_ids",
                "invalid_items",
                format!("item_ids must name 1 to {MAX_ITEMS_PER_ACTION} items."),
            ));
        }
        Ok(self.item_ids)
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Handled {
    /// How many of the items were still open and are now handled; items already handled
    /// keep their first verdict.
    handled: u64,
}

/// Dismiss items (editor): looked at, nothing to teach. They leave the open inbox.
#[utoipa::path(post, path = "/api/v1/review/dismiss", tag = "review", request_body = Verdict,
    responses((status = 200, body = Handled), (status = 401, body = super::ErrorBody),
        (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)),
    security(("bearer" = [])))]
async fn dismiss(
    State(state): State<AppState>,
    staff: EditorStaff,
    ApiJson(verdict): ApiJson<Verdict>,
) -> Result<Json<Handled>, ApiError> {
    let ids = verdict.checked()?;
    let handled = state.review.dismiss(&ids, &staff.member.name).await?;
    Ok(Json(Handled { handled }))
}

/// What an editor teaches from the items: exactly one of `intent`, `guide` and
/// `out_of_scope`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Teaching {
    /// Item ids from the inbox (a message's or a whole group's).
    item_ids: Vec<String>,
    /// The messages are examples of this intent (used by the next trained head).
    intent: Option<String>,
    /// The messages are ways customers put this guide's problem: added to its `examples:`
    /// (or its translation's, for messages in the other language) and live at once.
    guide: Option<String>,
    /// The messages are outside what the bot helps with.
    out_of_scope: Option<bool>,
}

impl Teaching {
    fn lesson(&self) -> Result<Lesson, FieldError> {
        let one = |code, message: &str| FieldError::new("lesson", code, message.to_owned());
        match (&self.intent, &self.guide, self.out_of_scope) {
            (Some(intent), None, None | Some(false)) => Intent::parse(intent)
                .map(Lesson::Intent)
                .map_err(|_| FieldError::new("intent", "unknown_intent", "No such intent.")),
            (None, Some(guide), None | Some(false)) => GuideId::parse(guide)
                .map(Lesson::Guide)
                .map_err(|_| FieldError::new("guide", "invalid_guide_id", "No guide has this id.")),
            (None, None, Some(true)) => Ok(Lesson::Intent(Intent::OutOfScope)),
            (None, None, _) => Err(one(
                "lesson_missing",
                "Say what to teach: an intent, a guide or out_of_scope.",
            )),
            _ => Err(one(
                "lesson_ambiguous",
                "Teach one thing at a time: an intent, a guide or out_of_scope.",
            )),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SavedGuide {
    id: String,
    version: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Taught {
    /// How many of the items were still open and are now taught.
    handled: u64,
    /// The guides saved with the new examples.
    guides: Vec<SavedGuide>,
}

/// Teach the bot from items (editor), in one action: as examples of an intent, as ways of
/// putting a guide's problem, or as outside the bot's area. The items leave the open inbox.
#[utoipa::path(post, path = "/api/v1/review/teach", tag = "review", request_body = Teaching,
    responses((status = 200, body = Taught), (status = 401, body = super::ErrorBody),
        (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody),
        (status = 422, body = super::ErrorBody)),
    security(("bearer" = [])))]
async fn teach(
    State(state): State<AppState>,
    staff: EditorStaff,
    ApiJson(teaching): ApiJson<Teaching>,
) -> Result<Json<Taught>, ApiError> {
    let lesson = teaching.lesson();
    let ids = Verdict {
        item_ids: teaching.item_ids,
    }
    .checked();
    let (lesson, ids) = match (lesson, ids) {
        (Ok(lesson), Ok(ids)) => (lesson, ids),
        (lesson, ids) => {
            return Err(ApiError::InvalidFields(
                [lesson.err(), ids.err()].into_iter().flatten().collect(),
            ))
        }
    };
    let handled = state
        .review
        .teach(&ids, &lesson, &staff.member.name)
        .await?;
    Ok(Json(Taught {
        handled: handled.items,
        guides: handled
            .guides
            .into_iter()
            .map(|(id, version)| SavedGuide {
                id: id.to_string(),
                version,
            })
            .collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaughtExample {
    /// The training set's version this example made.
    seq: i64,
    text: String,
    language: Locale,
    intent: Intent,
    author: String,
    #[schema(value_type = String, format = DateTime)]
    at: Timestamp,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaughtList {
    /// The newest `seq`: the version of the taught training set, 0 when nothing was taught.
    version: i64,
    examples: Vec<TaughtExample>,
}

/// Every example taught from the inbox (editor), oldest first, with its author.
#[utoipa::path(get, path = "/api/v1/review/taught", tag = "review",
    responses((status = 200, body = TaughtList), (status = 401, body = super::ErrorBody),
        (status = 403, body = super::ErrorBody)),
    security(("bearer" = [])))]
async fn taught(
    State(state): State<AppState>,
    _editor: EditorStaff,
) -> Result<Json<TaughtList>, ApiError> {
    let rows = state.review.taught().await?;
    Ok(Json(TaughtList {
        version: rows.last().map_or(0, |r| r.seq),
        examples: rows
            .into_iter()
            .map(|r| TaughtExample {
                seq: r.seq,
                text: r.text,
                language: r.language,
                intent: r.intent,
                author: r.author,
                at: r.created_at,
            })
            .collect(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_parameter_is_named_at_once() {
        let params = InboxParams {
            kind: Some("misread".into()),
            lang: Some("fi".into()),
            from: Some("1 dec".into()),
            limit: Some(0),
            ..InboxParams::default()
        };
        let fields: Vec<_> = params
            .filter()
            .unwrap_err()
            .iter()
            .map(|p| (p.field, p.code))
            .collect();
        assert_eq!(
            fields,
            vec![
                ("kind", "invalid_filter"),
                ("lang", "invalid_filter"),
                ("from", "invalid_date"),
                ("limit", "invalid_limit")
            ]
        );
    }

    #[test]
    fn days_are_swedish_and_the_last_day_is_included() {
        let params = InboxParams {
            from: Some("2026-12-01".into()),
            to: Some("2026-12-07".into()),
            ..InboxParams::default()
        };
        let filter = params.filter().unwrap();
        assert_eq!(filter.status, ReviewStatus::Open);
        assert_eq!(filter.limit, DEFAULT_LIMIT);
        assert_eq!(
            filter.since.unwrap().to_string(),
            "2026-11-30T23:00:00.000000Z"
        );
        assert_eq!(
            filter.until.unwrap().to_string(),
            "2026-12-07T23:00:00.000000Z"
        );
    }
}
