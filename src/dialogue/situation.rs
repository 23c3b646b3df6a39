//! What a message says about the customer's situation, beside what it is about: how they
//! feel, whether someone has died, whether they mean all their subscriptions, whether they ask
//! something about the chat itself, and whether they write in a language the bot doesn't
//! speak. Read from the words and signs people use (emoji, capitals, "!!!"), in Swedish and
//! English, folded so that missing å/ä/ö count the same.

use super::frustration::fold;
use crate::classifier::readers::{ANGRY_EMOJI, COMPLAINT_WORDS};
use crate::knowledge::subjects;

/// How a message shows that the customer is upset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upset {
    /// Aimed at the bot itself: "du förstår inte", "this is pointless" (the phrases of
    /// `frustration`). A person takes over.
    AtTheBot,
    /// Contempt or swearing at the company: "ni är värdelösa", "skitföretag".
    Insult,
    /// Thanks or praise that means the opposite: "tack för inget", "toppenservice verkligen".
    Sarcasm,
    /// Tried everything already, waited long, or anger shown in emoji, capitals and "!!!".
    Fed,
}

/// A question about the chat itself rather than the customer's service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatRequest {
    TranscriptCopy,
    EmailTranscript,
    Languages,
    Robot,
    OpeningHours,
}

impl ChatRequest {
    pub const ALL: [Self; 5] = [
        Self::TranscriptCopy,
        Self::EmailTranscript,
        Self::Languages,
        Self::Robot,
        Self::OpeningHours,
    ];
}

/// The situation one message shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Situation {
    pub upset: Option<Upset>,
    /// Someone close has died: their subscriptions are the estate's to end.
    pub bereavement: bool,
    /// All the customer's subscriptions, not one.
    pub everything: bool,
    pub request: Option<ChatRequest>,
    /// Written in neither Swedish nor English.
    pub foreign: bool,
    /// Asks for a person, whatever else it says ("vill prata med en person om min faktura").
    pub wants_a_person: bool,
    /// Billed for something the customer says they have already cancelled: a dispute for
    /// billing to settle, not a new wish to leave.
    pub billed_after_leaving: bool,
    /// Wants to undo a contract just made: the right of withdrawal (ångerrätt).
    pub withdrawal: bool,
    /// Writes as someone's guardian or with a power of attorney.
    pub acting_for: Option<crate::domain::Relation>,
    /// Asks what has become of a cancellation or withdrawal already sent, or gives its
    /// reference.
    pub asks_after_a_request: bool,
    /// Wants to keep a subscription they sent a cancellation for.
    pub retracts_a_cancellation: bool,
}

impl Situation {
    pub fn read(text: &str) -> Self {
        let folded = fold(text);
        let words: Vec<&str> = folded
            .split(|c: char| !c.is_alphanumeric() && c != '\'')
            .filter(|w| !w.is_empty())
            .collect();
        Self {
            upset: upset(text, &folded, &words),
            bereavement: any_phrase(&folded, BEREAVEMENT) || a_person_died(&folded),
            everything: any_phrase(&folded, EVERYTHING) || several_services(&folded, &words),
            request: request(&folded, &words),
            foreign: foreign(text, &words),
            wants_a_person: any_phrase(&folded, WANTS_A_PERSON),
            billed_after_leaving: billed_after_leaving(&folded),
            withdrawal: super::way_out::wants_to_withdraw(text),
            acting_for: super::way_out::acting_for(text),
            asks_after_a_request: super::way_out::asks_after_a_request(text),
            retracts_a_cancellation: super::way_out::retracts_a_cancellation(text),
        }
    }
}

fn any_phrase(folded: &str, phrases: &[&str]) -> bool {
    phrases.iter().any(|p| contains_words(folded, p))
}

/// `phrase` in `folded` starting at a word boundary ("tack for inget" but not "stack ...").
fn contains_words(folded: &str, phrase: &str) -> bool {
    folded.match_indices(phrase).any(|(at, _)| {
        let before = folded[..at].chars().next_back();
        !before.is_some_and(char::is_alphanumeric)
    })
}

/// Asking for a person, in passing or outright. The classifier reads a message for one
/// intent, so "prata med en person om fakturan" comes out as an invoice question: the wish
/// for a person is heard here.
const WANTS_A_PERSON: &[&str] = &[
    "prata med en person",
    "prata med en manniska",
    "prata med en riktig",
    "prata med nagon",
    "prata med nan",
    "prata med en handlaggare",
    "prata med kundtjanst",
    "tala med en person",
    "tala med nagon",
    "snacka med nagon",
    "snacka med nan",
    "snacka med en manniska",
    "fa prata med",
    "kan nagon ringa",
    "kan nan ringa",
    "kan ni ringa mig",
    "ringa upp mig",
    "ring upp mig",
    "ring mig",
    "riktig person",
    "riktig manniska",
    "kundtjanstperson",
    "skippa boten",
    "inte prata med en bot",
    "talk to a person",
    "talk to a human",
    "talk to someone",
    "talk to somebody",
    "talk to an agent",
    "talk to a real",
    "speak to a person",
    "speak to a human",
    "speak to someone",
    "speak with someone",
    "speak to an agent",
    "speak to a real",
    "can someone call me",
    "could someone call me",
    "call me back",
    "a real person",
    "a real human",
    "skip the bot",
    "put me through",
    "transfer me",
    "koppla mig till en",
    "koppla mig vidare",
    "koppla mig till nagon",
    "nagon jag kan prata med",
    "nagon att prata med",
    "nagon jag kan ringa",
    "nagon som kan ringa mig",
    "someone i can talk to",
    "someone i can speak to",
    "someone to talk to",
    "anyone i can talk to",
    "anyone i can speak to",
    "anybody i can talk to",
];

