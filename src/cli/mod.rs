//! The `felsok` command line. `src/main.rs` only calls [`main`].

use clap::{Parser, Subcommand};

use crate::config::{LogFormat, ServeSettings};
use crate::{bench, commands};

#[derive(Debug, Parser)]
#[command(
    name = "felsok",
    version,
    about = "Self-service troubleshooting chat for telecom customers"
)]
pub struct Cli {
    /// Log format: text for people, json for log collectors.
    #[arg(long, env = "FELSOK_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the service (the default when no command is given).
    Serve(ServeSettings),
    /// Import the encoder model files.
    Model(commands::model::ModelCommand),
    /// Train the intent head from models/training.
    Train(commands::train::TrainCommand),
    /// Evaluate the classifier on eval/ or a public benchmark.
    Eval(commands::eval::EvalCommand),
    /// Measure the service and print a Markdown table.
    Bench(bench::BenchArgs),
    /// Create tokens for agents, editors and admins.
    Token(commands::token::TokenCommand),
    /// Check, import or export guide files.
    Guides(commands::guides::GuidesCommand),
    /// Export or erase one customer's data.
    Customer(commands::customer::CustomerCommand),
    /// Simulated customers against running servers, with crashes; checks nothing is lost.
    Loadtest(crate::loadtest::LoadtestArgs),
}

/// The running program. Left out of the library's unit-test build, which has no use for it
/// and would otherwise compile every command a second time.
#[cfg(not(test))]
mod program;
#[cfg(not(test))]
pub use program::main;
