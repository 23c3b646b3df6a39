//! Replays every committed fuzz input (the seeds, the corpus the long runs kept, and each
//! input that once broke a property) through the same properties the fuzz targets check.
//! The long runs themselves are recorded in `eval/fuzzing.md`; they are not part of CI.

#[path = "../hostile/properties.rs"]
mod properties;

use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `tests/fuzz/{corpus,regressions}/<target>`, plus any extra folders.
fn inputs(target: &str, extra: &[PathBuf]) -> Vec<(PathBuf, Vec<u8>)> {
    let fuzz = root().join("tests/fuzz");
    let mut dirs = vec![
        fuzz.join("corpus").join(target),
        fuzz.join("regressions").join(target),
    ];
    dirs.extend_from_slice(extra);
    let mut found = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_file() {
                let bytes = std::fs::read(&path).expect("readable");
                found.push((path, bytes));
            }
        }
    }
    found.sort();
    found
}

fn replay(target: &str, extra: &[PathBuf], check: impl Fn(&[u8]) + std::panic::RefUnwindSafe) {
    let inputs = inputs(target, extra);
    assert!(inputs.len() >= 10, "{target}: only {} inputs", inputs.len());
    let failures: Vec<String> = inputs
        .iter()
        .filter_map(|(path, bytes)| {
            std::panic::catch_unwind(|| check(bytes))
                .err()
                .map(|_| path.display().to_string())
        })
        .collect();
    assert!(failures.is_empty(), "{target} fails on {failures:#?}");
}

#[test]
fn guide_sources_from_the_corpus_and_the_library() {
    replay(
        "guide_source",
        &[root().join("knowledge/guides")],
        properties::guide_source,
    );
}

#[test]
fn customer_texts_from_the_corpus() {
    let tokenizer = properties::load_tokenizer(&root().join("models"));
    replay("customer_text", &[], |bytes| {
        properties::customer_text(&tokenizer, bytes)
    });
}

#[test]
fn json_bodies_from_the_corpus() {
    replay("json_body", &[], properties::json_body);
}

#[test]
fn every_route_body_is_reachable_by_the_selector_byte() {
    // The fuzz target picks the route from the first byte; a body left out of the list would
    // never be fuzzed.
    use felsok::http::body_check::{check, RequestBody};
    for body in RequestBody::ALL {
        let refused = check(body, b"{\"no_such_field\": 1}");
        assert!(refused.is_err(), "{body:?} accepted an unknown field");
    }
}
