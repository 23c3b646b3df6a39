// The guide editor (/editor): content editors sign in with an editor token, find a guide,
// change its source with a live preview of the steps as customers see them, save (the server
// validates and lists every problem), look back through versions, read per-step statistics
// and publish outage notices. Everything from the server is put into the page as text.

import { api, ApiError, el, renderText, translator, formatTime, store } from "./common.js";
import { CUSTOMER, STRINGS } from "./editor-strings.js";
import { SignedOut, errorText as staffErrorText, staffSession } from "./staff.js";

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
  review: null, // the server's answer for the inbox, as filtered
  templateUntouched: false,
  lastProblems: null,
  preview: null, // the server's answer for the source in the editor
  previewError: null,
};

const t = (key, values) => t0(state.lang, key, values);
const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------------------------------
// The guide format lives on the server alone (src/knowledge/guide.rs): the live preview asks
// POST /api/v1/guides/validate. Only the shape of an id is known here, to fill in a new
// guide's template as its id is typed.

const GUIDE_ID = /^[a-z0-9-]{3,80}$/;
function validGuideId(raw) {
  return typeof raw === "string" && GUIDE_ID.test(raw) && !raw.startsWith("-") && /-(sv|en)$/.test(raw);
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

const errorText = (e) => staffErrorText(t, e);

const session = staffSession({
  key: TOKEN_KEY,
  oldKey: OLD_TOKEN_KEY,
  roles: ["editor", "admin"],
  onExpired: () => signOut(t("sessionExpired")),
});

/** Whether the error was the session ending, the page already back at sign-in. */
function handledAuth(e) {
  return e instanceof SignedOut;
}

const authed = (path, options = {}) => session.call(path, options);

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

/** A problem in the page's words when its code is known here, else in the server's. */
function problemText(p) {
  const key = p.code ? `problem_${p.code}` : null;
  return key && t(key) !== key ? t(key, p.values) : p.message;
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
      drawPreview();
      renderDirty();
      if (state.lastProblems) showProblems(state.lastProblems, false);
      if ($("cursor-position").textContent) updateCursor();
      renderHistory();
      renderStats();
    }
    renderOutages();
    renderReview();
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
  session.signOut();
  state.token = null;
  state.current = null;
  state.preview = null;
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
    if (token) await session.signIn(token, { remember: true });
    else await session.resume();
    const list = await api("/api/v1/guides");
    state.token = true;
    setGuides(list.guides);
    $("signin").hidden = true;
    $("app").hidden = false;
    $("signout").hidden = false;
    $("topnav").hidden = false;
    renderList();
    renderEditorVisibility();
    loadOutages();
    loadReview();
    if (!quiet) $("guide-search").focus();
    return true;
  } catch (e) {
    session.forget();
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
    const list = await authed("/api/v1/guides");
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
  // Which search the list shows: the server answers a search after the typing, and the list
  // changes under the pointer when it does.
  list.dataset.query = state.searchHits ? currentQuery() : "";
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
    guide = await authed(`/api/v1/guides/${encodeURIComponent(id)}`);
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

// The server reads the source (POST /api/v1/guides/validate, which stores nothing) and
// answers with every problem a save would report and the steps as far as they read. Calls are
// numbered so that only the answer to the latest source is ever shown.
let previewSeq = 0;

async function refreshPreview() {
  const seq = ++previewSeq;
  const c = state.current;
  if (!c) return;
  const address = c.isNew ? $("new-guide-id").value.trim() : c.id;
  const body = { source: source.value };
  if (address) body.id = address;
  try {
    const preview = await authed("/api/v1/guides/validate", { method: "POST", body });
    if (seq !== previewSeq || state.current !== c) return;
    state.preview = preview;
    state.previewError = null;
  } catch (e) {
    if (handledAuth(e) || seq !== previewSeq || state.current !== c) return;
    state.previewError = e;
  }
  drawPreview();
}

function drawPreview() {
  const preview = $("guide-preview");
  const checks = $("preview-checks");
  const items = $("preview-problems");
  if (state.previewError) {
    items.replaceChildren(el("li", { text: t("previewFailed", { message: errorText(state.previewError) }) }));
    checks.hidden = false;
    return;
  }
  if (!state.preview) {
    preview.replaceChildren();
    items.replaceChildren();
    checks.hidden = true;
    return;
  }
  const { outline, problems } = state.preview;
  const unset = state.preview.unset_facts || [];
  const language = outline.language === "en" || outline.language === "sv"
    ? outline.language
    : languageOfId(state.current?.id || "x-sv");
  const words = CUSTOMER[language];
  const total = outline.steps.length;
  const nodes = [];
  if (outline.title) nodes.push(el("h4", { class: "preview-guide-title", lang: language, text: outline.title }));
  if (outline.summary) nodes.push(el("p", { class: "preview-summary", lang: language, text: outline.summary }));
  if (!total) nodes.push(el("p", { class: "hint", text: t("previewEmpty") }));
  if (unset.length) nodes.push(el("p", { class: "preview-unset hint", text: t("previewUnset", { names: unset.join(", ") }) }));
  const list = el("ol", { class: "preview-steps" });
  outline.steps.forEach((step, index) => {
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
        el("p", { class: "preview-meta hint" }, el("strong", { text: t("onFailureLabel") }), " ", failureText(step.on_failure)),
      ),
    );
  });
  if (total) nodes.push(list);
  preview.replaceChildren(...nodes);
  items.replaceChildren(...problems.map((p) => problemItem(p)));
  checks.hidden = !problems.length;
}

