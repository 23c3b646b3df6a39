// The guide editor (/editor): content editors sign in with an editor token, find a guide,
// change its source with a live preview of the steps as customers see them, save (the server
// validates and lists every problem), look back through versions, read per-step statistics
// and publish outage notices. Everything from the server is put into the page as text.

import { api, ApiError, el, renderText, translator, formatTime, store } from "./common.js";

// ---------------------------------------------------------------------------------------
// Texts

const STRINGS = {
  sv: {
    pageTitle: "Felsök – guideredigerare",
    skip: "Hoppa till innehållet",
    brand: "Felsök · Guider",
    navLabel: "Avsnitt",
    navGuides: "Guider",
    navOutages: "Driftstörningar",
    langSwitch: "English",
    langSwitchAria: "Switch to English",
    signOut: "Logga ut",
    signinTitle: "Logga in i guideredigeraren",
    signinHint: "Använd din redaktörstoken. En administratör skapar den med felsok token create --role editor.",
    tokenLabel: "Redaktörstoken",
    signIn: "Logga in",
    signingIn: "Loggar in …",
    appTitle: "Guideredigerare",
    guidesTitle: "Guider",
    newGuide: "Ny guide",
    searchLabel: "Sök",
    searchHint: "Titel, symptom, steg eller id.",
    languageLabel: "Språk",
    langAll: "Alla",
    langSv: "Svenska",
    langEn: "Engelska",
    noGuideTitle: "Ingen guide öppen",
    noGuideText: "Välj en guide i listan eller skapa en ny.",
    deleteGuide: "Ta bort guiden",
    discardDraft: "Kasta ändringarna",
    newIdLabel: "Guidens id",
    newIdHint: "Små bokstäver a–z, siffror och bindestreck, och slutet -sv eller -en. Kan inte ändras senare.",
    sourceLabel: "Källtext (Markdown)",
    sourceHint: "Varje steg börjar med ## och har raderna expected: och on_failure:. Förhandsvisningen uppdateras medan du skriver.",
    previewTitle: "Förhandsvisning: så ser kunden guiden",
    previewChecks: "Kontroll medan du skriver (servern har sista ordet när du sparar):",
    save: "Spara",
    historyTitle: "Versionshistorik",
    statsTitle: "Statistik per steg",
    statsCaption: "Hur ofta varje steg visades och vad kunderna svarade",
    colStep: "Steg",
    colTitle: "Rubrik",
    colShown: "Visat",
    colWorked: "Fungerade",
    colFailed: "Fungerade inte",
    colSkipped: "Kunde inte göra",
    colRate: "Andel som fungerade",
    outagesTitle: "Driftstörningar",
    outagesHint: "Kunder med postnummer i området får veta om störningen innan de ombeds starta om något.",
    activeOutages: "Pågående",
    newOutage: "Ny driftstörning",
    serviceLabel: "Tjänst",
    svcBroadband: "Bredband",
    svcTv: "Tv",
    svcMobile: "Mobilnätet",
    svcLandline: "Fast telefoni",
    svcEmail: "E-post",
    postcodesLabel: "Postnummer",
    postcodesHint: "Början av postnummer, åtskilda med kommatecken: 903 gäller alla 903 xx, 90331 bara det numret.",
    messageSvLabel: "Meddelande på svenska",
    messageEnLabel: "Meddelande på engelska",
    startLabel: "Började",
    startHint: "Lämna tomt för nu.",
    endLabel: "Beräknas vara åtgärdad",
    endHint: "Valfritt.",
    publishOutage: "Publicera driftstörningen",

    tokenMissing: "Skriv in din token.",
    tokenInvalid: "Den här token är inte giltig. Kontrollera att du har kopierat hela.",
    tokenForbidden: "Den här token hör inte till en redaktör. Be om en redaktörstoken.",
    sessionExpired: "Din inloggning gäller inte längre. Logga in igen.",
    signedOut: "Du är utloggad.",
    networkError: "Kunde inte nå servern. Kontrollera anslutningen och försök igen.",
    rateLimited: "För många anrop just nu. Vänta en stund och försök igen.",
    genericError: "Något gick fel: {message}",
    forbidden: "Din token får inte göra det här.",
    guideCount: "Visar {shown} av {total} guider.",
    searching: "Söker …",
    noMatches: "Inga guider matchar.",
    missingSv: "Saknar svensk översättning",
    missingEn: "Saknar engelsk översättning",
    lang_sv: "svenska",
    lang_en: "engelska",
    badge_sv: "SV",
    badge_en: "EN",
    unsavedMark: "osparade ändringar",
    versionShort: "version {version}",
    editorMeta: "{id} · {language} · version {version} · sparad {time}",
    newGuideTitle: "Ny guide",
    newGuideMeta: "Inte sparad än.",
    createTranslation_sv: "Skapa svensk översättning",
    createTranslation_en: "Skapa engelsk översättning",
    translationMissing: "Översättningen {id} finns inte. Kunder som skriver på {language} hittar inte den här guiden.",
    translationNone: "Guiden anger ingen översättning (raden translation: saknas).",
    dirty: "Osparade ändringar.",
    saving: "Sparar …",
    saved: "Sparat som version {version}. Nya chattar använder den direkt.",
    created: "Guiden {id} skapades (version {version}). Nya chattar använder den direkt.",
    notSavedOne: "Inte sparat: 1 problem att rätta.",
    notSavedMany: "Inte sparat: {count} problem att rätta.",
    problemsOne: "Inte sparat – rätta det här problemet:",
    problemsMany: "Inte sparat – rätta de här {count} problemen:",
    notSavedMessage: "Inte sparat: {message}",
    lineLabel: "Rad {line}",
    gotoLine: "Gå till rad {line}",
    conflict: "Guiden ändrades samtidigt av någon annan. Spara igen.",
    idRequired: "Skriv ett id för guiden.",
    idInvalid: "Ogiltigt id: använd a–z, 0–9 och bindestreck, 3–80 tecken, och avsluta med -sv eller -en.",
    idExists: "Det finns redan en guide med id {id}. Öppna den i listan i stället.",
    confirmDelete: "Ta bort guiden ”{title}” ({id})? Den försvinner direkt ur chattar och sökning. Historiken sparas.",
    deleted: "Guiden {id} togs bort. Historiken finns kvar.",
    confirmRestore: "Återställa version {version}? Den sparas som en ny version och används direkt i chattar.",
    confirmRestoreDirty: "Återställa version {version}? Den sparas som en ny version och används direkt i chattar. Dina osparade ändringar går förlorade.",
    restoring: "Återställer version {version} …",
    restored: "Version {from} återställdes och sparades som version {version}.",
    restoreFailed: "Version {version} kunde inte återställas. Den gamla källtexten ligger nu i rutan så att du kan rätta den.",
    versionLabel: "Version {version}",
    current: "gällande",
    deletedVersion: "borttagen",
    savedBy: "{author}, {time}",
    showSource: "Visa källtext",
    restore: "Återställ",
    restoreAria: "Återställ version {version}",
    historyEmpty: "Ingen historik än.",
    loading: "Laddar …",
    loadFailed: "Kunde inte ladda: {message}",
    statsNone: "Ingen statistik än: guiden har inte visats för någon kund.",
    statsNote: "Räknat över alla chattar. Ett steg som sällan fungerar kan behöva skrivas om.",
    statsNotSaved: "Statistik finns när guiden har sparats och använts.",
    low: "lågt",
    noOutages: "Inga pågående driftstörningar.",
    outageArea: "Postnummer: {postcodes}",
    outageStarted: "Började {time}",
    outageEnds: "beräknas åtgärdad {time}",
    outageNoEnd: "ingen beräknad sluttid",
    outageUpcoming: "Börjar {time}",
    endOutage: "Avsluta",
    endOutageAria: "Avsluta driftstörningen för {service}, postnummer {postcodes}",
    outageEnded: "Driftstörningen avslutades.",
    outagePublished: "Driftstörningen publicerades.",
    publishing: "Publicerar …",
    outageErrorsTitle: "Rätta det här:",
    errPostcodesRequired: "Ange minst ett postnummer.",
    errPostcode: "”{code}” är inte 1–5 siffror.",
    errTooManyPostcodes: "Högst 500 postnummer.",
    errMessageSv: "Skriv meddelandet på svenska (högst 1 000 tecken).",
    errMessageEn: "Skriv meddelandet på engelska (högst 1 000 tecken).",
    errEndBeforeStart: "Beräknat slut måste vara efter starten.",
    errBadDate: "Ogiltig tidpunkt.",
    cursor: "Rad {line}, kolumn {column}",

    svc_broadband: "bredband",
    svc_tv: "tv",
    svc_mobile: "mobilnätet",
    svc_landline: "fast telefoni",
    svc_email: "e-post",

    onFailureLabel: "Om det inte fungerar:",
    failNext: "nästa steg",
    failGuide: "fortsätt i guiden {id}",
    failHandoff: "kunden erbjuds en person ({queue})",
    queue_technical: "teknisk support",
    queue_billing: "faktura",
    queue_cancellation: "uppsägning",
    queue_general: "kundtjänst",
    previewEmpty: "Inga steg att visa än. Ett steg börjar med en rad ## Rubrik.",
    previewButtons: "Kundens knappar:",

    pc_tooLarge: "guiden är större än 65 536 byte",
    pc_noFront: "en guide börjar med front matter: ---",
    pc_unclosed: "front matter avslutas inte med ---",
    pc_unknownKey: "front matter: okänt fält {key}",
    pc_missingKey: "front matter: fältet {key} saknas",
    pc_dupKey: "front matter: fältet {key} står två gånger",
    pc_listExpected: "front matter: {key} ska vara en lista, t.ex. [a, b] eller rader som börjar med -",
    pc_scalarExpected: "front matter: {key} ska vara en text, inte en lista",
    pc_colon: "front matter: en text med ”: ” måste stå inom citattecken",
    pc_syntax: "front matter: raden går inte att tolka",
    pc_unclosedList: "front matter: listan saknar ]",
    pc_id: "{id} är inte ett giltigt id (a–z, 0–9 och -, slutar på -sv eller -en)",
    pc_lang: "language ska vara sv eller en",
    pc_idLang: "id {id} slutar inte på -{language}",
    pc_translation: "translation: {id} är inte ett giltigt id",
    pc_title: "title ska vara 1–120 tecken",
    pc_summary: "summary får inte vara tom",
    pc_intentsEmpty: "intents: ange minst en avsikt",
    pc_intentUnknown: "intents: okänd avsikt {intent}",
    pc_productsEmpty: "products: ange minst en produkt",
    pc_productUnknown: "products: okänd produkt {product}",
    pc_html: "ingen HTML i guider",
    pc_htmlText: "ingen HTML i guider: {text}",
    pc_sales: "support säljer aldrig: ta bort säljspråket ({found})",
    pc_textBefore: "text före första steget (## rubrik)",
    pc_heading: "bara ##-rubriker, en per steg",
    pc_link: "link ska vara en enda https://-adress",
    pc_onFailure: "on_failure ska vara next, guide:<id> eller handoff:<kö>",
    pc_queue: "okänd kö {queue} (technical, billing, cancellation, general)",
    pc_noSteps: "en guide behöver minst ett steg (## rubrik)",
    pc_maxSteps: "högst 20 steg",
    pc_stepNoTitle: "steget har ingen rubrik",
    pc_stepNoText: "steget har ingen instruktion",
    pc_stepNoExpected: "steget behöver expected: (det kunden ser när det fungerade)",
    pc_emptyAttribute: "{key}: behöver en text",
    pc_stepNoOnFailure: "steget behöver on_failure: next, guide:<id> eller handoff:<kö>",
    pc_lastNext: "sista steget kan inte fortsätta med next",
    pc_idAddress: "id i front matter ({id}) skiljer sig från guidens id ({address})",
    pc_jumpMissing: "steg {step} hoppar till guiden {id}, som inte finns",
    pc_jumpLang: "steg {step} hoppar till {id}, som är på ett annat språk",
    pc_translationSame: "översättningen {id} är på samma språk",
  },
  en: {
    pageTitle: "Felsök – guide editor",
    skip: "Skip to content",
    brand: "Felsök · Guides",
    navLabel: "Sections",
    navGuides: "Guides",
    navOutages: "Outages",
    langSwitch: "Svenska",
    langSwitchAria: "Byt till svenska",
    signOut: "Sign out",
    signinTitle: "Sign in to the guide editor",
    signinHint: "Use your editor token. An administrator creates it with felsok token create --role editor.",
    tokenLabel: "Editor token",
    signIn: "Sign in",
    signingIn: "Signing in …",
    appTitle: "Guide editor",
    guidesTitle: "Guides",
    newGuide: "New guide",
    searchLabel: "Search",
    searchHint: "Title, symptoms, steps or id.",
    languageLabel: "Language",
    langAll: "All",
    langSv: "Swedish",
    langEn: "English",
    noGuideTitle: "No guide open",
    noGuideText: "Choose a guide from the list, or create a new one.",
    deleteGuide: "Delete guide",
    discardDraft: "Discard changes",
    newIdLabel: "Guide id",
    newIdHint: "Lowercase a–z, digits and hyphens, ending in -sv or -en. Cannot be changed later.",
    sourceLabel: "Source (Markdown)",
    sourceHint: "Each step starts with ## and has the lines expected: and on_failure:. The preview updates as you type.",
    previewTitle: "Preview: what the customer sees",
    previewChecks: "Checked as you type (the server has the final say when you save):",
    save: "Save",
    historyTitle: "Version history",
    statsTitle: "Statistics per step",
    statsCaption: "How often each step was shown and what customers answered",
    colStep: "Step",
    colTitle: "Title",
    colShown: "Shown",
    colWorked: "Worked",
    colFailed: "Didn't work",
    colSkipped: "Couldn't do it",
    colRate: "Share that worked",
    outagesTitle: "Outages",
    outagesHint: "Customers with a postcode in the area are told about the outage before they are asked to restart anything.",
    activeOutages: "Active",
    newOutage: "New outage",
    serviceLabel: "Service",
    svcBroadband: "Broadband",
    svcTv: "TV",
    svcMobile: "Mobile network",
    svcLandline: "Landline",
    svcEmail: "E-mail",
    postcodesLabel: "Postcodes",
    postcodesHint: "Starts of postcodes, separated by commas: 903 covers every 903 xx, 90331 just that code.",
    messageSvLabel: "Message in Swedish",
    messageEnLabel: "Message in English",
    startLabel: "Started",
    startHint: "Leave empty for now.",
    endLabel: "Expected to be fixed",
    endHint: "Optional.",
    publishOutage: "Publish outage",

    tokenMissing: "Enter your token.",
    tokenInvalid: "This token is not valid. Check that you copied all of it.",
    tokenForbidden: "This token does not belong to an editor. Ask for an editor token.",
    sessionExpired: "Your sign-in is no longer valid. Please sign in again.",
    signedOut: "You are signed out.",
    networkError: "Could not reach the server. Check your connection and try again.",
    rateLimited: "Too many requests right now. Wait a moment and try again.",
    genericError: "Something went wrong: {message}",
    forbidden: "Your token may not do this.",
    guideCount: "Showing {shown} of {total} guides.",
    searching: "Searching …",
    noMatches: "No guides match.",
    missingSv: "Swedish translation missing",
    missingEn: "English translation missing",
    lang_sv: "Swedish",
    lang_en: "English",
    badge_sv: "SV",
    badge_en: "EN",
    unsavedMark: "unsaved changes",
    versionShort: "version {version}",
    editorMeta: "{id} · {language} · version {version} · saved {time}",
    newGuideTitle: "New guide",
    newGuideMeta: "Not saved yet.",
    createTranslation_sv: "Create Swedish translation",
    createTranslation_en: "Create English translation",
    translationMissing: "The translation {id} does not exist. Customers writing in {language} will not find this guide.",
    translationNone: "The guide names no translation (the translation: line is missing).",
    dirty: "Unsaved changes.",
    saving: "Saving …",
    saved: "Saved as version {version}. New chats use it straight away.",
    created: "Guide {id} created (version {version}). New chats use it straight away.",
    notSavedOne: "Not saved: 1 problem to fix.",
    notSavedMany: "Not saved: {count} problems to fix.",
    problemsOne: "Not saved – fix this problem:",
    problemsMany: "Not saved – fix these {count} problems:",
    notSavedMessage: "Not saved: {message}",
    lineLabel: "Line {line}",
    gotoLine: "Go to line {line}",
    conflict: "Someone else changed the guide at the same moment. Please save again.",
    idRequired: "Enter an id for the guide.",
    idInvalid: "Invalid id: use a–z, 0–9 and hyphens, 3–80 characters, ending in -sv or -en.",
    idExists: "A guide with the id {id} already exists. Open it from the list instead.",
    confirmDelete: "Delete the guide “{title}” ({id})? It disappears from chats and search at once. Its history is kept.",
    deleted: "Guide {id} was deleted. Its history is kept.",
    confirmRestore: "Restore version {version}? It is saved as a new version and used in chats at once.",
    confirmRestoreDirty: "Restore version {version}? It is saved as a new version and used in chats at once. Your unsaved changes will be lost.",
    restoring: "Restoring version {version} …",
    restored: "Version {from} was restored and saved as version {version}.",
    restoreFailed: "Version {version} could not be restored. Its source is now in the editor so you can fix it.",
    versionLabel: "Version {version}",
    current: "current",
    deletedVersion: "deleted",
    savedBy: "{author}, {time}",
    showSource: "Show source",
    restore: "Restore",
    restoreAria: "Restore version {version}",
    historyEmpty: "No history yet.",
    loading: "Loading …",
    loadFailed: "Could not load: {message}",
    statsNone: "No statistics yet: the guide has not been shown to any customer.",
    statsNote: "Counted over all chats. A step that rarely works may need rewriting.",
    statsNotSaved: "Statistics appear once the guide is saved and used.",
    low: "low",
    noOutages: "No active outages.",
    outageArea: "Postcodes: {postcodes}",
    outageStarted: "Started {time}",
    outageEnds: "expected to be fixed {time}",
    outageNoEnd: "no expected end",
    outageUpcoming: "Starts {time}",
    endOutage: "End",
    endOutageAria: "End the outage for {service}, postcodes {postcodes}",
    outageEnded: "The outage was ended.",
    outagePublished: "The outage was published.",
    publishing: "Publishing …",
    outageErrorsTitle: "Please fix:",
    errPostcodesRequired: "Enter at least one postcode.",
    errPostcode: "“{code}” is not 1–5 digits.",
    errTooManyPostcodes: "At most 500 postcodes.",
    errMessageSv: "Write the message in Swedish (at most 1,000 characters).",
    errMessageEn: "Write the message in English (at most 1,000 characters).",
    errEndBeforeStart: "The expected end must be after the start.",
    errBadDate: "Invalid time.",
    cursor: "Line {line}, column {column}",

    svc_broadband: "broadband",
    svc_tv: "TV",
    svc_mobile: "the mobile network",
    svc_landline: "landline",
    svc_email: "e-mail",

    onFailureLabel: "If it doesn't work:",
    failNext: "next step",
    failGuide: "continue in the guide {id}",
    failHandoff: "the customer is offered a person ({queue})",
    queue_technical: "technical support",
    queue_billing: "billing",
    queue_cancellation: "cancellation",
    queue_general: "customer service",
    previewEmpty: "No steps to show yet. A step starts with a line ## Title.",
    previewButtons: "Customer's buttons:",

    pc_tooLarge: "the guide is larger than 65,536 bytes",
    pc_noFront: "a guide starts with a front matter block: ---",
    pc_unclosed: "the front matter block is not closed with ---",
    pc_unknownKey: "front matter: unknown field {key}",
    pc_missingKey: "front matter: missing field {key}",
    pc_dupKey: "front matter: the field {key} appears twice",
    pc_listExpected: "front matter: {key} must be a list, e.g. [a, b] or lines starting with -",
    pc_scalarExpected: "front matter: {key} must be text, not a list",
    pc_colon: "front matter: text containing “: ” must be in quotes",
    pc_syntax: "front matter: this line cannot be read",
    pc_unclosedList: "front matter: the list is missing ]",
    pc_id: "{id} is not a guide id (lowercase a-z, 0-9 and -, ending in -sv or -en)",
    pc_lang: "language must be sv or en",
    pc_idLang: "the id {id} does not end in -{language}",
    pc_translation: "translation: {id} is not a guide id",
    pc_title: "title must be 1 to 120 characters",
    pc_summary: "summary must not be empty",
    pc_intentsEmpty: "intents: name at least one intent",
    pc_intentUnknown: "intents: unknown intent {intent}",
    pc_productsEmpty: "products: name at least one product",
    pc_productUnknown: "products: unknown product {product}",
    pc_html: "no HTML in guides",
    pc_htmlText: "no HTML in guides: {text}",
    pc_sales: "support never sells: remove the sales language ({found})",
    pc_textBefore: "text before the first step (## title)",
    pc_heading: "only ## headings are allowed: one per step",
    pc_link: "link must be one https:// URL",
    pc_onFailure: "on_failure must be next, guide:<id> or handoff:<queue>",
    pc_queue: "unknown queue {queue} (technical, billing, cancellation, general)",
    pc_noSteps: "a guide needs at least one step (## title)",
    pc_maxSteps: "at most 20 steps",
    pc_stepNoTitle: "the step has no title",
    pc_stepNoText: "the step has no instruction text",
    pc_stepNoExpected: "the step needs expected: (what the customer sees if it worked)",
    pc_emptyAttribute: "{key}: needs a text",
    pc_stepNoOnFailure: "the step needs on_failure: next, guide:<id> or handoff:<queue>",
    pc_lastNext: "the last step cannot continue with next",
    pc_idAddress: "the id in the front matter ({id}) differs from the guide's id ({address})",
    pc_jumpMissing: "step {step} jumps to the missing guide {id}",
    pc_jumpLang: "step {step} jumps to {id}, which is in another language",
    pc_translationSame: "translation {id} is in the same language",
  },
};

