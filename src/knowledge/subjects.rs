//! What a message names and what a guide is about: the devices and parts (fibre box, router,
//! SIM card, TV box, app), and the kinds of fault (no sound, a freezing picture, coverage),
//! in Swedish and English.
//!
//! The encoder hears "a lamp is red" louder than which box the lamp is on, so "lampan på
//! fiberdosan lyser rött" lands nearer the router-lamp guide than the fibre-box one. Naming a
//! thing is the customer's strongest hint; guides that are about the things named rank
//! higher. Rare subjects count more than common ones (a PIN code says more than "the phone").

use std::collections::HashSet;

/// One thing a customer can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subject {
    FibreBox,
    Router,
    CableModem,
    PhoneJack,
    Email,
    Esim,
    SimCard,
    PinCode,
    Phone,
    HomePhone,
    TvBox,
    Tv,
    App,
    Channel,
    Sound,
    Freezing,
    NoSignal,
    Coverage,
    Slow,
    Wifi,
    Device,
    Lamp,
    Invoice,
    Reminder,
    Payment,
    Voicemail,
    Abroad,
    Password,
    Outage,
    Moving,
}

/// How each subject is written, folded as the lexicon folds (lower case, å/ä → a, ö → o,
/// punctuation and hyphens as single spaces).
/// A form matches at the start of a word ("fiberdos" in "fiberdosan"); `*` in front lets it
/// match inside a compound as well ("bredbandsroutern"); `$` after it asks for the whole word
/// ("pin", not "pinsamt").
const FORMS: &[(Subject, &[&str])] = &[
    (
        Subject::FibreBox,
        &[
            "fiberbox",
            "fiberdos",
            "fiberomvandlare",
            "*mediaomvandlare",
            "mediakonverter",
            "fibre box",
            "fiber box",
            "fibrebox",
            "media converter",
            "fiberuttag",
            "fibre socket",
            "fiber socket",
            // "Fibern funkar inte, på dosan i klädkammaren lyser en lampa rött"
            "dosan$",
        ],
    ),
    (Subject::Router, &["*router", "*routrar"]),
    (
        Subject::CableModem,
        &["*modem", "antennuttag", "antenna socket", "koax", "coax"],
    ),
    (
        Subject::PhoneJack,
        &[
            "*telejack",
            "telefonjack",
            "phone jack",
            "filter",
            "splitter",
        ],
    ),
    (
        Subject::Email,
        &[
            "e post", "epost", "mejl", "mail", "email", "webmail", "outlook",
        ],
    ),
    (Subject::Esim, &["esim", "e sim"]),
    (
        Subject::SimCard,
        &["sim$", "simkort", "sim kort", "sim card", "simmet"],
    ),
    (
        Subject::PinCode,
        &["pin$", "pinkod", "pin kod", "pin code", "puk"],
    ),
    (
        Subject::Phone,
        &[
            "telefon", "phone", "mobil", "iphone", "android", "samsung", "pixel",
        ],
    ),
    (
        Subject::HomePhone,
        &[
            "*hemtelefon",
            "fast telefon",
            "fasta telefon",
            "landline",
            "home phone",
            "voip",
            "ip telefon",
            "fastnat",
        ],
    ),
    (
        Subject::TvBox,
        &[
            "tv box",
            "tvbox",
            "*digitalbox",
            "set top",
            "settop",
            "tv mottagare",
        ],
    ),
    (Subject::Tv, &["tv$", "tvn$", "teve", "television"]),
    (
        Subject::App,
        &[
            "app$",
            "appen",
            "apparna",
            "appar$",
            "apps$",
            "netflix",
            "viaplay",
            "youtube",
            "hbo",
            "disney",
            "streaming",
            "streama",
            "play$",
        ],
    ),
    (Subject::Channel, &["kanal", "channel"]),
    (Subject::Sound, &["ljud", "sound", "audio"]),
    (
        Subject::Freezing,
        &[
            "fryser", "frys", "hackar", "hackig", "freez", "stutter", "buffr", "lagg",
        ],
    ),
    (Subject::NoSignal, &["ingen signal", "no signal"]),
    (
        Subject::Coverage,
        &[
            "tackning",
            "coverage",
            "mottagning",
            "reception",
            "staplar",
            "bars$",
        ],
    ),
    (
        Subject::Slow,
        &[
            "langsam",
            "seg$",
            "segt",
            "slow",
            "hastighet",
            "speed",
            "mbit",
            "megabit",
            "bredbandskollen",
        ],
    ),
    (
        Subject::Wifi,
        &["*wifi", "wi fi", "wlan", "tradlos", "wireless"],
    ),
    (
        Subject::Device,
        &[
            "dator",
            "laptop",
            "ipad",
            "surfplatta",
            "tablet",
            "skrivare",
            "printer",
            "enhet",
            "device",
            "playstation",
            "xbox",
            "chromecast",
            "computer",
        ],
    ),
    (
        Subject::Lamp,
        &["lamp", "lyser", "lyste", "light", "led$", "leds$", "blink"],
    ),
    (
        Subject::Invoice,
        &["faktur", "invoice", "bill$", "bills$", "billed", "rakning"],
    ),
    (
        Subject::Reminder,
        &["paminnelse", "reminder", "inkasso", "debt collect"],
    ),
    (
        Subject::Payment,
        &[
            "autogiro",
            "e faktura",
            "efaktura",
            "betalsatt",
            "direct debit",
            "e invoice",
            "kivra",
            "brevlada",
            "digital mailbox",
        ],
    ),
    (
        Subject::Voicemail,
        &[
            "*rostbrevlad",
            "voicemail",
            "voice mail",
            "svarsservice",
            "mobilsvar",
        ],
    ),
    (
        Subject::Abroad,
        &["utomlands", "utlandet", "abroad", "roaming", "eu$"],
    ),
    (Subject::Password, &["*losenord", "password"]),
    (
        Subject::Outage,
        &["driftstorning", "avbrott", "outage", "storning"],
    ),
    (
        Subject::Moving,
        &["flytt", "moving", "new address", "ny adress"],
    ),
];

