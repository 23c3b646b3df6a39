fn main() -> anyhow::Result<()> {
    // Before any thread exists: the environment may only be changed while single-threaded.
    felsok::cli::prepare_process();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(felsok::cli::run())
}
