//! The scripted dialogues of `eval/dialogues/`, walked against the real application by the
//! same function as `felsok eval --dialogues`: the run must pass its gate (no masking leak, no
//! buried cancellation, no figure below its floor). The report itself is written only by the
//! command.

use std::path::Path;

use felsok::commands::dialogues::{evaluate, DialogueEval};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scripted_dialogues_pass_their_gate() {
    if std::env::var_os("TEST_LOG").is_some() {
        felsok::telemetry::init(felsok::config::LogFormat::Text);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = DialogueEval {
        // The guides' vectors, encoded once for all the tests.
        cache_dir: crate::common::TEST_CACHE_DIR.into(),
        ..DialogueEval::in_repository(root)
    };
    let files = std::fs::read_dir(&config.dialogues_dir)
        .expect("eval/dialogues")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "yaml"))
        })
        .count();
    let run = evaluate(&config).await.expect("every dialogue is walked");
    assert_eq!(run.dialogues.len(), files, "every file is walked");
    let figures = run.figures();
    assert!(figures.checks.of > 0, "the dialogues check something");
    let failures = run.gate();
    assert!(
        failures.is_empty(),
        "the dialogue evaluation fails its gate ({} of {} checks failed):\n{}",
        figures.checks.of - figures.checks.hits,
        figures.checks.of,
        failures.join("\n")
    );
}
