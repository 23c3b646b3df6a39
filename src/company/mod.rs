//! What Felsök knows about the company it serves: the support phone and hours, and the
//! links and details guides name instead of writing them, kept in one file the operator
//! configures (`knowledge/company.yaml`, `--company-profile`).
//!
//! It depends on nothing else of Felsök but `domain` and the default path in `config`; the knowledge base checks guides'
//! names against it, and the dialogue engine fills them in when a step is shown.

mod names;
mod profile;

pub use names::{is_fact_name, placeholder_address, references, LinkRef};
pub use profile::{CompanyProfile, ProfileError, ProfileProblem, DEFAULT_PATH};
