//! What the bot says about the ways out beside a plain cancellation: withdrawing from a
//! contract just made, cancelling for someone else, confirmations with their dates, and what
//! has become of a request already sent.

use time::Date;

use super::{pick, Replies};
use crate::dialogue::way_out::{day_phrase, MadeOn, RequestState, RequestStatus};
use crate::domain::{iso_date, last_withdrawal_day, Locale, Relation, RequestKind, WithdrawalForm};

impl Replies {
    /// The last day, worked out from when the customer said they made the contract; or the
    /// question that lets the bot work it out.
    pub fn withdrawal_deadline(&self, locale: Locale, made: Option<MadeOn>, today: Date) -> String {
        let Some(made) = made else {
            return pick(
                locale,
                "Skriv gärna vilken dag du ingick avtalet, så räknar jag ut vilken som är sista \
                 dagen att ångra.",
                "If you tell me the day you made the contract, I'll work out the last day you \
                 can withdraw.",
            )
            .to_owned();
        };
        let last = last_withdrawal_day(made.date);
        let (made_day, last_day) = (day_phrase(made.date, locale), day_phrase(last, locale));
        match (locale, last >= today, made.approximate) {
            (Locale::Sv, true, false) => {
                format!("Räknat från {made_day} är sista dagen att ångra {last_day}, så du hinner.")
            }
            (Locale::Sv, true, true) => format!(
                "Om du ingick avtalet runt {made_day} är sista dagen att ångra ungefär \
                 {last_day}. Datumet på din orderbekräftelse är det som gäller."
            ),
            (Locale::Sv, false, _) => format!(
                "Räknat från {made_day} gick de 14 dagarna ut {last_day}. Skicka ändå formuläret \
                 om du är osäker: fristen kan vara längre, till exempel om du inte fick veta något \
                 om ångerrätten när du ingick avtalet, och vi prövar det. Du kan också säga upp \
                 avtalet skriftligt här."
            ),
            (Locale::En, true, false) => format!(
                "Counting from {made_day}, the last day to withdraw is {last_day}, so you're in \
                 time."
            ),
            (Locale::En, true, true) => format!(
                "If you made the contract around {made_day}, the last day to withdraw is about \
                 {last_day}. The date on your order confirmation is the one that counts."
            ),
            (Locale::En, false, _) => format!(
                "Counting from {made_day}, the 14 days ended on {last_day}. Send the form anyway \
                 if you're unsure: the period can be longer, for example if you weren't told about \
                 the right of withdrawal when you made the contract, and we'll look into it. You \
                 can also cancel the contract in writing here."
            ),
        }
    }

