//! The authorization matrix: every endpoint called with no token, the conversation's own token,
//! another conversation's token, and agent, editor and admin tokens. Each call either gets in
//! (any answer but 401, 403 or "no such conversation") or gets exactly the refusal the contract
//! names: 401 without a valid token, 403 for the wrong role, 404 for someone else's
//! conversation (never 403, which would confirm that it exists).

use crate::common::{spawn_app_on, Backend, TestDatabase};
use felsok::auth::StaffRole;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Who may call an endpoint.
#[derive(Debug, Clone, Copy)]
enum Access {
    Public,
    /// The conversation's own token only.
    Owner,
    Agent,
    AgentOrEditor,
    Editor,
    Admin,
    /// Any staff token, whatever its role.
    Staff,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    Nobody,
    Owner,
    OtherCustomer,
    Agent,
    Editor,
    Admin,
}

const CALLERS: [Caller; 6] = [
    Caller::Nobody,
    Caller::Owner,
    Caller::OtherCustomer,
    Caller::Agent,
    Caller::Editor,
    Caller::Admin,
];

/// `None`: let in. `Some(status)`: refused with exactly this status.
fn refusal(access: Access, caller: Caller) -> Option<StatusCode> {
    use Caller::*;
    let staff_role_refused = |allowed: &[Caller]| match caller {
        Nobody | Owner | OtherCustomer => Some(StatusCode::UNAUTHORIZED),
        c if allowed.contains(&c) || c == Admin => None,
        _ => Some(StatusCode::FORBIDDEN),
    };
    match access {
        Access::Public => None,
        Access::Owner => match caller {
            Nobody => Some(StatusCode::UNAUTHORIZED),
            Owner => None,
            _ => Some(StatusCode::NOT_FOUND),
        },
        Access::Agent => staff_role_refused(&[Agent]),
        Access::AgentOrEditor => staff_role_refused(&[Agent, Editor]),
        Access::Editor => staff_role_refused(&[Editor]),
        Access::Admin => staff_role_refused(&[]),
        Access::Staff => staff_role_refused(&[Agent, Editor]),
    }
}

enum Body {
    None,
    Json(Value),
    Markdown(String),
}

struct Endpoint {
    method: Method,
    /// The route as the OpenAPI document names it.
    route: &'static str,
    path: String,
    body: Body,
    access: Access,
}

/// The ids the table's paths are filled in with.
struct Ids {
    conversation: String,
    handoff: String,
    guide_source: String,
}

