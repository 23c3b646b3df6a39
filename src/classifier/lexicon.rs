//! The cancellation safety net: word patterns that flag a wish to end a subscription even when
//! the model is unsure.
//!
//! Recall is what matters here. A missed cancellation means a customer who asked to leave is
//! kept in troubleshooting, which is exactly the complaint Felsök exists to fix; a needless
//! offer of the written path costs one extra button. So the patterns are broad, and they run
//! on text folded to plain ASCII letters so that "säga upp", "saga upp" and "sägaupp" all match.

use std::sync::LazyLock;

use regex::RegexSet;

/// Lowercases, folds å/ä/ö/é/ü and friends to ASCII, turns punctuation into spaces and
/// collapses white space.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last_space = true;
    for c in text.chars().flat_map(char::to_lowercase) {
        let mapped = match c {
            'å' | 'ä' | 'à' | 'á' | 'â' | 'ã' | 'æ' => 'a',
            'ö' | 'ø' | 'ó' | 'ò' | 'ô' | 'õ' => 'o',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'ü' | 'ú' | 'ù' | 'û' => 'u',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            c if c.is_alphanumeric() => c,
            _ => ' ',
        };
        if mapped == ' ' {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(mapped);
            last_space = false;
        }
    }
    out.truncate(out.trim_end().len());
    out
}

/// Lower-cased, with å/ä/ö folded and apostrophes kept straight, so "du forstar inte" counts
/// as much as "du förstår inte" and "doesn’t" as "doesn't". Lighter than [`fold`]: word
/// lists with apostrophes and punctuation-sensitive checks read this.
pub fn lower_folded(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .map(|c| match c {
            'å' | 'ä' => 'a',
            'ö' => 'o',
            '’' => '\'',
            c => c,
        })
        .collect()
}

