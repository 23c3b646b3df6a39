//! The load harness itself, small enough for every CI run: real `felsok serve` processes,
//! simulated customers, a replica killed with SIGKILL mid-run and started again, and nothing
//! acknowledged lost or stored twice.

use std::process::Command;

use crate::common::{Backend, TestDatabase};

fn loadtest(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_felsok"))
        .arg("loadtest")
        .args(args)
        .env("RUST_LOG", "warn")
        .env("FELSOK_CACHE_DIR", crate::common::TEST_CACHE_DIR)
        .output()
        .expect("felsok runs");
    let report = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    report
}

/// The value of a row of the report's table.
fn figure(report: &str, measure: &str) -> u64 {
    report
        .lines()
        .find_map(|line| line.strip_prefix(&format!("| {measure} | ")))
        .and_then(|rest| rest.trim_end_matches(" |").parse().ok())
        .unwrap_or_else(|| panic!("no {measure:?} in\n{report}"))
}

fn assert_nothing_lost(report: &str) {
    assert!(figure(report, "conversations") > 0, "{report}");
    assert!(figure(report, "messages acknowledged") > 0, "{report}");
    assert_eq!(figure(report, "acknowledged messages lost"), 0, "{report}");
    assert_eq!(figure(report, "messages stored twice"), 0, "{report}");
    assert_eq!(
        figure(report, "written cancellations missing or doubled"),
        0,
        "{report}"
    );
    assert_eq!(
        figure(
            report,
            "wishes to cancel not answered with the written path first"
        ),
        0,
        "{report}"
    );
}

#[test]
fn customers_ride_out_a_crash_on_sqlite_and_nothing_acknowledged_is_lost() {
    let report = loadtest(&[
        "--customers",
        "6",
        "--duration-secs",
        "16",
        "--kill-every-secs",
        "6",
    ]);
    assert!(figure(&report, "replica kills (SIGKILL)") >= 1, "{report}");
    assert!(
        figure(&report, "written cancellations acknowledged") > 0,
        "{report}"
    );
    assert_nothing_lost(&report);
}

#[tokio::test(flavor = "multi_thread")]
async fn two_replicas_on_postgresql_share_the_load_through_a_crash() {
    let db = TestDatabase::create(Backend::Postgres).await;
    let url = db.url.clone();
    let report = tokio::task::spawn_blocking(move || {
        loadtest(&[
            "--customers",
            "6",
            "--duration-secs",
            "16",
            "--replicas",
            "2",
            "--kill-every-secs",
            "6",
            "--database-url",
            &url,
        ])
    })
    .await
    .unwrap();
    assert!(figure(&report, "replica kills (SIGKILL)") >= 1, "{report}");
    assert_nothing_lost(&report);
    db.drop_database().await;
}
