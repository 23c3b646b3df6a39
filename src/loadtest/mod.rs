//! `felsok loadtest`: simulated customers in realistic conversations against running servers,
//! optionally killing a replica with SIGKILL mid-run and starting it again, then checking that
//! every acknowledged message and written cancellation is stored exactly once.

mod customer;
mod servers;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use serde_json::Value;

use crate::measure::{millis, Percentiles};
use customer::{ConversationLog, Tally, Target};
use servers::Servers;

#[derive(Debug, Args)]
pub struct LoadtestArgs {
    /// Simulated customers at once, each in one conversation after another.
    #[arg(long, default_value_t = 24)]
    pub customers: usize,

    /// How long customers keep starting conversations, in seconds.
    #[arg(long, default_value_t = 30)]
    pub duration_secs: u64,

    /// Servers already running (repeat for replicas). Without it, the run starts its own
    /// `felsok serve` processes on --database-url.
    #[arg(long = "target")]
    pub targets: Vec<String>,

    /// The database the started servers share: sqlite://... (one replica) or postgres://...
    /// Defaults to a fresh SQLite file in a temporary folder.
    #[arg(long)]
    pub database_url: Option<String>,

    /// Replicas to start on the database (PostgreSQL for more than one).
    #[arg(long, default_value_t = 1)]
    pub replicas: usize,

    /// Kill one started replica with SIGKILL every this many seconds (in turn) and start it
    /// again; 0 never does.
    #[arg(long, default_value_t = 0)]
    pub kill_every_secs: u64,

    /// Seed for the customers' choices, so a run can be repeated.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,

    /// Also write the Markdown report here.
    #[arg(long)]
    pub output: Option<PathBuf>,
}

/// What the run found.
struct Findings {
    conversations: usize,
    acknowledged: usize,
    uncertain: usize,
    lost: usize,
    duplicated: usize,
    cancellations: usize,
    cancellations_missing: usize,
    cancellation_not_first: usize,
    latencies: Percentiles,
    requests: usize,
    elapsed: Duration,
    failed_attempts: usize,
    kills: Vec<Duration>,
}

impl Findings {
    fn clean(&self) -> bool {
        self.lost == 0
            && self.duplicated == 0
            && self.cancellations_missing == 0
            && self.cancellation_not_first == 0
    }
}

pub async fn run(args: LoadtestArgs) -> anyhow::Result<()> {
    let dir = tempfile::tempdir().context("temp dir")?;
    let database_url = args.database_url.clone().unwrap_or_else(|| {
        format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("loadtest.db").display()
        )
    });
    let mut servers = if args.targets.is_empty() {
        anyhow::ensure!(args.replicas >= 1, "--replicas must be at least 1");
        anyhow::ensure!(
            args.replicas == 1 || database_url.starts_with("postgres"),
            "several replicas need a shared PostgreSQL database (--database-url postgres://...)"
        );
        Servers::spawn(args.replicas, &database_url, dir.path()).await?
    } else {
        Servers::external(args.targets.clone())
    };
    anyhow::ensure!(
        args.kill_every_secs == 0 || servers.can_kill(),
        "--kill-every-secs needs servers this run starts (leave out --target)"
    );
    tracing::info!(
        customers = args.customers,
        replicas = servers.replicas.len(),
        "load test starting"
    );

    let started = Instant::now();
    let duration = Duration::from_secs(args.duration_secs);
    let target = Arc::new(Target {
        bases: servers.replicas.iter().map(|r| r.base.clone()).collect(),
        client: reqwest::Client::builder()
            .pool_max_idle_per_host(args.customers)
            .build()?,
        stop_at: started + duration,
        give_up_at: started + duration + Duration::from_secs(120),
        tally: Arc::new(Tally::default()),
    });
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let mut customers = tokio::task::JoinSet::new();
    for number in 0..args.customers {
        customers.spawn(customer::run(
            target.clone(),
            number,
            args.seed,
            latencies.clone(),
        ));
    }

    let mut kills = Vec::new();
    if args.kill_every_secs > 0 {
        let every = Duration::from_secs(args.kill_every_secs);
        let mut next = 0;
        while started.elapsed() + every < duration {
            tokio::time::sleep(every).await;
            let gone = servers
                .kill_and_restart(next % servers.replicas.len())
                .await?;
            tracing::info!(
                replica = next % servers.replicas.len(),
                gone_ms = gone.as_millis() as u64,
                "replica killed and restarted"
            );
            kills.push(gone);
            next += 1;
        }
    }
    let mut logs: Vec<ConversationLog> = Vec::new();
    while let Some(joined) = customers.join_next().await {
        logs.extend(joined.context("a simulated customer panicked")?);
    }
    let elapsed = started.elapsed();

    let mut samples = std::mem::take(&mut *latencies.lock().unwrap_or_else(|e| e.into_inner()));
    let requests = samples.len();
    let mut findings = Findings {
        conversations: logs.len(),
        acknowledged: logs.iter().map(|l| l.acknowledged).sum(),
        uncertain: logs.iter().map(|l| l.uncertain).sum(),
        lost: 0,
        duplicated: 0,
        cancellations: logs.iter().filter(|l| l.cancellation.is_some()).count(),
        cancellations_missing: 0,
        cancellation_not_first: logs.iter().filter(|l| l.cancellation_not_first).count(),
        latencies: Percentiles::of(&mut samples),
        requests,
        elapsed,
        failed_attempts: target
            .tally
            .failed_attempts
            .load(std::sync::atomic::Ordering::Relaxed),
        kills,
    };
    verify(&target, &logs, &mut findings).await?;
    servers.stop();

    let report = render(&args, &database_url, servers.replicas.len(), &findings);
    std::io::stdout().lock().write_all(report.as_bytes())?;
    if let Some(path) = &args.output {
        std::fs::write(path, &report)?;
    }
    anyhow::ensure!(
        findings.clean(),
        "the load test found lost or duplicated data (see the report)"
    );
    Ok(())
}

