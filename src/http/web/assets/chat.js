// The customer chat (`/`, and `/?embed=1` inside the widget's frame).
//
// One conversation per browser: its id and token are kept in localStorage, so a reload goes
// on where it was; nothing ends it for being idle. Messages come from two places, the answer
// to a POST and the live stream, and are shown once each (by message id). Text from the
// server or the customer only ever reaches the page as text (see common.js).

import { api, ApiError, download, follow, el, renderText, translator, formatTime, store } from "./common.js";

const STRINGS = {
  sv: {
    skip: "Hoppa till meddelandefältet",
    tagline: "Hjälp med bredband, tv, mobil och fakturor",
    pageHeading: "Chatt med kundtjänsten",
    pageTitle: "Felsök – chatta med kundtjänsten",
    partnerBot: "Felsöks chattassistent svarar dig",
    partnerQueued: "Du väntar på en kollega på kundtjänsten",
    partnerAgent: "Du chattar med en kollega på kundtjänsten",
    partnerClosed: "Konversationen är avslutad",
    talkToHuman: "Prata med en människa",
    saveTranscript: "Spara konversationen",
    langSwitch: "English",
    logLabel: "Konversationen",
    typing: "Felsök skriver …",
    reconnecting: "Anslutningen bröts. Vi försöker ansluta igen …",
    inputLabel: "Skriv ditt meddelande",
    inputHint: "Enter skickar, Skift+Enter ger en ny rad.",
    send: "Skicka",
    senderBot: "Felsök",
    senderAgent: "Kundtjänsten",
    senderCustomer: "Du",
    senderSystem: "Meddelande",
    sending: "Skickas …",
    actionsLabel: "Svarsalternativ",
    queueIntro: "Du väntar på en kollega på kundtjänsten.",
    queueFirst: "Du är först i kön.",
    queueNumber: "Du är nummer {n} i kön.",
    queueEstimateOne: "Den senaste tiden har det tagit omkring en minut innan någon svarat.",
    queueEstimate: "Den senaste tiden har det tagit omkring {m} minuter innan någon svarat.",
    queueNoEstimate: "Vi kan inte säga hur lång väntetiden är just nu.",
    queueStay: "Svaret kommer här i chatten, och chatten stängs inte medan du väntar.",
    sendFailedNetwork: "Meddelandet kunde inte skickas, eftersom vi inte når fram just nu. Texten finns kvar i rutan, så du kan försöka igen.",
    sendFailedServer: "Meddelandet kunde inte skickas på grund av ett fel hos oss. Texten finns kvar i rutan, så du kan försöka igen.",
    sendFailedBusy: "Du har skickat många meddelanden på kort tid. Vänta en liten stund och försök igen. Texten finns kvar i rutan.",
    text_too_long: "Meddelandet är för långt. Dela gärna upp det i flera meddelanden. Texten finns kvar i rutan.",
    empty_text: "Skriv något i rutan innan du skickar.",
    invalid_text: "Meddelandet innehåller osynliga styrtecken som inte kan skickas. Ta bort dem och försök igen.",
    actionFailed: "Valet kunde inte skickas. Försök igen, eller skriv ditt svar i rutan.",
    transcriptSaved: "Konversationen har sparats som en textfil.",
    transcriptFailed: "Konversationen kunde inte sparas just nu. Försök igen om en stund.",
    startFailed: "Vi kan inte starta chatten just nu. Kontrollera internetanslutningen och försök igen.",
    retry: "Försök igen",
    langSv: "svenska",
    langEn: "engelska",
    langNotice: "Chattassistenten svarar på {language} i den här konversationen, eftersom den började så. Vill du hellre ha svaren på {other} kan du starta en ny konversation. Spara gärna den här först.",
    newConversationIn: "Starta en ny konversation på svenska",
    closedNotice: "Den här konversationen är avslutad. Du kan starta en ny när du vill.",
    deniedNotice: "Vi hittar inte längre den här konversationen. Starta en ny, så hjälper vi dig vidare.",
    newConversation: "Starta en ny konversation",
    dismiss: "Stäng",
    close: "Stäng",
    cancel: "Avbryt",
    cancelTitle: "Säg upp skriftligt",
    cancelIntro: "Fyll i vilket abonnemang det gäller och ditt namn. Du får ett kvitto med referensnummer direkt. Du behöver inte ringa eller logga in.",
    required: "(måste fyllas i)",
    optional: "(frivilligt)",
    fService: "Abonnemang som ska sägas upp",
    fServiceHint: "Till exempel ”Bredband 250/100” eller ”mobilabonnemanget”.",
    fName: "Ditt för- och efternamn",
    fCustomerNumber: "Kundnummer",
    fCustomerNumberHint: "Står på fakturan. Det går bra utan, men det hjälper oss att hitta rätt.",
    fEmail: "E-post",
    fEmailHint: "Dit skickar vi en kopia av kvittot.",
    fEndDate: "Önskat slutdatum",
    fEndDateHint: "Lämna tomt så upphör abonnemanget så snart uppsägningstiden tillåter.",
    fComment: "Meddelande till oss",
    review: "Granska uppsägningen",
    reviewTitle: "Kontrollera innan du skickar",
    confirmCancel: "Skicka uppsägningen",
    editCancel: "Ändra uppgifterna",
    receiptTitle: "Vi har tagit emot din uppsägning",
    reference: "Referens",
    receivedAt: "Mottagen",
    saveReceipt: "Spara kvittot",
    backToChat: "Tillbaka till chatten",
    receiptSaved: "Kvittot har sparats som en textfil.",
    receiptSaveFailed: "Kvittot kunde inte sparas just nu. Referensen finns kvar i chatten, så du kan försöka igen senare.",
    formHasErrors: "Några uppgifter behöver rättas. Se markeringarna vid fälten.",
    formFailedNetwork: "Vi når inte fram just nu. Dina uppgifter finns kvar, så du kan försöka igen.",
    formFailedServer: "Något gick fel hos oss. Dina uppgifter finns kvar, så du kan försöka igen.",
    missing_service: "Skriv vilket abonnemang du vill säga upp.",
    missing_full_name: "Skriv ditt för- och efternamn.",
    missing_phone: "Skriv det telefonnummer vi ska ringa.",
    missing_day: "Välj vilken dag vi ska ringa.",
    missing_from: "Välj när vi tidigast kan ringa.",
    missing_to: "Välj när vi senast kan ringa.",
    field_too_long: "Texten är för lång. Korta ner den lite.",
    invalid_field: "Tecknen < och > och osynliga styrtecken kan inte användas här.",
    invalid_customer_number: "Kundnumret kan bara innehålla bokstäver, siffror, mellanslag och tecknen - . /",
    invalid_email: "E-postadressen ser inte ut som namn@exempel.se. Kontrollera den gärna.",
    invalid_date: "Skriv datumet som år-månad-dag, till exempel 2027-01-31.",
    date_in_past: "Det datumet har redan passerat. Välj i dag eller ett senare datum.",
    date_too_far: "Slutdatumet kan ligga högst tre år fram i tiden.",
    invalid_phone: "Det ser inte ut som ett telefonnummer. Skriv till exempel 070-123 45 67 eller +46 70 123 45 67.",
    invalid_time: "Välj en dag och en tid.",
    window_too_short: "Tiden behöver vara minst 30 minuter lång, så att vi hinner nå dig.",
    window_too_long: "Tiden kan vara högst 12 timmar lång. Välj den del av dagen som passar bäst.",
    window_in_the_past: "Den tiden har redan passerat eller tar snart slut. Välj en senare tid.",
    window_too_far_ahead: "Det går att boka högst två veckor fram i tiden.",
    callbackTitle: "Bli uppringd",
    callbackIntro: "Skriv ditt telefonnummer och när det passar, så ringer en kollega upp dig. Din plats i kön finns kvar så länge.",
    fPhone: "Telefonnummer",
    fPhoneHint: "Till exempel 070-123 45 67.",
    fDay: "Dag",
    fFrom: "Tidigast (svensk tid)",
    fTo: "Senast (svensk tid)",
    callbackSubmit: "Be om att bli uppringd",
    callbackDone: "Klart! Bekräftelsen finns i chatten.",
    swedishTime: "{time} (svensk tid)",
    serviceOptions: "Bredband|Tv|Mobilabonnemang|Fast telefoni",
    openCancellation: "Säg upp skriftligt",
    openWithdrawal: "Ångra avtal",
    fBehalf: "Jag säger upp åt någon annan",
    fBehalfNote: "Du behöver inte skicka några papper här i chatten, till exempel dödsfallsintyg eller fullmakt.",
    fHolderName: "Kontoinnehavarens namn",
    fRelation: "Din koppling till kontoinnehavaren",
    relation_estate: "Anhörig till någon som har dött (dödsbo)",
    relation_guardian: "God man eller förvaltare",
    relation_power_of_attorney: "Fullmakt",
    withdrawTitle: "Ångra avtalet här",
    withdrawIntro: "Du har 14 dagar på dig att ångra avtalet, räknat från dagen då du ingick det, och du behöver inte säga varför. Du betalar inget för den del av tjänsten som du inte har använt.",
    fContract: "Avtalet du vill ångra",
    fContractHint: "Till exempel ”Bredband 250/100” eller avtalsnumret.",
    fContractDate: "Dagen då du ingick avtalet",
    fContractDateHint: "Det är dagen då du beställde, skrev på eller tackade ja i telefon – inte dagen då tjänsten började.",
    fEmailHintWithdraw: "Dit skickar vi bekräftelsen.",
    reviewWithdraw: "Granska",
    lastDay: "Sista dagen att ångra",
    confirmWithdraw: "Bekräfta att du ångrar avtalet",
    withdrawReceiptTitle: "Vi har tagit emot att du ångrar avtalet",
    missing_contract: "Skriv vilket avtal du vill ångra.",
    missing_contract_date: "Välj dagen då du ingick avtalet.",
    missing_holder_name: "Skriv kontoinnehavarens namn.",
    missing_relation: "Välj vilken koppling du har till kontoinnehavaren.",
    invalid_relation: "Välj vilken koppling du har till kontoinnehavaren.",
    date_in_future: "Datumet kan inte ligga i framtiden. Välj dagen då du ingick avtalet.",
    date_too_old: "Datumet kan ligga högst två år bakåt i tiden. Kontrollera gärna året.",
  },
  en: {
    skip: "Skip to the message box",
    tagline: "Help with broadband, TV, mobile and invoices",
    pageHeading: "Chat with customer service",
    pageTitle: "Felsök – chat with customer service",
    partnerBot: "Felsök's chat assistant is answering you",
    partnerQueued: "You're waiting for a colleague in customer service",
    partnerAgent: "You're chatting with a colleague in customer service",
    partnerClosed: "This conversation has ended",
    talkToHuman: "Talk to a person",
    saveTranscript: "Save the conversation",
    langSwitch: "Svenska",
    logLabel: "The conversation",
    typing: "Felsök is typing …",
    reconnecting: "The connection was lost. We're trying to reconnect …",
    inputLabel: "Write your message",
    inputHint: "Enter sends, Shift+Enter adds a new line.",
    send: "Send",
    senderBot: "Felsök",
    senderAgent: "Customer service",
    senderCustomer: "You",
    senderSystem: "Notice",
    sending: "Sending …",
    actionsLabel: "Answer options",
    queueIntro: "You're waiting for a colleague in customer service.",
    queueFirst: "You're first in the queue.",
    queueNumber: "You're number {n} in the queue.",
    queueEstimateOne: "Lately it has taken about a minute for someone to reply.",
    queueEstimate: "Lately it has taken about {m} minutes for someone to reply.",
    queueNoEstimate: "We can't say how long the wait is right now.",
    queueStay: "The reply will appear here in the chat, and the chat won't close while you wait.",
    sendFailedNetwork: "Your message couldn't be sent because we can't reach the service right now. The text is still in the box, so you can try again.",
    sendFailedServer: "Your message couldn't be sent because of a fault on our side. The text is still in the box, so you can try again.",
    sendFailedBusy: "You've sent a lot of messages in a short time. Please wait a moment and try again. The text is still in the box.",
    text_too_long: "The message is too long. You could split it into several messages. The text is still in the box.",
    empty_text: "Write something in the box before sending.",
    invalid_text: "The message contains invisible control characters that can't be sent. Please remove them and try again.",
    actionFailed: "Your choice couldn't be sent. Please try again, or write your answer in the box.",
    transcriptSaved: "The conversation has been saved as a text file.",
    transcriptFailed: "The conversation couldn't be saved right now. Please try again in a moment.",
    startFailed: "We can't start the chat right now. Please check your internet connection and try again.",
    retry: "Try again",
    langSv: "Swedish",
    langEn: "English",
    langNotice: "The chat assistant answers in {language} in this conversation, because that's how it started. If you'd rather have the answers in {other}, you can start a new conversation. You may want to save this one first.",
    newConversationIn: "Start a new conversation in English",
    closedNotice: "This conversation has ended. You can start a new one whenever you like.",
    deniedNotice: "We can no longer find this conversation. Start a new one and we'll help you from there.",
    newConversation: "Start a new conversation",
    dismiss: "Close",
    close: "Close",
    cancel: "Cancel",
    cancelTitle: "Cancel in writing",
    cancelIntro: "Fill in which subscription it is and your name. You'll get a receipt with a reference number straight away. You don't need to call or log in.",
    required: "(required)",
    optional: "(optional)",
    fService: "Subscription to cancel",
    fServiceHint: "For example “Broadband 250/100” or “my mobile subscription”.",
    fName: "Your full name",
    fCustomerNumber: "Customer number",
    fCustomerNumberHint: "It's on your invoice. It's fine without it, but it helps us find the right account.",
    fEmail: "E-mail",
    fEmailHint: "We'll send a copy of the receipt there.",
    fEndDate: "Requested end date",
    fEndDateHint: "Leave it empty and the subscription ends as soon as the notice period allows.",
    fComment: "Message to us",
    review: "Review the cancellation",
    reviewTitle: "Please check before sending",
    confirmCancel: "Send the cancellation",
    editCancel: "Change the details",
    receiptTitle: "We've received your cancellation",
    reference: "Reference",
    receivedAt: "Received",
    saveReceipt: "Save the receipt",
    backToChat: "Back to the chat",
    receiptSaved: "The receipt has been saved as a text file.",
    receiptSaveFailed: "The receipt couldn't be saved right now. The reference is still in the chat, so you can try again later.",
    formHasErrors: "Some details need correcting. See the notes by the fields.",
    formFailedNetwork: "We can't reach the service right now. Your details are still here, so you can try again.",
    formFailedServer: "Something went wrong on our side. Your details are still here, so you can try again.",
    missing_service: "Write which subscription you want to cancel.",
    missing_full_name: "Write your full name.",
    missing_phone: "Write the phone number we should call.",
    missing_day: "Choose which day we should call.",
    missing_from: "Choose the earliest time we can call.",
    missing_to: "Choose the latest time we can call.",
    field_too_long: "The text is too long. Please shorten it a little.",
    invalid_field: "The characters < and > and invisible control characters can't be used here.",
    invalid_customer_number: "The customer number can only contain letters, digits, spaces and the characters - . /",
    invalid_email: "The e-mail address doesn't look like name@example.com. Please check it.",
    invalid_date: "Write the date as year-month-day, for example 2027-01-31.",
    date_in_past: "That date has already passed. Choose today or a later date.",
    date_too_far: "The end date can be at most three years ahead.",
    invalid_phone: "That doesn't look like a phone number. Write it like 070-123 45 67 or +46 70 123 45 67.",
    invalid_time: "Choose a day and a time.",
    window_too_short: "The time window needs to be at least 30 minutes, so we have time to reach you.",
    window_too_long: "The time window can be at most 12 hours. Choose the part of the day that suits you best.",
    window_in_the_past: "That time has already passed or is about to end. Please choose a later time.",
    window_too_far_ahead: "A call can be booked at most two weeks ahead.",
    callbackTitle: "Get a call back",
    callbackIntro: "Write your phone number and when suits you, and a colleague will call you. You keep your place in the queue meanwhile.",
    fPhone: "Phone number",
    fPhoneHint: "For example 070-123 45 67.",
    fDay: "Day",
    fFrom: "Earliest (Swedish time)",
    fTo: "Latest (Swedish time)",
    callbackSubmit: "Ask for a call back",
    callbackDone: "Done! The confirmation is in the chat.",
    swedishTime: "{time} (Swedish time)",
    serviceOptions: "Broadband|TV|Mobile subscription|Landline",
    openCancellation: "Cancel in writing",
    openWithdrawal: "Withdraw from contract",
    fBehalf: "I'm cancelling on someone else's behalf",
    fBehalfNote: "You don't need to send any papers here in the chat, such as a death certificate or a power of attorney.",
    fHolderName: "The account holder's name",
    fRelation: "Your connection to the account holder",
    relation_estate: "Relative of someone who has died (the estate)",
    relation_guardian: "Guardian or deputy (god man or förvaltare)",
    relation_power_of_attorney: "Power of attorney",
    withdrawTitle: "Withdraw from the contract here",
    withdrawIntro: "You have 14 days to withdraw from the contract, counted from the day you made it, and you don't need to say why. You pay nothing for any part of the service you haven't used.",
    fContract: "The contract you want to withdraw from",
    fContractHint: "For example “Broadband 250/100” or the contract number.",
    fContractDate: "The day you made the contract",
    fContractDateHint: "That's the day you ordered, signed or said yes on the phone – not the day the service started.",
    fEmailHintWithdraw: "We'll send the confirmation there.",
    reviewWithdraw: "Review",
    lastDay: "Last day to withdraw",
    confirmWithdraw: "Confirm that you withdraw from the contract",
    withdrawReceiptTitle: "We've received your withdrawal from the contract",
    missing_contract: "Write which contract you want to withdraw from.",
    missing_contract_date: "Choose the day you made the contract.",
    missing_holder_name: "Write the account holder's name.",
    missing_relation: "Choose your connection to the account holder.",
    invalid_relation: "Choose your connection to the account holder.",
    date_in_future: "The date can't be in the future. Choose the day you made the contract.",
    date_too_old: "The date can be at most two years back. Please check the year.",
  },
};

