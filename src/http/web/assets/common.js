// What the three pages share: calling the API, following live events, building DOM safely
// and rendering the little formatting bot and guide texts use. No framework; ES modules.
//
// Safety rule for every page: text from the server or a person is only ever put into the
// page as text (textContent, or the nodes built by `el` and `renderText`), never as HTML.

/** An error answer from the API: `{"error": {"code", "message"}}`, or a network failure. */
export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/**
 * Calls the JSON API. `body` is sent as JSON unless it is a string (then as `contentType`,
 * text/plain by default). Resolves to the parsed JSON (or null for 204), rejects with ApiError.
 */
export async function api(path, { method = "GET", token, body, contentType, signal } = {}) {
  const headers = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  let payload;
  if (typeof body === "string") {
    payload = body;
    headers["Content-Type"] = contentType || "text/plain; charset=utf-8";
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers["Content-Type"] = "application/json";
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body: payload, signal, cache: "no-store" });
  } catch (e) {
    if (e.name === "AbortError") throw e;
    throw new ApiError(0, "network", "network error");
  }
  if (response.status === 204) return null;
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!response.ok) {
    const err = (json && json.error) || {};
    throw new ApiError(response.status, err.code || "http_" + response.status,
      err.message || response.statusText, err);
  }
  return json;
}

/** Fetches a file with the token and hands it to the browser as a download. */
export async function download(path, token, fallbackName) {
  const response = await fetch(path, { headers: { Authorization: `Bearer ${token}` } });
  if (!response.ok) throw new ApiError(response.status, "download", response.statusText);
  const disposition = response.headers.get("Content-Disposition") || "";
  const match = /filename="?([^";]+)"?/.exec(disposition);
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const a = el("a", { href: url, download: match ? match[1] : fallbackName });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/**
 * Follows a Server-Sent Events stream that needs a bearer token (EventSource cannot send
 * one, and a token in the URL would end up in logs), or with `token` null, the staff
 * session cookie. Reconnects with Last-Event-ID after a
 * drop, waiting a little longer each time. `onEvent(name, data, id)` gets parsed JSON data.
 * `onState("open" | "retrying")` tells the page whether it is live. Returns a stop function.
 */
export function follow(path, token, onEvent, onState = () => {}) {
  const controller = new AbortController();
  let lastId = null;
  let delay = 1000;
  const run = async () => {
    while (!controller.signal.aborted) {
      try {
        const headers = { Accept: "text/event-stream" };
        if (token) headers.Authorization = `Bearer ${token}`;
        if (lastId !== null) headers["Last-Event-ID"] = lastId;
        const response = await fetch(path, { headers, signal: controller.signal, cache: "no-store" });
        if (response.status === 401 || response.status === 403 || response.status === 404) {
          onState("denied");
          return;
        }
        if (!response.ok || !response.body) throw new Error("stream " + response.status);
        onState("open");
        delay = 1000;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let cut;
          while ((cut = buffer.search(/\r?\n\r?\n/)) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut).replace(/^\r?\n\r?\n/, "");
            const event = parseEvent(block);
            if (event.id !== null) lastId = event.id;
            if (event.data !== null) {
              let data = event.data;
              try {
                data = JSON.parse(event.data);
              } catch {
                /* plain text data */
              }
              onEvent(event.name, data, event.id);
            }
          }
        }
      } catch (e) {
        if (controller.signal.aborted) return;
      }
      onState("retrying");
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 15000);
    }
  };
  run();
  return () => controller.abort();
}

