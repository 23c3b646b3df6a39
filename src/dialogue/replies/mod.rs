//! The reply catalogue: every sentence the bot itself can say, in Swedish and English.
//!
//! Kept in one place so that a policy test can read all of it (no sales language, no
//! condescension) and so that translators see each Swedish line next to its English one.

use super::{Action, ActionButton, LabelledPart, Later, StepParts, Topic};
use crate::domain::{Intent, Locale};

/// Declares lines that take no values: each becomes a method giving its Swedish or English
/// text, and every one of them is listed in the named constant, so the policy tests read a new
/// line the moment it is written.
macro_rules! fixed_lines {
    (
        const $all:ident;
        $( $(#[$doc:meta])* $name:ident: $sv:expr, $en:expr; )+
    ) => {
        impl Replies {
            $(
                $(#[$doc])*
                pub fn $name(&self, locale: Locale) -> &'static str {
                    pick(locale, $sv, $en)
                }
            )+

            /// Every line declared here, Swedish and English.
            pub(super) const $all: &'static [(&'static str, &'static str)] = &[$(($sv, $en)),+];
        }
    };
}

mod way_out;

/// "a", "a och b", "a, b och c".
fn join_and<S: AsRef<str>>(items: &[S], and: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_owned(),
        [init @ .., last] => {
            let init: Vec<&str> = init.iter().map(AsRef::as_ref).collect();
            format!("{} {and} {}", init.join(", "), last.as_ref())
        }
    }
}

/// Picks the Swedish or English variant of a line.
fn pick(locale: Locale, sv: &'static str, en: &'static str) -> &'static str {
    match locale {
        Locale::Sv => sv,
        Locale::En => en,
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Replies;

impl Replies {
    pub fn topic_prompt(&self, locale: Locale, topic: Topic) -> &'static str {
        match topic {
            Topic::Broadband => pick(
                locale,
                "Okej, bredband och wifi. Berätta kort vad som händer, till exempel ”internet \
                 fungerar inte alls”, ”det går långsamt” eller ”wifi når inte till sovrummet”. \
                 Skriv gärna också om någon lampa på routern lyser rött eller blinkar.",
                "Okay, broadband and Wi-Fi. Tell me briefly what's happening, for example \
                 \"the internet doesn't work at all\", \"it's slow\" or \"the Wi-Fi doesn't \
                 reach the bedroom\". It also helps to know if a light on the router is red or \
                 blinking.",
            ),
            Topic::Tv => pick(
                locale,
                "Okej, tv. Vad ser du på skärmen? Till exempel ”ingen signal”, ”kanaler saknas” \
                 eller ”bilden fryser”.",
                "Okay, TV. What do you see on the screen? For example \"no signal\", \"channels \
                 are missing\" or \"the picture freezes\".",
            ),
            Topic::Mobile => pick(
                locale,
                "Okej, mobil. Vad är det som inte fungerar? Till exempel ”ingen täckning”, \
                 ”mobildata fungerar inte” eller ”SIM-kortet är låst”.",
                "Okay, mobile. What isn't working? For example \"no coverage\", \"mobile data \
                 doesn't work\" or \"my SIM card is locked\".",
            ),
            Topic::Billing => pick(
                locale,
                "Okej, faktura och betalning. Vad gäller det? Till exempel ”fakturan är högre än \
                 vanligt”, ”jag har fått en påminnelse fast jag har betalat” eller ”jag vill \
                 betala med autogiro”.",
                "Okay, invoices and payment. What is it about? For example \"my invoice is \
                 higher than usual\", \"I got a reminder although I've paid\" or \"I want to pay \
                 by direct debit\".",
            ),
        }
    }

    /// How the bot names an understood problem inside a sentence.
    pub fn intent_phrase(&self, locale: Locale, intent: Intent) -> &'static str {
        let (sv, en) = match intent {
            Intent::BroadbandDown => ("att internet inte fungerar", "your internet not working"),
            Intent::BroadbandSlow => ("långsamt internet", "slow internet"),
            Intent::WifiProblem => ("problem med wifi", "a Wi-Fi problem"),
            Intent::TvProblem => ("problem med tv:n", "a TV problem"),
            Intent::MobileCoverage => ("täckningen i mobilen", "mobile coverage"),
            Intent::MobileData => ("mobildata som inte fungerar", "mobile data not working"),
            Intent::SimPinPuk => ("SIM-kortet, PIN eller PUK", "your SIM card, PIN or PUK"),
            Intent::EmailLogin => ("din e-post", "your e-mail"),
            Intent::VoipLandline => ("den fasta telefonin", "your landline"),
            Intent::OutageStatus => ("en driftstörning", "an outage"),
            Intent::InvoiceQuestion => ("din faktura", "your invoice"),
            Intent::PaymentMethod => ("hur du betalar", "how you pay"),
            Intent::Compensation => ("ersättning", "compensation"),
            Intent::MoveAddress => ("en flytt", "moving home"),
            Intent::ChangeSubscription => {
                ("att ändra ditt abonnemang", "changing your subscription")
            }
            Intent::Complaint => ("ett klagomål", "a complaint"),
            Intent::CaseStatus => (
                "ett ärende du redan har hos oss",
                "a case you already have with us",
            ),
            _ => ("din fråga", "your question"),
        };
        pick(locale, sv, en)
    }

    /// For an understood problem the bot has no guide for: say what was understood and offer
    /// a person, rather than guess.
    pub fn needs_a_person(&self, locale: Locale, intent: Intent) -> String {
        let phrase = self.intent_phrase(locale, intent);
        match locale {
            Locale::Sv => format!(
                "Jag förstår att det gäller {phrase}. Det är bäst att en kollega hjälper dig med \
                 det, så att du får rätt svar direkt. Vill du att jag kopplar dig vidare? Allt du \
                 har skrivit följer med, så du behöver inte börja om."
            ),
            Locale::En => format!(
                "I understand this is about {phrase}. A colleague is best placed to help you \
                 with that, so you get the right answer straight away. Shall I put you through? \
                 Everything you've written goes with you, so you won't have to start over."
            ),
        }
    }

    /// Said before handing over when the customer feels the bot is failing them.
    /// Compensation claims and formal complaints: a person decides, so one takes over at once.
    pub fn person_decides(&self, locale: Locale, intent: Intent) -> String {
        let phrase = self.intent_phrase(locale, intent);
        match locale {
            Locale::Sv => format!(
                "Jag förstår att det gäller {phrase}. Det är något en kollega på kundtjänsten \
                 tar hand om, så jag kopplar dig vidare direkt. Allt du har skrivit följer med. \
                 Skriv gärna under tiden vad som har hänt och när, så kan hen börja direkt."
            ),
            Locale::En => format!(
                "I understand this is about {phrase}. That's something a colleague in customer \
                 service handles, so I'm passing you on straight away. Everything you've written \
                 goes with you. While you wait, feel free to write what happened and when, so \
                 they can get started right away."
            ),
        }
    }

    /// Questions about the chat itself.
    pub fn chat_request(&self, locale: Locale, request: super::ChatRequest) -> &'static str {
        use super::ChatRequest::*;
        match request {
            TranscriptCopy => pick(
                locale,
                "Ja, du kan spara hela konversationen när du vill med knappen Spara \
                 konversationen i chatten. Den laddas ner som en fil med allt vi har skrivit, \
                 med datum och tid, så du har den som underlag.",
                "Yes, you can save the whole conversation whenever you like with the Save \
                 conversation button in the chat. It downloads as a file with everything we've \
                 written, with dates and times, so you have it as a record.",
            ),
            EmailTranscript => pick(
                locale,
                "Jag kan inte skicka chatten med e-post, men du kan spara hela konversationen \
                 med knappen Spara konversationen och sedan mejla eller skriva ut filen själv. \
                 Skickar du en skriftlig uppsägning får du kvittot på e-post om du anger din \
                 adress.",
                "I can't send the chat by email, but you can save the whole conversation with \
                 the Save conversation button and then email or print the file yourself. If you \
                 send a written cancellation, you'll get the receipt by email when you give \
                 your address.",
            ),
            Robot => pick(
                locale,
                "Jag är en automatisk chattassistent, inte en människa. Vill du hellre prata med \
                 en person går det bra när som helst: välj Prata med en människa.",
                "I'm an automated chat assistant, not a person. If you'd rather talk to a \
                 person, that's fine at any time: choose Talk to a person.",
            ),
            Languages => pick(
                locale,
                "Jag förstår och svarar på svenska och engelska (I answer in Swedish and \
                 English). Skriver du hellre på ett annat språk kan en kollega hjälpa dig: välj \
                 Prata med en människa.",
                "I understand and answer in English and Swedish (jag svarar på svenska och \
                 engelska). If you'd rather write in another language, a colleague can help \
                 you: choose Talk to a person.",
            ),
            OpeningHours => pick(
                locale,
                "Chatten här är öppen dygnet runt, och en kollega svarar i chatten så snart \
                 någon är ledig.",
                "This chat is open around the clock, and a colleague answers in the chat as \
                 soon as someone is free.",
            ),
        }
    }

    /// Written in a language the bot does not speak: said in both of the bot's languages.
    pub fn only_swedish_and_english(&self) -> &'static str {
        "Tyvärr förstår jag bara svenska och engelska. Sorry, I only understand Swedish and \
         English. Välj Prata med en människa så hjälper en kollega dig / Choose Talk to a \
         person and a colleague will help you."
    }

    /// Told to the customer when an agent takes the conversation.
    pub fn agent_joined(&self, locale: Locale, agent_name: &str) -> String {
        match locale {
            Locale::Sv => format!(
                "{agent_name} på kundtjänsten har tagit över och har läst allt du har skrivit. \
                 Du svarar här i chatten som vanligt."
            ),
            Locale::En => format!(
                "{agent_name} from customer service has taken over and has read everything you \
                 wrote. Just reply here in the chat as usual."
            ),
        }
    }

    /// The customer's place in the queue, and an estimate only when recent waits allow one.
    pub fn queue_standing(&self, locale: Locale, position: u32, minutes: Option<u32>) -> String {
        let place = match (locale, position) {
            (Locale::Sv, 1) => "Du är först i kön.".to_owned(),
            (Locale::Sv, n) => format!("Du är nummer {n} i kön."),
            (Locale::En, 1) => "You are first in the queue.".to_owned(),
            (Locale::En, n) => format!("You are number {n} in the queue."),
        };
        let wait = match (locale, minutes) {
            (Locale::Sv, Some(1)) => {
                "Den senaste tiden har det tagit omkring en minut innan en kollega svarat."
                    .to_owned()
            }
            (Locale::Sv, Some(m)) => format!(
                "Den senaste tiden har det tagit omkring {m} minuter innan en kollega svarat."
            ),
            (Locale::Sv, None) => "Vi kan inte säga hur lång väntetiden är just nu. Svaret \
                                   kommer här i chatten, så du kan komma tillbaka hit."
                .to_owned(),
            (Locale::En, Some(1)) => {
                "Lately it has taken about a minute for a colleague to reply.".to_owned()
            }
            (Locale::En, Some(m)) => {
                format!("Lately it has taken about {m} minutes for a colleague to reply.")
            }
            (Locale::En, None) => "We can't say how long the wait is right now. The reply \
                                   will appear here in the chat, so you can come back to it."
                .to_owned(),
        };
        format!("{place} {wait}")
    }

    /// Told to the customer when their case moves to colleagues who know the area better.
    pub fn moved_to_queue(&self, locale: Locale, queue: crate::domain::Queue) -> String {
        use crate::domain::Queue;
        let (sv, en) = match queue {
            Queue::Technical => ("teknik", "technical questions"),
            Queue::Billing => ("fakturor och betalningar", "invoices and payments"),
            Queue::Cancellation => ("uppsägningar", "cancellations"),
            Queue::General => ("kundservice", "customer service"),
        };
        match locale {
            Locale::Sv => format!(
                "Din fråga har gått vidare till kollegorna som arbetar med {sv}. Allt du har \
                 skrivit följer med, så du behöver inte berätta något igen."
            ),
            Locale::En => format!(
                "Your question has gone to the colleagues who handle {en}. Everything you have \
                 written goes with it, so you won't need to explain anything again."
            ),
        }
    }

    /// Told to the customer when an agent hands the case back to its queue unfinished.
    pub fn handed_back(&self, locale: Locale) -> String {
        match locale {
            Locale::Sv => "Din fråga väntar nu på nästa lediga kollega. Allt du har skrivit \
                           följer med, så du behöver inte berätta något igen."
                .to_owned(),
            Locale::En => "Your question is now waiting for the next free colleague. Everything \
                           you have written goes with it, so you won't need to explain anything \
                           again."
                .to_owned(),
        }
    }

    /// Told to the customer when an agent closes their case; the bot answers again after.
    pub fn case_closed(&self, locale: Locale, agent_name: &str) -> String {
        match locale {
            Locale::Sv => format!(
                "{agent_name} har avslutat ärendet. Om du behöver mer hjälp kan du skriva här \
                 igen när du vill."
            ),
            Locale::En => format!(
                "{agent_name} has closed the case. If you need more help, you can write here \
                 again whenever you like."
            ),
        }
    }

    /// Told to the customer when they asked to withdraw their cancellation and it was.
    pub fn cancellation_withdrawn(&self, locale: Locale, reference: &str) -> String {
        match locale {
            Locale::Sv => format!(
                "Som du bad om är uppsägningen {reference} återkallad, och abonnemanget \
                 fortsätter som tidigare. Du kan säga upp skriftligt här igen när du vill."
            ),
            Locale::En => format!(
                "As you asked, cancellation {reference} has been withdrawn and your \
                 subscription continues as before. You can cancel in writing here again \
                 whenever you like."
            ),
        }
    }

    pub fn action_label(&self, locale: Locale, action: Action) -> &'static str {
        match action {
            Action::Topic(Topic::Broadband) => {
                pick(locale, "Bredband och wifi", "Broadband and Wi-Fi")
            }
            Action::Topic(Topic::Tv) => pick(locale, "Tv", "TV"),
            Action::Topic(Topic::Mobile) => pick(locale, "Mobil", "Mobile"),
            Action::Topic(Topic::Billing) => {
                pick(locale, "Faktura och betalning", "Invoices and payment")
            }
            Action::WrittenCancellation => pick(locale, "Säg upp skriftligt", "Cancel in writing"),
            Action::OnBehalfCancellation => {
                pick(locale, "Säg upp åt någon annan", "Cancel for someone else")
            }
            Action::Withdrawal => pick(
                locale,
                "Ångra avtalet här",
                "Withdraw from the contract here",
            ),
            Action::TalkToHuman => pick(locale, "Prata med en människa", "Talk to a person"),
            Action::StepWorked => pick(locale, "Det fungerade", "It worked"),
            Action::StepFailed => pick(locale, "Det fungerade inte", "It didn't work"),
            Action::StepSkipped => pick(
                locale,
                "Jag kan inte göra det här steget",
                "I can't do this step",
            ),
            Action::TroubleshootAnyway => pick(locale, "Felsök ändå", "Troubleshoot anyway"),
            Action::ContinueTroubleshooting => pick(
                locale,
                "Fortsätt felsöka i stället",
                "Keep troubleshooting instead",
            ),
            Action::RequestCallback => pick(locale, "Bli uppringd i stället", "Call me instead"),
            Action::TakeUpLater => pick(locale, "Ja, ta det nu", "Yes, let's do that"),
        }
    }

    /// Confirms a call-back request, with the number and window as the customer gave them.
    pub fn callback_confirmed(&self, locale: Locale, phone: &str, window: &str) -> String {
        match locale {
            Locale::Sv => format!(
                "Tack! En kollega ringer dig på {phone} {window} (svensk tid). Allt du har \
                 skrivit här finns med i ärendet, och du kan fortsätta skriva så länge. Vill du \
                 ändra tiden eller numret skickar du bara en ny förfrågan."
            ),
            Locale::En => format!(
                "Thank you! A colleague will call you on {phone} {window} (Swedish time). \
                 Everything you've written here is part of the case, and you can keep writing \
                 meanwhile. To change the time or number, just send a new request."
            ),
        }
    }

    pub fn button(&self, locale: Locale, action: Action) -> ActionButton {
        ActionButton {
            id: action.id(),
            kind: action.kind(),
            label: self.action_label(locale, action).to_owned(),
        }
    }

    /// Opens a guide the first time in a conversation.
    pub fn guide_intro(&self, locale: Locale, summary: &str) -> String {
        match locale {
            Locale::Sv => format!(
                "Det här brukar gå att lösa, och vi tar det ett steg i taget. {summary} Svara \
                 med knapparna under varje steg."
            ),
            Locale::En => format!(
                "This can usually be sorted out, and we'll take it one step at a time. \
                 {summary} Answer with the buttons under each step."
            ),
        }
    }

    /// When a failed step leads on to another guide.
    pub fn next_guide_intro(&self, locale: Locale, title: &str) -> String {
        match locale {
            Locale::Sv => format!("Då går vi vidare med nästa sak att prova: {title}."),
            Locale::En => format!("Then let's move on to the next thing to try: {title}."),
        }
    }

    /// One step, written out in full, with the company's facts as `company` sets them.
    pub fn step_card(
        &self,
        locale: Locale,
        number: usize,
        total: usize,
        step: &crate::knowledge::Step,
        company: &crate::company::CompanyProfile,
    ) -> StepParts {
        let (heading, note, expected, more) = match locale {
            Locale::Sv => (
                format!("Steg {number} av {total}: {}", step.title),
                "Obs!",
                "Så ser du att det fungerade:",
                "Läs mer:",
            ),
            Locale::En => (
                format!("Step {number} of {total}: {}", step.title),
                "Please note:",
                "You'll know it worked when:",
                "More information:",
            ),
        };
        let shown = step.shown(company);
        StepParts {
            lead: None,
            heading,
            instruction: shown.instruction,
            warning: shown.warning.map(|w| LabelledPart::new(note, &w)),
            expected: LabelledPart::new(expected, &shown.expected.unwrap_or_default()),
            link: shown.link.map(|l| LabelledPart::new(more, &l)),
        }
    }

    pub fn step_worked(&self, locale: Locale) -> String {
        let more = pick(
            locale,
            "Är det något mer jag kan hjälpa dig med?",
            "Is there anything else I can help you with?",
        );
        format!("{} {more}", self.glad_it_works(locale))
    }

    /// A guide ended well, and the customer raised another problem with the first: asked
    /// whether to take it up now, in the customer's words when they are short enough.
    pub fn worked_and_next(&self, locale: Locale, next: &Later) -> String {
        let next = self.other_problem(locale, next);
        match locale {
            Locale::Sv => format!(
                "{} Du skrev också {next}. Ska vi ta det nu?",
                self.glad_it_works(locale)
            ),
            Locale::En => format!(
                "{} You also wrote {next}. Shall we look at that now?",
                self.glad_it_works(locale)
            ),
        }
    }

    /// Another problem as the bot names it: the customer's own words quoted, or what it is
    /// about.
    pub fn other_problem(&self, locale: Locale, later: &Later) -> String {
        match (&later.said, locale) {
            (Some(said), Locale::Sv) => format!("”{said}”"),
            (Some(said), Locale::En) => format!("“{said}”"),
            (None, Locale::Sv) => format!("om {}", self.intent_phrase(locale, later.intent)),
            (None, Locale::En) => format!("about {}", self.intent_phrase(locale, later.intent)),
        }
    }

    /// Before the first guide, when a message raised more than one problem.
    pub fn one_at_a_time(&self, locale: Locale, others: &[Later]) -> String {
        let named = self.other_problems(locale, others);
        match locale {
            Locale::Sv => format!(
                "Du skriver också {named}. Vi tar en sak i taget: först det här, sedan det andra."
            ),
            Locale::En => format!(
                "You also wrote {named}. Let's take one thing at a time: this first, then the other."
            ),
        }
    }

    /// Other problems named beside a handoff: the colleague sees them too.
    pub fn seen_by_the_colleague_too(&self, locale: Locale, others: &[Later]) -> String {
        let named = self.other_problems(locale, others);
        match locale {
            Locale::Sv => format!(
                "Kollegan ser också att du skrev {named}, och kan ta hjälp av teknik om det behövs."
            ),
            Locale::En => format!(
                "They'll also see that you wrote {named}, and can bring in technical support if needed."
            ),
        }
    }

    /// Several other problems as the bot names them, joined: "”a”, ”b” och ”c”".
    fn other_problems(&self, locale: Locale, others: &[Later]) -> String {
        let named: Vec<String> = others
            .iter()
            .map(|l| self.other_problem(locale, l))
            .collect();
        let and = match locale {
            Locale::Sv => "och",
            Locale::En => "and",
        };
        join_and(&named, and)
    }

    /// Steps passed by because the customer has already told what they check.
    pub fn already_told(&self, locale: Locale, titles: &[&str]) -> String {
        let quoted: Vec<String> = titles
            .iter()
            .map(|t| match locale {
                Locale::Sv => format!("”{t}”"),
                Locale::En => format!("“{t}”"),
            })
            .collect();
        match locale {
            Locale::Sv => format!(
                "Det du har skrivit svarar redan på {}, så det hoppar vi över.",
                join_and(&quoted, "och")
            ),
            Locale::En => format!(
                "What you've written already answers {}, so we'll skip that.",
                join_and(&quoted, "and")
            ),
        }
    }

    pub fn step_reminder(&self, locale: Locale, number: usize, title: &str) -> String {
        match locale {
            Locale::Sv => format!(
                "Vi håller på med steg {number}: {title}. Fungerade det? Svara med knapparna \
                 här nedanför, eller beskriv med egna ord vad som händer."
            ),
            Locale::En => format!(
                "We're on step {number}: {title}. Did it work? Use the buttons below, or tell \
                 me in your own words what's happening."
            ),
        }
    }

    pub fn ask_postcode(&self, locale: Locale, service: &str) -> String {
        match locale {
            Locale::Sv => format!(
                "Innan vi felsöker vill jag kolla om det finns en känd störning för {service} där \
                 du bor. Vilket postnummer har adressen? Till exempel 123 45."
            ),
            Locale::En => format!(
                "Before we troubleshoot, let me check for a known problem with {service} where \
                 you live. What is the postcode of the address? For example 123 45."
            ),
        }
    }

    pub fn no_outage_at(&self, locale: Locale, postcode: &str) -> String {
        match locale {
            Locale::Sv => format!("Jag hittar ingen känd störning vid {postcode}."),
            Locale::En => format!("I can't find any known problem at {postcode}."),
        }
    }

    /// A known outage, told before any restart is suggested.
    pub fn outage_notice(
        &self,
        locale: Locale,
        service: &str,
        postcode: &str,
        message: &str,
        started: &str,
        expected_end: Option<&str>,
    ) -> String {
        match locale {
            Locale::Sv => {
                let end = expected_end.map_or_else(
                    || "Vi vet ännu inte när den är åtgärdad.".to_owned(),
                    |end| format!("Den beräknas vara åtgärdad {end}."),
                );
                format!(
                    "Det finns en känd driftstörning för {service} i området kring {postcode}: \
                     {message}\n\nStörningen började {started}. {end} Felet ligger hos oss, så \
                     du behöver inte starta om något hemma. Det börjar fungera igen när \
                     störningen är åtgärdad. Vill du ändå kontrollera din egen utrustning kan vi \
                     göra det."
                )
            }
            Locale::En => {
                let end = expected_end.map_or_else(
                    || "We don't know yet when it will be fixed.".to_owned(),
                    |end| format!("It is expected to be fixed by {end}."),
                );
                format!(
                    "There is a known outage affecting {service} around {postcode}: \
                     {message}\n\nIt started {started}. {end} The fault is on our side, so you \
                     don't need to restart anything at home. It will work again once the outage \
                     is fixed. If you'd still like to check your own equipment, we can do that."
                )
            }
        }
    }

    /// The receipt of a written cancellation: everything that was sent, the reference and the
    /// time, and the notice-period facts, without pressure.
    /// What the customer filled in, one labelled line per field, as both the review and the
    /// receipt show it.
    fn cancellation_fields(locale: Locale, form: &crate::domain::CancellationForm) -> Vec<String> {
        let (labels, asap) = match locale {
            Locale::Sv => (
                [
                    "Abonnemang",
                    "Namn",
                    "Kundnummer",
                    "E-post",
                    "Önskat slutdatum",
                    "Meddelande",
                ],
                "så snart uppsägningstiden tillåter",
            ),
            Locale::En => (
                [
                    "Subscription",
                    "Name",
                    "Customer number",
                    "E-mail",
                    "Requested end date",
                    "Message",
                ],
                "as soon as the notice period allows",
            ),
        };
        let mut lines = vec![
            format!("{}: {}", labels[0], form.service),
            format!("{}: {}", labels[1], form.full_name.as_str()),
        ];
        if let Some(on_behalf) = &form.on_behalf {
            let (holder, writes_as) = match locale {
                Locale::Sv => ("Kontoinnehavare", "Säger upp"),
                Locale::En => ("Account holder", "Cancelling as"),
            };
            lines.push(format!("{holder}: {}", on_behalf.holder_name.as_str()));
            lines.push(format!(
                "{writes_as}: {}",
                Replies.relation_label(locale, on_behalf.relation)
            ));
        }
        if let Some(number) = &form.customer_number {
            lines.push(format!("{}: {}", labels[2], number.as_str()));
        }
        if let Some(email) = &form.email {
            lines.push(format!("{}: {}", labels[3], email.as_str()));
        }
        lines.push(format!(
            "{}: {}",
            labels[4],
            form.end_date_text().unwrap_or_else(|| asap.to_owned())
        ));
        if let Some(comment) = &form.comment {
            lines.push(format!("{}: {comment}", labels[5]));
        }
        lines
    }

    pub fn cancellation_receipt(
        &self,
        locale: Locale,
        reference: &str,
        received: &str,
        form: &crate::domain::CancellationForm,
    ) -> String {
        let body = pick(
            locale,
            "Vi har tagit emot din uppsägning. Du behöver inte göra något mer: en kollega \
             behandlar den och bekräftar slutdatumet skriftligt. Uppsägningstiden för ett \
             abonnemang är högst en månad. Har du en bindningstid som inte har löpt ut kan \
             abonnemanget gälla tills den tar slut; då står det i bekräftelsen. Spara gärna \
             det här kvittot.",
            "We have received your cancellation. You don't need to do anything more: a \
             colleague will process it and confirm the end date in writing. The notice \
             period for a subscription is at most one month. If you have a minimum term \
             that hasn't ended, the subscription may run until it does; the confirmation \
             will say so. Please keep this receipt.",
        );
        let mut lines = Self::receipt_head(locale, reference, received);
        lines.extend(Self::cancellation_fields(locale, form));
        lines.push(String::new());
        lines.push(body.to_owned());
        lines.join("\n")
    }

    /// The e-mail copy of a receipt: the reference and time, and nothing the form's sender
    /// wrote, since anyone can type any address into the form and the mail comes from us.
    pub fn cancellation_mail_body(
        &self,
        locale: Locale,
        reference: &str,
        received: &str,
    ) -> String {
        let body = pick(
            locale,
            "Vi har tagit emot en skriftlig uppsägning i vår chatt där den här e-postadressen \
             angavs. Hela kvittot, med det som skrevs i formuläret, finns i chatten och kan \
             laddas ner där. En kollega behandlar uppsägningen och bekräftar slutdatumet \
             skriftligt. Har du inte skickat någon uppsägning kan du bortse från det här \
             meddelandet; ange referensen om du kontaktar oss.",
            "We have received a written cancellation in our chat where this e-mail address \
             was given. The whole receipt, with what was written in the form, is in the chat \
             and can be downloaded there. A colleague will process the cancellation and \
             confirm the end date in writing. If you did not send a cancellation, you can \
             ignore this message; quote the reference if you contact us.",
        );
        let mut lines = Self::receipt_head(locale, reference, received);
        lines.push(String::new());
        lines.push(body.to_owned());
        lines.join("\n")
    }

    /// The subject of the e-mail copy of a cancellation receipt.
    pub fn cancellation_mail_subject(&self, locale: Locale, reference: &str) -> String {
        match locale {
            Locale::Sv => format!("Kvitto på din uppsägning ({reference})"),
            Locale::En => format!("Receipt for your cancellation ({reference})"),
        }
    }

    /// A receipt's title, reference and time, the same in the chat and in the mail.
    fn receipt_head(locale: Locale, reference: &str, received: &str) -> Vec<String> {
        let (title, reference_label, received_label) = match locale {
            Locale::Sv => ("Kvitto på skriftlig uppsägning", "Referens", "Mottagen"),
            Locale::En => (
                "Receipt for your written cancellation",
                "Reference",
                "Received",
            ),
        };
        vec![
            title.to_owned(),
            String::new(),
            format!("{reference_label}: {reference}"),
            format!("{received_label}: {received}"),
        ]
    }

    /// What the customer confirms before the final submit: every field as it will be sent.
    pub fn cancellation_review(
        &self,
        locale: Locale,
        form: &crate::domain::CancellationForm,
    ) -> String {
        let (intro, outro) = match locale {
            Locale::Sv => (
                "Kontrollera uppgifterna innan du skickar:",
                "Stämmer allt? När du bekräftar skickas uppsägningen och du får ett kvitto med \
                 referensnummer. Vill du ändra något kan du göra det först.",
            ),
            Locale::En => (
                "Please check the details before sending:",
                "Is everything right? When you confirm, the cancellation is sent and you get a \
                 receipt with a reference number. If you want to change something, you can do \
                 that first.",
            ),
        };
        let mut lines = vec![intro.to_owned(), String::new()];
        lines.extend(Self::cancellation_fields(locale, form));
        lines.push(String::new());
        lines.push(outro.to_owned());
        lines.join("\n")
    }

    /// Every line in the catalogue, the templates filled with sample values, for policy
    /// tests that read all of it.
    pub fn all_lines(&self) -> Vec<String> {
        let day = time::macros::date!(2026 - 12 - 01);
        let form = crate::domain::CancellationForm::parse(
            crate::domain::CancellationFields {
                service: Some("Bredband 250/100"),
                full_name: Some("Anna Svensson"),
                customer_number: Some("123456"),
                email: Some("anna@example.se"),
                end_date: Some("2026-12-31"),
                comment: Some("Vi flyttar."),
                holder_name: Some("Karl Svensson"),
                relation: Some("estate"),
            },
            day,
        )
        .expect("a valid sample form");
        let step = crate::knowledge::Step {
            title: "Titel".into(),
            instruction: "Gör så här.".into(),
            warning: Some("Varning.".into()),
            expected: "Lampan lyser.".into(),
            on_failure: crate::knowledge::OnFailure::Next,
            link: Some(crate::company::LinkRef::Named("my_pages".into())),
            rules_out: Vec::new(),
        };
        let company = crate::company::CompanyProfile::shipped()
            .with_link("my_pages", "https://www.operatoren.se/mina-sidor")
            .expect("a valid sample link");
        let later = [
            Later {
                intent: Intent::WifiProblem,
                guide_id: None,
                said: None,
                paused_at: None,
            },
            Later {
                intent: Intent::InvoiceQuestion,
                guide_id: None,
                said: Some("fakturan är för hög".into()),
                paused_at: None,
            },
        ];
        let mut lines: Vec<String> = Vec::new();
        for locale in [Locale::Sv, Locale::En] {
            lines.extend(
                Self::FIXED_LINES
                    .iter()
                    .chain(Self::WAY_OUT_FIXED_LINES)
                    .map(|&(sv, en)| pick(locale, sv, en).to_owned()),
            );
            lines.push(self.only_swedish_and_english().to_owned());
            lines.extend(super::ChatRequest::ALL.map(|r| self.chat_request(locale, r).to_owned()));
            lines.extend(Topic::ALL.map(|t| self.topic_prompt(locale, t).to_owned()));
            lines.extend(Action::all().map(|a| self.action_label(locale, a).to_owned()));
            lines.extend(Intent::ALL.iter().flat_map(|intent| {
                [
                    self.needs_a_person(locale, *intent),
                    self.person_decides(locale, *intent),
                ]
            }));
            lines.push(self.already_told(locale, &["Titel", "Annan titel"]));
            lines.push(self.callback_confirmed(
                locale,
                "070-123 45 67",
                "den 2 december mellan kl. 14.00 och 16.00",
            ));
            lines.extend([
                self.step_worked(locale),
                self.worked_and_next(locale, &later[0]),
                self.worked_and_next(locale, &later[1]),
                self.one_at_a_time(locale, &later),
                self.seen_by_the_colleague_too(locale, &later),
                self.guide_intro(locale, "Sammanfattning."),
                self.next_guide_intro(locale, "Titel"),
                self.step_card(locale, 1, 3, &step, &company).text(),
                self.step_reminder(locale, 1, "Titel"),
                self.ask_postcode(locale, "bredband"),
                self.no_outage_at(locale, "123 45"),
                self.outage_notice(
                    locale,
                    "bredband",
                    "123 45",
                    "Fiberkabel av.",
                    "i dag",
                    None,
                ),
                self.cancellation_receipt(locale, "SU-261201-7K4Q9M", "i dag", &form),
                self.cancellation_review(locale, &form),
                self.cancellation_mail_subject(locale, "SU-261201-7K4Q9M"),
                self.cancellation_mail_body(locale, "SU-261201-7K4Q9M", "i dag"),
                self.agent_joined(locale, "Maria"),
                self.case_closed(locale, "Maria"),
                self.moved_to_queue(locale, crate::domain::Queue::Billing),
                self.queue_standing(locale, 1, None),
                self.queue_standing(locale, 3, Some(1)),
                self.queue_standing(locale, 3, Some(12)),
                self.cancellation_withdrawn(locale, "SU-261201-7K4Q9M"),
            ]);
            lines.extend(self.way_out_lines(locale));
        }
        lines
    }
}

