//! The real application on a throw-away SQLite database, and a client that speaks to it over
//! HTTP exactly as a chat client, an agent and an editor would.

use std::sync::OnceLock;

use anyhow::{bail, Context};
use regex::Regex;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::script::{Input, OutageSpec};
use super::DialogueEval;
use crate::auth::StaffRole;
use crate::config::ServeSettings;
use crate::startup::Application;
use crate::storage::Store;

/// A running application with staff tokens for reading handoffs and publishing outages.
pub struct Harness {
    base: String,
    client: Client,
    /// The same database, for what the API does not show: the stored messages.
    store: Store,
    agent: String,
    editor: String,
    shutdown: oneshot::Sender<()>,
    server: JoinHandle<anyhow::Result<()>>,
    _dir: tempfile::TempDir,
}

/// One conversation as its customer holds it.
pub struct Chat {
    pub id: String,
    token: String,
}

/// A place where a typed secret must never show up, as text to search.
pub struct Surface {
    pub name: String,
    pub text: String,
}

impl Harness {
    /// Builds the application on a fresh database and serves it on 127.0.0.1:0.
    pub async fn start(config: &DialogueEval) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir().context("creating a temporary folder")?;
        let url = format!("sqlite://{}", dir.path().join("dialogues.db").display());
        let mut settings = ServeSettings::for_database(url.clone());
        settings.models_dir.clone_from(&config.models_dir);
        settings.knowledge_dir.clone_from(&config.knowledge_dir);
        settings.cache_dir.clone_from(&config.cache_dir);
        settings.company_profile = Some(config.knowledge_dir.join("company.yaml"));
        let app = Application::build(&settings).await?;
        let base = format!("http://{}", app.local_addr()?);
        let (shutdown, stop) = oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until(async {
            let _ = stop.await;
        }));
        let store = Store::connect(&url, 1)
            .await
            .context("opening the evaluation database")?;
        let token = |role, name| {
            let store = store.clone();
            async move {
                crate::auth::staff::create_token(&store, role, name)
                    .await
                    .map(|(_, token)| token.expose().to_owned())
                    .context("creating a staff token")
            }
        };
        let agent = token(StaffRole::Agent, "Dialogue evaluation (agent)").await?;
        let editor = token(StaffRole::Editor, "Dialogue evaluation (editor)").await?;
        Ok(Self {
            base,
            client: Client::new(),
            store,
            agent,
            editor,
            shutdown,
            server,
            _dir: dir,
        })
    }

    /// Stops serving and lets requests in flight finish; the database goes with the folder.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.store.close().await;
        let _ = self.shutdown.send(());
        self.server.await.context("the server task")?
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn start_chat(&self, locale: &str) -> anyhow::Result<Chat> {
        let response = self
            .client
            .post(self.url("/api/v1/conversations"))
            .json(&json!({ "locale": locale }))
            .send()
            .await?;
        let body = expect_json(response, StatusCode::CREATED, "starting a chat").await?;
        Ok(Chat {
            id: text_of(&body, "conversation_id")?,
            token: text_of(&body, "token")?,
        })
    }

    /// Sends one customer turn; the answer's messages, or why the request failed.
    pub async fn post(&self, chat: &Chat, input: &Input) -> Result<Vec<Value>, String> {
        let client_message_id = uuid::Uuid::new_v4().to_string();
        let body = match input {
            Input::Say(text) => json!({ "text": text, "client_message_id": client_message_id }),
            Input::Action(id) => json!({ "action": id, "client_message_id": client_message_id }),
        };
        let response = self
            .client
            .post(self.url(&format!("/api/v1/conversations/{}/messages", chat.id)))
            .bearer_auth(&chat.token)
            .json(&body)
            .send()
            .await
            .map_err(|e| format!("request failed: {e}"))?;
        let status = response.status();
        let body: Value = response
            .json()
            .await
            .map_err(|e| format!("HTTP {status}, body not JSON: {e}"))?;
        if status != StatusCode::OK {
            let code = body["error"]["code"].as_str().unwrap_or("?");
            return Err(format!("HTTP {status} ({code})"));
        }
        Ok(body["messages"].as_array().cloned().unwrap_or_default())
    }

    /// The conversation as its customer reads it: status, place in the queue, messages.
    pub async fn read(&self, chat: &Chat) -> anyhow::Result<Value> {
        let response = self
            .client
            .get(self.url(&format!("/api/v1/conversations/{}", chat.id)))
            .bearer_auth(&chat.token)
            .send()
            .await?;
        expect_json(response, StatusCode::OK, "reading the conversation").await
    }

    /// Every handoff packet of this conversation, oldest first, as an agent opens it.
    pub async fn handoffs(&self, chat: &Chat) -> anyhow::Result<Vec<Value>> {
        let mut ids = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut request = self
                .client
                .get(self.url("/api/v1/agent/handoffs"))
                .bearer_auth(&self.agent)
                .query(&[("limit", "500")]);
            if let Some(cursor) = &cursor {
                request = request.query(&[("cursor", cursor)]);
            }
            let page =
                expect_json(request.send().await?, StatusCode::OK, "listing handoffs").await?;
            for handoff in page["handoffs"].as_array().into_iter().flatten() {
                if handoff["conversation_id"] == chat.id.as_str() {
                    ids.push(text_of(handoff, "id")?);
                }
            }
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
        }
        let mut packets = Vec::new();
        for id in ids {
            let response = self
                .client
                .get(self.url(&format!("/api/v1/agent/handoffs/{id}")))
                .bearer_auth(&self.agent)
                .send()
                .await?;
            packets.push(expect_json(response, StatusCode::OK, "reading a handoff").await?);
        }
        Ok(packets)
    }

    /// Publishes an outage notice as an editor would; its id, to end it afterwards.
    pub async fn publish_outage(&self, outage: &OutageSpec) -> anyhow::Result<String> {
        let response = self
            .client
            .post(self.url("/api/v1/outages"))
            .bearer_auth(&self.editor)
            .json(&json!({
                "service": outage.service,
                "postcodes": outage.postcodes,
                "message": {
                    "sv": "Vi har en känd störning i området och arbetar med att åtgärda den.",
                    "en": "There is a known outage in the area and we are working to fix it.",
                },
            }))
            .send()
            .await?;
        let body = expect_json(response, StatusCode::CREATED, "publishing an outage").await?;
        text_of(&body, "id")
    }

    /// Ends an outage notice, so the next dialogue starts without it.
    pub async fn end_outage(&self, id: &str) -> anyhow::Result<()> {
        let response = self
            .client
            .delete(self.url(&format!("/api/v1/outages/{id}")))
            .bearer_auth(&self.editor)
            .send()
            .await?;
        if response.status() != StatusCode::NO_CONTENT {
            bail!("ending an outage: HTTP {}", response.status());
        }
        Ok(())
    }

    /// Every place a secret typed in this chat could end up: the customer's transcript and
    /// view, each handoff packet an agent opens, and the stored messages.
    pub async fn surfaces(&self, chat: &Chat) -> anyhow::Result<Vec<Surface>> {
        let response = self
            .client
            .get(self.url(&format!("/api/v1/conversations/{}/transcript", chat.id)))
            .bearer_auth(&chat.token)
            .send()
            .await?;
        if response.status() != StatusCode::OK {
            bail!("reading the transcript: HTTP {}", response.status());
        }
        let transcript = response.text().await?.replace(&chat.id, " ");
        let mut surfaces = vec![
            Surface {
                name: "transcript".to_owned(),
                text: without_times(&transcript),
            },
            Surface {
                name: "conversation view".to_owned(),
                text: content_strings(&self.read(chat).await?),
            },
        ];
        for (number, packet) in (1..).zip(self.handoffs(chat).await?) {
            surfaces.push(Surface {
                name: format!("handoff packet {number}"),
                text: content_strings(&packet),
            });
        }
        let stored = self
            .store
            .messages(&chat.id)
            .await
            .context("reading the stored messages")?;
        let stored: Vec<String> = stored
            .into_iter()
            .flat_map(|m| {
                [m.text, m.actions_json]
                    .into_iter()
                    .chain(m.guide_step_json)
            })
            .collect();
        surfaces.push(Surface {
            name: "messages table".to_owned(),
            text: stored.join("\n"),
        });
        Ok(surfaces)
    }
}