// What the customer sees in the chat, in the guide's own language (src/dialogue/replies.rs).
const CUSTOMER = {
  sv: {
    step: "Steg {number} av {total}: {title}",
    note: "Obs!",
    expected: "Så ser du att det fungerade:",
    more: "Läs mer:",
    buttons: ["Det fungerade", "Det fungerade inte", "Jag kan inte göra det här steget", "Prata med en människa"],
  },
  en: {
    step: "Step {number} of {total}: {title}",
    note: "Please note:",
    expected: "You'll know it worked when:",
    more: "More information:",
    buttons: ["It worked", "It didn't work", "I can't do this step", "Talk to a person"],
  },
};

const t0 = translator(STRINGS);
// The token lives only in the HttpOnly cookie the server sets; the page remembers just that
// this browser is signed in. Earlier versions kept the token itself under OLD_TOKEN_KEY.
const TOKEN_KEY = "felsok.editor.signedIn";
const OLD_TOKEN_KEY = "felsok.editor.token";
const LANG_KEY = "felsok.editor.lang";

let wasDirty = false;

const state = {
  lang: store.get(LANG_KEY) === "en" ? "en" : "sv",
  token: null,
  guides: [], // summaries from GET /api/v1/guides
  byId: new Map(),
  translationOf: new Map(), // id -> the `translation` named in its front matter, once read
  searchHits: null, // null: no query; otherwise ordered ids
  current: null, // { id, isNew, guide, serverSource }
  drafts: new Map(), // id -> unsaved source
  history: null,
  stats: null,
  outages: [],
  templateUntouched: false,
  lastProblems: null,
};

