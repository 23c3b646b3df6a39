//! `felsok bench`: measurements that print Markdown tables.

use clap::Args;

#[derive(Debug, Args)]
pub struct BenchArgs {}

pub async fn run(_args: BenchArgs) -> anyhow::Result<()> {
    anyhow::bail!("not yet")
}
