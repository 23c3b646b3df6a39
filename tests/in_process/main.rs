//! The integration tests that run Felsök inside the test process: the real model (loaded
//! once for the whole binary), the real search index and a real database per test, SQLite or
//! PostgreSQL. One binary, so the model loads and the guides are encoded once, not once per
//! file.

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod agents;
mod authorization;
mod cancellation;
mod classification;
mod company_profile;
mod conversation_api;
mod dialogue_eval;
mod dialogues;
mod encoder_reference;
mod guide_validation;
mod handoff_triggers;
mod hostile_input;
mod knowledge;
mod limits;
mod masking_corpus;
mod operations;
mod privacy;
mod refusals;
mod review;
mod security;
mod tokenizer_equivalence;
mod web;
mod webhooks;
mod withdrawal;
