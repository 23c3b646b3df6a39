use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Connection, Executor};

use super::{Changes, Store, StoreError};

/// Which engine a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn of_url(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(redact(url)))
        }
    }

    /// Row lock for read-modify-write transactions; SQLite has one writer and needs none.
    pub(super) fn lock_clause(self) -> &'static str {
        match self {
            Self::Sqlite => "",
            Self::Postgres => " FOR UPDATE",
        }
    }
}

/// The URL without a password, fit for logs and error messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Makes sure an SQLite file can be created: its folder exists and `mode=rwc` is set.
fn prepare_sqlite_url(url: &str) -> Result<String, StoreError> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or_default();
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() || path == ":memory:" {
        // Separate reader and writer pools would each see their own empty in-memory database.
        return Err(StoreError::UnsupportedUrl(
            "in-memory SQLite is not supported: give a file path".to_owned(),
        ));
    }
    if let Some(parent) = std::path::Path::new(path).parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::CreateDir {
                path: parent.display().to_string(),
                source,
            })?;
        }
    }
    let has_mode = query.split('&').any(|p| p.starts_with("mode="));
    Ok(match (query.is_empty(), has_mode) {
        (true, _) => format!("sqlite://{path}?mode=rwc"),
        (false, true) => format!("sqlite://{path}?{query}"),
        (false, false) => format!("sqlite://{path}?{query}&mode=rwc"),
    })
}

/// Durability and concurrency settings for every SQLite connection.
///
/// WAL lets readers run beside the writer. `synchronous = FULL` syncs the WAL on every commit,
/// so an acknowledged write survives not only `kill -9` but an OS crash or power loss
/// (`NORMAL` would risk the last commits there). The busy timeout covers a second process
/// briefly holding the write lock, such as a restarted server while the old one exits.
/// `secure_delete` overwrites what is deleted, so an erased conversation is not left readable
/// in the file's free space.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; \
    PRAGMA synchronous = FULL; \
    PRAGMA secure_delete = ON; \
    PRAGMA busy_timeout = 10000; \
    PRAGMA foreign_keys = ON;";

impl Store {
    /// Connects, creating the SQLite file and its folder when they don't exist yet.
    #[tracing::instrument(skip_all)]
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url)?;
        let url = match backend {
            Backend::Sqlite => prepare_sqlite_url(url)?,
            Backend::Postgres => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let pool_options = || {
            AnyPoolOptions::new()
                .acquire_timeout(Duration::from_secs(10))
                .after_connect(move |conn, _meta| {
                    Box::pin(async move {
                        if backend == Backend::Sqlite {
                            conn.execute(SQLITE_PRAGMAS).await?;
                        }
                        Ok(())
                    })
                })
        };
        let max_connections = max_connections.max(1);
        let store = match backend {
            Backend::Sqlite => {
                let writer = pool_options()
                    .max_connections(1)
                    .connect_with(options.clone())
                    .await?;
                let reader = pool_options()
                    .max_connections(max_connections)
                    .connect_with(options)
                    .await?;
                Store {
                    reader,
                    writer,
                    backend,
                    changes: Changes::default(),
                    webhooks: false,
                }
            }
            Backend::Postgres => {
                let pool = pool_options()
                    .max_connections(max_connections)
                    .connect_with(options)
                    .await?;
                Store {
                    reader: pool.clone(),
                    writer: pool,
                    backend,
                    changes: Changes::default(),
                    webhooks: false,
                }
            }
        };
        // Fail at start-up, not on the first customer's request.
        store.writer.acquire().await?.ping().await?;
        Ok(store)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://felsok:hemligt@db:5432/felsok"),
            "postgres://felsok:***@db:5432/felsok"
        );
        assert_eq!(redact("postgres://db/felsok"), "postgres://db/felsok");
        assert_eq!(redact("sqlite://data/felsok.db"), "sqlite://data/felsok.db");
    }

    #[test]
    fn sqlite_urls_get_create_mode() {
        let dir = std::env::temp_dir().join(format!("felsok-url-{}", uuid::Uuid::new_v4()));
        let path = dir.join("x.db");
        let url = prepare_sqlite_url(&format!("sqlite://{}", path.display())).unwrap();
        assert!(url.ends_with("?mode=rwc"));
        assert!(dir.is_dir());
        std::fs::remove_dir_all(dir).unwrap();
        assert!(prepare_sqlite_url("sqlite::memory:").is_err());
    }

    #[test]
    fn unknown_schemes_are_refused() {
        assert!(matches!(
            Backend::of_url("mysql://x"),
            Err(StoreError::UnsupportedUrl(_))
        ));
    }
}
