//! The web pages: the customer chat (`/`, and `/widget.js` to embed it), the agent inbox
//! (`/agent`) and the guide editor (`/editor`). Plain HTML, CSS and JavaScript, embedded in
//! the binary so that one file is the whole service; they talk to the public JSON API like
//! any other client.

mod assets;

use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::Router;

use super::{ApiError, Missing};
pub use assets::Asset;

/// Where the pages come from: the copies built into the binary, or a folder read on every
/// request so that someone working on the pages sees a change on reload.
#[derive(Debug, Clone, Default)]
pub enum Source {
    #[default]
    Embedded,
    Folder(PathBuf),
}

/// Who may put a page in a frame. The chat is meant to be embedded in a company's own site
/// and app; the staff pages never are (clickjacking).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    Anywhere,
    Nowhere,
}

pub fn router<S: Clone + Send + Sync + 'static>(source: Source) -> Router<S> {
    Router::new()
        .route("/", file("chat.html", Framing::Anywhere))
        .route("/agent", file("agent.html", Framing::Nowhere))
        .route("/editor", file("editor.html", Framing::Nowhere))
        .route("/widget.js", file("widget.js", Framing::Nowhere))
        .route("/assets/{name}", get(asset))
        .with_state(Arc::new(source))
}

/// A route that always answers with the one file `name`.
fn file(name: &'static str, framing: Framing) -> MethodRouter<Arc<Source>> {
    get(
        move |State(source): State<Arc<Source>>, headers: HeaderMap| async move {
            serve(&source, name, framing, &headers).await
        },
    )
}

async fn asset(
    State(source): State<Arc<Source>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    // Pages are served by their own routes, so that each has one address.
    if name.ends_with(".html") {
        return ApiError::NotFound(Missing::Asset).into_response();
    }
    serve(&source, &name, Framing::Nowhere, &headers).await
}

async fn serve(source: &Source, name: &str, framing: Framing, headers: &HeaderMap) -> Response {
    let Some(asset) = assets::load(source, name).await else {
        return ApiError::NotFound(Missing::Asset).into_response();
    };
    let mut response = if asset.matches(headers.get(header::IF_NONE_MATCH)) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            [(header::CONTENT_TYPE, HeaderValue::from_static(asset.mime))],
            asset.body.clone(),
        )
            .into_response()
    };
    let h = response.headers_mut();
    if let Ok(etag) = HeaderValue::from_str(&asset.etag) {
        h.insert(header::ETAG, etag);
    }
    // Revalidate every time: a deploy must reach customers at once, and the ETag keeps an
    // unchanged file to a 304 without its body.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if asset.mime.starts_with("text/html") {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(match framing {
                Framing::Anywhere => CSP_EMBEDDABLE,
                Framing::Nowhere => CSP_OWN_WINDOW,
            }),
        );
        if framing == Framing::Nowhere {
            h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        }
    }
    response
}

/// No inline script or style, no other origin: whatever text reaches the page can only ever
/// be text.
const CSP_OWN_WINDOW: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";
const CSP_EMBEDDABLE: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; base-uri 'none'; \
     form-action 'self'; frame-ancestors *";
