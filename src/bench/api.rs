//! End-to-end latency and throughput of `POST /messages` over real HTTP.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use serde_json::{json, Value};
use sqlx::Connection;

use super::report::{Figure, Section};
use crate::classifier::{Classifier, ModelPaths};
use crate::config::ServeSettings;
use crate::domain::Locale;
use crate::measure::{millis, Percentiles};
use crate::startup::Application;

const CONCURRENCY: usize = 24;
const MESSAGES: usize = 50;
const RATE: f64 = 60.0;
const PROFILE_CALLS: usize = 50;

#[derive(Debug, Args)]
pub struct ApiBenchArgs {
    /// Simulated customers writing at the same time, each in a conversation of their own.
    #[arg(long, default_value_t = CONCURRENCY)]
    pub concurrency: usize,

    /// Messages each customer sends, in each phase.
    #[arg(long, default_value_t = MESSAGES)]
    pub messages: usize,

    /// Messages per second the customers send together in the paced phase.
    #[arg(long, default_value_t = RATE)]
    pub rate: f64,

    /// A PostgreSQL server to measure as well; a throwaway database is created and dropped.
    #[arg(long, env = "FELSOK_BENCH_POSTGRES_URL")]
    pub postgres: Option<String>,
}

impl Default for ApiBenchArgs {
    fn default() -> Self {
        Self {
            concurrency: CONCURRENCY,
            messages: MESSAGES,
            rate: RATE,
            postgres: None,
        }
    }
}

struct Measured {
    engine: &'static str,
    baseline: Percentiles,
    /// Every customer sending the next message as soon as the last is answered.
    saturated: Percentiles,
    posts_per_second: f64,
    /// Customers sending at `rate` messages per second together.
    paced: Percentiles,
    paced_per_second: f64,
    errors: usize,
    profile: Profile,
}

/// One customer alone on an idle server: where a message's time goes.
struct Profile {
    healthz: Duration,
    classify: Duration,
    message: Duration,
}

pub async fn run(args: ApiBenchArgs) -> anyhow::Result<Section> {
    let classifier = tokio::task::spawn_blocking(|| {
        Classifier::load(&ModelPaths::new(crate::config::defaults::MODELS_DIR))
    })
    .await??;
    let mut results = Vec::new();
    let dir = tempfile::tempdir().context("temp dir")?;
    let sqlite = format!("sqlite://{}", dir.path().join("bench.db").display());
    results.push(measure("SQLite", &sqlite, &args, &classifier).await?);
    if let Some(admin) = &args.postgres {
        let name = format!("felsok_bench_{}", uuid::Uuid::new_v4().simple());
        let mut conn = sqlx::PgConnection::connect(admin)
            .await
            .context("connecting to PostgreSQL")?;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await?;
        let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin);
        let outcome = measure("PostgreSQL", &format!("{base}/{name}"), &args, &classifier).await;
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut conn)
            .await?;
        results.push(outcome?);
    }
    let peak_mb = crate::measure::status_mib("self", "VmHWM").unwrap_or(f64::NAN);
    Ok(section(&args, &results, peak_mb))
}

fn message_body(customer: usize, i: usize) -> Value {
    json!({"text": format!("Mätmeddelande {i}: routern blinkar rött"),
           "client_message_id": format!("bench-{customer}-{i}-{}", uuid::Uuid::new_v4().simple())})
}