/// Every endpoint: method, route, the concrete path called, a body and who may call it.
fn table(ids: &Ids) -> Vec<Endpoint> {
    use Access::*;
    use Method as M;
    let c = |tail: &str| format!("/api/v1/conversations/{}{tail}", ids.conversation);
    let h = |tail: &str| format!("/api/v1/agent/handoffs/{}{tail}", ids.handoff);
    let g = |tail: &str| format!("/api/v1/guides/case-status-sv{tail}");
    let json = |v: Value| Body::Json(v);
    let row = |method, route, path: String, body, access| Endpoint {
        method,
        route,
        path,
        body,
        access,
    };
    let at = |p: &str| p.to_owned();
    vec![
        row(M::GET, "/healthz", at("/healthz"), Body::None, Public),
        row(M::GET, "/readyz", at("/readyz"), Body::None, Public),
        row(M::GET, "/metrics", at("/metrics"), Body::None, Admin),
        row(
            M::POST,
            "/api/v1/staff/session",
            at("/api/v1/staff/session"),
            json(json!({"token": ""})),
            Public,
        ),
        row(
            M::DELETE,
            "/api/v1/staff/session",
            at("/api/v1/staff/session"),
            Body::None,
            Public,
        ),
        row(
            M::GET,
            "/api/v1/staff/me",
            at("/api/v1/staff/me"),
            Body::None,
            Staff,
        ),
        row(
            M::GET,
            "/api/openapi.json",
            at("/api/openapi.json"),
            Body::None,
            Public,
        ),
        row(
            M::POST,
            "/api/v1/conversations",
            at("/api/v1/conversations"),
            json(json!({})),
            Public,
        ),
        row(
            M::POST,
            "/api/v1/classify",
            at("/api/v1/classify"),
            json(json!({"text": "nätet e nere"})),
            Public,
        ),
        row(
            M::GET,
            "/api/v1/guides",
            at("/api/v1/guides"),
            Body::None,
            Public,
        ),
        row(M::GET, "/api/v1/guides/{id}", g(""), Body::None, Public),
        row(
            M::GET,
            "/api/v1/guides/search",
            at("/api/v1/guides/search?q=router"),
            Body::None,
            Public,
        ),
        row(
            M::GET,
            "/api/v1/outages",
            at("/api/v1/outages"),
            Body::None,
            Public,
        ),
        row(
            M::GET,
            "/api/v1/conversations/{id}",
            c(""),
            Body::None,
            Owner,
        ),
        row(
            M::POST,
            "/api/v1/conversations/{id}/messages",
            c("/messages"),
            json(json!({"text": "hej"})),
            Owner,
        ),
        row(
            M::GET,
            "/api/v1/conversations/{id}/transcript",
            c("/transcript"),
            Body::None,
            Owner,
        ),
        row(
            M::GET,
            "/api/v1/conversations/{id}/events",
            c("/events"),
            Body::None,
            Owner,
        ),
        row(
            M::POST,
            "/api/v1/conversations/{id}/cancellation",
            c("/cancellation"),
            json(json!({})),
            Owner,
        ),
        row(
            M::POST,
            "/api/v1/conversations/{id}/cancellation/review",
            c("/cancellation/review"),
            json(json!({})),
            Owner,
        ),
        row(
            M::POST,
            "/api/v1/conversations/{id}/withdrawal",
            c("/withdrawal"),
            json(json!({})),
            Owner,
        ),
        row(
            M::POST,
            "/api/v1/conversations/{id}/withdrawal/review",
            c("/withdrawal/review"),
            json(json!({})),
            Owner,
        ),
        row(
            M::GET,
            "/api/v1/conversations/{id}/cancellations/{reference}/receipt",
            c("/cancellations/X-1/receipt"),
            Body::None,
            Owner,
        ),
        row(
            M::POST,
            "/api/v1/conversations/{id}/callback",
            c("/callback"),
            json(json!({})),
            Owner,
        ),
        row(
            M::GET,
            "/api/v1/agent/handoffs",
            at("/api/v1/agent/handoffs"),
            Body::None,
            Agent,
        ),
        row(
            M::GET,
            "/api/v1/agent/handoffs/{id}",
            h(""),
            Body::None,
            Agent,
        ),
        row(
            M::GET,
            "/api/v1/agent/events",
            at("/api/v1/agent/events"),
            Body::None,
            Agent,
        ),
        row(
            M::POST,
            "/api/v1/agent/handoffs/{id}/claim",
            h("/claim"),
            json(json!({})),
            Agent,
        ),
        row(
            M::POST,
            "/api/v1/agent/handoffs/{id}/messages",
            h("/messages"),
            json(json!({"text": "Hej!"})),
            Agent,
        ),
        row(
            M::POST,
            "/api/v1/agent/handoffs/{id}/move",
            h("/move"),
            json(json!({"queue": "technical"})),
            Agent,
        ),
        row(
            M::POST,
            "/api/v1/agent/handoffs/{id}/release",
            h("/release"),
            json(json!({})),
            Agent,
        ),
        row(
            M::POST,
            "/api/v1/agent/handoffs/{id}/resolve",
            h("/resolve"),
            json(json!({})),
            Agent,
        ),
        row(
            M::GET,
            "/api/v1/guides/{id}/stats",
            g("/stats"),
            Body::None,
            AgentOrEditor,
        ),
        row(
            M::PUT,
            "/api/v1/guides/{id}",
            g(""),
            Body::Markdown(ids.guide_source.clone()),
            Editor,
        ),
        row(
            M::POST,
            "/api/v1/guides/validate",
            at("/api/v1/guides/validate"),
            json(json!({"source": ids.guide_source})),
            Editor,
        ),
        row(
            M::GET,
            "/api/v1/review",
            at("/api/v1/review"),
            Body::None,
            Editor,
        ),
        row(
            M::POST,
            "/api/v1/review/dismiss",
            at("/api/v1/review/dismiss"),
            json(json!({"item_ids": ["no-such-item"]})),
            Editor,
        ),
        row(
            M::POST,
            "/api/v1/review/teach",
            at("/api/v1/review/teach"),
            json(json!({"item_ids": ["no-such-item"], "out_of_scope": true})),
            Editor,
        ),
        row(
            M::GET,
            "/api/v1/review/taught",
            at("/api/v1/review/taught"),
            Body::None,
            Editor,
        ),
        row(
            M::DELETE,
            "/api/v1/guides/{id}",
            at("/api/v1/guides/no-such-guide"),
            Body::None,
            Editor,
        ),
        row(
            M::GET,
            "/api/v1/guides/{id}/history",
            g("/history"),
            Body::None,
            Editor,
        ),
        row(
            M::GET,
            "/api/v1/guides/{id}/versions/{version}",
            g("/versions/1"),
            Body::None,
            Editor,
        ),
        row(
            M::POST,
            "/api/v1/outages",
            at("/api/v1/outages"),
            json(json!({})),
            Editor,
        ),
        row(
            M::DELETE,
            "/api/v1/outages/{id}",
            at("/api/v1/outages/no-such-outage"),
            Body::None,
            Editor,
        ),
        row(
            M::GET,
            "/api/v1/stats",
            at("/api/v1/stats"),
            Body::None,
            Admin,
        ),
        row(
            M::GET,
            "/api/v1/admin/webhook-deliveries",
            at("/api/v1/admin/webhook-deliveries"),
            Body::None,
            Admin,
        ),
        row(
            M::POST,
            "/api/v1/admin/customers/export",
            at("/api/v1/admin/customers/export"),
            json(json!({"customer_number": "000"})),
            Admin,
        ),
        row(
            M::POST,
            "/api/v1/admin/customers/erase",
            at("/api/v1/admin/customers/erase"),
            json(json!({"customer_number": "000"})),
            Admin,
        ),
    ]
}

