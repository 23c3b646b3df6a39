//! One guide: Markdown with front matter, parsed into typed structs.
//!
//! ```text
//! ---
//! id: router-restart-sv
//! title: Starta om routern
//! language: sv
//! translation: router-restart-en
//! intents: [broadband_down, wifi_problem]
//! products: [fiber, dsl]
//! symptoms: [...]
//! examples: [...]
//! summary: One sentence.
//! ---
//!
//! ## Step title
//! The instruction, written out in full.
//! warning: optional
//! expected: what the customer sees if it worked
//! on_failure: next | guide:<id> | handoff:<queue>
//! link: optional: a link of the company profile by name (my_pages), or an https URL;
//!   shown as an extra, never instead of the words
//! rules_out: optional; what a customer says when this step's check already holds,
//!   phrases separated by `;` ("strömlampan lyser; routern har ström")
//! ```
//!
//! A step's text may name a link or detail of the company profile as `{name}`; see
//! [`Step::shown`] for how a customer reads it. A placeholder address (example.se and the
//! like) is refused anywhere in a guide, and so is a name the profile does not declare.
//!
//! Parsing reports every problem at once, with line numbers, so an editor can fix a guide in
//! one go; nothing about a guide is trusted until it parses.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::company::{placeholder_address, references, CompanyProfile, LinkRef};
use crate::domain::Queue;
use crate::domain::{Intent, Locale};

/// A guide's id: lowercase letters, digits and `-`, ending in its language (`-sv`, `-en`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct GuideId(String);

impl GuideId {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let valid = (3..=80).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !raw.starts_with('-')
            && (raw.ends_with("-sv") || raw.ends_with("-en"));
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(format!(
                "{raw:?} is not a guide id (lowercase a-z, 0-9 and -, ending in -sv or -en)"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for GuideId {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<GuideId> for String {
    fn from(id: GuideId) -> Self {
        id.0
    }
}

impl std::fmt::Display for GuideId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Product {
    Fiber,
    Dsl,
    Coax,
    #[serde(rename = "router_4g5g")]
    Router4g5g,
    TvBox,
    Mobile,
    Landline,
    Email,
    Billing,
}

impl Product {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fiber => "fiber",
            Self::Dsl => "dsl",
            Self::Coax => "coax",
            Self::Router4g5g => "router_4g5g",
            Self::TvBox => "tv_box",
            Self::Mobile => "mobile",
            Self::Landline => "landline",
            Self::Email => "email",
            Self::Billing => "billing",
        }
    }
}

/// What follows when a step did not work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "target", rename_all = "snake_case")]
pub enum OnFailure {
    Next,
    Guide(GuideId),
    Handoff(Queue),
}

impl OnFailure {
    fn parse(raw: &str) -> Result<Self, GuideProblem> {
        match raw.trim() {
            "next" => Ok(Self::Next),
            other => match other.split_once(':') {
                Some(("guide", id)) => GuideId::parse(id.trim())
                    .map(Self::Guide)
                    .map_err(|e| GuideProblem::new("invalid_id", e).with("id", id.trim())),
                Some(("handoff", queue)) => match queue.trim() {
                    "technical" => Ok(Self::Handoff(Queue::Technical)),
                    "billing" => Ok(Self::Handoff(Queue::Billing)),
                    "cancellation" => Ok(Self::Handoff(Queue::Cancellation)),
                    "general" => Ok(Self::Handoff(Queue::General)),
                    q => Err(GuideProblem::new(
                        "unknown_queue",
                        format!("unknown queue {q:?} (technical, billing, cancellation, general)"),
                    )
                    .with("queue", q)),
                },
                _ => Err(GuideProblem::new(
                    "invalid_on_failure",
                    format!(
                        "on_failure must be next, guide:<id> or handoff:<queue>, not {other:?}"
                    ),
                )
                .with("value", other)),
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    pub title: String,
    pub instruction: String,
    pub warning: Option<String>,
    pub expected: String,
    pub on_failure: OnFailure,
    pub link: Option<LinkRef>,
    /// How a customer says that what this step checks already holds: a customer who has
    /// said so is not asked to check it (see `knowledge::ruled_out`). Never shown.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules_out: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Guide {
    pub id: GuideId,
    pub title: String,
    pub language: Locale,
    pub translation: Option<GuideId>,
    pub intents: Vec<Intent>,
    pub products: Vec<Product>,
    pub symptoms: Vec<String>,
    pub examples: Vec<String>,
    pub summary: String,
    pub steps: Vec<Step>,
}

/// One reason a guide was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GuideProblem {
    /// 1-based line in the source, where one applies.
    pub line: Option<usize>,
    /// Stable and machine-readable (`unknown_intent`, `sales_language`, …): the editor keys
    /// its own wording in either language by it.
    pub code: &'static str,
    /// What the message names (the intent, the phrases found, …), for that wording.
    pub values: BTreeMap<&'static str, String>,
    /// The problem in English, for logs, the command line and programs.
    pub message: String,
}

impl GuideProblem {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            line: None,
            code,
            values: BTreeMap::new(),
            message: message.into(),
        }
    }

    pub fn at(mut self, line: impl Into<Option<usize>>) -> Self {
        self.line = line.into();
        self
    }

    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.values.insert(name, value.into());
        self
    }
}

impl std::fmt::Display for GuideProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Whatever could be read of a guide, problems or not: the editor's live preview shows it
/// while the source is still being written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outline {
    pub id: Option<GuideId>,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub language: Option<Locale>,
    pub translation: Option<GuideId>,
    pub steps: Vec<OutlineStep>,
}