const tr = translator(STRINGS);
const t = (key, values) => tr(S.lang, key, values);

/** Buttons that answer one question: once answered (or passed by), they are spent. */
const ONE_SHOT = new Set([
  "step_worked", "step_failed", "step_skipped", "topic", "troubleshoot_anyway", "continue_troubleshooting",
  "take_up_later",
]);
const STORE_KEY = "felsok.chat.v1";
const LANG_KEY = "felsok.chat.lang";
const QUEUE_POLL_MS = 20000;

const params = new URLSearchParams(location.search);
const embed = params.get("embed") === "1";
const $ = (id) => document.getElementById(id);

const S = {
  lang: "sv", // the language of the page
  locale: "sv", // the language of the conversation (what the bot writes)
  id: null,
  token: null,
  status: "bot",
  waiting: null,
  known: new Map(), // server message id → element
  pending: [], // customer bubbles shown before their server copy: {node, text, state}
  openButtons: [], // one-shot buttons not yet answered
  customerMessages: 0,
  stopStream: null,
  streamState: "idle",
  queueTimer: null,
  sends: Promise.resolve(),
  inFlight: 0,
  retry: null, // a failed text send: {text, key, mark}, so a retry reuses its key
  serverCustomer: { count: 0, text: null }, // customer messages shown straight from the server
  generation: 0, // bumps when a new conversation replaces the old one
};

