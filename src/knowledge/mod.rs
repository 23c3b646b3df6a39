//! The knowledge base: step-by-step guides that content editors maintain in `knowledge/`.
//!
//! The guide format and its validation, the search index, the in-memory base that chats
//! read, outage notices, and the editor workflow that keeps storage, index and replicas in step.

pub mod base;
pub mod editing;
pub mod evaluate;
pub mod guide;
pub mod index;
pub mod library;
pub mod outage;
pub mod ruled_out;
pub mod sales_language;
pub mod subjects;

pub use base::{Change, FindQuery, Found, GuideEntry, KnowledgeBase, Weights};
pub use editing::{embed_guide, EditError, Editing, NewOutage, Saved, StepStats};
pub use guide::{Guide, GuideId, GuideProblem, OnFailure, Product, Step};
pub use outage::{Outage, Service};
