//! Running the encoder off the async runtime, with requests that arrive together batched.
//!
//! One dedicated thread owns the encoder (which itself uses every core for a forward pass).
//! Requests wait in a bounded queue; each time the thread finishes a batch it takes
//! everything that queued up meanwhile as the next batch. Under load that turns many small
//! forward passes into a few large, efficient ones, with no timer adding latency when idle.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

/// Anything that turns texts into unit vectors. The real one is the e5 encoder; unit tests
/// use a stand-in.
pub trait Embedder: Send + Sync + 'static {
    /// Embeds customer messages (e5's `query: ` side).
    fn embed_queries(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, String>;
    /// Embeds documents such as guides (e5's `passage: ` side).
    fn embed_passages(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, String>;
}

/// Which side of e5's asymmetric encoding a text is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Query,
    Passage,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum PoolError {
    #[error("the encoder failed: {0}")]
    Encoder(String),
    #[error("the encoder worker has stopped")]
    Stopped,
}

struct Job {
    text: String,
    side: Side,
    reply: oneshot::Sender<Result<Vec<f32>, PoolError>>,
}

/// A handle to the encoder worker. Cheap to clone.
#[derive(Clone)]
pub struct EmbeddingPool {
    /// Customers' messages: always taken first.
    urgent: mpsc::Sender<Job>,
    /// Guides being saved or loaded: taken only when no customer waits, a few at a time, in
    /// a queue of their own, so a guide with thousands of lines never stands before a
    /// customer's message.
    background: mpsc::Sender<Job>,
}

impl std::fmt::Debug for EmbeddingPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddingPool").finish_non_exhaustive()
    }
}

/// Background texts encoded at most in one pass, so a customer who arrives meanwhile waits
/// for a short pass, not a long one.
const BACKGROUND_SLICE: usize = 8;

/// Who is waiting for a vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    Customer,
    Background,
}

impl EmbeddingPool {
    /// Starts the worker thread. `queue` bounds how many requests may wait in each queue;
    /// past that, callers wait for room (backpressure) instead of piling up memory.
    pub fn start(embedder: Arc<dyn Embedder>, max_batch: usize, queue: usize) -> Self {
        let (urgent, mut urgent_rx) = mpsc::channel::<Job>(queue.max(1));
        let (background, mut background_rx) = mpsc::channel::<Job>(queue.max(1));
        let max_batch = max_batch.max(1);
        std::thread::Builder::new()
            .name("felsok-encoder".to_owned())
            .spawn(move || {
                // A runtime of the thread's own, only to wait on both queues at once.
                let waiter = tokio::runtime::Builder::new_current_thread()
                    .build()
                    .expect("the encoder thread's runtime starts");
                loop {
                    let next = waiter.block_on(async {
                        tokio::select! {
                            biased;
                            job = urgent_rx.recv() => job.map(|j| (j, Priority::Customer)),
                            job = background_rx.recv() => job.map(|j| (j, Priority::Background)),
                        }
                    });
                    let Some((first, priority)) = next else { break };
                    let (mut batch, limit, rx) = match priority {
                        Priority::Customer => (vec![first], max_batch, &mut urgent_rx),
                        Priority::Background => (
                            vec![first],
                            BACKGROUND_SLICE.min(max_batch),
                            &mut background_rx,
                        ),
                    };
                    while batch.len() < limit {
                        match rx.try_recv() {
                            Ok(job) => batch.push(job),
                            Err(_) => break,
                        }
                    }
                    metrics::histogram!("felsok_encoder_batch_size").record(batch.len() as f64);
                    let (queries, passages): (Vec<Job>, Vec<Job>) =
                        batch.into_iter().partition(|j| j.side == Side::Query);
                    answer(&*embedder, queries, Side::Query);
                    answer(&*embedder, passages, Side::Passage);
                }
            })
            .expect("the encoder thread starts");
        Self { urgent, background }
    }

    pub async fn embed(&self, text: &str) -> Result<Vec<f32>, PoolError> {
        self.embed_as(text, Side::Query).await
    }

    pub async fn embed_as(&self, text: &str, side: Side) -> Result<Vec<f32>, PoolError> {
        self.embed_with(text, side, Priority::Customer).await
    }

    pub async fn embed_with(
        &self,
        text: &str,
        side: Side,
        priority: Priority,
    ) -> Result<Vec<f32>, PoolError> {
        let (reply, answer) = oneshot::channel();
        let queue = match priority {
            Priority::Customer => &self.urgent,
            Priority::Background => &self.background,
        };
        queue
            .send(Job {
                text: text.to_owned(),
                side,
                reply,
            })
            .await
            .map_err(|_| PoolError::Stopped)?;
        answer.await.map_err(|_| PoolError::Stopped)?
    }
}