const ui = {
  log: $("messages"),
  input: $("message-input"),
  composer: $("composer"),
  send: $("send"),
  sendError: $("send-error"),
  typing: $("typing"),
  queue: $("queue-status"),
  connection: $("connection-status"),
  notice: $("notice"),
  chatNotice: $("chat-notice"),
  partner: $("chat-partner"),
  langSwitch: $("lang-switch"),
  talk: $("talk-to-human"),
  save: $("save-transcript"),
  openCancellation: $("open-cancellation"),
  openWithdrawal: $("open-withdrawal"),
};

// ---------------------------------------------------------------- language

function applyLanguage() {
  document.documentElement.lang = S.lang;
  document.title = t("pageTitle");
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-attr]")) {
    for (const pair of node.dataset.i18nAttr.split(";")) {
      const [attr, key] = pair.split(":");
      node.setAttribute(attr, t(key));
    }
  }
  $("service-options").replaceChildren(...t("serviceOptions").split("|").map((value) => el("option", { value })));
  ui.langSwitch.textContent = t("langSwitch");
  ui.langSwitch.lang = S.lang === "sv" ? "en" : "sv";
  for (const time of ui.log.querySelectorAll("time[datetime]")) time.textContent = formatTime(time.dateTime, S.lang);
  for (const node of ui.log.querySelectorAll("[data-i18n-msg]")) node.textContent = t(node.dataset.i18nMsg);
  for (const node of ui.log.querySelectorAll(".action-group")) node.setAttribute("aria-label", t("actionsLabel"));
  showPartner();
  showQueue();
  showLanguageNotice();
  if (!ui.sendError.hidden && ui.sendError.dataset.key) ui.sendError.textContent = t(ui.sendError.dataset.key);
}

async function switchLanguage() {
  S.lang = S.lang === "sv" ? "en" : "sv";
  store.set(LANG_KEY, S.lang);
  saveSession();
  applyLanguage();
  // A conversation nobody has written in yet simply starts again in the new language, so the
  // greeting and buttons follow. Later on, the bot keeps the conversation's language and the
  // notice offers a fresh start.
  if (S.id && S.customerMessages === 0 && S.pending.length === 0 && S.locale !== S.lang && S.status === "bot") {
    await startConversation();
  }
}

function showLanguageNotice() {
  const box = ui.chatNotice;
  if (box.dataset.kind && box.dataset.kind !== "lang") return;
  if (!S.id || S.locale === S.lang || S.customerMessages === 0) {
    if (box.dataset.kind === "lang") hideChatNotice();
    return;
  }
  if (box.dataset.dismissed === `${S.id}:${S.lang}`) return;
  const language = t(S.locale === "sv" ? "langSv" : "langEn");
  const other = t(S.lang === "sv" ? "langSv" : "langEn");
  showChatNotice("lang", t("langNotice", { language, other }), [
    { text: tr(S.lang, "newConversationIn"), onclick: () => startConversation({ focus: true }) },
    {
      text: t("dismiss"),
      onclick: () => {
        box.dataset.dismissed = `${S.id}:${S.lang}`;
        hideChatNotice();
        ui.input.focus();
      },
    },
  ]);
}

function showChatNotice(kind, text, buttons = []) {
  const box = ui.chatNotice;
  box.dataset.kind = kind;
  box.classList.toggle("error", kind === "error");
  box.replaceChildren(
    el("p", {}, text),
    buttons.length
      ? el("div", { class: "notice-actions" }, buttons.map((b) => el("button", { type: "button", onclick: b.onclick }, b.text)))
      : null,
  );
  box.hidden = false;
}