const t = (key, values) => t0(state.lang, key, values);
const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------------------------------
// The guide format, parsed in the browser for the live preview. It follows
// src/knowledge/guide.rs (and the checks in editing.rs) for everything editors commonly
// write; the server's answer on save is what counts.

const KNOWN_INTENTS = [
  "broadband_down", "broadband_slow", "cancel_subscription", "case_status", "change_subscription",
  "compensation", "complaint", "email_login", "greeting", "invoice_question", "mobile_coverage",
  "mobile_data", "move_address", "out_of_scope", "outage_status", "payment_method", "sim_pin_puk",
  "talk_to_human", "thanks_goodbye", "tv_problem", "unclear_problem", "voip_landline", "wifi_problem",
];
const PRODUCTS = ["fiber", "dsl", "coax", "router_4g5g", "tv_box", "mobile", "landline", "email", "billing"];
const QUEUES = ["technical", "billing", "cancellation", "general"];
const FRONT_KEYS = ["id", "title", "language", "translation", "intents", "products", "symptoms", "examples", "summary"];
const LIST_KEYS = ["intents", "products", "symptoms", "examples"];
const REQUIRED_KEYS = ["id", "title", "language", "intents", "products", "summary"];
const MAX_SOURCE_BYTES = 64 * 1024;
const MAX_STEPS = 20;

// src/knowledge/sales_language.rs, with Unicode word boundaries as Rust's regex has them.
const SALES_PATTERNS = [
  String.raw`\berbjud\w*`, String.raw`\bkampanj\w*`, String.raw`\w*rabatt\w*`,
  String.raw`\buppgradera (?:till|ditt|din|abonnemang\w*)`, String.raw`\bspecialpris\w*`,
  String.raw`\bintroduktionspris\w*`, String.raw`\bvälkomstpris\w*`, String.raw`\bförmånlig\w*`,
  String.raw`\bpassa på\b`, String.raw`\bmissa inte\b`, String.raw`\bbegränsad tid\b`,
  String.raw`\bprova gratis\b`, String.raw`\bgratis i \d+`, String.raw`\bbilligare\b`,
  String.raw`\bbättre pris\w*`, String.raw`\bhalva priset\b`, String.raw`\bför bara \d+`,
  String.raw`\blojalitet\w*`, String.raw`\bstanna kvar hos oss\b`, String.raw`\bbonus\w*`,
  String.raw`\bmersälj\w*`, String.raw`\bpaketpris\w*`,
  String.raw`\boffers?\b`, String.raw`\bdeals?\b`, String.raw`\bdiscount\w*`, String.raw`\bpromo\w*`,
  String.raw`\bcampaign\w*`, String.raw`\bupgrade (?:to|your)\b`, String.raw`\bfree trial\b`,
  String.raw`\blimited[- ]time\b`, String.raw`\bdon'?t miss\b`, String.raw`\bcheaper\b`,
  String.raw`\bbetter price\w*`, String.raw`\bsave up to\b`, String.raw`\bhalf price\b`,
  String.raw`\bfor only\b`, String.raw`\bbundle\w*`, String.raw`\bloyalty\b`, String.raw`\bexclusive\w*`,
  String.raw`\bstay with us\b`, String.raw`\bsign up now\b`,
];
const WORD = String.raw`[\p{L}\p{N}\p{M}_]`;
const SALES = SALES_PATTERNS.map((p) => {
  let source = p.replace(/\\w/g, WORD).replace(/\\d/g, String.raw`\p{Nd}`);
  if (source.startsWith(String.raw`\b`)) source = `(?<!${WORD})` + source.slice(2);
  if (source.endsWith(String.raw`\b`)) source = source.slice(0, -2) + `(?!${WORD})`;
  return new RegExp(source, "giu");
});

function salesPhrases(text) {
  const found = [];
  for (const re of SALES) {
    re.lastIndex = 0;
    for (const m of text.matchAll(re)) found.push([m.index, m[0]]);
  }
  found.sort((a, b) => a[0] - b[0]);
  return found.map((f) => f[1]);
}

const GUIDE_ID = /^[a-z0-9-]{3,80}$/;
function validGuideId(raw) {
  return typeof raw === "string" && GUIDE_ID.test(raw) && !raw.startsWith("-") && /-(sv|en)$/.test(raw);
}

function unquote(raw, line, problems) {
  const v = raw.trim();
  if (v.startsWith('"')) {
    if (!/^"(?:[^"\\]|\\.)*"$/.test(v)) {
      problems.push({ line, key: "pc_syntax" });
      return v.slice(1);
    }
    try {
      return JSON.parse(v);
    } catch {
      return v.slice(1, -1);
    }
  }
  if (v.startsWith("'")) {
    if (!/^'(?:[^']|'')*'$/.test(v)) {
      problems.push({ line, key: "pc_syntax" });
      return v.slice(1);
    }
    return v.slice(1, -1).replace(/''/g, "'");
  }
  if (v === "~" || v === "null" || v === "") return null;
  if (/:\s|:$/.test(v)) problems.push({ line, key: "pc_colon" });
  return v;
}

function stripComment(line) {
  // A "#" at the start or after whitespace, outside quotes, starts a YAML comment.
  let quote = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      if (i === 0 || /[\s:[,-]/.test(line[i - 1])) quote = c;
    } else if (c === "#" && (i === 0 || /\s/.test(line[i - 1]))) {
      return line.slice(0, i).replace(/\s+$/, "");
    }
  }
  return line;
}

function splitFlow(inner) {
  const items = [];
  let current = "";
  let quote = null;
  for (const c of inner) {
    if (quote) {
      current += c;
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      quote = c;
      current += c;
    } else if (c === ",") {
      items.push(current);
      current = "";
    } else current += c;
  }
  items.push(current);
  return items.map((s) => s.trim()).filter((s, i, all) => s !== "" || i < all.length - 1);
}