#[tokio::test]
async fn every_endpoint_lets_in_exactly_who_the_contract_says() {
    let app = spawn_app_on(TestDatabase::create(Backend::Sqlite).await, |_| {}).await;
    let owner = app.start_chat("sv").await;
    let other = app.start_chat("en").await;
    app.say(&owner, json!({"action": "talk_to_human"})).await;
    let agent = app.staff_token(StaffRole::Agent, "Ali Agent").await;
    let editor = app.staff_token(StaffRole::Editor, "Eva Editor").await;
    let admin = app.staff_token(StaffRole::Admin, "Ada Admin").await;
    let handoff = crate::common::queued_handoff_at(&app.client, &app.url(""), &agent, &owner).await;
    let ids = Ids {
        conversation: owner.id.clone(),
        handoff,
        guide_source: std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/knowledge/guides/case-status-sv.md"
        ))
        .unwrap(),
    };
    let endpoints = table(&ids);

    let mut wrong = Vec::new();
    for e in &endpoints {
        for caller in CALLERS {
            let token = match caller {
                Caller::Nobody => None,
                Caller::Owner => Some(owner.token.as_str()),
                Caller::OtherCustomer => Some(other.token.as_str()),
                Caller::Agent => Some(agent.as_str()),
                Caller::Editor => Some(editor.as_str()),
                Caller::Admin => Some(admin.as_str()),
            };
            let mut request = app.client.request(e.method.clone(), app.url(&e.path));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            request = match &e.body {
                Body::None => request,
                Body::Json(v) => request.json(v),
                Body::Markdown(s) => request
                    .header("content-type", "text/markdown")
                    .body(s.clone()),
            };
            let response = request.send().await.unwrap();
            let status = response.status();
            // Live streams answer with headers at once; the body never ends, so it is not read.
            let code = if status.is_success() {
                String::new()
            } else {
                let body: Value = response.json().await.unwrap_or(Value::Null);
                body["error"]["code"].as_str().unwrap_or("").to_owned()
            };
            let verdict = match refusal(e.access, caller) {
                Some(expected) if status == expected => None,
                Some(expected) => Some(format!("expected {expected}")),
                None if status.is_server_error() => Some("a server error".to_owned()),
                None if matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
                    || code == "conversation_not_found" =>
                {
                    Some("expected to be let in".to_owned())
                }
                None => None,
            };
            if let Some(verdict) = verdict {
                wrong.push(format!(
                    "{} {} as {caller:?}: {status} {code}, {verdict}",
                    e.method, e.path
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    app.finish().await;
}

/// Every route the OpenAPI document lists has its row in the table, so a new endpoint cannot
/// slip in without a decision on who may call it.
#[tokio::test]
async fn the_matrix_covers_every_documented_route() {
    let app = spawn_app_on(TestDatabase::create(Backend::Sqlite).await, |_| {}).await;
    let doc: Value = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids = Ids {
        conversation: String::new(),
        handoff: String::new(),
        guide_source: String::new(),
    };
    let rows: Vec<(String, &str)> = table(&ids)
        .iter()
        .map(|e| (e.method.as_str().to_owned(), e.route))
        .collect();
    let mut missing = Vec::new();
    for (path, operations) in doc["paths"].as_object().unwrap() {
        for method in operations.as_object().unwrap().keys() {
            let method = method.to_uppercase();
            if !rows.iter().any(|(m, r)| *m == method && r == path) {
                missing.push(format!("{method} {path}"));
            }
        }
    }
    assert!(missing.is_empty(), "routes without a row: {missing:#?}");
    app.finish().await;
}