function hideChatNotice() {
  ui.chatNotice.hidden = true;
  ui.chatNotice.replaceChildren();
  delete ui.chatNotice.dataset.kind;
}

// ---------------------------------------------------------------- session

function saveSession() {
  if (!S.id) return store.set(STORE_KEY, null);
  store.set(STORE_KEY, JSON.stringify({ id: S.id, token: S.token, lang: S.lang }));
}

function loadSession() {
  try {
    const saved = JSON.parse(store.get(STORE_KEY) || "null");
    if (saved && typeof saved.id === "string" && typeof saved.token === "string") return saved;
  } catch {
    /* a damaged entry: start again */
  }
  return null;
}

function resetView() {
  S.generation += 1;
  if (S.stopStream) S.stopStream();
  S.stopStream = null;
  S.streamState = "idle";
  clearInterval(S.queueTimer);
  S.queueTimer = null;
  S.known.clear();
  S.pending = [];
  S.openButtons = [];
  S.customerMessages = 0;
  S.retry = null;
  S.serverCustomer = { count: 0, text: null };
  S.status = "bot";
  S.waiting = null;
  ui.log.replaceChildren();
  ui.connection.hidden = true;
  hideChatNotice();
  hideSendError();
  showQueue();
  showPartner();
}

async function startConversation({ focus = false } = {}) {
  resetView();
  const generation = S.generation;
  const locale = S.lang;
  let created;
  try {
    created = await api("/api/v1/conversations", {
      method: "POST",
      body: { locale, channel: "web" },
    });
  } catch (e) {
    if (generation !== S.generation) return;
    showStartError(e);
    return;
  }
  if (generation !== S.generation) return;
  S.id = created.conversation_id;
  S.token = created.token;
  S.locale = locale;
  saveSession();
  // The language was switched while this one was being made: make it again.
  if (S.lang !== locale) return startConversation({ focus });
  renderBatch(created.messages);
  listen(created.messages.length);
  showLanguageNotice();
  if (focus) ui.input.focus();
}

async function resumeConversation(saved) {
  resetView();
  const generation = S.generation;
  S.id = saved.id;
  S.token = saved.token;
  let view;
  try {
    view = await api(`/api/v1/conversations/${encodeURIComponent(S.id)}`, { token: S.token });
  } catch (e) {
    if (generation !== S.generation) return;
    if (e instanceof ApiError && (e.status === 404 || e.status === 401)) {
      S.id = null;
      S.token = null;
      saveSession();
      await startConversation();
    } else {
      showStartError(e, saved);
    }
    return;
  }
  if (generation !== S.generation) return;
  S.locale = view.locale === "en" ? "en" : "sv";
  const chosen = saved.lang === "en" || saved.lang === "sv" ? saved.lang : S.locale;
  if (chosen !== S.lang) {
    S.lang = chosen;
    applyLanguage();
  }
  renderBatch(view.messages);
  setStatus(view.status, view.waiting);
  listen(view.messages.length);
  showLanguageNotice();
}

function showStartError(error, saved) {
  showChatNotice("error", t("startFailed"), [
    {
      text: t("retry"),
      onclick: () => (saved ? resumeConversation(saved) : startConversation({ focus: true })),
    },
  ]);
  ui.chatNotice.classList.add("error");
  console.warn("Felsök: could not start the chat", error);
}

/** Reads the conversation again: missed messages, the status and the place in the queue. */
async function refresh() {
  if (!S.id) return;
  const generation = S.generation;
  try {
    const view = await api(`/api/v1/conversations/${encodeURIComponent(S.id)}`, { token: S.token });
    if (generation !== S.generation) return;
    for (const m of view.messages) addMessage(m);
    setStatus(view.status, view.waiting);
  } catch {
    /* the stream or the next poll will catch up */
  }
}

// ---------------------------------------------------------------- live updates

function listen(seen) {
  if (S.stopStream) S.stopStream();
  const generation = S.generation;
  const path = `/api/v1/conversations/${encodeURIComponent(S.id)}/events?after=${seen}`;
  S.stopStream = follow(
    path,
    S.token,
    (name, data) => {
      if (generation !== S.generation) return;
      if (name === "message" && data && typeof data === "object") addMessage(data, { live: true });
      else if (name === "status" && data && data.status) {
        const was = S.status;
        setStatus(data.status, S.waiting);
        if (data.status === "queued" || (was === "queued" && data.status !== "queued")) refresh();
      }
    },
    (state) => {
      if (generation !== S.generation) return;
      const before = S.streamState;
      S.streamState = state;
      if (state === "retrying") ui.connection.hidden = false;
      else if (state === "open") {
        ui.connection.hidden = true;
        if (before === "retrying") refresh();
      } else if (state === "denied") {
        ui.connection.hidden = true;
        showChatNotice("denied", t("deniedNotice"), [
          { text: t("newConversation"), onclick: () => startConversation({ focus: true }) },
        ]);
      }
    },
  );
}

function setStatus(status, waiting) {
  S.status = status || "bot";
  S.waiting = S.status === "queued" ? waiting || S.waiting : null;
  showPartner();
  showQueue();
  if (S.status === "queued" && !S.queueTimer) {
    S.queueTimer = setInterval(refresh, QUEUE_POLL_MS);
  } else if (S.status !== "queued" && S.queueTimer) {
    clearInterval(S.queueTimer);
    S.queueTimer = null;
  }
  if (S.status === "closed") {
    showChatNotice("closed", t("closedNotice"), [
      { text: t("newConversation"), onclick: () => startConversation({ focus: true }) },
    ]);
  } else if (ui.chatNotice.dataset.kind === "closed") {
    hideChatNotice();
  }
}

function showPartner() {
  const key = { queued: "partnerQueued", agent: "partnerAgent", closed: "partnerClosed" }[S.status] || "partnerBot";
  ui.partner.textContent = t(key);
  ui.partner.dataset.status = S.status;
  ui.typing.querySelector("[data-i18n]").textContent = t("typing");
}

function showQueue() {
  if (S.status !== "queued") {
    ui.queue.hidden = true;
    ui.queue.textContent = "";
    return;
  }
  const parts = [t("queueIntro")];
  const w = S.waiting;
  if (w && Number.isFinite(w.position)) {
    parts.push(w.position <= 1 ? t("queueFirst") : t("queueNumber", { n: w.position }));
    if (w.estimated_wait_minutes === 1) parts.push(t("queueEstimateOne"));
    else if (w.estimated_wait_minutes) parts.push(t("queueEstimate", { m: w.estimated_wait_minutes }));
    else parts.push(t("queueNoEstimate"));
  }
  parts.push(t("queueStay"));
  const text = parts.join(" ");
  if (ui.queue.textContent !== text) ui.queue.textContent = text;
  ui.queue.hidden = false;
}

// ---------------------------------------------------------------- messages

function nearBottom() {
  const log = ui.log;
  return log.scrollHeight - log.scrollTop - log.clientHeight < 120;
}

function scrollToEnd() {
  ui.log.scrollTop = ui.log.scrollHeight;
  S.atBottom = true;
}

// When notices or the message box grow, the list gets shorter: keep the newest in view.
S.atBottom = true;
ui.log.addEventListener("scroll", () => {
  S.atBottom = nearBottom();
}, { passive: true });
if (window.ResizeObserver) {
  new ResizeObserver(() => {
    if (S.atBottom) ui.log.scrollTop = ui.log.scrollHeight;
  }).observe(ui.log);
}

/** Shows messages read in one go (start, resume) without announcing each one. */
function renderBatch(messages) {
  ui.log.setAttribute("aria-busy", "true");
  for (const m of messages) addMessage(m);
  ui.log.setAttribute("aria-busy", "false");
  scrollToEnd();
}