/** The front matter's fields; `lines` are the lines between the two `---`, first is line 2. */
function parseFrontMatter(lines, problems) {
  const data = {};
  const at = {};
  let listKey = null;
  let blockKey = null;
  let block = null;
  for (let i = 0; i < lines.length; i++) {
    const number = i + 2;
    const raw = lines[i];
    if (block) {
      if (raw.trim() === "" || /^\s/.test(raw)) {
        block.lines.push(raw.trim());
        continue;
      }
      data[blockKey] = block.lines.join(block.fold ? " " : "\n").trim();
      block = null;
      blockKey = null;
    }
    const line = stripComment(raw);
    if (line.trim() === "") continue;
    const item = /^\s*-(?:\s+(.*))?$/.exec(line);
    if (item && (listKey || /^\s/.test(line))) {
      if (!listKey) {
        problems.push({ line: number, key: "pc_syntax" });
        continue;
      }
      if (!Array.isArray(data[listKey])) data[listKey] = [];
      const value = unquote(item[1] ?? "", number, problems);
      data[listKey].push(value ?? "");
      continue;
    }
    if (/^\s/.test(line)) {
      // A plain text continued on the next line.
      const last = Object.keys(data).pop();
      if (last && typeof data[last] === "string") data[last] += " " + line.trim();
      else problems.push({ line: number, key: "pc_syntax" });
      continue;
    }
    const m = /^([^:\s][^:]*?)\s*:(?:\s+(.*)|)$/.exec(line);
    if (!m) {
      problems.push({ line: number, key: "pc_syntax" });
      listKey = null;
      continue;
    }
    const key = m[1];
    const rest = (m[2] ?? "").trim();
    listKey = null;
    if (!FRONT_KEYS.includes(key)) {
      problems.push({ line: number, key: "pc_unknownKey", values: { key } });
      continue;
    }
    if (key in data) problems.push({ line: number, key: "pc_dupKey", values: { key } });
    at[key] = number;
    if (rest === "") {
      data[key] = null;
      listKey = key;
    } else if (rest.startsWith("[")) {
      if (!rest.endsWith("]")) {
        problems.push({ line: number, key: "pc_unclosedList" });
        data[key] = [];
      } else {
        data[key] = splitFlow(rest.slice(1, -1)).map((s) => unquote(s, number, problems) ?? "");
      }
    } else if (rest === "|" || rest === ">" || /^[|>][-+]?$/.test(rest)) {
      blockKey = key;
      block = { fold: rest.startsWith(">"), lines: [] };
    } else {
      data[key] = unquote(rest, number, problems);
    }
  }
  if (block) data[blockKey] = block.lines.join(block.fold ? " " : "\n").trim();
  for (const key of FRONT_KEYS) {
    const value = data[key];
    if (LIST_KEYS.includes(key)) {
      if (value === null || value === undefined) {
        if (key in data && (key === "intents" || key === "products")) {
          problems.push({ line: at[key], key: "pc_listExpected", values: { key } });
        }
        data[key] = key in data || !REQUIRED_KEYS.includes(key) ? [] : undefined;
      } else if (!Array.isArray(value)) {
        problems.push({ line: at[key], key: "pc_listExpected", values: { key } });
        data[key] = [];
      }
    } else if (Array.isArray(value)) {
      problems.push({ line: at[key], key: "pc_scalarExpected", values: { key } });
      data[key] = value.join(", ");
    }
  }
  for (const key of REQUIRED_KEYS) {
    if (data[key] === undefined || (data[key] === null && !LIST_KEYS.includes(key))) {
      problems.push({ line: at[key] ?? null, key: "pc_missingKey", values: { key } });
    }
  }
  return { data, at };
}

/**
 * Parses a guide's source into { guide, steps, problems }; `guide` holds whatever could be
 * read even when there are problems, so the preview can show it.
 */
function parseGuide(source, { address, live, intents }) {
  const problems = [];
  const result = { front: {}, steps: [], problems };
  if (new TextEncoder().encode(source).length > MAX_SOURCE_BYTES) {
    problems.push({ line: null, key: "pc_tooLarge" });
    return result;
  }
  // Like Rust's str::lines(): split on \n, drop a trailing \r, no empty last line.
  // Every line break YAML knows counts as one, as on the server (guide.rs).
  const lines = source.replace(/\r\n?|[\u0085\u2028\u2029]/g, "\n").split("\n");
  if (lines.length && lines[lines.length - 1] === "") lines.pop();
  if (!lines.length || lines[0].trim() !== "---") {
    problems.push({ line: 1, key: "pc_noFront" });
    return result;
  }
  let end = -1;
  for (let i = 1; i < lines.length; i++) {
    if (lines[i].trim() === "---") {
      end = i;
      break;
    }
  }
  if (end < 0) {
    problems.push({ line: null, key: "pc_unclosed" });
    return result;
  }
  const { data: front, at } = parseFrontMatter(lines.slice(1, end), problems);
  result.front = front;
  const str = (v) => (typeof v === "string" ? v : "");

  const id = str(front.id);
  if (front.id != null && !validGuideId(id)) problems.push({ line: at.id ?? 2, key: "pc_id", values: { id: JSON.stringify(id) } });
  const language = str(front.language);
  if (front.language != null && language !== "sv" && language !== "en") {
    problems.push({ line: at.language ?? null, key: "pc_lang" });
  }
  if (validGuideId(id) && (language === "sv" || language === "en") && !id.endsWith(`-${language}`)) {
    problems.push({ line: at.id ?? null, key: "pc_idLang", values: { id, language } });
  }
  const translation = str(front.translation);
  if (front.translation != null && !validGuideId(translation)) {
    problems.push({ line: at.translation ?? null, key: "pc_translation", values: { id: JSON.stringify(translation) } });
  }
  if (front.title != null && (str(front.title).trim() === "" || [...str(front.title)].length > 120)) {
    problems.push({ line: at.title ?? null, key: "pc_title" });
  }
  if (front.summary != null && str(front.summary).trim() === "") problems.push({ line: at.summary ?? null, key: "pc_summary" });
  if (Array.isArray(front.intents)) {
    if (!front.intents.length) problems.push({ line: at.intents ?? null, key: "pc_intentsEmpty" });
    for (const intent of front.intents) {
      if (!intents.has(intent)) problems.push({ line: at.intents ?? null, key: "pc_intentUnknown", values: { intent: JSON.stringify(intent) } });
    }
  }
  if (Array.isArray(front.products)) {
    if (!front.products.length) problems.push({ line: at.products ?? null, key: "pc_productsEmpty" });
    for (const product of front.products) {
      if (!PRODUCTS.includes(product)) problems.push({ line: at.products ?? null, key: "pc_productUnknown", values: { product: JSON.stringify(product) } });
    }
  }
  const markup = (s) => s.includes("<") && s.includes(">");
  for (const text of [...(front.symptoms || []), ...(front.examples || []), str(front.title), str(front.summary)]) {
    if (markup(String(text))) problems.push({ line: null, key: "pc_htmlText", values: { text: JSON.stringify(String(text)) } });
  }
  const sales = (number, text) => {
    const found = salesPhrases(text);
    if (found.length) problems.push({ line: number, key: "pc_sales", values: { found: found.join(", ") } });
  };
  lines.slice(1, end).forEach((line, index) => {
    if (line.startsWith("title:") || line.startsWith("summary:")) sales(index + 2, line);
  });
  lines.slice(end + 1).forEach((line, offset) => sales(end + 2 + offset, line));

  const drafts = [];
  lines.slice(end + 1).forEach((rawLine, offset) => {
    const number = end + 2 + offset;
    const line = rawLine.replace(/\s+$/, "");
    if (line.startsWith("## ")) {
      drafts.push({ line: number, title: line.slice(3).trim(), instruction: [], warning: null, expected: null, onFailure: null, link: null, rulesOut: [] });
      return;
    }
    if (line.trim() === "") return;
    const step = drafts[drafts.length - 1];
    if (!step) {
      problems.push({ line: number, key: "pc_textBefore" });
      return;
    }
    if (line.startsWith("#")) problems.push({ line: number, key: "pc_heading" });
    else if (markup(line)) problems.push({ line: number, key: "pc_html" });
    const colon = line.indexOf(":");
    const key = colon >= 0 ? line.slice(0, colon) : null;
    const value = colon >= 0 ? line.slice(colon + 1).trim() : "";
    if ((key === "warning" || key === "expected" || key === "rules_out") && value === "") problems.push({ line: number, key: "pc_emptyAttribute", values: { key } });
    else if (key === "warning") step.warning = value;
    else if (key === "rules_out") step.rulesOut.push(...value.split(";").map((p) => p.trim()).filter(Boolean));
    else if (key === "expected") step.expected = value;
    else if (key === "link") {
      if (value.startsWith("https://") && !/\s/.test(value)) step.link = value;
      else problems.push({ line: number, key: "pc_link" });
    } else if (key === "on_failure") {
      const parsed = parseOnFailure(value);
      if (parsed.error) problems.push({ line: number, ...parsed.error });
      else step.onFailure = parsed;
    } else step.instruction.push(line.trim());
  });
  if (!drafts.length) problems.push({ line: null, key: "pc_noSteps" });
  if (drafts.length > MAX_STEPS) problems.push({ line: null, key: "pc_maxSteps" });
  drafts.forEach((d, index) => {
    if (!d.title) problems.push({ line: d.line, key: "pc_stepNoTitle" });
    if (!d.instruction.length) problems.push({ line: d.line, key: "pc_stepNoText" });
    if (d.expected === null) problems.push({ line: d.line, key: "pc_stepNoExpected" });
    else if (d.onFailure === null) problems.push({ line: d.line, key: "pc_stepNoOnFailure" });
    else if (index + 1 === drafts.length && d.onFailure.kind === "next") problems.push({ line: d.line, key: "pc_lastNext" });
    result.steps.push({ ...d, instruction: d.instruction.join("\n") });
  });

  // The checks against other guides that the server makes on save (editing.rs).
  if (address && validGuideId(id) && id !== address) {
    problems.push({ line: at.id ?? 2, key: "pc_idAddress", values: { id, address } });
  }
  result.steps.forEach((s, i) => {
    if (s.onFailure?.kind !== "guide") return;
    const target = live.get(s.onFailure.target);
    if (!target) problems.push({ line: null, key: "pc_jumpMissing", values: { step: i + 1, id: s.onFailure.target } });
    else if ((language === "sv" || language === "en") && target.language !== language) {
      problems.push({ line: null, key: "pc_jumpLang", values: { step: i + 1, id: s.onFailure.target } });
    }
  });
  if (validGuideId(translation) && (language === "sv" || language === "en") && translation.endsWith(`-${language}`)) {
    problems.push({ line: null, key: "pc_translationSame", values: { id: translation } });
  }
  return result;
}

