//! `felsok bench search`: guide search at 1,000 guides against the committed library in the
//! same run, and how long a save takes to become searchable.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::config::defaults;
use clap::Args;

use super::report::{Figure, Section};
use crate::classifier::{Classifier, ModelPaths, REQUIRED_INTENTS};
use crate::domain::Locale;
use crate::knowledge::evaluate::load_cases;
use crate::knowledge::{library, Change, Editing, Guide, GuideEntry, GuideId, KnowledgeBase};
use crate::measure::{millis, Percentiles};
use crate::storage::Store;
use crate::timestamp::Timestamp;

const GUIDES: usize = 1000;
const SAVES: usize = 20;

#[derive(Debug, Args)]
pub struct SearchBenchArgs {
    /// How many guides the large index holds (synthetic copies of the committed ones).
    #[arg(long, default_value_t = GUIDES)]
    guides: usize,
    /// Saves to time for "saved → searchable".
    #[arg(long, default_value_t = SAVES)]
    saves: usize,
    #[arg(long, default_value = defaults::GUIDES_DIR)]
    guides_dir: PathBuf,
    #[arg(long, default_value = "eval/retrieval/queries.txt")]
    queries: PathBuf,
    #[arg(long, env = "FELSOK_MODELS_DIR", default_value = defaults::MODELS_DIR)]
    models_dir: PathBuf,
}

impl Default for SearchBenchArgs {
    fn default() -> Self {
        Self {
            guides: GUIDES,
            saves: SAVES,
            guides_dir: PathBuf::from("knowledge/guides"),
            queries: PathBuf::from("eval/retrieval/queries.txt"),
            models_dir: PathBuf::from(defaults::MODELS_DIR),
        }
    }
}

/// A copy of a committed guide under a new id, with its words shuffled a little so the index
/// is not 14 copies of the same postings.
fn synthetic(base: &Guide, n: usize) -> Guide {
    let mut guide = base.clone();
    let language = guide.language.as_str();
    guide.id = GuideId::parse(&format!("synthetic-{n}-{language}")).expect("a valid id");
    guide.translation = None;
    guide.title = format!("{} ({n})", guide.title);
    let shift = n % guide.symptoms.len().max(1);
    guide.symptoms.rotate_left(shift);
    guide
}

fn entry(guide: Guide) -> Box<GuideEntry> {
    Box::new(GuideEntry {
        guide,
        source: String::new(),
        // Below any stored version, so the timed saves (versions 1, 2, …) replace it.
        version: 0,
        updated_at: Timestamp::now(),
        vector: Vec::new(),
        phrase_vectors: Vec::new(),
    })
}

fn search_latencies(
    knowledge: &KnowledgeBase,
    queries: &[(String, Locale)],
) -> anyhow::Result<Percentiles> {
    let mut samples = Vec::with_capacity(queries.len() * 5);
    for _ in 0..5 {
        for (text, language) in queries {
            let started = Instant::now();
            let hits = knowledge.search(text, *language, 10)?;
            samples.push(started.elapsed());
            std::hint::black_box(hits);
        }
    }
    Ok(Percentiles::of(&mut samples))
}

pub async fn run(args: SearchBenchArgs) -> anyhow::Result<Section> {
    let company = std::sync::Arc::new(crate::company::CompanyProfile::shipped());
    let committed = library::load_dir(&args.guides_dir, REQUIRED_INTENTS, &company)
        .map_err(|p| anyhow::anyhow!("guides: {}", p.join("; ")))?;
    let queries: Vec<(String, Locale)> = load_cases(&args.queries)
        .map_err(anyhow::Error::msg)?
        .into_iter()
        .map(|c| (c.text, c.language))
        .collect();

    let small = KnowledgeBase::new()?;
    small.apply(
        committed
            .iter()
            .cloned()
            .map(|g| Change::Saved(entry(g)))
            .collect(),
    )?;
    let large = KnowledgeBase::new()?;
    let mut all: Vec<Change> = committed
        .iter()
        .cloned()
        .map(|g| Change::Saved(entry(g)))
        .collect();
    let mut n = 0;
    while all.len() < args.guides {
        let base = &committed[n % committed.len()];
        all.push(Change::Saved(entry(synthetic(base, n))));
        n += 1;
    }
    large.apply(all)?;

    let baseline = search_latencies(&small, &queries)?;
    let at_scale = search_latencies(&large, &queries)?;

    // Saved → searchable, through the real save path: validation, encoder, SQLite, index.
    let dir = tempfile::tempdir()?;
    let store = Store::connect(
        &format!("sqlite://{}", dir.path().join("bench.db").display()),
        2,
    )
    .await?;
    store.migrate().await?;
    let paths = ModelPaths::new(&args.models_dir);
    let classifier = tokio::task::spawn_blocking(move || Classifier::load(&paths)).await??;
    let editing = Editing::new(store.clone(), large.clone(), classifier, company);
    let source = std::fs::read_to_string(args.guides_dir.join("router-restart-sv.md"))?;
    let mut save_samples: Vec<Duration> = Vec::new();
    for i in 0..args.saves {
        let word = format!("bänkprov{i}");
        let changed = source.replace(
            "## Dra ur routerns strömsladd",
            &format!("## Dra ur routerns strömsladd {word}"),
        );
        let started = Instant::now();
        editing.save("router-restart-sv", &changed, "bench").await?;
        let found = large.search(&word, Locale::Sv, 3)?;
        save_samples.push(started.elapsed());
        anyhow::ensure!(
            found
                .first()
                .is_some_and(|h| h.id.as_str() == "router-restart-sv"),
            "a saved guide was not searchable at once"
        );
    }
    let saves = Percentiles::of(&mut save_samples);
    store.close().await;

    let ratio = at_scale.p50.as_secs_f64() / baseline.p50.as_secs_f64().max(1e-9);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Guide search (tantivy, in process): {} queries from eval/retrieval × 5 rounds; \
         baseline is the committed library in the same run.\n",
        queries.len()
    );
    let _ = writeln!(out, "| index | guides | p50 | p95 | p99 | p50 ratio |");
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|");
    let _ = writeln!(
        out,
        "| committed (baseline) | {} | {} | {} | {} | 1.00 |",
        small.len(),
        millis(baseline.p50),
        millis(baseline.p95),
        millis(baseline.p99)
    );
    let _ = writeln!(
        out,
        "| with synthetic guides | {} | {} | {} | {} | {ratio:.2} |",
        large.len(),
        millis(at_scale.p50),
        millis(at_scale.p95),
        millis(at_scale.p99)
    );
    let _ = writeln!(
        out,
        "\nSaved → searchable ({} saves of one guide into the {}-guide index: validate, encode \
         its phrases, store in SQLite, re-index, then find it): p50 {}, p95 {}, p99 {}.",
        args.saves,
        large.len(),
        millis(saves.p50),
        millis(saves.p95),
        millis(saves.p99)
    );
    Ok(Section {
        title: "Guide search",
        table: out,
        figures: vec![
            Figure::new(
                format!("guide search p50 at {} guides", large.len()),
                millis(at_scale.p50),
            ),
            Figure::new("guide saved → searchable, p50", millis(saves.p50)),
        ],
    })
}