function addMessage(m, { live = false } = {}) {
  if (!m || typeof m.id !== "string" || S.known.has(m.id)) return;
  if (m.role === "customer" && adoptPending(m)) return;
  const stick = nearBottom();
  const node = renderMessage(m);
  S.known.set(m.id, node);
  ui.log.append(node);
  if (m.role === "customer") {
    S.serverCustomer = { count: S.serverCustomer.count + 1, text: m.text };
    customerSpoke(m.text);
  } else collectButtons(node);
  if (stick || m.role === "customer") scrollToEnd();
  if (live && embed && m.role !== "customer") tellParent({ type: "felsok:message", role: m.role });
}

/** A customer message from the server takes over the bubble shown when it was sent. */
function adoptPending(m) {
  if (!S.pending.length) return false;
  const same = S.pending.findIndex((p) => p.text === m.text);
  // The server may have masked a password in it; then the oldest bubble on its way is it.
  const index = same >= 0 ? same : S.pending.findIndex((p) => p.state !== "failed");
  if (index < 0) return false;
  const [p] = S.pending.splice(index, 1);
  p.adopted = true;
  p.node.dataset.messageId = m.id;
  p.node.classList.remove("pending");
  p.node.querySelector(".sending")?.remove();
  const body = p.node.querySelector(".bubble-text");
  if (body && body.textContent !== m.text) body.textContent = m.text;
  const time = p.node.querySelector("time");
  if (time && m.created_at) {
    time.dateTime = m.created_at;
    time.textContent = formatTime(m.created_at, S.lang);
  }
  S.known.set(m.id, p.node);
  return true;
}

function senderKey(role) {
  return { bot: "senderBot", agent: "senderAgent", customer: "senderCustomer" }[role] || "senderSystem";
}

function renderMessage(m) {
  const role = ["customer", "bot", "agent", "system"].includes(m.role) ? m.role : "system";
  const step = m.guide_step && typeof m.guide_step === "object" ? m.guide_step : null;
  const node = el("div", {
    class: `message message-${role}${step ? " step-card" : ""}`,
    dataset: { role, messageId: m.id },
  });
  node.append(
    el("p", {
      class: role === "system" || role === "customer" ? "sender visually-hidden" : "sender",
      "data-i18n-msg": senderKey(role),
    }, t(senderKey(role))),
  );
  const bubble = el("div", { class: "bubble", lang: role === "customer" ? null : S.locale });
  if (role === "customer") {
    bubble.append(el("p", { class: "bubble-text" }, m.text));
  } else if (step) {
    bubble.append(renderStep(m.text, step));
  } else {
    bubble.append(richText(m.text));
  }
  node.append(bubble);
  const actions = renderActions(m);
  if (actions) node.append(actions);
  const receipt = receiptReference(m);
  if (receipt) {
    node.append(
      el("div", { class: "message-tools" },
        el("button", { type: "button", class: "small", "data-i18n-msg": "saveReceipt", onclick: () => saveReceipt(receipt) }, t("saveReceipt"))),
    );
  }
  if (m.created_at) {
    node.append(el("p", { class: "meta" }, el("time", { datetime: m.created_at }, formatTime(m.created_at, S.lang))));
  }
  return node;
}

/**
 * A step card drawn from the parts the server sends beside the text, so the page never reads
 * the bot's wording. A step stored before messages carried their parts shows its text.
 */
function renderStep(text, step) {
  const fragment = document.createDocumentFragment();
  const parts = step.parts && typeof step.parts === "object" ? step.parts : null;
  if (parts && parts.lead) fragment.append(el("div", { class: "step-intro" }, richText(parts.lead)));
  const total = Number(step.steps) || 0;
  const n = Number(step.step) || 0;
  if (total > 0 && n > 0) {
    const bar = el("span", { class: "step-progress-bar" });
    bar.style.width = `${Math.min(100, Math.round((n / total) * 100))}%`;
    fragment.append(el("div", { class: "step-progress", "aria-hidden": "true" }, bar));
  }
  if (!parts) {
    fragment.append(richText(text));
    return fragment;
  }
  fragment.append(el("h2", { class: "step-title" }, String(parts.heading ?? "")));
  fragment.append(richText(parts.instruction));
  const notes = [[parts.warning, "step-warning"], [parts.expected, "step-expected"], [parts.link, "step-more"]];
  for (const [part, cls] of notes) {
    if (!part || typeof part !== "object") continue;
    fragment.append(el("div", { class: `step-note ${cls}` },
      el("strong", { class: "note-label" }, String(part.label ?? "")), richText(part.text)));
  }
  return fragment;
}

/** renderText, with bare web addresses made into links too (guides write them plainly). */
function richText(text) {
  const fragment = renderText(text);
  const walker = document.createTreeWalker(fragment, NodeFilter.SHOW_TEXT);
  const found = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement && node.parentElement.closest("a")) continue;
    if (/https?:\/\//i.test(node.nodeValue)) found.push(node);
  }
  for (const node of found) {
    const parts = node.nodeValue.split(/(https?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]'”])/i);
    const replacement = parts.map((part, i) =>
      i % 2 ? el("a", { href: part, rel: "noopener noreferrer", target: "_blank" }, part) : part);
    node.replaceWith(...replacement);
  }
  return fragment;
}

function renderActions(m) {
  if (!Array.isArray(m.actions) || !m.actions.length) return null;
  const group = el("div", { class: "action-group", role: "group", "aria-label": t("actionsLabel") });
  for (const action of m.actions) {
    if (!action || typeof action.id !== "string") continue;
    const kind = String(action.kind || "");
    const button = el("button", {
      type: "button",
      class: `action action-${kind.replace(/[^a-z_]/g, "")}`,
      dataset: { actionKind: kind, actionId: action.id },
    }, action.label || action.id);
    button.addEventListener("click", () => onAction(action, button, group));
    group.append(button);
  }
  return group;
}

/** Remembers the one-shot buttons of a message just shown, to spend them once answered. */
function collectButtons(node) {
  for (const b of node.querySelectorAll("button[data-action-kind]")) {
    if (ONE_SHOT.has(b.dataset.actionKind) && !b.disabled) S.openButtons.push(b);
  }
}

/** The customer said something: earlier questions are answered or passed by. */
function customerSpoke(text) {
  S.customerMessages += 1;
  for (const b of S.openButtons) {
    if (b.disabled) continue;
    if (text !== undefined && b.textContent === text) markChosen(b);
    b.disabled = true;
  }
  S.openButtons = [];
  if (S.customerMessages === 1) showLanguageNotice();
}

function markChosen(button) {
  button.classList.add("chosen");
  button.setAttribute("aria-pressed", "true");
}

function receiptReference(m) {
  if (m.role !== "system" || typeof m.text !== "string") return null;
  const match = /(?:Referens|Reference):\s*((?:SU|ÅN)-[0-9]{6}-[0-9A-Z]{6})/.exec(m.text);
  return match ? match[1] : null;
}

// ---------------------------------------------------------------- sending

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function showPending(text) {
  const node = el("div", { class: "message message-customer pending", dataset: { role: "customer" } },
    el("p", { class: "sender visually-hidden", "data-i18n-msg": "senderCustomer" }, t("senderCustomer")),
    el("div", { class: "bubble" }, el("p", { class: "bubble-text" }, text)),
    el("p", { class: "meta" },
      el("span", { class: "sending", "data-i18n-msg": "sending" }, t("sending")),
      " ",
      el("time", { datetime: new Date().toISOString() }, formatTime(new Date().toISOString(), S.lang))));
  const pending = { node, text, state: "sending" };
  S.pending.push(pending);
  ui.log.append(node);
  customerSpoke(text);
  scrollToEnd();
  return pending;
}