async fn measure(
    engine: &'static str,
    url: &str,
    args: &ApiBenchArgs,
    classifier: &Classifier,
) -> anyhow::Result<Measured> {
    let app =
        Application::build_with(&ServeSettings::for_database(url), classifier.clone()).await?;
    let base = format!("http://{}", app.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .build()?;

    let profile = profile(&client, &base, classifier).await?;

    // Baseline: the cheapest route through the same stack, at the same concurrency.
    let baseline = run_clients(args.concurrency, args.messages, None, |_, _| {
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

    let chats = start_chats(&client, &base, args.concurrency).await?;
    let post = |customer: usize, i: usize| {
        let client = client.clone();
        let (id, token) = chats[customer].clone();
        let url = format!("{base}/api/v1/conversations/{id}/messages");
        async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&message_body(customer, i))
                .send()
                .await
                .map(|r| r.status().is_success())
        }
    };
    let started = Instant::now();
    let (mut saturated, saturated_errors) =
        run_clients(args.concurrency, args.messages, None, post).await;
    let saturated_elapsed = started.elapsed();

    // Each customer writes every `concurrency / rate` seconds, the customers spread evenly.
    let interval = Duration::from_secs_f64(args.concurrency as f64 / args.rate.max(0.1));
    let started = Instant::now();
    let (mut paced, paced_errors) =
        run_clients(args.concurrency, args.messages, Some(interval), post).await;
    let paced_elapsed = started.elapsed();

    let _ = stop.send(());
    server.await??;

    let (mut baseline_samples, _) = baseline;
    Ok(Measured {
        engine,
        posts_per_second: saturated.len() as f64 / saturated_elapsed.as_secs_f64(),
        paced_per_second: paced.len() as f64 / paced_elapsed.as_secs_f64(),
        baseline: Percentiles::of(&mut baseline_samples),
        saturated: Percentiles::of(&mut saturated),
        paced: Percentiles::of(&mut paced),
        errors: saturated_errors + paced_errors,
        profile,
    })
}

async fn start_chats(
    client: &reqwest::Client,
    base: &str,
    count: usize,
) -> anyhow::Result<Vec<(String, String)>> {
    let mut chats = Vec::new();
    for _ in 0..count {
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
    Ok(chats)
}

/// One request at a time on an idle server: the stack alone, the classifier alone, and a
/// whole message; what is left over is storage and the dialogue.
async fn profile(
    client: &reqwest::Client,
    base: &str,
    classifier: &Classifier,
) -> anyhow::Result<Profile> {
    let median = |mut samples: Vec<Duration>| Percentiles::of(&mut samples).p50;
    let mut healthz = Vec::new();
    let mut classify = Vec::new();
    let mut message = Vec::new();
    let chat = start_chats(client, base, 1).await?.remove(0);
    for i in 0..PROFILE_CALLS {
        let started = Instant::now();
        client.get(format!("{base}/healthz")).send().await?;
        healthz.push(started.elapsed());

        let text = format!("Mätmeddelande {i}: routern blinkar rött");
        let started = Instant::now();
        classifier.classify(&text, Some(Locale::Sv)).await?;
        classify.push(started.elapsed());

        let started = Instant::now();
        let response = client
            .post(format!("{base}/api/v1/conversations/{}/messages", chat.0))
            .bearer_auth(&chat.1)
            .json(&message_body(0, i))
            .send()
            .await?;
        anyhow::ensure!(response.status().is_success(), "{}", response.status());
        message.push(started.elapsed());
    }
    Ok(Profile {
        healthz: median(healthz),
        classify: median(classify),
        message: median(message),
    })
}

/// Runs `concurrency` clients, each making `per_client` requests one after another: back to
/// back, or with `pace` between one request's start and the next (sooner when running late).
/// Returns the latency of every successful request and the number of failures.
async fn run_clients<F, Fut>(
    concurrency: usize,
    per_client: usize,
    pace: Option<Duration>,
    request: F,
) -> (Vec<Duration>, usize)
where
    F: Fn(usize, usize) -> Fut,
    Fut: std::future::Future<Output = Result<bool, reqwest::Error>> + Send + 'static,
{
    let mut tasks = tokio::task::JoinSet::new();
    let origin = tokio::time::Instant::now();
    for customer in 0..concurrency {
        let requests: Vec<Fut> = (0..per_client).map(|i| request(customer, i)).collect();
        // Customers start spread over one interval, so they do not all write at once.
        let offset = pace.map(|p| p.mul_f64(customer as f64 / concurrency as f64));
        tasks.spawn(async move {
            let mut samples = Vec::with_capacity(requests.len());
            let mut errors = 0;
            for (i, fut) in requests.into_iter().enumerate() {
                if let (Some(pace), Some(offset)) = (pace, offset) {
                    tokio::time::sleep_until(origin + offset + pace * i as u32).await;
                }
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

fn section(args: &ApiBenchArgs, results: &[Measured], peak_mb: f64) -> Section {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "`POST /messages` over HTTP on loopback, {} customers in conversations of their own, {} \
         free-text messages each per phase. *Back to back*: each customer sends the next \
         message as soon as the last is answered (the most the server can do). *Paced*: the \
         customers together send {:.0} messages/s. Each message stores two rows (the \
         customer's and the answer) in one transaction. Baseline: `GET /healthz` through the \
         same stack, back to back.\n",
        args.concurrency, args.messages, args.rate
    );
    let _ = writeln!(
        out,
        "| engine | back to back: messages/s | p50 | p99 | paced: messages/s | p50 | p95 | p99 | baseline p50 | paced p50 ÷ baseline | errors |"
    );
    let _ = writeln!(
        out,
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for r in results {
        let ratio = r.paced.p50.as_secs_f64() / r.baseline.p50.as_secs_f64().max(1e-9);
        let _ = writeln!(
            out,
            "| {} | {:.0} | {} | {} | {:.0} | {} | {} | {} | {} | {:.1}× | {} |",
            r.engine,
            r.posts_per_second,
            millis(r.saturated.p50),
            millis(r.saturated.p99),
            r.paced_per_second,
            millis(r.paced.p50),
            millis(r.paced.p95),
            millis(r.paced.p99),
            millis(r.baseline.p50),
            ratio,
            r.errors
        );
    }
    let _ = writeln!(
        out,
        "\nWhere a message's time goes, one customer alone on the idle server (medians of \
         {PROFILE_CALLS}; the rest is dialogue, guide search and storage):\n\n\
         | engine | whole message over HTTP | classifier (encoder + head) | HTTP stack (`/healthz`) | the rest |\n\
         |---|---:|---:|---:|---:|"
    );
    for r in results {
        let p = &r.profile;
        let rest = p
            .message
            .saturating_sub(p.classify)
            .saturating_sub(p.healthz);
        let share = |d: Duration| 100.0 * d.as_secs_f64() / p.message.as_secs_f64().max(1e-9);
        let _ = writeln!(
            out,
            "| {} | {} | {} ({:.0} %) | {} ({:.0} %) | {} ({:.0} %) |",
            r.engine,
            millis(p.message),
            millis(p.classify),
            share(p.classify),
            millis(p.healthz),
            share(p.healthz),
            millis(rest),
            share(rest),
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Back to back, a message waits for the ones ahead of it: {} customers ÷ {:.0} \
         messages/s is {:.0} ms, which is what the back-to-back p50 shows. Peak resident \
         memory of this process (server, model and client) after the runs: {peak_mb:.0} MB.",
        args.concurrency,
        results.first().map_or(0.0, |r| r.posts_per_second),
        results
            .first()
            .map_or(0.0, |r| 1000.0 * args.concurrency as f64
                / r.posts_per_second.max(1e-9)),
    );

    let mut figures = Vec::new();
    if let Some(sqlite) = results.first() {
        let p50 = sqlite.paced.p50.as_secs_f64() * 1000.0;
        let p99 = sqlite.paced.p99.as_secs_f64() * 1000.0;
        let customers = args.concurrency;
        let rate = args.rate;
        figures.push(
            Figure::new(
                format!("message p50, {customers} customers at {rate:.0}/s (SQLite)"),
                format!("{p50:.1} ms"),
            )
            .goal("≤ 25 ms", p50 <= 25.0),
        );
        figures.push(
            Figure::new(
                format!("message p99, {customers} customers at {rate:.0}/s (SQLite)"),
                format!("{p99:.1} ms"),
            )
            .goal("≤ 100 ms", p99 <= 100.0),
        );
        figures.push(
            Figure::new(
                format!("messages/s, {customers} customers back to back (SQLite)"),
                format!("{:.0}", sqlite.posts_per_second),
            )
            .goal("≥ 60", sqlite.posts_per_second >= 60.0),
        );
    }
    figures.push(
        Figure::new(
            "peak resident memory under chat load",
            format!("{peak_mb:.0} MB"),
        )
        .goal("≤ 500 MB", peak_mb <= 500.0),
    );
    Section {
        title: "End to end",
        table: out,
        figures,
    }
}