/// Patterns over folded text. Each line names what it catches.
const PATTERNS: &[&str] = &[
    // säga upp, säger upp, sagt upp, säg upp, säja upp, sägaupp, sägas upp, "sga upp",
    // "säger man upp"
    r"\bs(a|e)?[gj]+(a|as|er|t|s|e|es)?\s?((man|jag|vi|du|ni|hon|han|den|det|dom|de|mitt|min)\s){0,2}upp\b",
    // uppsägning(en), uppsägningstid, uppsägnig, uppsäjning
    r"\bupps(a|e)?[gj]",
    // avsluta/avslutar/avslutat + mitt abonnemang / avtalet / kontot / allt ...
    r"\bavslut\w*\s+(\w+\s+){0,3}(abonn|abb\b|avtal|kontrakt|konto|kundkonto|bredband|mobil|tjanst|kundskap|engagemang|fiber|tv|surf|telefon|nummer|prenumeration)",
    r"\bavslut\w*\s+(allt|alla|dem|det|hela|samtliga)\b",
    r"\b(inte|ej)\s+(\w+\s+){0,4}(av|hos)\s+er\s+(\w+\s+)?(langre|mer)\b",
    r"\b(abonn\w*|avtal\w*|kontrakt\w*|konto\w*|bredband\w*)\s+(\w+\s+){0,3}avslut",
    r"\bavslut(ning)?\s+av\b",
    // avbryta, häva, terminera, bryta avtalet / bindningstiden
    r"\bavbryt\w*\s+(\w+\s+){0,2}(abonn|avtal|prenumeration|kontrakt)",
    r"\bhav(a|er|t|s)\s+(\w+\s+){0,2}(avtal|kontrakt|abonn)",
    r"\btermin(era|erar|erat|ering)",
    r"\bbryt\w*\s+(\w+\s+){0,2}(avtal|kontrakt|bindning)",
    // inte ha kvar / inte vara kvar hos er
    r"\binte\s+(\w+\s+){0,2}(ha|vara|va)\s+kvar",
    // byta operatör / leverantör / bolag, gå över till en annan operatör
    r"\bbyt\w*\s+(\w+\s+){0,3}(operator|leverantor|bolag|telebolag|mobiloperator)",
    r"\b(annan|ny|nytt|annat)\s+(operator|leverantor|bolag|telebolag)",
    r"\b(ga|gar|gatt|gick)\s+over\s+till\s+(\w+\s+){0,2}(annan|annat|ny|nytt|stadsnat\w*|konkurrent\w*|operator\w*|leverantor\w*|bolag\w*)",
    r"\bportera\w*",
    r"\bflytt\w*\s+(\w+\s+){0,2}nummer\w*\s+(\w+\s+){0,2}(till|hos)\s+(en\s+)?(annan|ny)",
    // inte vara kund längre, sluta som kund, lämna er, radera mig som kund
    r"\b(inte|ej|aldrig)\s+(\w+\s+){0,2}(vara|va)\s+kund",
    r"\bsluta\w*\s+(\w+\s+){0,2}(vara|va|som)\s+kund",
    r"\bsluta\w*\s+(med\s+)?(mitt\s+|ert\s+)?(abonn|avtal|bredband|tv\s?paket)",
    r"\blamna\w*\s+(er|ert|bolaget|operatoren|som\s+kund)\b",
    r"\blamna\w*\b.*\bbindning",
    r"\bkund\s+hos\s+er\s+(\w+\s+){0,2}(langre|mer)\b",
    r"\b(radera|ta\s+bort|stryk)\w*\s+mig\s+(som|ur|fran)\s+(kund|register|er)",
    // stänga av / ta bort abonnemanget, numret eller kontot för gott, avregistrera
    // (whole words: "stängde av wifit, bredbandskollen gav 38" turns nothing off for good)
    r"\bstang\w*\s+(\w+\s+){0,3}(abonn|avtal|konto(t|n)?\b|bredband(et|en)?\b|(telefon|mobil)?nummer(et|en)?\b|tjanst(en|erna)?\b)",
    r"\bta\s+bort\s+(\w+\s+){0,3}(abonn|avtal|bredband|tjanster|konto)",
    r"\b(abonn|avtal|bredband)\w*\s+(\w+\s+){0,4}ska\s+bort\b",
    r"\bavregistr",
    r"\bkundforhallande",
    r"\bcancl",
    // on behalf of someone who has died
    r"\bdodsbo",
    r"\b(pappa|mamma|far|mor|farfar|farmor|morfar|mormor|make|maka|man|fru|sambo|bror|syster|son|dotter|foralder|anhorig|slakting|granne)\w*\s+(\w+\s+){0,3}(gatt\s+bort|gick\s+bort|avled|dog|har\s+dott|somnade\s+in)\b",
    r"\bavliden",
    // moving abroad, for good
    r"\bemigr",
    r"\b(flytt\w*|bosatt\w*|moving|move|relocat\w*)\b.*\b(utomlands|utlandet|abroad|overseas)\b",
    r"\b(for\s+good|permanent\w*)\b.*\b(contract|subscription|abonn|avtal|allt|everything)",
    r"\b(contract|subscription|abonn|avtal|allt|everything)\b.*\b(for\s+good|permanent\w*)\b",
    // English
    r"\bcanc(el|le)",
    r"\bcansel",
    r"\bterminat",
    r"\bunsubscrib",
    r"\bdiscontinu",
    r"\bquit\b",
    r"\b(end|close|stop|quit|drop|kill|exit|shut)\w*\s+(down\s+)?(\w+\s+){0,3}(contract|subscription|plan|account|agreement|service|membership|broadband|line|number)",
    r"\b(contract|subscription|plan|account|agreement)\s+(\w+\s+){0,2}(ended|closed|stopped|terminated)",
    r"\bbreak\w*\s+(\w+\s+){0,2}(contract|agreement)",
    r"\bout\s+of\s+(my|the|this|our)\s+(contract|subscription|plan|agreement)",
    r"\bget\s+out\b",
    // not "network": "switched the tablets to the 2.4 network" is wifi
    r"\bswitch\w*\s+(\w+\s+){0,4}(provider|operator|carrier|company)",
    r"\bswitch\w*\s+(\w+\s+){0,2}(another|different)\s+(mobile\s+)?network",
    r"\b(another|different|new|other)\s+(provider|operator|carrier|company)",
    r"\bport\w*\s+(\w+\s+){0,2}(out|number)",
    r"\bno\s+longer\s+(\w+\s+){0,5}customer",
    r"\b(not|don\s?t|do\s+not|stop|quit)\s+(\w+\s+){0,3}(be|being)\s+(\w+\s+)?customer",
    r"\bleav\w*\s+(you|your|as\s+a\s+customer|the\s+company)",
    r"\bleav\w*\b.*\b(penalty|fee|contract|binding)",
    r"\bmov\w*\s+(\w+\s+){0,2}abroad",
    r"\b(passed\s+away|deceased|died)\b",
    // Customers of a Swedish operator also write in their own languages; the bot answers in
    // Swedish or English, but a wish to leave is never missed for the language it is in.
    // Finnish: irtisanoa, irtisanon, irtisanominen, lopettaa liittymä/sopimus
    // Leaving said as being rid of the company, in anger: "hur blir jag av med er?", "ni
    // ser mig aldrig mer som kund", "I want nothing more to do with you people".
    r"\b(bli|blir|blev)\s+(jag\s+|vi\s+|man\s+)?av\s+med\s+er\b",
    r"\b(inget|ingenting|nagot|nat)\s+(mer\s+)?med\s+er\s+att\s+gora\b",
    r"\baldrig\s+(mer\s+|igen\s+)?(\w+\s+){0,2}kund\b",
    r"\bklar\s+med\s+er\b",
    r"\bsista\s+(ni\s+)?(ser|sett|hor|hort)\s+(av|fran)\s+mig",
    r"\bnothing\s+(more\s+|else\s+)?to\s+do\s+with\s+(you|your)",
    r"\b(done|finished|through)\s+with\s+(you|your\s+company)\b",
    r"\brid\s+of\s+you\b",
    r"\bnever\s+(again\s+)?(\w+\s+){0,4}customer",
    r"\blast\s+you\s+(will\s+)?(see|hear)\s+(of|from)\s+me",
    r"\birtisano",
    r"\blopet\w*\s+(\w+\s+){0,2}(liittym|sopimu|tilau)",
    // German: kündigen, Kündigung; Spanish: cancelar/dar de baja; Portuguese: cancelar
    r"\bk(u|ue)ndig",
    r"\bcancelar\b",
    r"\bdar(me)?\s+de\s+baja\b",
    // Polish: wypowiedzieć/wypowiedzenie umowy, rezygnować/rezygnacja, anulować
    r"\bwypowiedz",
    r"\brezygn",
    r"\banulow",
    // Turkish: iptal etmek; Somali: joojin; Arabic: إلغاء (cancel), Persian: لغو
    r"\biptal\b",
    r"\bjoojin",
    r"إلغاء",
    r"الغاء",
    r"لغو",
];

