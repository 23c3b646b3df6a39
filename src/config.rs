//! Settings of `felsok serve`. Every one has a flag and an environment variable, and a default
//! that works on a fresh machine with no configuration.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};

/// The defaults every command shares, kept once so that `serve`, `guides`, `token`,
/// `customer` and the evaluations all find the same database, model and folders.
pub mod defaults {
    /// The embedded database, created on first start.
    pub const DATABASE_URL: &str = "sqlite://data/felsok.db";
    pub const MODELS_DIR: &str = "models";
    pub const CACHE_DIR: &str = "data/cache";
    pub const KNOWLEDGE_DIR: &str = "knowledge";
    pub const GUIDES_DIR: &str = "knowledge/guides";
    /// The company's facts (phone, hours, the links and details guides name). Used when no
    /// profile is given; without a file here, no company facts are shown.
    pub const COMPANY_PROFILE: &str = crate::company::DEFAULT_PATH;
    pub const DB_MAX_CONNECTIONS: u32 = 8;
    pub const MAIL_FROM: &str = "Felsök <noreply@localhost>";
    pub const RETENTION_DAYS: u32 = 365;
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum LogFormat {
    /// Human-readable lines, for a terminal.
    #[default]
    Text,
    /// One JSON object a line, for log collectors.
    Json,
}

#[derive(Clone, Args)]
pub struct ServeSettings {
    /// Address to listen on. Port 0 picks a free port (see --addr-file).
    #[arg(long, env = "FELSOK_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,

    /// Where conversations are kept: sqlite://PATH (embedded, the default) or
    /// postgres://USER@HOST/DB (shared by several replicas).
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = defaults::DATABASE_URL,
        hide_env_values = true
    )]
    pub database_url: String,

    /// A second address that serves only `/metrics`, without a token, for a Prometheus on a
    /// private network. On the public address `/metrics` needs an admin token.
    #[arg(long, env = "FELSOK_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,

    /// Largest number of database connections this process opens.
    #[arg(long, env = "FELSOK_DB_MAX_CONNECTIONS", default_value_t = defaults::DB_MAX_CONNECTIONS)]
    pub db_max_connections: u32,

    /// Write the address actually bound to this file once listening (handy with port 0).
    #[arg(long, env = "FELSOK_ADDR_FILE")]
    pub addr_file: Option<PathBuf>,

    /// Folder with the encoder (imported on first start) and the trained intent head.
    #[arg(long, env = "FELSOK_MODELS_DIR", default_value = defaults::MODELS_DIR)]
    pub models_dir: PathBuf,

    /// Where guide vectors are kept between starts, so a restart need not encode every guide
    /// again. Safe to delete; shared safely by replicas on one machine.
    #[arg(long, env = "FELSOK_CACHE_DIR", default_value = defaults::CACHE_DIR)]
    pub cache_dir: PathBuf,

    /// Folder whose `guides/` are imported into the database on the very first start.
    #[arg(long, env = "FELSOK_KNOWLEDGE_DIR", default_value = defaults::KNOWLEDGE_DIR)]
    pub knowledge_dir: PathBuf,

    /// The company profile: the support phone and hours, and the links and details guides
    /// name (YAML). Default: knowledge/company.yaml, or an empty profile when that file does
    /// not exist; a profile given here must exist.
    #[arg(long, env = "FELSOK_COMPANY_PROFILE")]
    pub company_profile: Option<PathBuf>,

    /// SMTP server for e-mail copies of cancellation receipts: smtp://HOST:PORT (plain, for a
    /// local relay), smtp://USER:PASSWORD@HOST:587?tls=required (STARTTLS) or smtps://HOST.
    /// Left out, no mail is sent; the receipt is always in the chat and downloadable.
    #[arg(long, env = "FELSOK_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// The sender of those e-mails.
    #[arg(
        long,
        env = "FELSOK_MAIL_FROM",
        default_value = defaults::MAIL_FROM
    )]
    pub mail_from: String,

    /// A help desk's URL to receive handoff events (created, claimed, released, moved, resolved) as
    /// signed JSON POSTs, retried with backoff. Needs FELSOK_WEBHOOK_SECRET.
    #[arg(long, env = "FELSOK_WEBHOOK_URL")]
    pub webhook_url: Option<String>,

    /// The shared secret the webhook's HMAC-SHA256 signature is made with (16+ characters).
    #[arg(long, env = "FELSOK_WEBHOOK_SECRET", hide_env_values = true)]
    pub webhook_secret: Option<String>,

    /// Serve the web pages from this folder instead of the copies built in, re-read on every
    /// request: for working on the pages (`src/http/web/assets`) without rebuilding.
    #[arg(long, env = "FELSOK_WEB_DIR")]
    pub web_dir: Option<PathBuf>,

    /// Conversations untouched for this many days are erased (written cancellations are
    /// kept); 0 keeps everything.
    #[arg(long, env = "FELSOK_RETENTION_DAYS", default_value_t = defaults::RETENTION_DAYS)]
    pub retention_days: u32,

    #[command(flatten)]
    pub limits: Limits,

    #[command(flatten)]
    pub rate_limits: RateLimitSettings,
}