function parseOnFailure(raw) {
  const value = raw.trim();
  if (value === "next") return { kind: "next" };
  const colon = value.indexOf(":");
  const kind = colon >= 0 ? value.slice(0, colon) : null;
  const target = colon >= 0 ? value.slice(colon + 1).trim() : "";
  if (kind === "guide") {
    return validGuideId(target) ? { kind, target } : { error: { key: "pc_id", values: { id: JSON.stringify(target) } } };
  }
  if (kind === "handoff") {
    return QUEUES.includes(target) ? { kind, target } : { error: { key: "pc_queue", values: { queue: JSON.stringify(target) } } };
  }
  return { error: { key: "pc_onFailure" } };
}

// ---------------------------------------------------------------------------------------
// Small helpers

function counterpartId(id) {
  return id.endsWith("-sv") ? id.slice(0, -3) + "-en" : id.slice(0, -3) + "-sv";
}
function otherLanguage(language) {
  return language === "sv" ? "en" : "sv";
}
function languageOfId(id) {
  return id.endsWith("-en") ? "en" : "sv";
}

/** The id of this guide's translation: what its front matter names, else the id convention. */
function translationIdOf(summary) {
  if (state.translationOf.has(summary.id)) return state.translationOf.get(summary.id);
  return counterpartId(summary.id);
}

/** Whether the guide lacks a live translation in the other language. */
function missingTranslation(summary) {
  const other = translationIdOf(summary);
  if (!other) return true;
  const found = state.byId.get(other);
  return !found || found.language === summary.language;
}

function errorText(e) {
  if (!(e instanceof ApiError)) return t("genericError", { message: String(e && e.message ? e.message : e) });
  if (e.status === 0) return t("networkError");
  if (e.status === 403) return t("forbidden");
  if (e.status === 409) return t("conflict");
  if (e.status === 429) return t("rateLimited");
  return t("genericError", { message: e.message });
}

/** A 401 anywhere means the token stopped working: back to sign-in. Returns true if so. */
function handledAuth(e) {
  if (e instanceof ApiError && e.status === 401) {
    signOut(t("sessionExpired"));
    return true;
  }
  return false;
}

function authed(path, options = {}) {
  return api(path, options);
}

function setStatus(node, text, kind) {
  node.textContent = text || "";
  node.classList.remove("ok", "error", "info");
  if (kind) node.classList.add(kind);
}

function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

function problemText(p) {
  return p.key ? t(p.key, p.values) : p.message;
}

// ---------------------------------------------------------------------------------------
// Language of the interface

function applyLanguage() {
  document.documentElement.lang = state.lang;
  document.title = t("pageTitle");
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-aria]")) node.setAttribute("aria-label", t(node.dataset.i18nAria));
  const sw = $("lang-switch");
  sw.textContent = t("langSwitch");
  sw.lang = state.lang === "sv" ? "en" : "sv";
  sw.setAttribute("aria-label", t("langSwitchAria"));
  if (state.token) {
    renderList();
    if (state.current) {
      renderEditorHead();
      renderPreview();
      renderDirty();
      if (state.lastProblems) showProblems(state.lastProblems, false);
      if ($("cursor-position").textContent) updateCursor();
      renderHistory();
      renderStats();
    }
    renderOutages();
  }
}

$("lang-switch").addEventListener("click", () => {
  state.lang = state.lang === "sv" ? "en" : "sv";
  store.set(LANG_KEY, state.lang);
  applyLanguage();
});

// ---------------------------------------------------------------------------------------
// Signing in and out

function showSignIn(message, kind = "error") {
  $("signin").hidden = false;
  $("app").hidden = true;
  $("signout").hidden = true;
  $("topnav").hidden = true;
  const box = $("signin-message");
  box.hidden = !message;
  box.textContent = message || "";
  box.className = `banner ${kind}`;
  box.setAttribute("role", kind === "error" ? "alert" : "status");
}

function signOut(message, kind = "error") {
  api("/api/v1/staff/session", { method: "DELETE" }).catch(() => {});
  state.token = null;
  store.set(TOKEN_KEY, null);
  state.current = null;
  state.drafts.clear();
  state.guides = [];
  state.byId.clear();
  state.translationOf.clear();
  state.lastProblems = null;
  $("token-input").value = "";
  showSignIn(message, kind);
  $("token-input").focus();
}

$("signout").addEventListener("click", () => signOut(t("signedOut"), "info"));

async function signIn(token, { quiet = false } = {}) {
  const submit = $("signin-submit");
  submit.disabled = true;
  if (!quiet) submit.textContent = t("signingIn");
  try {
    // A token typed in is traded for the session cookie; without one, the cookie is checked.
    if (token) await api("/api/v1/staff/session", { method: "POST", body: { token, remember: true } });
    const me = await api("/api/v1/staff/me");
    if (me.role !== "editor" && me.role !== "admin") {
      api("/api/v1/staff/session", { method: "DELETE" }).catch(() => {});
      throw new ApiError(403, "forbidden", "forbidden");
    }
    const list = await api("/api/v1/guides");
    state.token = true;
    store.set(TOKEN_KEY, "1");
    setGuides(list.guides);
    $("signin").hidden = true;
    $("app").hidden = false;
    $("signout").hidden = false;
    $("topnav").hidden = false;
    renderList();
    renderEditorVisibility();
    loadOutages();
    if (!quiet) $("guide-search").focus();
    return true;
  } catch (e) {
    store.set(TOKEN_KEY, null);
    let message = errorText(e);
    if (e instanceof ApiError && e.status === 401) message = quiet ? t("sessionExpired") : t("tokenInvalid");
    if (e instanceof ApiError && e.status === 403) message = t("tokenForbidden");
    showSignIn(message);
    const input = $("token-input");
    input.setAttribute("aria-invalid", "true");
    if (!quiet) input.focus();
    return false;
  } finally {
    submit.disabled = false;
    submit.textContent = t("signIn");
  }
}

$("signin-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = $("token-input");
  const token = input.value.trim();
  const error = $("token-error");
  if (!token) {
    error.textContent = t("tokenMissing");
    error.hidden = false;
    input.setAttribute("aria-invalid", "true");
    input.focus();
    return;
  }
  error.hidden = true;
  input.removeAttribute("aria-invalid");
  signIn(token);
});

// ---------------------------------------------------------------------------------------
// The guide list

function setGuides(guides) {
  state.guides = guides;
  state.byId = new Map(guides.map((g) => [g.id, g]));
}

async function reloadGuides() {
  try {
    const list = await api("/api/v1/guides");
    setGuides(list.guides);
    if (currentQuery()) await runSearch();
    else renderList();
  } catch (e) {
    if (!handledAuth(e)) setStatus($("guide-count"), errorText(e), "error");
  }
}

function currentQuery() {
  return $("guide-search").value.trim();
}

function visibleGuides() {
  const filter = $("language-filter").value;
  const query = currentQuery().toLowerCase();
  let guides;
  if (query && state.searchHits) {
    const seen = new Set();
    guides = [];
    for (const id of state.searchHits) {
      const g = state.byId.get(id);
      if (g && !seen.has(id)) {
        seen.add(id);
        guides.push(g);
      }
    }
    // The search ranks by meaning of words; an id or a piece of a title is found here too.
    for (const g of sortedGuides()) {
      if (!seen.has(g.id) && (g.id.includes(query) || g.title.toLowerCase().includes(query))) guides.push(g);
    }
  } else if (query) {
    guides = sortedGuides().filter((g) => g.id.includes(query) || g.title.toLowerCase().includes(query));
  } else {
    guides = sortedGuides();
  }
  return filter === "all" ? guides : guides.filter((g) => g.language === filter);
}

function sortedGuides() {
  const collator = new Intl.Collator(state.lang === "en" ? "en" : "sv");
  return [...state.guides].sort((a, b) => collator.compare(a.title, b.title) || a.id.localeCompare(b.id));
}

function renderList() {
  const list = $("guide-list");
  const guides = visibleGuides();
  const openId = state.current && !state.current.isNew ? state.current.id : null;
  list.replaceChildren(
    ...guides.map((g) => {
      const missing = missingTranslation(g);
      const draft = state.drafts.has(g.id) || (openId === g.id && isDirty());
      return el(
        "li",
        {},
        el(
          "button",
          {
            type: "button",
            class: "guide-item",
            dataset: { guideId: g.id },
            "aria-current": openId === g.id ? "true" : null,
            onclick: () => openGuide(g.id),
          },
          el("span", { class: "guide-item-title", lang: g.language, text: g.title }),
          el(
            "span",
            { class: "guide-item-meta" },
            el("span", { class: `badge lang-${g.language}`, title: t(`lang_${g.language}`) },
              el("span", { "aria-hidden": "true", text: t(`badge_${g.language}`) }),
              el("span", { class: "visually-hidden", text: t(`lang_${g.language}`) })),
            " ",
            el("span", { class: "guide-item-id", text: g.id }),
            draft ? el("span", { class: "unsaved", text: ` · ${t("unsavedMark")}` }) : null,
          ),
          missing
            ? el("span", { class: "missing-translation" },
              el("span", { "aria-hidden": "true", text: "⚠ " }),
              t(g.language === "sv" ? "missingEn" : "missingSv"))
            : null,
        ),
      );
    }),
  );
  const count = $("guide-count");
  count.classList.remove("error");
  if (!guides.length) count.textContent = t("noMatches");
  else count.textContent = t("guideCount", { shown: guides.length, total: state.guides.length });
}

