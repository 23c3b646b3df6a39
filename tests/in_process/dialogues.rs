//! Scripted dialogues (`tests/dialogues/*.yaml`) walked end to end over HTTP against the real
//! application: real model, real index, real database.

use std::path::{Path, PathBuf};

use crate::common::{spawn_app, Backend, TestApp};
use felsok::dialogue::Replies;
use felsok::domain::Locale;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Script {
    locale: String,
    turns: Vec<ScriptTurn>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScriptTurn {
    say: Option<String>,
    action: Option<String>,
    expect_guide: Option<String>,
    expect_step: Option<u64>,
    expect_done: Option<bool>,
    expect_handoff: Option<bool>,
    expect_cancellation_offer: Option<bool>,
    expect_text_contains: Option<String>,
}

fn scripts() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/dialogues");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/dialogues")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    paths
}

fn action_kinds(message: &Value) -> Vec<String> {
    message["actions"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|b| b["kind"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn walk(app: &TestApp, path: &Path) {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let script: Script = serde_norway::from_str(&std::fs::read_to_string(path).unwrap())
        .unwrap_or_else(|e| {
            panic!("{name}: {e}");
        });
    let locale = Locale::parse(&script.locale).unwrap();
    let replies = Replies;
    let chat = app.start_chat(&script.locale).await;
    for (number, turn) in (1..).zip(&script.turns) {
        let at = format!("{name}, turn {number}");
        let body = match (&turn.say, &turn.action) {
            (Some(text), None) => json!({ "text": text }),
            (None, Some(action)) => json!({ "action": action }),
            _ => panic!("{at}: give exactly one of say and action"),
        };
        let messages = app.say(&chat, body).await;
        assert!(!messages.is_empty(), "{at}: no answer");
        let shown = messages.iter().rev().find_map(|m| {
            let step = &m["guide_step"];
            (!step.is_null()).then(|| step.clone())
        });
        let texts: Vec<&str> = messages.iter().filter_map(|m| m["text"].as_str()).collect();
        let context = || format!("{at}: got {texts:#?}");
        if let Some(guide) = &turn.expect_guide {
            let shown = shown.as_ref().unwrap_or_else(|| panic!("{}", context()));
            assert_eq!(shown["guide_id"], guide.as_str(), "{}", context());
        }
        if let Some(step) = turn.expect_step {
            let shown = shown.as_ref().unwrap_or_else(|| panic!("{}", context()));
            assert_eq!(shown["step"], step, "{}", context());
            let kinds = action_kinds(messages.last().unwrap());
            for kind in [
                "step_worked",
                "step_failed",
                "step_skipped",
                "talk_to_human",
            ] {
                assert!(kinds.iter().any(|k| k == kind), "{}: no {kind}", context());
            }
        }
        if turn.expect_done == Some(true) {
            assert!(shown.is_none(), "{}", context());
            assert!(
                texts
                    .iter()
                    .any(|t| t.starts_with(replies.glad_it_works(locale))),
                "{}",
                context()
            );
        }
        if turn.expect_handoff == Some(true) {
            let status = app.read(&chat).await["status"].clone();
            assert_eq!(status, "queued", "{}", context());
        }
        if turn.expect_cancellation_offer == Some(true) {
            let first = action_kinds(&messages[0]);
            assert_eq!(
                first.first().map(String::as_str),
                Some("written_cancellation"),
                "{}",
                context()
            );
        }
        if let Some(fragment) = &turn.expect_text_contains {
            assert!(
                texts.iter().any(|t| t.contains(fragment.as_str())),
                "{}: no {fragment:?}",
                context()
            );
        }
    }
}

#[tokio::test]
async fn every_scripted_dialogue_walks_as_written() {
    let app = spawn_app(Backend::Sqlite).await;
    let paths = scripts();
    assert!(paths.len() >= 8, "the scripts are in tests/dialogues");
    for path in &paths {
        walk(&app, path).await;
    }
    app.finish().await;
}
