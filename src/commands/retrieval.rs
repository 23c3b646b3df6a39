//! The retrieval part of `felsok eval`: the committed guides, the real encoder and classifier,
//! and the same narrowing rule the chat uses.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use anyhow::Context;

use crate::classifier::{Classifier, ModelPaths};
use crate::domain::Locale;
use crate::knowledge::evaluate::{load_cases, score, RankScores};
use crate::knowledge::{
    embed_guide, library, Change, FindQuery, GuideEntry, KnowledgeBase, Weights,
};
use crate::timestamp::Timestamp;

/// How a variant ranks: which signals it uses.
#[derive(Clone)]
struct Variant {
    name: String,
    /// Only guides serving the confident intent.
    narrow: bool,
    meaning: bool,
    weights: Weights,
}

fn variants() -> Vec<Variant> {
    let mut all = vec![
        Variant {
            name: "text only (tantivy BM25)".into(),
            narrow: false,
            meaning: false,
            weights: Weights {
                text: 1.0,
                meaning: 0.0,
                intent: 0.0,
                subject: 0.0,
            },
        },
        Variant {
            name: "text, narrowed by intent".into(),
            narrow: true,
            meaning: false,
            weights: Weights {
                text: 1.0,
                meaning: 0.0,
                intent: 0.0,
                subject: 0.0,
            },
        },
    ];
    if let Ok(grid) = std::env::var("FELSOK_TUNE_WEIGHTS") {
        // Tuning aid: "t,m,i,s;t,m,i,s;..." adds variants with these weights.
        for spec in grid.split(';') {
            let w: Vec<f32> = spec
                .split(',')
                .filter_map(|x| x.trim().parse().ok())
                .collect();
            if let [text, meaning, intent, subject] = w[..] {
                for narrow in [false, true] {
                    all.push(Variant {
                        name: format!(
                            "tune t={text} m={meaning} i={intent} s={subject} narrow={narrow}"
                        ),
                        narrow,
                        meaning: true,
                        weights: Weights {
                            text,
                            meaning,
                            intent,
                            subject,
                        },
                    });
                }
            }
        }
    }
    all.push(Variant {
        name: "text + meaning, only guides of the confident intent".into(),
        narrow: true,
        meaning: true,
        weights: Weights::default(),
    });
    all.push(Variant {
        name: "text + meaning + intent probability (used in chats)".into(),
        narrow: false,
        meaning: true,
        weights: Weights::default(),
    });
    all
}