let searchSeq = 0;
async function runSearch() {
  const query = currentQuery();
  const seq = ++searchSeq;
  if (!query) {
    state.searchHits = null;
    renderList();
    return;
  }
  const filter = $("language-filter").value;
  const params = new URLSearchParams({ q: query, limit: "50" });
  if (filter !== "all") params.set("lang", filter);
  try {
    const found = await api(`/api/v1/guides/search?${params}`);
    if (seq !== searchSeq) return;
    state.searchHits = found.results.map((r) => r.id);
  } catch (e) {
    if (seq !== searchSeq) return;
    state.searchHits = []; // fall back to matching titles and ids here
  }
  renderList();
}

const searchSoon = debounce(runSearch, 200);
$("guide-search").addEventListener("input", () => {
  if (!currentQuery()) {
    searchSeq++;
    state.searchHits = null;
    renderList();
  } else searchSoon();
});
$("guide-filter-form").addEventListener("submit", (event) => {
  event.preventDefault();
  runSearch();
});
$("language-filter").addEventListener("change", () => {
  if (currentQuery()) runSearch();
  else renderList();
});

// ---------------------------------------------------------------------------------------
// The editor

const source = $("guide-source");

function isDirty() {
  const c = state.current;
  if (!c) return false;
  if (c.isNew) return !state.templateUntouched;
  return source.value !== c.serverSource;
}

function keepDraft() {
  const c = state.current;
  if (c && !c.isNew && isDirty()) state.drafts.set(c.id, source.value);
  else if (c && !c.isNew) state.drafts.delete(c.id);
}

function renderEditorVisibility() {
  $("editor-empty").hidden = !!state.current;
  $("editor").hidden = !state.current;
}

async function openGuide(id, { focus = true } = {}) {
  keepDraft();
  let guide;
  try {
    guide = await api(`/api/v1/guides/${encodeURIComponent(id)}`);
  } catch (e) {
    if (handledAuth(e)) return;
    setStatus($("guide-count"), t("loadFailed", { message: errorText(e) }), "error");
    if (e instanceof ApiError && e.status === 404) reloadGuides();
    return;
  }
  state.translationOf.set(guide.id, guide.translation || null);
  state.current = { id: guide.id, isNew: false, guide, serverSource: guide.source };
  state.history = null;
  state.stats = null;
  state.lastProblems = null;
  source.value = state.drafts.get(guide.id) ?? guide.source;
  source.scrollTop = 0;
  $("new-guide-fields").hidden = true;
  $("delete-guide").hidden = false;
  redrawEditor();
  loadHistory();
  loadStats();
  if (focus) focusEditor();
}

/** Moves focus to the open guide's heading, bringing it to the top on a narrow screen. */
function focusEditor() {
  const title = $("editor-title");
  title.focus({ preventScroll: true });
  const top = title.getBoundingClientRect().top;
  if (top < 0 || top > window.innerHeight / 3) title.scrollIntoView({ block: "start" });
}

function renderEditorHead() {
  const c = state.current;
  if (!c) return;
  const title = $("editor-title");
  const meta = $("editor-meta");
  const banner = $("editor-translation");
  const create = $("create-translation");
  if (c.isNew) {
    title.textContent = t("newGuideTitle");
    meta.textContent = t("newGuideMeta");
    banner.hidden = true;
    create.hidden = true;
    return;
  }
  const g = c.guide;
  title.textContent = g.title;
  title.lang = g.language;
  meta.textContent = t("editorMeta", {
    id: g.id,
    language: t(`lang_${g.language}`),
    version: g.version,
    time: formatTime(g.updated_at, state.lang),
  });
  const summary = state.byId.get(g.id) || g;
  const missing = missingTranslation(summary);
  banner.hidden = !missing;
  create.hidden = !missing;
  if (missing) {
    const other = otherLanguage(g.language);
    banner.textContent = g.translation
      ? t("translationMissing", { id: g.translation, language: t(`lang_${other}`) })
      : t("translationNone");
    create.textContent = t(`createTranslation_${other}`);
  }
}

function renderDirty() {
  const dirty = isDirty();
  wasDirty = dirty;
  $("draft-note").hidden = !dirty || !state.current || state.current.isNew;
}

// Live preview ----------------------------------------------------------------------------

function previewContext() {
  const intents = new Set(KNOWN_INTENTS);
  for (const g of state.guides) for (const i of g.intents || []) intents.add(i);
  const c = state.current;
  const address = c ? (c.isNew ? $("new-guide-id").value.trim() : c.id) : null;
  return { address, live: state.byId, intents };
}

function renderPreview() {
  const parsed = parseGuide(source.value, previewContext());
  const front = parsed.front;
  const language = front.language === "en" ? "en" : front.language === "sv" ? "sv" : languageOfId(state.current?.id || "x-sv");
  const words = CUSTOMER[language];
  const preview = $("guide-preview");
  const total = parsed.steps.length;
  const nodes = [];
  if (typeof front.title === "string" && front.title.trim()) {
    nodes.push(el("h4", { class: "preview-guide-title", lang: language, text: front.title.trim() }));
  }
  if (typeof front.summary === "string" && front.summary.trim()) {
    nodes.push(el("p", { class: "preview-summary", lang: language, text: front.summary.trim() }));
  }
  if (!total) nodes.push(el("p", { class: "hint", text: t("previewEmpty") }));
  const list = el("ol", { class: "preview-steps" });
  parsed.steps.forEach((step, index) => {
    const body = el("div", { class: "preview-step-body", lang: language });
    body.append(renderText(step.instruction));
    if (step.warning) {
      body.append(el("p", { class: "preview-warning" }, el("strong", { text: words.note }), " ", step.warning));
    }
    if (step.expected) {
      body.append(el("p", { class: "preview-expected" }, el("strong", { text: words.expected }), " ", step.expected));
    }
    if (step.link) {
      body.append(el("p", {}, `${words.more} `, el("a", { href: step.link, rel: "noopener noreferrer", target: "_blank", text: step.link })));
    }
    body.append(
      el("p", { class: "preview-buttons" },
        el("span", { class: "visually-hidden", lang: state.lang, text: t("previewButtons") }),
        words.buttons.map((b) => el("span", { class: "chip", text: b }))),
    );
    list.append(
      el(
        "li",
        { class: "preview-step" },
        el("h5", { class: "preview-step-title", lang: language, text: formatStep(words.step, index + 1, total, step.title) }),
        body,
        el("p", { class: "preview-meta hint" }, el("strong", { text: t("onFailureLabel") }), " ", failureText(step.onFailure)),
      ),
    );
  });
  if (total) nodes.push(list);
  preview.replaceChildren(...nodes);

  const checks = $("preview-checks");
  const items = $("preview-problems");
  items.replaceChildren(...parsed.problems.map((p) => problemItem(p)));
  checks.hidden = !parsed.problems.length;
}

function formatStep(template, number, total, title) {
  return template.replace("{number}", number).replace("{total}", total).replace("{title}", title);
}

function failureText(onFailure) {
  if (!onFailure) return "–";
  if (onFailure.kind === "next") return t("failNext");
  if (onFailure.kind === "guide") return t("failGuide", { id: onFailure.target });
  return t("failHandoff", { queue: t(`queue_${onFailure.target}`) });
}

function problemItem(p) {
  const text = problemText(p);
  if (!p.line) return el("li", { text });
  return el(
    "li",
    {},
    el("button", {
      type: "button",
      class: "line-link",
      "aria-label": t("gotoLine", { line: p.line }),
      onclick: () => goToLine(p.line),
    }, t("lineLabel", { line: p.line })),
    " ",
    el("span", { text }),
  );
}

function goToLine(line) {
  const lines = source.value.split("\n");
  const index = Math.min(Math.max(line, 1), lines.length) - 1;
  let start = 0;
  for (let i = 0; i < index; i++) start += lines[i].length + 1;
  const end = start + (lines[index] || "").length;
  source.focus({ preventScroll: true });
  source.setSelectionRange(start, end);
  source.scrollIntoView({ block: "nearest" });
  // Long lines wrap, so measure where the line starts in a copy laid out like the textarea.
  const style = getComputedStyle(source);
  const mirror = el("div", { class: "source-mirror", "aria-hidden": "true" });
  mirror.style.width = `${source.clientWidth}px`;
  mirror.textContent = source.value.slice(0, start) + "\u200b";
  document.body.append(mirror);
  const lineHeight = parseFloat(style.lineHeight) || 20;
  source.scrollTop = Math.max(0, mirror.scrollHeight - 3 * lineHeight);
  mirror.remove();
  updateCursor();
}

function updateCursor() {
  const before = source.value.slice(0, source.selectionStart);
  const line = before.split("\n").length;
  const column = before.length - before.lastIndexOf("\n");
  $("cursor-position").textContent = t("cursor", { line, column });
}

const previewSoon = debounce(renderPreview, 120);
source.addEventListener("input", () => {
  if (state.current?.isNew) state.templateUntouched = false;
  const changed = isDirty() !== wasDirty;
  previewSoon();
  renderDirty();
  updateCursor();
  if (changed) renderList();
});
for (const name of ["keyup", "click", "focus"]) source.addEventListener(name, updateCursor);

$("discard-draft").addEventListener("click", () => {
  const c = state.current;
  if (!c || c.isNew) return;
  state.drafts.delete(c.id);
  source.value = c.serverSource;
  renderPreview();
  renderDirty();
  renderList();
  setStatus($("save-status"), "");
  source.focus();
});

// Problems from the server ------------------------------------------------------------------

/** After another guide (or a new one) is put in the editor: fresh status, every part redrawn. */
function redrawEditor() {
  clearProblems();
  setStatus($("save-status"), "");
  renderEditorVisibility();
  renderEditorHead();
  renderPreview();
  renderDirty();
  renderList();
}

function clearProblems() {
  $("problems-box").hidden = true;
  $("validation-problems").replaceChildren();
  source.setAttribute("aria-invalid", "false");
  source.setAttribute("aria-describedby", "source-hint cursor-position");
  state.lastProblems = null;
}

function showProblems(problems, focus = true) {
  state.lastProblems = problems;
  const count = problems.length;
  $("problems-title").textContent = count === 1 ? t("problemsOne") : t("problemsMany", { count });
  $("validation-problems").replaceChildren(...problems.map((p) => problemItem(p)));
  $("problems-box").hidden = false;
  source.setAttribute("aria-invalid", "true");
  source.setAttribute("aria-describedby", "source-hint cursor-position problems-title");
  if (focus) $("validation-problems").focus();
}

