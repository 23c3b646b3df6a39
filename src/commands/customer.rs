//! `felsok customer export|erase`: a customer's right to see their data and to have it erased.

use std::io::Write;

use crate::config::defaults;
use clap::{Args, Subcommand};

use crate::conversation::privacy;
use crate::storage::{DataSubject, Store};

#[derive(Debug, Args)]
pub struct CustomerCommand {
    #[command(subcommand)]
    action: CustomerAction,
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = defaults::DATABASE_URL,
        global = true
    )]
    database_url: String,
}

/// Whose data. Give at least one; conversations matching any of them are included.
#[derive(Debug, Args)]
struct Subject {
    /// The customer number the customer gave in a chat or a cancellation.
    #[arg(long)]
    customer_number: Option<String>,
    /// The e-mail address the customer gave (any letter case).
    #[arg(long)]
    email: Option<String>,
    /// One conversation, by the id on its transcript.
    #[arg(long)]
    conversation: Option<String>,
}

impl Subject {
    fn into_subject(self) -> anyhow::Result<DataSubject> {
        let clean = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let subject = DataSubject {
            customer_number: clean(self.customer_number),
            email: clean(self.email),
            conversation_id: clean(self.conversation),
        };
        anyhow::ensure!(
            !subject.is_empty(),
            "say whose data: --customer-number, --email or --conversation"
        );
        Ok(subject)
    }
}

#[derive(Debug, Subcommand)]
enum CustomerAction {
    /// Print everything kept about the customer as JSON: conversations, messages, handoffs
    /// and written cancellations.
    Export(Subject),
    /// Erase the customer's conversations. Written cancellations (reference, service, name,
    /// dates and receipt) are kept, as the law requires; everything else goes.
    Erase(Subject),
}

pub async fn run(command: CustomerCommand) -> anyhow::Result<()> {
    let store = Store::connect(&command.database_url, 1).await?;
    store.migrate().await?;
    let result = act(&store, command.action).await;
    store.close().await;
    result
}

async fn act(store: &Store, action: CustomerAction) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match action {
        CustomerAction::Export(subject) => {
            let export = privacy::export(store, &subject.into_subject()?).await?;
            serde_json::to_writer_pretty(&mut out, &export)?;
            writeln!(out)?;
        }
        CustomerAction::Erase(subject) => {
            let erased = privacy::erase(store, &subject.into_subject()?).await?;
            writeln!(
                out,
                "erased {} conversation(s); {} kept only for their written cancellations",
                erased.deleted + erased.kept_for_cancellations,
                erased.kept_for_cancellations
            )?;
        }
    }
    Ok(())
}