function parseEvent(block) {
  let name = "message";
  let id = null;
  const data = [];
  for (const line of block.split(/\r?\n/)) {
    if (line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") name = value;
    else if (field === "data") data.push(value);
    else if (field === "id") id = value;
  }
  return { name, id, data: data.length ? data.join("\n") : null };
}

/**
 * Builds an element. `attrs` keys: `class`, `text` (textContent), `on<event>` handlers,
 * `dataset` (object), anything else as an attribute (false/null/undefined left out).
 * Children may be nodes, strings (added as text) or arrays of those.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), value);
    } else node.setAttribute(key, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/**
 * Renders the small Markdown subset our texts use into DOM nodes, never via innerHTML:
 * paragraphs (blank line), line breaks, "- " and "1. " lists, **bold**, *italic*, `code`
 * and [links](https://...) (http, https, mailto and tel only). Anything else stays text, so
 * `<script>` in a message shows as the characters "<script>". With `links: false` (for what
 * customers wrote) a link shows as its text and address, never as something to click: a
 * customer could otherwise dress a phishing address up as "your invoice" for an agent.
 */
export function renderText(text, { links = true } = {}) {
  const fragment = document.createDocumentFragment();
  const blocks = String(text ?? "").replace(/\r\n/g, "\n").split(/\n{2,}/);
  for (const block of blocks) {
    const lines = block.split("\n").filter((l) => l.trim() !== "");
    if (!lines.length) continue;
    if (lines.every((l) => /^\s*[-*•]\s+/.test(l))) {
      fragment.append(el("ul", {}, lines.map((l) => el("li", {}, inline(l.replace(/^\s*[-*•]\s+/, ""), links)))));
    } else if (lines.every((l) => /^\s*\d+[.)]\s+/.test(l))) {
      fragment.append(el("ol", {}, lines.map((l) => el("li", {}, inline(l.replace(/^\s*\d+[.)]\s+/, ""), links)))));
    } else {
      const p = el("p");
      lines.forEach((l, i) => {
        if (i) p.append(el("br"));
        p.append(inline(l, links));
      });
      fragment.append(p);
    }
  }
  return fragment;
}

const INLINE = /\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*|`([^`]+)`|\[([^\]]+)\]\(([^)\s]+)\)/g;

function inline(line, links) {
  const fragment = document.createDocumentFragment();
  let at = 0;
  for (const m of line.matchAll(INLINE)) {
    fragment.append(line.slice(at, m.index));
    if (m[1] !== undefined) fragment.append(el("strong", { text: m[1] }));
    else if (m[2] !== undefined) fragment.append(el("em", { text: m[2] }));
    else if (m[3] !== undefined) fragment.append(el("code", { text: m[3] }));
    else if (!links) fragment.append(`${m[4]} (${m[5]})`);
    else if (/^(https?:|mailto:|tel:)/i.test(m[5])) {
      fragment.append(el("a", { href: m[5], text: m[4], rel: "noopener noreferrer", target: "_blank" }));
    } else fragment.append(m[0]);
    at = m.index + m[0].length;
  }
  fragment.append(line.slice(at));
  return fragment;
}

/** Picks the text for `key` in `lang` ("sv" or "en"), filling {name} placeholders. */
export function translator(strings) {
  return (lang, key, values = {}) => {
    const table = strings[lang] || strings.sv;
    const template = table[key] ?? strings.sv[key] ?? key;
    return template.replace(/\{(\w+)\}/g, (_, k) => (k in values ? String(values[k]) : `{${k}}`));
  };
}

/** A time as people read it in that language: "14:05", or "2 dec. 14:05" on another day. */
export function formatTime(iso, lang) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const locale = lang === "en" ? "en-GB" : "sv-SE";
  const sameDay = date.toDateString() === new Date().toDateString();
  return sameDay
    ? date.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" })
    : date.toLocaleString(locale, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
}

/** "4 min", "1 h 5 min": how long someone has waited, in that language. */
export function formatWait(fromIso, lang, now = Date.now()) {
  const minutes = Math.max(0, Math.round((now - new Date(fromIso).getTime()) / 60000));
  if (minutes < 1) return lang === "en" ? "just now" : "nyss";
  if (minutes < 60) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m ? `${h} h ${m} min` : `${h} h`;
}

/**
 * Web storage that never throws: `storageOf("localStorage")` (this browser) or
 * `storageOf("sessionStorage")` (this tab). Where storage is unavailable (private modes,
 * blocked third-party frames) values simply do not survive a reload.
 */
export function storageOf(kind) {
  const area = () => window[kind];
  return {
    get(key) {
      try {
        return area().getItem(key);
      } catch {
        return null;
      }
    },
    set(key, value) {
      try {
        if (value === null || value === undefined) area().removeItem(key);
        else area().setItem(key, value);
      } catch {
        /* unavailable: see above */
      }
    },
  };
}

/** What the pages keep in this browser (a conversation, a remembered sign-in). */
export const store = storageOf("localStorage");
