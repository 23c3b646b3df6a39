//! The servers under load: `felsok serve` child processes this run starts, kills with SIGKILL
//! and starts again on the same database and port, or servers someone else runs.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;

/// One replica: its address, and its process when this run owns it.
pub struct Replica {
    pub base: String,
    process: Option<Child>,
    addr: Option<String>,
}

/// How long a replica may take to become ready (the model loads from disk).
const READY_TIMEOUT: Duration = Duration::from_secs(120);

pub struct Servers {
    pub replicas: Vec<Replica>,
    database_url: String,
    dir: PathBuf,
    client: reqwest::Client,
}

impl Servers {
    /// Servers already running elsewhere; they cannot be killed by this run.
    pub fn external(bases: Vec<String>) -> Self {
        Self {
            replicas: bases
                .into_iter()
                .map(|base| Replica {
                    base: base.trim_end_matches('/').to_owned(),
                    process: None,
                    addr: None,
                })
                .collect(),
            database_url: String::new(),
            dir: PathBuf::new(),
            client: reqwest::Client::new(),
        }
    }

    /// Starts `count` replicas of this very binary on one database, rate limits off (every
    /// simulated customer shares one address).
    pub async fn spawn(count: usize, database_url: &str, dir: &Path) -> anyhow::Result<Self> {
        let mut servers = Self {
            replicas: Vec::new(),
            database_url: database_url.to_owned(),
            dir: dir.to_owned(),
            client: reqwest::Client::new(),
        };
        for i in 0..count {
            let replica = servers.start("127.0.0.1:0", i).await?;
            servers.replicas.push(replica);
        }
        Ok(servers)
    }

    async fn start(&self, addr: &str, index: usize) -> anyhow::Result<Replica> {
        let addr_file = self.dir.join(format!("replica-{index}.addr"));
        let _ = std::fs::remove_file(&addr_file);
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join(format!("replica-{index}.log")))?;
        let child = Command::new(std::env::current_exe()?)
            .args([
                "serve",
                "--addr",
                addr,
                "--database-url",
                &self.database_url,
            ])
            .arg("--addr-file")
            .arg(&addr_file)
            .env("FELSOK_RATE_LIMITS", "off")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .context("could not start felsok serve")?;
        let mut replica = Replica {
            base: String::new(),
            process: Some(child),
            addr: None,
        };
        let started = Instant::now();
        loop {
            if let Some(status) = replica
                .process
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                anyhow::bail!(
                    "replica {index} exited with {status}; see {}",
                    self.dir.join(format!("replica-{index}.log")).display()
                );
            }
            if let Ok(bound) = std::fs::read_to_string(&addr_file) {
                if !bound.is_empty() {
                    replica.base = format!("http://{bound}");
                    replica.addr = Some(bound);
                    break;
                }
            }
            anyhow::ensure!(
                started.elapsed() < READY_TIMEOUT,
                "replica {index} did not start"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        while !self.ready(&replica.base).await {
            anyhow::ensure!(
                started.elapsed() < READY_TIMEOUT,
                "replica {index} never became ready"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(replica)
    }

    async fn ready(&self, base: &str) -> bool {
        self.client
            .get(format!("{base}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
    }

    pub fn can_kill(&self) -> bool {
        self.replicas.iter().all(|r| r.process.is_some())
    }

    /// `kill -9` replica `index`, then starts it again on the same port and database.
    /// Returns how long it was gone.
    pub async fn kill_and_restart(&mut self, index: usize) -> anyhow::Result<Duration> {
        let replica = &mut self.replicas[index];
        let addr = replica
            .addr
            .clone()
            .context("not a replica this run started")?;
        if let Some(mut child) = replica.process.take() {
            child.kill().context("SIGKILL")?;
            child.wait()?;
        }
        let killed = Instant::now();
        let restarted = self.start(&addr, index).await?;
        self.replicas[index] = restarted;
        Ok(killed.elapsed())
    }

    /// Stops every replica this run started.
    pub fn stop(&mut self) {
        for replica in &mut self.replicas {
            if let Some(mut child) = replica.process.take() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}

impl Drop for Servers {
    fn drop(&mut self) {
        self.stop();
    }
}
