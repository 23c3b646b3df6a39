//! The CLI's work commands besides `serve`: model import, training, evaluation (the
//! classifier, retrieval and the scripted dialogues), staff tokens, guide files and customers'
//! data.
//! These are edges: they report with `anyhow` and draw progress bars on the terminal.

pub mod customer;
pub mod dialogues;
pub mod eval;
pub mod guides;
pub mod model;
pub mod readers_eval;
pub mod retrieval;
pub mod token;
pub mod train;

use std::path::PathBuf;

use crate::config::defaults;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use crate::classifier::ModelPaths;

/// Where the model files are.
#[derive(Debug, Clone, Args)]
pub struct ModelArgs {
    /// Folder holding the encoder, the training examples and the trained head.
    #[arg(long, env = "FELSOK_MODELS_DIR", default_value = defaults::MODELS_DIR)]
    pub models_dir: PathBuf,

    /// Where sentence vectors are cached between runs.
    #[arg(long, env = "FELSOK_CACHE_DIR", default_value = defaults::CACHE_DIR)]
    pub cache_dir: PathBuf,
}

impl ModelArgs {
    pub fn paths(&self) -> ModelPaths {
        ModelPaths::new(&self.models_dir)
    }
}

/// A progress bar on stderr, hidden when stderr is not a terminal (CI logs).
pub fn progress_bar(message: &str, total: u64) -> ProgressBar {
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{msg:28} {wide_bar} {pos}/{len} {eta}")
            .expect("a valid template"),
    );
    bar.set_message(message.to_owned());
    bar
}