static SET: LazyLock<RegexSet> =
    LazyLock::new(|| RegexSet::new(PATTERNS).expect("cancellation patterns compile"));

/// True when the text reads like a wish to end a subscription.
pub fn signals_cancellation(text: &str) -> bool {
    SET.is_match(&fold(text))
}

/// Saying outright that one does not want to cancel, over folded text: "vill INTE säga upp",
/// "inte säga upp nåt alltså", "I don't want to cancel". Narrow on purpose: "varför kan jag
/// inte säga upp?" is a wish to cancel, blocked.
const DECLINES: &[&str] = &[
    r"\b(vill|tanker|ska|behover|planerar|tankte)\s+(\w+\s+)?(inte|ej|absolut\s+inte)\s+(\w+\s+)?(saga|saja)\s+upp\b(\s+(nagot|nat|nanting|nagonting|alltsa|nagot\s+alltsa|nat\s+alltsa))?",
    r"\binte\s+saga\s+upp\s+(nagot|nat|nanting|nagonting|alltsa)\b(\s+alltsa)?",
    r"\b(don\s?t|do\s+not|dont)\s+(\w+\s+)?(want|wish|need|plan|intend)\s+to\s+cancel\w*(\s+anything)?",
    r"\bnot\s+(looking|trying|going|planning|wanting)\s+to\s+cancel\w*(\s+anything)?",
    r"\bno\s+intention\s+of\s+cancel\w*",
    // wanting to keep it after all: "min sambo vill nog ha kvar den", "we'd rather keep it"
    // (no room for a word between: "vill inte ha kvar" is a wish to cancel)
    r"\b(vill|ska|tanker|behover)\s+((nog|garna|ju|helst|fortfarande)\s+){0,2}(ha\s+kvar|behalla)\b",
    r"\b(i|we|she|he|they)\s+(d\s+|would\s+|still\s+)?(rather|want\s+to|wants\s+to|like\s+to|will)\s+keep\s+(it|them|the|my|our)\b",
];

