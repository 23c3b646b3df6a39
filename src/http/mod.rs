//! The HTTP API: one router per area, merged here, with one shared state.

mod agent;
pub mod body_check;
mod classify;
mod conversations;
mod customers;
mod error;
mod extract;
mod guide_validation;
mod guides;
mod live;
mod middleware;
mod openapi;
mod ops;
mod rate_limit;
mod review;
mod serve;
mod staff_session;
mod stats;
pub mod web;
mod webhooks;

use std::sync::{Arc, OnceLock};

use axum::error_handling::HandleErrorLayer;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::response::{IntoResponse, Response};
use axum::{BoxError, Router};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};

pub use error::{ApiError, ErrorBody, Missing};
pub use live::StreamSlots;
pub use openapi::ApiDoc;
pub use rate_limit::RateLimiter;
pub use serve::{raise_descriptor_limit, serve, ConnectionLimits};

use crate::config::Limits;
use crate::conversation::Conversations;
use crate::handoff::Handoffs;
use crate::knowledge::Editing;
use crate::storage::Store;

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub conversations: Conversations,
    pub handoffs: Handoffs,
    /// For what reads or checks records directly: staff tokens, readiness, statistics,
    /// privacy requests, the webhook log.
    pub store: Store,
    pub editing: Editing,
    pub review: crate::review::ReviewInbox,
    pub limits: Arc<Limits>,
    pub rate_limiter: Arc<RateLimiter>,
    pub streams: Arc<live::StreamSlots>,
    pub metrics: PrometheusHandle,
    pub web: web::Source,
}

/// The process-wide metrics recorder; installed on first use, since a process has only one.
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            const LATENCY_BUCKETS: &[f64] = &[
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
            ];
            PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("http_request_duration_seconds".to_owned()),
                    LATENCY_BUCKETS,
                )
                .expect("the bucket list is not empty")
                .install_recorder()
                .expect("no other metrics recorder is installed")
        })
        .clone()
}

/// Only `/metrics`, without a token: for the separate metrics address, which an operator keeps
/// on a private network.
pub fn metrics_app(handle: PrometheusHandle) -> Router {
    Router::new()
        .route("/metrics", axum::routing::get(ops::render_metrics))
        .fallback(middleware::not_found)
        .with_state(handle)
}

/// The whole application as a router, ready to serve.
pub fn app(state: AppState) -> Router {
    let limits = state.limits.clone();
    let rate_limiter = state.rate_limiter.clone();
    Router::new()
        .merge(conversations::router())
        .merge(agent::router())
        .merge(classify::router())
        .merge(stats::router())
        .merge(webhooks::router())
        .merge(customers::router())
        .merge(guides::router())
        .merge(guide_validation::router())
        .merge(review::router())
        .merge(live::router())
        .merge(staff_session::router())
        .merge(ops::router())
        .merge(web::router(state.web.clone()))
        .fallback(middleware::not_found)
        .method_not_allowed_fallback(middleware::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            rate_limiter,
            rate_limit::enforce,
        ))
        .layer(axum::middleware::from_fn(middleware::log_failures))
        .layer(axum::middleware::from_fn(middleware::record_metrics))
        .layer(DefaultBodyLimit::max(limits.max_body_bytes))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(request_span)
                        .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
                )
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(CatchPanicLayer::custom(panic_response))
                .layer(HandleErrorLayer::new(timeout_response))
                .timeout(limits.request_timeout())
                .layer(CompressionLayer::new()),
        )
        .with_state(state)
}

/// The span every request's logs live in: route template and request id, never the token,
/// the query string or the body.
fn request_span(request: &Request) -> tracing::Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(MatchedPath::as_str)
        .unwrap_or("unmatched");
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!("request", method = %request.method(), route, request_id)
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::Internal("handler panicked".to_owned()).into_response()
}

async fn timeout_response(error: BoxError) -> Response {
    if error.is::<tower::timeout::error::Elapsed>() {
        ApiError::Timeout.into_response()
    } else {
        ApiError::Internal(error.to_string()).into_response()
    }
}