// Saving ---------------------------------------------------------------------------------------

/** PUTs `text` as guide `id`. Resolves to the saved guide, or null after showing why not. */
async function putGuide(id, text) {
  try {
    return await authed(`/api/v1/guides/${encodeURIComponent(id)}`, {
      method: "PUT",
      body: text,
      contentType: "text/markdown; charset=utf-8",
    });
  } catch (e) {
    if (handledAuth(e)) return null;
    if (e instanceof ApiError && e.status === 422) {
      const problems = (e.details && e.details.problems) || [];
      const fields = (e.details && e.details.fields) || [];
      const list = problems.length
        ? problems.map((p) => ({ line: p.line ?? null, message: p.message }))
        : fields.length
          ? fields.map((f) => ({ line: null, message: f.message }))
          : [{ line: null, message: e.message }];
      setStatus($("save-status"), list.length === 1 ? t("notSavedOne") : t("notSavedMany", { count: list.length }), "error");
      showProblems(list);
      return null;
    }
    setStatus($("save-status"), t("notSavedMessage", { message: errorText(e) }), "error");
    return null;
  }
}

function applySaved(guide, created, message) {
  state.drafts.delete(guide.id);
  state.translationOf.set(guide.id, guide.translation || null);
  state.current = { id: guide.id, isNew: false, guide, serverSource: guide.source };
  state.templateUntouched = false;
  source.value = guide.source;
  const summary = {
    id: guide.id, title: guide.title, language: guide.language, intents: guide.intents,
    version: guide.version, updated_at: guide.updated_at,
  };
  const index = state.guides.findIndex((g) => g.id === guide.id);
  if (index >= 0) state.guides[index] = summary;
  else state.guides.push(summary);
  setGuides(state.guides);
  $("new-guide-fields").hidden = true;
  $("delete-guide").hidden = false;
  clearProblems();
  renderEditorHead();
  renderPreview();
  renderDirty();
  renderList();
  setStatus($("save-status"), message || (created
    ? t("created", { id: guide.id, version: guide.version })
    : t("saved", { version: guide.version })), "ok");
  loadHistory();
  loadStats();
}

let saving = false;
async function save() {
  const c = state.current;
  if (!c || saving) return;
  let id = c.id;
  if (c.isNew) {
    id = $("new-guide-id").value.trim();
    const problem = !id ? t("idRequired") : !validGuideId(id) ? t("idInvalid") : state.byId.has(id) ? t("idExists", { id }) : null;
    const error = $("new-guide-id-error");
    const input = $("new-guide-id");
    if (problem) {
      error.textContent = problem;
      error.hidden = false;
      input.setAttribute("aria-invalid", "true");
      setStatus($("save-status"), t("notSavedMessage", { message: problem }), "error");
      input.focus();
      return;
    }
    error.hidden = true;
    input.removeAttribute("aria-invalid");
  }
  saving = true;
  const button = $("save-guide");
  button.disabled = true;
  setStatus($("save-status"), t("saving"), "info");
  try {
    const guide = await putGuide(id, source.value);
    if (guide) applySaved(guide, c.isNew);
  } finally {
    saving = false;
    button.disabled = false;
  }
}

$("save-guide").addEventListener("click", save);
source.addEventListener("keydown", (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") {
    event.preventDefault();
    save();
  }
});

// New guides and translations ------------------------------------------------------------------

function template(id) {
  const language = languageOfId(id || "x-sv");
  const stem = id ? id.slice(0, -3) : "ny-guide";
  const other = otherLanguage(language);
  if (language === "en") {
    return `---
id: ${stem}-en
title: What the guide solves
language: en
translation: ${stem}-${other}
intents: [broadband_down]
products: [fiber]
symptoms:
  - What the customer notices
examples:
  - how a customer puts it
summary: One sentence on what the guide solves and how long it takes.
---

## The first thing to do
Write the instruction out in full.
expected: What the customer sees when the step worked.
on_failure: next

## The last thing to try
Write the instruction out in full.
expected: What the customer sees when the step worked.
on_failure: handoff:technical
`;
  }
  return `---
id: ${stem}-sv
title: Vad guiden löser
language: sv
translation: ${stem}-${other}
intents: [broadband_down]
products: [fiber]
symptoms:
  - Det kunden märker
examples:
  - hur en kund uttrycker det
summary: En mening om vad guiden löser och hur lång tid det tar.
---

## Det första kunden gör
Skriv instruktionen i sin helhet.
expected: Det kunden ser när steget fungerade.
on_failure: next

## Det sista att prova
Skriv instruktionen i sin helhet.
expected: Det kunden ser när steget fungerade.
on_failure: handoff:technical
`;
}

/** Rewrites the id, language and translation lines of a source for the id `id`. */
function retarget(text, id) {
  const language = languageOfId(id);
  const lines = text.split("\n");
  let end = lines.findIndex((l, i) => i > 0 && l.trim() === "---");
  if (lines[0]?.trim() !== "---" || end < 0) return text;
  for (let i = 1; i < end; i++) {
    if (/^id\s*:/.test(lines[i])) lines[i] = `id: ${id}`;
    else if (/^language\s*:/.test(lines[i])) lines[i] = `language: ${language}`;
    else if (/^translation\s*:/.test(lines[i])) lines[i] = `translation: ${counterpartId(id)}`;
  }
  return lines.join("\n");
}

function startNewGuide(id = "", text = null) {
  keepDraft();
  state.current = { id: null, isNew: true, guide: null, serverSource: "" };
  state.history = null;
  state.stats = null;
  state.templateUntouched = text === null;
  const input = $("new-guide-id");
  input.value = id;
  input.removeAttribute("aria-invalid");
  $("new-guide-id-error").hidden = true;
  $("new-guide-fields").hidden = false;
  $("delete-guide").hidden = true;
  source.value = text ?? template(validGuideId(id) ? id : "");
  redrawEditor();
  renderHistory();
  renderStats();
  input.focus();
}

$("new-guide").addEventListener("click", () => startNewGuide());

$("new-guide-id").addEventListener("input", () => {
  const id = $("new-guide-id").value.trim();
  if (validGuideId(id)) {
    source.value = state.templateUntouched ? template(id) : retarget(source.value, id);
  }
  previewSoon();
});

$("create-translation").addEventListener("click", () => {
  const c = state.current;
  if (!c || c.isNew) return;
  const target = c.guide.translation && validGuideId(c.guide.translation) && !c.guide.translation.endsWith(`-${c.guide.language}`)
    ? c.guide.translation
    : counterpartId(c.id);
  const text = retarget(source.value, target).replace(/^(translation\s*:).*$/m, `translation: ${c.id}`);
  startNewGuide(target, text);
});

// Deleting ----------------------------------------------------------------------------------------

$("delete-guide").addEventListener("click", async () => {
  const c = state.current;
  if (!c || c.isNew) return;
  if (!window.confirm(t("confirmDelete", { title: c.guide.title, id: c.id }))) return;
  try {
    await authed(`/api/v1/guides/${encodeURIComponent(c.id)}`, { method: "DELETE" });
  } catch (e) {
    if (handledAuth(e)) return;
    setStatus($("save-status"), errorText(e), "error");
    return;
  }
  state.drafts.delete(c.id);
  state.current = null;
  state.lastProblems = null;
  renderEditorVisibility();
  await reloadGuides();
  const count = $("guide-count");
  setStatus(count, t("deleted", { id: c.id }), "ok");
  $("guides-title").setAttribute("tabindex", "-1");
  $("guides-title").focus();
});

// History and restoring -----------------------------------------------------------------------

async function loadHistory() {
  const c = state.current;
  if (!c || c.isNew) return renderHistory();
  const id = c.id;
  if (state.history === null) $("history").replaceChildren();
  $("history-empty").hidden = false;
  $("history-empty").textContent = t("loading");
  try {
    const history = await authed(`/api/v1/guides/${encodeURIComponent(id)}/history`);
    if (state.current?.id !== id) return;
    state.history = history.versions;
  } catch (e) {
    if (handledAuth(e)) return;
    if (state.current?.id !== id) return;
    state.history = null;
    $("history").replaceChildren();
    $("history-empty").textContent = t("loadFailed", { message: errorText(e) });
    return;
  }
  renderHistory();
}

function renderHistory() {
  const list = $("history");
  const empty = $("history-empty");
  const c = state.current;
  const versions = c && !c.isNew ? state.history || [] : [];
  empty.hidden = versions.length > 0;
  empty.textContent = t("historyEmpty");
  const currentVersion = c?.guide?.version;
  list.replaceChildren(
    ...versions.map((v) => {
      const isCurrent = v.version === currentVersion && !v.deleted;
      const details = el("details", { class: "version-source" });
      const pre = el("pre", { lang: c.guide.language });
      details.append(el("summary", { text: t("showSource") }), pre);
      details.addEventListener("toggle", async () => {
        if (!details.open || pre.dataset.loaded) return;
        pre.textContent = t("loading");
        try {
          const body = await authed(`/api/v1/guides/${encodeURIComponent(c.id)}/versions/${v.version}`);
          pre.textContent = body.source ?? "";
          pre.dataset.loaded = "1";
        } catch (e) {
          if (!handledAuth(e)) pre.textContent = t("loadFailed", { message: errorText(e) });
        }
      });
      return el(
        "li",
        { class: isCurrent ? "current" : null, dataset: { version: v.version } },
        el(
          "div",
          { class: "version-row" },
          el(
            "div",
            {},
            el("strong", { text: t("versionLabel", { version: v.version }) }),
            isCurrent ? el("span", { class: "tag ok", text: t("current") }) : null,
            v.deleted ? el("span", { class: "tag bad", text: t("deletedVersion") }) : null,
            el("div", { class: "hint", text: t("savedBy", { author: v.author, time: formatTime(v.saved_at, state.lang) }) }),
          ),
          !isCurrent && !v.deleted
            ? el("button", {
              type: "button",
              class: "restore-version",
              "aria-label": t("restoreAria", { version: v.version }),
              onclick: () => restore(v.version),
            }, t("restore"))
            : null,
        ),
        v.deleted ? null : details,
      );
    }),
  );
}

