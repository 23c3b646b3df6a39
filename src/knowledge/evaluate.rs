//! Retrieval evaluation: hit@1, hit@3 and MRR over hand-written queries with the guide a
//! support agent would open first (`eval/retrieval/queries.txt`).

use std::path::Path;

use crate::domain::Locale;

/// One evaluation query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetrievalCase {
    pub language: Locale,
    pub expected: String,
    pub text: String,
}

/// Reads `language | expected guide id | query` lines; `#` starts a comment.
pub fn load_cases(path: &Path) -> Result<Vec<RetrievalCase>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut cases = Vec::new();
    for (number, line) in (1..).zip(text.lines()) {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parts: Vec<&str> = line.splitn(3, " | ").collect();
        let [language, expected, query] = parts.as_slice() else {
            return Err(format!(
                "{}:{number}: expected `sv | guide-id | query`",
                path.display()
            ));
        };
        let language = Locale::parse(language.trim())
            .map_err(|_| format!("{}:{number}: language must be sv or en", path.display()))?;
        cases.push(RetrievalCase {
            language,
            expected: expected.trim().to_owned(),
            text: query.trim().to_owned(),
        });
    }
    Ok(cases)
}

/// Ranking quality over a set of queries.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RankScores {
    pub queries: usize,
    pub hit_at_1: f64,
    pub hit_at_3: f64,
    pub mrr: f64,
}

/// Scores rankings: `ranks[i]` is the 1-based position of the expected guide, or `None`.
pub fn score(ranks: &[Option<usize>]) -> RankScores {
    if ranks.is_empty() {
        return RankScores::default();
    }
    let n = ranks.len() as f64;
    let hits = |k: usize| ranks.iter().filter(|r| r.is_some_and(|r| r <= k)).count() as f64 / n;
    RankScores {
        queries: ranks.len(),
        hit_at_1: hits(1),
        hit_at_3: hits(3),
        mrr: ranks
            .iter()
            .map(|r| r.map_or(0.0, |r| 1.0 / r as f64))
            .sum::<f64>()
            / n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_follow_their_definitions() {
        let s = score(&[Some(1), Some(2), Some(4), None]);
        assert_eq!(s.hit_at_1, 0.25);
        assert_eq!(s.hit_at_3, 0.5);
        assert!((s.mrr - (1.0 + 0.5 + 0.25) / 4.0).abs() < 1e-12);
    }

    #[test]
    fn the_committed_queries_name_existing_guides_in_their_language() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let cases = load_cases(&root.join("eval/retrieval/queries.txt")).unwrap();
        assert!(cases.len() >= 80);
        for case in cases {
            let file = root
                .join("knowledge/guides")
                .join(format!("{}.md", case.expected));
            assert!(file.exists(), "{} does not exist", case.expected);
            assert!(case
                .expected
                .ends_with(&format!("-{}", case.language.as_str())));
        }
    }
}