const INSULT: &[&str] = &[
    "ni ar vardelosa",
    "vardelosa",
    "vardelost foretag",
    "skitforetag",
    "skit foretag",
    "vilket skamt",
    "ni ar ett skamt",
    "pinsamt dalig",
    "helt sjukt dalig",
    "varsta foretaget",
    "samsta foretaget",
    "ni suger",
    "fan ta er",
    "javla",
    "jävla",
    "helvete",
    "you are a joke",
    "you're a joke",
    "what a joke",
    "worst company",
    "worst service",
    "you people are useless",
    "you guys are useless",
    "useless company",
    "you suck",
    "rubbish service",
    "pathetic",
    "ridiculous",
    "fucking",
    "bloody useless",
    "damn",
];

const SARCASM: &[&str] = &[
    "tack for inget",
    "tack for ingenting",
    "tack for hjalpen... inte",
    "jattebra, nu",
    "jattebra nu",
    "toppen, nu",
    "toppenservice",
    "toppen service",
    "fantastisk service",
    "superbra service",
    "snyggt jobbat",
    "bra jobbat verkligen",
    "grattis till er",
    "thanks for nothing",
    "great job, now",
    "great, now",
    "brilliant, now",
    "fantastic service",
    "wonderful service",
    "amazing service",
    "thanks a lot for nothing",
    "revolutionary idea",
    "genius idea",
    "never thought of that",
    "i've clearly got all day",
    "i've got all day",
    "i have all day",
    "keep the tips coming",
    "jag har ju hela dagen",
    "har ju all tid i varlden",
    "aldrig tankt pa det",
    "vilken ide",
];

/// Said in so many words. Having restarted already is a fact the guide takes (the step is
/// passed by), not a sign of anger: how it is said is for the tone head to hear.
const FED: &[&str] = &[
    "vad haller ni pa med",
    "vad sysslar ni med",
    "what are you playing at",
    "what the hell",
    // Misled by a seller: said calmly or not, it is a grievance to be heard.
    "ljog",
    "ljugit",
    "ljuger",
    "lurad",
    "lurat",
    "blaste mig",
    "blast mig",
    "bluff",
    "oserios",
    "lied to",
    "lying",
    "tricked",
    "misled",
    "scammed",
    "ripped off",
    "redan gjort allt",
    "redan provat allt",
    "redan testat allt",
    "gjort allt det dar",
    "provat allt det dar",
    "startat om tusen",
    "startat om hundra",
    "startat om flera ganger",
    "fjarde gangen",
    "tredje gangen",
    "hundrade gangen",
    "trott pa",
    "trottnat",
    "less pa",
    "sa arg",
    "jag ar arg",
    "ar forbannad",
    "jag ar sa trott",
    "galen",
    "orimligt",
    "oacceptabelt",
    "inte acceptabelt",
    "ingen hjalper",
    "ingen svarar",
    "suttit i telefonko",
    "i telefonkon i",
    "already did all",
    "already done all",
    "already tried everything",
    "already tried all",
    "tried everything",
    "done everything",
    "fourth time",
    "third time",
    "hundredth time",
    "sick of",
    "fed up",
    "so angry",
    "furious",
    "unacceptable",
    "nobody helps",
    "no one helps",
    "nobody answers",
    "on hold for",
    "had enough",
    "fick nog",
    "har fatt nog",
    // Worn out rather than angry, and as much a reason for a person.
    "jag klarar inte av det",
    "jag klarar inte det har",
    "jag orkar inte",
    "orkar inte mer",
    "jag ger upp",
    "i give up",
    "i can't cope",
    "i cannot cope",
    "i can't take this",
];

fn upset(text: &str, folded: &str, words: &[&str]) -> Option<Upset> {
    if super::frustration::is_frustrated(text) {
        return Some(Upset::AtTheBot);
    }
    if any_phrase(folded, INSULT) {
        return Some(Upset::Insult);
    }
    if any_phrase(folded, SARCASM) {
        return Some(Upset::Sarcasm);
    }
    if any_phrase(folded, FED) {
        return Some(Upset::Fed);
    }
    let emoji = text.chars().filter(|c| ANGRY_EMOJI.contains(c)).count();
    let exclamations = text.contains("!!!") || text.contains("?!?") || text.contains("!?!");
    // SHOUTING: most letters capitals, over a few words.
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    let capitals = letters.iter().filter(|c| c.is_uppercase()).count();
    let shouting = letters.len() >= 12 && capitals * 10 >= letters.len() * 7 && words.len() >= 3;
    // "NU FUNKAR DET!!!" is joy: capitals and exclamations count only beside a complaint.
    let complaint = words.iter().any(|w| COMPLAINT_WORDS.contains(w));
    if emoji >= 1 || ((shouting || exclamations) && complaint) {
        return Some(Upset::Fed);
    }
    None
}

/// Words that only ever speak of a person's death. "Har dött" and "died" are not among them:
/// routers and phones die every day, so those count only after a person
/// ([`a_person_died`]).
const BEREAVEMENT: &[&str] = &[
    "har gatt bort",
    "gick bort",
    "avled",
    "avliden",
    "avlidna",
    "dodsbo",
    "dodsfall",
    "begravning",
    "min avlidne",
    "min avlidna",
    "passed away",
    "deceased",
    "late husband",
    "late wife",
    "late father",
    "late mother",
    "the estate",
    "funeral",
    "bereavement",
    // In the languages customers of a Swedish operator also write: the reply is in Swedish
    // or English, but a death in the family is never met without care.
    "توفي",
    "توفيت",
    "وفاة",
    "فوت کرد",
    "درگذشت",
    "kuoli",
    "kuollut",
    "menehtyi",
    "verstorben",
    "gestorben",
    "fallecio",
    "murio",
    "zmarl",
    "zmarla",
    "vefat etti",
    "geeriyooday",
    "dhintay",
];

