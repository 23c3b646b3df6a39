//! The knowledge base: step-by-step guides that content editors maintain in `knowledge/`.
//!
//! This part holds the guide format and its validation; search and the guided walk-through
//! build on it.

pub mod guide;
pub mod library;

pub use guide::{Guide, GuideId, GuideProblem, OnFailure, Product, Step};
