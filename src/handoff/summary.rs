//! The few sentences an agent reads first: written from stored facts only, the same facts
//! always giving the same words, and nothing the customer did not say or do.

use super::details::CaseDetails;
use crate::dialogue::{Later, StepOutcome, StepTried};
use crate::domain::{HandoffReason, Intent, Locale, PhoneNumber, Relation, RequestKind};
use crate::timestamp::Timestamp;

/// The facts a summary is written from.
#[derive(Debug, Clone, Default)]
pub struct CaseFacts<'a> {
    /// The customer's first message, as they wrote it (secrets already masked).
    pub first_words: Option<&'a str>,
    /// The intent the bot was sure of, with its confidence from 0 to 1.
    pub intent: Option<(Intent, f64)>,
    pub steps_tried: &'a [StepTried],
    /// Why it was handed over; `None` words the next step in general terms.
    pub reason: Option<HandoffReason>,
    /// `(reference, service, end date)` of a written cancellation.
    pub cancellation: Option<(&'a str, &'a str, Option<&'a str>)>,
    pub cancellation_wish: bool,
    /// `(reference, contract, contract date)` of a written withdrawal (ångerrätt).
    pub withdrawal: Option<(&'a str, &'a str, &'a str)>,
    /// The customer said they want to withdraw from a contract just made, and when they
    /// made it if they said.
    pub withdrawal_wish: bool,
    pub contract_made_on: Option<time::Date>,
    /// `(holder, relation)` when the writer cancels someone else's subscription.
    pub on_behalf: Option<(&'a str, &'a str)>,
    /// The reference of a written cancellation sent from this chat and handled elsewhere.
    pub cancellation_sent: Option<&'a str>,
    /// What the customer mentioned: service, devices, error codes, postcode.
    pub details: Option<&'a CaseDetails>,
    /// `(phone in E.164, from, to)` of a call-back the customer asked for.
    pub callback: Option<(&'a str, Timestamp, Timestamp)>,
    /// Other problems the customer raised and the bot has not yet taken up (intents).
    pub later: &'a [Later],
}

/// What an intent is about, as an agent would put it. Small talk says nothing about the case,
/// so a summary calls it unclear.
fn intent_label(locale: Locale, intent: Intent) -> &'static str {
    Some(intent)
        .filter(|i| i.is_problem() || *i == Intent::TalkToHuman)
        .unwrap_or(Intent::UnclearProblem)
        .label(locale)
}

/// The longest quote of the customer's words a summary carries; the transcript has the rest.
const QUOTE_CHARS: usize = 160;

fn quote(text: &str) -> String {
    let mut chars = text.trim().chars();
    let head: String = chars.by_ref().take(QUOTE_CHARS).collect();
    if chars.next().is_some() {
        format!("{}…", head.trim_end())
    } else {
        head
    }
}

fn outcome_word(locale: Locale, outcome: StepOutcome) -> &'static str {
    match (locale, outcome) {
        (Locale::Sv, StepOutcome::Worked) => "hjälpte",
        (Locale::Sv, StepOutcome::Failed) => "hjälpte inte",
        (Locale::Sv, StepOutcome::Skipped) => "hoppades över",
        (Locale::Sv, StepOutcome::RuledOut) => "behövdes inte, kunden hade redan gjort det",
        (Locale::En, StepOutcome::Worked) => "worked",
        (Locale::En, StepOutcome::Failed) => "did not help",
        (Locale::En, StepOutcome::Skipped) => "skipped",
        (Locale::En, StepOutcome::RuledOut) => "not needed, the customer had already done it",
    }
}

