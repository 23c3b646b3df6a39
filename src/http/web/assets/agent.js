// The agents' inbox: sign in with an agent token, see the queues with waiting times, open a
// handoff with its context packet and transcript, claim it, answer the customer, move it to
// another queue, hand it back to its own queue for the next free colleague and resolve it.
// Live updates come over /api/v1/agent/events.
//
// Everything from the server or a customer reaches the page as text only (el, textContent,
// renderText); nothing is ever parsed as HTML.

import {
  ApiError, el, follow, formatTime, formatWait, renderText, storageOf, store, translator,
} from "./common.js";
import { STRINGS } from "./agent-strings.js";
import { SignedOut, errorText as staffErrorText, staffSession } from "./staff.js";

const QUEUES = ["technical", "billing", "cancellation", "general"];
const MOVABLE = ["technical", "billing", "general"];
// The token itself lives only in an HttpOnly cookie the server sets; the page keeps just the
// fact that this tab (or this browser, when remembered) is signed in.
const TOKEN_KEY = "felsok.agent.signedIn";
const OLD_TOKEN_KEY = "felsok.agent.token";
const NAME_KEY = "felsok.agent.name";
const MINE_KEY = "felsok.agent.claimed";
const LANG_KEY = "felsok.agent.lang";
const REFRESH_MS = 30000;
const LONG_WAIT_MINUTES = 10;
const MAX_REPLY_CHARS = 4000;

const translate = translator(STRINGS);
const STEP_ICONS = { worked: "✓", failed: "✗", skipped: "–" };

const $ = (id) => document.getElementById(id);

const state = {
  token: null,
  lang: "sv",
  status: "queued",
  queue: "all",
  handoffs: [],
  loaded: false,
  openId: null,
  open: null,
  openKey: "",
  renderedMessages: new Set(),
  myName: null,
  mine: new Set(),
  unread: new Set(),
  stopLive: null,
  live: "off",
  timer: null,
  listSeq: 0,
  openSeq: 0,
  refreshTimer: null,
  listTimer: null,
  lastCountText: "",
  busy: false,
};

function t(key, values) {
  return translate(state.lang, key, values);
}

// ---------------------------------------------------------------- storage

// The sign-in lasts for this tab unless the agent asks to be remembered.
const session = storageOf("sessionStorage");

function remembered(key) {
  return session.get(key) ?? store.get(key);
}

function remember(key, value) {
  // Kept where the token is kept, so that signing out forgets both.
  if (store.get(TOKEN_KEY)) store.set(key, value);
  else session.set(key, value);
}

/** Forgets what this sign-in remembered; with `keepSignIn`, not the sign-in itself. */
function forgetSession({ keepSignIn = false } = {}) {
  for (const key of keepSignIn ? [NAME_KEY, MINE_KEY] : [TOKEN_KEY, NAME_KEY, MINE_KEY]) {
    session.set(key, null);
    store.set(key, null);
  }
}

function loadIdentity() {
  state.myName = remembered(NAME_KEY);
  try {
    state.mine = new Set(JSON.parse(remembered(MINE_KEY) || "[]"));
  } catch {
    state.mine = new Set();
  }
}

function rememberMine(handoff) {
  if (!handoff) return;
  if (handoff.claimed_by) {
    state.myName = handoff.claimed_by;
    remember(NAME_KEY, handoff.claimed_by);
  }
  state.mine.add(handoff.id);
  remember(MINE_KEY, JSON.stringify([...state.mine].slice(-200)));
}

/** Forget a handoff this agent no longer holds, so a later claim by a colleague is not "mine". */
function forgetMine(id) {
  if (!state.mine.delete(id)) return;
  remember(MINE_KEY, JSON.stringify([...state.mine].slice(-200)));
}

function isMine(h) {
  if (!h || h.status === "queued" || !h.claimed_by) return false;
  if (state.mine.has(h.id)) return true;
  return state.myName !== null && h.claimed_by === state.myName;
}

/** Whether this agent may reply to, move, hand back or resolve the handoff (the server has the last word). */
function canAct(h) {
  if (!h || h.status !== "claimed") return false;
  // Without knowing our own name yet (a handoff claimed before this session), we let the
  // server decide rather than lock the agent out of their own case.
  return isMine(h) || (state.myName === null && state.mine.size === 0);
}

// ---------------------------------------------------------------- language

function applyLanguage() {
  document.documentElement.lang = state.lang;
  document.title = t("title");
  for (const node of document.querySelectorAll("[data-i18n]")) {
    node.textContent = t(node.dataset.i18n);
  }
  for (const node of document.querySelectorAll("[data-i18n-label]")) {
    node.setAttribute("aria-label", t(node.dataset.i18nLabel));
  }
  const sw = $("lang-switch");
  sw.textContent = t("langSwitch");
  sw.lang = state.lang === "sv" ? "en" : "sv";
  sw.setAttribute("aria-label", t("langSwitchLabel"));
  renderLiveState();
  buildQueueButtons();
  if (state.token) {
    renderList();
    if (state.open) renderView(true);
  }
}

async function switchLanguage() {
  state.lang = state.lang === "sv" ? "en" : "sv";
  store.set(LANG_KEY, state.lang);
  applyLanguage();
  if (state.token) {
    // Summaries and banners are written by the server in the agent's language.
    startLive();
    loadList().catch(() => {});
    if (state.openId) refreshOpen().catch(() => {});
  }
}

// ---------------------------------------------------------------- labels

const queueLabel = (q) => (QUEUES.includes(q) ? t("queue_" + q) : q);
/** The server names intents in the agent's language, as the summary does. */
const intentLabel = (score) => score.label || score.name;
const reasonLabel = (r) => {
  const label = t("reason_" + r);
  return label === "reason_" + r ? r : label;
};
const customerName = (h) => (h.customer && h.customer.name) || t("unknownCustomer");
const relationLabel = (r) => {
  const label = t("relation_" + r);
  return label === "relation_" + r ? r : label;
};
/** A withdrawal within the 14 days (ångerrätt) rather than a cancellation. */
const isWithdrawal = (h) => (h.cancellation && h.cancellation.kind === "withdrawal") || h.reason === "withdrawal";