function dropPending(pending) {
  const i = S.pending.indexOf(pending);
  if (i >= 0) S.pending.splice(i, 1);
  pending.node.remove();
  S.customerMessages = Math.max(0, S.customerMessages - 1);
}

/** Posts a text or an action; sends go one after another, in the order they were made. */
function post(body) {
  const generation = S.generation;
  const run = async () => {
    if (generation !== S.generation) throw new ApiError(0, "stale", "stale");
    busy(+1);
    try {
      return await api(`/api/v1/conversations/${encodeURIComponent(S.id)}/messages`, {
        method: "POST",
        token: S.token,
        body,
      });
    } finally {
      busy(-1);
    }
  };
  const result = S.sends.then(run, run);
  S.sends = result.catch(() => {});
  return result.then((answer) => {
    if (generation === S.generation) {
      for (const m of (answer && answer.messages) || []) addMessage(m);
      // Without the live stream, the answer does not say whether a person now holds the chat.
      if (S.streamState !== "open") refresh();
    }
    return answer;
  });
}

function busy(delta) {
  S.inFlight = Math.max(0, S.inFlight + delta);
  ui.typing.hidden = S.inFlight === 0;
}

/** Sent: the stream brings the customer's own message soon; if it does not, read it. */
function sent(pending) {
  pending.state = "sent";
  pending.node.querySelector(".sending")?.remove();
  setTimeout(() => {
    if (S.pending.includes(pending)) refresh();
  }, 2500);
}

async function sendText() {
  const text = ui.input.value.trim();
  if (!text || !S.id) {
    if (!text) showSendError("empty_text");
    ui.input.focus();
    return;
  }
  hideSendError();
  const retry = S.retry && S.retry.text === text ? S.retry : null;
  const key = retry ? retry.key : newKey();
  S.retry = null;
  ui.input.value = "";
  autoGrow();
  // A retry whose first try did arrive after all is already in the log: no second bubble.
  const arrived = retry && S.serverCustomer.count > retry.mark && S.serverCustomer.text === text;
  const pending = arrived ? null : showPending(text);
  try {
    await post({ text, client_message_id: key });
    if (pending) sent(pending);
  } catch (e) {
    if (e.code === "stale") return;
    // The message reached the server (its copy came back live); only the answer was lost,
    // and the replies come live too.
    if (pending && pending.adopted) return;
    if (pending) dropPending(pending);
    S.retry = { text, key, mark: S.serverCustomer.count };
    ui.input.value = ui.input.value ? `${text}\n${ui.input.value}` : text;
    autoGrow();
    showSendError(sendErrorKey(e));
    if (e.status === 404) conversationGone();
  }
}

function sendErrorKey(e) {
  if (!(e instanceof ApiError)) return "sendFailedServer";
  if (e.status === 0) return "sendFailedNetwork";
  if (e.status === 429) return "sendFailedBusy";
  if (e.status === 422 || e.status === 400) {
    const code = e.details && Array.isArray(e.details.fields) && e.details.fields[0] ? e.details.fields[0].code : e.code;
    if (["text_too_long", "empty_text", "invalid_text"].includes(code)) return code;
  }
  return "sendFailedServer";
}

function conversationGone() {
  showChatNotice("denied", t("deniedNotice"), [
    { text: t("newConversation"), onclick: () => startConversation({ focus: true }) },
  ]);
}

async function sendAction(action, button, group) {
  if (!S.id) return;
  hideSendError();
  const spend = ONE_SHOT.has(action.kind);
  if (spend && group) {
    for (const b of group.querySelectorAll("button[data-action-kind]")) {
      if (ONE_SHOT.has(b.dataset.actionKind)) b.disabled = true;
    }
  }
  if (button && spend) markChosen(button);
  const pending = showPending(action.label || action.id);
  if (button && spend) {
    button.disabled = true;
  }
  ui.input.focus();
  try {
    await post({ action: action.id, client_message_id: newKey() });
    sent(pending);
  } catch (e) {
    if (e.code === "stale" || pending.adopted) return;
    dropPending(pending);
    if (spend && group) {
      for (const b of group.querySelectorAll("button[data-action-kind]")) {
        b.disabled = false;
        b.classList.remove("chosen");
        b.removeAttribute("aria-pressed");
        if (ONE_SHOT.has(b.dataset.actionKind)) S.openButtons.push(b);
      }
    }
    showSendError(e instanceof ApiError && e.status === 429 ? "sendFailedBusy" : "actionFailed");
    if (e.status === 404) conversationGone();
  }
}

function onAction(action, button, group) {
  if (button.disabled) return;
  // The form for cancelling someone else's subscription is of the kind written_cancellation
  // (so that a client knowing only kinds opens the form at all); its id says to open that part.
  const kind = action.id === "on_behalf_cancellation" ? action.id : action.kind || action.id;
  switch (kind) {
    case "written_cancellation":
      openCancellation();
      break;
    case "on_behalf_cancellation":
      openCancellation({ onBehalf: true });
      break;
    case "withdrawal":
      openWithdrawal();
      break;
    case "request_callback":
      openCallback(button);
      break;
    default:
      sendAction(action, button, group);
  }
}

function showSendError(key) {
  ui.sendError.dataset.key = key;
  ui.sendError.textContent = t(key);
  ui.sendError.hidden = false;
  ui.input.setAttribute("aria-invalid", "true");
}

function hideSendError() {
  ui.sendError.hidden = true;
  ui.sendError.textContent = "";
  delete ui.sendError.dataset.key;
  ui.input.removeAttribute("aria-invalid");
}

function autoGrow() {
  const input = ui.input;
  input.style.height = "auto";
  const max = Math.round(window.innerHeight * 0.3);
  input.style.height = `${Math.min(input.scrollHeight + 2, Math.max(max, 80))}px`;
}

let noticeTimer = null;
function notify(key, kind = "ok") {
  ui.notice.className = `banner notice ${kind}`;
  ui.notice.textContent = t(key);
  ui.notice.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => {
    ui.notice.hidden = true;
    ui.notice.textContent = "";
  }, 6000);
}

async function saveTranscript() {
  if (!S.id) return;
  ui.save.disabled = true;
  try {
    await download(`/api/v1/conversations/${encodeURIComponent(S.id)}/transcript?format=text`, S.token, "felsok-konversation.txt");
    notify("transcriptSaved");
  } catch {
    notify("transcriptFailed", "error");
  } finally {
    ui.save.disabled = false;
  }
}

