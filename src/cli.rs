//! The `felsok` command line. `main` only calls [`run`].

use clap::{Parser, Subcommand};

use crate::config::{LogFormat, ServeSettings};
use crate::{bench, commands, startup, telemetry};

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

/// Process-wide settings that must be made before any thread starts.
///
/// candle asks for `RAYON_NUM_THREADS` on every matrix product when it is unset, which re-reads
/// `/proc/cpuinfo` each time (about 5 % of a short query); setting it once avoids that.
pub fn prepare_process() {
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        std::env::set_var("RAYON_NUM_THREADS", cores.to_string());
    }
}

pub async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    telemetry::init(cli.log_format);
    let command = match cli.command {
        Some(command) => command,
        None => Command::Serve(ServeSettings::parse_from_env_only()),
    };
    match command {
        Command::Serve(settings) => {
            crate::http::raise_descriptor_limit();
            let app = startup::Application::build(&settings).await?;
            app.run_until(startup::shutdown_signal()).await
        }
        Command::Model(command) => blocking(move || commands::model::run(command)).await,
        Command::Train(command) => blocking(move || commands::train::run(command)).await,
        Command::Eval(command) => blocking(move || commands::eval::run(command)).await,
        Command::Bench(args) => bench::run(args).await,
        Command::Token(command) => commands::token::run(command).await,
        Command::Guides(command) => commands::guides::run(command).await,
        Command::Customer(command) => commands::customer::run(command).await,
        Command::Loadtest(args) => crate::loadtest::run(args).await,
    }
}

/// Runs CPU-heavy commands off the async runtime's worker threads.
async fn blocking(
    work: impl FnOnce() -> anyhow::Result<()> + Send + 'static,
) -> anyhow::Result<()> {
    tokio::task::spawn_blocking(work).await?
}

impl ServeSettings {
    /// Defaults and environment variables, for a bare `felsok` with no subcommand.
    fn parse_from_env_only() -> Self {
        #[derive(Parser)]
        struct Only {
            #[command(flatten)]
            settings: ServeSettings,
        }
        Only::parse_from(["felsok"]).settings
    }
}
