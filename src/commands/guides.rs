//! `felsok guides check|import|export`: guides as files, for docs-as-code work.

use std::path::PathBuf;
use std::sync::Arc;

use crate::config::defaults;
use anyhow::Context;
use clap::{Args, Subcommand};

use crate::classifier::{Classifier, ModelPaths, REQUIRED_INTENTS};
use crate::company::CompanyProfile;
use crate::domain::Locale;
use crate::knowledge::{guide, library, Editing, KnowledgeBase};
use crate::storage::Store;

#[derive(Debug, Args)]
pub struct GuidesCommand {
    #[command(subcommand)]
    action: GuidesAction,
}

#[derive(Debug, Subcommand)]
enum GuidesAction {
    /// Check every guide in a folder: format, translations both ways, jumps between guides,
    /// the company facts they name; and say which of those the company profile leaves unset.
    Check {
        #[arg(default_value = defaults::GUIDES_DIR)]
        dir: PathBuf,
        #[command(flatten)]
        company: CompanyArg,
    },
    /// Store every guide of a folder in the database (all or nothing), as new versions where
    /// they differ from what is stored. Running services pick them up within a second.
    Import {
        #[arg(default_value = defaults::GUIDES_DIR)]
        dir: PathBuf,
        #[command(flatten)]
        target: Target,
    },
    /// Write every live guide from the database into a folder, one file per guide.
    Export {
        #[arg(default_value = defaults::GUIDES_DIR)]
        dir: PathBuf,
        #[command(flatten)]
        target: Target,
    },
}

#[derive(Debug, Args)]
struct Target {
    #[arg(long, env = "DATABASE_URL", default_value = defaults::DATABASE_URL)]
    database_url: String,
    #[arg(long, env = "FELSOK_MODELS_DIR", default_value = defaults::MODELS_DIR)]
    models_dir: PathBuf,
    #[command(flatten)]
    company: CompanyArg,
}

#[derive(Debug, Args)]
struct CompanyArg {
    /// The company profile the guides' names are checked against, as `serve` takes it.
    /// Default: knowledge/company.yaml, or an empty profile when that file does not exist.
    #[arg(long, env = "FELSOK_COMPANY_PROFILE")]
    company_profile: Option<PathBuf>,
}

impl CompanyArg {
    fn load(&self) -> anyhow::Result<CompanyProfile> {
        CompanyProfile::load_configured(self.company_profile.as_deref())
            .context("could not load the company profile")
    }

    /// Where the profile was read from, for messages.
    fn shown(&self) -> String {
        self.company_profile
            .as_deref()
            .unwrap_or(std::path::Path::new(defaults::COMPANY_PROFILE))
            .display()
            .to_string()
    }
}

#[allow(clippy::print_stdout)]
fn say(line: &str) {
    println!("{line}");
}

pub async fn run(command: GuidesCommand) -> anyhow::Result<()> {
    match command.action {
        GuidesAction::Check { dir, company } => {
            let profile = company.load()?;
            let guides = match library::load_dir(&dir, REQUIRED_INTENTS, &profile) {
                Ok(guides) => guides,
                Err(problems) => {
                    for problem in &problems {
                        say(problem);
                    }
                    anyhow::bail!("{} problems in {}", problems.len(), dir.display());
                }
            };
            let swedish = guides.iter().filter(|g| g.language == Locale::Sv).count();
            say(&format!(
                "{} guides OK ({swedish} Swedish, {} English), every one with its translation",
                guides.len(),
                guides.len() - swedish
            ));
            let unset = library::unset_facts(&guides, &profile);
            if !unset.is_empty() {
                say(&format!(
                    "Notice: the company profile {} leaves {} facts the guides use unset; \
                     customers see these steps without them until they are set:",
                    company.shown(),
                    unset.len()
                ));
                for (name, count) in unset {
                    let guides = if count == 1 { "guide" } else { "guides" };
                    say(&format!("  {name} (named in {count} {guides})"));
                }
            }
            Ok(())
        }
        GuidesAction::Import { dir, target } => {
            let editing = connect(&target).await?;
            let saved = editing.import_dir(&dir, "import").await?;
            say(&format!("{saved} guides saved from {}", dir.display()));
            Ok(())
        }
        GuidesAction::Export { dir, target } => {
            let store = Store::connect(&target.database_url, 2).await?;
            store.migrate().await?;
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            let rows = store.live_guides().await?;
            for row in &rows {
                // Ids are validated on save; checked again so a file name can never escape.
                let id = guide::GuideId::parse(&row.id).map_err(anyhow::Error::msg)?;
                let path = dir.join(format!("{id}.md"));
                std::fs::write(&path, &row.source)
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            say(&format!(
                "{} guides written to {}",
                rows.len(),
                dir.display()
            ));
            Ok(())
        }
    }
}

async fn connect(target: &Target) -> anyhow::Result<Editing> {
    let store = Store::connect(&target.database_url, 2).await?;
    store.migrate().await?;
    let paths = ModelPaths::new(&target.models_dir);
    let company = Arc::new(target.company.load()?);
    let classifier = tokio::task::spawn_blocking(move || Classifier::load(&paths)).await??;
    Ok(Editing::new(
        store,
        KnowledgeBase::new()?,
        classifier,
        company,
    ))
}
