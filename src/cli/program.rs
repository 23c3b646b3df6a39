//! `felsok` itself: the runtime, and each command run on it.

use clap::Parser;

use super::{Cli, Command};
use crate::config::ServeSettings;
use crate::{bench, commands};

/// Process-wide settings that must be made before any thread starts.
///
/// candle asks for `RAYON_NUM_THREADS` on every matrix product when it is unset, which re-reads
/// `/proc/cpuinfo` each time (about 5 % of a short query); setting it once avoids that.
fn prepare_process() {
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        std::env::set_var("RAYON_NUM_THREADS", cores.to_string());
    }
}

/// The whole program: the process settings, the runtime and the command.
///
/// The runtime runs the command here rather than in `main.rs` because an `async fn`'s body is
/// compiled in the crate that polls it: polled here, every command is compiled with the
/// library, and the binary is only this call. Not in the library's unit-test build, which has
/// no use for it.
pub fn main() -> anyhow::Result<()> {
    // Before any thread exists: the environment may only be changed while single-threaded.
    prepare_process();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    crate::telemetry::init(cli.log_format);
    let command = match cli.command {
        Some(command) => command,
        None => Command::Serve(ServeSettings::parse_from_env_only()),
    };
    match command {
        Command::Serve(settings) => {
            crate::http::raise_descriptor_limit();
            let app = crate::startup::Application::build(&settings).await?;
            app.run_until(crate::startup::shutdown_signal()).await
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