/// Reads every conversation back and compares it with what was acknowledged.
async fn verify(
    target: &Target,
    logs: &[ConversationLog],
    findings: &mut Findings,
) -> anyhow::Result<()> {
    let base = &target.bases[0];
    for log in logs {
        let url = format!("{base}/api/v1/conversations/{}", log.id);
        let view: Value = read_back(&target.client, &url, &log.token).await?;
        let messages = view["messages"].as_array().cloned().unwrap_or_default();
        let stored = messages.iter().filter(|m| m["role"] == "customer").count();
        findings.lost += log.acknowledged.saturating_sub(stored);
        findings.duplicated += stored.saturating_sub(log.acknowledged + log.uncertain);
        if let Some(reference) = &log.cancellation {
            let receipt = target
                .client
                .get(format!("{url}/cancellations/{reference}/receipt"))
                .bearer_auth(&log.token)
                .send()
                .await?;
            let receipts = messages
                .iter()
                .filter(|m| {
                    m["text"]
                        .as_str()
                        .is_some_and(|t| t.contains(reference.as_str()))
                })
                .count();
            if !receipt.status().is_success() || receipts != 1 {
                findings.cancellations_missing += 1;
            }
        }
    }
    Ok(())
}

async fn read_back(client: &reqwest::Client, url: &str, token: &str) -> anyhow::Result<Value> {
    for _ in 0..50 {
        if let Ok(response) = client.get(url).bearer_auth(token).send().await {
            if response.status().is_success() {
                return Ok(response.json().await?);
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    anyhow::bail!("could not read back {url}")
}

fn render(args: &LoadtestArgs, database_url: &str, replicas: usize, f: &Findings) -> String {
    let engine = if database_url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Load test: {} customers for {} s against {replicas} replica(s) on {engine}; \
         conversations mix guides, billing questions, written cancellations and handoffs in \
         Swedish and English.\n",
        args.customers, args.duration_secs
    );
    let _ = writeln!(out, "| measure | value |\n|---|---:|");
    let mut row = |name: &str, value: String| {
        let _ = writeln!(out, "| {name} | {value} |");
    };
    row("conversations", f.conversations.to_string());
    row("requests answered", f.requests.to_string());
    row(
        "requests/s",
        format!("{:.0}", f.requests as f64 / f.elapsed.as_secs_f64()),
    );
    row("latency p50", millis(f.latencies.p50));
    row("latency p95", millis(f.latencies.p95));
    row("latency p99", millis(f.latencies.p99));
    row("failed attempts (retried)", f.failed_attempts.to_string());
    row("replica kills (SIGKILL)", f.kills.len().to_string());
    if !f.kills.is_empty() {
        let mut gone = f.kills.clone();
        gone.sort_unstable();
        row("down per kill, median", millis(gone[gone.len() / 2]));
    }
    row("messages acknowledged", f.acknowledged.to_string());
    row(
        "messages never answered (retries gave up)",
        f.uncertain.to_string(),
    );
    row("acknowledged messages lost", f.lost.to_string());
    row("messages stored twice", f.duplicated.to_string());
    row(
        "written cancellations acknowledged",
        f.cancellations.to_string(),
    );
    row(
        "written cancellations missing or doubled",
        f.cancellations_missing.to_string(),
    );
    row(
        "wishes to cancel not answered with the written path first",
        f.cancellation_not_first.to_string(),
    );
    out
}
