//! `felsok token create|list|revoke`: tokens for agents, editors and admins.

use crate::config::defaults;
use clap::{Args, Subcommand};

use crate::auth::staff::{create_token, StaffRole};
use crate::storage::Store;
use crate::timestamp::Timestamp;

#[derive(Debug, Args)]
pub struct TokenCommand {
    #[command(subcommand)]
    action: TokenAction,
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = defaults::DATABASE_URL,
        global = true
    )]
    database_url: String,
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
    },
    /// List every token: id, role, name, when it was made and, if so, revoked.
    List,
    /// Revoke a token at once, by the id `list` shows.
    Revoke {
        #[arg(long)]
        id: String,
    },
}

pub async fn run(command: TokenCommand) -> anyhow::Result<()> {
    let store = Store::connect(&command.database_url, 1).await?;
    store.migrate().await?;
    let result = act(&store, command.action).await;
    store.close().await;
    result
}

// The CLI's output is its answer, so it goes to stdout.
#[allow(clippy::print_stdout)]
async fn act(store: &Store, action: TokenAction) -> anyhow::Result<()> {
    match action {
        TokenAction::Create { role, name } => {
            let name = name.trim();
            anyhow::ensure!(
                (1..=100).contains(&name.chars().count()),
                "--name must be 1 to 100 characters"
            );
            let (_, token) = create_token(store, role, name).await?;
            println!("{}", token.expose());
        }
        TokenAction::List => {
            for t in store.staff_tokens().await? {
                let state = match &t.revoked_at {
                    Some(when) => format!("revoked {when}"),
                    None => "active".to_owned(),
                };
                println!(
                    "{}\t{}\t{}\t{}\t{state}",
                    t.id, t.role, t.name, t.created_at
                );
            }
        }
        TokenAction::Revoke { id } => {
            anyhow::ensure!(
                store.revoke_staff_token(&id, Timestamp::now()).await?,
                "no active token with id {id} (see `felsok token list`)"
            );
            println!("revoked {id}");
        }
    }
    Ok(())
}