function percent(value) {
  const locale = state.lang === "en" ? "en-GB" : "sv-SE";
  return new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 0 }).format(value || 0);
}

function scoreText(score) {
  return t("confidence", { label: intentLabel(score), percent: percent(score.confidence) });
}

function waitText(h) {
  const from = new Date(h.created_at).getTime();
  if (h.status === "queued") {
    if (Date.now() - from < 30000) return t("justArrived");
    return t("waiting", { time: formatWait(h.created_at, state.lang) });
  }
  const seconds = h.waited_seconds || 0;
  if (seconds < 30) return t("waitedUnderMinute");
  return t("waited", { time: formatWait(h.created_at, state.lang, from + seconds * 1000) });
}

function waitedMinutes(h) {
  return (Date.now() - new Date(h.created_at).getTime()) / 60000;
}

function clockTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleTimeString(state.lang === "en" ? "en-GB" : "sv-SE", { hour: "2-digit", minute: "2-digit" });
}

/** The call-back window in Swedish time, as the customer was told it. */
function callbackWindow(cb, short = false) {
  const locale = state.lang === "en" ? "en-GB" : "sv-SE";
  const zone = { timeZone: "Europe/Stockholm" };
  const from = new Date(cb.from);
  const to = new Date(cb.to);
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) return "";
  const day = (d) => d.toLocaleDateString(locale, { ...zone, day: "numeric", month: "short" });
  const clock = (d) => d.toLocaleTimeString(locale, { ...zone, hour: "2-digit", minute: "2-digit" });
  const today = day(new Date()) === day(from);
  return t(short ? "callbackTimesShort" : "callbackTimes", { day: today ? t("today") : day(from), from: clock(from), to: clock(to) });
}

function timeEl(iso) {
  return el("time", { datetime: iso, text: formatTime(iso, state.lang) });
}

