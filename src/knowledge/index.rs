//! The full-text index over guides (tantivy), kept in memory and rebuilt from storage at start.
//!
//! One index holds both languages; each language has its own text fields with its own stemmer,
//! so a Swedish query is analysed and matched the Swedish way. Queries are built from analysed
//! terms, never parsed as query syntax: whatever a customer types (quotes, colons, `AND`,
//! brackets) is just words.

use std::sync::Mutex;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, STORED, STRING,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use super::guide::{Guide, GuideId};
use crate::domain::{Intent, Locale};

/// Title words weigh most, then the customer's own words for the problem, then step text.
const TITLE_BOOST: f32 = 3.0;
const SYMPTOMS_BOOST: f32 = 2.0;
const STEPS_BOOST: f32 = 1.0;
/// A query is a chat message; past this many distinct terms more words add noise, not recall.
const MAX_QUERY_TERMS: usize = 48;
/// tantivy's smallest allowed indexing budget; guides are tiny, so the minimum is plenty.
const WRITER_BUDGET_BYTES: usize = 15_000_000;

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("search index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("the search index writer was poisoned by an earlier panic")]
    Poisoned,
}

#[derive(Clone, Copy)]
struct LanguageFields {
    title: Field,
    symptoms: Field,
    steps: Field,
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    language: Field,
    intents: Field,
    products: Field,
    sv: LanguageFields,
    en: LanguageFields,
}

impl Fields {
    fn of(&self, locale: Locale) -> LanguageFields {
        match locale {
            Locale::Sv => self.sv,
            Locale::En => self.en,
        }
    }
}

/// A guide found by a text query, with tantivy's BM25 score.
#[derive(Debug, Clone, PartialEq)]
pub struct TextHit {
    pub id: GuideId,
    pub score: f32,
}

/// What to search for.
#[derive(Debug, Clone)]
pub struct TextQuery<'a> {
    pub text: &'a str,
    pub language: Locale,
    /// Only guides serving one of these intents; empty means any guide.
    pub intents: &'a [Intent],
    pub limit: usize,
}

/// The guide index: one long-lived reader, one writer.
pub struct GuideIndex {
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
}

impl std::fmt::Debug for GuideIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GuideIndex").finish_non_exhaustive()
    }
}

fn tokenizer_name(locale: Locale) -> &'static str {
    match locale {
        Locale::Sv => "felsok_sv",
        Locale::En => "felsok_en",
    }
}

/// Stemming first, then folding å/ä/ö: "nätet" and "natet" (typed without Swedish letters)
/// end up as the same term, and the stemmer still sees the real word when there is one.
fn analyzer(locale: Locale) -> TextAnalyzer {
    let language = match locale {
        Locale::Sv => Language::Swedish,
        Locale::En => Language::English,
    };
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(Stemmer::new(language))
        .filter(AsciiFoldingFilter)
        .build()
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = |locale: Locale| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer_name(locale))
                .set_index_option(IndexRecordOption::WithFreqs),
        )
    };
    let mut language_fields = |locale: Locale| LanguageFields {
        title: builder.add_text_field(&format!("title_{}", locale.as_str()), text(locale)),
        symptoms: builder.add_text_field(&format!("symptoms_{}", locale.as_str()), text(locale)),
        steps: builder.add_text_field(&format!("steps_{}", locale.as_str()), text(locale)),
    };
    let sv = language_fields(Locale::Sv);
    let en = language_fields(Locale::En);
    let fields = Fields {
        id: builder.add_text_field("id", STRING | STORED),
        language: builder.add_text_field("language", STRING),
        intents: builder.add_text_field("intents", STRING),
        products: builder.add_text_field("products", STRING),
        sv,
        en,
    };
    (builder.build(), fields)
}

