//! The `felsok` command line. `main` only calls [`run`].

use clap::{Parser, Subcommand};

use crate::config::{LogFormat, ServeSettings};
use crate::{bench, startup, telemetry};

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
    /// Measure the service and print a Markdown table.
    Bench(bench::BenchArgs),
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
            let app = startup::Application::build(&settings).await?;
            app.run_until(startup::shutdown_signal()).await
        }
        Command::Bench(args) => bench::run(args).await,
    }
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
