//! End-to-end latency and throughput of `POST /messages` over real HTTP.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use serde_json::{json, Value};
use sqlx::Connection;

use super::stats::{millis, Percentiles};
use crate::config::ServeSettings;
use crate::startup::Application;

#[derive(Debug, Args)]
pub struct ApiBenchArgs {
    /// Simulated customers writing at the same time, each in a conversation of their own.
    #[arg(long, default_value_t = 24)]
    pub concurrency: usize,

    /// Messages each customer sends.
    #[arg(long, default_value_t = 50)]
    pub messages: usize,

    /// A PostgreSQL server to measure as well; a throwaway database is created and dropped.
    #[arg(long, env = "FELSOK_BENCH_POSTGRES_URL")]
    pub postgres: Option<String>,
}

struct Measured {
    engine: &'static str,
    baseline: Percentiles,
    messages: Percentiles,
    posts_per_second: f64,
    errors: usize,
}

pub async fn run(args: ApiBenchArgs) -> anyhow::Result<String> {
    let mut results = Vec::new();
    let dir = tempfile::tempdir().context("temp dir")?;
    let sqlite = format!("sqlite://{}", dir.path().join("bench.db").display());
    results.push(measure("SQLite", &sqlite, &args).await?);
    if let Some(admin) = &args.postgres {
        let name = format!("felsok_bench_{}", uuid::Uuid::new_v4().simple());
        let mut conn = sqlx::PgConnection::connect(admin)
            .await
            .context("connecting to PostgreSQL")?;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await?;
        let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin);
        let outcome = measure("PostgreSQL", &format!("{base}/{name}"), &args).await;
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut conn)
            .await?;
        results.push(outcome?);
    }
    Ok(render(&args, &results))
}

async fn measure(engine: &'static str, url: &str, args: &ApiBenchArgs) -> anyhow::Result<Measured> {
    let app = Application::build(&ServeSettings::for_database(url)).await?;
    let base = format!("http://{}", app.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .build()?;

    // Baseline: the cheapest route through the same stack, at the same concurrency.
    let baseline = run_clients(args.concurrency, args.messages, |_, _| {
        let client = client.clone();
        let url = format!("{base}/healthz");
        async move {
            client
                .get(url)
                .send()
                .await
                .map(|r| r.status().is_success())
        }
    })
    .await;

    let mut chats = Vec::new();
    for _ in 0..args.concurrency {
        let body: Value = client
            .post(format!("{base}/api/v1/conversations"))
            .send()
            .await?
            .json()
            .await?;
        chats.push((
            body["conversation_id"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            body["token"].as_str().unwrap_or_default().to_owned(),
        ));
    }
    let started = Instant::now();
    let messages = run_clients(args.concurrency, args.messages, |customer, i| {
        let client = client.clone();
        let (id, token) = chats[customer].clone();
        let url = format!("{base}/api/v1/conversations/{id}/messages");
        async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(
                    &json!({"text": format!("Mätmeddelande {i}: routern blinkar rött"),
                              "client_message_id": format!("bench-{customer}-{i}")}),
                )
                .send()
                .await
                .map(|r| r.status().is_success())
        }
    })
    .await;
    let elapsed = started.elapsed();
    let _ = stop.send(());
    server.await??;

    let (mut baseline_samples, _) = baseline;
    let (mut message_samples, errors) = messages;
    Ok(Measured {
        engine,
        posts_per_second: message_samples.len() as f64 / elapsed.as_secs_f64(),
        baseline: Percentiles::of(&mut baseline_samples),
        messages: Percentiles::of(&mut message_samples),
        errors,
    })
}

/// Runs `concurrency` clients, each making `per_client` requests one after another.
/// Returns the latency of every successful request and the number of failures.
async fn run_clients<F, Fut>(
    concurrency: usize,
    per_client: usize,
    request: F,
) -> (Vec<Duration>, usize)
where
    F: Fn(usize, usize) -> Fut,
    Fut: std::future::Future<Output = Result<bool, reqwest::Error>> + Send + 'static,
{
    let mut tasks = tokio::task::JoinSet::new();
    for customer in 0..concurrency {
        let requests: Vec<Fut> = (0..per_client).map(|i| request(customer, i)).collect();
        tasks.spawn(async move {
            let mut samples = Vec::with_capacity(requests.len());
            let mut errors = 0;
            for fut in requests {
                let started = Instant::now();
                match fut.await {
                    Ok(true) => samples.push(started.elapsed()),
                    _ => errors += 1,
                }
            }
            (samples, errors)
        });
    }
    let mut all = Vec::new();
    let mut errors = 0;
    while let Some(joined) = tasks.join_next().await {
        if let Ok((samples, e)) = joined {
            all.extend(samples);
            errors += e;
        }
    }
    (all, errors)
}

fn render(args: &ApiBenchArgs, results: &[Measured]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Message endpoint, {} concurrent customers × {} messages each, over HTTP on loopback.\n\
         Each message stores two rows (the customer's message and the answer) in one \
         transaction. Baseline: `GET /healthz` through the same stack at the same concurrency.\n",
        args.concurrency, args.messages
    );
    let _ = writeln!(
        out,
        "| engine | messages/s | stored rows/s | p50 | p95 | p99 | baseline p50 | p50 ÷ baseline | errors |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in results {
        let ratio = r.messages.p50.as_secs_f64() / r.baseline.p50.as_secs_f64().max(1e-9);
        let _ = writeln!(
            out,
            "| {} | {:.0} | {:.0} | {} | {} | {} | {} | {:.1}× | {} |",
            r.engine,
            r.posts_per_second,
            r.posts_per_second * 2.0,
            millis(r.messages.p50),
            millis(r.messages.p95),
            millis(r.messages.p99),
            millis(r.baseline.p50),
            ratio,
            r.errors
        );
    }
    out
}