/// Caps that keep one client from hurting the rest.
#[derive(Debug, Clone, Args)]
pub struct Limits {
    /// Largest request body accepted, in bytes; larger ones get 413.
    #[arg(long, env = "FELSOK_MAX_BODY_BYTES", default_value_t = 64 * 1024)]
    pub max_body_bytes: usize,

    /// Longest chat message accepted, in characters.
    #[arg(long, env = "FELSOK_MAX_MESSAGE_CHARS", default_value_t = 4000)]
    pub max_message_chars: usize,

    /// A request that takes longer than this many seconds is answered with 503.
    #[arg(long, env = "FELSOK_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,

    /// A connection that takes longer than this many seconds to send a request's headers is
    /// closed, so slow clients can't hold connections.
    #[arg(long, env = "FELSOK_HEADER_TIMEOUT_SECS", default_value_t = 10)]
    pub header_timeout_secs: u64,

    /// Most messages one conversation may hold; past it the customer is asked to start anew.
    #[arg(long, env = "FELSOK_MAX_CONVERSATION_MESSAGES", default_value_t = crate::conversation::DEFAULT_MAX_MESSAGES)]
    pub max_conversation_messages: u32,

    /// Open connections at most; more are closed at once.
    #[arg(long, env = "FELSOK_MAX_CONNECTIONS", default_value_t = DEFAULT_MAX_CONNECTIONS)]
    pub max_connections: usize,

    /// Open connections from one client address at most.
    #[arg(long, env = "FELSOK_MAX_CONNECTIONS_PER_CLIENT", default_value_t = DEFAULT_MAX_CONNECTIONS_PER_CLIENT)]
    pub max_connections_per_client: usize,

    /// Live event streams open on one conversation at most (its tabs and devices).
    #[arg(long, env = "FELSOK_MAX_STREAMS_PER_CONVERSATION", default_value_t = DEFAULT_MAX_STREAMS_PER_CONVERSATION)]
    pub max_streams_per_conversation: usize,

    /// Live event streams open from one client address, or with one staff token, at most.
    #[arg(long, env = "FELSOK_MAX_STREAMS_PER_CLIENT", default_value_t = DEFAULT_MAX_STREAMS_PER_CLIENT)]
    pub max_streams_per_client: usize,
}

const DEFAULT_MAX_CONNECTIONS: usize = 4096;
const DEFAULT_MAX_CONNECTIONS_PER_CLIENT: usize = 256;
const DEFAULT_MAX_STREAMS_PER_CONVERSATION: usize = 8;
const DEFAULT_MAX_STREAMS_PER_CLIENT: usize = 64;

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 64 * 1024,
            max_message_chars: 4000,
            request_timeout_secs: 30,
            header_timeout_secs: 10,
            max_conversation_messages: crate::conversation::DEFAULT_MAX_MESSAGES,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_connections_per_client: DEFAULT_MAX_CONNECTIONS_PER_CLIENT,
            max_streams_per_conversation: DEFAULT_MAX_STREAMS_PER_CONVERSATION,
            max_streams_per_client: DEFAULT_MAX_STREAMS_PER_CLIENT,
        }
    }
}

/// Whether request-rate limits apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Switch {
    #[default]
    On,
    Off,
}

/// Requests a minute a bucket refills; a client may spend a whole minute's budget at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub per_minute: u32,
}

impl Budget {
    pub fn burst(self) -> u32 {
        self.per_minute.max(1)
    }
}

impl std::str::FromStr for Budget {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim()
            .parse()
            .map(|per_minute| Self { per_minute })
            .map_err(|_| format!("expected a number of requests a minute, got {s:?}"))
    }
}

/// Request-rate limits (429 with `Retry-After` once a budget is spent).
#[derive(Debug, Clone, Args)]
pub struct RateLimitSettings {
    /// `off` turns every request-rate limit off, for load tests behind a trusted proxy.
    #[arg(long = "rate-limits", env = "FELSOK_RATE_LIMITS", default_value = "on")]
    pub switch: Switch,

    /// New conversations a minute from one client address.
    #[arg(long, env = "FELSOK_RATE_NEW_CONVERSATIONS", default_value = "30")]
    pub new_conversations: Budget,

    /// Requests a minute on one conversation (messages, reads, the transcript, forms).
    #[arg(long, env = "FELSOK_RATE_CONVERSATION_REQUESTS", default_value = "60")]
    pub conversation_requests: Budget,

    /// Requests a minute with one agent, editor or admin token.
    #[arg(long, env = "FELSOK_RATE_STAFF_REQUESTS", default_value = "600")]
    pub staff_requests: Budget,

