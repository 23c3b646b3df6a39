//! A guide step as the bot shows it, in parts.
//!
//! The message text is rendered from these parts, so a client that draws the card from the
//! fields shows exactly what a text-only client reads, and neither depends on the wording of
//! the other.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The parts of one step card, in the conversation's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StepParts {
    /// What leads up to the step in the same message (an acknowledgement, a known outage),
    /// when anything does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead: Option<String>,
    /// "Steg 2 av 4: Starta om routern".
    pub heading: String,
    pub instruction: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning: Option<LabelledPart>,
    pub expected: LabelledPart,
    /// A page with more on the step; `text` is its address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<LabelledPart>,
}

/// A part of a step with the label the text version puts before it ("Obs!").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LabelledPart {
    pub label: String,
    pub text: String,
}

impl LabelledPart {
    pub fn new(label: &str, text: &str) -> Self {
        Self {
            label: label.to_owned(),
            text: text.to_owned(),
        }
    }
}

impl StepParts {
    /// The message text: blocks apart by an empty line, each labelled part on one line after
    /// its label.
    pub fn text(&self) -> String {
        let mut blocks: Vec<String> = Vec::with_capacity(6);
        blocks.extend(self.lead.clone());
        blocks.push(self.heading.clone());
        blocks.push(self.instruction.clone());
        let labelled = |part: &LabelledPart| format!("{} {}", part.label, part.text);
        blocks.extend(self.warning.as_ref().map(labelled));
        blocks.push(labelled(&self.expected));
        blocks.extend(self.link.as_ref().map(labelled));
        blocks.join("\n\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_puts_each_part_in_its_own_block_after_the_lead() {
        let parts = StepParts {
            lead: Some("Tack.".into()),
            heading: "Steg 1 av 2: Titel".into(),
            instruction: "Gör så här.".into(),
            warning: Some(LabelledPart::new("Obs!", "Akta.")),
            expected: LabelledPart::new("Så ser du att det fungerade:", "Lampan lyser."),
            link: Some(LabelledPart::new(
                "Läs mer:",
                "https://www.operatoren.se/mina-sidor",
            )),
        };
        assert_eq!(
            parts.text(),
            "Tack.\n\nSteg 1 av 2: Titel\n\nGör så här.\n\nObs! Akta.\n\n\
             Så ser du att det fungerade: Lampan lyser.\n\nLäs mer: https://www.operatoren.se/mina-sidor"
        );
    }

    #[test]
    fn a_step_without_lead_warning_or_link_has_three_blocks() {
        let parts = StepParts {
            lead: None,
            heading: "Step 1 of 1: Title".into(),
            instruction: "Do this.".into(),
            warning: None,
            expected: LabelledPart::new("You'll know it worked when:", "It works."),
            link: None,
        };
        assert_eq!(
            parts.text(),
            "Step 1 of 1: Title\n\nDo this.\n\nYou'll know it worked when: It works."
        );
    }
}
