//! Which conversations changed, for live updates. Every committed turn is told to the
//! subscribers in this process and, on PostgreSQL, to every replica: the turn sends `NOTIFY`
//! inside its own transaction, so a change is heard only once it is committed, and each
//! replica's listener passes it on. Subscribers read what changed from the database, so a
//! missed or doubled notice costs a query, never a message.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{broadcast, watch};

/// The PostgreSQL channel; the payload is the conversation id.
pub const CHANNEL: &str = "felsok_changes";

/// How many notices a slow subscriber may fall behind before it is told it lagged (and then
/// simply reads everything new).
const BACKLOG: usize = 1024;

/// The ids of conversations that changed, as they commit. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Changes {
    sender: broadcast::Sender<Arc<str>>,
    /// Set when the service stops, so that open live streams end and shutdown is not held up
    /// by them.
    closing: Arc<watch::Sender<bool>>,
}

impl Default for Changes {
    fn default() -> Self {
        Self {
            sender: broadcast::channel(BACKLOG).0,
            closing: Arc::new(watch::channel(false).0),
        }
    }
}

impl Changes {
    /// Ends every live stream: the service is stopping.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Completes once the service is stopping.
    pub fn closing(&self) -> watch::Receiver<bool> {
        self.closing.subscribe()
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<str>> {
        self.sender.subscribe()
    }

    pub fn publish(&self, conversation_id: &str) {
        // Nobody listening is fine: live updates are an extra, the database is the record.
        let _ = self.sender.send(Arc::from(conversation_id));
    }
}

/// Passes other replicas' changes on to this process's subscribers, reconnecting after a
/// lost connection. Runs until the task is aborted.
pub async fn follow_postgres(url: String, changes: Changes) {
    loop {
        match listen(&url, &changes).await {
            Ok(()) => {}
            Err(error) => {
                tracing::warn!(%error, "lost the PostgreSQL change listener; reconnecting");
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

async fn listen(url: &str, changes: &Changes) -> Result<(), sqlx::Error> {
    let mut listener = sqlx::postgres::PgListener::connect(url).await?;
    listener.listen(CHANNEL).await?;
    tracing::info!("following changes from other replicas");
    loop {
        let notice = listener.recv().await?;
        changes.publish(notice.payload());
    }
}