/// One step as far as it could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutlineStep {
    /// The line of its `## ` heading.
    pub line: usize,
    pub title: String,
    pub instruction: String,
    pub warning: Option<String>,
    pub expected: Option<String>,
    pub on_failure: Option<OnFailure>,
    pub link: Option<LinkRef>,
}

/// A step's words as a customer is shown them, with the company's facts filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownStep {
    pub instruction: String,
    pub warning: Option<String>,
    /// Always there for a parsed step; the preview shows a step still being written.
    pub expected: Option<String>,
    /// The address to show, when there is one.
    pub link: Option<String>,
}

impl ShownStep {
    /// The one way a step's text reaches a customer: each `{name}` filled in from the live
    /// profile, a line naming an unset fact left out (a warning may go with it), and a link
    /// by name shown as set or not at all. The parser makes sure the instruction and
    /// `expected:` keep words of their own.
    fn of(
        company: &CompanyProfile,
        instruction: &str,
        warning: Option<&str>,
        expected: Option<&str>,
        link: Option<&LinkRef>,
    ) -> Self {
        Self {
            instruction: company.fill(instruction).unwrap_or_default(),
            warning: warning.and_then(|w| company.fill(w)),
            expected: expected.and_then(|e| company.fill(e)),
            link: link.and_then(|l| company.address(l)).map(str::to_owned),
        }
    }
}

impl Step {
    /// The step as a customer is shown it with `company`'s facts.
    pub fn shown(&self, company: &CompanyProfile) -> ShownStep {
        ShownStep::of(
            company,
            &self.instruction,
            self.warning.as_deref(),
            Some(&self.expected),
            self.link.as_ref(),
        )
    }

    /// The company facts the step names, in its text and its link.
    pub fn facts(&self) -> impl Iterator<Item = &str> {
        facts_named(
            &self.instruction,
            self.warning.as_deref(),
            Some(&self.expected),
            self.link.as_ref(),
        )
    }
}

/// The company facts a step's parts name, in its text and its link: one reading for a parsed
/// step and for one still being written.
fn facts_named<'a>(
    instruction: &'a str,
    warning: Option<&'a str>,
    expected: Option<&'a str>,
    link: Option<&'a LinkRef>,
) -> impl Iterator<Item = &'a str> {
    let named = match link {
        Some(LinkRef::Named(name)) => Some(name.as_str()),
        _ => None,
    };
    references(instruction)
        .chain(warning.into_iter().flat_map(references))
        .chain(expected.into_iter().flat_map(references))
        .chain(named)
}

impl OutlineStep {
    /// The company facts the step names so far, in its text and its link.
    pub fn facts(&self) -> impl Iterator<Item = &str> {
        facts_named(
            &self.instruction,
            self.warning.as_deref(),
            self.expected.as_deref(),
            self.link.as_ref(),
        )
    }

    /// The step as far as it reads, as a customer would be shown it: the editor's preview.
    pub fn shown(&self, company: &CompanyProfile) -> ShownStep {
        ShownStep::of(
            company,
            &self.instruction,
            self.warning.as_deref(),
            self.expected.as_deref(),
            self.link.as_ref(),
        )
    }
}

/// A guide's source read: what could be read, and the guide or every problem found.
#[derive(Debug, Clone)]
pub struct Reading {
    pub outline: Outline,
    pub guide: Result<Guide, Vec<GuideProblem>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    id: String,
    title: String,
    language: String,
    translation: Option<String>,
    intents: Vec<String>,
    products: Vec<Product>,
    #[serde(default)]
    symptoms: Vec<String>,
    #[serde(default)]
    examples: Vec<String>,
    summary: String,
}

/// The largest guide source accepted; a guide is a few kilobytes.
pub const MAX_SOURCE_BYTES: usize = 64 * 1024;
const MAX_STEPS: usize = 20;
/// Symptoms, and examples, one guide may list: each is encoded when the guide is saved, so
/// thousands of them would keep the encoder busy for minutes.
pub const MAX_PHRASES: usize = 50;

struct StepDraft {
    line: usize,
    title: String,
    instruction: Vec<String>,
    warning: Option<String>,
    /// With the line it is on.
    expected: Option<(usize, String)>,
    on_failure: Option<OnFailure>,
    link: Option<LinkRef>,
    rules_out: Vec<String>,
}

/// Every line break the YAML parser knows (CR LF, a lone CR, NEL, LS, PS) as `\n`, so that
/// the front matter and the steps count lines alike and a problem's line is the one the
/// editor sees. Found by fuzzing: a lone CR made the YAML's line numbers run ahead.
fn one_kind_of_line_break(source: &str) -> std::borrow::Cow<'_, str> {
    const BREAKS: [char; 4] = ['\r', '\u{85}', '\u{2028}', '\u{2029}'];
    if !source.contains(BREAKS) {
        return std::borrow::Cow::Borrowed(source);
    }
    std::borrow::Cow::Owned(source.replace("\r\n", "\n").replace(BREAKS, "\n"))
}

