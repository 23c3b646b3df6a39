//! Building and running the application, the same way for `main`, tests and benchmarks.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use tokio::net::TcpListener;

use crate::classifier::{Classifier, ModelPaths};
use crate::company::CompanyProfile;
use crate::config::ServeSettings;
use crate::conversation::Conversations;
use crate::dialogue::Engine;
use crate::handoff::Handoffs;
use crate::http::{self, AppState};
use crate::knowledge::{Editing, KnowledgeBase};
use crate::mail::Mailer;
use crate::storage::Store;

/// The future of building or running the service, boxed inside this crate.
///
/// Why boxed: an `async fn`'s body is compiled in whichever crate polls it. Returned boxed,
/// the start-up and the serve loop are compiled once, with the library, and the binary and
/// each test binary only poll a `dyn Future`; unboxed, every one of them compiled its own
/// copy of the whole service (the larger part of a clean release build).
pub type Boxed<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A built application with its listener bound, not yet serving.
pub struct Application {
    listener: TcpListener,
    router: Router,
    connections: http::ConnectionLimits,
    /// The private address that serves only `/metrics`, when configured.
    metrics_listener: Option<TcpListener>,
    store: Store,
    /// Picks up guide changes saved by other replicas.
    poller: tokio::task::JoinHandle<()>,
    /// Delivers the mail outbox, when SMTP is configured.
    mail_sender: Option<tokio::task::JoinHandle<()>>,
    change_follower: Option<tokio::task::JoinHandle<()>>,
    webhook_sender: Option<tokio::task::JoinHandle<()>>,
    retention_sweeper: Option<tokio::task::JoinHandle<()>>,
}

/// How often a replica looks for guide and outage changes made elsewhere: well inside the
/// promise that a saved guide is used in new chats within a second.
const REFRESH_INTERVAL: Duration = Duration::from_millis(400);

async fn follow_other_replicas(editing: Editing) {
    let mut tick = tokio::time::interval(REFRESH_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match editing.refresh().await {
            Ok(0) => {}
            Ok(applied) => tracing::info!(applied, "guide changes from other replicas"),
            Err(e) => tracing::warn!(error = %e, "could not refresh guides"),
        }
    }
}

/// How often conversations past the retention period are looked for. Retention is counted in
/// days, so an hour's delay changes nothing that matters.
const RETENTION_SWEEP_INTERVAL: Duration = Duration::from_secs(3600);

async fn sweep_old_conversations(store: Store, retention: Duration) {
    let mut tick = tokio::time::interval(RETENTION_SWEEP_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = crate::conversation::privacy::forget_idle(&store, retention).await {
            tracing::warn!(error = %e, "could not erase conversations past the retention period");
        }
    }
}

