//! Reading the ways out of a contract in what customers write: a wish to withdraw from one
//! just made (ångerrätt), the day it was made, acting for someone else, and asking what has
//! become of a cancellation already sent.
//!
//! Like the cancellation lexicon these read folded text ("ångrar" and "angrar" alike) and
//! favour recall: a withdrawal missed is a customer kept from a right the law gives them.

use std::sync::LazyLock;

use regex::{Regex, RegexSet};
use time::{Date, Duration, Month, Weekday};

use crate::classifier::lexicon::fold;
use crate::domain::{Locale, Relation, RequestKind};

/// What has become of a written request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestState {
    /// Received; no agent has resolved it yet.
    Waiting,
    /// Carried out, with the dates the agent entered (none on requests confirmed before
    /// dates were asked for).
    Confirmed {
        ends_on: Option<Date>,
        last_invoice_on: Option<Date>,
    },
    /// Taken back at the customer's request.
    Withdrawn,
    /// A withdrawal the agent could not accept, with the reason the customer was told; none
    /// when it is asked after from another chat (the reason may name the customer).
    Disputed { reason: Option<String> },
}

/// A written request as the customer asking after it is told about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestStatus {
    pub kind: RequestKind,
    pub reference: String,
    /// What is being left, in the customer's words; none when the request was sent from
    /// another chat: a reference alone tells what has become of a request, not what it is
    /// about, since whoever holds it may not be the customer.
    pub subject: Option<String>,
    /// When it was received, worded for the customer ("1 december kl. 10.00").
    pub received: String,
    pub state: RequestState,
}

/// Words that only ever speak of withdrawing: the right itself and its period, in the
/// languages customers write in.
const WITHDRAWAL_TERMS: &[&str] = &[
    r"\bangerr",
    r"\bangerfrist",
    r"\bangerblankett",
    r"\bangertid",
    r"\bfrantrad",
    r"\bdistansavtal",
    r"\bhav(a|er|t)\s+(\w+\s+){0,2}(kop|bestallning|order)",
    r"\bright\s+(of|to)\s+(withdraw|return|cancel)",
    r"\bwithdrawal\s+(right|period|function|form)",
    r"\bcooling\s+off",
    r"\bwithdr\w*\s+(\w+\s+){0,3}(contract|agreement|purchase|order|subscription|plan|deal)",
    r"\bwithdrawl",
    r"\b14\s+day\s+(right|withdraw|return|period)",
    r"\bperuutusoikeu",
    r"\bperu\w*\s+(\w+\s+){0,2}(sopimu|tilau|liittym)",
    r"\bwiderruf",
    // "har ändrat mig om bredbandet": a change of mind about something had
    r"\b(andrat|andrar|andrade)\s+mig\s+(om|angaende|gallande|betraffande)\b",
];

/// Changing one's mind, which is a withdrawal when it is about something just bought or
/// signed ([`CONTRACT_CONTEXT`]).
const CHANGED_MIND: &[&str] = &[
    r"\b(angra|angrar|angrat|angrade|angrat|angar)\b",
    r"\b(andrat|andrar|andra|andrade)\s+mig\b",
    r"\bchang\w*\s+(my|our|his|her)\s+mind",
    r"\bregret\w*",
    r"\bundo\b",
    r"\bback\s+out\b",
    r"\bbacka\s+ur\b",
    r"\bhoppa\s+av\b",
    r"\breverse\s+(\w+\s+){0,2}(order|purchase)",
    r"\bwithdr\w*",
];