/// The summary in the agent's language.
pub fn summarise(locale: Locale, facts: &CaseFacts<'_>) -> String {
    let sv = locale == Locale::Sv;
    let mut sentences: Vec<String> = Vec::new();
    if let Some((reference, service, end_date)) = facts.cancellation {
        let end = match (end_date, sv) {
            (Some(date), true) => format!("önskat slutdatum {date}"),
            (Some(date), false) => format!("wished end date {date}"),
            (None, true) => "så snart uppsägningstiden tillåter".to_owned(),
            (None, false) => "as soon as the notice period allows".to_owned(),
        };
        sentences.push(if sv {
            format!("Skriftlig uppsägning {reference} av ”{service}”, {end}.")
        } else {
            format!("Written cancellation {reference} of \"{service}\", {end}.")
        });
    } else if let Some((reference, contract, made)) = facts.withdrawal {
        let last = crate::domain::last_withdrawal_day_of(made).unwrap_or_default();
        sentences.push(if sv {
            format!(
                "Kunden ångrar avtalet ”{contract}” ({reference}, ångerrätt): ingånget {made}, \
                 sista dag att ångra {last}."
            )
        } else {
            format!(
                "The customer withdraws from the contract \"{contract}\" ({reference}, right of \
                 withdrawal): made on {made}, last day to withdraw {last}."
            )
        });
    } else if let Some(reference) = facts.cancellation_sent {
        sentences.push(if sv {
            format!(
                "Kunden har skickat en skriftlig uppsägning ({reference}), som behandlas i \
                 uppsägningskön."
            )
        } else {
            format!(
                "The customer has sent a written cancellation ({reference}), handled in the \
                 cancellation queue."
            )
        });
    } else if facts.withdrawal_wish {
        let made = facts.contract_made_on.map(crate::domain::iso_date);
        sentences.push(match (sv, made) {
            (true, Some(made)) => format!(
                "Kunden vill ångra ett nytt avtal (ångerrätt), ingånget omkring {made}, och har \
                 fått formuläret för att ångra erbjudet."
            ),
            (true, None) => "Kunden vill ångra ett nytt avtal (ångerrätt) och har fått \
                             formuläret för att ångra erbjudet."
                .to_owned(),
            (false, Some(made)) => format!(
                "The customer wants to withdraw from a new contract (right of withdrawal), made \
                 around {made}, and was offered the withdrawal form."
            ),
            (false, None) => "The customer wants to withdraw from a new contract (right of \
                              withdrawal) and was offered the withdrawal form."
                .to_owned(),
        });
    } else if facts.cancellation_wish {
        sentences.push(if sv {
            "Kunden har sagt att hen vill säga upp och har fått den skriftliga vägen erbjuden."
                .to_owned()
        } else {
            "The customer said they want to cancel and was offered the written way.".to_owned()
        });
    }
    if let Some((holder, relation)) = facts.on_behalf {
        let relation = match (Relation::parse(relation), sv) {
            (Some(Relation::Estate), true) => "för dödsboet",
            (Some(Relation::Estate), false) => "for the estate",
            (Some(Relation::Guardian), true) => "som god man eller förvaltare",
            (Some(Relation::Guardian), false) => "as guardian",
            (_, true) => "med fullmakt",
            (_, false) => "with a power of attorney",
        };
        sentences.push(if sv {
            format!("Abonnemanget är {holder}s; kunden säger upp {relation}.")
        } else {
            format!("The subscription is {holder}'s; the customer cancels {relation}.")
        });
    }
    if let Some(words) = facts.first_words {
        let words = quote(words);
        // A quote that ends a sentence already carries its full stop.
        let stop = if words.ends_with(['.', '!', '?', '…']) {
            ""
        } else {
            "."
        };
        sentences.push(if sv {
            format!("Kunden skrev först: ”{words}”{stop}")
        } else {
            format!("The customer first wrote: \"{words}\"{stop}")
        });
    }
    if let Some((intent, confidence)) = facts.intent {
        let label = intent_label(locale, intent);
        let percent = (confidence * 100.0).round();
        sentences.push(if sv {
            format!("Boten tolkade ärendet som: {label} ({intent}, {percent} %).")
        } else {
            format!("The bot read it as: {label} ({intent}, {percent}%).")
        });
    }
    if let Some(details) = facts.details.filter(|d| !d.is_empty()) {
        sentences.push(details_sentence(locale, details));
    }
    if facts.steps_tried.is_empty() {
        sentences.push(if sv {
            "Inga steg har prövats.".to_owned()
        } else {
            "No steps have been tried.".to_owned()
        });
    } else {
        let steps: Vec<String> = facts
            .steps_tried
            .iter()
            .map(|s| {
                let outcome = outcome_word(locale, s.outcome);
                match &s.said {
                    Some(said) if sv => format!("{} ({outcome}: ”{}”)", s.title, quote(said)),
                    Some(said) => format!("{} ({outcome}: \"{}\")", s.title, quote(said)),
                    None => format!("{} ({outcome})", s.title),
                }
            })
            .collect();
        sentences.push(if sv {
            format!("Prövade steg: {}.", steps.join(", "))
        } else {
            format!("Steps tried: {}.", steps.join(", "))
        });
    }
    if !facts.later.is_empty() {
        let labels: Vec<String> = facts
            .later
            .iter()
            .map(|l| {
                let label = intent_label(locale, l.intent);
                match &l.said {
                    Some(said) if sv => format!("{label} (”{said}”)"),
                    Some(said) => format!("{label} (\"{said}\")"),
                    None => label.to_owned(),
                }
            })
            .collect();
        sentences.push(if sv {
            format!("Kunden nämnde också: {}.", labels.join(", "))
        } else {
            format!("The customer also mentioned: {}.", labels.join(", "))
        });
    }
    sentences.push(
        match (facts.reason, sv) {
            (Some(HandoffReason::WrittenCancellation), true) => {
                "Nu: behandla uppsägningen och bekräfta den för kunden."
            }
            (Some(HandoffReason::WrittenCancellation), false) => {
                "Now: process the cancellation and confirm it to the customer."
            }
            (Some(HandoffReason::CustomerRequest), true) => "Nu: kunden vill prata med en person.",
            (Some(HandoffReason::CustomerRequest), false) => "Now: the customer wants to talk to a person.",
            (Some(HandoffReason::Frustration), true) => {
                "Nu: kunden tycker att boten inte förstår och behöver en person som lyssnar."
            }
            (Some(HandoffReason::Frustration), false) => {
                "Now: the customer feels the bot does not understand and needs a person to listen."
            }
            (Some(HandoffReason::StepsExhausted), true) => {
                "Nu: guidens steg löste det inte; felet behöver undersökas av en person."
            }
            (Some(HandoffReason::StepsExhausted), false) => {
                "Now: the guide's steps did not solve it; the fault needs a person to look into it."
            }
            (Some(HandoffReason::NotUnderstood), true) => {
                "Nu: boten förstod inte två meddelanden i rad; läs vad kunden skrev."
            }
            (Some(HandoffReason::NotUnderstood), false) => {
                "Now: the bot did not understand two messages in a row; read what the customer wrote."
            }
            (Some(HandoffReason::BillingDispute), true) => {
                "Nu: kunden har sagt upp tjänsten men faktureras ändå; kontrollera uppsägningen och rätta fakturan."
            }
            (Some(HandoffReason::BillingDispute), false) => {
                "Now: the customer cancelled the service but is still billed; check the cancellation and correct the invoice."
            }
            (Some(HandoffReason::NeedsPerson), true) => "Nu: ärendet ska avgöras av en person.",
            (Some(HandoffReason::NeedsPerson), false) => "Now: the case needs a person's decision.",
            (Some(HandoffReason::CallbackRequest), true) => "Nu: kunden vill bli uppringd.",
            (Some(HandoffReason::CallbackRequest), false) => "Now: the customer wants to be called.",
            (Some(HandoffReason::Withdrawal), true) => {
                "Nu: pröva ångerrätten och bekräfta den för kunden, eller bestrid den med skälet i anteckningen."
            }
            (Some(HandoffReason::Withdrawal), false) => {
                "Now: check the withdrawal and confirm it to the customer, or dispute it with the reason in the note."
            }
            (None, true) => "Nu: kunden behöver hjälp av en person.",
            (None, false) => "Now: the customer needs a person's help.",
        }
        .to_owned(),
    );
    if let Some((phone, from, to)) = facts.callback {
        let shown = PhoneNumber::parse("phone", phone)
            .map(|p| p.display())
            .unwrap_or_else(|_| phone.to_owned());
        let window = from.window_phrase(to, locale);
        sentences.push(if sv {
            format!("Ring upp kunden på {shown} {window} (svensk tid).")
        } else {
            format!("Call the customer on {shown} {window} (Swedish time).")
        });
    }
    sentences.join(" ")
}

