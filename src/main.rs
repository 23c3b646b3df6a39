#[tokio::main]
async fn main() -> anyhow::Result<()> {
    felsok::cli::run().await
}
