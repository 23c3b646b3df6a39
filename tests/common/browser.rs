//! A real headless Chromium for the page tests, driven over WebDriver by Debian's
//! chromedriver (`.ci/install-test-deps` installs both), with the axe-core accessibility
//! check and screenshots kept in `target/screenshots/`.

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

/// Long enough for a slow CI machine; a wait that runs out fails the test with what it
/// waited for. Never used to measure speed.
const PATIENCE: Duration = Duration::from_secs(30);

/// One chromedriver process; each [`Browser::open`] starts its own Chromium session.
/// [`Browser::close`] ends them; should a test fail first, dropping the `Browser` kills the
/// driver's whole process group, so no Chromium outlives its test either way.
pub struct Browser {
    driver: Child,
    url: String,
    sessions: std::sync::Mutex<Vec<Client>>,
}

impl Browser {
    pub async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let driver = Command::new(binary("CHROMEDRIVER", "chromedriver"))
            .arg(format!("--port={port}"))
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "chromedriver is needed for the page tests ({e}): run ./.ci/install-test-deps"
                )
            });
        let url = format!("http://127.0.0.1:{port}");
        let started = std::time::Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < PATIENCE, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Self {
            driver,
            url,
            sessions: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// Ends every session (Chromium quits) and stops the driver.
    pub async fn close(self) {
        let sessions = std::mem::take(&mut *self.sessions.lock().expect("sessions"));
        for session in sessions {
            let _ = session.close().await;
        }
    }

    /// A new browser window of its own (own cookies and storage), 1280×900, Swedish.
    pub async fn open(&self) -> Client {
        self.open_sized(1280, 900).await
    }

    pub async fn open_sized(&self, width: u32, height: u32) -> Client {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": binary("CHROMIUM", "chromium"),
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu",
                    "--disable-dev-shm-usage", "--lang=sv-SE",
                    format!("--window-size={width},{height}"),
                ],
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&self.url)
            .await
            .expect("a Chromium session");
        self.sessions.lock().expect("sessions").push(client.clone());
        client
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // The driver leads its own process group (see `start`), which its Chromiums join.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.driver.id())])
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// The program's full path (Chromium wants one for its binary): `$env`, or `name` on PATH.
fn binary(env: &str, name: &str) -> String {
    if let Ok(path) = std::env::var(env) {
        return path;
    }
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
        .map(|path| path.display().to_string())
        .unwrap_or_else(|| {
            panic!("{name} is needed for the page tests: run ./.ci/install-test-deps")
        })
}

/// The first element matching `css` once it exists and is displayed.
pub async fn visible(client: &Client, css: &str) -> Element {
    let started = std::time::Instant::now();
    loop {
        if let Ok(found) = client.find_all(Locator::Css(css)).await {
            for element in found {
                if element.is_displayed().await.unwrap_or(false) {
                    return element;
                }
            }
        }
        assert!(
            started.elapsed() < PATIENCE,
            "nothing visible matches {css}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The last element matching `css` whose text contains `needle`, once there is one.
pub async fn with_text(client: &Client, css: &str, needle: &str) -> Element {
    let started = std::time::Instant::now();
    loop {
        if let Ok(found) = client.find_all(Locator::Css(css)).await {
            for element in found.into_iter().rev() {
                if element.text().await.is_ok_and(|t| t.contains(needle)) {
                    return element;
                }
            }
        }
        assert!(
            started.elapsed() < PATIENCE,
            "no {css} says {needle:?}; the page says:\n{}",
            page_text(client).await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until `css` matches `count` elements or more; returns them.
pub async fn at_least(client: &Client, css: &str, count: usize) -> Vec<Element> {
    let started = std::time::Instant::now();
    loop {
        let found = client.find_all(Locator::Css(css)).await.unwrap_or_default();
        if found.len() >= count {
            return found;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "expected {count} of {css}, saw {}; the page says:\n{}",
            found.len(),
            page_text(client).await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub async fn page_text(client: &Client) -> String {
    client
        .execute(
            "return document.body ? document.body.innerText : ''",
            vec![],
        )
        .await
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Types into a field (clearing it first).
pub async fn fill(client: &Client, css: &str, text: &str) {
    let started = std::time::Instant::now();
    // A field can be shown a moment before the page enables it (a form that opens as a
    // handoff is claimed): wait until it takes input, as a person would.
    let field = loop {
        let field = visible(client, css).await;
        match field.clear().await {
            Ok(()) => break field,
            Err(e) => assert!(started.elapsed() < PATIENCE, "{css} never took input: {e}"),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    field.send_keys(text).await.expect("type");
}

/// Replaces a field's text in one input event, as pasting does. Typing a whole guide key by
/// key takes the browser half a minute and tests nothing more than this.
pub async fn paste(client: &Client, field: &Element, text: &str) {
    client
        .execute(
            "const [field, text] = arguments; field.focus(); field.value = text; \
             field.dispatchEvent(new InputEvent('input', \
               { bubbles: true, inputType: 'insertFromPaste', data: text }));",
            vec![
                serde_json::to_value(field).expect("an element reference"),
                json!(text),
            ],
        )
        .await
        .expect("paste");
}

/// Clicks the first visible match; if the page redraws it between finding and clicking (a
/// list refreshing as a search is typed), finds it again.
pub async fn click(client: &Client, css: &str) {
    let started = std::time::Instant::now();
    loop {
        match visible(client, css).await.click().await {
            Ok(()) => return,
            Err(e) if started.elapsed() < PATIENCE && is_stale(&e) => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("click {css}: {e}"),
        }
    }
}

fn is_stale(error: &fantoccini::error::CmdError) -> bool {
    matches!(
        error,
        fantoccini::error::CmdError::Standard(w)
            if w.error == fantoccini::error::ErrorStatus::StaleElementReference
    )
}

/// Saves what the window shows as `target/screenshots/{name}.png`.
pub async fn screenshot(client: &Client, name: &str) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    let png = client.screenshot().await.expect("screenshot");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
}

/// Runs axe-core (WCAG 2.0/2.1 A and AA rules) on the page as it is now and fails on any
/// serious or critical violation, listing them.
pub async fn assert_accessible(client: &Client, what: &str) {
    let axe = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/browser/node_modules/axe-core/axe.min.js");
    let source = std::fs::read_to_string(&axe).unwrap_or_else(|e| {
        panic!(
            "{} is needed ({e}): run ./.ci/install-test-deps",
            axe.display()
        )
    });
    client
        .execute(&source, vec![])
        .await
        .expect("inject axe-core");
    let result = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
                .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))))
                .catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));",
            vec![],
        )
        .await
        .expect("run axe-core");
    let serious: Vec<&Value> = result
        .as_array()
        .expect("a list of violations")
        .iter()
        .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
        .collect();
    assert!(
        serious.is_empty(),
        "{what}: accessibility violations:\n{}",
        serde_json::to_string_pretty(&serious).unwrap_or_default()
    );
}

/// Bytes the page's first load transferred (HTML and every resource, as sent: compressed
/// where the server compressed), from the browser's own resource timing.
pub async fn first_load_bytes(client: &Client) -> u64 {
    client
        .execute(
            "const nav = performance.getEntriesByType('navigation')[0];
             const res = performance.getEntriesByType('resource')
                .filter(r => !r.name.includes('/api/'));
             return (nav ? nav.transferSize : 0) + res.reduce((n, r) => n + r.transferSize, 0);",
            vec![],
        )
        .await
        .expect("resource timing")
        .as_u64()
        .unwrap_or(0)
}