    /// For a guardian or someone with a power of attorney who wants to cancel.
    pub fn acting_for_cancellation(&self, locale: Locale, relation: Relation) -> &'static str {
        match relation {
            Relation::Estate => self.estate_cancellation(locale),
            Relation::Guardian => pick(
                locale,
                "Du kan säga upp abonnemanget skriftligt här i chatten, direkt, som god man eller \
                 förvaltare. Välj Säg upp åt någon annan och fyll i ditt namn, kontoinnehavarens \
                 namn och vilket abonnemang det gäller. Du får ett kvitto med referensnummer. En \
                 kollega kan behöva se ditt förordnande från överförmyndaren; skicka inga \
                 dokument här i chatten, kollegan hör av sig och berättar hur.",
                "You can cancel the subscription in writing here in the chat, right now, as a \
                 guardian or deputy. Choose Cancel for someone else and fill in your name, the \
                 account holder's name and which subscription it is. You'll get a receipt with a \
                 reference number. A colleague may need to see your appointment; please don't \
                 send any documents here in the chat, the colleague will get in touch and explain \
                 how.",
            ),
            Relation::PowerOfAttorney => pick(
                locale,
                "Du kan säga upp abonnemanget skriftligt här i chatten, direkt, med stöd av \
                 fullmakten. Välj Säg upp åt någon annan och fyll i ditt namn, kontoinnehavarens \
                 namn och vilket abonnemang det gäller. Du får ett kvitto med referensnummer. En \
                 kollega kan behöva se fullmakten; skicka den inte här i chatten, kollegan hör av \
                 sig och berättar hur.",
                "You can cancel the subscription in writing here in the chat, right now, under \
                 the power of attorney. Choose Cancel for someone else and fill in your name, the \
                 account holder's name and which subscription it is. You'll get a receipt with a \
                 reference number. A colleague may need to see the power of attorney; please \
                 don't send it here in the chat, the colleague will get in touch and explain how.",
            ),
        }
    }

    /// How a relation reads on a receipt and in a review.
    pub fn relation_label(&self, locale: Locale, relation: Relation) -> &'static str {
        match relation {
            Relation::Estate => pick(
                locale,
                "för dödsboet efter kontoinnehavaren",
                "for the estate of the account holder",
            ),
            Relation::Guardian => pick(locale, "god man eller förvaltare", "guardian or deputy"),
            Relation::PowerOfAttorney => pick(locale, "med fullmakt", "power of attorney"),
        }
    }

    /// The lines of a withdrawal form, as the customer sent it.
    fn withdrawal_fields(&self, locale: Locale, form: &WithdrawalForm) -> Vec<String> {
        let labels = match locale {
            Locale::Sv => [
                "Avtal",
                "Namn",
                "Avtalet ingicks",
                "Sista dag att ångra",
                "Kundnummer",
                "Bekräftelse till",
                "Meddelande",
            ],
            Locale::En => [
                "Contract",
                "Name",
                "Contract made on",
                "Last day to withdraw",
                "Customer number",
                "Confirmation to",
                "Message",
            ],
        };
        let mut lines = vec![
            format!("{}: {}", labels[0], form.contract),
            format!("{}: {}", labels[1], form.full_name.as_str()),
            format!("{}: {}", labels[2], iso_date(form.contract_date)),
            format!("{}: {}", labels[3], iso_date(form.last_day())),
        ];
        if let Some(number) = &form.customer_number {
            lines.push(format!("{}: {}", labels[4], number.as_str()));
        }
        if let Some(email) = &form.email {
            lines.push(format!("{}: {}", labels[5], email.as_str()));
        }
        if let Some(comment) = &form.comment {
            lines.push(format!("{}: {}", labels[6], comment));
        }
        lines
    }

    /// What the customer confirms before withdrawing: every field as it will be sent.
    pub fn withdrawal_review(&self, locale: Locale, form: &WithdrawalForm) -> String {
        let (intro, outro) = match locale {
            Locale::Sv => (
                "Kontrollera uppgifterna innan du skickar:",
                "Stämmer allt? När du bekräftar skickas beskedet att du ångrar avtalet, och du får \
                 ett kvitto med referensnummer. Vill du ändra något kan du göra det först.",
            ),
            Locale::En => (
                "Check the details before you send:",
                "Is everything right? When you confirm, your withdrawal is sent and you get a \
                 receipt with a reference number. If you want to change something, you can do \
                 it first.",
            ),
        };
        let mut lines = vec![intro.to_owned(), String::new()];
        lines.extend(self.withdrawal_fields(locale, form));
        lines.push(String::new());
        lines.push(outro.to_owned());
        lines.join("\n")
    }

    /// The durable acknowledgement of a withdrawal: the statement word for word, its
    /// reference, and when it was received.
    pub fn withdrawal_receipt(
        &self,
        locale: Locale,
        reference: &str,
        received: &str,
        form: &WithdrawalForm,
    ) -> String {
        let (title, statement, body) = match locale {
            Locale::Sv => (
                "Kvitto på att du ångrar avtalet",
                "Jag ångrar härmed avtalet nedan (ångerrätt enligt distansavtalslagen).",
                "Vi har tagit emot att du ångrar avtalet. Du behöver inte göra något mer: en \
                 kollega går igenom det och bekräftar skriftligt när tjänsten upphör och vad som \
                 återstår att betala, om något. Har du fått utrustning skickar vi instruktioner \
                 om hur du lämnar tillbaka den. Spara gärna det här kvittot.",
            ),
            Locale::En => (
                "Receipt for your withdrawal from the contract",
                "I hereby withdraw from the contract below (right of withdrawal).",
                "We have received your withdrawal. You don't need to do anything more: a \
                 colleague will go through it and confirm in writing when the service ends and \
                 what, if anything, is left to pay. If you received equipment, we'll send \
                 instructions for returning it. Please keep this receipt.",
            ),
        };
        let mut lines = Self::receipt_head(locale, reference, received);
        lines[0] = title.to_owned();
        lines.push(String::new());
        lines.push(statement.to_owned());
        lines.extend(self.withdrawal_fields(locale, form));
        lines.push(String::new());
        lines.push(body.to_owned());
        lines.join("\n")
    }

    pub fn withdrawal_mail_subject(&self, locale: Locale, reference: &str) -> String {
        match locale {
            Locale::Sv => format!("Kvitto på att du ångrar avtalet ({reference})"),
            Locale::En => format!("Receipt for your withdrawal ({reference})"),
        }
    }

    /// The e-mail copy: the reference and time, nothing the form's sender wrote (anyone can
    /// type any address into the form).
    pub fn withdrawal_mail_body(&self, locale: Locale, reference: &str, received: &str) -> String {
        let body = pick(
            locale,
            "Vi har tagit emot ett besked om att ångra ett avtal i vår chatt där den här \
             e-postadressen angavs. Hela kvittot, med det som skrevs i formuläret, finns i \
             chatten och kan laddas ner där. En kollega går igenom det och bekräftar skriftligt. \
             Har du inte skickat något sådant kan du bortse från det här meddelandet; ange \
             referensen om du kontaktar oss.",
            "We have received a withdrawal from a contract in our chat where this e-mail address \
             was given. The whole receipt, with what was written in the form, is in the chat and \
             can be downloaded there. A colleague will go through it and confirm in writing. If \
             you did not send one, you can ignore this message; quote the reference if you \
             contact us.",
        );
        let mut lines = Self::receipt_head(locale, reference, received);
        lines[0] = self.withdrawal_mail_subject(locale, reference);
        lines.push(String::new());
        lines.push(body.to_owned());
        lines.join("\n")
    }

    /// The end of the service and the last invoice, as the agent confirmed them.
    fn ends(locale: Locale, ends_on: Date, last_invoice_on: Date) -> String {
        let (ends, invoice) = (
            day_phrase(ends_on, locale),
            day_phrase(last_invoice_on, locale),
        );
        match locale {
            Locale::Sv => format!(
                "Tjänsten upphör {ends} och den sista fakturan kommer {invoice}; efter den \
                 kommer inga fler."
            ),
            Locale::En => format!(
                "The service ends on {ends} and the last invoice comes on {invoice}; none \
                 come after it."
            ),
        }
    }

    /// Told when an agent has carried out a written cancellation or accepted a withdrawal.
    pub fn request_confirmed(
        &self,
        locale: Locale,
        kind: RequestKind,
        reference: &str,
        ends_on: Date,
        last_invoice_on: Date,
    ) -> String {
        let ends = Self::ends(locale, ends_on, last_invoice_on);
        let done = match (locale, kind) {
            (Locale::Sv, RequestKind::Cancellation) => {
                format!("Din uppsägning {reference} är nu behandlad och bekräftad.")
            }
            (Locale::Sv, RequestKind::Withdrawal) => {
                format!("Du har ångrat avtalet, och vi har bekräftat det ({reference}).")
            }
            (Locale::En, RequestKind::Cancellation) => {
                format!("Your cancellation {reference} has now been processed and confirmed.")
            }
            (Locale::En, RequestKind::Withdrawal) => format!(
                "You have withdrawn from the contract, and we have confirmed it ({reference})."
            ),
        };
        let keep = pick(
            locale,
            "Spara gärna det här meddelandet tillsammans med kvittot.",
            "You may want to keep this message together with the receipt.",
        );
        format!("{done} {ends} {keep}")
    }

    /// Told when an agent could not accept a withdrawal: the reason, and what the customer
    /// can still do.
    pub fn withdrawal_disputed(&self, locale: Locale, reference: &str, reason: &str) -> String {
        match locale {
            Locale::Sv => format!(
                "Vi har gått igenom ditt besked om att ångra avtalet ({reference}) och kan inte \
                 godta det. Skälet: {reason} Tycker du att det är fel kan du svara här, så tittar \
                 en kollega på det igen, eller vända dig till Allmänna reklamationsnämnden. Du kan \
                 alltid säga upp avtalet skriftligt här i chatten."
            ),
            Locale::En => format!(
                "We have gone through your withdrawal ({reference}) and cannot accept it. The \
                 reason: {reason} If you think this is wrong, reply here and a colleague will look \
                 at it again, or turn to the National Board for Consumer Disputes (ARN). You can \
                 always cancel the contract in writing here in the chat."
            ),
        }
    }

    /// What has become of the written requests the customer asks about.
    pub fn request_status(
        &self,
        locale: Locale,
        requests: &[RequestStatus],
        asked: &[String],
    ) -> String {
        let unknown: Vec<&String> = asked
            .iter()
            .filter(|r| !requests.iter().any(|q| &q.reference == *r))
            .collect();
        let mut lines: Vec<String> = requests
            .iter()
            .map(|r| self.one_request(locale, r))
            .collect();
        if lines.is_empty() || !unknown.is_empty() {
            let missing = unknown
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            lines.push(match (locale, missing.is_empty()) {
                (Locale::Sv, true) => "Jag hittar ingen uppsägning och inget ångrat avtal från \
                                       den här chatten. Har du ett referensnummer (det börjar \
                                       med SU- eller ÅN-) kan du skriva det här, så tittar jag. \
                                       Sa du upp på något annat sätt, till exempel per telefon, \
                                       kan du säga upp skriftligt här nu: då får du ett kvitto \
                                       att spara, om den förra inte skulle ha kommit fram."
                    .to_owned(),
                (Locale::Sv, false) => format!(
                    "Jag hittar ingen uppsägning med referensen {missing}. Kontrollera gärna \
                     numret på kvittot. Du kan också säga upp skriftligt här nu, så får du ett \
                     nytt kvitto att spara."
                ),
                (Locale::En, true) => "I can't find a cancellation or withdrawal sent from \
                                       this chat. If you have a reference number (it starts \
                                       with SU- or ÅN-), write it here and I'll look. If you \
                                       cancelled some other way, by phone for example, you can \
                                       cancel in writing here now: you'll get a receipt to \
                                       keep, in case the earlier one never arrived."
                    .to_owned(),
                (Locale::En, false) => format!(
                    "I can't find a cancellation with the reference {missing}. Please check the \
                     number on the receipt. You can also cancel in writing here now and get a \
                     new receipt to keep."
                ),
            });
        }
        lines.join("\n\n")
    }

    fn one_request(&self, locale: Locale, r: &RequestStatus) -> String {
        let what = match (locale, r.kind) {
            (Locale::Sv, RequestKind::Cancellation) => "Uppsägningen",
            (Locale::Sv, RequestKind::Withdrawal) => "Beskedet att du ångrar avtalet",
            (Locale::En, RequestKind::Cancellation) => "The cancellation",
            (Locale::En, RequestKind::Withdrawal) => "The withdrawal",
        };
        let about = r
            .subject
            .as_deref()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default();
        let head = match locale {
            Locale::Sv => format!(
                "{what} {}{about} kom fram och togs emot {}.",
                r.reference, r.received
            ),
            Locale::En => format!(
                "{what} {}{about} arrived and was received on {}.",
                r.reference, r.received
            ),
        };
        // "Uppsägningen" is den, "beskedet" det.
        let (it, done, not_taken) = match (locale, r.kind) {
            (Locale::Sv, RequestKind::Cancellation) => {
                ("den", "Den är bekräftad.", "Vi kunde inte godta den.")
            }
            (Locale::Sv, RequestKind::Withdrawal) => {
                ("det", "Det är bekräftat.", "Vi kunde inte godta det.")
            }
            (Locale::En, _) => ("it", "It has been confirmed.", "We could not accept it."),
        };
        let tail = match (&r.state, locale) {
            (RequestState::Waiting, Locale::Sv) => format!(
                "En kollega behandlar {it} och bekräftar skriftligt här i chatten; du behöver \
                 inte göra något mer."
            ),
            (RequestState::Waiting, Locale::En) => {
                "A colleague is processing it and will confirm in writing here in the chat; you \
                 don't need to do anything more."
                    .to_owned()
            }
            (
                RequestState::Confirmed {
                    ends_on: Some(ends),
                    last_invoice_on: Some(invoice),
                },
                _,
            ) => format!("{done} {}", Self::ends(locale, *ends, *invoice)),
            (RequestState::Confirmed { .. }, _) => done.to_owned(),
            (RequestState::Withdrawn, _) => pick(
                locale,
                "Den återkallades på din begäran, så abonnemanget fortsätter.",
                "It was withdrawn at your request, so the subscription continues.",
            )
            .to_owned(),
            (
                RequestState::Disputed {
                    reason: Some(reason),
                },
                Locale::Sv,
            ) => {
                format!("{not_taken} Skälet: {reason}")
            }
            (
                RequestState::Disputed {
                    reason: Some(reason),
                },
                Locale::En,
            ) => {
                format!("{not_taken} The reason: {reason}")
            }
            (RequestState::Disputed { reason: None }, Locale::Sv) => {
                format!("{not_taken} Skälet står i chatten där {it} skickades.")
            }
            (RequestState::Disputed { reason: None }, Locale::En) => {
                format!("{not_taken} The reason is in the chat it was sent from.")
            }
        };
        format!("{head} {tail}")
    }

    /// Every line of this file with sample values, for the policy tests.
    pub(super) fn way_out_lines(&self, locale: Locale) -> Vec<String> {
        let day = time::macros::date!(2026 - 12 - 07);
        let form = WithdrawalForm::parse(
            crate::domain::WithdrawalFields {
                full_name: Some("Anna Svensson"),
                contract: Some("Bredband 250/100"),
                contract_date: Some("2026-12-01"),
                customer_number: Some("123456"),
                email: Some("anna@example.se"),
                comment: Some("Säljaren ringde."),
            },
            day,
        )
        .expect("a valid sample form");
        let made = |date, approximate| Some(MadeOn { date, approximate });
        let received = "7 december 2026 kl. 10.00 (svensk tid)";
        let request = |kind, state| RequestStatus {
            kind,
            reference: "SU-261201-7K4Q9M".into(),
            subject: Some("Bredband".into()),
            received: "1 december kl. 10.00".into(),
            state,
        };
        let states = [
            RequestState::Waiting,
            RequestState::Confirmed {
                ends_on: Some(day),
                last_invoice_on: Some(day),
            },
            RequestState::Confirmed {
                ends_on: None,
                last_invoice_on: None,
            },
            RequestState::Withdrawn,
            RequestState::Disputed {
                reason: Some("Avtalet ingicks i butik.".into()),
            },
            RequestState::Disputed { reason: None },
        ];
        let mut lines = vec![
            self.withdrawal_deadline(locale, None, day),
            self.withdrawal_deadline(locale, made(form.contract_date, false), day),
            self.withdrawal_deadline(locale, made(form.contract_date, true), day),
            self.withdrawal_deadline(
                locale,
                made(time::macros::date!(2026 - 10 - 01), false),
                day,
            ),
            self.withdrawal_review(locale, &form),
            self.withdrawal_receipt(locale, "ÅN-261207-7K4Q9M", received, &form),
            self.withdrawal_mail_subject(locale, "ÅN-261207-7K4Q9M"),
            self.withdrawal_mail_body(locale, "ÅN-261207-7K4Q9M", received),
            self.request_confirmed(
                locale,
                RequestKind::Cancellation,
                "SU-261201-7K4Q9M",
                day,
                day,
            ),
            self.request_confirmed(
                locale,
                RequestKind::Withdrawal,
                "ÅN-261207-7K4Q9M",
                day,
                day,
            ),
            self.withdrawal_disputed(locale, "ÅN-261207-7K4Q9M", "Avtalet ingicks i butik."),
            self.request_status(locale, &[], &[]),
            self.request_status(locale, &[], &["SU-000000-000000".into()]),
        ];
        lines.extend(Relation::ALL.map(|r| self.acting_for_cancellation(locale, r).to_owned()));
        lines.extend(Relation::ALL.map(|r| self.relation_label(locale, r).to_owned()));
        for kind in [RequestKind::Cancellation, RequestKind::Withdrawal] {
            let all: Vec<RequestStatus> = states.iter().map(|s| request(kind, s.clone())).collect();
            lines.push(self.request_status(locale, &all, &[]));
            let elsewhere = RequestStatus {
                subject: None,
                ..request(kind, RequestState::Waiting)
            };
            lines.push(self.request_status(locale, &[elsewhere], &[]));
        }
        lines
    }
}

