//! The knowledge base over HTTP: guides (read by anyone, changed by editors), their history
//! and step statistics, search, and outage notices.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{ApiJson, ApiPath, ApiQuery, EditorStaff, Staff};
use super::{ApiError, AppState, Missing};
use crate::auth::StaffRole;
use crate::company::CompanyProfile;
use crate::domain::{FieldError, Intent, Locale};
use crate::knowledge::{guide, GuideEntry, GuideId, NewOutage, Outage, Service, StepStats};
use crate::timestamp::Timestamp;

/// A guide's source may be up to 64 KiB; the body limit leaves room so that a larger one gets
/// the parser's 422 naming the problem rather than a bare 413.
pub(super) const GUIDE_BODY_LIMIT: usize = 4 * guide::MAX_SOURCE_BYTES;
/// Search queries are chat-sized; longer ones are cut, not refused.
const MAX_QUERY_CHARS: usize = 1000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/guides", get(list_guides))
        .route("/api/v1/guides/search", get(search_guides))
        .route(
            "/api/v1/guides/{id}",
            get(read_guide).put(save_guide).delete(delete_guide),
        )
        .route("/api/v1/guides/{id}/history", get(guide_history))
        .route("/api/v1/guides/{id}/versions/{version}", get(guide_version))
        .route("/api/v1/guides/{id}/stats", get(guide_stats))
        .route("/api/v1/outages", get(list_outages).post(create_outage))
        .route("/api/v1/outages/{id}", axum::routing::delete(end_outage))
        .layer(DefaultBodyLimit::max(GUIDE_BODY_LIMIT))
}

/// An address a guide may be saved under, or the problem with it.
pub(super) fn address_problem(raw: &str) -> Result<GuideId, crate::knowledge::GuideProblem> {
    GuideId::parse(raw).map_err(|message| {
        crate::knowledge::GuideProblem::new("invalid_id", message).with("id", raw)
    })
}

