//! Request-rate limits: one token bucket per client address, per conversation and per staff
//! token, so one noisy client slows only itself while an outage brings everyone else to the chat.
//!
//! Buckets live in this process's memory. With several replicas behind a balancer each replica
//! allows the budget on its own, which is the right failure direction: a customer is never
//! refused because another replica was busy.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::ApiError;
use crate::config::{Budget, RateLimitSettings};

/// A bucket that holds up to `burst` requests and refills `per_minute` of them a minute.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Token buckets by key. Full buckets are dropped now and then, so memory follows the number
/// of clients active in the last minute or so, not all clients ever seen.
#[derive(Debug)]
pub struct KeyedLimiter<K> {
    budget: Budget,
    buckets: Mutex<HashMap<K, Bucket>>,
}

/// Above this many buckets, each new one first sweeps out the buckets that are full again.
const SWEEP_ABOVE: usize = 4096;

impl<K: Hash + Eq + Clone> KeyedLimiter<K> {
    pub fn new(budget: Budget) -> Self {
        Self {
            budget,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn per_second(&self) -> f64 {
        f64::from(self.budget.per_minute) / 60.0
    }

    /// Takes one request from `key`'s bucket, or says how long until one is there.
    pub fn check(&self, key: &K, now: Instant) -> Result<(), Duration> {
        let burst = f64::from(self.budget.burst());
        let rate = self.per_second();
        // A poisoned lock only means another request panicked mid-update; the counts are
        // still usable, and refusing everyone would be worse.
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() > SWEEP_ABOVE && !buckets.contains_key(key) {
            buckets.retain(|_, b| {
                b.tokens + rate * now.duration_since(b.updated).as_secs_f64() < burst
            });
        }
        let bucket = buckets.entry(key.clone()).or_insert(Bucket {
            tokens: burst,
            updated: now,
        });
        let refilled = rate * now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + refilled).min(burst);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else if rate <= 0.0 {
            Err(Duration::from_secs(60))
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / rate))
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.buckets.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

/// Which budget a request draws from, and whose bucket.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    /// Starting a conversation, by client address.
    NewConversation(IpAddr),
    /// Anything on one conversation, by its id.
    Conversation(String),
    /// Calls with a staff token, by a hash of the token (never the token itself).
    Staff([u8; 32]),
    /// Other API calls without a token (classify, guide search), by client address.
    Public(IpAddr),
}

/// All the limiters of one process. `None` budgets mean the limits are off.
#[derive(Debug)]
pub struct RateLimiter {
    enabled: bool,
    trust_forwarded_for: bool,
    new_conversations: KeyedLimiter<Key>,
    conversations: KeyedLimiter<Key>,
    staff: KeyedLimiter<Key>,
    public: KeyedLimiter<Key>,
}

impl RateLimiter {
    pub fn new(settings: &RateLimitSettings) -> Self {
        Self {
            enabled: settings.enabled(),
            trust_forwarded_for: settings.trust_forwarded_for,
            new_conversations: KeyedLimiter::new(settings.new_conversations),
            conversations: KeyedLimiter::new(settings.conversation_requests),
            staff: KeyedLimiter::new(settings.staff_requests),
            public: KeyedLimiter::new(settings.public_requests),
        }
    }

    /// Finds the bucket for a request; `None` for what is never limited (pages, health, metrics).
    fn key_for(
        &self,
        method: &Method,
        route: &str,
        path: &str,
        headers: &HeaderMap,
        peer: Option<IpAddr>,
    ) -> Option<(&KeyedLimiter<Key>, Key)> {
        if !route.starts_with("/api/v1/") {
            return None;
        }
        let client = self.client_address(headers, peer);
        if route == "/api/v1/conversations" && method == Method::POST {
            return Some((&self.new_conversations, Key::NewConversation(client?)));
        }
        if route.starts_with("/api/v1/conversations/{id}") {
            let id = path.split('/').nth(4)?.to_owned();
            return Some((&self.conversations, Key::Conversation(id)));
        }
        if let Some(token) = super::extract::bearer_value(headers) {
            let hash: [u8; 32] = Sha256::digest(token.as_bytes()).into();
            return Some((&self.staff, Key::Staff(hash)));
        }
        Some((&self.public, Key::Public(client?)))
    }

    /// The client's address: the connection's peer, or behind a trusted proxy the address the
    /// proxy appended last to `X-Forwarded-For` (earlier entries are whatever the client sent).
    fn client_address(&self, headers: &HeaderMap, peer: Option<IpAddr>) -> Option<IpAddr> {
        if self.trust_forwarded_for {
            let forwarded = headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|a| a.trim().parse::<IpAddr>().ok())
                .next_back();
            if forwarded.is_some() {
                return forwarded;
            }
        }
        peer
    }
}