async fn expect_json(
    response: reqwest::Response,
    expected: StatusCode,
    doing: &str,
) -> anyhow::Result<Value> {
    let status = response.status();
    let body = response.text().await?;
    if status != expected {
        bail!("{doing}: HTTP {status}: {body}");
    }
    serde_json::from_str(&body).with_context(|| format!("{doing}: the answer is not JSON"))
}

fn text_of(body: &Value, key: &str) -> anyhow::Result<String> {
    body[key]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("no {key:?} in the answer"))
}

/// The text a person reads in a JSON view: every string except ids and times, which are
/// random or clock digits that a short secret ("847") could match by chance.
fn content_strings(value: &Value) -> String {
    fn walk(value: &Value, key: &str, out: &mut Vec<String>) {
        if key == "id" || key == "token" || key.ends_with("_id") || key.ends_with("_at") {
            return;
        }
        match value {
            Value::String(s) => out.push(s.clone()),
            Value::Array(items) => items.iter().for_each(|v| walk(v, key, out)),
            Value::Object(map) => map.iter().for_each(|(k, v)| walk(v, k, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, "", &mut out);
    out.join("\n")
}

/// The text transcript without its clock times, for the same reason.
fn without_times(text: &str) -> String {
    static TIME: OnceLock<Regex> = OnceLock::new();
    let time = TIME.get_or_init(|| {
        Regex::new(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z?").expect("a valid regex")
    });
    time.replace_all(text, " ").into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_times_are_not_searched_for_secrets() {
        let view = json!({
            "conversation_id": "0199-847a",
            "messages": [{ "id": "847", "text": "cvc 847", "created_at": "2026-08-47" }],
        });
        assert_eq!(content_strings(&view), "cvc 847");
        let transcript = without_times("[2026-11-23 13:47] Du:\n  kod 1347");
        assert!(!transcript.contains("13:47") && transcript.contains("kod 1347"));
    }
}