/// "Nämnt: bredband; router, iPhone 13; felkod 651; postnummer 123 45."
fn details_sentence(locale: Locale, details: &CaseDetails) -> String {
    let sv = locale == Locale::Sv;
    let mut parts: Vec<String> = Vec::new();
    if !details.products.is_empty() {
        parts.push(details.products.join(", "));
    }
    if !details.devices.is_empty() {
        parts.push(details.devices.join(", "));
    }
    if !details.error_codes.is_empty() {
        let label = match (sv, details.error_codes.len()) {
            (true, 1) => "felkod",
            (true, _) => "felkoder",
            (false, 1) => "error code",
            (false, _) => "error codes",
        };
        parts.push(format!("{label} {}", details.error_codes.join(", ")));
    }
    if let Some(postcode) = &details.postcode {
        parts.push(format!(
            "{} {postcode}",
            if sv { "postnummer" } else { "postcode" }
        ));
    }
    if sv {
        format!("Nämnt: {}.", parts.join("; "))
    } else {
        format!("Mentioned: {}.", parts.join("; "))
    }
}

/// The line above a leaving customer's case: what they sent (or want), and that nothing may
/// be sold to them.
pub fn leaving_banner(
    locale: Locale,
    sent: Option<(&str, RequestKind)>,
    wants: RequestKind,
) -> String {
    use RequestKind::{Cancellation, Withdrawal};
    match (locale, sent, wants) {
        (Locale::Sv, Some((r, Cancellation)), _) => {
            format!("Kunden har sagt upp skriftligt ({r}). Ge inga erbjudanden.")
        }
        (Locale::Sv, Some((r, Withdrawal)), _) => {
            format!("Kunden har ångrat avtalet skriftligt ({r}). Ge inga erbjudanden.")
        }
        (Locale::Sv, None, Cancellation) => "Kunden vill säga upp. Hänvisa till den skriftliga \
                                             uppsägningen här i chatten och ge inga erbjudanden."
            .to_owned(),
        (Locale::Sv, None, Withdrawal) => "Kunden vill ångra ett avtal (ångerrätt). Hänvisa till \
                                           formuläret Ångra avtalet här i chatten och ge inga \
                                           erbjudanden."
            .to_owned(),
        (Locale::En, Some((r, Cancellation)), _) => {
            format!("The customer has cancelled in writing ({r}). Make no offers.")
        }
        (Locale::En, Some((r, Withdrawal)), _) => {
            format!(
                "The customer has withdrawn from the contract in writing ({r}). Make no offers."
            )
        }
        (Locale::En, None, Cancellation) => "The customer wants to cancel. Point them to the \
                                             written cancellation in this chat and make no offers."
            .to_owned(),
        (Locale::En, None, Withdrawal) => "The customer wants to withdraw from a contract. Point \
                                           them to the withdrawal form in this chat and make no \
                                           offers."
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steps() -> Vec<StepTried> {
        vec![
            StepTried {
                guide_id: "router-restart-sv".into(),
                step: 1,
                title: "Starta om routern".into(),
                outcome: StepOutcome::Failed,
                said: Some("gjorde det, ingen skillnad".into()),
            },
            StepTried {
                guide_id: "router-restart-sv".into(),
                step: 2,
                title: "Kontrollera kablarna".into(),
                outcome: StepOutcome::Skipped,
                said: None,
            },
        ]
    }

    #[test]
    fn a_summary_says_what_was_asked_understood_tried_and_wanted() {
        let steps = steps();
        let later = vec![Later {
            intent: Intent::InvoiceQuestion,
            guide_id: None,
            said: Some("fakturan är för hög".to_owned()),
            paused_at: None,
        }];
        let facts = CaseFacts {
            first_words: Some("nätet e nere sen i morse"),
            intent: Some((Intent::BroadbandDown, 0.923)),
            steps_tried: &steps,
            reason: Some(HandoffReason::CustomerRequest),
            later: &later,
            ..CaseFacts::default()
        };
        assert_eq!(
            summarise(Locale::Sv, &facts),
            "Kunden skrev först: ”nätet e nere sen i morse”. Boten tolkade ärendet som: internet \
             fungerar inte (broadband_down, 92 %). Prövade steg: Starta om routern (hjälpte \
             inte: ”gjorde det, ingen skillnad”), Kontrollera kablarna (hoppades över). Kunden \
             nämnde också: faktura (”fakturan är för hög”). Nu: kunden vill prata med en \
             person."
        );
        let english = summarise(Locale::En, &facts);
        assert!(
            english.contains("Starta om routern (did not help: \"gjorde det, ingen skillnad\")")
        );
        assert!(english.contains("The customer also mentioned: invoice (\"fakturan är för hög\")."));
    }

    #[test]
    fn a_cancellation_comes_first_and_nothing_is_invented() {
        let facts = CaseFacts {
            reason: Some(HandoffReason::WrittenCancellation),
            cancellation: Some(("SU-261201-7K4Q9M", "Bredband 250/100", None)),
            ..CaseFacts::default()
        };
        let summary = summarise(Locale::Sv, &facts);
        assert!(summary.starts_with("Skriftlig uppsägning SU-261201-7K4Q9M"));
        assert!(summary.contains("Inga steg har prövats."));
        assert!(!summary.contains("Boten tolkade"), "no intent was given");
    }

    #[test]
    fn long_first_words_are_cut_with_an_ellipsis() {
        let long = "å".repeat(400);
        let quoted = quote(&long);
        assert_eq!(quoted.chars().count(), QUOTE_CHARS + 1);
        assert!(quoted.ends_with('…'));
    }
}
