//! The editor's live preview: a guide's source checked by the very parser and checks a save
//! runs, with nothing stored. The page keeps no rules of its own.

use std::collections::BTreeMap;

use axum::extract::{DefaultBodyLimit, State};
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::{ApiJson, EditorStaff};
use super::guides::{address_problem, on_failure_text, GUIDE_BODY_LIMIT};
use super::{ApiError, AppState};
use crate::company::CompanyProfile;
use crate::knowledge::guide::{Outline, OutlineStep};
use crate::knowledge::GuideProblem;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/guides/validate", post(validate_guide))
        .layer(DefaultBodyLimit::max(GUIDE_BODY_LIMIT))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ValidateGuide {
    /// The guide's source, exactly as it would be saved with `PUT /api/v1/guides/{id}`.
    source: String,
    /// The id it would be saved under; when given, checked against the front matter as a
    /// save would be.
    id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemBody {
    /// 1-based line in the source, where one applies.
    line: Option<usize>,
    /// Stable: `unknown_intent`, `sales_language`, `step_without_expected`,
    /// `placeholder_address` (an example.se-like address anywhere; `address`),
    /// `unknown_company_fact` (a name the company profile does not declare; `name`),
    /// `company_fact_misplaced` (`{name}` outside a step's text; `name`),
    /// `only_company_facts` (an instruction or `expected:` with no words but company facts;
    /// `field`), …
    code: String,
    /// What the message names, by name (`intent`, `found`, `key`, `step`, `id`, …).
    values: BTreeMap<String, String>,
    /// The problem in English.
    message: String,
}

impl From<GuideProblem> for ProblemBody {
    fn from(p: GuideProblem) -> Self {
        Self {
            line: p.line,
            code: p.code.to_owned(),
            values: p
                .values
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
            message: p.message,
        }
    }
}

/// A step as far as it reads, as customers would be shown it: the company's facts filled in
/// from the live profile, a line naming an unset one left out.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutlineStepBody {
    /// The line of the step's `## ` heading.
    line: usize,
    title: String,
    instruction: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    warning: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expected: Option<String>,
    /// `next`, `guide:<id>` or `handoff:<queue>`; absent when not (yet) readable.
    #[serde(skip_serializing_if = "Option::is_none")]
    on_failure: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    link: Option<String>,
}

impl OutlineStepBody {
    fn new(s: OutlineStep, company: &CompanyProfile) -> Self {
        let shown = s.shown(company);
        Self {
            line: s.line,
            title: s.title,
            instruction: shown.instruction,
            warning: shown.warning,
            expected: shown.expected,
            on_failure: s.on_failure.as_ref().map(on_failure_text),
            link: shown.link,
        }
    }
}

/// Whatever could be read, problems or not.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutlineBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<String>,
    /// `sv` or `en`, when the front matter says which.
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    translation: Option<String>,
    steps: Vec<OutlineStepBody>,
}

impl OutlineBody {
    fn new(o: Outline, company: &CompanyProfile) -> Self {
        Self {
            id: o.id.map(String::from),
            title: o.title,
            summary: o.summary,
            language: o.language.map(|l| l.as_str().to_owned()),
            translation: o.translation.map(String::from),
            steps: o
                .steps
                .into_iter()
                .map(|s| OutlineStepBody::new(s, company))
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Validation {
    /// True when a save would be accepted (as things stand now).
    valid: bool,
    /// Every problem a save would report; empty when valid.
    problems: Vec<ProblemBody>,
    /// The company facts the guide names that the company profile leaves unset, by name:
    /// customers are not shown the lines naming them (nor a named link) until the operator
    /// sets them.
    unset_facts: Vec<String>,
    outline: OutlineBody,
}

/// Check a guide's source as a save would (editor), storing nothing: every problem with its
/// line, a stable code and the values its message names, and the steps as far as they read.
#[utoipa::path(post, path = "/api/v1/guides/validate", tag = "guides",
    request_body = ValidateGuide,
    responses((status = 200, body = Validation), (status = 400, body = super::ErrorBody),
        (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody),
        (status = 413, body = super::ErrorBody), (status = 415, body = super::ErrorBody),
        (status = 422, body = super::ErrorBody)),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all)]
async fn validate_guide(
    State(state): State<AppState>,
    _editor: EditorStaff,
    ApiJson(body): ApiJson<ValidateGuide>,
) -> Result<Json<Validation>, ApiError> {
    let address = body
        .id
        .as_deref()
        .map(str::trim)
        .filter(|id| !id.is_empty());
    let address_problem = address.and_then(|id| address_problem(id).err());
    let reading = state
        .editing
        .check(address.filter(|_| address_problem.is_none()), &body.source);
    let mut problems: Vec<ProblemBody> = address_problem.into_iter().map(Into::into).collect();
    problems.extend(
        reading
            .guide
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(ProblemBody::from),
    );
    let company = state.editing.company();
    let unset_facts = company
        .unset(reading.outline.steps.iter().flat_map(OutlineStep::facts))
        .into_iter()
        .map(str::to_owned)
        .collect();
    Ok(Json(Validation {
        valid: problems.is_empty(),
        problems,
        unset_facts,
        outline: OutlineBody::new(reading.outline, company),
    }))
}