impl Application {
    /// Loads the model (importing the encoder on first start), connects storage, runs
    /// migrations, builds the router and binds the listener.
    pub fn build(settings: &ServeSettings) -> Boxed<'_, anyhow::Result<Self>> {
        Box::pin(async move {
            let paths = ModelPaths::new(&settings.models_dir);
            let vectors = settings.cache_dir.join("guide-vectors.bin");
            let classifier = tokio::task::spawn_blocking(move || {
                let classifier = Classifier::load(&paths)?;
                classifier.keep_guide_vectors_in(&vectors, &paths.encoder_dir());
                Ok::<_, crate::classifier::LoadError>(classifier)
            })
            .await?
            .context("could not load the language model")?;
            Self::build_with(settings, classifier).await
        })
    }

    /// Like [`Application::build`] with a classifier already loaded: tests share one per
    /// process instead of loading the encoder for every test.
    pub fn build_with(
        settings: &ServeSettings,
        classifier: Classifier,
    ) -> Boxed<'_, anyhow::Result<Self>> {
        Box::pin(async move {
            let company = Arc::new(
                CompanyProfile::load_configured(settings.company_profile.as_deref())
                    .context("could not load the company profile")?,
            );
            let store = Store::connect(&settings.database_url, settings.db_max_connections)
                .await
                .with_context(|| {
                    format!(
                        "could not open the database at {}",
                        crate::storage::redact_url(&settings.database_url)
                    )
                })?;
            store
                .migrate()
                .await
                .context("could not migrate the database")?;
            let webhook = settings
                .webhook_url
                .as_deref()
                .map(|url| crate::webhook::Webhook::new(url, settings.webhook_secret.as_deref()))
                .transpose()
                .context("could not set up the webhook")?;
            let store = if webhook.is_some() {
                store.with_webhooks()
            } else {
                store
            };
            let knowledge = KnowledgeBase::new().context("could not create the search index")?;
            let editing = Editing::new(
                store.clone(),
                knowledge.clone(),
                classifier.clone(),
                company.clone(),
            );
            let guides = editing
                .load(Some(&settings.knowledge_dir.join("guides")))
                .await
                .context("could not load the guides")?;
            tracing::info!(guides, "knowledge base ready");
            let poller = tokio::spawn(follow_other_replicas(editing.clone()));
            // Other replicas' changes, for live updates; one process on SQLite has none.
            let change_follower =
                (store.backend() == crate::storage::Backend::Postgres).then(|| {
                    tokio::spawn(crate::storage::follow_postgres(
                        settings.database_url.clone(),
                        store.changes().clone(),
                    ))
                });
            let webhook_sender =
                webhook.map(|webhook| tokio::spawn(crate::webhook::run(store.clone(), webhook)));
            let retention_sweeper = (settings.retention_days > 0).then(|| {
                let retention = Duration::from_secs(u64::from(settings.retention_days) * 86_400);
                tokio::spawn(sweep_old_conversations(store.clone(), retention))
            });
            let mail = match &settings.smtp_url {
                Some(url) => {
                    Some(Mailer::new(url, &settings.mail_from).context("could not set up e-mail")?)
                }
                None => None,
            };
            let mail_wake = Arc::new(tokio::sync::Notify::new());
            let mail_sender = mail.map(|mailer| {
                tokio::spawn(crate::mail::sender::run(
                    store.clone(),
                    mailer,
                    mail_wake.clone(),
                ))
            });
            let engine = Engine::with_company(company);
            let handoffs = Handoffs::new(store.clone(), engine.clone());
            let review =
                crate::review::ReviewInbox::new(store.clone(), classifier.clone(), editing.clone());
            let mut conversations =
                Conversations::new(store.clone(), engine, classifier, knowledge);
            conversations =
                conversations.with_max_messages(settings.limits.max_conversation_messages);
            if mail_sender.is_some() {
                conversations = conversations.with_mail(mail_wake);
            }
            let state = AppState {
                editing,
                review,
                conversations,
                handoffs,
                store: store.clone(),
                limits: Arc::new(settings.limits.clone()),
                rate_limiter: Arc::new(http::RateLimiter::new(&settings.rate_limits)),
                streams: Arc::new(http::StreamSlots::new(&settings.limits)),
                metrics: http::metrics_handle(),
                web: settings.web_dir.clone().map_or(
                    crate::http::web::Source::Embedded,
                    crate::http::web::Source::Folder,
                ),
            };
            let listener = TcpListener::bind(settings.addr)
                .await
                .with_context(|| format!("could not listen on {}", settings.addr))?;
            let metrics_listener = match settings.metrics_addr {
                Some(addr) => Some(
                    TcpListener::bind(addr)
                        .await
                        .with_context(|| format!("could not listen for metrics on {addr}"))?,
                ),
                None => None,
            };
            let app = Self {
                listener,
                router: http::app(state),
                connections: settings.limits.connections(),
                metrics_listener,
                store,
                poller,
                mail_sender,
                change_follower,
                webhook_sender,
                retention_sweeper,
            };
            if let Some(path) = &settings.addr_file {
                std::fs::write(path, app.local_addr()?.to_string())
                    .with_context(|| format!("could not write {}", path.display()))?;
            }
            Ok(app)
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The router as served, to send it requests in-process (`tower::ServiceExt::oneshot`).
    /// A request needs the `ConnectInfo<SocketAddr>` extension the server gives every one.
    pub fn router(&self) -> Router {
        self.router.clone()
    }

    /// Serves until `shutdown` completes, then lets in-flight requests finish.
    pub fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Boxed<'static, anyhow::Result<()>> {
        self.serve(Box::pin(shutdown))
    }

    fn serve(self, shutdown: Boxed<'static, ()>) -> Boxed<'static, anyhow::Result<()>> {
        Box::pin(self.serve_until(shutdown))
    }

    async fn serve_until(self, shutdown: Boxed<'static, ()>) -> anyhow::Result<()> {
        let addr = self.local_addr()?;
        tracing::info!(%addr, backend = ?self.store.backend(), "serving");
        let changes = self.store.changes().clone();
        let shutdown = async move {
            shutdown.await;
            // Live streams never finish on their own; end them so the shutdown can.
            changes.close();
        };
        let metrics_server = self.metrics_listener.map(|listener| {
            tracing::info!(addr = ?listener.local_addr().ok(), "serving metrics");
            let router = http::metrics_app(http::metrics_handle());
            tokio::spawn(http::serve(
                listener,
                router,
                self.connections,
                std::future::pending(),
            ))
        });
        http::serve(self.listener, self.router, self.connections, shutdown).await;
        if let Some(server) = metrics_server {
            server.abort();
        }
        self.poller.abort();
        if let Some(sender) = &self.mail_sender {
            sender.abort();
        }
        for task in [
            &self.change_follower,
            &self.webhook_sender,
            &self.retention_sweeper,
        ]
        .into_iter()
        .flatten()
        {
            task.abort();
        }
        self.store.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "could not listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