/// Whether `folded` holds `form`, written as in [`FORMS`] (`*` inside a compound, `$` a whole
/// word).
pub(crate) fn matches(folded: &str, form: &str) -> bool {
    let (anywhere, form) = match form.strip_prefix('*') {
        Some(rest) => (true, rest),
        None => (false, form),
    };
    let (whole, form) = match form.strip_suffix('$') {
        Some(rest) => (true, rest),
        None => (false, form),
    };
    folded.match_indices(form).any(|(at, _)| {
        let starts = anywhere
            || !folded[..at]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric);
        let ends = !whole
            || !folded[at + form.len()..]
                .chars()
                .next()
                .is_some_and(char::is_alphanumeric);
        starts && ends
    })
}

/// The subjects a text names.
pub fn named_in(text: &str) -> HashSet<Subject> {
    let folded = crate::classifier::lexicon::fold(text);
    FORMS
        .iter()
        .filter(|(_, forms)| forms.iter().any(|f| matches(&folded, f)))
        .map(|(subject, _)| *subject)
        .collect()
}

/// What a guide is about: what its title, symptoms and examples name. The steps are left
/// out: a fibre-box guide tells the customer to look at the router too, but is not about it.
pub fn of_guide(guide: &super::Guide) -> HashSet<Subject> {
    let mut all = named_in(&guide.title);
    for line in guide.symptoms.iter().chain(&guide.examples) {
        all.extend(named_in(line));
    }
    all
}

/// What one step is about: what its title and instruction name ("tog ut simkortet" is
/// about the step that checks the SIM card).
pub fn of_step(step: &super::Step) -> HashSet<Subject> {
    named_in(&format!("{} {}", step.title, step.instruction))
}

/// How well each guide covers what a message names, from 0 (nothing or nothing named) to 1
/// (all of it): the named subjects' rarity among the guides (inverse document frequency)
/// summed over those the guide is about, over the sum for all named.
pub fn coverage<'a>(
    named: &HashSet<Subject>,
    guides: impl Iterator<Item = &'a HashSet<Subject>> + Clone,
) -> impl Fn(&HashSet<Subject>) -> f32 {
    let total = guides.clone().count() as f32;
    let weights: Vec<(Subject, f32)> = named
        .iter()
        .map(|s| {
            let df = guides.clone().filter(|g| g.contains(s)).count() as f32;
            (*s, ((total + 1.0) / (df + 1.0)).ln())
        })
        .collect();
    let mass: f32 = weights.iter().map(|(_, w)| w).sum();
    move |guide: &HashSet<Subject>| {
        if mass <= 0.0 {
            return 0.0;
        }
        weights
            .iter()
            .filter(|(s, _)| guide.contains(s))
            .map(|(_, w)| w)
            .sum::<f32>()
            / mass
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(subjects: &[Subject]) -> HashSet<Subject> {
        subjects.iter().copied().collect()
    }

    #[test]
    fn things_are_found_in_compounds_inflections_and_both_languages() {
        let named = named_in("Lampan på fiberdosan lyser rött");
        assert_eq!(named, set(&[Subject::FibreBox, Subject::Lamp]));
        assert!(named_in("bredbandsroutern är död").contains(&Subject::Router));
        assert!(named_in("the media converter is dark").contains(&Subject::FibreBox));
        assert!(named_in("pinkoden funkar inte på nya telefonen").contains(&Subject::PinCode));
        assert!(named_in("tv:n hackar").contains(&Subject::Tv));
        assert!(named_in("tv-boxen startar om").contains(&Subject::TvBox));
    }

    #[test]
    fn a_word_that_merely_begins_like_a_subject_is_not_one() {
        assert!(named_in("pinsamt dålig service").is_empty());
        assert!(named_in("tvättmaskinen").is_empty());
        assert!(!named_in("jag ska lyssna på röstbrevlådan").contains(&Subject::Lamp));
        assert!(!named_in("röstbrevlådan").contains(&Subject::Payment));
    }

    #[test]
    fn a_rare_subject_outweighs_a_common_one() {
        let pin_guide = set(&[Subject::SimCard, Subject::PinCode, Subject::Phone]);
        let esim_guide = set(&[Subject::Esim, Subject::Phone]);
        let roaming = set(&[Subject::Phone, Subject::Abroad]);
        let data = set(&[Subject::Phone]);
        let guides = [pin_guide.clone(), esim_guide.clone(), roaming, data];
        let named = named_in("pinkoden funkar inte på nya telefonen");
        let score = coverage(&named, guides.iter());
        assert!(score(&pin_guide) > 0.99);
        assert!(score(&esim_guide) < 0.3);
        let nothing = coverage(&HashSet::new(), guides.iter());
        assert_eq!(nothing(&pin_guide), 0.0);
    }
}