/// A contract or purchase just made: the other half of a change of mind.
const CONTRACT_CONTEXT: &[&str] = &[
    r"\b(kop|kopet|kopt|kopte|kopa|kopen)\b",
    r"\bavtal",
    r"\babonn",
    r"\babbon",
    r"\babb\b",
    r"\bbestall",
    r"\bbestallning",
    r"\border",
    r"\bteckn",
    r"\bskrev\s+pa\b",
    r"\bskrivit\s+pa\b",
    r"\btackade\s+ja\b",
    r"\bsaljare",
    r"\b(paket|paketet|tv\s+paket)\b",
    r"\b14\s+dagar",
    r"\bfjorton\s+dagar",
    r"\bcontract",
    r"\bagreement",
    r"\bsubscri",
    r"\bpurchase",
    r"\b(bought|ordered|signed|placed)\b",
    r"\bsign\w*\s+up\b",
    r"\bdeal\b",
    r"\bpackage\b",
    r"\bplan\b",
    r"\b14\s+days?\b",
    // sending back what came with it
    r"\b(skicka|lamna|ge)\w*\s+(\w+\s+){0,2}tillbaka\b",
    r"\breturn\w*",
];

/// Not wanting what was just sold, in plainer words than a change of mind: a withdrawal only
/// beside a sale ([`SALE`]), since "vill inte ha tv-paketet längre" alone is leaving an old
/// subscription.
const DOES_NOT_WANT_IT: &[&str] = &[
    r"\bvill\s+(\w+\s+){0,2}inte\s+ha\s+(det|de|den|dom|dem|nat|nagot)\b",
    r"\bvill\s+inte\s+ha\s+(\w+\s+)?(det|de|den|dom|dem)\b",
    r"\bangr\w*\s+(mig|mej)\b",
    r"\bbacka\s+ur\b",
    r"\bhoppa\s+av\b",
    r"\b(dont|don\s?t|do\s+not|didnt|didn\s?t)\s+(really\s+)?(want|need)\s+(it|them|this|that|any\s+of\s+it)\b",
    r"\bno\s+longer\s+want",
    r"\bslept\s+on\s+it\b",
    r"\btalked\s+(me|us)\s+into\b",
    r"\bpressured\s+(me|us)\b",
];

/// A sale just made, by a seller, online or on the phone.
const SALE: &[&str] = &[
    r"\b(sa|sagt)\s+ja\b",
    r"\btackade\s+ja\b",
    r"\bskr\w*v\w*\s+pa\b",
    r"\bskrivit\s+pa\b",
    r"\bteckn\w*",
    r"\bbestall\w*",
    r"\b(kopte|kopt|kop|kopet)\b",
    r"\bsaljare\w*",
    r"\bknackade\b",
    r"\bringde\b",
    r"\bsign\w*\s+(me\s+)?up\b",
    r"\bsigned\b",
    r"\b(ordered|bought|purchased)\b",
    r"\b(salesman|salesperson|sales\s+rep|seller|sales\s+call)\b",
    r"\bknocked\b",
    r"\btalked\s+(me|us)\s+into\b",
];

/// Taking back a cancellation is no withdrawal from a contract: "ångrar min uppsägning",
/// "I want to withdraw my cancellation".
const RETRACTS_A_CANCELLATION: &[&str] = &[
    r"\bangr\w*\s+(\w+\s+){0,3}upps",
    r"\bangr\w*\s+(\w+\s+){0,3}(sa|sagt)\s+upp",
    r"\bwithdr\w*\s+(\w+\s+){0,3}cancel",
    r"\b(regret|undo)\w*\s+(\w+\s+){0,3}cancel",
    r"\bangr\w*\b.*\b(inte|ej)\s+(\w+\s+){0,2}s(a|e)?[gj]+a\s+upp",
    r"\bchang\w*\s+(my|our)\s+mind\b.*\b(keep|stay|not\s+cancel|don\s?t\s+want\s+to\s+cancel)",
    r"\b(behalla|ha\s+kvar)\b.*\b(upps|sa\s+upp|sagt\s+upp)",
    r"\b(upps|sa\s+upp|sagt\s+upp)\w*\b.*\b(behalla|ha\s+kvar)\b",
];