/// Parses a guide's source, returning every problem found. The guide may name only the
/// facts `company` declares.
pub fn parse(
    source: &str,
    known_intents: &[Intent],
    company: &CompanyProfile,
) -> Result<Guide, Vec<GuideProblem>> {
    read(source, known_intents, company).guide
}

fn unknown_fact(name: &str) -> GuideProblem {
    GuideProblem::new(
        "unknown_company_fact",
        format!("the company profile declares no fact named {name}"),
    )
    .with("name", name)
}

/// `{name}` where no fact is filled in: titles and summaries are shown whole, so a line
/// cannot be left out of them.
fn misplaced_fact(name: &str) -> GuideProblem {
    GuideProblem::new(
        "company_fact_misplaced",
        format!(
            "{{{name}}}: company facts are filled in only in a step's instruction, warning: \
             and expected:"
        ),
    )
    .with("name", name)
}

fn markup(text: &str) -> bool {
    text.contains('<') && text.contains('>')
}

/// Reads a guide's source: the guide or every problem found, and in either case whatever
/// could be read of it.
pub fn read(source: &str, known_intents: &[Intent], company: &CompanyProfile) -> Reading {
    let refused = |problem: GuideProblem| Reading {
        outline: Outline::default(),
        guide: Err(vec![problem]),
    };
    if source.len() > MAX_SOURCE_BYTES {
        return refused(
            GuideProblem::new(
                "too_large",
                format!("the guide is larger than {MAX_SOURCE_BYTES} bytes"),
            )
            .with("limit", MAX_SOURCE_BYTES.to_string()),
        );
    }
    let source = one_kind_of_line_break(source);
    let lines: Vec<&str> = source.lines().collect();
    if lines.first().map(|l| l.trim()) != Some("---") {
        return refused(
            GuideProblem::new(
                "no_front_matter",
                "a guide starts with a front matter block: ---",
            )
            .at(1),
        );
    }
    let Some(end) = lines
        .iter()
        .skip(1)
        .position(|l| l.trim() == "---")
        .map(|p| p + 1)
    else {
        return refused(GuideProblem::new(
            "front_matter_unclosed",
            "the front matter block is not closed with ---",
        ));
    };
    let front_text = lines[1..end].join("\n");
    let (drafts, body_problems) = read_steps(&lines[end + 1..], end + 2, company);
    let front: FrontMatter = match serde_norway::from_str(&front_text) {
        Ok(front) => front,
        // The other checks wait until the front matter reads; the preview still shows steps.
        Err(e) => {
            return Reading {
                outline: lenient_outline(&front_text, &drafts),
                guide: Err(vec![front_matter_problem(&e)]),
            }
        }
    };
    // Where a top-level field is written, for problems that are about the whole field.
    let key_line = |key: &str| {
        lines[1..end]
            .iter()
            .position(|l| {
                !l.starts_with(char::is_whitespace)
                    && l.split_once(':').is_some_and(|(k, _)| k.trim_end() == key)
            })
            .map(|p| p + 2)
    };

    let mut problems = Vec::new();
    let id = GuideId::parse(&front.id)
        .map_err(|e| {
            problems.push(
                GuideProblem::new("invalid_id", e)
                    .at(key_line("id").unwrap_or(2))
                    .with("id", front.id.as_str()),
            )
        })
        .ok();
    let language = Locale::parse(&front.language)
        .map_err(|_| {
            problems.push(
                GuideProblem::new("invalid_language", "language must be sv or en")
                    .at(key_line("language"))
                    .with("language", front.language.as_str()),
            )
        })
        .ok();
    if let (Some(id), Some(language)) = (&id, language) {
        if !id.as_str().ends_with(&format!("-{}", language.as_str())) {
            problems.push(
                GuideProblem::new(
                    "id_language_mismatch",
                    format!("the id {id} does not end in -{}", language.as_str()),
                )
                .at(key_line("id"))
                .with("id", id.as_str())
                .with("language", language.as_str()),
            );
        }
    }
    let translation = front.translation.as_deref().and_then(|t| {
        GuideId::parse(t)
            .map_err(|e| {
                problems.push(
                    GuideProblem::new("invalid_translation", format!("translation: {e}"))
                        .at(key_line("translation"))
                        .with("id", t),
                )
            })
            .ok()
    });
    if front.title.trim().is_empty() || front.title.chars().count() > 120 {
        problems.push(
            GuideProblem::new("title_length", "title must be 1 to 120 characters")
                .at(key_line("title")),
        );
    }
    if front.summary.trim().is_empty() {
        problems.push(
            GuideProblem::new("summary_empty", "summary must not be empty").at(key_line("summary")),
        );
    }
    if front.intents.is_empty() {
        problems.push(
            GuideProblem::new("no_intents", "intents: name at least one intent")
                .at(key_line("intents")),
        );
    }
    let mut intents = Vec::with_capacity(front.intents.len());
    for intent in &front.intents {
        match Intent::parse(intent)
            .ok()
            .filter(|i| known_intents.contains(i))
        {
            Some(known) => intents.push(known),
            None => problems.push(
                GuideProblem::new(
                    "unknown_intent",
                    format!("intents: unknown intent {intent:?}"),
                )
                .at(key_line("intents"))
                .with("intent", intent.as_str()),
            ),
        }
    }
    if front.products.is_empty() {
        problems.push(
            GuideProblem::new("no_products", "products: name at least one product")
                .at(key_line("products")),
        );
    }
    for (field, list) in [("symptoms", &front.symptoms), ("examples", &front.examples)] {
        if list.len() > MAX_PHRASES {
            problems.push(
                GuideProblem::new(
                    "too_many_phrases",
                    format!(
                        "{field}: at most {MAX_PHRASES} lines (this guide has {})",
                        list.len()
                    ),
                )
                .at(key_line(field))
                .with("field", field)
                .with("max", MAX_PHRASES.to_string())
                .with("count", list.len().to_string()),
            );
        }
    }
    for text in front
        .symptoms
        .iter()
        .chain(&front.examples)
        .chain([&front.title, &front.summary])
    {
        if markup(text) {
            problems.push(
                GuideProblem::new("html_in_text", format!("no HTML in guides: {text:?}"))
                    .with("text", text.as_str()),
            );
        }
    }

    // What customers are shown must never sell. Symptoms and examples are the customers'
    // own words, so they are not checked.
    let sales = |number: usize, text: &str| {
        let found = super::sales_language::sales_phrases(text);
        (!found.is_empty()).then(|| {
            let found = found.join(", ");
            GuideProblem::new(
                "sales_language",
                format!("support never sells: remove the sales language ({found})"),
            )
            .at(number)
            .with("found", found)
        })
    };
    for (index, line) in lines[1..end].iter().enumerate() {
        if line.starts_with("title:") || line.starts_with("summary:") {
            problems.extend(sales(index + 2, line));
        }
    }
    for (offset, line) in lines[end + 1..].iter().enumerate() {
        problems.extend(sales(end + 2 + offset, line));
    }
    // A placeholder address reaches customers as a dead or, worse, a stranger's page: refused
    // anywhere, links and text alike.
    for (index, line) in lines.iter().enumerate() {
        if let Some(address) = placeholder_address(line) {
            problems.push(
                GuideProblem::new(
                    "placeholder_address",
                    format!(
                        "{address} is a placeholder address: name a link or detail of the \
                         company profile instead (link: my_pages, {{incoming_mail_server}})"
                    ),
                )
                .at(index + 1)
                .with("address", address),
            );
        }
    }
    for (field, text) in [("title", &front.title), ("summary", &front.summary)] {
        for name in references(text) {
            problems.push(misplaced_fact(name).at(key_line(field)));
        }
    }
    problems.extend(body_problems);

    let outline = Outline {
        id: id.clone(),
        title: Some(front.title.trim().to_owned()).filter(|t| !t.is_empty()),
        summary: Some(front.summary.trim().to_owned()).filter(|s| !s.is_empty()),
        language,
        translation: translation.clone(),
        steps: drafts.iter().map(StepDraft::outline).collect(),
    };
    if drafts.is_empty() {
        problems.push(GuideProblem::new(
            "no_steps",
            "a guide needs at least one step (## title)",
        ));
    }
    if drafts.len() > MAX_STEPS {
        problems.push(
            GuideProblem::new("too_many_steps", format!("at most {MAX_STEPS} steps"))
                .with("max", MAX_STEPS.to_string()),
        );
    }
    let count = drafts.len();
    let mut parsed = Vec::with_capacity(count);
    for (index, draft) in drafts.into_iter().enumerate() {
        if draft.title.is_empty() {
            problems.push(
                GuideProblem::new("step_without_title", "the step has no title").at(draft.line),
            );
        }
        if draft.instruction.is_empty() {
            problems.push(
                GuideProblem::new(
                    "step_without_instruction",
                    "the step has no instruction text",
                )
                .at(draft.line),
            );
        }
        if !draft.instruction.is_empty()
            && draft
                .instruction
                .iter()
                .all(|line| references(line).next().is_some())
        {
            problems.push(only_facts("instruction").at(draft.line));
        }
        if let Some((line, expected)) = &draft.expected {
            if references(expected).next().is_some() {
                problems.push(only_facts("expected").at(*line));
            }
        }
        let Some((_, expected)) = draft.expected else {
            problems.push(
                GuideProblem::new(
                    "step_without_expected",
                    "the step needs expected: (what the customer sees if it worked)",
                )
                .at(draft.line),
            );
            continue;
        };
        let Some(on_failure) = draft.on_failure else {
            problems.push(
                GuideProblem::new(
                    "step_without_on_failure",
                    "the step needs on_failure: next, guide:<id> or handoff:<queue>",
                )
                .at(draft.line),
            );
            continue;
        };
        if index + 1 == count && on_failure == OnFailure::Next {
            problems.push(
                GuideProblem::new("last_step_next", "the last step cannot continue with next")
                    .at(draft.line),
            );
        }
        parsed.push(Step {
            title: draft.title,
            instruction: draft.instruction.join("\n"),
            warning: draft.warning,
            expected,
            on_failure,
            link: draft.link,
            rules_out: draft.rules_out,
        });
    }
    let guide = match (id, language, problems.is_empty()) {
        (Some(id), Some(language), true) => Ok(Guide {
            id,
            title: front.title.trim().to_owned(),
            language,
            translation,
            intents,
            products: front.products,
            symptoms: front.symptoms,
            examples: front.examples,
            summary: front.summary.trim().to_owned(),
            steps: parsed,
        }),
        _ => Err(problems),
    };
    Reading { outline, guide }
}