/// Turning a device off, over folded text: "stänga av ungarnas ipads", "turned the router
/// off". The model hears "stänga av" as ending a subscription; a device switched off is not
/// one. Whole device words only: "stäng av mobilabonnemanget" is a cancellation.
const DEVICES_OFF: &[&str] = &[
    r"\b(stang\w*|slog\w*|sla)\s+av\s+(\w+\s+){0,2}(ipad\w{0,3}|surfplatt\w*|dator(n|er|erna)?|laptop\w{0,3}|mobil(en|er|erna)?|telefon(en|er|erna)?|router(n|na|s)?|box(en|ar|arna)?|tv(n|ar)?|wifi(t|et)?|modem(et)?|enhet\w*|pryl\w*|spel\w*|mobildata(n)?)\b",
    r"\b(turn\w*|switch\w*|shut\w*|power\w*)\s+(off\s+)?(\w+\s+){0,2}(ipads?|tablets?|computers?|laptops?|phones?|router|box|tv|wifi|modem|devices?|consoles?|mobile\s+data)(\s+off)?\b",
];

static DEVICES_SWITCHED_OFF: LazyLock<Vec<regex::Regex>> = LazyLock::new(|| {
    DEVICES_OFF
        .iter()
        .map(|p| regex::Regex::new(p).expect("device patterns compile"))
        .collect()
});

static DECLINED: LazyLock<Vec<regex::Regex>> = LazyLock::new(|| {
    DECLINES
        .iter()
        .map(|p| regex::Regex::new(p).expect("decline patterns compile"))
        .collect()
});