/// Asking about the withdrawal period itself: how long it runs, the last day, being in
/// time. Read only once the customer has spoken of withdrawing.
const ABOUT_THE_PERIOD: &[&str] = &[
    r"\bsenast\b",
    r"\bsista\s+dag",
    r"\bhur\s+(lang\s+tid|manga\s+dagar|lange)\s+har\s+(jag|vi)\b",
    r"\bhinner\s+(jag|vi)\b",
    r"\bfor\s+sent\b",
    r"\b(frist|fristen|14\s+dagar\w*)\b",
    r"\b(angrat|angra|angrar)\b",
    r"\bdeadline\b",
    r"\blast\s+day\b",
    r"\bhow\s+(long|many\s+days)\s+(do|have)\s+(i|we)\b",
    r"\b(until|by)\s+when\b",
    r"\btoo\s+late\b",
    r"\bin\s+time\b",
    r"\b14\s+days\b",
    r"\bwithdr\w*",
];

/// Asking how to go about it, right after being told how: "hur gör jag?", "what do I do?".
const ASKS_HOW: &[&str] = &[
    r"\bhur\s+(gor|ska|skall|kan|gar)\b",
    r"\bvad\s+(ska|skall|behover)\s+(jag|vi)\s+(gora|skriva|fylla)",
    r"\bvar\s+(hittar|finns|ar)\b",
    r"\bvilket\s+formular",
    r"\bformularet\b",
    r"\bhow\s+(do|can|should|does)\b",
    r"\bwhat\s+(do|should)\s+(i|we)\s+do\b",
    r"\bwhere\s+(is|do|can)\b",
    r"\bwhich\s+form\b",
];

fn set(patterns: &[&str]) -> RegexSet {
    RegexSet::new(patterns).expect("way-out patterns compile")
}

static TERMS: LazyLock<RegexSet> = LazyLock::new(|| set(WITHDRAWAL_TERMS));
static MIND: LazyLock<RegexSet> = LazyLock::new(|| set(CHANGED_MIND));
static CONTEXT: LazyLock<RegexSet> = LazyLock::new(|| set(CONTRACT_CONTEXT));
static RETRACTS: LazyLock<RegexSet> = LazyLock::new(|| set(RETRACTS_A_CANCELLATION));
static NOT_WANTED: LazyLock<RegexSet> = LazyLock::new(|| set(DOES_NOT_WANT_IT));
static SOLD: LazyLock<RegexSet> = LazyLock::new(|| set(SALE));
static PERIOD: LazyLock<RegexSet> = LazyLock::new(|| set(ABOUT_THE_PERIOD));
static HOW: LazyLock<RegexSet> = LazyLock::new(|| set(ASKS_HOW));

/// The customer wants to undo a contract they have just made.
pub fn wants_to_withdraw(text: &str) -> bool {
    let folded = fold(text);
    if RETRACTS.is_match(&folded) {
        return false;
    }
    TERMS.is_match(&folded)
        || (MIND.is_match(&folded) && CONTEXT.is_match(&folded))
        || (NOT_WANTED.is_match(&folded) && SOLD.is_match(&folded))
}

/// A question about the withdrawal period: "när måste jag ha ångrat senast?", "how long
/// do I have?". Only meaningful once the customer has spoken of withdrawing.
pub fn asks_about_the_period(text: &str) -> bool {
    PERIOD.is_match(&fold(text))
}

/// A question about how to go about what was just explained: "hur gör jag?".
pub fn asks_how(text: &str) -> bool {
    HOW.is_match(&fold(text))
}

/// The customer wants to keep a subscription they have sent a cancellation for: "jag ångrar
/// min uppsägning", "I want to withdraw my cancellation".
pub fn retracts_a_cancellation(text: &str) -> bool {
    RETRACTS.is_match(&fold(text))
}