/// "Pappa dog i förra veckan", "my mum has died": dying said of someone close, a few words
/// after them.
fn a_person_died(folded: &str) -> bool {
    static DIED: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"\b(pappa|mamma|min\s+(far|mor|man|make)|maken|farfar|farmor|morfar|mormor|maka|frun|min\s+fru|sambo|bror|syster|sonen|min\s+son|dotter|foralder|foraldrar|anhorig|slakting|min\s+van|vaninna|granne|kusin|morbror|farbror|moster|faster|father|mother|dad|mum|mom|husband|wife|partner|brother|sister|my\s+son|daughter|grandma|grandmother|grandpa|grandfather|granny|uncle|aunt|friend|neighbour|neighbor)\w*[,.!]?\s+(\S+\s+){0,4}(har\s+dott|dog|ar\s+dod|avled|somnade\s+in|died|has\s+died|had\s+died|is\s+dead|passed)\b",
        )
        .expect("a valid pattern")
    });
    DIED.is_match(folded)
}

/// A cancellation told of as done: "jag sa upp", "tv:n är uppsagd", "I cancelled in May".
const LEFT_ALREADY: &[&str] = &[
    "sa upp",
    "sade upp",
    "sagt upp",
    "uppsagd",
    "uppsagt",
    "uppsagda",
    "avslutade abonnemanget",
    "avslutat abonnemanget",
    "i cancelled",
    "i canceled",
    "i ve cancelled",
    "i ve canceled",
    "i have cancelled",
    "i have canceled",
    "i had cancelled",
    "i had canceled",
    "already cancelled",
    "already canceled",
    "was cancelled",
    "was canceled",
    "is cancelled",
    "is canceled",
    "s cancelled",
    "s canceled",
    "are cancelled",
    "are canceled",
    "avslutades",
    "been cancelled",
    "been canceled",
    "after cancelling",
    "after canceling",
    "since cancelling",
    "since canceling",
];

/// Being charged: invoices, debits, payments.
const BILLED: &[&str] = &[
    "faktur",
    "debiter",
    // "Ni drar fortfarande pengar", "tar betalt": money taken, however it is put.
    "pengar",
    "tar betalt",
    "tagit betalt",
    "money",
    "betala",
    "rakning",
    "autogiro",
    "a bill",
    "the bill",
    "my bill",
    "bills",
    "billed",
    "billing",
    "invoice",
    "charged",
    "charging",
    "charges",
    "charge me",
    "pay for",
    "paying",
    "direct debit",
    "taking money",
    "took money",
    "taken money",
];

/// An objection: the bill should not be there. Without one, "jag sa upp, när kommer sista
/// fakturan?" is a question about the last invoice.
const OBJECTS: &[&str] = &[
    "fortfarande",
    "fast jag",
    "trots",
    "anda",
    "varfor",
    "inte betala",
    "tanker inte",
    "vagrar",
    "ta bort",
    "still",
    "even though",
    "although",
    "why",
    "not paying",
    "not going to pay",
    "won t pay",
    "wont pay",
    "refuse",
];

/// "Fått en faktura på 899 kr fast jag sa upp tv-paketet i somras": a cancellation told of as
/// done, a bill, and an objection to it.
fn billed_after_leaving(folded: &str) -> bool {
    any_phrase(folded, LEFT_ALREADY) && any_phrase(folded, BILLED) && any_phrase(folded, OBJECTS)
}

const EVERYTHING: &[&str] = &[
    "saga upp allt",
    "sag upp allt",
    "avsluta allt",
    "alla abonnemang",
    "alla mina abonnemang",
    "alla tjanster",
    "allt ni har",
    "allt hos er",
    "allt jag har",
    "bada abonnemangen",
    "bade bredband och",
    "bade mobil och",
    "hela paketet",
    "cancel everything",
    "cancel all",
    "all my subscriptions",
    "all subscriptions",
    "all of them",
    "all of my",
    "everything i have",
    "everything with you",
    "both subscriptions",
    "both of them",
];

/// The kinds of service a customer can end, each as the starts of the words that name it,
/// written as `subjects` writes its forms (`*` lets a form sit inside a compound, as in
/// "kotinetin").
const SERVICES: &[&[&str]] = &[
    &[
        "bredband",
        "internet",
        "fiber",
        "fibre",
        "broadband",
        "natet",
        "*netti",
        "*netin",
        "adsl",
    ],
    &[
        "tv",
        "television",
        "fernseh",
        "telewizj",
        "kanalpaket",
        "*tvpaket",
    ],
    &[
        "mobil",
        "mobile",
        "cell",
        "handy",
        "komork",
        "puhelin",
        "matkapuhelin",
    ],
    &[
        "*hemtelefon",
        "fast telefon",
        "landline",
        "home phone",
        "fastnat",
        "lankapuhelin",
    ],
];

/// Words that count more than one of something.
const SEVERAL: &[&str] = &[
    "tva",
    "tre",
    "fyra",
    "fem",
    "bada",
    "bagge",
    "alla",
    "samtliga",
    "both",
    "two",
    "three",
    "four",
    "all",
    "kaikki",
    "molemmat",
    "beide",
    "alle",
    "wszystkie",
    "todos",
    "todas",
];