fixed_lines! {
    const WAY_OUT_FIXED_LINES;

    /// The right in two sentences, and the form: said first to any wish to withdraw.
    withdrawal_right:
        "Du har ångerrätt: i 14 dagar från den dag du ingick avtalet kan du ångra det, utan \
         att ange något skäl. Du betalar inget för tjänster du inte har använt, bara för det \
         du hann använda om du bad att tjänsten skulle starta direkt. Fyll i formuläret Ångra \
         avtalet här, så får du ett kvitto med referensnummer på en gång.",
        "You have a right of withdrawal: for 14 days from the day you made the contract you \
         can withdraw from it without giving any reason. You pay nothing for services you \
         haven't used, only for what you used if you asked for the service to start straight \
         away. Fill in the form Withdraw from the contract here and you'll get a receipt \
         with a reference number at once.";

    /// How the form goes, for "hur gör jag?" after the right, and for clients that send the
    /// button back rather than open the form.
    withdrawal_how:
        "Tryck på Ångra avtalet här. Fyll i ditt namn, vilket avtal det gäller, vilken dag du \
         ingick det och gärna din e-postadress för bekräftelsen. Sedan ser du allt samlat och \
         trycker på Bekräfta att du ångrar avtalet. Kvittot med referensnummer kommer direkt \
         här i chatten, och du kan ladda ner det.",
        "Press Withdraw from the contract here. Fill in your name, which contract it is, the \
         day you made it and, if you like, your e-mail address for the confirmation. Then you \
         see it all together and press Confirm that you withdraw from the contract. The \
         receipt with a reference number comes straight away here in the chat, and you can \
         download it.";

    /// For a customer who wants to keep a subscription they have sent a cancellation for.
    keep_the_subscription:
        "Vill du behålla abonnemanget och ta tillbaka uppsägningen går det bra. Det gör en \
         kollega åt dig: välj Prata med en människa, så tar de det härifrån. Har du \
         referensnumret från kvittot (det börjar med SU-) går det fortare.",
        "If you'd like to keep the subscription and take the cancellation back, that's \
         fine. A colleague does it for you: choose Talk to a person and they'll take it \
         from here. The reference on your receipt (it starts with SU-) makes it quicker.";

    /// Answer to the button itself, for clients that send it rather than open the form:
    /// what the form asks, without the condolence or the reasons already said.
    on_behalf_form:
        "Fyll i formuläret Säg upp åt någon annan: ditt namn, kontoinnehavarens namn, vad              du är för hen (dödsbo, god man eller förvaltare, fullmakt) och vilket abonnemang det              gäller. Du får ett kvitto med referensnummer. Skicka inga dokument här i chatten;              behöver något visas hör en kollega av sig och berättar hur.",
        "Fill in the form Cancel for someone else: your name, the account holder's name,              what you are to them (their estate, guardian or deputy, power of attorney) and              which subscription it is. You'll get a receipt with a reference number. Please              don't send any documents here in the chat; if anything needs to be shown, a              colleague will get in touch and explain how.";
}
