//! Cross-cutting request handling: metrics, failure logging, fallbacks.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::FailureCause;
use super::ApiError;

/// Counts requests and their latency by route template (never the concrete path, which would
/// make one time series per conversation).
pub async fn record_metrics(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}

/// Logs the cause of a failed request inside its span; the client saw only a generic message.
pub async fn log_failures(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if let Some(FailureCause(cause)) = response.extensions().get::<FailureCause>() {
        tracing::error!(status = response.status().as_u16(), cause = %cause, "request failed");
    }
    response
}

pub async fn not_found() -> Response {
    ApiError::NotFound("route").into_response()
}

pub async fn method_not_allowed() -> Response {
    ApiError::MethodNotAllowed.into_response()
}
