//! `felsok bench`: measurements printed as Markdown tables.
//!
//! Figures are medians and percentiles over many requests, each reported beside a baseline
//! measured in the same run, so a table compares like with like on whatever machine runs it.

mod api;
mod encoder;
mod report;
mod search;
mod startup;

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand};

#[derive(Debug, Args)]
pub struct BenchArgs {
    #[command(subcommand)]
    pub what: BenchTarget,

    /// Also write the table to this file.
    #[arg(long, global = true)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum BenchTarget {
    /// The message endpoint over HTTP on SQLite and (optionally) PostgreSQL.
    Api(api::ApiBenchArgs),
    /// Our encoder against the package's own C engine, in the same run.
    Encoder(encoder::EncoderBenchArgs),
    /// Guide search at 1,000 guides, and how soon a save is searchable.
    Search(search::SearchBenchArgs),
    /// How soon `felsok serve` is ready, and its memory then.
    Startup(startup::StartupBenchArgs),
    /// All of the above, one after another, with a summary against the goals
    /// (`--output eval/performance.md` keeps it).
    Report(report::ReportArgs),
}

pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    let table = match args.what {
        BenchTarget::Api(api_args) => api::run(api_args).await?.table,
        BenchTarget::Search(search_args) => search::run(search_args).await?.table,
        BenchTarget::Startup(startup_args) => startup::run(startup_args).await?.table,
        BenchTarget::Encoder(encoder_args) => {
            tokio::task::spawn_blocking(move || encoder::run(encoder_args))
                .await??
                .table
        }
        BenchTarget::Report(report_args) => report::run(report_args).await?,
    };
    std::io::stdout().lock().write_all(table.as_bytes())?;
    if let Some(path) = args.output {
        std::fs::write(&path, &table)?;
    }
    Ok(())
}
