import { ApiError, explain, session } from "./api.js";
import { h, replace } from "./dom.js";

let pendingFlash = null;
let uid = 0;

export function nextId(prefix) {
  uid += 1;
  return `${prefix}-${uid}`;
}

export function go(hash, message, link) {
  pendingFlash = message ? { text: message, kind: "ok", link } : null;
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else location.hash = hash;
}

export function showPendingFlash() {
  const box = document.getElementById("flash");
  if (pendingFlash) {
    const { text, kind, link } = pendingFlash;
    replace(box, h("p", { class: `note ${kind}` }, text,
      link ? [" ", h("a", { href: link.href, text: link.text })] : null));
  }
  else replace(box);
  pendingFlash = null;
}

export function logout(message, kind = "error") {
  session.key = null;
  pendingFlash = message ? { text: message, kind } : null;
  if (location.hash === "#/login") window.dispatchEvent(new HashChangeEvent("hashchange"));
  else location.hash = "#/login";
}

export function alertBox() {
  return h("div", { class: "alert", role: "alert" });
}

export function report(box, error, context) {
  if (error instanceof ApiError && error.status === 401) {
    // Only the session that failed ends: a slow answer to a request sent with a key
    // the steward has since replaced (or logged out of) changes nothing.
    if (error.key && error.key === session.key) logout(explain(error));
    return;
  }
  replace(box, h("p", { class: "note error", text: explain(error, context) }));
}

export function success(box, text) {
  replace(box, h("p", { class: "note ok", text }));
}

export function reasonField(label, hint) {
  const id = nextId("reason");
  const errorId = `${id}-error`;
  const input = h("textarea", { id, name: "reason", rows: 2, maxlength: 1000,
    "aria-describedby": errorId, required: true });
  const error = h("p", { id: errorId, class: "field-error" });
  const el = h("div", { class: "field wide" },
    h("label", { for: id, text: label }), hint ? h("p", { class: "hint", text: hint }) : null,
    input, error);
  input.addEventListener("input", () => {
    input.removeAttribute("aria-invalid");
    error.textContent = "";
  });
  return {
    el,
    input,
    value() {
      const text = input.value.trim();
      if (text) return text;
      input.setAttribute("aria-invalid", "true");
      error.textContent = "A reason is required: say why, for the audit trail.";
      input.focus();
      return null;
    },
  };
}

export function field(label, control, hint) {
  const id = control.id || nextId("f");
  control.id = id;
  return h("div", { class: "field" }, h("label", { for: id, text: label }), control,
    hint ? h("p", { class: "hint", text: hint }) : null);
}

export function select(name, options, value) {
  return h("select", { name },
    options.map(([v, text]) => h("option", { value: v, selected: String(v) === String(value ?? "") }, text)));
}

export function busy(button, work) {
  return async (...args) => {
    button.disabled = true;
    try {
      await work(...args);
    } finally {
      button.disabled = false;
    }
  };
}

export function loading(main, title) {
  replace(main, h("h1", { text: title }), h("p", { class: "muted", text: "Loading…" }));
}