async function saveReceipt(reference) {
  try {
    await download(
      `/api/v1/conversations/${encodeURIComponent(S.id)}/cancellations/${encodeURIComponent(reference)}/receipt`,
      S.token,
      `felsok-${reference}.txt`,
    );
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- forms (cancellation, withdrawal, call-back)

/** Field errors from a 422, next to each field; returns whether any could be placed. */
function showFieldErrors(form, prefix, fields, fallbackBox) {
  let first = null;
  const unplaced = [];
  for (const problem of fields) {
    const input = form.querySelector(`[name="${CSS.escape(problem.field)}"]`);
    const box = input && document.getElementById(`${prefix}-${problem.field}-error`);
    const text = fieldMessage(problem);
    if (!box) {
      unplaced.push(text);
      continue;
    }
    box.textContent = box.hidden ? text : `${box.textContent} ${text}`;
    box.hidden = false;
    input.setAttribute("aria-invalid", "true");
    first = first || input;
  }
  if (unplaced.length && fallbackBox) {
    fallbackBox.append(el("p", {}, unplaced.join(" ")));
  }
  return first;
}

function fieldMessage(problem) {
  const code = problem.code;
  if (code === "missing_field" || code === "empty_field" || /required/.test(code)) {
    const key = `missing_${problem.field}`;
    if (STRINGS.sv[key]) return t(key);
  }
  if (STRINGS.sv[code]) return t(code);
  return problem.message || t("formHasErrors");
}

function clearFieldErrors(form, box) {
  for (const p of form.querySelectorAll(".field-error")) {
    p.hidden = true;
    p.textContent = "";
  }
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  if (box) {
    box.hidden = true;
    box.replaceChildren();
  }
}

function formError(box, error, fallbackKey) {
  box.replaceChildren(el("p", {}, t(error instanceof ApiError && error.status === 0 ? "formFailedNetwork" : fallbackKey)));
  box.hidden = false;
}

function openSheet(dialog, focusTarget) {
  if (!dialog.open) dialog.showModal();
  requestAnimationFrame(() => focusTarget && focusTarget.focus());
}

function closeSheet(dialog) {
  if (dialog.open) dialog.close();
}

for (const dialog of document.querySelectorAll("dialog.sheet")) {
  dialog.addEventListener("click", (event) => {
    if (event.target.closest("[data-close]")) closeSheet(dialog);
  });
  // Back to the message box, after the browser has put focus back where it was.
  dialog.addEventListener("close", () => {
    setTimeout(() => ui.input.focus(), 0);
  });
}

function todayIso() {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}-${String(now.getDate()).padStart(2, "0")}`;
}

/** "2026-12-21" as people read a day: "21 december 2026", "21 December 2026". */
function dayText(day) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(day ?? ""));
  if (!m) return String(day ?? "");
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.toLocaleDateString(S.lang === "en" ? "en-GB" : "sv-SE", {
    timeZone: "UTC", day: "numeric", month: "long", year: "numeric",
  });
}

function placeFormErrors(form, prefix, box, e) {
  if (e instanceof ApiError && e.status === 422 && e.details && Array.isArray(e.details.fields)) {
    box.replaceChildren(el("p", {}, t("formHasErrors")));
    box.hidden = false;
    const first = showFieldErrors(form, prefix, e.details.fields, box);
    if (first) first.focus();
  } else {
    formError(box, e, "formFailedServer");
  }
}

/**
 * A form sent in two steps, as the cancellation and the withdrawal are: the server words what
 * is about to be sent, the customer confirms exactly that and gets a receipt with a reference.
 * `name` begins the sheet's ids (`${name}-dialog`, `${name}-form` …), `prefix` its fields'
 * (`${prefix}-${field}-error`) and `path` the API's (`…/${path}/review`, `…/${path}`).
 * `body()` reads the form, `check(body)` lists what is missing, `first` names the field to
 * start in, `prepare(options)` readies the form as it opens and `onReview(answer)` shows
 * what else the review says.
 */
function twoStepSheet({ name, prefix, path, body, check, first, prepare, onReview }) {
  const sheet = {
    dialog: $(`${name}-dialog`),
    form: $(`${name}-form`),
    formError: $(`${name}-form-error`),
    review: $(`${name}-review`),
    reviewText: document.querySelector(`#${name}-review .review-text`),
    reviewError: $(`${name}-review-error`),
    confirm: $(`${name}-confirm`),
    edit: $(`${name}-edit`),
    receipt: $(`${name}-receipt`),
    body: null, // what was reviewed, sent unchanged on confirm
    reference: null,
  };
  const apiPath = (tail = "") => `/api/v1/conversations/${encodeURIComponent(S.id)}/${path}${tail}`;

  function show(view) {
    sheet.form.hidden = view !== "form";
    sheet.review.hidden = view !== "review";
    sheet.receipt.hidden = view !== "receipt";
  }

  sheet.open = (options = {}) => {
    if (!sheet.receipt.hidden) {
      // A new form after a receipt: start clean.
      sheet.form.reset();
      clearFieldErrors(sheet.form, sheet.formError);
    }
    show("form");
    prepare(options);
    openSheet(sheet.dialog, sheet.form.elements[first]);
  };

  sheet.form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(sheet.form, sheet.formError);
    const request = body();
    const missing = check(request);
    if (missing.length) {
      sheet.formError.replaceChildren(el("p", {}, t("formHasErrors")));
      sheet.formError.hidden = false;
      showFieldErrors(sheet.form, prefix, missing, sheet.formError)?.focus();
      return;
    }
    if (!S.id) {
      // The chat never started: nothing to send it with yet.
      formError(sheet.formError, new ApiError(0, "network", "no conversation"), "formFailedServer");
      return;
    }
    const submit = sheet.form.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      const answer = await api(apiPath("/review"), { method: "POST", token: S.token, body: request });
      sheet.body = request;
      sheet.reviewText.replaceChildren(renderText(answer.review));
      sheet.reviewText.lang = S.locale;
      sheet.reviewError.hidden = true;
      if (onReview) onReview(answer);
      show("review");
      $(`${name}-review-title`).focus();
    } catch (e) {
      placeFormErrors(sheet.form, prefix, sheet.formError, e);
    } finally {
      submit.disabled = false;
    }
  });

  sheet.edit.addEventListener("click", () => {
    show("form");
    sheet.form.elements[first].focus();
  });

  sheet.confirm.addEventListener("click", async () => {
    if (!sheet.body) return;
    sheet.confirm.disabled = true;
    sheet.edit.disabled = true;
    sheet.reviewError.hidden = true;
    try {
      const answer = await api(apiPath(), { method: "POST", token: S.token, body: sheet.body });
      if (answer.message) addMessage(answer.message);
      showReceipt(answer);
    } catch (e) {
      if (e instanceof ApiError && e.status === 422) {
        show("form");
        clearFieldErrors(sheet.form, sheet.formError);
        placeFormErrors(sheet.form, prefix, sheet.formError, e);
      } else {
        formError(sheet.reviewError, e, "formFailedServer");
      }
    } finally {
      sheet.confirm.disabled = false;
      sheet.edit.disabled = false;
    }
  });

  function showReceipt(answer) {
    sheet.reference = answer.reference;
    sheet.receipt.querySelector(".receipt-reference").textContent = answer.reference;
    const time = sheet.receipt.querySelector(".receipt-time");
    time.dateTime = answer.received_at;
    time.textContent = swedishTimeText(answer.received_at);
    const text = sheet.receipt.querySelector(".receipt-text");
    text.replaceChildren(renderText(answer.receipt));
    text.lang = S.locale;
    $(`${name}-receipt-note`).hidden = true;
    show("receipt");
    $(`${name}-receipt-title`).focus();
  }

  $(`${name}-download`).addEventListener("click", async () => {
    if (!sheet.reference) return;
    const note = $(`${name}-receipt-note`);
    const ok = await saveReceipt(sheet.reference);
    note.textContent = t(ok ? "receiptSaved" : "receiptSaveFailed");
    note.hidden = false;
  });

  return sheet;
}

/** What the customer typed in a field, trimmed; optional fields only when filled in. */
function formFields(form, required, optional) {
  const f = form.elements;
  const body = {};
  for (const name of required) body[name] = f[name].value.trim();
  for (const name of optional) {
    const value = f[name].value.trim();
    if (value) body[name] = value;
  }
  return body;
}

const missingOf = (body, names) => names.filter((name) => !body[name]).map((field) => ({ field, code: "missing_field" }));

// A written cancellation, optionally made for someone else: the estate of someone who has
// died, a guardian, or someone holding a power of attorney. Those two fields go only when the
// part for them is open.
const behalf = {
  toggle: $("cf-behalf"),
  part: $("cf-behalf-part"),
};

function showBehalf() {
  behalf.part.hidden = !behalf.toggle.checked;
}

behalf.toggle.addEventListener("change", showBehalf);

