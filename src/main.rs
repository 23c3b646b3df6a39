fn main() -> anyhow::Result<()> {
    felsok::cli::main()
}
