//! Settings of `felsok serve`. Every one has a flag and an environment variable, and a default
//! that works on a fresh machine with no configuration.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum LogFormat {
    /// Human-readable lines, for a terminal.
    #[default]
    Text,
    /// One JSON object a line, for log collectors.
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct ServeSettings {
    /// Address to listen on. Port 0 picks a free port (see --addr-file).
    #[arg(long, env = "FELSOK_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,

    /// Where conversations are kept: sqlite://PATH (embedded, the default) or
    /// postgres://USER@HOST/DB (shared by several replicas).
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/felsok.db")]
    pub database_url: String,

    /// Largest number of database connections this process opens.
    #[arg(long, env = "FELSOK_DB_MAX_CONNECTIONS", default_value_t = 8)]
    pub db_max_connections: u32,

    /// Write the address actually bound to this file once listening (handy with port 0).
    #[arg(long, env = "FELSOK_ADDR_FILE")]
    pub addr_file: Option<PathBuf>,

    /// Folder with the encoder (imported on first start) and the trained intent head.
    #[arg(long, env = "FELSOK_MODELS_DIR", default_value = "models")]
    pub models_dir: PathBuf,

    /// Folder whose `guides/` are imported into the database on the very first start.
    #[arg(long, env = "FELSOK_KNOWLEDGE_DIR", default_value = "knowledge")]
    pub knowledge_dir: PathBuf,

    /// The support phone number the bot gives customers who ask for a person, e.g.
    /// "0771-40 40 40". Left out, the bot only hands over in the chat.
    #[arg(long, env = "FELSOK_SUPPORT_PHONE")]
    pub support_phone: Option<String>,

    /// When the phone line is open, as customers should read it, e.g. "vardagar 8–20".
    #[arg(long, env = "FELSOK_SUPPORT_HOURS")]
    pub support_hours: Option<String>,

    /// SMTP server for e-mail copies of cancellation receipts: smtp://HOST:PORT (plain, for a
    /// local relay), smtp://USER:PASSWORD@HOST:587?tls=required (STARTTLS) or smtps://HOST.
    /// Left out, no mail is sent; the receipt is always in the chat and downloadable.
    #[arg(long, env = "FELSOK_SMTP_URL")]
    pub smtp_url: Option<String>,

    /// The sender of those e-mails.
    #[arg(
        long,
        env = "FELSOK_MAIL_FROM",
        default_value = "Felsök <noreply@localhost>"
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
    /// request: for working on the pages (`src/web/assets`) without rebuilding.
    #[arg(long, env = "FELSOK_WEB_DIR")]
    pub web_dir: Option<PathBuf>,

    #[command(flatten)]
    pub limits: Limits,
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
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 64 * 1024,
            max_message_chars: 4000,
            request_timeout_secs: 30,
        }
    }
}

impl Limits {
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs.max(1))
    }
}

impl ServeSettings {
    /// Settings for tests and benchmarks: an ephemeral port on loopback.
    pub fn for_database(database_url: impl Into<String>) -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            database_url: database_url.into(),
            db_max_connections: 8,
            addr_file: None,
            models_dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models"),
            knowledge_dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("knowledge"),
            support_phone: None,
            support_hours: None,
            smtp_url: None,
            mail_from: "Felsök <noreply@localhost>".to_owned(),
            webhook_url: None,
            webhook_secret: None,
            web_dir: None,
            limits: Limits::default(),
        }
    }
}
