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

/// Intents outside tests rely on; `models/training/` may add more.
pub const REQUIRED_INTENTS: &[&str] = &[
    "broadband_down",
    "broadband_slow",
    "wifi_problem",
    "tv_problem",
    "mobile_coverage",
    "mobile_data",
    "sim_pin_puk",
    "email_login",
    "voip_landline",
    "outage_status",
    "invoice_question",
    "payment_method",
    "compensation",
    "move_address",
    "change_subscription",
    "cancel_subscription",
    "complaint",
    "case_status",
    "talk_to_human",
    "greeting",
    "thanks_goodbye",
    "out_of_scope",
];

pub use decision::Classification;
pub use readers::{Reading, StepReply};
pub use service::{Classifier, LoadError, ModelPaths};
