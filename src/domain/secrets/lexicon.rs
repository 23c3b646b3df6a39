//! The words around secrets, in Swedish and English: the words that name a secret (found
//! inside compounds and with common typos) and the small words that link a secret to them.
//!
//! Every list holds folded forms: lower case, "å" and "ä" as "a", "ö" as "o".

use std::collections::HashSet;
use std::sync::OnceLock;

/// What kind of secret a word names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Class {
    /// Passwords, passphrases and wifi keys.
    Password,
    /// PIN, PUK, one-time, BankID and card security codes.
    Code,
    /// Card numbers.
    Card,
}

/// A word that names a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Keyword {
    pub class: Class,
    /// The word names a password unambiguously, so a password-looking token anywhere in the
    /// message is taken for one ("lösenord", "password"; not "pass" or "key").
    pub strong: bool,
    /// A passphrase: several words after it may belong to the secret.
    pub phrase: bool,
    /// A login ("logga in", "login:"): it introduces a user name as often as a password, so
    /// only a password-looking token right after it is taken.
    pub login: bool,
}

impl Keyword {
    const fn new(class: Class, strong: bool) -> Self {
        Self {
            class,
            strong,
            phrase: false,
            login: false,
        }
    }
}

/// Lower case with the Swedish letters folded, so "lösenord", "losenord" and "LÖSENORD" meet.
pub(super) fn fold(word: &str) -> String {
    word.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'å' | 'ä' | 'á' | 'à' | 'â' => 'a',
            'ö' | 'ø' | 'ó' | 'ò' | 'ô' => 'o',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'ü' | 'ú' => 'u',
            other => other,
        })
        .collect()
}