/// A text a step cannot do without names only company facts: while they are unset, the
/// customer would be shown nothing.
fn only_facts(field: &'static str) -> GuideProblem {
    GuideProblem::new(
        "only_company_facts",
        format!(
            "{field}: needs words of its own; a line naming a company fact is left out while \
             the fact is unset"
        ),
    )
    .with("field", field)
}

/// The steps under `## ` headings in the body's `lines`, the first of which is line `first`.
fn read_steps(
    lines: &[&str],
    first: usize,
    company: &CompanyProfile,
) -> (Vec<StepDraft>, Vec<GuideProblem>) {
    let mut problems = Vec::new();
    let mut steps: Vec<StepDraft> = Vec::new();
    let undeclared = |text: &str, number: usize| -> Vec<GuideProblem> {
        references(text)
            .filter(|name| !company.declares(name))
            .map(|name| unknown_fact(name).at(number))
            .collect()
    };
    for (offset, raw) in lines.iter().enumerate() {
        let number = first + offset;
        let line = raw.trim_end();
        if let Some(title) = line.strip_prefix("## ") {
            problems.extend(references(title).map(|name| misplaced_fact(name).at(number)));
            steps.push(StepDraft {
                line: number,
                title: title.trim().to_owned(),
                instruction: Vec::new(),
                warning: None,
                expected: None,
                on_failure: None,
                link: None,
                rules_out: Vec::new(),
            });
            continue;
        }
        if line.trim().is_empty() {
            continue;
        }
        let Some(step) = steps.last_mut() else {
            problems.push(
                GuideProblem::new(
                    "text_before_first_step",
                    "text before the first step (## title)",
                )
                .at(number),
            );
            continue;
        };
        if line.starts_with('#') {
            problems.push(
                GuideProblem::new(
                    "heading_level",
                    "only ## headings are allowed: one per step",
                )
                .at(number),
            );
        } else if markup(line) {
            problems.push(GuideProblem::new("html", "no HTML in guides").at(number));
        }
        let attribute = line.split_once(':').and_then(|(key, value)| {
            matches!(
                key,
                "warning" | "expected" | "on_failure" | "link" | "rules_out"
            )
            .then_some((key, value.trim()))
        });
        match attribute {
            // Found by fuzzing: "expected:" with nothing after it made a step that promised
            // the customer nothing.
            Some((key @ ("warning" | "expected" | "rules_out"), "")) => {
                problems.push(
                    GuideProblem::new("empty_attribute", format!("{key}: needs a text"))
                        .at(number)
                        .with("key", key),
                );
            }
            Some(("warning", value)) => {
                problems.extend(undeclared(value, number));
                step.warning = Some(value.to_owned());
            }
            Some(("expected", value)) => {
                problems.extend(undeclared(value, number));
                step.expected = Some((number, value.to_owned()));
            }
            Some(("rules_out", value)) => step.rules_out.extend(
                value
                    .split(';')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned),
            ),
            Some(("link", value)) => match LinkRef::parse(value) {
                Some(LinkRef::Named(name)) if !company.declares_link(&name) => problems.push(
                    GuideProblem::new(
                        "unknown_company_fact",
                        format!("link: the company profile declares no link named {name}"),
                    )
                    .at(number)
                    .with("name", name),
                ),
                Some(link) => step.link = Some(link),
                None => problems.push(
                    GuideProblem::new(
                        "invalid_link",
                        "link must be the name of a link in the company profile or one \
                         https:// URL",
                    )
                    .at(number),
                ),
            },
            Some((_, value)) => match OnFailure::parse(value) {
                Ok(on_failure) => step.on_failure = Some(on_failure),
                Err(problem) => problems.push(problem.at(number)),
            },
            None => {
                problems.extend(undeclared(line, number));
                step.instruction.push(line.trim().to_owned());
            }
        }
    }
    (steps, problems)
}