/// What gives the writer the right to end someone else's subscription, when they say: a
/// guardian ("god man", "förvaltare") or a power of attorney ("fullmakt"). A death is read
/// apart, as bereavement.
pub fn acting_for(text: &str) -> Option<Relation> {
    static GUARDIAN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"\b(god\s+man|forvaltare|formyndare|legal\s+guardian|guardian|deputy|conservator)\b",
        )
        .expect("guardian pattern compiles")
    });
    static ATTORNEY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(fullmakt\w*|power\s+of\s+attorney|lasting\s+power)\b")
            .expect("attorney pattern compiles")
    });
    let folded = fold(text);
    if GUARDIAN.is_match(&folded) {
        Some(Relation::Guardian)
    } else if ATTORNEY.is_match(&folded) {
        Some(Relation::PowerOfAttorney)
    } else {
        None
    }
}

/// References to written requests in a message, as issued ("SU-261201-7K4Q9M",
/// "ÅN-261207-…"), however they were typed: lower case, without the dashes, "AN" for "ÅN".
pub fn references_in(text: &str) -> Vec<String> {
    static REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(su|an)\s?(\d{6})\s?([0-9a-z]{6})\b").expect("reference pattern compiles")
    });
    let folded = fold(text);
    let mut found: Vec<String> = REFERENCE
        .captures_iter(&folded)
        .map(|c| {
            let prefix = if &c[1] == "su" { "SU" } else { "ÅN" };
            format!("{prefix}-{}-{}", &c[2], c[3].to_uppercase())
        })
        .collect();
    found.dedup();
    found
}

/// Asking what has become of a cancellation or withdrawal already sent: "har min uppsägning
/// kommit fram?", "did you get my cancellation?", or a reference on its own.
pub fn asks_after_a_request(text: &str) -> bool {
    static ASKS: LazyLock<RegexSet> = LazyLock::new(|| {
        set(&[
            r"\b(kommit\s+fram|kommit\s+in|gatt\s+igenom|registrerad\w*|mottag\w*|tagit\s+emot|fatt\s+(min|mitt|var)|status|hant\s+med|behandlad\w*|bekraft\w*)\b.*\b(upps\w*|sa\s+upp|sagt\s+upp|anger\w*|angrat)",
            r"\b(upps\w*|sa\s+upp|sagt\s+upp|anger\w*|angrat)\b.*\b(kommit\s+fram|kommit\s+in|gatt\s+igenom|registrerad\w*|mottag\w*|tagit\s+emot|fatt\s+den|status|hant\s+med|behandlad\w*|bekraftad\w*)",
            r"\b(received|get|got|arrived|gone\s+through|status|processed|registered|confirmed|happened\s+to)\b.*\bcancel\w*",
            r"\bcancel\w*\b.*\b(received|arrived|gone\s+through|status|processed|registered|confirmed)\b",
            r"\b(received|get|got|status|processed)\b.*\bwithdrawal",
        ])
    });
    !references_in(text).is_empty() || ASKS.is_match(&fold(text))
}

/// When the customer says they made the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MadeOn {
    pub date: Date,
    /// Said roughly ("förra veckan", "a week ago"): the day may be a few days off.
    pub approximate: bool,
}

