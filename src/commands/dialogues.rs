//! `felsok eval --dialogues`: walks every scripted dialogue of `eval/dialogues/` against the
//! real application (model, guides, database), over HTTP as a client would, judges each
//! `expect` key on what the customer saw, and writes `eval/dialogues.md`.
//!
//! The application is built in-process on a temporary SQLite database and served on
//! 127.0.0.1:0. Dialogues run one after another, each in a conversation of its own; an
//! outage a dialogue asks for is published by an editor before the chat and ended after it.
//! How each key is judged is in [`judge`] (keyword sets in [`keywords`]); the figures and
//! the gate in [`figures`]; the Markdown in [`report`].

mod client;
mod figures;
mod judge;
mod keywords;
mod report;
mod script;

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

pub use figures::{Figures, Floors, Ratio, FLOORS};
pub use judge::Check;

use client::{Chat, Harness};
use judge::Answer;
use script::Dialogue;

/// Where the dialogues and the application's files are.
#[derive(Debug, Clone)]
pub struct DialogueEval {
    pub dialogues_dir: PathBuf,
    pub models_dir: PathBuf,
    pub knowledge_dir: PathBuf,
    /// Where the guides' sentence vectors are cached between runs.
    pub cache_dir: PathBuf,
}

impl DialogueEval {
    /// The repository's own folders, as `felsok eval --dialogues` uses them by default.
    pub fn in_repository(root: &Path) -> Self {
        Self {
            dialogues_dir: root.join("eval/dialogues"),
            models_dir: root.join("models"),
            knowledge_dir: root.join("knowledge"),
            cache_dir: root.join("data/cache"),
        }
    }
}

/// One turn as judged.
#[derive(Debug, Clone)]
pub struct TurnResult {
    /// From 1.
    pub number: usize,
    pub checks: Vec<Check>,
    /// A `no_handoff` broken, or a handoff to another queue than `handoff:` names.
    pub wrong_handoff: bool,
    /// The guide ended because a step worked, or the chat was just handed to a person.
    pub resolved: bool,
}

/// One dialogue as judged.
#[derive(Debug, Clone)]
pub struct DialogueResult {
    pub file: String,
    /// `sv`, `en` or `xx`, from the file name.
    pub group: String,
    pub tags: Vec<String>,
    pub turns: Vec<TurnResult>,
    /// Each secret found on each surface counts once.
    pub leaks: usize,
}

impl DialogueResult {
    pub fn checks(&self) -> impl Iterator<Item = (&TurnResult, &Check)> {
        self.turns
            .iter()
            .flat_map(|t| t.checks.iter().map(move |c| (t, c)))
    }

    /// Every expectation of the dialogue holds.
    pub fn succeeded(&self) -> bool {
        self.checks().all(|(_, c)| c.passed)
    }
}

/// A whole evaluation: every dialogue, in file-name order.
#[derive(Debug, Clone)]
pub struct Run {
    pub dialogues: Vec<DialogueResult>,
}

impl Run {
    pub fn figures(&self) -> Figures {
        Figures::of(self.dialogues.iter())
    }

    /// Why the run fails its gate; empty when it passes.
    pub fn gate(&self) -> Vec<String> {
        self.figures().gate()
    }
}