impl StepDraft {
    fn outline(&self) -> OutlineStep {
        OutlineStep {
            line: self.line,
            title: self.title.clone(),
            instruction: self.instruction.join("\n"),
            warning: self.warning.clone(),
            expected: self.expected.as_ref().map(|(_, text)| text.clone()),
            on_failure: self.on_failure.clone(),
            link: self.link.clone(),
        }
    }
}

/// The YAML parser's complaint. The commonest get a code of their own, so that the editor can
/// say them in Swedish too; every one keeps the parser's own words as `detail`.
fn front_matter_problem(e: &serde_norway::Error) -> GuideProblem {
    let line = e.location().map(|l| l.line() + 1).unwrap_or(1);
    let detail = e.to_string();
    // serde names the field or variant in backquotes: "unknown field `colour`, expected …".
    let named = |marker: &str| {
        detail
            .split_once(marker)
            .and_then(|(_, rest)| rest.split_once('`'))
            .map(|(name, _)| name.to_owned())
    };
    let (code, name, value) = if let Some(key) = named("unknown field `") {
        ("unknown_field", "key", key)
    } else if let Some(key) = named("missing field `") {
        ("missing_field", "key", key)
    } else if let Some(key) = named("duplicate field `") {
        ("duplicate_field", "key", key)
    } else if let Some(product) = named("unknown variant `") {
        // Products are the only choice-of-names field in the front matter.
        ("unknown_product", "product", product)
    } else {
        ("front_matter_syntax", "detail", detail.clone())
    };
    GuideProblem::new(code, format!("front matter: {detail}"))
        .at(line)
        .with(name, value)
        .with("detail", detail)
}

