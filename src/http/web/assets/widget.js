/*
 * Felsök chat widget. Put this on your own site or in your app's web view:
 *
 *   <script src="https://<felsok-host>/widget.js" defer></script>
 *
 * Optional attributes on the script tag: data-lang="en" (Swedish by default) and
 * data-position="left" (bottom right by default). It adds a "Chatta med oss" button that
 * opens the chat in a frame from the same server; the conversation survives page loads.
 * No dependencies, no cookies of its own, and all styling is set from here, so the host
 * page's stylesheet and Content-Security-Policy for styles are not involved.
 */
(function () {
  "use strict";
  if (window.__felsokWidget) return;
  var script = document.currentScript;
  if (!script || !script.src) return;
  window.__felsokWidget = true;

  var origin = new URL(script.src, location.href).origin;
  var lang = script.getAttribute("data-lang") === "en" ? "en" : "sv";
  var left = script.getAttribute("data-position") === "left";
  var text = {
    sv: { open: "Chatta med oss", close: "Stäng chatten", title: "Chatt med kundtjänsten", unread: "Nytt meddelande" },
    en: { open: "Chat with us", close: "Close the chat", title: "Chat with customer service", unread: "New message" },
  }[lang];

  var ACCENT = "#0b5cad";
  var FOCUS_RING = "0 0 0 3px #ffbf47, 0 0 0 6px #1c2430";
  var FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif';

  function css(node, styles) {
    for (var key in styles) node.style.setProperty(key, styles[key], "important");
    return node;
  }

  function focusRing(node, shadow) {
    node.addEventListener("focus", function () {
      if (!node.matches || node.matches(":focus-visible")) css(node, { "box-shadow": FOCUS_RING, outline: "none" });
    });
    node.addEventListener("blur", function () {
      css(node, { "box-shadow": shadow || "none" });
    });
  }

  var LAUNCHER_SHADOW = "0 4px 14px rgba(20, 30, 45, 0.3)";
  var launcher = document.createElement("button");
  launcher.type = "button";
  launcher.id = "felsok-launcher";
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "felsok-panel");
  var SVG = "http://www.w3.org/2000/svg";
  var icon = document.createElementNS(SVG, "svg");
  icon.setAttribute("viewBox", "0 0 24 24");
  icon.setAttribute("width", "22");
  icon.setAttribute("height", "22");
  icon.setAttribute("aria-hidden", "true");
  icon.setAttribute("focusable", "false");
  var bubble = document.createElementNS(SVG, "path");
  bubble.setAttribute("d", "M4 4h16a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H10l-5 4v-4H4a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1z");
  bubble.setAttribute("fill", "currentColor");
  icon.append(bubble);
  var label = document.createElement("span");
  label.textContent = text.open;
  var badge = document.createElement("span");
  badge.textContent = text.unread;
  badge.hidden = true;
  launcher.append(icon, label, badge);
  css(launcher, {
    position: "fixed", bottom: "20px", "z-index": "2147483000",
    display: "inline-flex", "align-items": "center", gap: "8px",
    margin: "0", padding: "12px 20px", "min-height": "48px",
    border: "2px solid #ffffff", "border-radius": "999px",
    background: ACCENT, color: "#ffffff",
    font: "600 16px/1.2 " + FONT, "letter-spacing": "normal", "text-transform": "none",
    cursor: "pointer", "box-shadow": LAUNCHER_SHADOW,
  });
  css(launcher, left ? { left: "20px", right: "auto" } : { right: "20px", left: "auto" });
  css(badge, {
    display: "none", background: "#ffffff", color: ACCENT, "border-radius": "999px",
    padding: "2px 8px", font: "600 13px/1.3 " + FONT,
  });
  focusRing(launcher, LAUNCHER_SHADOW);

  var panel = document.createElement("div");
  panel.id = "felsok-panel";
  panel.setAttribute("role", "region");
  panel.setAttribute("aria-label", text.title);
  panel.hidden = true;

  var head = document.createElement("div");
  var heading = document.createElement("span");
  heading.textContent = text.title;
  var closeButton = document.createElement("button");
  closeButton.type = "button";
  closeButton.textContent = "✕";
  closeButton.setAttribute("aria-label", text.close);
  closeButton.title = text.close;
  head.append(heading, closeButton);
  css(head, {
    display: "flex", "align-items": "center", "justify-content": "space-between", gap: "8px",
    padding: "8px 8px 8px 14px", background: ACCENT, color: "#ffffff",
    font: "600 15px/1.3 " + FONT, "flex": "none",
  });
  css(closeButton, {
    width: "40px", height: "40px", margin: "0", padding: "0",
    border: "1px solid rgba(255,255,255,0.7)", "border-radius": "8px",
    background: "transparent", color: "#ffffff", font: "600 18px/1 " + FONT, cursor: "pointer",
  });
  focusRing(closeButton);

  var frame = null;

  function layout() {
    var small = window.matchMedia("(max-width: 480px)").matches;
    css(panel, {
      position: "fixed", "z-index": "2147483001",
      "flex-direction": "column", overflow: "hidden",
      background: "#ffffff", "box-shadow": "0 10px 40px rgba(20, 30, 45, 0.35)",
      border: small ? "0" : "1px solid #c9d1dc",
    });
    if (small) {
      css(panel, { top: "0", left: "0", right: "0", bottom: "0", width: "100%", height: "100%", "border-radius": "0" });
    } else {
      css(panel, {
        top: "auto", bottom: "84px", width: "390px", height: "min(640px, calc(100vh - 110px))",
        "border-radius": "12px",
      });
      css(panel, left ? { left: "20px", right: "auto" } : { right: "20px", left: "auto" });
    }
    css(panel, { display: panel.hidden ? "none" : "flex" });
  }

  function open() {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.id = "felsok-frame";
      frame.src = origin + "/?embed=1&lang=" + lang;
      frame.title = text.title;
      frame.setAttribute("allow", "clipboard-write");
      css(frame, { flex: "1 1 auto", width: "100%", border: "0", margin: "0", display: "block", background: "#ffffff" });
      frame.addEventListener("load", function () {
        if (!panel.hidden) frame.focus();
      });
      panel.append(frame);
    }
    panel.hidden = false;
    layout();
    launcher.setAttribute("aria-expanded", "true");
    css(launcher, { display: window.matchMedia("(max-width: 480px)").matches ? "none" : "inline-flex" });
    setUnread(false);
    frame.focus();
  }

  function close() {
    panel.hidden = true;
    layout();
    launcher.setAttribute("aria-expanded", "false");
    css(launcher, { display: "inline-flex" });
    launcher.focus();
  }

  function setUnread(on) {
    badge.hidden = !on;
    css(badge, { display: on ? "inline-block" : "none" });
  }

  launcher.addEventListener("click", function () {
    if (panel.hidden) open();
    else close();
  });
  closeButton.addEventListener("click", close);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") close();
  });

  // The chat in the frame asks to be closed (Escape) and tells of new messages.
  window.addEventListener("message", function (event) {
    if (event.origin !== origin || !frame || event.source !== frame.contentWindow) return;
    var data = event.data || {};
    if (data.type === "felsok:close" && !panel.hidden) close();
    else if (data.type === "felsok:message" && panel.hidden && data.role !== "customer") setUnread(true);
  });

  window.addEventListener("resize", function () {
    if (!panel.hidden) {
      layout();
      css(launcher, { display: window.matchMedia("(max-width: 480px)").matches ? "none" : "inline-flex" });
    }
  });

  function mount() {
    panel.append(head);
    layout();
    document.body.append(panel, launcher);
  }

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