impl GuideIndex {
    /// An empty index in memory. Storage is the record; the index is rebuilt from it at start,
    /// which takes milliseconds for thousands of guides.
    pub fn new() -> Result<Self, IndexError> {
        let (schema, fields) = schema();
        let index = Index::create_in_ram(schema);
        for locale in [Locale::Sv, Locale::En] {
            index
                .tokenizers()
                .register(tokenizer_name(locale), analyzer(locale));
        }
        let writer = index.writer_with_num_threads(1, WRITER_BUDGET_BYTES)?;
        // Reloaded by hand after each commit, so a saved guide is searchable when the save
        // returns rather than some time later.
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Self {
            reader,
            writer: Mutex::new(writer),
            fields,
        })
    }

    /// Replaces (or adds) guides and removes others, then makes the change visible.
    pub fn apply(&self, upserts: &[&Guide], removals: &[&GuideId]) -> Result<(), IndexError> {
        let mut writer = self.writer.lock().map_err(|_| IndexError::Poisoned)?;
        for id in removals {
            writer.delete_term(Term::from_field_text(self.fields.id, id.as_str()));
        }
        for guide in upserts {
            writer.delete_term(Term::from_field_text(self.fields.id, guide.id.as_str()));
            writer.add_document(self.document(guide))?;
        }
        writer.commit()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    fn document(&self, guide: &Guide) -> TantivyDocument {
        let f = self.fields;
        let lang = f.of(guide.language);
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, guide.id.as_str());
        doc.add_text(f.language, guide.language.as_str());
        for intent in &guide.intents {
            doc.add_text(f.intents, intent.as_str());
        }
        for product in &guide.products {
            doc.add_text(f.products, product.as_str());
        }
        doc.add_text(lang.title, &guide.title);
        for line in guide
            .symptoms
            .iter()
            .chain(&guide.examples)
            .chain([&guide.summary])
        {
            doc.add_text(lang.symptoms, line);
        }
        for step in &guide.steps {
            doc.add_text(lang.steps, &step.title);
            doc.add_text(lang.steps, &step.instruction);
        }
        doc
    }

    /// The query's distinct analysed terms, in the language's own analysis.
    fn terms(&self, text: &str, locale: Locale) -> Vec<String> {
        let mut analyzer = analyzer(locale);
        let mut stream = analyzer.token_stream(text);
        let mut terms: Vec<String> = Vec::new();
        while stream.advance() && terms.len() < MAX_QUERY_TERMS {
            let term = &stream.token().text;
            if !terms.contains(term) {
                terms.push(term.clone());
            }
        }
        terms
    }

    /// Guides matching `query`, best first. A query with no words finds nothing.
    pub fn search(&self, query: &TextQuery<'_>) -> Result<Vec<TextHit>, IndexError> {
        let f = self.fields;
        let lang = f.of(query.language);
        let terms = self.terms(query.text, query.language);
        if terms.is_empty() || query.limit == 0 {
            return Ok(Vec::new());
        }
        let mut words: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for term in &terms {
            for (field, boost) in [
                (lang.title, TITLE_BOOST),
                (lang.symptoms, SYMPTOMS_BOOST),
                (lang.steps, STEPS_BOOST),
            ] {
                let q = TermQuery::new(
                    Term::from_field_text(field, term),
                    IndexRecordOption::WithFreqs,
                );
                words.push((Occur::Should, Box::new(BoostQuery::new(Box::new(q), boost))));
            }
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![
            (Occur::Must, Box::new(BooleanQuery::new(words))),
            (
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.language, query.language.as_str()),
                    IndexRecordOption::Basic,
                )),
            ),
        ];
        if !query.intents.is_empty() {
            let any_intent: Vec<(Occur, Box<dyn Query>)> = query
                .intents
                .iter()
                .map(|intent| {
                    let q: Box<dyn Query> = Box::new(TermQuery::new(
                        Term::from_field_text(f.intents, intent.as_str()),
                        IndexRecordOption::Basic,
                    ));
                    (Occur::Should, q)
                })
                .collect();
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(any_intent))));
        }
        let searcher = self.reader.searcher();
        let top = searcher.search(
            &BooleanQuery::new(clauses),
            &TopDocs::with_limit(query.limit),
        )?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let id = doc
                .get_first(f.id)
                .and_then(|v| v.as_str())
                .and_then(|raw| GuideId::parse(raw).ok());
            if let Some(id) = id {
                hits.push(TextHit { id, score });
            }
        }
        Ok(hits)
    }

    /// How many guides are searchable.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    #[cfg(test)]
    fn analysed(&self, text: &str, locale: Locale) -> Vec<String> {
        self.terms(text, locale)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classifier::REQUIRED_INTENTS;
    use crate::knowledge::library;

    fn committed() -> GuideIndex {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge/guides");
        let guides = library::load_dir(
            &dir,
            REQUIRED_INTENTS,
            &crate::company::CompanyProfile::shipped(),
        )
        .expect("guides parse");
        let index = GuideIndex::new().unwrap();
        let refs: Vec<&Guide> = guides.iter().collect();
        index.apply(&refs, &[]).unwrap();
        index
    }

    fn top(index: &GuideIndex, text: &str, language: Locale) -> Option<String> {
        index
            .search(&TextQuery {
                text,
                language,
                intents: &[],
                limit: 3,
            })
            .unwrap()
            .first()
            .map(|h| h.id.to_string())
    }

    #[test]
    fn swedish_words_match_with_or_without_swedish_letters() {
        let index = committed();
        assert_eq!(
            index.analysed("nätet", Locale::Sv),
            index.analysed("natet", Locale::Sv)
        );
        assert_eq!(
            index.analysed("fakturorna", Locale::Sv),
            index.analysed("fakturor", Locale::Sv)
        );
    }

    #[test]
    fn queries_find_guides_in_their_own_language_only() {
        let index = committed();
        let sv = top(&index, "tv-boxen säger ingen signal", Locale::Sv).unwrap();
        assert!(sv.ends_with("-sv"), "{sv}");
        let en = top(&index, "the tv box says no signal", Locale::En).unwrap();
        assert!(en.ends_with("-en"), "{en}");
    }

    #[test]
    fn query_syntax_is_just_words_and_empty_queries_find_nothing() {
        let index = committed();
        for text in [
            "",
            "   ",
            "\"",
            "title:router AND (",
            "*?~^:[]{}!-+",
            &"wifi ".repeat(5000),
        ] {
            let found = index.search(&TextQuery {
                text,
                language: Locale::Sv,
                intents: &[],
                limit: 5,
            });
            assert!(found.is_ok(), "{text:.40}");
        }
        assert_eq!(top(&index, "", Locale::Sv), None);
    }

    #[test]
    fn an_intent_narrows_the_candidates() {
        let index = committed();
        let intents = vec![Intent::InvoiceQuestion];
        let hits = index
            .search(&TextQuery {
                text: "routern blinkar och fakturan är fel",
                language: Locale::Sv,
                intents: &intents,
                limit: 10,
            })
            .unwrap();
        assert!(!hits.is_empty());
        assert!(hits.iter().all(|h| h.id.as_str().starts_with("invoice")
            || h.id.as_str().starts_with("reminder")
            || h.id.as_str().starts_with("payment")
            || h.id.as_str().starts_with("compensation")
            || h.id.as_str().starts_with("complaint")));
    }

    #[test]
    fn a_removed_guide_is_gone_at_once() {
        let index = committed();
        let before = index.len();
        let id = GuideId::parse("router-restart-sv").unwrap();
        index.apply(&[], &[&id]).unwrap();
        assert_eq!(index.len(), before - 1);
    }
}