/// The folded word with hyphens, apostrophes and other joiners taken out and a trailing "'s"
/// dropped: the form compounds are matched in ("wifi-lösenordet" → "wifilosenordet").
fn squash(word: &str) -> String {
    // "pinkåden", "engångskåden": an "å" typed for the "o" of "kod".
    let lower = word.to_lowercase().replace("kåd", "kod");
    let lower = lower
        .strip_suffix("'s")
        .or_else(|| lower.strip_suffix("’s"))
        .unwrap_or(&lower);
    fold(lower)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// Whether `pattern` lies inside `text` with at most `max` edits (insertions, deletions,
/// substitutions, or two neighbours swapped): "lösenodret", "lsöenordet", "passwrd".
pub(super) fn fuzzy_contains(text: &str, pattern: &str, max: usize) -> bool {
    let text: Vec<char> = text.chars().collect();
    let pattern: Vec<char> = pattern.chars().collect();
    let (n, m) = (text.len(), pattern.len());
    if n + max < m {
        return false;
    }
    // d[i][j]: the fewest edits that turn pattern[..i] into some text[s..j].
    let mut d = vec![vec![0usize; n + 1]; m + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for i in 1..=m {
        for j in 1..=n {
            let cost = usize::from(pattern[i - 1] != text[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && pattern[i - 1] == text[j - 2] && pattern[i - 2] == text[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[m].iter().any(|&v| v <= max)
}

/// Optimal string alignment distance between two short strings.
pub(super) fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// Compounds ending in "kod" that name no secret: error, status, bar and discount codes.
static NOT_SECRET_CODES: WordList = WordList::new(
    "\
    fel status streck qr post rabatt kampanj produkt artikel lands rikt kall html farg pris
    erbjudande region zip sparnings referens order kund present boknings kupong leverans
    felmeddelande program error",
);

/// Words before "code"/"kod" that make it something other than a secret. Not "fel": "fel
/// kod" is a wrong PIN, where "felkod" is an error code.
static NOT_SECRET_CODE_WORDS: WordList = WordList::new(
    "\
    error zip post postal area country promo promotional discount qr bar source status html dial
    region product voucher coupon referral campaign gift tracking reference order customer
    rabatt kampanj felkod booking response exit return",
);

/// What makes a "key", "nyckel" or "pass" the wifi password.
static NETWORK_WORDS: WordList = WordList::new(
    "\
    wifi wi-fi wlan wpa wpa2 wpa3 network natverk natverks natverket router routerns routern
    security sakerhets tradlos tradlosa wireless",
);

/// Short names of a password: "lösen", "pw", and their typos.
static PASSWORD_WORDS: WordList =
    WordList::new("losen losn lsn pw pwd psw pword passw passwd passwort");

/// "Password" in the other languages customers write in: Finnish, German, Spanish, Polish,
/// Turkish, Dutch, Danish, Norwegian, Ukrainian and Russian, Arabic and Persian.
static FOREIGN_PASSWORD_WORDS: WordList = WordList::new(
    "\
    salasana salasanan salasanani salasanaa passwort passworts kennwort contrasena contraseña
    contrasenas contraseñas haslo hasło hasla hasła sifre şifre sifrem şifrem sifreyi şifreyi
    wachtwoord adgangskode adgangskoden passord passordet пароль пароля паролем паролі
    парол كلمةالمرور كلمةالسر رمزعبور گذرواژه",
);

static LOGIN_WORDS: WordList = WordList::new(
    "\
    login logon signin inloggning inloggningen inlogg inloggningsuppgifter anvandaruppgifter
    credentials",
);

/// Verbs before "in" in "logga in", "log in", "sign in".
static LOGIN_VERBS: WordList =
    WordList::new("logga loggar loggade loggat log logged logging sign signed signing");

/// PIN, PUK, card security codes and one-time codes by their short names.
static CODE_WORDS: WordList = WordList::new(
    "\
    pin pins pinnen pin1 pin2 puk puks puk1 puk2 puken cvc cvv cvc2 cvv2 otp 2fa mfa baksidan
    baksida",
);

/// What a secret word names, from the word alone and the word before it.
pub(super) fn keyword(word: &str, previous: Option<&str>) -> Option<Keyword> {
    let w = squash(word);
    let prev = previous.map(fold);
    let prev = prev.as_deref().unwrap_or("");
    if w.is_empty() || w.len() > 40 {
        return None;
    }
    let password = |strong| Some(Keyword::new(Class::Password, strong));
    let code = Some(Keyword::new(Class::Code, false));
    let login = Some(Keyword {
        login: true,
        ..Keyword::new(Class::Password, false)
    });

    // Passwords: "lösenord" and "password" inside any compound, one typo allowed.
    if fuzzy_contains(&w, "losenord", 1) || fuzzy_contains(&w, "password", 1) {
        return Some(Keyword {
            phrase: w.contains("fras") || w.contains("phrase"),
            ..Keyword::new(Class::Password, true)
        });
    }
    if w.contains("passphrase") || w.contains("losenfras") {
        return Some(Keyword {
            phrase: true,
            ..Keyword::new(Class::Password, true)
        });
    }
    if PASSWORD_WORDS.has(&w)
        || FOREIGN_PASSWORD_WORDS.has(&w)
        || (w.ends_with("losen") && w.len() > 5)
    {
        return password(true);
    }
    // Keys: "nätverksnyckeln", "WPA-nyckel", "wifi key"; a bare "nyckel" or "key" less surely.
    for stem in ["nycklar", "nyckeln", "nyckel"] {
        if let Some(head) = w.strip_suffix(stem) {
            return if head.is_empty() {
                password(NETWORK_WORDS.has(prev))
            } else if NETWORK_WORDS.has(head) || NETWORK_WORDS.has(head.trim_end_matches('s')) {
                password(true)
            } else {
                None
            };
        }
    }
    if listed("key keys pass passet", &w) {
        return password(NETWORK_WORDS.has(prev));
    }
    if LOGIN_WORDS.has(&w) || (w == "in" && LOGIN_VERBS.has(prev)) {
        return login;
    }

    // Codes: any compound on "kod", unless it names an error, bar or discount code; a wifi
    // code is the wifi password.
    for stem in ["koderna", "koden", "koder", "kodn", "kod"] {
        if let Some(head) = w.strip_suffix(stem) {
            if NOT_SECRET_CODES.any(|n| head.ends_with(n)) || NOT_SECRET_CODE_WORDS.has(prev) {
                return None;
            }
            if ["wifi", "wlan", "natverk", "router", "wpa"]
                .iter()
                .any(|n| head.contains(n))
            {
                return password(true);
            }
            return code;
        }
    }
    if listed("code codes passcode pincode", &w) {
        if NOT_SECRET_CODE_WORDS.has(prev) {
            return None;
        }
        if NETWORK_WORDS.has(prev) {
            return password(true);
        }
        return code;
    }
    // "PIN number", "pinnumret".
    if (listed("pin puk", prev) && listed("number nummer numret nr no", &w))
        || ((w.starts_with("pin") || w.starts_with("puk"))
            && (w.ends_with("nummer") || w.ends_with("numret") || w.ends_with("nr")))
    {
        return code;
    }
    if CODE_WORDS.has(&w) || w.contains("bankid") || (w == "back" && prev == "the") {
        return code;
    }

    // Card numbers.
    if w.starts_with("kortnum")
        || w == "kortnr"
        || w.starts_with("kortuppgift")
        || [
            "kontokort",
            "kreditkort",
            "betalkort",
            "bankkort",
            "debitkort",
        ]
        .iter()
        .any(|k| w.contains(k))
        || listed("cardnumber creditcard debitcard mastercard amex cardnr", &w)
        || (listed("number details nr no", &w) && prev == "card")
    {
        return Some(Keyword::new(Class::Card, false));
    }
    None
}

/// Whether `word` is one of the white-space separated words of `list`.
fn listed(list: &str, word: &str) -> bool {
    list.split_whitespace().any(|w| w == word)
}

/// A list of words, written as one string, looked up through a set built on first use.
struct WordList {
    words: &'static str,
    set: OnceLock<HashSet<&'static str>>,
}

impl WordList {
    const fn new(words: &'static str) -> Self {
        Self {
            words,
            set: OnceLock::new(),
        }
    }

    fn has(&self, word: &str) -> bool {
        self.set
            .get_or_init(|| self.words.split_whitespace().collect())
            .contains(word)
    }

    fn any(&self, test: impl Fn(&str) -> bool) -> bool {
        self.words.split_whitespace().any(test)
    }
}

static COPULAS: WordList =
    WordList::new("ar e is s was var blev blir became lyder are were = varit been blivit");

/// "är", "is", "var", "=": what stands between a secret's name and the secret.
pub(super) fn is_copula(w: &str) -> bool {
    COPULAS.has(w) || w.ends_with("'s") || w.ends_with("’s")
}

static FILLERS: WordList = WordList::new(
    "\
    ju alltsa nog typ fortfarande still just now nu da then bara only kanske maybe probably
    troligen den det it that which som vilket actually faktiskt egentligen val ocksa also sa so
    um eh hmm tydligen visst liksom iaf ba namligen",
);

static DETERMINERS: WordList = WordList::new(
    "\
    the a an my our your his her their min mitt mina din ditt dina vart er ert en ett this nya
    new gamla old current nuvarande personliga personal",
);

/// "inte", "not": a negation does not part a secret from the "är" before it ("pinkoden är inte
/// 1234").
pub(super) fn is_negation(w: &str) -> bool {
    listed("inte ej icke not never aldrig", w)
}

/// Small words that may stand between a secret's name and the secret: "ju", "fortfarande",
/// "the", "mitt", "till", "on".
pub(super) fn is_glue(w: &str) -> bool {
    is_copula(w) || is_preposition(w) || FILLERS.has(w) || DETERMINERS.has(w)
}

static PREPOSITIONS: WordList =
    WordList::new("till for pa i av fran med om to on in of from at with into hos under vid via");

pub(super) fn is_preposition(w: &str) -> bool {
    PREPOSITIONS.has(w)
}

static CONJUNCTIONS: WordList =
    WordList::new("och and eller or samt alternativt respektive resp utan & / nor plus");

/// "och", "eller", "and", "or": joins a second candidate to a first ("Falcon01 and falcon01").
pub(super) fn is_conjunction(w: &str) -> bool {
    CONJUNCTIONS.has(w)
}

static PHRASE_ENDS: WordList = WordList::new("men but fast though although because eftersom");

/// Ends a look for the secret after its name: "men", "but", "och", another clause.
pub(super) fn ends_phrase(w: &str) -> bool {
    PHRASE_ENDS.has(w) || is_conjunction(w)
}

static HEDGES: WordList = WordList::new(
    "\
    kanske maybe possibly perhaps ev eventuellt mojligen typ also ocksa annars otherwise sen
    then med with just bade both",
);

/// Words that may stand between a conjunction and the second candidate.
pub(super) fn is_hedge(w: &str) -> bool {
    HEDGES.has(w)
}

static BACKWARD_LINKS: WordList = WordList::new("som as into heter for");

/// What links a secret written first to the name after it: "X är mitt lösenord", "X som pin".
pub(super) fn is_backward_link(w: &str) -> bool {
    is_copula(w) || BACKWARD_LINKS.has(w)
}

static ENTRY_VERBS: WordList = WordList::new(
    "\
    skriver skrev skrivit skriva skrivs testade testat testar testa provade provat provar prova
    forsokte forsokt forsoker anvander anvande anvant anger angav angett ange knappade knappat
    knappar knappa matade matat matar mata slog slagit tried try trying tries typed type typing
    types entered enter entering enters put putting puts used use using uses input inputted
    keyed tested testing test",
);

/// Verbs of typing a secret in: "skriver", "testade", "tried", "entered", "put in".
pub(super) fn is_entry_verb(w: &str) -> bool {
    ENTRY_VERBS.has(w)
}

static ENTRY_PARTICLES: WordList = WordList::new(
    "in pa med bade both att da nu just also ocksa then again igen aven sen forst first",
);

/// Small words between an entry verb and what was typed: "skrev in", "tried both".
pub(super) fn is_entry_particle(w: &str) -> bool {
    ENTRY_PARTICLES.has(w)
}

static CHANGE_VERBS: WordList = WordList::new(
    "\
    bytte byt byta bytt byter andrade andra andrat andrar satte satt satta satter set changed
    change changing reset updated uppdaterade valde valt chose picked gjorde made",
);

/// Verbs of choosing a new password: "bytte lösenordet till X", "set the password to X".
pub(super) fn is_change_verb(w: &str) -> bool {
    CHANGE_VERBS.has(w)
}

static CHANGE_PARTICLES: WordList = WordList::new("it den det to till som as");

/// Small words between a verb of choosing and the code chosen: "set it to", "satte den till".
pub(super) fn is_change_particle(w: &str) -> bool {
    CHANGE_PARTICLES.has(w)
}

static PRESENTING_VERBS: WordList =
    WordList::new("star says said sa stod reads shows visar har have got fick");

/// Verbs that say where a bare token came from when a secret is expected: "det står X",
/// "it says X".
pub(super) fn is_presenting_verb(w: &str) -> bool {
    is_copula(w) || is_entry_verb(w) || PRESENTING_VERBS.has(w)
}

/// Complaints, descriptions and function words, Swedish then English.
static NOT_PASSWORDS: WordList = WordList::new(
    "\
    fel ratt inte ej samma gammalt gamla nytt nya kort langt ogiltigt ogiltig hemligt hemlig
    borta glomt glomd utganget last sparrat spart andrat bytt klart sparat dar har nedan ovan
    detta denna foljande bra daligt tomt nodvandigt siffror bokstaver tecken tva tre fyra atta
    latt svart enkelt svagt starkt exakt precis likadant annorlunda olika unikt slut kvar oklart
    okant osaker inget ingen nagot nagon nagonting vad vilket vilken hur varfor nar vem ok okej
    klar igen idag igar imorgon tack snalla hjalp mycket jatte helt nog inaktivt aktivt
    skiftlageskansligt skiftlageskanslig minst max maximalt minimum redan aldrig alltid forut
    tidigare senare sant falskt satt givet okand dessutom routern wifit natverket boxen appen
    mejlen kontot datorn telefonen mobilen tvn tv:n sidan lappen klistermarket baksidan kortet
    simkortet brevet sms mejl mail jag du ni vi han hon de dom man mig dig oss ha vara bli
    blivit varit knappt tyvarr ganska lite mer mindre markligt konstigt underligt fixat omojligt
    vet tror trodde kommer ska maste kan kunde ja nej alla varje standard skrivet tryckt dolt
    lagrat inbyggt forinstallt fabriksinstallt original originalet oforandrat
    wrong correct incorrect right invalid valid not same old new too short long secret gone
    forgotten expired locked blocked changed reset done saved there below above these those
    following fine good bad empty blank required needed necessary numbers letters characters
    digits one two three four eight easy hard weak strong exactly different unique missing
    unknown unsure nothing none something what how why when who okay again today yesterday
    tomorrow thanks please help very really case case-sensitive sensitive least most already
    never always before earlier later true false given unfortunately quite more less strange
    weird fixed impossible i you we he she they me us them be been being router wifi network
    box app email account phone card sticker letter what's whats some any all no yes every know
    knew think thought coming will would should must can could default written printed shown
    hidden stored unchanged original",
);

/// Complaints and function words that follow "lösenordet är" without being the password:
/// "lösenordet är fel", "the password is the one on the sticker".
pub(super) fn is_not_a_password(w: &str) -> bool {
    is_glue(w)
        || is_conjunction(w)
        || is_entry_verb(w)
        || NOT_PASSWORDS.has(w)
        // "expired", "blocked", "changed": an English participle says what the password is.
        || (w.len() >= 5 && w.ends_with("ed") && w.is_ascii())
}

static NAMING_WORDS: WordList = WordList::new(
    "\
    heter hette kallas kallat named called ssid anvandarnamn anvandarnamnet username user
    anvandare anvandaren anvandarid userid natverksnamn natverksnamnet namn namnet name modell
    model modellen",
);

/// Words that name what follows: "heter", "username": what they name is no secret.
pub(super) fn is_naming_word(w: &str) -> bool {
    NAMING_WORDS.has(w)
}

static TIME_WORDS: WordList = WordList::new(
    "\
    född fodd born sedan since år year kl kl. klockan årsmodell from until innan efter before
    after",
);

/// Words before a number that make it a year or a time: "född 1944", "since 2019", "kl 1530".
/// Takes the word in lower case, not folded: "år" is a year, "är" is not.
pub(super) fn is_time_word(w: &str) -> bool {
    TIME_WORDS.has(w)
}

/// Beginnings of words that introduce a number that is no secret.
static NUMBER_NOUNS: WordList = WordList::new(
    "\
    kundnr ordernr order faktura invoice arende referens reference imei ocr iccid customer
    postnr errorcode error felkod lagenhet apartment orgnr",
);

/// Words that introduce a number that is no secret: "kundnummer", "order", "IMEI", "faktura".
pub(super) fn is_number_noun(w: &str) -> bool {
    let w: String = w.chars().filter(|c| c.is_alphanumeric()).collect();
    w.contains("nummer")
        || w.contains("numret")
        || w.contains("number")
        || listed("nr case kund ref", &w)
        || NUMBER_NOUNS.any(|p| w.starts_with(p))
}

/// Beginnings of words that make a Luhn-valid number something other than a card number.
static NOT_CARD_NUMBERS: WordList = WordList::new(
    "\
    imei ocr sim iccid faktur invoice order kundn kundnr customer referens reference arende
    bankgiro plusgiro kontonummer kontonr account serie serial tracking sparnings kolli avtal
    contract orgnr organisationsnummer imsi msisdn meid",
);

/// Whether a word (with the one before it, in reading order) names a personal identity
/// number: "personnummer", "pnr", "samordningsnumret", "personal number", "SSN".
pub(super) fn names_personal_number(w: &str, previous: &str) -> bool {
    ["personnum", "personnr", "samordningsnum", "fodelsenum"]
        .iter()
        .any(|p| w.starts_with(p))
        || listed("pnr ssn", w)
        || (listed("number no nr", w) && listed("personal identity security", previous))
}

/// Words that speak of a payment card without naming its number.
pub(super) fn is_card_word(w: &str) -> bool {
    listed("kort kortet card cvc cvv cvc2 cvv2 visa", w)
}

/// Words near a Luhn-valid number that make it something other than a card number.
pub(super) fn blocks_card_number(w: &str) -> bool {
    let w: String = w.chars().filter(|c| c.is_alphanumeric()).collect();
    listed("kund case ref bg pg", &w) || NOT_CARD_NUMBERS.any(|p| w.starts_with(p))
}

static UNIT_WORDS: WordList = WordList::new(
    "\
    kr kronor sek :- mbit mbit/s mbps mb gb gbit gbps kbit kbps ghz mhz ms min minuter minutes
    minuten sekunder seconds timmar timme hours dagar days ganger gånger times st stycken
    procent % tecken siffror digits characters forsok försök attempts tries kvm meter mil km
    euro eur usd dollar kr/man kr/mån manader månader months veckor weeks gig mbit/sek år",
);

/// Units after a number that make it an amount or a measure, never a code: "649 kr", "500 mbit".
/// Takes the word in lower case, not folded: "år" is a unit, "är" is not.
pub(super) fn is_unit_word(w: &str) -> bool {
    UNIT_WORDS.has(w)
}

static MEASURE_SUFFIXES: WordList = WordList::new(
    "\
    g gb mb kb tb mbit mbps gbit gbps kbit kbps ghz mhz hz kr sek ms s h min m km mm cm st th nd
    rd e a x p i k w v mah tum gig db dbm % fps kr/man mbit/s t d",
);

/// The unit after a number in "12ms", "2.4GHz", "5G", "1st".
pub(super) fn is_measure_suffix(w: &str) -> bool {
    MEASURE_SUFFIXES.has(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_words_are_found_in_compounds_and_with_typos() {
        for word in [
            "lösenordet",
            "losenord",
            "lösenodret",
            "lsöenordet",
            "lösenrdet",
            "e-postlösenordet",
            "wifilösenordet",
            "passwrd",
            "passowrd",
            "password's",
            "admin-lösen",
            "nätverksnyckeln",
            "WPA-nyckeln",
            "wifi-koden",
        ] {
            let found = keyword(word, None);
            assert_eq!(found.map(|k| k.class), Some(Class::Password), "{word}");
            assert!(found.is_some_and(|k| k.strong), "{word}");
        }
        for word in [
            "pinkoden",
            "pinkåden",
            "pinnkoden",
            "puckkoden",
            "PUK2",
            "engångskåden",
            "verifikationskod",
            "BankID-koden",
            "CVC-koden",
            "skärmlåskoden",
        ] {
            assert_eq!(
                keyword(word, None).map(|k| k.class),
                Some(Class::Code),
                "{word}"
            );
        }
        for (word, previous) in [("felkod", None), ("code", Some("error")), ("kortet", None)] {
            assert_eq!(keyword(word, previous), None, "{word}");
        }
        assert_eq!(
            keyword("key", Some("wifi")).map(|k| k.strong),
            Some(true),
            "a wifi key"
        );
        assert_eq!(keyword("key", None).map(|k| k.strong), Some(false));
        assert!(keyword("in", Some("logga")).is_some_and(|k| k.login));
        assert_eq!(
            keyword("kortnumret", None).map(|k| k.class),
            Some(Class::Card)
        );
    }
}