/// The day a contract was made, read from what the customer wrote, relative to `today`:
/// "i måndags", "för tre dagar sedan", "igår", "den 3 december", "on 2 April", "last week".
pub fn made_on(text: &str, today: Date) -> Option<MadeOn> {
    let folded = fold(text);
    let exact = |date: Date| {
        Some(MadeOn {
            date,
            approximate: false,
        })
    };
    let rough = |date: Date| {
        Some(MadeOn {
            date,
            approximate: true,
        })
    };
    let ago = |days: i64| today.saturating_sub(Duration::days(days));
    if let Some(date) = iso_in(text, today) {
        return exact(date);
    }
    if let Some(date) = day_and_month_in(&folded, today) {
        return exact(date);
    }
    if let Some(date) = day_of_month_in(&folded, today) {
        return exact(date);
    }
    static AGO: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"\b(\d{1,2}|en|ett|ena|tva|tre|fyra|fem|sex|sju|atta|nio|tio|elva|tolv|tretton|fjorton|femton|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|couple\s+of)\s+(dag|dagar|vecka|veckor|manad|manader|day|days|week|weeks|month|months)\s+(sen|sedan|ago|tillbaka)\b",
        )
        .expect("ago pattern compiles")
    });
    if let Some(c) = AGO.captures(&folded) {
        let n = number(&c[1])?;
        let unit = &c[2];
        let days = if unit.starts_with("dag") || unit.starts_with("day") {
            n
        } else if unit.starts_with("vec") || unit.starts_with("week") {
            n * 7
        } else {
            n * 30
        };
        let whole_days = unit.starts_with("dag") || unit.starts_with("day");
        return if whole_days {
            exact(ago(days))
        } else {
            rough(ago(days))
        };
    }
    let has = |phrase: &str| contains_words(&folded, phrase);
    if has("i forrgar") || has("day before yesterday") {
        return exact(ago(2));
    }
    if has("igar") || has("i gar") || has("yesterday") {
        return exact(ago(1));
    }
    if has("idag") || has("i dag") || has("today") || has("this morning") || has("i morse") {
        return exact(today);
    }
    if let Some(weekday) = weekday_named(&folded) {
        let mut day = today.saturating_sub(Duration::days(1));
        while day.weekday() != weekday {
            day = day.saturating_sub(Duration::days(1));
        }
        return exact(day);
    }
    if has("i helgen") || has("last weekend") || has("this weekend") || has("over the weekend") {
        let mut day = today.saturating_sub(Duration::days(1));
        while day.weekday() != Weekday::Saturday {
            day = day.saturating_sub(Duration::days(1));
        }
        return rough(day);
    }
    if has("forra veckan") || has("last week") {
        return rough(ago(7));
    }
    if has("i veckan") || has("earlier this week") || has("this week") {
        return rough(ago(
            i64::from(today.weekday().number_days_from_monday()).max(1)
        ));
    }
    if has("forra manaden") || has("last month") {
        return rough(ago(30));
    }
    month_alone(&folded, today).and_then(rough)
}

/// "i oktober", "in October", "i somras": the middle of the latest such month up to today.
fn month_alone(folded: &str, today: Date) -> Option<Date> {
    static MONTH: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"\b(i|in|during|back\s+in|early|late|mid|borjan\s+av|slutet\s+av)\s+(januari|january|februari|february|mars|march|april|maj|may|juni|june|juli|july|augusti|august|september|oktober|october|november|december|somras)\b",
        )
        .expect("month pattern compiles")
    });
    let c = MONTH.captures(folded)?;
    let month = match &c[2] {
        "somras" => Month::July,
        name => month_named(&name[..3])?,
    };
    let year = if u8::from(month) > u8::from(today.month()) {
        today.year() - 1
    } else {
        today.year()
    };
    let middle = Date::from_calendar_date(year, month, 15).ok()?;
    Some(middle.min(today))
}

