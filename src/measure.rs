//! How measured times and memory are summarised, the same way by the benchmarks and the load
//! test, so their figures compare.

use std::time::Duration;

/// Latency percentiles over a set of samples.
#[derive(Debug, Clone, Copy)]
pub struct Percentiles {
    pub p50: Duration,
    pub p95: Duration,
    pub p99: Duration,
}

impl Percentiles {
    pub fn of(samples: &mut [Duration]) -> Self {
        samples.sort_unstable();
        Self {
            p50: nearest_rank(samples, 0.50),
            p95: nearest_rank(samples, 0.95),
            p99: nearest_rank(samples, 0.99),
        }
    }
}

/// The nearest-rank percentile: a value that was actually observed.
fn nearest_rank(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// A memory figure of a process from `/proc/<pid>/status` (Linux), in MiB: `pid` is a
/// number or `self`, `field` e.g. `VmRSS` (resident now) or `VmHWM` (peak resident).
pub fn status_mib(pid: &str, field: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    Some(kib / 1024.0)
}

pub fn millis(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_observed_values() {
        let mut samples: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        samples.reverse();
        let p = Percentiles::of(&mut samples);
        assert_eq!(p.p50, Duration::from_millis(50));
        assert_eq!(p.p95, Duration::from_millis(95));
        assert_eq!(p.p99, Duration::from_millis(99));
        assert_eq!(Percentiles::of(&mut []).p50, Duration::ZERO);
    }
}
