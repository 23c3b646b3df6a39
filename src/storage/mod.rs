//! Storage: one code path over SQLite (the embedded default) and PostgreSQL (for replicas).
//!
//! Both engines are reached through sqlx's `Any` driver with portable SQL (`$n` parameters,
//! `TEXT` times, `RETURNING`), and each has its own append-only migrations. The only place the
//! engines differ at run time is [`Backend`]: row locks (`FOR UPDATE`) exist only on
//! PostgreSQL; SQLite serialises writers itself, so there every write goes through a single
//! connection and never meets a "database is locked" error.

mod cancellations;
mod changes;
mod connect;
mod conversations;
mod decode;
mod guides;
mod handoffs;
mod outages;
mod outbox;
mod privacy;
mod records;
mod review;
mod staff;
mod stats;
mod webhooks;

pub use cancellations::{CancellationRow, RequestWithStatus};
pub use changes::{follow_postgres, Changes};
pub use connect::{redact as redact_url, Backend};
pub use conversations::TurnTx;
pub use guides::{GuideRow, GuideToSave, RevisionRow};
pub use handoffs::{HandoffCursor, HandoffFilter, QueueStanding, Resolution, LIST_LIMIT};
pub use outages::OutageRow;
pub use outbox::{MailStatus, NewMail, OutboxMail};
pub use privacy::{DataSubject, Erased};
pub use records::{
    CallbackRecord, ConversationRecord, HandoffRecord, MessageRecord, NewConversation, NewMessage,
    StepEventRow,
};
pub use review::{NewMiss, ReviewFilter, ReviewRow, TaughtRow};
pub use staff::{StaffListing, StaffRow};
pub use stats::StatsRow;
pub use webhooks::{WebhookAttempt, WebhookDelivery};

use sqlx::AnyPool;

/// Everything that can go wrong below the service layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL (expected sqlite:// or postgres://): {0}")]
    UnsupportedUrl(String),
    #[error("could not create the database folder {path}: {source}")]
    CreateDir {
        path: String,
        source: std::io::Error,
    },
    #[error("stored data is not readable: {0}")]
    Corrupt(String),
}

/// The database, shared by every request. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    /// Reads; on SQLite these run beside the writer thanks to WAL.
    reader: AnyPool,
    /// Writes and read-modify-write transactions.
    writer: AnyPool,
    backend: Backend,
    /// Conversations as they change, for live updates.
    changes: Changes,
    /// Whether handoff events are recorded for a help desk's webhook.
    webhooks: bool,
}

impl Store {
    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn changes(&self) -> &Changes {
        &self.changes
    }

    /// Records handoff events for a webhook from now on, in the transaction of each change.
    pub fn with_webhooks(mut self) -> Self {
        self.webhooks = true;
        self
    }

    /// Applies the engine's migrations that have not run yet.
    #[tracing::instrument(skip_all, fields(backend = ?self.backend))]
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let migrator = match self.backend {
            Backend::Sqlite => sqlx::migrate!("src/storage/migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("src/storage/migrations/postgres"),
        };
        migrator.run(&self.writer).await?;
        Ok(())
    }

    /// A cheap round trip, for readiness checks.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }
}

impl Store {
    /// SQLite's `synchronous` level on a pooled connection (2 = FULL), `None` on PostgreSQL.
    /// Exposed so tests can prove the durability promise the README makes.
    pub async fn sqlite_synchronous(&self) -> Result<Option<i64>, StoreError> {
        if self.backend != Backend::Sqlite {
            return Ok(None);
        }
        let level: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&self.writer)
            .await?;
        Ok(Some(level))
    }
}
