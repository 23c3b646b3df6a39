//! Understanding what the customer wrote: intent classification and the cancellation flag.

pub mod cache;
pub mod decision;
pub mod evaluate;
pub mod examples;
pub mod head;
pub mod language;
pub mod lexicon;
pub mod pool;
pub mod readers;
pub mod service;
pub mod train;

/// Every intent the head must know and the training data must have examples of: the
/// shared vocabulary.
pub const REQUIRED_INTENTS: &[crate::domain::Intent] = &crate::domain::Intent::ALL;

pub use decision::Classification;
pub use readers::{Reading, StepReply};
pub use service::{Classifier, LoadError, ModelPaths};