fn contains_words(folded: &str, phrase: &str) -> bool {
    folded.match_indices(phrase).any(|(at, _)| {
        let before = folded[..at].chars().next_back();
        let after = folded[at + phrase.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

fn number(word: &str) -> Option<i64> {
    if let Ok(n) = word.parse() {
        return Some(n);
    }
    const WORDS: &[(&[&str], i64)] = &[
        (&["en", "ett", "ena", "a", "an", "one"], 1),
        (&["tva", "two", "couple of"], 2),
        (&["tre", "three"], 3),
        (&["fyra", "four"], 4),
        (&["fem", "five"], 5),
        (&["sex", "six"], 6),
        (&["sju", "seven"], 7),
        (&["atta", "eight"], 8),
        (&["nio", "nine"], 9),
        (&["tio", "ten"], 10),
        (&["elva", "eleven"], 11),
        (&["tolv", "twelve"], 12),
        (&["tretton", "thirteen"], 13),
        (&["fjorton", "fourteen"], 14),
        (&["femton", "fifteen"], 15),
    ];
    let word = word.split_whitespace().collect::<Vec<_>>().join(" ");
    WORDS
        .iter()
        .find(|(words, _)| words.contains(&word.as_str()))
        .map(|(_, n)| *n)
}

/// "i måndags", "last Friday", "on Tuesday": the latest such day before today.
fn weekday_named(folded: &str) -> Option<Weekday> {
    const DAYS: &[(&str, &str, Weekday)] = &[
        ("i mandags", "monday", Weekday::Monday),
        ("i tisdags", "tuesday", Weekday::Tuesday),
        ("i onsdags", "wednesday", Weekday::Wednesday),
        ("i torsdags", "thursday", Weekday::Thursday),
        ("i fredags", "friday", Weekday::Friday),
        ("i lordags", "saturday", Weekday::Saturday),
        ("i sondags", "sunday", Weekday::Sunday),
    ];
    DAYS.iter()
        .find(|(sv, en, _)| {
            contains_words(folded, sv)
                || contains_words(folded, &format!("on {en}"))
                || contains_words(folded, &format!("last {en}"))
        })
        .map(|(_, _, day)| *day)
}

/// `2026-12-01` written in the message, if not in the future.
fn iso_in(text: &str, today: Date) -> Option<Date> {
    static ISO: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(\d{4})-(\d{2})-(\d{2})\b").expect("date pattern compiles")
    });
    let c = ISO.captures(text)?;
    let month = Month::try_from(c[2].parse::<u8>().ok()?).ok()?;
    let date = Date::from_calendar_date(c[1].parse().ok()?, month, c[3].parse().ok()?).ok()?;
    (date <= today).then_some(date)
}

/// "den 3 december", "3 dec", "on 2 April", "April 2nd", "3/12": the latest such day up to
/// today, since a contract is made in the past.
fn day_and_month_in(folded: &str, today: Date) -> Option<Date> {
    static NAMED: LazyLock<Regex> = LazyLock::new(|| {
        const MONTHS: &str = "januari|january|jan|februari|february|feb|mars|march|mar|april|apr|\
                              maj|may|juni|june|jun|juli|july|jul|augusti|august|aug|september|\
                              sept|sep|oktober|october|okt|oct|november|nov|december|dec";
        Regex::new(
            &r"\b(\d{1,2})(?:st|nd|rd|th|e|a)?\s+(?:of\s+)?(MONTHS)\b|\b(MONTHS)\s+(\d{1,2})(?:st|nd|rd|th)?\b"
                .replace("MONTHS", MONTHS),
        )
        .expect("named date pattern compiles")
    });
    static SLASHED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(\d{1,2})\s(\d{1,2})\b").expect("slashed date pattern compiles")
    });
    let (day, month) = if let Some(c) = NAMED.captures(folded) {
        match (c.get(1), c.get(2), c.get(3), c.get(4)) {
            (Some(d), Some(m), _, _) | (_, _, Some(m), Some(d)) => (
                d.as_str().parse::<u8>().ok()?,
                month_named(&m.as_str()[..3])?,
            ),
            _ => return None,
        }
    } else {
        // Folding made "3/12" into "3 12"; only a day then a month, as Swedes write it.
        let c = SLASHED.captures(folded)?;
        let month = Month::try_from(c[2].parse::<u8>().ok()?).ok()?;
        (c[1].parse::<u8>().ok()?, month)
    };
    let this_year = Date::from_calendar_date(today.year(), month, day).ok()?;
    if this_year <= today {
        Some(this_year)
    } else {
        Date::from_calendar_date(today.year() - 1, month, day).ok()
    }
}

/// "the 2nd", "den 2:a", "den 12e": a day of this month, or of the last one when it has not
/// come yet.
fn day_of_month_in(folded: &str, today: Date) -> Option<Date> {
    static DAY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(the|den)\s+(\d{1,2})\s?(st|nd|rd|th|e|a)?\b(\s+\w+)?")
            .expect("day pattern compiles")
    });
    let c = DAY.captures(folded)?;
    // "den 14 dagar långa fristen" counts days, it names none.
    let next = c.get(4).map(|m| m.as_str().trim()).unwrap_or_default();
    if next.starts_with("dag") || next.starts_with("day") || c.get(3).is_none() && &c[1] == "the" {
        return None;
    }
    let day: u8 = c[2].parse().ok()?;
    let this_month = Date::from_calendar_date(today.year(), today.month(), day).ok();
    match this_month.filter(|d| *d <= today) {
        Some(date) => Some(date),
        None => {
            let last = today.month().previous();
            let year = if last == Month::December {
                today.year() - 1
            } else {
                today.year()
            };
            Date::from_calendar_date(year, last, day).ok()
        }
    }
}