/// Answers 429 with `Retry-After` once a bucket is empty; otherwise passes the request on.
pub async fn enforce(
    State(limiter): State<Arc<RateLimiter>>,
    request: Request,
    next: Next,
) -> Response {
    if limiter.enabled {
        let route = request
            .extensions()
            .get::<MatchedPath>()
            .map(|p| p.as_str())
            .unwrap_or("");
        let peer = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        if let Some((bucket, key)) = limiter.key_for(
            request.method(),
            route,
            request.uri().path(),
            request.headers(),
            peer,
        ) {
            if let Err(wait) = bucket.check(&key, Instant::now()) {
                metrics::counter!("http_rate_limited_total", "route" => route.to_owned())
                    .increment(1);
                return ApiError::RateLimited {
                    retry_after_secs: wait.as_secs_f64().ceil().max(1.0) as u64,
                }
                .into_response();
            }
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header::AUTHORIZATION;

    fn budget(per_minute: u32) -> Budget {
        Budget { per_minute }
    }

    #[test]
    fn a_bucket_allows_its_burst_then_says_how_long_to_wait() {
        let limiter = KeyedLimiter::new(budget(60));
        let start = Instant::now();
        for _ in 0..60 {
            assert!(limiter.check(&"a", start).is_ok());
        }
        let wait = limiter.check(&"a", start).unwrap_err();
        assert!(
            wait > Duration::from_millis(900) && wait <= Duration::from_secs(1),
            "{wait:?}"
        );
        // Another key has its own bucket.
        assert!(limiter.check(&"b", start).is_ok());
        // One second later one request is allowed again, and only one.
        let later = start + Duration::from_secs(1);
        assert!(limiter.check(&"a", later).is_ok());
        assert!(limiter.check(&"a", later).is_err());
    }

    #[test]
    fn full_buckets_are_swept_once_there_are_many() {
        let limiter = KeyedLimiter::new(budget(60));
        let start = Instant::now();
        for i in 0..=SWEEP_ABOVE {
            limiter.check(&i, start).unwrap();
        }
        assert_eq!(limiter.len(), SWEEP_ABOVE + 1);
        // A minute on, every old bucket is full again and goes when a new key arrives.
        limiter
            .check(&usize::MAX, start + Duration::from_secs(61))
            .unwrap();
        assert_eq!(limiter.len(), 1);
    }

    fn limiter(trust_forwarded_for: bool) -> RateLimiter {
        RateLimiter::new(&RateLimitSettings {
            trust_forwarded_for,
            ..RateLimitSettings::default()
        })
    }

    #[test]
    fn requests_draw_from_the_bucket_their_route_belongs_to() {
        let limiter = limiter(false);
        let address = IpAddr::from([10, 0, 0, 1]);
        let peer = Some(address);
        let empty = HeaderMap::new();
        let key = |method, route, path, headers: &HeaderMap| {
            limiter
                .key_for(&method, route, path, headers, peer)
                .map(|(_, key)| key)
        };
        assert_eq!(
            key(
                Method::POST,
                "/api/v1/conversations",
                "/api/v1/conversations",
                &empty
            ),
            Some(Key::NewConversation(address))
        );
        assert_eq!(
            key(
                Method::POST,
                "/api/v1/conversations/{id}/messages",
                "/api/v1/conversations/abc/messages",
                &empty
            ),
            Some(Key::Conversation("abc".to_owned()))
        );
        let mut staff = HeaderMap::new();
        staff.insert(AUTHORIZATION, "Bearer s3cret".parse().unwrap());
        assert!(matches!(
            key(
                Method::GET,
                "/api/v1/agent/handoffs",
                "/api/v1/agent/handoffs",
                &staff
            ),
            Some(Key::Staff(_))
        ));
        assert_eq!(
            key(Method::POST, "/api/v1/classify", "/api/v1/classify", &empty),
            Some(Key::Public(address))
        );
        assert_eq!(key(Method::GET, "/healthz", "/healthz", &empty), None);
        assert_eq!(key(Method::GET, "/", "/", &empty), None);
    }

    #[test]
    fn forwarded_for_counts_only_behind_a_trusted_proxy() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "1.2.3.4, 192.0.2.7".parse().unwrap());
        let peer = Some(IpAddr::from([127, 0, 0, 1]));
        assert_eq!(limiter(false).client_address(&headers, peer), peer);
        assert_eq!(
            limiter(true).client_address(&headers, peer),
            Some(IpAddr::from([192, 0, 2, 7]))
        );
    }
}