const cancel = twoStepSheet({
  name: "cancellation",
  prefix: "cf",
  path: "cancellation",
  first: "service",
  body() {
    const body = formFields($("cancellation-form"), ["service", "full_name"],
      ["customer_number", "email", "end_date", "comment"]);
    if (behalf.toggle.checked) {
      const f = $("cancellation-form").elements;
      body.holder_name = f.holder_name.value.trim();
      body.relation = f.relation.value;
    }
    return body;
  },
  check(body) {
    const names = ["service", "full_name"];
    if (behalf.toggle.checked) names.push("holder_name", "relation");
    return missingOf(body, names);
  },
  prepare({ onBehalf = false } = {}) {
    if (onBehalf) behalf.toggle.checked = true;
    showBehalf();
    $("cancellation-form").elements.end_date.min = todayIso();
  },
});

function openCancellation(options) {
  cancel.open(options);
}

// Withdrawing from a contract within the 14 days the law gives (ångerrätt).
const withdraw = twoStepSheet({
  name: "withdrawal",
  prefix: "wf",
  path: "withdrawal",
  first: "full_name",
  body: () => formFields($("withdrawal-form"), ["full_name", "contract", "contract_date"],
    ["customer_number", "email", "comment"]),
  check(body) {
    const missing = missingOf(body, ["full_name", "contract", "contract_date"]);
    if (body.contract_date && /^\d{4}-\d{2}-\d{2}$/.test(body.contract_date) && body.contract_date > todayIso()) {
      missing.push({ field: "contract_date", code: "date_in_future" });
    }
    return missing;
  },
  prepare() {
    $("withdrawal-form").elements.contract_date.max = todayIso();
  },
  onReview(answer) {
    const time = withdraw.review.querySelector(".withdrawal-last-day");
    time.dateTime = answer.last_day || "";
    time.textContent = dayText(answer.last_day);
    time.closest("dl").hidden = !answer.last_day;
  },
});

function openWithdrawal() {
  withdraw.open();
}

// The call-back form: a number and a window of time, in Swedish time, as the API wants it.
const callback = {
  dialog: $("callback-dialog"),
  form: $("callback-form"),
  error: $("callback-form-error"),
};

/** A moment as people in Sweden read it, the way the receipt itself states it. */
function swedishTimeText(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso ?? "");
  try {
    return t("swedishTime", {
      time: date.toLocaleString(S.lang === "en" ? "en-GB" : "sv-SE", {
        timeZone: "Europe/Stockholm", dateStyle: "long", timeStyle: "short",
      }),
    });
  } catch {
    return date.toLocaleString();
  }
}

function pad(n) {
  return String(n).padStart(2, "0");
}

/** Minutes east of UTC in Sweden at a moment. */
function swedishOffset(ms) {
  try {
    const name = new Intl.DateTimeFormat("en-US", { timeZone: "Europe/Stockholm", timeZoneName: "longOffset" })
      .formatToParts(new Date(ms))
      .find((p) => p.type === "timeZoneName").value;
    const m = /GMT([+-])(\d{1,2}):?(\d{2})?/.exec(name);
    if (!m) return 0;
    return (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] || 0));
  } catch {
    return -new Date(ms).getTimezoneOffset();
  }
}

/** "2026-12-02" + "14:00" in Swedish time → "2026-12-02T14:00:00+01:00". */
function swedishTimestamp(day, time) {
  const naive = Date.parse(`${day}T${time}:00Z`);
  let offset = swedishOffset(naive - 60 * 60000);
  offset = swedishOffset(naive - offset * 60000);
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset);
  return `${day}T${time}:00${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

function openCallback() {
  const f = callback.form.elements;
  if (!f.day.value) {
    // Sensible defaults: today, from the next full hour, for two hours (Swedish time).
    const parts = new Intl.DateTimeFormat("sv-SE", {
      timeZone: "Europe/Stockholm", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", hour12: false,
    }).formatToParts(new Date());
    const get = (type) => parts.find((p) => p.type === type)?.value;
    const hour = Math.min(Number(get("hour")) + 1, 21);
    f.day.value = `${get("year")}-${get("month")}-${get("day")}`;
    f.from.value = `${pad(hour)}:00`;
    f.to.value = `${pad(Math.min(hour + 2, 23))}:00`;
  }
  f.day.min = todayIso();
  clearFieldErrors(callback.form, callback.error);
  openSheet(callback.dialog, f.phone);
}

callback.form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearFieldErrors(callback.form, callback.error);
  const f = callback.form.elements;
  const missing = [];
  if (!f.phone.value.trim()) missing.push({ field: "phone", code: "required" });
  if (!f.day.value) missing.push({ field: "day", code: "required" });
  if (!f.from.value) missing.push({ field: "from", code: "required" });
  if (!f.to.value) missing.push({ field: "to", code: "required" });
  if (missing.length) {
    callback.error.replaceChildren(el("p", {}, t("formHasErrors")));
    callback.error.hidden = false;
    showFieldErrors(callback.form, "cb", missing, callback.error)?.focus();
    return;
  }
  const body = {
    phone: f.phone.value.trim(),
    from: swedishTimestamp(f.day.value, f.from.value),
    to: swedishTimestamp(f.day.value, f.to.value),
  };
  const submit = callback.form.querySelector("button[type=submit]");
  submit.disabled = true;
  try {
    const answer = await api(`/api/v1/conversations/${encodeURIComponent(S.id)}/callback`, {
      method: "POST",
      token: S.token,
      body,
    });
    for (const m of answer.messages || []) addMessage(m);
    if (S.streamState !== "open") refresh();
    closeSheet(callback.dialog);
    notify("callbackDone");
  } catch (e) {
    placeFormErrors(callback.form, "cb", callback.error, e);
  } finally {
    submit.disabled = false;
  }
});

// ---------------------------------------------------------------- embedding

function tellParent(message) {
  if (embed && window.parent !== window) window.parent.postMessage(message, "*");
}

// ---------------------------------------------------------------- wiring

ui.composer.addEventListener("submit", (event) => {
  event.preventDefault();
  sendText();
});

ui.input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing && !event.altKey && !event.ctrlKey && !event.metaKey) {
    event.preventDefault();
    sendText();
  }
});

ui.input.addEventListener("input", () => {
  autoGrow();
  if (!ui.sendError.hidden && ui.sendError.dataset.key === "empty_text") hideSendError();
});

ui.talk.addEventListener("click", () => {
  sendAction({ id: "talk_to_human", kind: "talk_to_human", label: t("talkToHuman") }, null, null);
});
ui.save.addEventListener("click", saveTranscript);
ui.openCancellation.addEventListener("click", () => openCancellation());
ui.openWithdrawal.addEventListener("click", () => openWithdrawal());
ui.langSwitch.addEventListener("click", switchLanguage);

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape" || !embed || event.defaultPrevented) return;
  if (document.querySelector("dialog[open]")) return;
  tellParent({ type: "felsok:close" });
});

// Inside the widget, the frame getting focus means the customer opened the chat: type away.
window.addEventListener("focus", () => {
  if (embed && (document.activeElement === document.body || !document.activeElement) && !document.querySelector("dialog[open]")) {
    ui.input.focus();
  }
});

window.addEventListener("offline", () => {
  ui.connection.hidden = false;
});
window.addEventListener("online", () => {
  if (S.streamState === "open") ui.connection.hidden = true;
});

function boot() {
  if (embed) document.documentElement.classList.add("embed");
  const saved = loadSession();
  const asked = params.get("lang");
  const preferred = store.get(LANG_KEY);
  S.lang = saved && (saved.lang === "en" || saved.lang === "sv")
    ? saved.lang
    : asked === "en" || asked === "sv"
      ? asked
      : preferred === "en" ? "en" : "sv";
  applyLanguage();
  if (saved) resumeConversation(saved);
  else startConversation();
  if (embed) ui.input.focus();
}

boot();