fn month_named(prefix: &str) -> Option<Month> {
    use Month::*;
    Some(match prefix {
        "jan" => January,
        "feb" => February,
        "mar" => March,
        "apr" => April,
        "maj" | "may" => May,
        "jun" => June,
        "jul" => July,
        "aug" => August,
        "sep" => September,
        "okt" | "oct" => October,
        "nov" => November,
        "dec" => December,
        _ => return None,
    })
}

/// "måndag 14 december", "Monday 14 December": a day as a customer reads it in a reply.
pub fn day_phrase(date: Date, locale: Locale) -> String {
    const SV_DAYS: [&str; 7] = [
        "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag",
    ];
    let weekday = usize::from(date.weekday().number_days_from_monday());
    let month = usize::from(u8::from(date.month())) - 1;
    match locale {
        Locale::Sv => format!(
            "{} {} {}",
            SV_DAYS[weekday],
            date.day(),
            crate::timestamp::SWEDISH_MONTHS[month]
        ),
        Locale::En => format!("{} {} {}", date.weekday(), date.day(), date.month()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    /// Monday 7 December 2026.
    fn today() -> Date {
        date!(2026 - 12 - 07)
    }

    #[test]
    fn withdrawing_is_told_apart_from_cancelling_and_taking_a_cancellation_back() {
        for text in [
            "jag köpte ett abonnemang för en vecka sen och ångrar mig",
            "ångrar köpet",
            "vill ångra avtalet",
            "I changed my mind about the contract I signed on Monday",
            "jag vill utnyttja min ångerrätt",
            "can I withdraw from the broadband order?",
            "en säljare ringde och jag sa ja till ett tv-paket, går det att backa ur?",
            "hej en forsäljare knackade pa o ja skreev pa nåt om fiber men ja angrar mej nu",
            "a guy knocked on my door and talked me into signing up. i really dont want it",
        ] {
            assert!(wants_to_withdraw(text), "{text}");
        }
        for text in [
            "jag vill säga upp mitt abonnemang",
            "jag ångrar min uppsägning",
            "I want to withdraw my cancellation",
            "routern blinkar rött",
            "ångrar att jag startade om den",
            "i want out, cancel my mobile subscription",
            "how do I send back the router after cancelling my subscription?",
            "jag vill inte ha tv-paketet längre",
            "jag ångrar mig, jag vill inte säga upp ändå",
        ] {
            assert!(!wants_to_withdraw(text), "{text}");
        }
    }

    /// The phrasings written apart for the service tests: every one is a withdrawal, and
    /// none reads as asking after a request already sent.
    #[test]
    fn every_phrasing_written_apart_is_a_withdrawal() {
        let phrasings = include_str!("../../tests/data/withdrawal_phrasings.txt");
        let mut missed = Vec::new();
        for line in phrasings.lines().filter(|l| !l.trim().is_empty()) {
            let text = &line[4..];
            if !wants_to_withdraw(text) || asks_after_a_request(text) {
                missed.push(text);
            }
        }
        assert!(missed.is_empty(), "{missed:#?}");
    }

    #[test]
    fn the_day_a_contract_was_made_is_read_from_what_customers_write() {
        let cases = [
            ("tecknade i måndags", date!(2026 - 11 - 30), false),
            ("för tre dagar sedan", date!(2026 - 12 - 04), false),
            ("köpte det igår", date!(2026 - 12 - 06), false),
            ("i förrgår", date!(2026 - 12 - 05), false),
            ("för en vecka sen", date!(2026 - 11 - 30), true),
            ("den 3 december", date!(2026 - 12 - 03), false),
            ("den 12 maj", date!(2026 - 05 - 12), false),
            ("on 2 April", date!(2026 - 04 - 02), false),
            ("signed it on Friday", date!(2026 - 12 - 04), false),
            ("last week", date!(2026 - 11 - 30), true),
            ("2026-11-20", date!(2026 - 11 - 20), false),
            ("tecknade 1/12", date!(2026 - 12 - 01), false),
            ("den 20 december", date!(2025 - 12 - 20), false),
            ("I signed up in October", date!(2026 - 10 - 15), true),
            (
                "on the 2nd of this month i think",
                date!(2026 - 12 - 02),
                false,
            ),
            ("den 3:e", date!(2026 - 12 - 03), false),
            ("on the 2nd of March", date!(2026 - 03 - 02), false),
            ("the 20th", date!(2026 - 11 - 20), false),
            ("tecknade i december", date!(2026 - 12 - 07), true),
        ];
        for (text, date, approximate) in cases {
            assert_eq!(
                made_on(text, today()),
                Some(MadeOn { date, approximate }),
                "{text}"
            );
        }
        assert_eq!(made_on("jag ångrar mig", today()), None);
    }

    #[test]
    fn references_are_read_however_they_are_typed() {
        assert_eq!(
            references_in("har ni fått su-261201-7k4q9m?"),
            ["SU-261201-7K4Q9M"]
        );
        assert_eq!(references_in("AN 261207 ABC123"), ["ÅN-261207-ABC123"]);
        assert_eq!(references_in("ÅN-261207-ABC123"), ["ÅN-261207-ABC123"]);
        assert!(references_in("mitt nummer är 070 1234567").is_empty());
    }

    #[test]
    fn asking_after_a_cancellation_is_heard() {
        for text in [
            "har min uppsägning kommit fram?",
            "Har ni tagit emot min uppsägning?",
            "did you get my cancellation?",
            "what's the status of my cancellation",
            "SU-261201-7K4Q9M",
        ] {
            assert!(asks_after_a_request(text), "{text}");
        }
        assert!(!asks_after_a_request("jag vill säga upp mitt abonnemang"));
    }

    #[test]
    fn questions_about_the_period_are_heard_and_other_waits_are_not() {
        for text in [
            "när måste jag ha ångrat senast?",
            "hur lång tid har jag på mig?",
            "hinner jag fortfarande?",
            "är det för sent nu?",
            "what's the last day?",
            "how long do I have?",
            "am I still in time?",
        ] {
            assert!(asks_about_the_period(text), "{text}");
        }
        for text in [
            "hur lång tid tar det innan jag får pengarna tillbaka?",
            "how long does the refund take?",
            "routern blinkar fortfarande",
        ] {
            assert!(!asks_about_the_period(text), "{text}");
        }
    }

    #[test]
    fn asking_how_is_heard() {
        for text in [
            "hur gör jag?",
            "Hur går det till",
            "var hittar jag formuläret",
            "what do I do now?",
            "how do I do that",
        ] {
            assert!(asks_how(text), "{text}");
        }
        assert!(!asks_how("i lördags"));
    }

    #[test]
    fn guardians_and_powers_of_attorney_are_heard() {
        assert_eq!(
            acting_for("jag är god man för min mamma"),
            Some(Relation::Guardian)
        );
        assert_eq!(
            acting_for("jag har fullmakt för pappa"),
            Some(Relation::PowerOfAttorney)
        );
        assert_eq!(acting_for("jag vill säga upp"), None);
    }

    #[test]
    fn days_read_naturally() {
        assert_eq!(
            day_phrase(date!(2026 - 12 - 14), Locale::Sv),
            "måndag 14 december"
        );
        assert_eq!(
            day_phrase(date!(2026 - 12 - 14), Locale::En),
            "Monday 14 December"
        );
    }
}