async function restore(version) {
  const c = state.current;
  if (!c || c.isNew || saving) return;
  const ask = isDirty() ? "confirmRestoreDirty" : "confirmRestore";
  if (!window.confirm(t(ask, { version }))) return;
  saving = true;
  setStatus($("save-status"), t("restoring", { version }), "info");
  try {
    let old;
    try {
      old = await authed(`/api/v1/guides/${encodeURIComponent(c.id)}/versions/${version}`);
    } catch (e) {
      if (!handledAuth(e)) setStatus($("save-status"), errorText(e), "error");
      return;
    }
    if (typeof old.source !== "string") return;
    const guide = await putGuide(c.id, old.source);
    if (guide) {
      applySaved(guide, false, t("restored", { from: version, version: guide.version }));
    } else if (state.current === c) {
      source.value = old.source;
      renderPreview();
      renderDirty();
      setStatus($("save-status"), t("restoreFailed", { version }), "error");
    }
  } finally {
    saving = false;
  }
}

// Statistics --------------------------------------------------------------------------------------

async function loadStats() {
  const c = state.current;
  if (!c || c.isNew) return renderStats();
  const id = c.id;
  if (state.stats === null) $("step-stats").tBodies[0].replaceChildren();
  try {
    const stats = await authed(`/api/v1/guides/${encodeURIComponent(id)}/stats`);
    if (state.current?.id !== id) return;
    state.stats = stats.steps;
  } catch (e) {
    if (handledAuth(e)) return;
    if (state.current?.id !== id) return;
    state.stats = e instanceof ApiError && e.status === 404 ? [] : null;
    if (state.stats === null) {
      $("stats-note").textContent = t("loadFailed", { message: errorText(e) });
      $("step-stats").tBodies[0].replaceChildren();
      return;
    }
  }
  renderStats();
}

function renderStats() {
  const c = state.current;
  const body = $("step-stats").tBodies[0];
  const note = $("stats-note");
  if (!c || c.isNew) {
    note.textContent = t("statsNotSaved");
    body.replaceChildren();
    return;
  }
  const steps = state.stats || [];
  const shownAny = steps.some((s) => s.shown || s.worked || s.failed || s.skipped);
  note.textContent = shownAny ? t("statsNote") : t("statsNone");
  const percent = new Intl.NumberFormat(state.lang === "en" ? "en-GB" : "sv-SE", { style: "percent", maximumFractionDigits: 0 });
  const number = new Intl.NumberFormat(state.lang === "en" ? "en-GB" : "sv-SE");
  body.replaceChildren(
    ...steps.map((s) => {
      const rate = s.shown ? s.worked / s.shown : null;
      const low = rate !== null && s.shown >= 10 && rate < 0.3;
      return el(
        "tr",
        { class: low ? "low" : null },
        el("th", { scope: "row", class: "num", text: String(s.step) }),
        el("td", { lang: c.guide.language, text: s.title ?? "–" }),
        el("td", { class: "num", text: number.format(s.shown) }),
        el("td", { class: "num", text: number.format(s.worked) }),
        el("td", { class: "num", text: number.format(s.failed) }),
        el("td", { class: "num", text: number.format(s.skipped) }),
        el("td", { class: "num" },
          rate === null ? "–" : percent.format(rate),
          low ? el("span", { class: "tag bad", text: t("low") }) : null),
      );
    }),
  );
}

// Outages ---------------------------------------------------------------------------------------

async function loadOutages() {
  try {
    const list = await api("/api/v1/outages");
    state.outages = list.outages;
  } catch (e) {
    setStatus($("outage-status"), t("loadFailed", { message: errorText(e) }), "error");
    return;
  }
  renderOutages();
}

function renderOutages() {
  const list = $("outage-list");
  const empty = $("outage-empty");
  empty.textContent = t("noOutages");
  empty.hidden = state.outages.length > 0;
  const now = Date.now();
  list.replaceChildren(
    ...state.outages.map((o) => {
      const service = t(`svc_${o.service}`);
      const postcodes = o.postcodes.join(", ");
      const upcoming = new Date(o.starts_at).getTime() > now;
      const when = [
        t(upcoming ? "outageUpcoming" : "outageStarted", { time: formatTime(o.starts_at, state.lang) }),
        o.expected_end ? t("outageEnds", { time: formatTime(o.expected_end, state.lang) }) : t("outageNoEnd"),
      ].join(" · ");
      return el(
        "li",
        { class: "outage", dataset: { outageId: o.id } },
        el("div", { class: "outage-head" },
          el("strong", { class: "outage-service", text: service.charAt(0).toUpperCase() + service.slice(1) }),
          el("button", {
            type: "button",
            class: "end-outage danger",
            "aria-label": t("endOutageAria", { service, postcodes }),
            onclick: () => endOutage(o),
          }, t("endOutage"))),
        el("p", { class: "hint", text: t("outageArea", { postcodes }) }),
        el("p", { class: "hint", text: when }),
        el("p", { lang: "sv" }, el("span", { class: "tag", text: "SV" }), " ", o.message.sv),
        el("p", { lang: "en" }, el("span", { class: "tag", text: "EN" }), " ", o.message.en),
      );
    }),
  );
}

async function endOutage(outage) {
  try {
    await authed(`/api/v1/outages/${encodeURIComponent(outage.id)}`, { method: "DELETE" });
  } catch (e) {
    if (handledAuth(e)) return;
    if (!(e instanceof ApiError && e.status === 404)) {
      setStatus($("outage-status"), errorText(e), "error");
      return;
    }
  }
  state.outages = state.outages.filter((o) => o.id !== outage.id);
  renderOutages();
  setStatus($("outage-status"), t("outageEnded"), "ok");
  const title = $("active-outages-title");
  title.setAttribute("tabindex", "-1");
  title.focus();
  loadOutages();
}

function localToIso(value) {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

const OUTAGE_FIELDS = {
  postcodes: "outage-postcodes",
  "message.sv": "outage-message-sv",
  "message.en": "outage-message-en",
  starts_at: "outage-start",
  expected_end: "outage-end",
};

function showOutageErrors(errors) {
  const box = $("outage-error");
  for (const id of Object.values(OUTAGE_FIELDS)) $(id).removeAttribute("aria-invalid");
  if (!errors.length) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  for (const e of errors) if (e.field) $(OUTAGE_FIELDS[e.field])?.setAttribute("aria-invalid", "true");
  box.replaceChildren(el("p", { text: t("outageErrorsTitle") }), el("ul", {}, errors.map((e) => el("li", { text: e.message }))));
  box.hidden = false;
  const first = errors.find((e) => e.field);
  if (first) $(OUTAGE_FIELDS[first.field]).focus();
}

$("outage-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const postcodes = $("outage-postcodes").value.split(/[\s,;]+/).map((p) => p.trim()).filter(Boolean);
  const sv = $("outage-message-sv").value.trim();
  const en = $("outage-message-en").value.trim();
  const startsAt = localToIso($("outage-start").value);
  const expectedEnd = localToIso($("outage-end").value);
  const errors = [];
  if (!postcodes.length) errors.push({ field: "postcodes", message: t("errPostcodesRequired") });
  if (postcodes.length > 500) errors.push({ field: "postcodes", message: t("errTooManyPostcodes") });
  for (const code of postcodes) {
    if (!/^\d{1,5}$/.test(code)) errors.push({ field: "postcodes", message: t("errPostcode", { code }) });
  }
  if (!sv || [...sv].length > 1000) errors.push({ field: "message.sv", message: t("errMessageSv") });
  if (!en || [...en].length > 1000) errors.push({ field: "message.en", message: t("errMessageEn") });
  if (startsAt === undefined) errors.push({ field: "starts_at", message: t("errBadDate") });
  if (expectedEnd === undefined) errors.push({ field: "expected_end", message: t("errBadDate") });
  if (expectedEnd && new Date(expectedEnd).getTime() <= (startsAt ? new Date(startsAt).getTime() : Date.now())) {
    errors.push({ field: "expected_end", message: t("errEndBeforeStart") });
  }
  showOutageErrors(errors);
  if (errors.length) return;
  const body = { service: $("outage-service").value, postcodes, message: { sv, en } };
  if (startsAt) body.starts_at = startsAt;
  if (expectedEnd) body.expected_end = expectedEnd;
  const button = event.submitter || $("outage-form").querySelector("button[type=submit]");
  button.disabled = true;
  setStatus($("outage-status"), t("publishing"), "info");
  try {
    await authed("/api/v1/outages", { method: "POST", body });
  } catch (e) {
    setStatus($("outage-status"), "");
    if (handledAuth(e)) return;
    if (e instanceof ApiError && e.status === 422) {
      const fields = (e.details && e.details.fields) || [];
      const list = fields.length
        ? fields.map((f) => ({ field: f.field in OUTAGE_FIELDS ? f.field : null, message: f.message }))
        : String(e.message).split("; ").map((m) => {
          const field = Object.keys(OUTAGE_FIELDS).find((f) => m.startsWith(`${f}:`));
          return { field: field || null, message: m };
        });
      showOutageErrors(list);
    } else {
      showOutageErrors([{ field: null, message: errorText(e) }]);
    }
    return;
  } finally {
    button.disabled = false;
  }
  $("outage-form").reset();
  setStatus($("outage-status"), t("outagePublished"), "ok");
  loadOutages();
});

// ---------------------------------------------------------------------------------------
// Start

applyLanguage();
renderEditorVisibility();
const oldToken = store.get(OLD_TOKEN_KEY);
store.set(OLD_TOKEN_KEY, null);
if (oldToken || store.get(TOKEN_KEY)) {
  showSignIn("");
  $("signin").hidden = true;
  signIn(oldToken, { quiet: true }).then((ok) => {
    if (!ok) $("token-input").focus();
  });
} else {
  showSignIn("");
}