/// Runs the evaluation and returns the Markdown section and the chat pipeline's scores.
pub async fn evaluate(
    models_dir: &Path,
    guides_dir: &Path,
    queries: &Path,
) -> anyhow::Result<(String, RankScores)> {
    let paths = ModelPaths::new(models_dir);
    let classifier = tokio::task::spawn_blocking(move || Classifier::load(&paths)).await??;
    let intents = classifier.intents();
    // Ranking reads no company facts; the shipped profile declares every name they use.
    let company = crate::company::CompanyProfile::shipped();
    let guides = library::load_dir(guides_dir, intents, &company)
        .map_err(|p| anyhow::anyhow!("guides: {}", p.join("; ")))?;
    let vectors =
        futures::future::try_join_all(guides.iter().map(|g| embed_guide(&classifier, g))).await?;
    let knowledge = KnowledgeBase::new()?;
    let now = Timestamp::now();
    knowledge.apply(
        guides
            .into_iter()
            .zip(vectors)
            .map(|(guide, (vector, phrase_vectors))| {
                Change::Saved(Box::new(GuideEntry {
                    guide,
                    source: String::new(),
                    version: 1,
                    updated_at: now,
                    vector,
                    phrase_vectors,
                }))
            })
            .collect(),
    )?;
    let cases = load_cases(queries).map_err(anyhow::Error::msg)?;
    let variants = variants();
    let chat = variants.len() - 1;
    let mut ranks: Vec<Vec<Option<usize>>> = vec![Vec::new(); variants.len()];
    let mut misses = Vec::new();
    let mut search_ms = Vec::new();
    for case in &cases {
        let (c, vector) = classifier
            .classify_with_vector(&case.text, Some(case.language))
            .await?;
        let narrowing = if c.confident && !c.cancellation {
            vec![c.intent]
        } else {
            Vec::new()
        };
        let likely = c.likely_intents();
        for (v, variant) in variants.iter().enumerate() {
            let started = Instant::now();
            let found = knowledge.find(&FindQuery {
                text: &case.text,
                language: case.language,
                intents: if variant.narrow { &narrowing } else { &[] },
                vector: variant.meaning.then_some(vector.as_slice()),
                likely_intents: &likely,
                limit: 10,
                weights: variant.weights,
            })?;
            if v == chat {
                search_ms.push(started.elapsed().as_secs_f64() * 1000.0);
            }
            let rank = found
                .iter()
                .position(|f| f.entry.guide.id.as_str() == case.expected)
                .map(|p| p + 1);
            ranks[v].push(rank);
            if v == chat && rank.is_none_or(|r| r > 1) {
                misses.push(format!(
                    "| {} | {} | {} | {} |",
                    case.text.replace('|', "/"),
                    case.expected,
                    found
                        .first()
                        .map_or("(none)".to_owned(), |f| f.entry.guide.id.to_string()),
                    rank.map_or("–".to_owned(), |r| r.to_string())
                ));
            }
        }
    }
    search_ms.sort_by(f64::total_cmp);
    let median = search_ms.get(search_ms.len() / 2).copied().unwrap_or(0.0);
    let by_language = |lang: Locale, v: usize| {
        let picked: Vec<Option<usize>> = cases
            .iter()
            .zip(&ranks[v])
            .filter(|(c, _)| c.language == lang)
            .map(|(_, r)| *r)
            .collect();
        score(&picked)
    };
    let mut out = String::new();
    let sv = cases.iter().filter(|c| c.language == Locale::Sv).count();
    let _ = writeln!(out, "# Guide retrieval on `eval/retrieval/queries.txt`\n");
    let _ = writeln!(
        out,
        "{} queries ({sv} Swedish, {} English) written apart from the guides, each with the \
         guide a support agent would open first. Generated by `felsok eval`. Median time of \
         one chat lookup (index + re-rank, after classification): {median:.2} ms.\n",
        cases.len(),
        cases.len() - sv
    );
    let _ = writeln!(
        out,
        "| ranking | hit@1 | hit@3 | MRR | hit@3 sv | hit@3 en |\n|---|---:|---:|---:|---:|---:|"
    );
    for (v, variant) in variants.iter().enumerate() {
        let all = score(&ranks[v]);
        let _ = writeln!(
            out,
            "| {} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} |",
            variant.name,
            all.hit_at_1,
            all.hit_at_3,
            all.mrr,
            by_language(Locale::Sv, v).hit_at_3,
            by_language(Locale::En, v).hit_at_3
        );
    }
    let _ = writeln!(
        out,
        "\n## Not first in the chat ranking ({})\n",
        misses.len()
    );
    let _ = writeln!(
        out,
        "| query | expected | first | rank |\n|---|---|---|---:|"
    );
    for line in misses {
        let _ = writeln!(out, "{line}");
    }
    let chat = score(&ranks[chat]);
    Ok((out, chat))
}

/// Writes the report next to the classifier's and fails below the goal.
pub async fn run(
    models_dir: &Path,
    guides_dir: &Path,
    queries: &Path,
    output_dir: &Path,
    min_hit_at_3: f64,
) -> anyhow::Result<()> {
    let (report, chat) = evaluate(models_dir, guides_dir, queries).await?;
    let path = output_dir.join("retrieval.md");
    std::fs::write(&path, &report).with_context(|| format!("writing {}", path.display()))?;
    std::io::Write::write_all(&mut std::io::stdout().lock(), report.as_bytes())?;
    anyhow::ensure!(
        chat.hit_at_3 >= min_hit_at_3,
        "retrieval hit@3 {:.3} is below the floor {min_hit_at_3:.3}",
        chat.hit_at_3
    );
    Ok(())
}