function snippet(text, max = 140) {
  const plain = String(text || "").replace(/\*\*|`/g, "").replace(/\s+/g, " ").trim();
  return plain.length > max ? plain.slice(0, max - 1).trimEnd() + "…" : plain;
}

function errorText(error) {
  return staffErrorText(t, error, fieldErrorText);
}

/** This page's own words for a field problem; the rest are looked up by field and code. */
function fieldErrorText(f) {
  if (f.code === "note_required" && state.open && chosenOutcome(state.open) === "withdrawal_disputed") {
    return t("noteRequiredDisputed");
  }
  return null;
}

// ---------------------------------------------------------------- API

const staff = staffSession({
  key: TOKEN_KEY,
  oldKey: OLD_TOKEN_KEY,
  roles: ["agent", "admin"],
  onExpired: () => signOut("expired"),
});

const call = (path, options = {}) => staff.call(path, options);

const withLang = (path) => `${path}${path.includes("?") ? "&" : "?"}lang=${state.lang}`;
const handoffPath = (id, action = "") =>
  `/api/v1/agent/handoffs/${encodeURIComponent(id)}${action ? "/" + action : ""}`;

// ---------------------------------------------------------------- sign in / out

function showSignin(message, kind = "error") {
  $("signin").hidden = false;
  $("inbox").hidden = true;
  $("signout").hidden = true;
  $("live-state").hidden = true;
  const box = $("signin-message");
  if (message) {
    box.textContent = message;
    box.className = "banner " + kind;
    box.setAttribute("role", kind === "error" ? "alert" : "status");
    box.hidden = false;
  } else {
    box.hidden = true;
    box.textContent = "";
  }
  $("token-input").focus();
}

async function onSignin(event) {
  event.preventDefault();
  const input = $("token-input");
  const button = event.target.querySelector("button[type=submit]");
  const token = input.value.trim();
  input.removeAttribute("aria-invalid");
  if (!token) {
    input.setAttribute("aria-invalid", "true");
    showSignin(t("signinEmpty"));
    return;
  }
  button.disabled = true;
  button.textContent = t("signinChecking");
  try {
    await staff.signIn(token, { remember: $("remember").checked });
  } catch (error) {
    input.setAttribute("aria-invalid", "true");
    if (error instanceof ApiError && error.status === 401) showSignin(t("signinInvalid"));
    else if (error instanceof ApiError && error.status === 403) showSignin(t("signinForbidden"));
    else showSignin(errorText(error));
    return;
  } finally {
    button.disabled = false;
    button.textContent = t("signinSubmit");
  }
  forgetSession({ keepSignIn: true });
  input.value = "";
  startInbox(true, true);
}

function startInbox(token, focus) {
  state.token = token;
  loadIdentity();
  $("signin").hidden = true;
  $("signin-message").hidden = true;
  $("inbox").hidden = false;
  $("signout").hidden = false;
  $("live-state").hidden = false;
  $("status-filter").value = state.status;
  buildQueueButtons();
  if (focus) $("list-heading").focus();
  // The list answers first, so that a token that no longer works costs one request.
  loadList().then(() => {
    if (state.token !== token) return;
    startLive();
    clearInterval(state.timer);
    state.timer = setInterval(tick, REFRESH_MS);
    const wanted = hashHandoff();
    if (wanted) openHandoff(wanted, { focus: false }).catch(() => {});
  }, () => {});
}

function signOut(reason) {
  staff.signOut();
  if (state.stopLive) state.stopLive();
  state.stopLive = null;
  clearInterval(state.timer);
  forgetSession();
  Object.assign(state, {
    token: null, handoffs: [], loaded: false, openId: null, open: null, openKey: "",
    myName: null, live: "off", lastCountText: "",
  });
  state.mine = new Set();
  state.unread = new Set();
  state.renderedMessages = new Set();
  $("handoff-list").replaceChildren();
  $("transcript").replaceChildren();
  $("context-body").replaceChildren();
  $("reply-input").value = "";
  clearResolveForm();
  closeView(false);
  renderLiveState();
  if (location.hash.startsWith("#handoff=")) history.replaceState(null, "", location.pathname + location.search);
  showSignin(reason === "expired" ? t("signinExpired") : t("signedOut"), reason === "expired" ? "error" : "info");
}

// ---------------------------------------------------------------- live updates

function startLive() {
  if (state.stopLive) state.stopLive();
  let wasRetrying = false;
  state.live = "retrying";
  renderLiveState();
  state.stopLive = follow(withLang("/api/v1/agent/events"), null, onLiveEvent, (s) => {
    if (s === "open") {
      state.live = "open";
      // Anything that happened while the stream was down is fetched once.
      if (wasRetrying) {
        loadList().catch(() => {});
        if (state.openId) refreshOpen().catch(() => {});
      }
      wasRetrying = false;
    } else if (s === "retrying") {
      state.live = "retrying";
      wasRetrying = true;
    } else if (s === "denied") {
      state.live = "off";
      // Find out why: an expired token sends the agent back to sign in.
      loadList().catch(() => {});
    }
    renderLiveState();
  });
}

function renderLiveState() {
  const node = $("live-state");
  node.dataset.state = state.live;
  node.replaceChildren(el("span", { class: "live-dot", "aria-hidden": "true" }), t("live_" + state.live));
}

function listStatus() {
  return state.status === "mine" ? "claimed" : state.status;
}

function onLiveEvent(name, data) {
  if (!state.token) return;
  if (name === "resync") {
    loadList().catch(() => {});
    if (state.openId) scheduleRefreshOpen();
    return;
  }
  if (name !== "conversation" || !data || !Array.isArray(data.handoffs)) return;
  const wanted = listStatus();
  const arrived = [];
  for (const h of data.handoffs) {
    const at = state.handoffs.findIndex((x) => x.id === h.id);
    if (h.status === wanted) {
      if (at >= 0) state.handoffs[at] = h;
      else {
        state.handoffs.push(h);
        if (h.status === "queued") arrived.push(h);
      }
    } else if (at >= 0) {
      state.handoffs.splice(at, 1);
    }
  }
  const last = data.last_message;
  const isOpen = state.open && state.open.conversation_id === data.conversation_id;
  if (last && last.role === "customer" && !isOpen) {
    for (const h of data.handoffs) if (h.status !== "resolved") state.unread.add(h.id);
  }
  sortHandoffs();
  renderList(arrived);
  if (isOpen || data.handoffs.some((h) => h.id === state.openId)) scheduleRefreshOpen();
}

function scheduleRefreshOpen() {
  clearTimeout(state.refreshTimer);
  state.refreshTimer = setTimeout(() => refreshOpen().catch(() => {}), 150);
}

function tick() {
  if (!state.token) return;
  loadList().catch(() => {});
  if (state.openId && state.live !== "open") refreshOpen().catch(() => {});
  else if (state.open) renderViewMeta();
}

// ---------------------------------------------------------------- the list

function sortHandoffs() {
  if (state.status === "resolved") {
    state.handoffs.sort((a, b) => String(b.resolved_at || b.created_at).localeCompare(String(a.resolved_at || a.created_at)));
  } else {
    state.handoffs.sort((a, b) => new Date(a.created_at) - new Date(b.created_at));
  }
}

async function loadList() {
  if (!state.token) return;
  const seq = ++state.listSeq;
  const answer = { handoffs: [] };
  try {
    // Page by page, so that nothing waiting is ever beyond the first page's reach.
    let cursor = null;
    do {
      const page = await call(withLang(`/api/v1/agent/handoffs?status=${listStatus()}&limit=500` +
        (cursor ? `&cursor=${encodeURIComponent(cursor)}` : "")));
      answer.handoffs.push(...(page.handoffs || []));
      cursor = page.next_cursor || null;
    } while (cursor && seq === state.listSeq);
  } catch (error) {
    if (error instanceof SignedOut || seq !== state.listSeq) return;
    const box = $("list-error");
    box.textContent = errorText(error);
    box.hidden = false;
    return;
  }
  if (seq !== state.listSeq) return;
  $("list-error").hidden = true;
  const before = new Set(state.handoffs.map((h) => h.id));
  const first = !state.loaded;
  state.handoffs = answer.handoffs || [];
  state.loaded = true;
  sortHandoffs();
  const arrived = first ? [] : state.handoffs.filter((h) => h.status === "queued" && !before.has(h.id));
  renderList(arrived);
  $("list-updated").textContent = t("listUpdated", { time: clockTime(new Date().toISOString()) });
}

function matchesStatus(h) {
  if (state.status === "mine") return h.status === "claimed" && isMine(h);
  return h.status === state.status;
}

function buildQueueButtons() {
  const box = $("queue-buttons");
  const focused = document.activeElement && box.contains(document.activeElement)
    ? document.activeElement.dataset.queue : null;
  box.replaceChildren(
    ...["all", ...QUEUES].map((q) =>
      el("button", {
        type: "button",
        class: "queue-button",
        dataset: { queue: q },
        "aria-pressed": String(state.queue === q),
        onclick: () => {
          state.queue = q;
          buildQueueButtons();
          renderList();
        },
      }, q === "all" ? t("queue_all") : queueLabel(q))
    )
  );
  if (focused) box.querySelector(`[data-queue="${focused}"]`)?.focus();
  updateQueueCounts();
}

function updateQueueCounts() {
  const mine = state.handoffs.filter(matchesStatus);
  for (const button of $("queue-buttons").children) {
    const q = button.dataset.queue;
    const count = q === "all" ? mine.length : mine.filter((h) => h.queue === q).length;
    const label = q === "all" ? t("queue_all") : queueLabel(q);
    button.replaceChildren(label, " ", el("span", { class: "count", text: `(${count})` }));
    button.setAttribute("aria-pressed", String(state.queue === q));
  }
}

function renderList(arrived = []) {
  const list = $("handoff-list");
  const focusedId = document.activeElement && list.contains(document.activeElement)
    ? document.activeElement.closest(".handoff-item")?.dataset.handoffId : null;
  const byStatus = state.handoffs.filter(matchesStatus);
  const visible = byStatus.filter((h) => state.queue === "all" || h.queue === state.queue);
  // Entries already shown are updated in place, so that focus and reading position stay put.
  const existing = new Map([...list.children].map((li) => [li.dataset.handoffId, li]));
  const items = visible.map((h) => {
    const fresh = listItem(h);
    const old = existing.get(h.id);
    if (!old) return fresh;
    const oldButton = old.querySelector("button");
    const newButton = fresh.querySelector("button");
    oldButton.replaceChildren(...newButton.childNodes);
    if (newButton.hasAttribute("aria-current")) oldButton.setAttribute("aria-current", "true");
    else oldButton.removeAttribute("aria-current");
    Object.assign(old.dataset, fresh.dataset);
    return old;
  });
  items.forEach((li, i) => {
    if (list.children[i] !== li) list.insertBefore(li, list.children[i] || null);
  });
  while (list.children.length > items.length) list.lastElementChild.remove();
  $("list-empty").hidden = !state.loaded || visible.length > 0;
  updateQueueCounts();
  if (focusedId) list.querySelector(`[data-handoff-id="${CSS.escape(focusedId)}"] button`)?.focus();

  // Tell screen-reader users when the list changed: its size, and who arrived.
  const countKey = (visible.length === 1 ? "listCountOne_" : "listCount_") + state.status;
  let text = state.loaded ? t(countKey, { count: visible.length }) : "";
  const shown = arrived.filter((h) => visible.includes(h));
  if (shown.length) {
    text = shown.map((h) => t("newHandoff", { name: customerName(h), queue: queueLabel(h.queue) })).join(" ") + " " + text;
  }
  if (text !== state.lastCountText) {
    $("list-status").textContent = text;
    state.lastCountText = text;
  }
  const queued = state.status === "queued" ? visible.length : 0;
  document.title = queued ? `(${queued}) ${t("title")}` : t("title");
}

function listItem(h) {
  const flags = [];
  if (h.cancellation) {
    flags.push(el("span", { class: "flag flag-cancel", text: t(isWithdrawal(h) ? "flagWithdrawal" : "flagCancellation") }));
  } else if (h.banner || h.queue === "cancellation") {
    flags.push(el("span", { class: "flag flag-cancel", text: t("flagCancellationWish") }));
  }
  if (h.callback) flags.push(el("span", { class: "flag flag-callback", text: t("flagCallback", { window: callbackWindow(h.callback, true) }) }));
  if (state.unread.has(h.id)) flags.push(el("span", { class: "flag flag-unread", text: t("flagUnread") }));

  const meta = [];
  if (h.status === "resolved") {
    meta.push(el("span", { text: t("resolvedAt", { time: formatTime(h.resolved_at || h.created_at, state.lang) }) }));
  } else {
    meta.push(el("span", {
      class: "wait",
      dataset: { long: String(h.status === "queued" && waitedMinutes(h) >= LONG_WAIT_MINUTES) },
      text: waitText(h),
    }));
  }
  if (h.intent) meta.push(el("span", { text: intentLabel(h.intent) }));
  if (h.status === "claimed" && h.claimed_by) {
    meta.push(el("span", { text: isMine(h) ? t("handledByYou") : t("handledBy", { name: h.claimed_by }) }));
  }

  const selected = h.id === state.openId;
  return el("li", { class: "handoff-item", dataset: { handoffId: h.id, queue: h.queue, status: h.status } },
    el("button", {
      type: "button",
      class: "handoff-open",
      "aria-current": selected ? "true" : null,
      onclick: () => openHandoff(h.id).catch(() => {}),
    },
      el("span", { class: "item-top" },
        el("span", { class: "item-name", text: customerName(h) }),
        el("span", { class: `queue-badge queue-${h.queue}`, text: queueLabel(h.queue) })),
      flags.length ? el("span", { class: "item-flags" }, flags) : null,
      el("span", { class: "item-summary", text: snippet(h.summary) }),
      el("span", { class: "item-meta" }, meta.flatMap((m, i) => (i ? [el("span", { "aria-hidden": "true", text: " · " }), m] : [m]))),
    ));
}

// ---------------------------------------------------------------- the open handoff

function hashHandoff() {
  const m = /^#handoff=(.+)$/.exec(location.hash);
  if (!m) return null;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return null;
  }
}

async function openHandoff(id, { focus = true } = {}) {
  if (state.openId !== id) {
    state.openId = id;
    state.open = null;
    state.openKey = "";
    state.renderedMessages = new Set();
    $("transcript").replaceChildren();
    $("context-body").replaceChildren(el("p", { class: "hint", text: t("loading") }));
    $("reply-input").value = "";
    clearResolveForm();
    $("view-status").textContent = "";
    $("view-error").hidden = true;
  }
  state.unread.delete(id);
  if (hashHandoff() !== id) history.replaceState(null, "", "#handoff=" + encodeURIComponent(id));
  $("view-empty").hidden = true;
  $("view-body").hidden = false;
  $("handoff-view").setAttribute("aria-labelledby", "view-heading");
  $("view-heading").textContent = t("loading");
  renderList();
  if (focus) $("view-heading").focus();
  await refreshOpen();
  if (focus && state.openId === id) {
    $("view-heading").focus();
    $("handoff-view").scrollIntoView({ block: "start" });
  }
}

function closeView(focusList = true) {
  const id = state.openId;
  state.openId = null;
  state.open = null;
  $("view-body").hidden = true;
  $("view-empty").hidden = false;
  $("handoff-view").setAttribute("aria-labelledby", "view-empty-heading");
  if (focusList && id) {
    const button = $("handoff-list").querySelector(`[data-handoff-id="${CSS.escape(id)}"] button`);
    if (button) button.focus();
    else $("list-heading").focus();
  }
}

async function refreshOpen() {
  const id = state.openId;
  if (!id || !state.token) return;
  const seq = ++state.openSeq;
  let h;
  try {
    h = await call(withLang(handoffPath(id)));
  } catch (error) {
    if (error instanceof SignedOut || state.openId !== id || seq !== state.openSeq) return;
    showViewError(error);
    if (!state.open) $("view-heading").textContent = t("err_handoff_not_found");
    return;
  }
  if (state.openId !== id || seq !== state.openSeq) return;
  setOpen(h);
}

function setOpen(h) {
  // Whatever was being fetched before this answer is older than it.
  state.openSeq += 1;
  state.open = h;
  if (isMine(h)) rememberMine(h);
  // Keep the list entry in step with what the view shows.
  const at = state.handoffs.findIndex((x) => x.id === h.id);
  const summary = { ...h };
  delete summary.transcript;
  if (at >= 0) {
    if (matchesStatus(summary)) state.handoffs[at] = summary;
    else state.handoffs.splice(at, 1);
  } else if (summary.status === listStatus() && matchesStatus(summary)) {
    state.handoffs.push(summary);
    sortHandoffs();
  }
  renderList();
  renderView(false);
}

function renderView(languageChanged) {
  const h = state.open;
  if (!h) return;
  $("view-heading").textContent = customerName(h);
  renderViewMeta();
  renderControls();
  const key = JSON.stringify({ ...h, transcript: undefined, waited_seconds: undefined, lang: state.lang });
  if (languageChanged || key !== state.openKey) {
    state.openKey = key;
    $("context-body").replaceChildren(contextPacket(h));
  }
  if (languageChanged) {
    state.renderedMessages = new Set();
    $("transcript").replaceChildren();
  }
  syncTranscript(h.transcript || []);
}

function renderViewMeta() {
  const h = state.open;
  if (!h) return;
  const parts = [queueLabel(h.queue), t("state_" + h.status)];
  if (h.status !== "resolved") parts.push(waitText(h));
  $("view-meta").replaceChildren(
    ...parts.flatMap((p, i) => (i ? [el("span", { "aria-hidden": "true", text: " · " }), el("span", { text: p })] : [el("span", { text: p })]))
  );
  const info = $("claim-info");
  if (h.status === "claimed") {
    info.textContent = t("claimInfoClaimed", {
      name: isMine(h) ? (state.lang === "en" ? "you" : "dig") : h.claimed_by || "?",
      time: formatTime(h.claimed_at || h.created_at, state.lang),
    });
  } else if (h.status === "resolved") {
    info.textContent = h.claimed_by
      ? t("claimInfoResolved", { time: formatTime(h.resolved_at || h.created_at, state.lang), name: h.claimed_by })
      : t("claimInfoResolvedNoName", { time: formatTime(h.resolved_at || h.created_at, state.lang) });
  } else info.textContent = "";
}

function renderControls() {
  const h = state.open;
  const act = canAct(h) && !state.busy;
  const claim = $("claim");
  claim.hidden = h.status !== "queued";
  claim.disabled = state.busy;

  $("reply-input").disabled = !act;
  $("reply-submit").disabled = !act;
  $("resolve-note").disabled = !act;
  $("resolve-submit").disabled = !act;
  const cancellation = h.queue === "cancellation";
  renderOutcomes(h, act);

  const movable = !cancellation && h.status !== "resolved" && (h.status === "queued" || canAct(h)) && !state.busy;
  const select = $("move-queue");
  const current = select.value;
  const options = MOVABLE.filter((q) => q !== h.queue);
  select.replaceChildren(...options.map((q) => el("option", { value: q, text: queueLabel(q) })));
  if (options.includes(current)) select.value = current;
  select.disabled = !movable;
  select.closest(".inline-fields").hidden = cancellation;
  $("move-submit").disabled = !movable;
  $("move-hint").textContent = cancellation ? t("moveHintCancellation") : t("moveHint");
  $("hand-back").disabled = !act;

  let hint = "";
  if (h.status === "queued") hint = t("manageQueued");
  else if (h.status === "resolved") hint = t("manageResolved");
  else if (!canAct(h)) hint = t("manageOther", { name: h.claimed_by || "?" });
  $("manage-hint").textContent = hint;
  $("manage-hint").hidden = !hint;
}

/** The two outcomes a handoff in the cancellation queue can end with, by what it is. */
function outcomesOf(h) {
  return isWithdrawal(h)
    ? { confirm: "withdrawal_confirmed", other: "withdrawal_disputed" }
    : { confirm: "cancellation_confirmed", other: "cancellation_withdrawn" };
}

/** The outcome chosen in the form, or null where there is nothing to choose. */
function chosenOutcome(h) {
  if (!h || h.queue !== "cancellation") return null;
  const { confirm, other } = outcomesOf(h);
  return $("outcome-withdrawn").checked ? other : confirm;
}

const needsDates = (outcome) => outcome === "cancellation_confirmed" || outcome === "withdrawal_confirmed";
const needsNote = (outcome) => outcome === "cancellation_withdrawn" || outcome === "withdrawal_disputed";

/**
 * The outcome choice, worded for a cancellation or a withdrawal; the dates the service ends
 * and is last invoiced when it is confirmed; and the note, which a disputed withdrawal's
 * customer reads as the reason.
 */
function renderOutcomes(h, act) {
  const cancellation = h.queue === "cancellation";
  const withdrawal = isWithdrawal(h);
  const { confirm, other } = outcomesOf(h);
  $("resolve-outcome").hidden = !cancellation;
  $("outcome-confirmed").value = confirm;
  $("outcome-withdrawn").value = other;
  $("outcome-legend").textContent = t(withdrawal ? "outcomeLegendWithdrawal" : "outcomeLegend");
  $("outcome-confirmed-label").textContent = t("outcome_" + confirm);
  $("outcome-withdrawn-label").textContent = t(withdrawal ? "outcome_withdrawal_disputed" : "outcomeWithdrawnChoice");
  for (const radio of document.querySelectorAll("#resolve-outcome input")) radio.disabled = !act;

  const outcome = chosenOutcome(h);
  $("resolve-dates").hidden = !needsDates(outcome);
  for (const input of document.querySelectorAll("#resolve-dates input")) input.disabled = !act;

  const disputed = outcome === "withdrawal_disputed";
  const noteRequired = needsNote(outcome);
  $("note-label").replaceChildren(
    t(disputed ? "noteLabelDisputed" : "noteLabel"),
    noteRequired ? " " : "",
    noteRequired ? el("span", { class: "req", text: t("required") }) : "",
  );
  const note = $("resolve-note");
  if (noteRequired) note.setAttribute("aria-required", "true");
  else note.removeAttribute("aria-required");
  $("note-hint").textContent = disputed
    ? t("noteHintDisputed")
    : outcome === "cancellation_withdrawn" ? t("noteHintWithdrawn") : t("noteHint");
}

function clearResolveForm() {
  $("resolve-note").value = "";
  $("resolve-service-ends").value = "";
  $("resolve-last-invoice").value = "";
  $("outcome-confirmed").checked = true;
  for (const node of document.querySelectorAll("#resolve-form [aria-invalid]")) node.removeAttribute("aria-invalid");
}

function dl(rows) {
  const list = el("dl", { class: "facts" });
  for (const [term, value] of rows) {
    if (value === null || value === undefined || value === false) continue;
    list.append(el("div", { class: "fact" }, el("dt", { text: term }), el("dd", {}, value)));
  }
  return list;
}

function orNotGiven(value) {
  return value ? String(value) : el("span", { class: "not-given", text: t("notGiven") });
}

function card(headingKey, ...children) {
  return el("section", { class: "card context-card" }, el("h4", { text: t(headingKey) }), ...children);
}

function contextPacket(h) {
  const parts = [];
  const isCancellation = Boolean(h.cancellation) || h.queue === "cancellation" || Boolean(h.banner);
  if (isCancellation) parts.push(cancellationBanner(h));

  // Other readings only when they are real alternatives, not rounding noise.
  const others = (h.intents || [])
    .filter((s) => (!h.intent || s.name !== h.intent.name) && s.confidence >= 0.05)
    .slice(0, 2);
  const summary = card("summaryHeading",
    el("div", { class: "summary-text" }, renderText(h.summary)),
    dl([
      [t("reason"), reasonLabel(h.reason)],
      [t("intent"), h.intent ? scoreText(h.intent) : orNotGiven(null)],
      others.length ? [t("otherIntents"), others.map(scoreText).join(", ")] : null,
      [t("customerLanguage"), t("lang_" + h.language) !== "lang_" + h.language ? t("lang_" + h.language) : h.language],
      [t("createdAt"), timeEl(h.created_at)],
      h.outcome ? [t("outcome"), t("outcome_" + h.outcome)] : null,
      h.note ? [t(h.outcome === "withdrawal_disputed" ? "noteDisputed" : "note"), el("span", { class: "note-text", text: h.note })] : null,
    ].filter(Boolean)));
  summary.classList.add("summary-card");

  const c = h.customer || {};
  const customer = card("customerHeading", dl([
    [t("customerName"), orNotGiven(c.name)],
    [t("customerNumber"), orNotGiven(c.customer_number)],
    [t("email"), c.email ? el("a", { href: "mailto:" + c.email, text: c.email }) : orNotGiven(null)],
    c.postcode || (h.details && h.details.postcode)
      ? [t("postcode"), String(c.postcode || h.details.postcode)] : null,
  ].filter(Boolean)));

  const cards = [summary, customer];
  if (h.callback) {
    const cb = h.callback;
    const callbackCard = card("callbackHeading", dl([
      [t("phone"), el("a", { href: "tel:" + cb.phone, text: cb.phone })],
      [t("callbackWindow"), callbackWindow(cb)],
      [t("callbackRequested"), timeEl(cb.requested_at)],
    ]));
    callbackCard.classList.add("callback-card");
    cards.push(callbackCard);
  }
  const d = h.details || {};
  const detailRows = [
    d.products && d.products.length ? [t("products"), d.products.join(", ")] : null,
    d.devices && d.devices.length ? [t("devices"), d.devices.join(", ")] : null,
    d.error_codes && d.error_codes.length ? [t("errorCodes"), d.error_codes.join(", ")] : null,
  ].filter(Boolean);
  if (detailRows.length) cards.push(card("detailsHeading", dl(detailRows)));

  const steps = el("ol", { id: "steps-tried", class: "steps" },
    (h.steps_tried || []).map((s) =>
      el("li", { class: "step", dataset: { outcome: s.outcome } },
        el("span", { class: "step-icon", "aria-hidden": "true", text: STEP_ICONS[s.outcome] || "?" }),
        el("span", { class: "step-body" },
          el("span", { class: "step-outcome", text: t("outcome_" + s.outcome) }),
          el("span", { class: "step-title", text: s.title }),
          el("span", { class: "step-ref", text: t("stepRef", { step: s.step, guide: s.guide_id }) })))));
  const stepsCard = card("stepsHeading", steps,
    (h.steps_tried || []).length ? null : el("p", { class: "hint", text: t("stepsNone") }));
  stepsCard.classList.add("steps-card");
  cards.push(stepsCard);

  parts.push(el("div", { class: "context-grid" }, cards));
  return el("div", { class: "context-parts" }, parts);
}

/** The day a moment fell on in Sweden, as YYYY-MM-DD. */
function swedishDay(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleDateString("sv-SE", { timeZone: "Europe/Stockholm", year: "numeric", month: "2-digit", day: "2-digit" });
}

/** The last day to withdraw, and whether the withdrawal came in after it. */
function lastDayText(c) {
  const received = swedishDay(c.received_at);
  return received && received > c.last_day ? t("lastDayLate", { day: c.last_day }) : c.last_day;
}

function cancellationBanner(h) {
  const c = h.cancellation;
  const withdrawal = isWithdrawal(h);
  const rows = c ? dl([
    [t("cancelReference"), el("strong", { class: "reference", text: c.reference })],
    [t("cancelKind"), t(withdrawal ? "kind_withdrawal" : "kind_cancellation")],
    [t(withdrawal ? "cancelContract" : "cancelService"), c.service ?? c.contract],
    [t("cancelReceived"), timeEl(c.received_at)],
    c.contract_date ? [t("contractDate"), c.contract_date] : null,
    c.last_day ? [t("lastDay"), lastDayText(c)] : null,
    withdrawal ? null : [t("cancelEndDate"), c.end_date || t("cancelEndAsap")],
    c.holder_name ? [t("holderName"), c.holder_name] : null,
    c.relation ? [t("relation"), relationLabel(c.relation)] : null,
    c.service_ends_on ? [t("serviceEndsOn"), c.service_ends_on] : null,
    c.last_invoice_on ? [t("lastInvoiceOn"), c.last_invoice_on] : null,
  ].filter(Boolean)) : null;
  const title = c ? (withdrawal ? "withdrawTitle" : "cancelTitle") : "cancelWishTitle";
  const policy = c ? (withdrawal ? "withdrawPolicy" : "cancelPolicy") : "cancelWishPolicy";
  return el("section", { class: "cancellation-banner", "aria-labelledby": "cancel-title" },
    el("h4", { id: "cancel-title", class: "cancel-title" },
      el("span", { class: "cancel-icon", "aria-hidden": "true", text: "!" }),
      t(title)),
    h.banner
      ? el("p", { class: "cancel-server", text: h.banner })
      : c ? el("p", { class: "cancel-server", text: t(withdrawal ? "withdrawLead" : "cancelLead", { reference: c.reference }) }) : null,
    el("p", { class: "cancel-policy", text: t(policy) }),
    rows,
    c && c.receipt ? el("details", { class: "receipt" },
      el("summary", { text: t("cancelReceipt") }),
      el("div", { class: "receipt-text" }, renderText(c.receipt))) : null);
}

function syncTranscript(messages) {
  const list = $("transcript");
  const scroller = $("transcript-scroll");
  const nearBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
  const first = state.renderedMessages.size === 0;
  let added = false;
  for (const m of messages) {
    if (!m || state.renderedMessages.has(m.id)) continue;
    state.renderedMessages.add(m.id);
    list.append(messageItem(m));
    added = true;
  }
  if (added && (first || nearBottom)) scroller.scrollTop = scroller.scrollHeight;
}

function messageItem(m) {
  const role = ["customer", "bot", "agent", "system"].includes(m.role) ? m.role : "system";
  const extras = [];
  if (m.intent && role === "bot") {
    extras.push(el("p", { class: "message-extra", text: t("messageIntent", { label: intentLabel(m.intent), percent: percent(m.intent.confidence) }) }));
  }
  if (Array.isArray(m.actions) && m.actions.length) {
    extras.push(el("p", { class: "message-extra", text: t("messageActions", { labels: m.actions.map((a) => a.label).join(" · ") }) }));
  }
  return el("li", { class: "message", dataset: { role, messageId: m.id } },
    el("div", { class: "message-head" },
      el("span", { class: "message-role", text: t("role_" + role) }),
      el("time", { datetime: m.created_at, text: formatTime(m.created_at, state.lang) })),
    el("div", { class: "message-text" }, renderText(m.text, { links: role !== "customer" })),
    extras);
}

// ---------------------------------------------------------------- actions

function showViewError(error) {
  const box = $("view-error");
  box.textContent = typeof error === "string" ? error : errorText(error);
  box.hidden = false;
}

function announce(text) {
  $("view-error").hidden = true;
  const node = $("view-status");
  node.textContent = "";
  // A fresh text node, so the same words twice are read twice.
  setTimeout(() => { node.textContent = text; }, 50);
}

async function act(work) {
  if (!state.open || state.busy) return;
  state.busy = true;
  $("view-error").hidden = true;
  renderControls();
  try {
    await work(state.open);
  } catch (error) {
    if (!(error instanceof SignedOut)) {
      showViewError(error);
      // The handoff may have changed under us (claimed elsewhere, resolved): show it as it is.
      if (error instanceof ApiError && (error.status === 409 || error.status === 404)) refreshOpen().catch(() => {});
    }
  } finally {
    state.busy = false;
    if (state.open) renderControls();
  }
}

function onClaim() {
  act(async (h) => {
    $("claim").textContent = t("claiming");
    try {
      const claimed = await call(withLang(handoffPath(h.id, "claim")), { method: "POST" });
      rememberMine(claimed);
      if (state.openId === claimed.id) setOpen(claimed);
      announce(t("claimed"));
    } finally {
      $("claim").textContent = t("claim");
    }
  }).then(() => {
    if (state.open && canAct(state.open)) $("reply-input").focus();
  });
}

function onReply(event) {
  event.preventDefault();
  const input = $("reply-input");
  const text = input.value.trim();
  input.removeAttribute("aria-invalid");
  if (!text) {
    input.setAttribute("aria-invalid", "true");
    showViewError(t("replyEmpty"));
    input.focus();
    return;
  }
  if ([...text].length > MAX_REPLY_CHARS) {
    input.setAttribute("aria-invalid", "true");
    showViewError(t("replyTooLong", { max: MAX_REPLY_CHARS }));
    input.focus();
    return;
  }
  act(async (h) => {
    const message = await call(handoffPath(h.id, "messages"), { method: "POST", body: { text } });
    if (state.openId === h.id) {
      if (state.open.transcript) state.open.transcript.push(message);
      syncTranscript([message]);
      $("transcript-scroll").scrollTop = $("transcript-scroll").scrollHeight;
    }
    input.value = "";
    announce(t("replySent"));
  }).then(() => input.focus());
}

function onMove(event) {
  event.preventDefault();
  const queue = $("move-queue").value;
  if (!queue) return;
  act(async (h) => {
    const moved = await call(withLang(handoffPath(h.id, "move")), { method: "POST", body: { queue } });
    // A move unclaims the case: whoever takes it next in the new queue holds it, not us.
    forgetMine(moved.id);
    if (state.openId === moved.id) setOpen(moved);
    announce(t("moved", { queue: queueLabel(moved.queue) }));
  }).then(() => $("view-heading").focus());
}

function onHandBack() {
  act(async (h) => {
    $("hand-back").textContent = t("handingBack");
    try {
      const released = await call(withLang(handoffPath(h.id, "release")), { method: "POST" });
      forgetMine(released.id);
      if (state.openId === released.id) setOpen(released);
      announce(t("handedBack", { queue: queueLabel(released.queue) }));
    } finally {
      $("hand-back").textContent = t("handBack");
    }
  }).then(() => $("view-heading").focus());
}

function onResolve(event) {
  event.preventDefault();
  const h = state.open;
  if (!h) return;
  const note = $("resolve-note").value.trim();
  const body = {};
  if (note) body.note = note;
  for (const node of document.querySelectorAll("#resolve-form [aria-invalid]")) node.removeAttribute("aria-invalid");
  const outcome = chosenOutcome(h);
  if (outcome) {
    body.outcome = outcome;
    const missing = [];
    const problems = [];
    if (needsDates(outcome)) {
      body.service_ends_on = $("resolve-service-ends").value;
      body.last_invoice_on = $("resolve-last-invoice").value;
      if (!body.service_ends_on) missing.push($("resolve-service-ends"));
      if (!body.last_invoice_on) missing.push($("resolve-last-invoice"));
      if (missing.length) problems.push(t("datesRequired"));
    }
    if (needsNote(outcome) && !note) {
      missing.push($("resolve-note"));
      problems.push(t(outcome === "withdrawal_disputed" ? "noteRequiredDisputed" : "noteRequired"));
    }
    if (missing.length) {
      for (const input of missing) input.setAttribute("aria-invalid", "true");
      showViewError(problems.join(" "));
      missing[0].focus();
      return;
    }
  }
  let invalid = null;
  act(async (current) => {
    try {
      const resolved = await call(withLang(handoffPath(current.id, "resolve")), { method: "POST", body });
      clearResolveForm();
      if (state.openId === resolved.id) setOpen(resolved);
      announce(t("resolved"));
    } catch (error) {
      invalid = markResolveErrors(error);
      throw error;
    }
  }).then(() => (invalid || $("view-heading")).focus());
}

/** Marks the fields a refused resolve names; returns the first of them, to go back to. */
function markResolveErrors(error) {
  const fields = error instanceof ApiError && error.details && Array.isArray(error.details.fields) ? error.details.fields : [];
  const inputs = { note: "resolve-note", service_ends_on: "resolve-service-ends", last_invoice_on: "resolve-last-invoice" };
  let first = null;
  for (const f of fields) {
    const input = inputs[f.field] && $(inputs[f.field]);
    if (!input || input.closest("[hidden]")) continue;
    input.setAttribute("aria-invalid", "true");
    first = first || input;
  }
  return first;
}

// ---------------------------------------------------------------- start

function init() {
  state.lang = store.get(LANG_KEY) === "en" ? "en" : "sv";
  applyLanguage();

  $("lang-switch").addEventListener("click", () => switchLanguage());
  $("signin-form").addEventListener("submit", onSignin);
  $("signout").addEventListener("click", () => signOut("manual"));
  $("status-filter").addEventListener("change", (e) => {
    state.status = e.target.value;
    state.handoffs = [];
    state.loaded = false;
    renderList();
    loadList().catch(() => {});
  });
  $("claim").addEventListener("click", onClaim);
  $("reply-form").addEventListener("submit", onReply);
  $("reply-input").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      $("reply-form").requestSubmit();
    }
  });
  $("move-form").addEventListener("submit", onMove);
  $("hand-back").addEventListener("click", onHandBack);
  $("resolve-form").addEventListener("submit", onResolve);
  for (const radio of document.querySelectorAll("#resolve-outcome input")) {
    radio.addEventListener("change", () => state.open && renderControls());
  }
  $("back-to-list").addEventListener("click", () => {
    history.replaceState(null, "", location.pathname + location.search);
    closeView(true);
    renderList();
  });
  window.addEventListener("hashchange", () => {
    const id = hashHandoff();
    if (id && state.token && id !== state.openId) openHandoff(id).catch(() => {});
  });
  // Another tab signed out (or in) with a remembered token.
  window.addEventListener("storage", (e) => {
    if (e.key === TOKEN_KEY && !e.newValue && state.token && !session.get(TOKEN_KEY)) signOut("manual");
  });

  staff.migrateStoredToken().then(() => {
    if (staff.remembered()) startInbox(true, false);
    else showSignin(null);
  });
}

init();