fixed_lines! {
    const FIXED_LINES;

    greeting:
        "Hej! Jag är Felsöks chattassistent och hjälper dig med bredband, wifi, tv, mobil och \
         fakturor. Skriv med egna ord vad som krånglar, så tar vi det steg för steg. Vill du \
         hellre prata med en människa går det bra när som helst, och du kan spara hela \
         konversationen om du vill ha den som underlag.",
        "Hi! I'm Felsök's chat assistant and I can help with broadband, Wi-Fi, TV, mobile \
         and invoices. Tell me in your own words what's wrong and we'll take it one step at \
         a time. If you'd rather talk to a person, just say so at any time, and you can save \
         the whole conversation for your records.";

    not_understood:
        "Förlåt, det där förstod jag inte riktigt. Välj det område som ligger närmast här \
         nedanför, eller beskriv med andra ord vad som har hänt.",
        "Sorry, I didn't quite understand that. Pick the closest area below, or describe \
         what happened in other words.";

    /// Something is wrong, but the customer has not said what.
    what_is_wrong:
        "Tråkigt att det krånglar! Berätta gärna lite mer, så hittar vi rätt: vad är det som \
         inte fungerar, och vad händer när du försöker? Du kan också välja ett område här \
         nedanför.",
        "Sorry to hear something's not working! Tell me a bit more so we find the right \
         help: what isn't working, and what happens when you try? You can also pick an area \
         below.";

    /// Two messages in a row the bot could not place: a person is offered first.
    still_not_understood:
        "Förlåt, jag förstår fortfarande inte vad du behöver hjälp med. Jag kan koppla dig \
         till en kollega direkt. Allt du har skrivit följer med, så du behöver inte börja \
         om. Du kan också välja ett område här nedanför.",
        "Sorry, I still don't understand what you need help with. I can put you through to \
         a colleague right away. Everything you've written goes with you, so you won't have \
         to start over. You can also pick an area below.";

    /// The second unclear message in a row: a person takes over rather than the bot guessing.
    unclear_twice:
        "Förlåt, jag förstår fortfarande inte riktigt vad du behöver hjälp med, och jag vill \
         inte gissa. Jag kopplar dig därför till en kollega på kundtjänsten. Allt du har \
         skrivit följer med, så du behöver inte börja om.",
        "Sorry, I still don't quite understand what you need help with, and I don't want \
         to guess. So I'm passing you on to a colleague in customer service. Everything \
         you've written goes with you, so you won't have to start over.";

    greeting_back:
        "Hej! Vad kan jag hjälpa dig med? Beskriv gärna med egna ord vad som krånglar.",
        "Hi! What can I help you with? Feel free to describe what's wrong in your own words.";

    outside_my_area:
        "Det kan jag tyvärr inte hjälpa till med. Jag svarar på frågor om bredband, wifi, tv, \
         mobil och fakturor. Välj ett område här nedanför eller skriv vad som krånglar.",
        "I'm afraid I can't help with that. I answer questions about broadband, Wi-Fi, TV, \
         mobile and invoices. Pick an area below or tell me what's wrong.";

    goodbye:
        "Tack själv! Skriv gärna igen om något mer krånglar. Vill du ha kvar det vi har \
         skrivit kan du spara konversationen.",
        "Thank you! Write again any time if something else is wrong. If you want to keep \
         what we've written, you can save the conversation.";

    sorry:
        "Förlåt, jag har inte förstått dig som jag borde.",
        "I'm sorry, I haven't understood you the way I should.";

    handing_over:
        "Jag kopplar dig vidare till en kollega på kundtjänsten. Allt du har skrivit här \
         följer med, så du behöver inte upprepa något. Skriv gärna under tiden om det är \
         något mer vi behöver veta.",
        "I'm passing you on to a colleague in customer service. Everything you've written \
         here goes with you, so you won't need to repeat anything. Feel free to add anything \
         else we should know while you wait.";

    /// The first sign that a customer is upset: heard in words, and a person offered.
    upset_heard:
        "Jag förstår att det här är frustrerande, och det är inte konstigt att du är less på \
         det. Vill du hellre prata med en person kan du välja det här nedanför, så kopplar \
         jag dig direkt. Annars hjälper jag dig vidare här.",
        "I understand this is frustrating, and it's no wonder you're fed up with it. If \
         you'd rather talk to a person, choose that below and I'll pass you on straight \
         away. Otherwise I'll keep helping you here.";

    /// Another sign, not sure enough for a person to take over unasked.
    upset_still:
        "Jag förstår att du är trött på det här. Säg till eller välj knappen nedanför om du \
         hellre vill prata med en person.",
        "I understand you're tired of this. Just say so, or use the button below, if you'd \
         rather talk to a person.";

    /// The second sign: no more trying, a person takes over.
    upset_again:
        "Förlåt att det här inte har hjälpt dig. Jag tar in en kollega nu, och hen ser allt \
         du har skrivit, så du behöver inte börja om.",
        "I'm sorry this hasn't helped you. I'm bringing in a colleague now, and they'll see \
         everything you've written, so you won't have to start over.";

    /// After the written way to cancel, to a customer who is upset: heard, with no attempt
    /// to keep them.
    upset_and_leaving:
        "Jag förstår att det har varit frustrerande, och jag beklagar att det har blivit så.",
        "I understand this has been frustrating, and I'm sorry it has come to this.";

    /// Billed for a service the customer has already cancelled: billing sets it right.
    billed_after_leaving:
        "Du ska inte behöva betala för något du har sagt upp. Jag skickar det här till en \
         kollega på fakturaavdelningen, som ser allt du har skrivit och kan kontrollera \
         uppsägningen och rätta fakturan.",
        "You shouldn't have to pay for something you've cancelled. I'm passing this to a \
         colleague in billing, who will see everything you've written and can check the \
         cancellation and correct the invoice.";

    /// After [`Replies::billed_after_leaving`]: the written way as a record, in case the
    /// earlier cancellation (perhaps by phone) never arrived.
    receipt_as_a_record:
        "Vill du ha ett skriftligt kvitto på uppsägningen under tiden, ifall den förra inte \
         kom fram, kan du säga upp skriftligt här nedanför.",
        "If you'd like a written receipt for the cancellation meanwhile, in case the earlier \
         one never arrived, you can cancel in writing below.";

    /// A wish to end a subscription after a death: sympathy first, then the written way for
    /// the estate, and what may be asked for later (never documents in the chat).
    estate_cancellation:
        "Jag beklagar sorgen. Du kan säga upp abonnemangen skriftligt här i chatten, direkt, \
         för den som har gått bort: välj Säg upp åt någon annan och fyll i ditt namn, hens \
         namn och vilka abonnemang det gäller. Du får ett kvitto med referensnummer. Ibland \
         behöver dödsboet visa ett dödsfallsintyg eller en bouppteckning; skicka inga \
         dokument här i chatten, en kollega hör av sig och berättar hur. Du behöver inte \
         ringa.",
        "I'm so sorry for your loss. You can cancel the subscriptions in writing here in \
         the chat, right now, for the person who has died: choose Cancel for someone else \
         and fill in your name, their name and which subscriptions it is. You'll get a \
         receipt with a reference number. Sometimes the estate needs to show a death \
         certificate or the estate inventory; please don't send any documents here in the \
         chat, a colleague will get in touch and explain how. You don't need to call.";

    /// After an outage notice, words that are neither a new problem nor a button.
    after_outage_still:
        "Jag förstår att du behöver det nu. Vill du ändå kontrollera din egen utrustning \
         väljer du Felsök ändå, och vill du hellre prata med en person tar en kollega över \
         direkt.",
        "I understand you need it now. If you'd still like to check your own equipment, \
         choose Troubleshoot anyway, or choose to talk to a person and a colleague will \
         take over straight away.";

    /// A question right after the written way to cancel was offered: the person who
    /// handles the cancellation answers it, and the form carries it to them.
    cancellation_question:
        "Det kan kollegan som tar hand om uppsägningen svara på. Skriv gärna frågan i fältet \
         Meddelande till oss när du fyller i uppsägningen, så följer den med. Vill du ha svar \
         nu kan du välja att prata med en människa.",
        "The colleague who handles the cancellation can answer that. Write your question in \
         the Message to us field when you fill in the cancellation, and it goes with it. If \
         you'd like an answer now, choose to talk to a person.";

    /// The estate's written way again, after the condolence was said once.
    estate_cancellation_again:
        "Du kan säga upp alla hens abonnemang skriftligt här i chatten, för dödsboet: välj \
         Säg upp åt någon annan och fyll i formuläret en gång för varje abonnemang, med ditt \
         namn och namnet på den som har gått bort. Du får ett kvitto för vart och ett.",
        "You can cancel each of their subscriptions in writing here in the chat, for the \
         estate: choose Cancel for someone else and fill in the form once for each \
         subscription, with your name and the name of the person who has died. You'll get a \
         receipt for each one.";

    /// A wish to end every subscription: the written way, for all of them.
    written_cancellation_all:
        "Du kan säga upp abonnemangen skriftligt här i chatten, direkt. Fyll i formuläret en \
         gång för varje abonnemang, med ditt namn, så får du ett kvitto med referensnummer \
         för vart och ett. Du behöver inte ringa och inte logga in.",
        "You can cancel the subscriptions in writing here in the chat, right now. Fill in the \
         form once for each subscription, with your name, and you'll get a receipt with a \
         reference number for each one. You don't need to call or log in.";

    /// A message while waiting for a person: heard, and added to the case.
    noted_while_queued:
        "Jag har lagt till det i ditt ärende, så kollegan som tar över ser det direkt.",
        "I've added that to your case, so the colleague who takes over sees it straight \
         away.";

    already_with_a_person:
        "Din fråga ligger redan hos en kollega på kundtjänsten. Allt du skriver här kommer \
         fram till hen.",
        "Your question is already with a colleague in customer service. Everything you \
         write here reaches them.";

    written_cancellation:
        "Du kan säga upp ditt abonnemang skriftligt här i chatten, direkt. Fyll i vilket \
         abonnemang det gäller och ditt namn, så får du ett kvitto med referensnummer som du \
         kan spara. Du behöver inte ringa och inte logga in.",
        "You can cancel your subscription in writing here in the chat, right now. Fill in \
         which subscription it is and your name, and you'll get a receipt with a reference \
         number to keep. You don't need to call or log in.";

    /// After the call-back button, for clients that send it as a message.
    callback_prompt:
        "Vill du hellre bli uppringd? Fyll i ditt telefonnummer och när det passar dig, så \
         ringer en kollega upp. Din plats i kön finns kvar så länge.",
        "Would you rather be called? Fill in your phone number and when suits you, and a \
         colleague will call you. You keep your place in the queue meanwhile.";

    /// After a Swedish personal identity number (and nothing else) was masked.
    personal_number_masked:
        "Ditt personnummer behöver du inte skriva här, så jag har dolt det och det sparas \
         inte i chatten. Behöver en kollega bekräfta vem du är gör de det på ett säkert \
         sätt.",
        "You don't need to share your personal identity number here, so I've hidden it and \
         it isn't saved in the chat. If a colleague needs to confirm who you are, they'll do \
         it in a secure way.";

    /// After a password, code or card number was masked in the customer's message.
    secrets_masked:
        "En sak för din säkerhet: det du skrev såg ut som ett lösenord, en kod eller ett \
         kortnummer, så jag har dolt det och det sparas inte. Vi frågar aldrig efter \
         lösenord, PIN- eller PUK-koder, BankID eller kortnummer i chatten, så sådant kan \
         du alltid hålla för dig själv. Har du skrivit lösenordet någon annanstans också är \
         det klokt att byta det.",
        "One thing for your safety: part of what you wrote looked like a password, a code \
         or a card number, so I've hidden it and it isn't saved. We never ask for \
         passwords, PIN or PUK codes, BankID or card numbers in the chat, so you can always \
         keep those to yourself. If you've shared the password anywhere else too, it's \
         wise to change it.";

    /// How every answer to a guide that ended well begins.
    glad_it_works:
        "Vad skönt att det fungerar igen!",
        "Great, I'm glad it works again!";

    /// Back to a guide's step after something else came between.
    where_we_were:
        "Då fortsätter vi där vi var.",
        "Let's carry on where we were.";

    /// The problem being walked, chosen by the customer to come first.
    this_first:
        "Då börjar vi med det.",
        "Then we'll start with that.";

    /// A guide left half-way for another problem, taken up again where it was left.
    back_to_paused:
        "Då tar vi det nu, och fortsätter där vi slutade.",
        "Let's take that now, and carry on where we left off.";

    /// The customer says what the step checks is in order: the fault lies further on.
    check_holds:
        "Bra att veta, då går vi vidare.",
        "Good to know. Let's go on.";

    step_skipped:
        "Inga problem, då hoppar vi över det steget.",
        "No problem, let's skip that step.";

    /// The steps ran out (or the guide says a person must look at it): offer a person.
    steps_ran_out:
        "Tack för att du har provat det här. Nu behöver en kollega titta närmare på felet, \
         så jag kopplar dig vidare. Hen ser vilka steg vi redan har gått igenom, så du \
         behöver inte börja om. Skriv gärna under tiden om det är något mer vi behöver veta.",
        "Thank you for trying all of that. Now a colleague needs to look into the fault more \
         closely, so I'm passing you on. They'll see which steps we've already been \
         through, so you won't have to start over. Feel free to add anything else we should \
         know while you wait.";

    no_step_open:
        "Just nu håller vi inte på med någon felsökning. Berätta vad som krånglar, så letar \
         jag fram rätt steg.",
        "We're not in the middle of any troubleshooting right now. Tell me what's wrong and \
         I'll find the right steps.";

    /// Free text during a guide that was not a new problem.
    /// A question in the middle of a guide, before the step is shown again in full.
    step_question:
        "Bra att du frågar. Jag kan inte svara på allt själv, men här är steget igen med alla \
         detaljer. Står svaret inte där kan du välja att prata med en person, så tar en \
         kollega över med allt du har skrivit.",
        "Good that you ask. I can't answer everything myself, but here is the step again \
         with all its details. If the answer isn't there, you can choose to talk to a \
         person, and a colleague will take over with everything you've written.";

    postcode_not_found:
        "Jag hittade inget postnummer i det du skrev. Skriv fem siffror, till exempel \
         123 45, eller välj att felsöka direkt.",
        "I couldn't find a postcode in what you wrote. Type five digits, for example \
         123 45, or choose to troubleshoot straight away.";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knowledge::sales_language::sales_phrases;

    /// Support never sells: not one line the bot can say, in either language, pitches.
    #[test]
    fn no_line_in_the_catalogue_sells() {
        let lines = Replies.all_lines();
        assert!(lines.len() > 100, "the catalogue should be read in full");
        for line in &lines {
            assert_eq!(sales_phrases(line), Vec::<String>::new(), "{line}");
        }
    }

    /// The bot never asks for secrets; it only ever names them to say they are not needed.
    #[test]
    fn no_line_asks_for_a_password_code_or_card_number() {
        let asks = regex::Regex::new(
            r"(?i)(ange|skriv in|uppge|skicka|enter|type in|send|give me) (ditt|din|your) (lösenord|pin|puk|bankid|kortnummer|password|card)",
        )
        .unwrap();
        for line in Replies.all_lines() {
            assert!(!asks.is_match(&line), "{line}");
        }
    }
}