/// The front matter's fields read one by one when it does not read as a whole, for the preview.
fn lenient_outline(front_text: &str, drafts: &[StepDraft]) -> Outline {
    let value: serde_norway::Value =
        serde_norway::from_str(front_text).unwrap_or(serde_norway::Value::Null);
    let text = |key: &str| {
        value
            .get(key)
            .and_then(serde_norway::Value::as_str)
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    Outline {
        id: text("id").and_then(|id| GuideId::parse(&id).ok()),
        title: text("title"),
        summary: text("summary"),
        language: text("language").and_then(|l| Locale::parse(&l).ok()),
        translation: text("translation").and_then(|id| GuideId::parse(&id).ok()),
        steps: drafts.iter().map(StepDraft::outline).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INTENTS: &[Intent] = &[Intent::BroadbandDown, Intent::WifiProblem];

    /// Parsed against the shipped profile: every name declared, none set.
    fn parse(source: &str, intents: &[Intent]) -> Result<Guide, Vec<GuideProblem>> {
        super::parse(source, intents, &CompanyProfile::shipped())
    }

    fn read(source: &str, intents: &[Intent]) -> Reading {
        super::read(source, intents, &CompanyProfile::shipped())
    }

    const GOOD: &str = "---\nid: router-restart-sv\ntitle: Starta om routern\nlanguage: sv\n\
translation: router-restart-en\nintents: [broadband_down]\nproducts: [fiber, router_4g5g]\n\
symptoms:\n  - Internet fungerar inte\nexamples:\n  - nätet är nere\nsummary: En omstart hjälper oftast.\n---\n\n\
## Dra ur strömsladden\nDra ut sladden och vänta 30 sekunder.\nwarning: Tryck inte på Reset.\n\
expected: Lamporna tänds.\non_failure: next\n\n## Vänta på lampan\nVänta två minuter.\n\
expected: Lampan lyser fast.\non_failure: handoff:technical\nlink: outages\n";

    #[test]
    fn a_good_guide_parses_into_ordered_steps() {
        let guide = parse(GOOD, INTENTS).unwrap();
        assert_eq!(guide.id.as_str(), "router-restart-sv");
        assert_eq!(guide.language, Locale::Sv);
        assert_eq!(guide.steps.len(), 2);
        assert_eq!(
            guide.steps[0].warning.as_deref(),
            Some("Tryck inte på Reset.")
        );
        assert_eq!(
            guide.steps[1].on_failure,
            OnFailure::Handoff(Queue::Technical)
        );
        assert!(guide.steps[1].link.is_some());
        assert_eq!(guide.products, [Product::Fiber, Product::Router4g5g]);
    }

    #[test]
    fn every_problem_is_reported_with_its_line() {
        let bad = GOOD
            .replace("intents: [broadband_down]", "intents: [weather]")
            .replace("expected: Lamporna tänds.\n", "")
            .replace("handoff:technical", "handoff:sales")
            .replace("Vänta två minuter.", "<script>alert(1)</script>");
        let problems = parse(&bad, INTENTS).unwrap_err();
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert!(
            text.iter()
                .any(|p| p.contains("unknown intent \"weather\"")),
            "{text:?}"
        );
        assert!(
            text.iter().any(|p| p.contains("needs expected")),
            "{text:?}"
        );
        assert!(
            text.iter().any(|p| p.contains("unknown queue \"sales\"")),
            "{text:?}"
        );
        assert!(text.iter().any(|p| p.contains("no HTML")), "{text:?}");
        assert!(problems.iter().filter(|p| p.line.is_some()).count() >= 3);
    }

    #[test]
    fn problem_lines_count_every_kind_of_line_break() {
        // The front matter's YAML error is on line 3 however the lines are broken.
        for line_break in ["\n", "\r\n", "\r", "\u{2028}"] {
            let source =
                ["---", "id: router-restart-sv", "title: [unclosed", "---"].join(line_break);
            let problems = parse(&source, INTENTS).unwrap_err();
            let lines: Vec<_> = problems.iter().map(|p| p.line).collect();
            assert!(
                lines.iter().all(|l| l.is_some_and(|l| l <= 4)),
                "{line_break:?}: {problems:?}"
            );
        }
        let windows = GOOD.replace('\n', "\r\n");
        assert_eq!(
            parse(&windows, INTENTS).unwrap(),
            parse(GOOD, INTENTS).unwrap()
        );
    }

    #[test]
    fn an_empty_expected_or_warning_is_refused() {
        for (from, to) in [
            ("expected: Lamporna tänds.", "expected:"),
            ("warning: Tryck inte på Reset.", "warning:  "),
        ] {
            let problems = parse(&GOOD.replace(from, to), INTENTS).unwrap_err();
            assert!(
                problems.iter().any(|p| p.message.ends_with("needs a text")),
                "{problems:?}"
            );
        }
    }

    #[test]
    fn sales_language_is_refused_where_customers_read_it() {
        let pitch = GOOD.replace(
            "Vänta två minuter.",
            "Vänta två minuter. Passa på att uppgradera till 1000 Mbit/s!",
        );
        let problems = parse(&pitch, INTENTS).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].line, Some(22));
        assert!(
            problems[0].message.contains("Passa på, uppgradera till"),
            "{problems:?}"
        );
        // A customer's own words may mention offers: they are how people write.
        let example = GOOD.replace("  - nätet är nere", "  - vill ha ett bättre erbjudande");
        assert!(parse(&example, INTENTS).is_ok());
    }

    #[test]
    fn structure_errors_are_refused() {
        assert!(parse("no front matter", INTENTS).is_err());
        assert!(parse("---\nid: x\n", INTENTS).is_err());
        let wrong_language = GOOD.replace("language: sv", "language: en");
        assert!(parse(&wrong_language, INTENTS).is_err());
        let last_next = GOOD.replace("on_failure: handoff:technical", "on_failure: next");
        assert!(parse(&last_next, INTENTS).is_err());
        let unknown_key = GOOD.replace("summary:", "colour: red\nsummary:");
        assert!(parse(&unknown_key, INTENTS).is_err());
        assert!(parse(&"x".repeat(MAX_SOURCE_BYTES + 1), INTENTS).is_err());
    }

    #[test]
    fn problems_carry_a_stable_code_and_the_values_they_name() {
        let bad = GOOD
            .replace("intents: [broadband_down]", "intents: [weather]")
            .replace("handoff:technical", "handoff:sales")
            .replace("Vänta två minuter.", "Vänta två minuter. Passa på!");
        let problems = parse(&bad, INTENTS).unwrap_err();
        let find = |code: &str| {
            problems
                .iter()
                .find(|p| p.code == code)
                .unwrap_or_else(|| panic!("no {code}: {problems:?}"))
        };
        assert_eq!(find("unknown_intent").values["intent"], "weather");
        assert_eq!(find("unknown_intent").line, Some(6));
        assert_eq!(find("unknown_queue").values["queue"], "sales");
        assert_eq!(find("sales_language").values["found"], "Passa på");
    }

    #[test]
    fn front_matter_errors_are_named_where_serde_names_them() {
        for (from, to, code, name, value) in [
            (
                "summary:",
                "colour: red\nsummary:",
                "unknown_field",
                "key",
                "colour",
            ),
            (
                "title: Starta om routern\n",
                "",
                "missing_field",
                "key",
                "title",
            ),
            (
                "products: [fiber",
                "products: [fibre",
                "unknown_product",
                "product",
                "fibre",
            ),
            (
                "title: Starta om routern",
                "title: [unclosed",
                "front_matter_syntax",
                "detail",
                "",
            ),
        ] {
            let problems = parse(&GOOD.replace(from, to), INTENTS).unwrap_err();
            assert_eq!(problems.len(), 1, "{problems:?}");
            assert_eq!(problems[0].code, code, "{problems:?}");
            assert!(problems[0].values[name].contains(value), "{problems:?}");
            assert!(problems[0].values.contains_key("detail"));
        }
    }

    #[test]
    fn what_could_be_read_is_kept_when_the_guide_is_refused() {
        let reading = read(&GOOD.replace("summary:", "colour: red\nsummary:"), INTENTS);
        assert!(reading.guide.is_err());
        assert_eq!(reading.outline.title.as_deref(), Some("Starta om routern"));
        assert_eq!(reading.outline.language, Some(Locale::Sv));
        assert_eq!(reading.outline.steps.len(), 2);
        let reading = read(&GOOD.replace("expected: Lamporna tänds.\n", ""), INTENTS);
        assert!(reading.guide.is_err());
        assert_eq!(reading.outline.steps[0].expected, None);
        assert_eq!(
            reading.outline.steps[1].on_failure,
            Some(OnFailure::Handoff(Queue::Technical))
        );
    }

    #[test]
    fn a_guide_may_list_only_so_many_symptoms() {
        let lines: String = (0..=MAX_PHRASES)
            .map(|i| format!("  - symptom nummer {i}\n"))
            .collect();
        let crowded = GOOD.replace(
            "symptoms:\n  - Internet fungerar inte\n",
            &format!("symptoms:\n{lines}"),
        );
        let problems = parse(&crowded, INTENTS).unwrap_err();
        assert!(
            problems
                .iter()
                .any(|p| p.message.contains("symptoms: at most")),
            "{problems:?}"
        );
    }

    fn codes_and_lines(problems: &[GuideProblem]) -> Vec<(&'static str, Option<usize>)> {
        problems.iter().map(|p| (p.code, p.line)).collect()
    }

    #[test]
    fn a_placeholder_address_is_refused_anywhere_with_its_line() {
        for (from, to, line) in [
            (
                "link: outages",
                "link: https://www.example.se/driftstorningar",
                25,
            ),
            (
                "Vänta två minuter.",
                "Vänta två minuter. Logga in på mail.example.se.",
                22,
            ),
            (
                "warning: Tryck inte på Reset.",
                "warning: Skriv aldrig till namn@example.com.",
                17,
            ),
            (
                "  - nätet är nere",
                "  - kommer inte åt https://router.test/",
                11,
            ),
            (
                "Dra ut sladden och vänta 30 sekunder.",
                "Öppna http://localhost:8080 och vänta.",
                16,
            ),
        ] {
            let problems = parse(&GOOD.replace(from, to), INTENTS).unwrap_err();
            assert_eq!(
                codes_and_lines(&problems),
                [("placeholder_address", Some(line))],
                "{to}"
            );
        }
        let problems = parse(
            &GOOD.replace("link: outages", "link: https://example.se"),
            INTENTS,
        )
        .unwrap_err();
        assert_eq!(problems[0].values["address"], "example.se");
        // A real address written out is still allowed.
        let written = GOOD.replace("link: outages", "link: https://www.pts.se/sv/bransch/");
        let guide = parse(&written, INTENTS).unwrap();
        assert_eq!(
            guide.steps[1].link,
            Some(LinkRef::Address("https://www.pts.se/sv/bransch/".into()))
        );
    }

    #[test]
    fn a_name_the_company_profile_does_not_declare_is_refused_with_its_line() {
        let bad = GOOD
            .replace("link: outages", "link: driftstorningar")
            .replace(
                "Tryck inte på Reset.",
                "Tryck inte på Reset, se {router_page}.",
            );
        let problems = parse(&bad, INTENTS).unwrap_err();
        assert_eq!(
            codes_and_lines(&problems),
            [
                ("unknown_company_fact", Some(17)),
                ("unknown_company_fact", Some(25))
            ]
        );
        assert_eq!(problems[0].values["name"], "router_page");
        assert_eq!(problems[1].values["name"], "driftstorningar");
        // A detail is no link.
        let detail = GOOD.replace("link: outages", "link: incoming_mail_server");
        let problems = parse(&detail, INTENTS).unwrap_err();
        assert_eq!(problems[0].code, "unknown_company_fact");
        // Anything that is neither a name nor an https address is no link at all.
        let neither = GOOD.replace("link: outages", "link: Mina sidor");
        assert_eq!(
            parse(&neither, INTENTS).unwrap_err()[0].code,
            "invalid_link"
        );
        // Without a profile, no name is declared.
        let problems = super::parse(GOOD, INTENTS, &CompanyProfile::default()).unwrap_err();
        assert_eq!(
            codes_and_lines(&problems),
            [("unknown_company_fact", Some(25))]
        );
    }

    #[test]
    fn facts_are_named_only_where_a_line_can_be_left_out() {
        let titled = GOOD
            .replace(
                "title: Starta om routern",
                "title: Starta om routern på {my_pages}",
            )
            .replace("## Vänta på lampan", "## Vänta på {outages}");
        let problems = parse(&titled, INTENTS).unwrap_err();
        assert_eq!(
            codes_and_lines(&problems),
            [
                ("company_fact_misplaced", Some(3)),
                ("company_fact_misplaced", Some(21))
            ]
        );
        let only_facts = GOOD
            .replace("Vänta två minuter.", "Se {outages}.")
            .replace("expected: Lamporna tänds.", "expected: Du ser {my_pages}.");
        let problems = parse(&only_facts, INTENTS).unwrap_err();
        let found: Vec<_> = problems
            .iter()
            .map(|p| (p.code, p.line, p.values["field"].as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("only_company_facts", Some(18), "expected"),
                ("only_company_facts", Some(21), "instruction"),
            ]
        );
    }

    #[test]
    fn a_step_is_shown_with_the_facts_that_are_set_and_without_the_rest() {
        let source = GOOD.replace(
            "Vänta två minuter.",
            "Vänta två minuter.\nServern heter {incoming_mail_server}.\nLäs mer på {my_pages}.",
        );
        let step = parse(&source, INTENTS).unwrap().steps[1].clone();
        assert_eq!(
            step.facts().collect::<Vec<_>>(),
            ["incoming_mail_server", "my_pages", "outages"]
        );
        // The shipped profile sets nothing: the step's own words stand alone.
        let unset = step.shown(&CompanyProfile::shipped());
        assert_eq!(unset.instruction, "Vänta två minuter.");
        assert_eq!(unset.expected.as_deref(), Some("Lampan lyser fast."));
        assert_eq!(unset.link, None);
        let set = CompanyProfile::parse(
            "links:\n  my_pages: https://www.operatoren.se/mina-sidor\n  \
             outages: https://www.operatoren.se/driftstorningar\n\
             details:\n  incoming_mail_server: imap.operatoren.se\n",
        )
        .unwrap();
        let shown = step.shown(&set);
        assert_eq!(
            shown.instruction,
            "Vänta två minuter.\nServern heter imap.operatoren.se.\n\
             Läs mer på https://www.operatoren.se/mina-sidor."
        );
        assert_eq!(
            shown.link.as_deref(),
            Some("https://www.operatoren.se/driftstorningar")
        );
    }
}