fn guide_id(raw: &str) -> Result<GuideId, ApiError> {
    GuideId::parse(raw).map_err(|_| ApiError::NotFound(Missing::Guide))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GuideSummary {
    id: String,
    title: String,
    language: String,
    intents: Vec<Intent>,
    version: i64,
    #[schema(value_type = String, format = DateTime)]
    updated_at: Timestamp,
}

impl From<&GuideEntry> for GuideSummary {
    fn from(entry: &GuideEntry) -> Self {
        Self {
            id: entry.guide.id.to_string(),
            title: entry.guide.title.clone(),
            language: entry.guide.language.as_str().to_owned(),
            intents: entry.guide.intents.clone(),
            version: entry.version,
            updated_at: entry.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GuideList {
    guides: Vec<GuideSummary>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Only guides in this language.
    lang: Option<String>,
}

/// Every live guide, by id.
#[utoipa::path(get, path = "/api/v1/guides", tag = "guides", params(ListParams),
    responses((status = 200, body = GuideList), (status = 422, body = super::ErrorBody)))]
async fn list_guides(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<GuideList>, ApiError> {
    let language = params.lang.as_deref().map(Locale::parse).transpose()?;
    let guides = state
        .editing
        .live_in(language)
        .iter()
        .map(|e| GuideSummary::from(&**e))
        .collect();
    Ok(Json(GuideList { guides }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StepBody {
    number: usize,
    title: String,
    instruction: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    warning: Option<String>,
    expected: String,
    /// `next`, `guide:<id>` or `handoff:<queue>`.
    on_failure: String,
    /// The address customers are shown; absent when the step has no link or names one the
    /// company profile leaves unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    link: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GuideBody {
    id: String,
    title: String,
    language: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    translation: Option<String>,
    intents: Vec<Intent>,
    products: Vec<String>,
    symptoms: Vec<String>,
    examples: Vec<String>,
    summary: String,
    steps: Vec<StepBody>,
    /// The guide's source document, as editors write it.
    source: String,
    version: i64,
    #[schema(value_type = String, format = DateTime)]
    updated_at: Timestamp,
}

pub(super) fn on_failure_text(on_failure: &crate::knowledge::OnFailure) -> String {
    use crate::knowledge::OnFailure;
    match on_failure {
        OnFailure::Next => "next".to_owned(),
        OnFailure::Guide(id) => format!("guide:{id}"),
        OnFailure::Handoff(queue) => format!("handoff:{}", queue.as_str()),
    }
}

impl GuideBody {
    /// The guide with its steps as customers are shown them (the company's facts filled in
    /// from `company`), and its source as editors wrote it.
    fn new(entry: &GuideEntry, company: &CompanyProfile) -> Self {
        let g = &entry.guide;
        Self {
            id: g.id.to_string(),
            title: g.title.clone(),
            language: g.language.as_str().to_owned(),
            translation: g.translation.as_ref().map(ToString::to_string),
            intents: g.intents.clone(),
            products: g.products.iter().map(|p| p.as_str().to_owned()).collect(),
            symptoms: g.symptoms.clone(),
            examples: g.examples.clone(),
            summary: g.summary.clone(),
            steps: (1..)
                .zip(&g.steps)
                .map(|(number, s)| {
                    let shown = s.shown(company);
                    StepBody {
                        number,
                        title: s.title.clone(),
                        instruction: shown.instruction,
                        warning: shown.warning,
                        expected: shown.expected.unwrap_or_default(),
                        on_failure: on_failure_text(&s.on_failure),
                        link: shown.link,
                    }
                })
                .collect(),
            source: entry.source.clone(),
            version: entry.version,
            updated_at: entry.updated_at,
        }
    }
}

/// One guide with its parsed steps and its source.
#[utoipa::path(get, path = "/api/v1/guides/{id}", tag = "guides",
    params(("id" = String, Path, description = "Guide id, e.g. router-restart-sv")),
    responses((status = 200, body = GuideBody), (status = 404, body = super::ErrorBody)))]
async fn read_guide(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<GuideBody>, ApiError> {
    let id = guide_id(&id)?;
    let entry = state
        .editing
        .knowledge()
        .get(&id)
        .ok_or(ApiError::NotFound(Missing::Guide))?;
    Ok(Json(GuideBody::new(&entry, state.editing.company())))
}

fn is_markdown(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime == "text/markdown" || mime == "text/plain"
        })
        .unwrap_or(false)
}

/// Save a guide (editor). The body is the guide's source (`Content-Type: text/markdown`).
/// Every problem is listed in a 422 and nothing is saved; a saved guide is used in chats and
/// search as soon as this returns.
#[utoipa::path(put, path = "/api/v1/guides/{id}", tag = "guides",
    params(("id" = String, Path, description = "Guide id; must match the front matter")),
    request_body(content = String, content_type = "text/markdown"),
    responses(
        (status = 200, body = GuideBody, description = "updated"),
        (status = 201, body = GuideBody, description = "created"),
        (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody),
        (status = 409, body = super::ErrorBody), (status = 415, body = super::ErrorBody),
        (status = 422, body = super::ErrorBody),
    ),
    security(("bearer" = [])))]
async fn save_guide(
    State(state): State<AppState>,
    staff: Staff,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let editor = staff.require(StaffRole::Editor)?;
    if !is_markdown(&headers) {
        return Err(ApiError::UnsupportedMediaType);
    }
    let source = std::str::from_utf8(&body)
        .map_err(|_| ApiError::BadRequest("The guide is not valid UTF-8.".to_owned()))?;
    if let Err(problem) = address_problem(&id) {
        return Err(ApiError::InvalidGuide(vec![problem]));
    }
    let saved = state.editing.save(&id, source, &editor.name).await?;
    let status = if saved.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(GuideBody::new(&saved.entry, state.editing.company())),
    ))
}

/// Delete a guide (editor): gone from chats and search at once; its history is kept.
#[utoipa::path(delete, path = "/api/v1/guides/{id}", tag = "guides",
    params(("id" = String, Path, description = "Guide id")),
    responses((status = 204), (status = 401, body = super::ErrorBody),
        (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)),
    security(("bearer" = [])))]
async fn delete_guide(
    State(state): State<AppState>,
    staff: Staff,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let editor = staff.require(StaffRole::Editor)?;
    let id = guide_id(&id)?;
    state.editing.delete(&id, &editor.name).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    /// Words to look for; search syntax has no special meaning.
    q: Option<String>,
    /// `sv` or `en`; both when left out.
    lang: Option<String>,
    /// At most this many results (1 to 50, default 10).
    limit: Option<usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHit {
    id: String,
    title: String,
    language: String,
    score: f32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResults {
    results: Vec<SearchHit>,
}

/// Full-text search over titles, symptoms and steps, with Swedish and English stemming.
#[utoipa::path(get, path = "/api/v1/guides/search", tag = "guides", params(SearchParams),
    responses((status = 200, body = SearchResults), (status = 422, body = super::ErrorBody)))]
