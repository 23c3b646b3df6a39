//! The dialogue engine: decides what Felsök answers.
//!
//! It is pure on purpose: no HTTP, no SQL, no clocks. It takes the conversation's stored state
//! and the customer's input and returns the replies and the new state, so every channel (the
//! web chat, apps, tests) gets the same behaviour and it can be tested without a server.

mod actions;
mod contact;
mod contract;
mod engine;
mod frustration;
mod leaving;
mod misses;
mod parts;
mod replies;
mod situation;
mod state;
mod step_card;
mod step_words;
mod walk;
mod way_out;

pub use actions::{Action, ActionButton, ActionKind, Topic};
pub use contract::{
    Context, GuideLookup, GuideStepRef, HandoffRequest, Input, Reply, ReplyRole, StepEvent, Turn,
    Understanding,
};
pub use engine::{area, queue_for, Engine};
pub use misses::Miss;
pub use parts::{after_contrast, last_said, parts, quotable, says_all_is_well, tells_of_the_past};
pub use replies::Replies;
pub use situation::{declines, ChatRequest, Situation, Upset};
pub use state::{ConversationStatus, DialogueState, Later, Pending, StepOutcome, StepTried, Walk};
pub use step_card::{LabelledPart, StepParts};
pub use step_words::{
    done_and_asks_next, lacks_what_the_step_needs, picks_an_order, says_already_done,
    says_no_change, says_settled, speaks_of_the_step,
};
pub use way_out::{
    asks_about_the_period, asks_after_a_request, asks_how, day_phrase, made_on, references_in,
    MadeOn, RequestState, RequestStatus,
};
