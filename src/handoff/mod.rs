//! Handoffs: a conversation put in front of a person, and everything agents do with it.
//!
//! The customer's side (asking for a person, sending a written request) creates handoffs
//! in `conversation`; this module is the agents' side: the queue, the context packet
//! (`packet`, with its `summary` and `details`), the outcomes (`resolution`) and the
//! actions (`service`).

mod details;
mod error;
mod packet;
mod resolution;
mod service;
mod summary;

pub use details::CaseDetails;
pub use error::{HandoffConflict, HandoffError};
pub use packet::{CancellationFacts, HandoffPacket};
pub use resolution::{ResolveRequest, Resolved};
pub use service::{Handoffs, InboxChange};