async fn search_guides(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> Result<Json<SearchResults>, ApiError> {
    let languages = match params.lang.as_deref() {
        Some(raw) => vec![Locale::parse(raw)?],
        None => vec![Locale::Sv, Locale::En],
    };
    let limit = params.limit.unwrap_or(10);
    if !(1..=50).contains(&limit) {
        return Err(FieldError::new("limit", "invalid_limit", "limit must be 1 to 50.").into());
    }
    let query: String = params
        .q
        .unwrap_or_default()
        .chars()
        .take(MAX_QUERY_CHARS)
        .collect();
    let knowledge = state.editing.knowledge();
    let mut results = Vec::new();
    for language in languages {
        for hit in knowledge
            .search(&query, language, limit)
            .map_err(|e| ApiError::Internal(e.to_string()))?
        {
            if let Some(entry) = knowledge.get(&hit.id) {
                results.push(SearchHit {
                    id: hit.id.to_string(),
                    title: entry.guide.title.clone(),
                    language: language.as_str().to_owned(),
                    score: hit.score,
                });
            }
        }
    }
    results.sort_by(|a, b| b.score.total_cmp(&a.score));
    results.truncate(limit);
    Ok(Json(SearchResults { results }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Revision {
    version: i64,
    /// Who saved it: the staff token's name.
    author: String,
    #[schema(value_type = String, format = DateTime)]
    saved_at: Timestamp,
    /// This revision took the guide out of use.
    deleted: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct History {
    guide_id: String,
    /// Newest first.
    versions: Vec<Revision>,
}

/// Every saved version and deletion of a guide (editor).
#[utoipa::path(get, path = "/api/v1/guides/{id}/history", tag = "guides",
    params(("id" = String, Path, description = "Guide id")),
    responses((status = 200, body = History), (status = 401, body = super::ErrorBody),
        (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)),
    security(("bearer" = [])))]
async fn guide_history(
    State(state): State<AppState>,
    staff: Staff,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<History>, ApiError> {
    staff.require(StaffRole::Editor)?;
    let id = guide_id(&id)?;
    let versions = state
        .editing
        .history(&id)
        .await?
        .into_iter()
        .map(|r| Revision {
            version: r.version,
            author: r.author,
            saved_at: r.created_at,
            deleted: r.source.is_none(),
        })
        .collect();
    Ok(Json(History {
        guide_id: id.to_string(),
        versions,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VersionBody {
    guide_id: String,
    version: i64,
    author: String,
    #[schema(value_type = String, format = DateTime)]
    saved_at: Timestamp,
    /// The source as saved; absent for a deletion.
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<String>,
}

/// One earlier version of a guide, as saved (editor).
#[utoipa::path(get, path = "/api/v1/guides/{id}/versions/{version}", tag = "guides",
    params(("id" = String, Path, description = "Guide id"),
        ("version" = i64, Path, description = "Version number, from 1")),
    responses((status = 200, body = VersionBody), (status = 404, body = super::ErrorBody)),
    security(("bearer" = [])))]
async fn guide_version(
    State(state): State<AppState>,
    staff: Staff,
    ApiPath((id, version)): ApiPath<(String, i64)>,
) -> Result<Json<VersionBody>, ApiError> {
    staff.require(StaffRole::Editor)?;
    let id = guide_id(&id)?;
    let revision = state
        .editing
        .history(&id)
        .await?
        .into_iter()
        .find(|r| r.version == version)
        .ok_or(ApiError::NotFound(Missing::Guide))?;
    Ok(Json(VersionBody {
        guide_id: revision.guide_id,
        version: revision.version,
        author: revision.author,
        saved_at: revision.created_at,
        source: revision.source,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Stats {
    guide_id: String,
    steps: Vec<StepStats>,
}

/// How often each step was shown and what customers answered (editor, agent).
#[utoipa::path(get, path = "/api/v1/guides/{id}/stats", tag = "guides",
    params(("id" = String, Path, description = "Guide id")),
    responses((status = 200, body = Stats), (status = 404, body = super::ErrorBody)),
    security(("bearer" = [])))]
async fn guide_stats(
    State(state): State<AppState>,
    staff: Staff,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Stats>, ApiError> {
    if staff.require(StaffRole::Editor).is_err() {
        staff.require(StaffRole::Agent)?;
    }
    let id = guide_id(&id)?;
    let steps = state.editing.stats(&id).await?;
    Ok(Json(Stats {
        guide_id: id.to_string(),
        steps,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutageBody {
    id: String,
    service: Service,
    postcodes: Vec<String>,
    message: OutageMessage,
    #[schema(value_type = String, format = DateTime)]
    starts_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    expected_end: Option<Timestamp>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutageMessage {
    sv: String,
    en: String,
}

impl From<&Outage> for OutageBody {
    fn from(o: &Outage) -> Self {
        Self {
            id: o.id.clone(),
            service: o.service,
            postcodes: o.postcodes.clone(),
            message: OutageMessage {
                sv: o.message_sv.clone(),
                en: o.message_en.clone(),
            },
            starts_at: o.starts_at,
            expected_end: o.expected_end,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutageList {
    outages: Vec<OutageBody>,
}

/// Outage notices not yet ended.
#[utoipa::path(get, path = "/api/v1/outages", tag = "outages",
    responses((status = 200, body = OutageList)))]
async fn list_outages(State(state): State<AppState>) -> Json<OutageList> {
    let outages = state.editing.knowledge().outages();
    Json(OutageList {
        outages: outages.iter().map(OutageBody::from).collect(),
    })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOutage {
    service: Service,
    /// Postcode prefixes: "903" covers every 903 xx, "90331" just that code.
    postcodes: Vec<String>,
    /// What customers are told, in both languages.
    message: OutageMessage,
    /// When it started (RFC 3339); now when left out.
    starts_at: Option<String>,
    /// When it is expected to be fixed (RFC 3339).
    expected_end: Option<String>,
}

fn time_field(field: &'static str, raw: Option<&str>) -> Result<Option<Timestamp>, FieldError> {
    raw.map(|raw| {
        Timestamp::parse(raw).map_err(|_| {
            FieldError::new(
                field,
                "invalid_time",
                format!("{field} must be an RFC 3339 time like 2026-12-01T18:00:00+01:00."),
            )
        })
    })
    .transpose()
}

impl CreateOutage {
    /// `starts_at` and `expected_end`, parsed; both are reported when both are wrong.
    pub(super) fn times(&self) -> Result<(Option<Timestamp>, Option<Timestamp>), ApiError> {
        let mut errors = Vec::new();
        let starts_at = time_field("starts_at", self.starts_at.as_deref()).unwrap_or_else(|e| {
            errors.push(e);
            None
        });
        let expected_end =
            time_field("expected_end", self.expected_end.as_deref()).unwrap_or_else(|e| {
                errors.push(e);
                None
            });
        if errors.is_empty() {
            Ok((starts_at, expected_end))
        } else {
            Err(errors.into())
        }
    }
}

/// Publish an outage notice (editor). Customers reporting a fault in that service and area
/// are told about it before any restart is suggested.
#[utoipa::path(post, path = "/api/v1/outages", tag = "outages", request_body = CreateOutage,
    responses((status = 201, body = OutageBody), (status = 401, body = super::ErrorBody),
        (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)),
    security(("bearer" = [])))]
async fn create_outage(
    State(state): State<AppState>,
    staff: EditorStaff,
    ApiJson(body): ApiJson<CreateOutage>,
) -> Result<(StatusCode, Json<OutageBody>), ApiError> {
    let editor = &staff.member;
    let (starts_at, expected_end) = body.times()?;
    let outage = state
        .editing
        .create_outage(
            NewOutage {
                service: body.service,
                postcodes: body.postcodes.iter().map(|p| p.trim().to_owned()).collect(),
                message_sv: body.message.sv,
                message_en: body.message.en,
                starts_at,
                expected_end,
            },
            &editor.name,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(OutageBody::from(&outage))))
}

/// End an outage notice (editor).
#[utoipa::path(delete, path = "/api/v1/outages/{id}", tag = "outages",
    params(("id" = String, Path, description = "Outage notice id")),
    responses((status = 204), (status = 404, body = super::ErrorBody)),
    security(("bearer" = [])))]
async fn end_outage(
    State(state): State<AppState>,
    staff: Staff,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    staff.require(StaffRole::Editor)?;
    state.editing.end_outage(&id).await.map_err(|e| match e {
        crate::knowledge::EditError::NotFound => ApiError::NotFound(Missing::OutageNotice),
        other => other.into(),
    })?;
    Ok(StatusCode::NO_CONTENT)
}
