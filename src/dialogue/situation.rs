//! What a message says about the customer's situation, beside what it is about: how they
//! feel, whether someone has died, whether they mean all their subscriptions, whether they ask
//! something about the chat itself, and whether they write in a language the bot doesn't
//! speak. Read from the words and signs people use (emoji, capitals, "!!!"), in Swedish and
//! English, folded so that missing å/ä/ö count the same.

use super::frustration::fold;
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
            bereavement: any_phrase(&folded, BEREAVEMENT),
            everything: any_phrase(&folded, EVERYTHING) || several_services(&folded, &words),
            request: request(&folded, &words),
            foreign: foreign(text, &words),
            wants_a_person: any_phrase(&folded, WANTS_A_PERSON),
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
    "aldrig tankt pa det",
    "vilken ide",
];

const FED: &[&str] = &[
    "redan gjort allt",
    "redan provat allt",
    "redan testat allt",
    "gjort allt det dar",
    "provat allt det dar",
    "redan startat om",
    "har redan startat om",
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
    "already restarted",
    "already rebooted",
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
];

/// Words that turn a sentence into a complaint.
const NEGATIONS: &[&str] = &[
    "inte", "ej", "aldrig", "ingen", "inget", "inga", "nere", "sonder", "trasig", "not", "never",
    "no", "nothing", "broken", "down", "doesn't", "don't", "isn't", "won't", "can't", "fan",
    "skit",
];

/// Emoji that show anger or despair.
const ANGRY_EMOJI: &[char] = &[
    '😡', '🤬', '😠', '😤', '🙄', '😩', '😫', '💩', '👎', '😭', '🖕',
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
    let complaint = words.iter().any(|w| NEGATIONS.contains(w));
    if emoji >= 1 || ((shouting || exclamations) && complaint) {
        return Some(Upset::Fed);
    }
    None
}

const BEREAVEMENT: &[&str] = &[
    "har dott",
    "har gatt bort",
    "gick bort",
    "dog i",
    "dog for",
    "dog forra",
    "dog nyss",
    "dog igar",
    "avled",
    "avliden",
    "avlidna",
    "dodsbo",
    "dodsfall",
    "begravning",
    "min avlidne",
    "min avlidna",
    "passed away",
    "has died",
    "had died",
    "died last",
    "died in",
    "died on",
    "died recently",
    "deceased",
    "late husband",
    "late wife",
    "late father",
    "late mother",
    "the estate",
    "funeral",
    "bereavement",
];

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
    folded.contains('?')
        && words.iter().any(|w| OPEN_WORDS.contains(w))
        && WHEN.iter().any(|w| contains_words(folded, w))
}

fn request(folded: &str, words: &[&str]) -> Option<ChatRequest> {
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
    if about_the_chat && MAIL_IT.iter().any(|w| folded.contains(w)) {
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
    "toimii",
    "internet",
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
    if words.len() < 3 {
        return false;
    }
    let count = |list: &[&str]| words.iter().filter(|w| list.contains(w)).count();
    let ours = count(SWEDISH).max(count(ENGLISH));
    let theirs = words
        .iter()
        .filter(|w| OTHER.contains(w) && !SWEDISH.contains(w) && !ENGLISH.contains(w))
        .count();
    // Letters Swedish and English never use: ł, ń, ż, ß, ñ, ç, ğ, ş, ı ...
    let marked = text
        .chars()
        .any(|c| "łńżźśćęąßñçğşıõáíóúàèìòùâêîôûãœ".contains(c.to_lowercase().next().unwrap_or(c)));
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

#[cfg(test)]
mod tests {
    use super::*;

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
            ("I've already restarted it twice", Upset::Fed),
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
        ] {
            assert!(!Situation::read(ours).foreign, "{ours}");
        }
    }
}