/// Walks every dialogue in `config.dialogues_dir` against a freshly built application.
pub async fn evaluate(config: &DialogueEval) -> anyhow::Result<Run> {
    let dialogues = script::load(&config.dialogues_dir)?;
    let harness = Harness::start(config).await?;
    let bar = super::progress_bar("walking dialogues", dialogues.len() as u64);
    let mut results = Vec::new();
    for dialogue in &dialogues {
        let result = walk(&harness, dialogue)
            .await
            .with_context(|| format!("walking {}", dialogue.file));
        match result {
            Ok(result) => results.push(result),
            Err(e) => {
                bar.finish_and_clear();
                harness.stop().await?;
                return Err(e);
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    harness.stop().await?;
    Ok(Run { dialogues: results })
}

/// `felsok eval --dialogues`: evaluates, writes the report (keeping its "First run"
/// section), prints it, and fails when the gate does.
pub async fn run(config: &DialogueEval, report_path: &Path) -> anyhow::Result<()> {
    let run = evaluate(config).await?;
    let previous = std::fs::read_to_string(report_path).ok();
    let date = crate::timestamp::Timestamp::now()
        .swedish_date()
        .to_string();
    let report = report::render(&run, previous.as_deref(), &date);
    if let Some(dir) = report_path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(report_path, &report)
        .with_context(|| format!("writing {}", report_path.display()))?;
    std::io::Write::write_all(&mut std::io::stdout().lock(), report.as_bytes())?;
    let failures = run.gate();
    if !failures.is_empty() {
        bail!(
            "the dialogue evaluation fails its gate:\n{}",
            failures.join("\n")
        );
    }
    Ok(())
}

async fn walk(harness: &Harness, dialogue: &Dialogue) -> anyhow::Result<DialogueResult> {
    let outage = match &dialogue.script.outage {
        Some(spec) => Some(harness.publish_outage(spec).await?),
        None => None,
    };
    let result = walk_chat(harness, dialogue).await;
    if let Some(id) = outage {
        harness.end_outage(&id).await?;
    }
    result
}

async fn walk_chat(harness: &Harness, dialogue: &Dialogue) -> anyhow::Result<DialogueResult> {
    let script = &dialogue.script;
    let chat = harness.start_chat(&script.locale).await?;
    let mut previous_guide: Option<String> = None;
    let mut previous_step: Option<u64> = None;
    let mut status = "bot".to_owned();
    let mut turns = Vec::new();
    for (number, turn) in (1..).zip(&script.turns) {
        let input = turn.input().context("one of say and action")?;
        let posted = harness.post(&chat, &input).await;
        let view = harness.read(&chat).await?;
        let now = view["status"].as_str().unwrap_or("?").to_owned();
        let expect = &turn.expect;
        let about_handoff = expect.handoff.is_some()
            || expect.reason.is_some()
            || expect.summary_mentions.is_some()
            || expect.summary_omits.is_some()
            || expect.no_handoff;
        let handoff = if about_handoff {
            harness.handoffs(&chat).await?.pop()
        } else {
            None
        };
        let (messages, error) = match &posted {
            Ok(messages) => (messages.as_slice(), None),
            Err(e) => (&[][..], Some(e.as_str())),
        };
        let answer = Answer {
            messages,
            error,
            status: &now,
            handoff: handoff.as_ref(),
            previous_guide: previous_guide.as_deref(),
            previous_step,
        };
        let checks = judge::judge(expect, &answer);
        let resolved = answer.guide_done() || (status == "bot" && answer.waiting_for_person());
        let wrong_handoff = judge::wrong_handoff(expect, &answer);
        let shown = answer.shown().map(|s| {
            (
                s["guide_id"].as_str().map(str::to_owned),
                s["step"].as_u64(),
            )
        });
        if let Some((guide, step)) = shown {
            previous_guide = guide;
            previous_step = step;
        }
        status = now;
        turns.push(TurnResult {
            number,
            checks,
            wrong_handoff,
            resolved,
        });
    }
    let leaks = judge_secrets(harness, &chat, dialogue, &mut turns).await?;
    Ok(DialogueResult {
        file: dialogue.file.clone(),
        group: dialogue.language_group().to_owned(),
        tags: script.tags.clone(),
        turns,
        leaks,
    })
}

/// After the dialogue: a `secrets` check on each turn that typed some; the number of leaks.
async fn judge_secrets(
    harness: &Harness,
    chat: &Chat,
    dialogue: &Dialogue,
    turns: &mut [TurnResult],
) -> anyhow::Result<usize> {
    let typed: Vec<(usize, &Vec<String>)> = dialogue
        .script
        .turns
        .iter()
        .enumerate()
        .filter_map(|(i, t)| t.expect.secrets.as_ref().map(|s| (i, s)))
        .collect();
    if typed.is_empty() {
        return Ok(0);
    }
    let surfaces = harness.surfaces(chat).await?;
    let mut count = 0;
    for (index, secrets) in typed {
        let found = judge::leaks(secrets, &surfaces);
        count += found.len();
        let got = if found.is_empty() {
            "nowhere".to_owned()
        } else {
            let places: Vec<String> = found
                .iter()
                .map(|(s, at)| format!("{s:?} in {at}"))
                .collect();
            places.join(", ")
        };
        turns[index].checks.push(Check {
            key: "secrets",
            expected: format!("{secrets:?} nowhere"),
            got,
            passed: found.is_empty(),
        });
    }
    Ok(count)
}
