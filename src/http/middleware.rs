//! Cross-cutting request handling: metrics, failure logging, fallbacks.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::FailureCause;
use super::{ApiError, Missing};

/// Counts requests and their latency by route template (never the concrete path, which would
/// make one time series per conversation).
pub async fn record_metrics(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(request.method());
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let labels = [
        ("method", method.to_owned()),
        ("route", route),
        ("status", status),
    ];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}

/// A method as a metrics label: the standard ones by name, anything else as `other`. hyper
/// accepts any token as a method, and each distinct label is a time series kept forever.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
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
    ApiError::NotFound(Missing::Route).into_response()
}

pub async fn method_not_allowed() -> Response {
    ApiError::MethodNotAllowed.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_standard_methods_become_labels_of_their_own() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::DELETE), "DELETE");
        let custom = Method::from_bytes(&[b'X'; 2000]).unwrap();
        assert_eq!(method_label(&custom), "other");
    }
}
