//! `felsok bench report`: every measurement in one run, with a summary against the goals.

use std::fmt::Write as _;

use clap::Args;

use super::{api, encoder, search, startup};

/// What one benchmark measured: its detailed table and the figures that have a goal.
pub struct Section {
    pub title: &'static str,
    pub table: String,
    pub figures: Vec<Figure>,
}

/// One line of the summary.
pub struct Figure {
    pub measure: String,
    pub reached: String,
    pub goal: String,
    /// `None` where there is no goal to meet.
    pub met: Option<bool>,
}

impl Figure {
    pub fn new(measure: impl Into<String>, reached: impl Into<String>) -> Self {
        Self {
            measure: measure.into(),
            reached: reached.into(),
            goal: "—".to_owned(),
            met: None,
        }
    }

    pub fn goal(mut self, goal: impl Into<String>, met: bool) -> Self {
        self.goal = goal.into();
        self.met = Some(met);
        self
    }
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A PostgreSQL server for the end-to-end run as well.
    #[arg(long, env = "FELSOK_BENCH_POSTGRES_URL")]
    pub postgres: Option<String>,

    /// Fewer rounds and requests: a quick look, not figures to publish.
    #[arg(long)]
    pub quick: bool,
}

pub async fn run(args: ReportArgs) -> anyhow::Result<String> {
    let mut encoder_args = encoder::EncoderBenchArgs::default();
    let mut api_args = api::ApiBenchArgs {
        postgres: args.postgres.clone(),
        ..api::ApiBenchArgs::default()
    };
    let mut startup_args = startup::StartupBenchArgs::default();
    let search_args = search::SearchBenchArgs::default();
    if args.quick {
        encoder_args.rounds = 1;
        encoder_args.iters = 50;
        api_args.messages = 10;
        startup_args.starts = 1;
    }
    // One at a time: each measurement needs the machine to itself.
    let sections = vec![
        tokio::task::spawn_blocking(move || encoder::run(encoder_args)).await??,
        api::run(api_args).await?,
        startup::run(startup_args).await?,
        search::run(search_args).await?,
    ];
    Ok(render(&sections))
}

fn render(sections: &[Section]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Felsök performance report\n\nWritten by `felsok bench report` on {} logical CPUs. \
         Every figure is a median or percentile over many runs, next to a baseline measured in \
         the same run; the sections below give the detail.\n",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let _ = writeln!(out, "| measure | reached | goal | met |");
    let _ = writeln!(out, "|---|---:|---:|:---:|");
    for figure in sections.iter().flat_map(|s| &s.figures) {
        let met = match figure.met {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "",
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {met} |",
            figure.measure, figure.reached, figure.goal
        );
    }
    for section in sections {
        let _ = writeln!(
            out,
            "\n## {}\n\n{}",
            section.title,
            section.table.trim_end()
        );
    }
    out
}
