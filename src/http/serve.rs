//! Accepting connections. `axum::serve` sets no timer, so a client could open connections and
//! send headers a byte a minute; here every connection must finish its request headers within
//! a deadline, each request carries the peer's address for the rate limits, and the number of
//! open connections is capped in all and per client address, so one client can't take the
//! process's file descriptors from everyone else.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// How long requests in flight may run on after shutdown starts.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(20);

/// The most a request line and its headers may take. hyper's default is about 400 kB, and a
/// 200 kB method or path is nobody's real request.
const MAX_HEAD_BYTES: usize = 16 * 1024;

/// How one listener treats its connections.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// A connection that has not sent a request's headers by then is closed.
    pub header_timeout: Duration,
    /// Open connections at most; more are closed as soon as they are accepted.
    pub total: usize,
    /// Open connections from one client address at most.
    pub per_client: usize,
}

/// Counts open connections by client address; a [`Slot`] gives its place back when dropped.
#[derive(Debug, Default)]
struct OpenConnections {
    total: usize,
    by_client: HashMap<IpAddr, usize>,
}

struct Slot {
    open: Arc<Mutex<OpenConnections>>,
    client: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        open.total -= 1;
        if let Some(count) = open.by_client.get_mut(&self.client) {
            *count -= 1;
            if *count == 0 {
                open.by_client.remove(&self.client);
            }
        }
    }
}

fn take_slot(
    open: &Arc<Mutex<OpenConnections>>,
    limits: &ConnectionLimits,
    client: IpAddr,
) -> Option<Slot> {
    let mut guard = open.lock().unwrap_or_else(|e| e.into_inner());
    let from_client = guard.by_client.get(&client).copied().unwrap_or(0);
    if guard.total >= limits.total || from_client >= limits.per_client {
        return None;
    }
    guard.total += 1;
    *guard.by_client.entry(client).or_insert(0) += 1;
    Some(Slot {
        open: open.clone(),
        client,
    })
}

/// Serves `router` on `listener` until `shutdown` completes, then lets requests in flight finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let graceful = GracefulShutdown::new();
    let open = Arc::new(Mutex::new(OpenConnections::default()));
    tokio::pin!(shutdown);
    loop {
        let (stream, peer): (_, SocketAddr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment rather than spin.
                    tracing::warn!(error = %e, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(slot) = take_slot(&open, &limits, peer.ip()) else {
            // Closing at once costs the client a reconnect, and keeps the descriptor for
            // someone else; the metric shows an operator that the cap is being reached.
            metrics::counter!("http_connections_refused_total").increment(1);
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(request)
        });
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout)
            .max_buf_size(MAX_HEAD_BYTES)
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still running after the drain time; stopping anyway");
    }
}

/// Lets this process open as many files as its hard limit allows: each connection and event
/// stream is a descriptor, and the usual soft limit of 1,024 is reached by a few hundred
/// customers with two tabs open.
pub fn raise_descriptor_limit() {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => tracing::debug!(limit, "open file limit"),
        Err(e) => tracing::warn!(error = %e, "could not raise the open file limit"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_capped_in_all_and_per_client_and_given_back() {
        let open = Arc::new(Mutex::new(OpenConnections::default()));
        let limits = ConnectionLimits {
            header_timeout: Duration::from_secs(1),
            total: 3,
            per_client: 2,
        };
        let a = IpAddr::from([10, 0, 0, 1]);
        let b = IpAddr::from([10, 0, 0, 2]);
        let first = take_slot(&open, &limits, a).unwrap();
        let _second = take_slot(&open, &limits, a).unwrap();
        assert!(take_slot(&open, &limits, a).is_none(), "per client");
        let _third = take_slot(&open, &limits, b).unwrap();
        assert!(take_slot(&open, &limits, b).is_none(), "in all");
        drop(first);
        assert!(take_slot(&open, &limits, a).is_some());
    }
}
