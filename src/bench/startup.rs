//! How soon `felsok serve` is ready for customers, and how much memory it holds then.
//!
//! Each start is a fresh process on a fresh SQLite database, timed from spawn to the first
//! 200 from `/readyz`. The baseline is the first start with an empty guide-vector cache
//! (every guide encoded); the later starts find the vectors on disk.

use std::fmt::Write as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;

use super::report::{Figure, Section};
use crate::measure::millis;

const STARTS: usize = 5;

#[derive(Debug, Args)]
pub struct StartupBenchArgs {
    /// Starts with the cache filled, after the one that fills it.
    #[arg(long, default_value_t = STARTS)]
    pub starts: usize,
}

impl Default for StartupBenchArgs {
    fn default() -> Self {
        Self { starts: STARTS }
    }
}

struct Start {
    ready: Duration,
    resident_mb: f64,
}

pub async fn run(args: StartupBenchArgs) -> anyhow::Result<Section> {
    let dir = tempfile::tempdir().context("temp dir")?;
    let cache = dir.path().join("cache");
    let cold = start_once(dir.path(), &cache, 0).await?;
    let mut warm = Vec::new();
    for i in 1..=args.starts.max(1) {
        warm.push(start_once(dir.path(), &cache, i).await?);
    }
    warm.sort_by_key(|s| s.ready);
    let median = &warm[warm.len() / 2];
    let mut memory: Vec<f64> = warm.iter().map(|s| s.resident_mb).collect();
    memory.sort_by(f64::total_cmp);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Start-up of `felsok serve` to the first 200 from `/readyz` (model imported; each start a \
         new process and database). Baseline: the first start, which encodes every guide.\n"
    );
    let _ = writeln!(out, "| start | ready after | resident memory when ready |");
    let _ = writeln!(out, "|---|---:|---:|");
    let _ = writeln!(
        out,
        "| first (guide vectors encoded) | {} | {:.0} MB |",
        millis(cold.ready),
        cold.resident_mb
    );
    let _ = writeln!(
        out,
        "| later, median of {} (vectors from the cache) | {} | {:.0} MB |",
        warm.len(),
        millis(median.ready),
        memory[memory.len() / 2]
    );
    let _ = writeln!(
        out,
        "\nRatio later ÷ first: {:.2}×.",
        median.ready.as_secs_f64() / cold.ready.as_secs_f64().max(1e-9)
    );
    let ready = median.ready.as_secs_f64();
    let resident = memory[memory.len() / 2];
    Ok(Section {
        title: "Start-up",
        table: out,
        figures: vec![
            Figure::new(
                "ready after start (model imported)",
                format!("{ready:.2} s"),
            )
            .goal("≤ 2 s", ready <= 2.0),
            Figure::new("resident memory when ready", format!("{resident:.0} MB"))
                .goal("≤ 500 MB", resident <= 500.0),
        ],
    })
}

async fn start_once(
    dir: &std::path::Path,
    cache: &std::path::Path,
    n: usize,
) -> anyhow::Result<Start> {
    let addr_file = dir.join(format!("addr-{n}"));
    let database = format!(
        "sqlite://{}?mode=rwc",
        dir.join(format!("start-{n}.db")).display()
    );
    let started = Instant::now();
    let mut child = Command::new(std::env::current_exe()?)
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--database-url",
            &database,
        ])
        .arg("--addr-file")
        .arg(&addr_file)
        .arg("--cache-dir")
        .arg(cache)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("could not start felsok serve")?;
    let client = reqwest::Client::new();
    let outcome = async {
        loop {
            anyhow::ensure!(
                started.elapsed() < Duration::from_secs(300),
                "not ready in 300 s"
            );
            if let Some(status) = child.try_wait()? {
                anyhow::bail!("felsok serve exited with {status}");
            }
            if let Ok(addr) = std::fs::read_to_string(&addr_file) {
                let ready = client.get(format!("http://{addr}/readyz")).send().await;
                if ready.is_ok_and(|r| r.status().is_success()) {
                    return Ok(started.elapsed());
                }
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    .await;
    let resident_mb =
        crate::measure::status_mib(&child.id().to_string(), "VmRSS").unwrap_or(f64::NAN);
    let _ = child.kill();
    let _ = child.wait();
    Ok(Start {
        ready: outcome?,
        resident_mb,
    })
}
