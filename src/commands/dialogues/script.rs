//! The scripted-dialogue format of `eval/dialogues/*.yaml` (described in its README), read
//! strictly: an unknown key is an error, so a typo never turns a check off.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use serde::Deserialize;

/// One dialogue file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Script {
    pub locale: String,
    #[serde(default)]
    pub tags: Vec<String>,
    pub outage: Option<OutageSpec>,
    pub turns: Vec<Turn>,
}

/// An outage notice published before the chat starts.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutageSpec {
    pub service: String,
    pub postcodes: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Turn {
    pub say: Option<String>,
    pub action: Option<String>,
    #[serde(default)]
    pub expect: Expect,
}

/// What must hold after a turn; every key is optional. A `false` flag checks nothing.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    pub guide: Option<String>,
    pub step: Option<u32>,
    #[serde(default)]
    pub no_new_guide: bool,
    #[serde(default)]
    pub done: bool,
    pub handoff: Option<String>,
    pub reason: Option<String>,
    #[serde(default)]
    pub no_handoff: bool,
    pub summary_mentions: Option<Vec<String>>,
    /// Words the agent's summary must not hold: what the customer never said or meant.
    pub summary_omits: Option<Vec<String>>,
    #[serde(default)]
    pub cancellation_first: bool,
    #[serde(default)]
    pub no_cancellation_offer: bool,
    #[serde(default)]
    pub withdrawal_first: bool,
    #[serde(default)]
    pub acknowledges_frustration: bool,
    #[serde(default)]
    pub offers_person: bool,
    #[serde(default)]
    pub no_thanks: bool,
    pub secrets: Option<Vec<String>>,
    pub not_asked: Option<Vec<String>>,
    pub request: Option<String>,
    #[serde(default)]
    pub condolence: bool,
    #[serde(default)]
    pub plural: bool,
    #[serde(default)]
    pub queue_ack: bool,
    #[serde(default)]
    pub languages_note: bool,
    pub reply_language: Option<String>,
    pub contains: Option<Vec<String>>,
    pub not_contains: Option<Vec<String>>,
}

/// What the customer does in a turn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Say(String),
    Action(String),
}

impl Turn {
    pub fn input(&self) -> Option<Input> {
        match (&self.say, &self.action) {
            (Some(text), None) => Some(Input::Say(text.clone())),
            (None, Some(action)) => Some(Input::Action(action.clone())),
            _ => None,
        }
    }
}

/// A dialogue with the name of its file.
#[derive(Debug, Clone)]
pub struct Dialogue {
    /// The file name, `sv-symptom-fibre-box-red-lamp.yaml`.
    pub file: String,
    pub script: Script,
}

impl Dialogue {
    /// The group a file belongs to by its name: `sv`, `en` or `xx` (other languages).
    pub fn language_group(&self) -> &str {
        self.file.split('-').next().unwrap_or_default()
    }
}

/// Every `*.yaml` in `dir`, sorted by file name. Every broken file is named in the error.
pub fn load(dir: &Path) -> anyhow::Result<Vec<Dialogue>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    paths.sort();
    let mut dialogues = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        let file = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match read(&path) {
            Ok(script) => dialogues.push(Dialogue { file, script }),
            Err(e) => problems.push(format!("{file}: {e:#}")),
        }
    }
    if !problems.is_empty() {
        bail!("invalid dialogue files:\n{}", problems.join("\n"));
    }
    if dialogues.is_empty() {
        bail!("no dialogues in {}", dir.display());
    }
    Ok(dialogues)
}

fn read(path: &Path) -> anyhow::Result<Script> {
    let text = std::fs::read_to_string(path)?;
    let script: Script = serde_norway::from_str(&text)?;
    for (number, turn) in (1..).zip(&script.turns) {
        if turn.input().is_none() {
            bail!("turn {number}: give exactly one of say and action");
        }
    }
    if script.turns.is_empty() {
        bail!("no turns");
    }
    Ok(script)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misspelt_key_is_an_error_not_a_silent_pass() {
        let text =
            "locale: sv\ntags: []\nturns:\n  - say: hej\n    expect:\n      handof: billing\n";
        assert!(serde_norway::from_str::<Script>(text).is_err());
    }

    #[test]
    fn a_turn_reads_with_its_expectations() {
        let text =
            "locale: en\ntags: [steps]\nturns:\n  - action: step_failed\n    expect:\n      \
                    step: 2\n      secrets: [\"1234\"]\n";
        let script: Script = serde_norway::from_str(text).unwrap();
        let turn = &script.turns[0];
        assert_eq!(turn.input(), Some(Input::Action("step_failed".into())));
        assert_eq!(turn.expect.step, Some(2));
        assert_eq!(
            turn.expect.secrets.as_deref(),
            Some(&["1234".to_owned()][..])
        );
        assert!(!turn.expect.no_handoff);
    }
}
