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
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use uuid::Uuid;

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
        self.check_cost(key, now, 1.0)
    }

    /// Takes `cost` requests from `key`'s bucket at once, or none and says how long until
    /// that many are there (never longer than a full bucket takes to refill).
    pub fn check_cost(&self, key: &K, now: Instant, cost: f64) -> Result<(), Duration> {
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
        let cost = cost.clamp(1.0, burst);
        if bucket.tokens >= cost {
            bucket.tokens -= cost;
            Ok(())
        } else if rate <= 0.0 {
            Err(Duration::from_secs(60))
        } else {
            Err(Duration::from_secs_f64((cost - bucket.tokens) / rate))
        }
    }

    /// Whether `key`'s bucket has a request left, without taking it.
    pub fn peek(&self, key: &K, now: Instant) -> Result<(), Duration> {
        let burst = f64::from(self.budget.burst());
        let rate = self.per_second();
        let buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let Some(bucket) = buckets.get(key) else {
            return Ok(());
        };
        let tokens = (bucket.tokens
            + rate * now.saturating_duration_since(bucket.updated).as_secs_f64())
        .min(burst);
        if tokens >= 1.0 {
            Ok(())
        } else if rate <= 0.0 {
            Err(Duration::from_secs(60))
        } else {
            Err(Duration::from_secs_f64((1.0 - tokens) / rate))
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.buckets.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

/// Which budget a request draws from, and whose bucket. Every key has a bounded size, so no
/// request can make the limiter itself hold much memory.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    /// Starting a conversation, by client address.
    NewConversation(IpAddr),
    /// Anything on one conversation, by its (decoded, valid) id and the token presented: a
    /// wrong token fills a bucket of its own and never spends the owner's allowance.
    Conversation(Uuid, [u8; 16]),
    /// Calls with a staff token that checked out, by the staff member's id.
    Staff(Uuid),
    /// Calls open to everyone (classify, guide search), by client address, whatever token
    /// they carry.
    Public(IpAddr),
    /// Written cancellation forms, by client address.
    Forms(IpAddr),
    /// Requests refused for a wrong or missing token, by client address.
    Failures(IpAddr),
}

/// The `/api/v1` calls anyone may make without a token.
const PUBLIC_ROUTES: &[(Method, &str)] = &[
    (Method::GET, "/api/v1/guides"),
    (Method::GET, "/api/v1/guides/search"),
    (Method::GET, "/api/v1/guides/{id}"),
    (Method::GET, "/api/v1/outages"),
    (Method::POST, "/api/v1/classify"),
    (Method::POST, "/api/v1/staff/session"),
    (Method::DELETE, "/api/v1/staff/session"),
];

/// Characters of classified text that cost one request more: the encoder's work grows with
/// the text, so a 4,000-character text costs what 17 short ones do.
const CHARS_PER_EXTRA_REQUEST: usize = 250;

/// All the limiters of one process.
#[derive(Debug)]
pub struct RateLimiter {
    enabled: bool,
    trust_forwarded_for: bool,
    new_conversations: KeyedLimiter<Key>,
    conversations: KeyedLimiter<Key>,
    staff: KeyedLimiter<Key>,
    public: KeyedLimiter<Key>,
    forms: KeyedLimiter<Key>,
    failures: KeyedLimiter<Key>,
}

/// A conversation id as the handler will see it: percent-decoded, and a UUID.
fn conversation_id(path: &str) -> Option<Uuid> {
    let raw = path.split('/').nth(4)?;
    let decoded = percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .ok()?;
    Uuid::parse_str(&decoded).ok()
}

fn token_key(headers: &HeaderMap) -> [u8; 16] {
    let mut key = [0; 16];
    if let Some(token) = super::extract::bearer_value(headers) {
        key.copy_from_slice(&Sha256::digest(token.as_bytes())[..16]);
    }
    key
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
            forms: KeyedLimiter::new(settings.cancellation_forms),
            failures: KeyedLimiter::new(settings.failed_requests),
        }
    }

    /// The buckets a request takes one from before it runs; none for what is never limited
    /// (pages, health, metrics) and for staff calls, which are counted once their token has
    /// checked out ([`RateLimiter::check_staff`]).
    fn keys_for(
        &self,
        method: &Method,
        route: &str,
        path: &str,
        headers: &HeaderMap,
        client: Option<IpAddr>,
    ) -> Vec<(&KeyedLimiter<Key>, Key)> {
        if !route.starts_with("/api/v1/") {
            return Vec::new();
        }
        let Some(client) = client else {
            return Vec::new();
        };
        if route == "/api/v1/conversations" && method == Method::POST {
            return vec![(&self.new_conversations, Key::NewConversation(client))];
        }
        if route.starts_with("/api/v1/conversations/{id}") {
            let mut keys = Vec::new();
            // An id that is no conversation's gets a 404, which the failure budget counts.
            if let Some(id) = conversation_id(path) {
                keys.push((
                    &self.conversations,
                    Key::Conversation(id, token_key(headers)),
                ));
            }
            if route == "/api/v1/conversations/{id}/cancellation" && method == Method::POST {
                keys.push((&self.forms, Key::Forms(client)));
            }
            return keys;
        }
        if PUBLIC_ROUTES
            .iter()
            .any(|(m, r)| m == method && *r == route)
        {
            return vec![(&self.public, Key::Public(client))];
        }
        Vec::new()
    }

    /// The client's address: the connection's peer, or behind a trusted proxy the address the
    /// proxy appended last to `X-Forwarded-For` (earlier entries are whatever the client sent).
    pub fn client_address(&self, headers: &HeaderMap, peer: Option<IpAddr>) -> Option<IpAddr> {
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

    /// Takes one request from a staff member's bucket, once their token has checked out.
    pub fn check_staff(&self, staff_id: &str) -> Result<(), ApiError> {
        if !self.enabled {
            return Ok(());
        }
        let Ok(id) = Uuid::parse_str(staff_id) else {
            return Ok(());
        };
        self.staff
            .check(&Key::Staff(id), Instant::now())
            .map_err(refusal)
    }

    /// Charges a classification by the length of its text, beyond the one request the call
    /// itself took.
    pub fn charge_text(&self, client: Option<IpAddr>, chars: usize) -> Result<(), ApiError> {
        let (true, Some(client)) = (self.enabled, client) else {
            return Ok(());
        };
        let extra = chars / CHARS_PER_EXTRA_REQUEST;
        if extra == 0 {
            return Ok(());
        }
        self.public
            .check_cost(&Key::Public(client), Instant::now(), extra as f64)
            .map_err(refusal)
    }
}