/// Whether a message names more than one service ("bredbandet och min mobil", "internet and
/// the tv package") or counts them ("tre mobilnummer", "both our mobile numbers"): a wish to
/// cancel then means all of them, in any language the words cover.
fn several_services(folded: &str, words: &[&str]) -> bool {
    let named = SERVICES
        .iter()
        .filter(|forms| forms.iter().any(|form| subjects::matches(folded, form)))
        .count();
    let counted = words.windows(3).any(|w| {
        SEVERAL.contains(&w[0])
            && w[1..].iter().any(|next| {
                SERVICES
                    .iter()
                    .flat_map(|forms| forms.iter())
                    .any(|form| next.starts_with(form.trim_start_matches('*')))
                    || [
                        "abonnemang",
                        "nummer",
                        "subscription",
                        "number",
                        "line",
                        "tjanst",
                        "service",
                    ]
                    .iter()
                    .any(|noun| next.starts_with(noun))
            })
    });
    // "säga upp tv:n men ha kvar bredbandet" names two services and ends one.
    // Whole words: "utom" (except) is not "utomlands" (abroad).
    let keeps = [
        "kvar$",
        "behalla$",
        "keep$",
        "men inte$",
        "but not$",
        "utom$",
        "except$",
    ]
    .iter()
    .any(|form| subjects::matches(folded, form));
    (named >= 2 && !keeps) || counted
}

/// Words for the chat itself, and for what a customer may want done with it.
const THE_CHAT: &[&str] = &[
    "chatt",
    "chatten",
    "chat",
    "konversation",
    "konversationen",
    "samtalet",
    "conversation",
    "transcript",
    "detta samtal",
    "den har chatten",
    "this chat",
];
const KEEP_IT: &[&str] = &[
    "kopia",
    "spara",
    "ladda ner",
    "skriva ut",
    "skriv ut",
    "bevis",
    "copy",
    "save",
    "download",
    "print",
    "record",
    "keep",
];
const MAIL_IT: &[&str] = &[
    "mejl", "mail", "e-post", "epost", "email", "e-mail", "skicka", "send",
];

/// "Kan ni maila mig det här?", "email me the steps": what is being sent is what the chat
/// shows, though the chat is not named. "Send me this month's invoice" is not: a bare "this"
/// must end the clause.
fn mails_me_this(folded: &str) -> bool {
    const SEND: &[&str] = &[
        "maila", "mejla", "mail", "email", "e-maila", "e-posta", "skicka", "send",
    ];
    const STEPS: &[&str] = &[
        "stegen",
        "de har stegen",
        "dessa steg",
        "instruktionerna",
        "guiden",
        "the steps",
        "these steps",
        "those steps",
        "the instructions",
        "these instructions",
        "the guide",
        "this guide",
    ];
    const THIS: &[&str] = &[
        "det har",
        "detta",
        "this",
        "these",
        "all this",
        "all of this",
    ];
    const ENDS_CLAUSE: &[&str] = &["?", ".", "!", ",", " sa", " please", " tack", " pls"];
    let found = |phrase: &str, whole: bool| {
        folded.match_indices(phrase).any(|(at, _)| {
            let before = folded[..at].chars().next_back();
            let after = &folded[at + phrase.len()..];
            !before.is_some_and(char::is_alphanumeric)
                && !after.chars().next().is_some_and(char::is_alphanumeric)
                && (!whole
                    || after.trim_end().is_empty()
                    || ENDS_CLAUSE.iter().any(|end| {
                        after.starts_with(end)
                            && !after[end.len()..]
                                .chars()
                                .next()
                                .is_some_and(char::is_alphanumeric)
                    }))
        })
    };
    SEND.iter().any(|send| {
        let objects = STEPS
            .iter()
            .map(|o| (o, false))
            .chain(THIS.iter().map(|o| (o, true)));
        objects.into_iter().any(|(object, whole)| {
            found(&format!("{send} mig {object}"), whole)
                || found(&format!("{send} me {object}"), whole)
                || found(&format!("{send} {object} till mig"), false)
                || found(&format!("{send} {object} to me"), false)
        })
    })
}

/// A question that names a bot ("e du en robot eller sitter det nån där?", "bot or human?")
/// and does not ask for a person outright, which is a request to hand over instead.
fn asks_if_a_bot(folded: &str, words: &[&str]) -> bool {
    const BOT_WORDS: &[&str] = &[
        "robot", "bot", "chatbot", "ai", "maskin", "machine", "automat",
    ];
    folded.contains('?')
        && words.iter().any(|w| BOT_WORDS.contains(w))
        && !any_phrase(folded, WANTS_A_PERSON)
}

/// A question about when someone answers: "hur länge har kundtjänst öppet idag?", "what
/// time do you close?".
fn asks_when_open(folded: &str, words: &[&str]) -> bool {
    const OPEN_WORDS: &[&str] = &[
        "oppet", "oppna", "oppnar", "stanger", "stangt", "open", "opens", "close", "closes",
        "closed",
    ];
    const WHEN: &[&str] = &[
        "hur lange",
        "nar",
        "vilken tid",
        "till vilken",
        "idag",
        "i dag",
        "ikvall",
        "imorgon",
        "helgen",
        "how long",
        "when",
        "what time",
        "today",
        "tonight",
        "tomorrow",
        "weekend",
    ];
    // "So when are actual humans working there": when people are at work is when it is open.
    const PEOPLE: &[&str] = &[
        "humans",
        "people",
        "staff",
        "agents",
        "someone",
        "somebody",
        "manniskor",
        "folk",
        "personal",
        "nagon",
        "nan",
        "kundtjanst",
    ];
    const AT_WORK: &[&str] = &[
        "working",
        "work",
        "available",
        "around",
        "jobbar",
        "arbetar",
        "finns",
        "pa plats",
    ];
    let asks = folded.contains('?') || words.iter().take(4).any(|w| matches!(*w, "when" | "nar"));
    let open = words.iter().any(|w| OPEN_WORDS.contains(w))
        || (words.iter().any(|w| PEOPLE.contains(w))
            && AT_WORK.iter().any(|w| contains_words(folded, w)));
    asks && open && WHEN.iter().any(|w| contains_words(folded, w))
}