    /// Other API requests a minute from one client address without a token (classify, search).
    #[arg(long, env = "FELSOK_RATE_PUBLIC_REQUESTS", default_value = "120")]
    pub public_requests: Budget,

    /// Written cancellation forms a minute from one client address.
    #[arg(long, env = "FELSOK_RATE_CANCELLATION_FORMS", default_value = "10")]
    pub cancellation_forms: Budget,

    /// Requests a minute from one client address that may be refused for a wrong or missing
    /// token (or an unknown conversation) before that address must wait.
    #[arg(long, env = "FELSOK_RATE_FAILED_REQUESTS", default_value = "30")]
    pub failed_requests: Budget,

    /// Take the client's address from the last `X-Forwarded-For` entry: only behind a proxy
    /// that appends it, or every client could pick its own address.
    #[arg(long, env = "FELSOK_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            switch: Switch::On,
            new_conversations: Budget { per_minute: 30 },
            conversation_requests: Budget { per_minute: 60 },
            staff_requests: Budget { per_minute: 600 },
            public_requests: Budget { per_minute: 120 },
            cancellation_forms: Budget { per_minute: 10 },
            failed_requests: Budget { per_minute: 30 },
            trust_forwarded_for: false,
        }
    }
}

impl RateLimitSettings {
    pub fn enabled(&self) -> bool {
        self.switch == Switch::On
    }

    pub fn off() -> Self {
        Self {
            switch: Switch::Off,
            ..Self::default()
        }
    }
}

impl Limits {
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs.max(1))
    }

    pub fn header_timeout(&self) -> Duration {
        Duration::from_secs(self.header_timeout_secs.max(1))
    }

    pub fn connections(&self) -> crate::http::ConnectionLimits {
        crate::http::ConnectionLimits {
            header_timeout: self.header_timeout(),
            total: self.max_connections.max(1),
            per_client: self.max_connections_per_client.max(1),
        }
    }
}

/// Written by hand so that `{:?}` (a panic message, a debug log) never shows the passwords
/// the database and SMTP URLs can carry, nor the webhook secret.
impl std::fmt::Debug for ServeSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redacted = |url: &Option<String>| url.as_deref().map(crate::storage::redact_url);
        f.debug_struct("ServeSettings")
            .field("addr", &self.addr)
            .field(
                "database_url",
                &crate::storage::redact_url(&self.database_url),
            )
            .field("metrics_addr", &self.metrics_addr)
            .field("db_max_connections", &self.db_max_connections)
            .field("addr_file", &self.addr_file)
            .field("models_dir", &self.models_dir)
            .field("cache_dir", &self.cache_dir)
            .field("knowledge_dir", &self.knowledge_dir)
            .field("company_profile", &self.company_profile)
            .field("smtp_url", &redacted(&self.smtp_url))
            .field("mail_from", &self.mail_from)
            .field("webhook_url", &self.webhook_url)
            .field(
                "webhook_secret",
                &self.webhook_secret.as_ref().map(|_| "***"),
            )
            .field("web_dir", &self.web_dir)
            .field("retention_days", &self.retention_days)
            .field("limits", &self.limits)
            .field("rate_limits", &self.rate_limits)
            .finish()
    }
}

impl ServeSettings {
    /// Settings for tests and benchmarks: an ephemeral port on loopback, and no request-rate
    /// limits, since they drive many conversations from one address (the tests of the limits
    /// turn them on).
    pub fn for_database(database_url: impl Into<String>) -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            database_url: database_url.into(),
            db_max_connections: defaults::DB_MAX_CONNECTIONS,
            metrics_addr: None,
            addr_file: None,
            models_dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(defaults::MODELS_DIR),
            knowledge_dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(defaults::KNOWLEDGE_DIR),
            cache_dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/cache"),
            company_profile: Some(
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(defaults::COMPANY_PROFILE),
            ),
            smtp_url: None,
            mail_from: defaults::MAIL_FROM.to_owned(),
            webhook_url: None,
            webhook_secret: None,
            web_dir: None,
            retention_days: defaults::RETENTION_DAYS,
            limits: Limits::default(),
            rate_limits: RateLimitSettings::off(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_keeps_passwords_and_the_webhook_secret_out() {
        let mut settings = ServeSettings::for_database("postgres://felsok:dbsecret@db/felsok");
        settings.smtp_url = Some("smtp://mailer:smtpsecret@mail.example:587?tls=required".into());
        settings.webhook_secret = Some("webhooksecret-0123456789".into());
        let shown = format!("{settings:?}");
        for secret in ["dbsecret", "smtpsecret", "webhooksecret"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("postgres://felsok:***@db/felsok"), "{shown}");
        assert!(shown.contains("smtp://mailer:***@mail.example"), "{shown}");
    }
}