fn refusal(wait: Duration) -> ApiError {
    ApiError::RateLimited {
        retry_after_secs: wait.as_secs_f64().ceil().max(1.0) as u64,
    }
}

/// Whether a response says the caller had no right to what it asked: a wrong or missing
/// token, or (on a conversation, where the two look the same) no such conversation.
fn is_refusal(route: &str, status: StatusCode) -> bool {
    status == StatusCode::UNAUTHORIZED
        || (status == StatusCode::NOT_FOUND && route.starts_with("/api/v1/conversations/{id}"))
}

/// Answers 429 with `Retry-After` once a bucket is empty; otherwise passes the request on.
pub async fn enforce(
    State(limiter): State<Arc<RateLimiter>>,
    request: Request,
    next: Next,
) -> Response {
    if !limiter.enabled {
        return next.run(request).await;
    }
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let client = limiter.client_address(request.headers(), peer);
    let now = Instant::now();
    if let Some(client) = client.filter(|_| route.starts_with("/api/v1/")) {
        // Guessing tokens or ids: after a minute's worth of refusals, this address waits.
        if let Err(wait) = limiter.failures.peek(&Key::Failures(client), now) {
            metrics::counter!("http_rate_limited_total", "route" => route.clone()).increment(1);
            return refusal(wait).into_response();
        }
    }
    for (bucket, key) in limiter.keys_for(
        request.method(),
        &route,
        request.uri().path(),
        request.headers(),
        client,
    ) {
        if let Err(wait) = bucket.check(&key, now) {
            metrics::counter!("http_rate_limited_total", "route" => route.clone()).increment(1);
            return refusal(wait).into_response();
        }
    }
    let response = next.run(request).await;
    if let Some(client) = client {
        if route.starts_with("/api/v1/") && is_refusal(&route, response.status()) {
            let _ = limiter
                .failures
                .check(&Key::Failures(client), Instant::now());
        }
    }
    response
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
        let empty = HeaderMap::new();
        let keys = |method, route, path, headers: &HeaderMap| {
            limiter
                .keys_for(&method, route, path, headers, Some(address))
                .into_iter()
                .map(|(_, key)| key)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            keys(
                Method::POST,
                "/api/v1/conversations",
                "/api/v1/conversations",
                &empty
            ),
            [Key::NewConversation(address)]
        );
        let id = Uuid::now_v7();
        let mut owner = HeaderMap::new();
        owner.insert(AUTHORIZATION, "Bearer owner-token".parse().unwrap());
        let mut stranger = HeaderMap::new();
        stranger.insert(AUTHORIZATION, "Bearer wrong-token".parse().unwrap());
        let plain = format!("/api/v1/conversations/{id}/messages");
        // Each percent-encoding of the id is the same conversation, the same bucket.
        let encoded = format!(
            "/api/v1/conversations/{}/messages",
            id.to_string()
                .chars()
                .map(|c| format!("%{:02X}", c as u32))
                .collect::<String>()
        );
        let route = "/api/v1/conversations/{id}/messages";
        let by_owner = keys(Method::POST, route, &plain, &owner);
        assert_eq!(by_owner, keys(Method::POST, route, &encoded, &owner));
        // A wrong token never draws from the owner's bucket.
        assert_ne!(by_owner, keys(Method::POST, route, &plain, &stranger));
        // No valid id, no conversation bucket: the 404 is counted as a failure instead.
        assert!(keys(
            Method::POST,
            route,
            "/api/v1/conversations/x/messages",
            &owner
        )
        .is_empty());
        let form = format!("/api/v1/conversations/{id}/cancellation");
        let form_keys = keys(
            Method::POST,
            "/api/v1/conversations/{id}/cancellation",
            &form,
            &owner,
        );
        assert_eq!(form_keys[1], Key::Forms(address));
        // Staff calls are counted by the extractor once the token checks out.
        assert!(keys(
            Method::GET,
            "/api/v1/agent/handoffs",
            "/api/v1/agent/handoffs",
            &stranger
        )
        .is_empty());
        // Any token on a public call still counts against the address.
        assert_eq!(
            keys(
                Method::POST,
                "/api/v1/classify",
                "/api/v1/classify",
                &stranger
            ),
            [Key::Public(address)]
        );
        assert!(keys(Method::GET, "/healthz", "/healthz", &empty).is_empty());
        assert!(keys(Method::GET, "/", "/", &empty).is_empty());
    }

    #[test]
    fn the_public_routes_are_exactly_those_the_document_leaves_open() {
        use utoipa::OpenApi;
        let document = super::super::ApiDoc::openapi();
        let mut open = Vec::new();
        for (path, item) in &document.paths.paths {
            for (method, operation) in [
                (Method::GET, &item.get),
                (Method::POST, &item.post),
                (Method::PUT, &item.put),
                (Method::DELETE, &item.delete),
            ] {
                let Some(operation) = operation else { continue };
                let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
                if path.starts_with("/api/v1/")
                    && !path.starts_with("/api/v1/conversations")
                    && !secured
                {
                    open.push((method, path.clone()));
                }
            }
        }
        let mut listed: Vec<(Method, String)> = PUBLIC_ROUTES
            .iter()
            .map(|(m, r)| (m.clone(), (*r).to_owned()))
            .collect();
        let order =
            |v: &mut Vec<(Method, String)>| v.sort_by_key(|(m, r)| (r.clone(), m.to_string()));
        order(&mut open);
        order(&mut listed);
        assert_eq!(open, listed);
    }

    #[test]
    fn a_peek_takes_nothing() {
        let limiter = KeyedLimiter::new(budget(2));
        let now = Instant::now();
        assert!(limiter.peek(&"a", now).is_ok());
        limiter.check(&"a", now).unwrap();
        assert!(limiter.peek(&"a", now).is_ok());
        limiter.check(&"a", now).unwrap();
        assert!(limiter.peek(&"a", now).is_err());
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
