//! Felsök: a self-service troubleshooting chat for telecom customers.
//!
//! The binary in `main.rs` is a thin shell around this library so that integration tests,
//! benchmarks and the CLI all build exactly the same application (see `ARCHITECTURE.md`).

pub mod auth;
pub mod bench;
pub mod classifier;
pub mod cli;
pub mod commands;
pub mod company;
pub mod config;
pub mod conversation;
pub mod dialogue;
pub mod domain;
pub mod encoder;
pub mod handoff;
pub mod http;
pub mod knowledge;
pub mod loadtest;
pub mod mail;
pub mod measure;
pub mod review;
pub mod startup;
pub mod storage;
pub mod telemetry;
pub mod timestamp;
pub mod webhook;