/// Longer than this, a message is about more than the chat itself: a rant that mentions
/// the opening hours is a rant first.
const MAX_REQUEST_WORDS: usize = 40;

fn request(folded: &str, words: &[&str]) -> Option<ChatRequest> {
    if words.len() > MAX_REQUEST_WORDS {
        return None;
    }
    const ROBOT: &[&str] = &[
        "ar du en robot",
        "ar du en bot",
        "ar du en maskin",
        "ar du en manniska",
        "ar du en riktig",
        "ar det en robot",
        "ar det en bot",
        "ar det en manniska",
        "pratar jag med en robot",
        "pratar jag med en bot",
        "pratar jag med en manniska",
        "chattar jag med en",
        "ar du ai",
        "ar du en ai",
        "are you a robot",
        "are you a bot",
        "are you human",
        "are you a human",
        "are you a real person",
        "are you real",
        "are you ai",
        "are you an ai",
        "am i talking to a",
        "am i chatting with a",
        "is this a bot",
        "is this a robot",
        "is this a real person",
        "is this a human",
        "is this automated",
        "is this chat automated",
        "are you automated",
        "is it automated",
        "ar du automatisk",
        "ar det har automatiskt",
        "ar detta automatiskt",
        "ar det automatiskt",
        "ar du automatiserad",
    ];
    const LANGUAGES: &[&str] = &[
        "vilka sprak",
        "vilket sprak",
        "pratar du finska",
        "pratar du arabiska",
        "pratar du engelska",
        "kan du finska",
        "kan du arabiska",
        "kan du engelska",
        "kan du prata",
        "kan du skriva pa",
        "annat sprak",
        "what languages",
        "which languages",
        "do you speak",
        "can you speak",
        "can you write in",
        "other language",
        "another language",
    ];
    const HOURS: &[&str] = &[
        "oppettider",
        "oppet ni",
        "har ni oppet",
        "ar ni oppna",
        "oppna ni",
        "nar oppnar",
        "nar stanger",
        "oppet pa helgen",
        "oppet pa lordag",
        "oppet pa sondag",
        "oppet i helgen",
        "telefontider",
        "opening hours",
        "open hours",
        "when are you open",
        "are you open",
        "when do you open",
        "when do you close",
        "open on saturday",
        "open on sunday",
        "open at the weekend",
        "open on weekends",
    ];
    let about_the_chat = THE_CHAT.iter().any(|w| contains_words(folded, w));
    if (about_the_chat && MAIL_IT.iter().any(|w| folded.contains(w))) || mails_me_this(folded) {
        Some(ChatRequest::EmailTranscript)
    } else if about_the_chat && KEEP_IT.iter().any(|w| contains_words(folded, w)) {
        Some(ChatRequest::TranscriptCopy)
    } else if any_phrase(folded, ROBOT) || asks_if_a_bot(folded, words) {
        Some(ChatRequest::Robot)
    } else if any_phrase(folded, LANGUAGES) {
        Some(ChatRequest::Languages)
    } else if any_phrase(folded, HOURS) || asks_when_open(folded, words) {
        Some(ChatRequest::OpeningHours)
    } else {
        None
    }
}

/// Common short words of Swedish and of English, and of languages often written to Swedish
/// operators. A message is foreign when it has words of another language and none of ours.
const SWEDISH: &[&str] = &[
    "jag", "och", "det", "att", "inte", "har", "min", "mitt", "mina", "ett", "en", "som", "pa",
    "ar", "med", "for", "till", "kan", "vill", "hej", "funkar", "fungerar", "nar", "varfor", "hur",
    "vad", "tack", "nu", "ingen", "inget", "ja", "se", "nej", "mina",
];
const ENGLISH: &[&str] = &[
    "i", "the", "and", "is", "not", "my", "it", "to", "a", "of", "in", "have", "can", "want", "hi",
    "hello", "doesn't", "don't", "isn't", "work", "working", "please", "thanks", "what", "why",
    "how", "no", "on", "internet", "wifi",
];
const OTHER: &[&str] = &[
    // Finnish
    "ei",
    "toimi",
    "minun",
    "haluan",
    "mina",
    "on",
    "kiitos",
    "hei",
    "miksi",
    "netti",
    "liittyma",
    "liittymani",
    "lasku",
    "ja",
    "se",
    "en",
    "voi",
    "apua",
    "puhelin",
    "kanssa",
    "haluaisin",
    "peruuttaa",
    "peruuttaisin",
    "sopimus",
    "sopimuksen",
    "tilasin",
    "tilaus",
    "tilauksen",
    "irtisanoa",
    "eilen",
    "virhe",
    "laskussa",
    "toimii",
    "suomeksi",
    "suomea",
    "ruotsia",
    "ruotsiksi",
    "osaa",
    "osaan",
    "kovin",
    "hyvin",
    "puhua",
    "voisinko",
    "voinko",
    "voitteko",
    "jonkun",
    "joku",
    "olen",
    "ole",
    "mutta",
    "nyt",
    "tama",
    "etta",
    "kun",
    "mitaan",
    "yhteys",
    "nettiyhteys",
    "poikki",
    "kotona",
    "auttanut",
    "auta",
    "ymmarra",
    "ymmarsin",
    "yha",
    "edelleen",
    "vielakaan",
    "sama",
    "mikaan",
    "tehnyt",
    "tein",
    // German
    "ich",
    "nicht",
    "das",
    "ist",
    "mein",
    "meine",
    "und",
    "bitte",
    "funktioniert",
    "kein",
    "geht",
    "immer",
    "noch",
    // Spanish
    "no",
    "funciona",
    "mi",
    "el",
    "la",
    "quiero",
    "por",
    "favor",
    "es",
    "que",
    "hola",
    "sigue",
    "sin",
    "funcionar",
    // Polish
    "nie",
    "dziala",
    "mam",
    "jest",
    "moj",
    "chce",
    "prosze",
    "dzien",
    "dobry",
    // Somali
    "waa",
    "ma",
    "aan",
    "iyo",
    "waxaan",
    "shaqeynayo",
    "maxaa",
    // Turkish
    "calismiyor",
    "benim",
    "bir",
    "istiyorum",
    "merhaba",
    "degil",
];