function formatStep(template, number, total, title) {
  return template.replace("{number}", number).replace("{total}", total).replace("{title}", title);
}

/** `next`, `guide:<id>` or `handoff:<queue>`, as the server names a step's way on. */
function failureText(onFailure) {
  if (!onFailure) return "–";
  if (onFailure === "next") return t("failNext");
  const [kind, target] = onFailure.split(":");
  if (kind === "guide") return t("failGuide", { id: target });
  return t("failHandoff", { queue: t(`queue_${target}`) });
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

const previewSoon = debounce(refreshPreview, 300);
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
  refreshPreview();
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
  // Another guide's preview must not stand while this one's is asked for.
  state.preview = null;
  state.previewError = null;
  drawPreview();
  refreshPreview();
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
  refreshPreview();
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
      refreshPreview();
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
// The review inbox: what the bot failed, grouped by meaning on the server; each group can
// be taught as an intent, added to a guide's examples, marked outside our area or dismissed.

function reviewQuery() {
  const params = new URLSearchParams();
  const status = $("review-status-filter").value;
  if (status !== "open") params.set("status", status);
  for (const [key, id] of [["kind", "review-kind"], ["lang", "review-lang"], ["from", "review-from"], ["to", "review-to"]]) {
    const value = $(id).value;
    if (value) params.set(key, value);
  }
  const query = params.toString();
  return query ? `?${query}` : "";
}

let reviewSeq = 0;
async function loadReview() {
  const seq = ++reviewSeq;
  const query = reviewQuery();
  setStatus($("review-status"), t("reviewLoading"), "info");
  try {
    const inbox = await authed(`/api/v1/review${query}`);
    if (seq !== reviewSeq) return;
    state.review = { ...inbox, query };
  } catch (e) {
    if (seq !== reviewSeq || handledAuth(e)) return;
    setStatus($("review-status"), t("loadFailed", { message: errorText(e) }), "error");
    return;
  }
  renderReview();
}

const counted = (one, many, count) => (count === 1 ? t(one) : t(many, { count }));
const messagesText = (count) => counted("messagesOne", "messagesMany", count);

function intentLabel(name) {
  const choice = state.review?.intent_choices.find((c) => c.name === name);
  return choice ? choice[state.lang] : name;
}

function reviewSummary() {
  const inbox = state.review;
  const messages = inbox.groups.reduce((sum, g) => sum + g.size, 0);
  if (messages === 0) return t($("review-status-filter").value === "open" ? "reviewEmpty" : "reviewEmptyHandled");
  const groups = counted("groupsOne", "groupsMany", inbox.groups.length);
  const count = t("reviewCount", { messages: messagesText(messages), groups });
  return inbox.limited ? `${count} ${t("reviewLimited", { items: inbox.items })}` : count;
}

function renderReview() {
  const list = $("review-groups");
  const inbox = state.review;
  if (!inbox) return;
  list.dataset.query = inbox.query;
  setStatus($("review-status"), reviewSummary(), "info");
  const open = $("review-status-filter").value === "open";
  list.replaceChildren(...inbox.groups.map((group, index) => reviewGroup(group, index + 1, open)));
}

function reviewMessage(message) {
  const language = t(message.language === "sv" ? "langSv" : "langEn");
  return el(
    "li",
    { class: "review-message", dataset: { messageId: message.message_id } },
    el("p", { class: "review-text", lang: message.language, text: message.text }),
    el("p", { class: "hint", text: t("messageMeta", { language, time: formatTime(message.at, state.lang) }) }),
  );
}

function reviewGroup(group, number, open) {
  const titleId = `review-group-${number}`;
  const reasons = group.kinds.map((k) => `${t(`kind_${k.name}`)} (${k.count})`).join(", ");
  const intents = group.intents.map((i) => `${intentLabel(i.name)} (${i.count})`).join(", ") || t("readAsNothing");
  const shown = group.messages.slice(0, 3);
  const rest = group.messages.slice(3);
  return el(
    "li",
    { class: "review-group", dataset: { size: group.size }, "aria-labelledby": titleId },
    el("h3", { id: titleId, text: group.size === 1 ? t("groupTitleOne") : t("groupTitle", { count: group.size }) }),
    el("p", { class: "hint", text: t("groupReasons", { reasons }) }),
    el("p", { class: "hint", text: t("groupReadAs", { intents }) }),
    group.guides.length ? el("p", { class: "hint", text: t("groupGuides", { guides: group.guides.map((g) => g.name).join(", ") }) }) : null,
    el("ul", { class: "review-messages" }, shown.map(reviewMessage)),
    rest.length
      ? el("details", {},
        el("summary", { text: t("showAll", { count: group.size }) }),
        el("ul", { class: "review-messages" }, rest.map(reviewMessage)))
      : null,
    open ? reviewActions(group, number) : null,
  );
}

function guideChoicesFor(group) {
  const languages = new Set(group.messages.map((m) => m.language));
  // A guide in the messages' language; for a group in both, either: the server puts each
  // message in the guide's translation in its own language.
  return sortedGuides().filter((g) => languages.has(g.language));
}

function reviewActions(group, number) {
  const intentId = `teach-intent-${number}`;
  const guideId = `teach-guide-${number}`;
  const read = group.intents[0]?.name;
  const intentSelect = el(
    "select",
    { id: intentId },
    el("option", { value: "" }, t("chooseIntent")),
    state.review.intent_choices
      .filter((c) => c.teachable)
      .map((c) => el("option", { value: c.name, selected: c.name === read }, c[state.lang])),
  );
  const guides = guideChoicesFor(group);
  const named = group.guides[0]?.name;
  const guideSelect = el(
    "select",
    { id: guideId, disabled: guides.length === 0 },
    guides.length
      ? [el("option", { value: "" }, t("chooseGuide")),
        guides.map((g) => el("option", { value: g.id, selected: g.id === named }, `${g.title} (${g.id})`))]
      : el("option", { value: "" }, t("noGuideChoice")),
  );
  // A teaching needs its choice made first; the select is where to make it.
  const verdict = (path, body, done, select) => () => {
    if (select && !select.value) {
      setStatus($("review-status"), t(select === intentSelect ? "chooseIntentFirst" : "chooseGuideFirst"), "error");
      select.focus();
      return;
    }
    judge(group, path, body(), done);
  };
  return el(
    "div",
    { class: "review-actions", role: "group", "aria-label": t("actionsFor", { number }) },
    el("div", { class: "review-teach" },
      el("label", { for: intentId, text: t("teachIntentLabel") }),
      intentSelect,
      el("button", {
        type: "button",
        class: "primary teach-intent",
        onclick: verdict("teach", () => ({ intent: intentSelect.value }), (n) => t("taughtIntent", { messages: messagesText(n), intent: intentLabel(intentSelect.value) }), intentSelect),
      }, t("teachIntent"))),
    el("div", { class: "review-teach" },
      el("label", { for: guideId, text: t("teachGuideLabel") }),
      guideSelect,
      el("button", {
        type: "button",
        class: "teach-guide",
        disabled: guides.length === 0,
        onclick: verdict("teach", () => ({ guide: guideSelect.value }), (n, answer) => t("taughtGuide", { messages: messagesText(n), guides: answer.guides.map((g) => g.id).join(", ") }), guideSelect),
      }, t("teachGuide"))),
    el("div", { class: "review-verdicts" },
      el("button", {
        type: "button",
        class: "out-of-scope",
        onclick: verdict("teach", () => ({ out_of_scope: true }), (n) => t("taughtOutOfScope", { messages: messagesText(n) })),
      }, t("outOfScope")),
      el("button", {
        type: "button",
        class: "dismiss",
        onclick: verdict("dismiss", () => ({}), (n) => t("dismissed", { messages: messagesText(n) })),
      }, t("dismiss"))),
  );
}

async function judge(group, path, lesson, done) {
  let answer;
  try {
    answer = await authed(`/api/v1/review/${path}`, {
      method: "POST",
      body: { item_ids: group.item_ids, ...lesson },
    });
  } catch (e) {
    if (handledAuth(e)) return;
    setStatus($("review-status"), errorText(e), "error");
    return;
  }
  await loadReview();
  if (answer.guides?.length) reloadGuides();
  const text = answer.handled === 0 ? t("alreadyHandled") : done(group.size, answer);
  // What was done, then where the inbox stands now, in the one live region.
  setStatus($("review-status"), `${text} ${state.review ? reviewSummary() : ""}`.trim(), answer.handled === 0 ? "error" : "ok");
  const title = $("review-title");
  title.setAttribute("tabindex", "-1");
  title.focus();
}

for (const id of ["review-kind", "review-lang", "review-status-filter", "review-from", "review-to"]) {
  $(id).addEventListener("change", () => loadReview());
}
$("review-filters").addEventListener("submit", (event) => {
  event.preventDefault();
  loadReview();
});

// ---------------------------------------------------------------------------------------
// Start

applyLanguage();
renderEditorVisibility();
session.migrateStoredToken().then(() => {
  if (session.remembered()) {
    showSignIn("");
    $("signin").hidden = true;
    signIn(null, { quiet: true }).then((ok) => {
      if (!ok) $("token-input").focus();
    });
  } else {
    showSignIn("");
  }
});