/// Embeds one batch of the same side and sends every caller its vector or the error.
fn answer(embedder: &dyn Embedder, batch: Vec<Job>, side: Side) {
    if batch.is_empty() {
        return;
    }
    let texts: Vec<&str> = batch.iter().map(|j| j.text.as_str()).collect();
    let result = match side {
        Side::Query => embedder.embed_queries(&texts),
        Side::Passage => embedder.embed_passages(&texts),
    };
    match result {
        Ok(vectors) if vectors.len() == batch.len() => {
            for (job, vector) in batch.into_iter().zip(vectors) {
                let _ = job.reply.send(Ok(vector));
            }
        }
        Ok(_) => {
            for job in batch {
                let _ = job.reply.send(Err(PoolError::Encoder(
                    "wrong number of vectors".to_owned(),
                )));
            }
        }
        Err(e) => {
            for job in batch {
                let _ = job.reply.send(Err(PoolError::Encoder(e.clone())));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    /// A slow stand-in that records the batch sizes it saw.
    struct Slow {
        calls: AtomicUsize,
        largest: AtomicUsize,
    }

    impl Embedder for Slow {
        fn embed_queries(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, String> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            self.largest.fetch_max(texts.len(), Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(20));
            Ok(texts.iter().map(|t| vec![t.len() as f32]).collect())
        }

        fn embed_passages(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, String> {
            Ok(texts.iter().map(|t| vec![-(t.len() as f32)]).collect())
        }
    }

    #[tokio::test]
    async fn concurrent_requests_are_batched_and_answered_in_order() {
        let slow = Arc::new(Slow {
            calls: AtomicUsize::new(0),
            largest: AtomicUsize::new(0),
        });
        let pool = EmbeddingPool::start(slow.clone(), 64, 256);
        let texts: Vec<String> = (0..40).map(|i| "x".repeat(i + 1)).collect();
        let answers = futures::future::join_all(texts.iter().map(|t| pool.embed(t.as_str()))).await;
        for (i, answer) in answers.into_iter().enumerate() {
            assert_eq!(answer.unwrap(), vec![(i + 1) as f32]);
        }
        assert!(
            slow.largest.load(Ordering::SeqCst) > 1,
            "nothing was batched"
        );
        assert!(slow.calls.load(Ordering::SeqCst) < 40);
    }

    #[tokio::test]
    async fn queries_and_passages_in_one_batch_each_get_their_own_side() {
        let slow = Arc::new(Slow {
            calls: AtomicUsize::new(0),
            largest: AtomicUsize::new(0),
        });
        let pool = EmbeddingPool::start(slow, 64, 256);
        let (q, p) = futures::join!(pool.embed("abc"), pool.embed_as("abcd", Side::Passage));
        assert_eq!(q.unwrap(), vec![3.0]);
        assert_eq!(p.unwrap(), vec![-4.0]);
    }

    /// Records the order in which texts reach the encoder.
    struct Recording {
        seen: std::sync::Mutex<Vec<String>>,
    }

    impl Embedder for Recording {
        fn embed_queries(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, String> {
            std::thread::sleep(Duration::from_millis(5));
            let mut seen = self.seen.lock().unwrap();
            seen.extend(texts.iter().map(|t| (*t).to_owned()));
            Ok(texts.iter().map(|_| vec![1.0]).collect())
        }

        fn embed_passages(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, String> {
            self.embed_queries(texts)
        }
    }

    #[tokio::test]
    async fn a_customer_is_never_queued_behind_a_guides_many_lines() {
        let recording = Arc::new(Recording {
            seen: std::sync::Mutex::new(Vec::new()),
        });
        let pool = EmbeddingPool::start(recording.clone(), 64, 4096);
        let lines: Vec<String> = (0..400).map(|i| format!("rad {i}")).collect();
        let guide = futures::future::join_all(
            lines
                .iter()
                .map(|l| pool.embed_with(l, Side::Query, Priority::Background)),
        );
        let customer = async {
            tokio::time::sleep(Duration::from_millis(20)).await;
            pool.embed("kunden").await.unwrap();
        };
        let (_, ()) = futures::join!(guide, customer);
        let seen = recording.seen.lock().unwrap();
        let at = seen.iter().position(|t| t == "kunden").unwrap();
        assert!(at < 100, "the customer waited behind {at} guide lines");
    }

    struct Failing;

    impl Embedder for Failing {
        fn embed_queries(&self, _: &[&str]) -> Result<Vec<Vec<f32>>, String> {
            Err("boom".to_owned())
        }

        fn embed_passages(&self, _: &[&str]) -> Result<Vec<Vec<f32>>, String> {
            Err("boom".to_owned())
        }
    }

    #[tokio::test]
    async fn an_encoder_failure_reaches_every_caller() {
        let pool = EmbeddingPool::start(Arc::new(Failing), 8, 8);
        assert!(matches!(
            pool.embed("hej").await,
            Err(PoolError::Encoder(_))
        ));
    }
}