/// Words written alike in every language customers use: no sign of any language.
const LOANWORDS: &[&str] = &[
    "internet", "wifi", "wlan", "tv", "router", "modem", "netflix", "hbo", "viaplay", "ok", "okay",
    "sms", "sim", "pin", "puk", "app", "iphone", "android", "email", "mail",
];

/// How sure the trigram detector must be of another language. Swedish chat messages it
/// misreads come out far below this (about 0.1 for "routern blinkar orange").
const SURE_OF_LANGUAGE: f64 = 0.5;

fn foreign(text: &str, words: &[&str]) -> bool {
    // Scripts the bot does not read at all: Arabic, Persian, Cyrillic, Ethiopic, Greek, ...
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    let other_script = text
        .chars()
        .filter(|c| c.is_alphabetic() && !c.is_ascii() && !"åäöÅÄÖéÉüÜ".contains(*c))
        .filter(|c| {
            let c = *c as u32;
            (0x0370..=0x1FFF).contains(&c) || (0x2D80..=0x2DDF).contains(&c) || c >= 0xAB00
        })
        .count();
    if letters > 0 && other_script * 2 >= letters {
        return true;
    }
    // Words every language writes alike ("internet ei toimi", "mein WLAN") say nothing
    // about which language a message is in.
    let words: Vec<&str> = words
        .iter()
        .copied()
        .filter(|w| !LOANWORDS.contains(w))
        .collect();
    let words = &words[..];
    // A word both ours and theirs ("on", "en", "ja") is evidence for neither.
    let count = |list: &[&str]| {
        words
            .iter()
            .filter(|w| list.contains(w) && !OTHER.contains(w))
            .count()
    };
    let ours = count(SWEDISH).max(count(ENGLISH));
    let theirs = words
        .iter()
        .filter(|w| OTHER.contains(w) && !SWEDISH.contains(w) && !ENGLISH.contains(w))
        .count();
    // Letters Swedish and English never use: ł, ń, ż, ß, ñ, ç, ğ, ş, ı ...
    let marked = text
        .chars()
        .any(|c| "łńżźśćęąßñçğşıõáíóúàèìòùâêîôûãœ".contains(c.to_lowercase().next().unwrap_or(c)));
    // Two words are a whole answer to a step ("ei auttanut", "nie działa"): foreign when
    // both are another language's and neither is ours.
    if words.len() == 2 {
        return ours == 0 && (theirs == 2 || (marked && theirs >= 1));
    }
    if words.len() < 3 {
        return false;
    }
    if (theirs >= 2 && theirs > 2 * ours) || (marked && ours <= 1 && theirs >= 1) {
        return true;
    }
    // Languages no list here knows (Somali, Estonian, Tigrinya in Latin letters ...): the
    // letter trigrams of a long enough message name them. Danish and Norwegian read as
    // Swedish to the bot's colleagues, and are answered as such.
    let Some(info) = whatlang::detect(text) else {
        return false;
    };
    let ours_or_near = matches!(
        info.lang(),
        whatlang::Lang::Swe | whatlang::Lang::Eng | whatlang::Lang::Dan | whatlang::Lang::Nob
    );
    let swedish_letters = text.chars().any(|c| "åäöÅÄÖ".contains(c));
    !ours_or_near
        && ((info.confidence() >= SURE_OF_LANGUAGE && words.len() >= 4 && ours * 4 < words.len())
            || (ours == 0 && words.len() >= 6 && !swedish_letters))
}

/// A short question that only makes sense after the bot's last answer: "och i
/// mellandagarna?", "and sundays?", "what about the weekend?".
pub fn follows_up(text: &str) -> bool {
    const OPENINGS: &[&str] = &[
        "och",
        "and",
        "men",
        "but",
        "samt",
        "what about",
        "how about",
        "hur ar det med",
        "hur blir det",
        "hur ar det pa",
        "galler det",
        "same for",
    ];
    let folded = fold(text);
    let folded = folded.trim();
    folded.ends_with('?')
        && folded.split_whitespace().count() <= 6
        && OPENINGS.iter().any(|o| {
            folded
                .strip_prefix(o)
                .is_some_and(|rest| rest.starts_with([' ', ',']))
        })
}