/// When the text says it does not want to cancel, or only switches a device off: the rest of
/// it (folded), to be read for a wish to cancel something else ("inte säga upp bredbandet,
/// men mobilen ska bort" still cancels). `None` when it says no such thing.
pub fn without_declines(text: &str) -> Option<String> {
    let folded = fold(text);
    let mut unplugged = folded.clone();
    for pattern in DEVICES_SWITCHED_OFF.iter() {
        unplugged = pattern.replace_all(&unplugged, " ").into_owned();
    }
    let devices_off = unplugged != folded;
    let mut rest = unplugged.clone();
    for pattern in DECLINED.iter() {
        rest = pattern.replace_all(&rest, " ").into_owned();
    }
    // "Vill egentligen inte säga upp, men måste": reluctant, still leaving. A plain "men"
    // is not enough: "inte säga upp, men byta paket" stays.
    let reluctant = folded.split_whitespace().any(|w| {
        matches!(
            w,
            "maste" | "tvungen" | "tvingas" | "egentligen" | "must" | "forced" | "really"
        )
    }) || folded.contains("have to");
    if rest != unplugged && !reluctant {
        Some(rest)
    } else {
        devices_off.then_some(unplugged)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The safety net alone catches every cancellation example we have, and rarely fires on
    /// anything else.
    #[test]
    fn every_cancellation_example_is_caught_and_false_alarms_are_rare() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut others = 0;
        let mut false_alarms = Vec::new();
        for dir in ["models/training", "eval/heldout"] {
            for e in crate::classifier::examples::load_dir(&root.join(dir)).unwrap() {
                let flagged = signals_cancellation(&e.text);
                if e.intent == crate::domain::Intent::CancelSubscription.as_str() {
                    assert!(flagged, "missed cancellation in {dir}: {}", e.text);
                } else {
                    others += 1;
                    if flagged {
                        false_alarms.push(e.text);
                    }
                }
            }
        }
        assert!(
            false_alarms.len() * 100 < others,
            "over 1 % false alarms: {false_alarms:#?}"
        );
    }

    #[test]
    fn saying_one_does_not_want_to_cancel_is_no_wish_to_cancel() {
        for text in [
            "jag vill INTE säga upp, bara gå ner till 250 mbit",
            "jag tänker absolut inte säga upp, men vill byta till ett billigare tv-paket",
            "vill ha kvar bredbandet, inte säga upp nåt alltså",
            "I don't want to cancel, just change my plan",
        ] {
            let rest = without_declines(text).expect(text);
            assert!(!SET.is_match(&rest), "{text} → {rest}");
        }
        let rest = without_declines("vill inte säga upp bredbandet, mobilen ska jag säga upp")
            .expect("a decline");
        assert!(SET.is_match(&rest), "the mobile is still cancelled: {rest}");
        for text in [
            "varför kan jag inte säga upp på mina sidor?",
            "jag vill säga upp",
            "vill egentligen inte säga upp men priset är för högt",
            "I don't really want to cancel but I have to",
        ] {
            assert_eq!(without_declines(text), None, "{text}");
        }
    }

    #[test]
    fn folding_removes_accents_punctuation_and_case() {
        assert_eq!(fold("  Säga UPP, nu!!  "), "saga upp nu");
        assert_eq!(fold("Nätet är nere på Öland"), "natet ar nere pa oland");
    }

    #[test]
    fn swedish_inflections_compounds_and_misspellings_are_caught() {
        for text in [
            "Jag vill säga upp mitt abonnemang",
            "jag vill saga upp",
            "vill sägaupp bredbandet",
            "hur säjer man upp sig",
            "Jag säger upp avtalet",
            "har redan sagt upp",
            "vill sga upp",
            "Uppsägning av mobilabonnemang",
            "uppsagnig",
            "vad är uppsägningstiden?",
            "Jag vill avsluta mitt abonnemang",
            "hur avslutar jag avtalet",
            "kan jag bryta avtalet i förtid",
            "jag ska byta operatör",
            "vi går över till en annan leverantör",
            "jag vill inte vara kund hos er längre",
            "vill sluta som kund",
            "min pappa har gått bort, hur gör vi med hans abonnemang",
            "dödsbo efter min mamma",
            "vi flyttar utomlands i vår",
            "stäng av mitt abonnemang för gott",
            "flytta mitt nummer till en annan operatör",
            "jag har fått nog, hur blir jag av med er?",
            "jag vill inte ha något mer med er att göra",
            "ni ser mig aldrig mer som kund!!",
            "nu är jag klar med er",
            "i want nothing more to do with you people",
            "i'm done with you, where do i send it",
            "you'll never have me as a customer again",
        ] {
            assert!(signals_cancellation(text), "missed: {text}");
        }
    }

    #[test]
    fn a_wish_to_leave_in_another_language_is_caught() {
        for text in [
            "haluan irtisanoa liittymäni",
            "ich möchte meinen Vertrag kündigen",
            "quiero cancelar mi contrato",
            "chcę wypowiedzieć umowę",
            "aboneliğimi iptal etmek istiyorum",
            "أريد إلغاء الاشتراك",
        ] {
            assert!(signals_cancellation(text), "missed: {text}");
        }
    }

    #[test]
    fn keeping_it_after_all_declines_but_not_keeping_it_cancels() {
        for text in [
            "fast vänta, min sambo vill nog ha kvar den",
            "we'd rather keep it for now",
        ] {
            assert!(without_declines(text).is_some(), "{text}");
        }
        for text in [
            "jag vill inte ha kvar abonnemanget",
            "i don't want to keep it",
        ] {
            assert!(without_declines(text).is_none(), "{text}");
        }
        assert!(signals_cancellation("jag vill inte ha kvar abonnemanget"));
    }

    #[test]
    fn a_device_switched_off_is_no_cancellation() {
        for text in [
            "ok. tack för inget. ska jag sitta och stänga av ungarnas ipads nu också",
            "måste jag stänga av routern först?",
            "should I turn the router off and on again",
            "switched the tv box off for a minute",
        ] {
            let rest = without_declines(text).unwrap_or_else(|| panic!("missed: {text}"));
            assert!(!signals_cancellation(&rest), "{text}");
        }
        assert!(without_declines("stäng av mobilabonnemanget").is_none());
        let both = without_declines("stängde av routern, nu vill jag säga upp allt").unwrap();
        assert!(signals_cancellation(&both));
    }

    #[test]
    fn english_variants_are_caught() {
        for text in [
            "I want to cancel",
            "cancellation please",
            "terminate my contract",
            "how do I end my subscription",
            "close my account",
            "I'm switching to another provider",
            "port my number out",
            "I no longer want to be a customer",
            "we are moving abroad",
        ] {
            assert!(signals_cancellation(text), "missed: {text}");
        }
    }

    #[test]
    fn ordinary_troubleshooting_is_not_flagged() {
        for text in [
            "nätet är nere",
            "wifi är segt på kvällarna",
            "tv-boxen säger ingen signal",
            "jag har fått en påminnelse fast jag betalat",
            "stängde av wifit. bredbandskollen gav 38 mbit",
            "mobilen har ingen täckning",
            "hur ändrar jag lösenordet till wifi",
            "the internet is down",
            "my invoice is too high",
            "hej",
        ] {
            assert!(!signals_cancellation(text), "false alarm: {text}");
        }
    }
}
