//! `felsok token create`: tokens for agents, editors and admins.

use clap::{Args, Subcommand};

use crate::auth::staff::{create_token, StaffRole};
use crate::storage::Store;

#[derive(Debug, Args)]
pub struct TokenCommand {
    #[command(subcommand)]
    action: TokenAction,
}

#[derive(Debug, Subcommand)]
enum TokenAction {
    /// Create a token and print it. Only its hash is stored: keep the printed token safe.
    Create {
        #[arg(long, value_enum)]
        role: StaffRole,
        /// Who holds it, as shown in guide histories and handoffs.
        #[arg(long)]
        name: String,
        #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/felsok.db")]
        database_url: String,
    },
}

pub async fn run(command: TokenCommand) -> anyhow::Result<()> {
    match command.action {
        TokenAction::Create {
            role,
            name,
            database_url,
        } => {
            let name = name.trim();
            anyhow::ensure!(
                (1..=100).contains(&name.chars().count()),
                "--name must be 1 to 100 characters"
            );
            let store = Store::connect(&database_url, 1).await?;
            store.migrate().await?;
            let (_, token) = create_token(&store, role, name).await?;
            store.close().await;
            #[allow(clippy::print_stdout)]
            {
                println!("{}", token.expose());
            }
            Ok(())
        }
    }
}
