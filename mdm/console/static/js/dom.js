export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

export function formatTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toISOString().slice(0, 19).replace("T", " ") + " UTC";
}

export function age(iso) {
  if (!iso) return "";
  const minutes = Math.max(0, (Date.now() - new Date(iso).getTime()) / 60000);
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${Math.floor(minutes)} min`;
  if (minutes < 48 * 60) return `${Math.floor(minutes / 60)} h`;
  return `${Math.floor(minutes / 1440)} d`;
}

export function shortId(id) {
  return id ? String(id).slice(0, 8) : "";
}

export function isPlain(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export const GOLDEN_ID = /^[0-9a-f]{32}$/;

export function valueNode(value, entityType = "customer") {
  return typeof value === "string" && GOLDEN_ID.test(value) ? goldenLink(entityType, value) : valueText(value);
}

export function valueText(value) {
  if (value === undefined || value === null || value === "") return "—";
  if (typeof value === "object") {
    if (Array.isArray(value) && value.every((v) => typeof v !== "object")) return value.join(", ");
    if (isPlain(value) && Object.values(value).every((v) => v === null || typeof v !== "object")) {
      return Object.entries(value)
        .filter(([, v]) => v !== null && v !== "")
        .map(([k, v]) => `${k}: ${v}`)
        .join("; ");
    }
    return JSON.stringify(value);
  }
  return String(value);
}

export function scrolls(...children) {
  return h("div", { class: "table-wrap" }, children);
}

export function table(caption, columns, rows, rowClass) {
  return scrolls(h(
    "table",
    {},
    caption ? h("caption", { text: caption }) : null,
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col", text: c })))),
    h(
      "tbody",
      {},
      rows.map((cells, i) =>
        h("tr", { class: rowClass ? rowClass(i) : null }, cells.map((c) => h("td", {}, c))),
      ),
    ),
  ));
}

export function duration(seconds) {
  if (seconds === null || seconds === undefined) return "—";
  if (seconds < 1) return "none";
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${Math.round(seconds / 86400)} d`;
}

export function dl(pairs) {
  return h(
    "dl",
    { class: "facts" },
    pairs
      .filter(([, v]) => v !== undefined && v !== null && v !== "")
      .map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]),
  );
}

let sections = 0;

export function section(title, ...children) {
  sections += 1;
  const id = `section-${sections}`;
  return h("section", { class: "panel", "aria-labelledby": id }, h("h2", { id, text: title }), children);
}

export function goldenLink(entityType, id, label) {
  return h("a", { href: `#/golden/${entityType}/${id}` }, label || shortId(id));
}