/// Saying no to an offer ("ska vi ta det nu?") in so many words, folded; a message that
/// opens with a no-word says no too.
const DECLINES: &[&str] = &[
    "inte nu",
    "behovs inte",
    "det var allt",
    "det racker",
    "det ar lugnt",
    "vi tar det en annan gang",
    "not now",
    "that's all",
    "thats all",
    "that was all",
    "no need",
    "no thanks",
    "another time",
];

/// Whether a message opens with a yes to what the bot just offered ("ja gärna", "sure").
pub fn agrees(text: &str) -> bool {
    let folded = fold(text);
    let first = folded
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .find(|w| !w.is_empty());
    first.is_some_and(|w| {
        matches!(
            w,
            "ja" | "japp"
                | "jepp"
                | "jo"
                | "garna"
                | "absolut"
                | "visst"
                | "sjalvklart"
                | "okej"
                | "ok"
                | "okay"
                | "yes"
                | "yeah"
                | "yep"
                | "sure"
                | "please"
                | "gladly"
        )
    })
}

/// Whether a message says no to what the bot just offered.
pub fn declines(text: &str) -> bool {
    let folded = fold(text);
    let first = folded
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .find(|w| !w.is_empty());
    first.is_some_and(|w| matches!(w, "nej" | "na" | "naa" | "no" | "nope" | "nah"))
        || any_phrase(&folded, DECLINES)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn billed_for_what_was_cancelled_is_a_dispute_not_a_wish_to_leave() {
        for text in [
            "Varför har jag fått en faktura på 899 kr? Jag sa upp tv-paketet i somras",
            "tv:n är uppsagd sen juli och jag tänker inte betala för den",
            "ni drar fortfarande pengar på autogirot fast jag har sagt upp mobilen",
            "I cancelled in May but you're still charging me every month",
            "why am I getting a bill, my broadband was cancelled weeks ago",
            "the plan is cancelled and i'm not paying for it",
            "jag sa upp bredbandet i telefon i oktober men ni drar fortfarande pengar",
            "I cancelled in September and you're still taking money from my account",
        ] {
            assert!(Situation::read(text).billed_after_leaving, "{text}");
        }
        for text in [
            "jag sa upp mitt abonnemang, när kommer sista fakturan?",
            "jag vill säga upp mitt abonnemang, fakturan är för hög",
            "varför är fakturan så hög den här månaden?",
            "i want to cancel, why is my bill so high",
            "jag sa upp mig från jobbet och har svårt att betala fakturan",
        ] {
            assert!(!Situation::read(text).billed_after_leaving, "{text}");
        }
    }

    #[test]
    fn a_short_question_that_leans_on_the_last_answer_follows_it_up() {
        for text in [
            "och i mellandagarna?",
            "And sundays?",
            "what about the weekend?",
        ] {
            assert!(follows_up(text), "{text}");
        }
        for text in [
            "och nu funkar inte tv:n heller",
            "när har ni öppet?",
            "och?",
        ] {
            assert!(!follows_up(text), "{text}");
        }
    }

    #[test]
    fn sending_what_the_chat_shows_is_a_request_for_the_transcript() {
        for text in [
            "kan ni maila mig det här?",
            "could you email me the steps",
            "could you email me these steps? i'll do it tonight",
        ] {
            assert_eq!(
                Situation::read(text).request,
                Some(ChatRequest::EmailTranscript),
                "{text}"
            );
        }
        for text in [
            "skicka mig en ny faktura",
            "send me this month's invoice again",
        ] {
            assert_eq!(Situation::read(text).request, None, "{text}");
        }
    }

    #[test]
    fn asking_when_people_are_at_work_is_asking_for_the_opening_hours() {
        let text = "figured. so when are actual humans working there";
        assert_eq!(
            Situation::read(text).request,
            Some(ChatRequest::OpeningHours)
        );
        let text = "is this automated? be honest";
        assert_eq!(Situation::read(text).request, Some(ChatRequest::Robot));
    }

    #[test]
    fn a_death_is_a_person_s_not_a_router_s() {
        for text in [
            "min pappa dog i förra veckan, hur säger vi upp hans mobil",
            "mormor har dött och vi behöver stänga hennes abonnemang",
            "my mum died last month and I need to close her account",
        ] {
            assert!(Situation::read(text).bereavement, "{text}");
        }
        for text in [
            "bredbandet har dött helt sen i morse",
            "routern dog i natt efter åskan",
            "jag får inget internet, routern dog",
            "hur gör man när modemet har dött",
            "my phone died last night and now it asks for a PIN",
        ] {
            assert!(!Situation::read(text).bereavement, "{text}");
        }
    }

    #[test]
    fn a_no_is_heard_first_or_in_so_many_words() {
        for text in [
            "nej tack",
            "Nä, det är bra så",
            "det var allt för idag",
            "no thanks",
        ] {
            assert!(declines(text), "{text}");
        }
        for text in [
            "ja ta viaplay nu",
            "och TV6 då?",
            "nu funkar inte nåt",
            "yes please",
        ] {
            assert!(!declines(text), "{text}");
        }
    }

    #[test]
    fn upset_is_read_from_words_and_signs() {
        for (text, expected) in [
            ("du förstår inte vad jag säger", Upset::AtTheBot),
            ("ni är värdelösa", Upset::Insult),
            ("tack för inget", Upset::Sarcasm),
            ("jag har redan gjort allt det där!!!", Upset::Fed),
            ("😡😡😡", Upset::Fed),
            ("NU FÅR NI FAN FIXA MITT INTERNET", Upset::Fed),
            ("det funkar fortfarande inte!!!", Upset::Fed),
            (
                "I've restarted it like ten times, I'm so sick of this",
                Upset::Fed,
            ),
            ("du upprepar ju bara samma sak", Upset::AtTheBot),
            ("i already said that, you keep repeating", Upset::AtTheBot),
            ("jag klarar inte av det här, förlåt", Upset::Fed),
            ("ok i give up", Upset::Fed),
            ("sure, keep the tips coming", Upset::Sarcasm),
        ] {
            assert_eq!(Situation::read(text).upset, Some(expected), "{text}");
        }
        for calm in [
            "internet funkar inte",
            "tack för hjälpen, nu funkar det",
            "vad betyder lampan på routern?",
            "TV",
            "jag förstår inte fakturan",
            "NU FUNKAR DET IGEN!!!",
            "jag är hemma hela dagen",
            "routern klarar inte av 5 GHz",
        ] {
            assert_eq!(Situation::read(calm).upset, None, "{calm}");
        }
    }

    #[test]
    fn a_wish_for_a_person_is_heard_beside_whatever_else_is_said() {
        let wants = |t: &str| Situation::read(t).wants_a_person;
        assert!(wants(
            "vill prata med en person om min faktura, det är nåt skumt"
        ));
        assert!(wants("Kan någon ringa mig istället?"));
        assert!(wants("skippa boten tack, det gäller hemtelefonen"));
        assert!(wants("can I speak to someone about my bill"));
        assert!(wants("finns det någon jag kan prata med?"));
        assert!(wants("is there anyone i can talk to about this"));
        assert!(!wants("jag har pratat med er förut om det här"));
        assert!(!wants("nätet är nere sen igår"));
    }

    #[test]
    fn a_question_whether_it_is_a_bot_is_heard_in_any_words() {
        let robot = Some(ChatRequest::Robot);
        assert_eq!(
            Situation::read("e du en robot eller sitter det nån där?").request,
            robot
        );
        assert_eq!(Situation::read("bot or human??").request, robot);
        assert_eq!(Situation::read("du e väl ingen AI?").request, robot);
        // Asking for a person outright is a request to hand over, not a question.
        assert_eq!(
            Situation::read("kan jag prata med en människa istället för en bot?").request,
            None
        );
        assert_eq!(
            Situation::read("the robot lawnmower is offline").request,
            None
        );
        let hours = Some(ChatRequest::OpeningHours);
        assert_eq!(
            Situation::read("förresten, hur länge har kundtjänst öppet idag?").request,
            hours
        );
        assert_eq!(
            Situation::read("what time do you close tonight?").request,
            hours
        );
        assert_eq!(
            Situation::read("stänger tv-boxen av sig själv?").request,
            None
        );
    }

    #[test]
    fn a_death_all_subscriptions_and_questions_about_the_chat_are_heard() {
        let s = Situation::read("min pappa har gått bort och jag vill säga upp allt han hade");
        assert!(s.bereavement);
        assert!(s.everything || Situation::read("säga upp allt").everything);
        for several in [
            "vi flyttar utomlands, så bredbandet och min mobil ska avslutas",
            "we need to end the internet and the tv package",
            "alla tre mobilnumren alltså, inte bara mitt",
            "cancel both our mobile numbers",
            "haluaisin sanoa irti kotinetin ja tv:n",
        ] {
            assert!(Situation::read(several).everything, "{several}");
        }
        for one in [
            "jag vill säga upp mitt mobilabonnemang",
            "cancel my broadband please",
            "säga upp tv-paketet, internet ska vi ha kvar",
        ] {
            assert!(!Situation::read(one).everything, "{one}");
        }
        assert_eq!(
            Situation::read("kan jag få en kopia på den här chatten?").request,
            Some(ChatRequest::TranscriptCopy)
        );
        assert_eq!(
            Situation::read("kan ni mejla mig chatten").request,
            Some(ChatRequest::EmailTranscript)
        );
        assert_eq!(
            Situation::read("är du en robot?").request,
            Some(ChatRequest::Robot)
        );
        assert_eq!(Situation::read("internet är nere").request, None);
    }

    #[test]
    fn other_languages_are_told_apart_from_swedish_and_english() {
        for foreign in [
            "netti ei toimi ollenkaan, mitä teen",
            "الإنترنت لا يعمل منذ أمس",
            "mój internet nie działa od wczoraj",
            "mein Internet funktioniert nicht",
            "hei, haluaisin sanoa irti kotinetin ja tv:n, muutamme takaisin kesäkuussa",
            "hola, el móvil no tiene internet, solo funciona con el wifi del hotel",
            "salaan, biilka bishan aad buu u badan yahay, ma fahmin sababta",
            // Short answers in the middle of a guide, with words every language uses.
            "nettiyhteys on poikki",
            "Internet ei toimi kotona",
            "ei auttanut",
            "nie działa",
            "geht immer noch nicht",
        ] {
            assert!(Situation::read(foreign).foreign, "{foreign}");
        }
        for ours in [
            "internet funkar inte",
            "my internet is not working",
            "nätet e nere asså",
            "wifi",
            "internet funkar inte, wifit syns i mobilen men ingenting laddar",
            "routern blinkar orange sedan igar kvall hela natten",
            "tv boxen startar om hela tiden sedan uppdateringen igar",
            "det hjälpte inte",
            "ingen skillnad",
            "samma sak",
            "still dead",
            "ok klart",
            "tv:n är svart",
            "wifi funkar ej",
            "sim kortet",
        ] {
            assert!(!Situation::read(ours).foreign, "{ours}");
        }
    }
}
