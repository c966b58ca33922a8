import { api } from "./api.js";
import { formatTime, goldenLink, h, replace, table, valueText } from "./dom.js";
import { alertBox, field, loading, report } from "./ui.js";

const FIELDS = ["actor", "action", "since", "until", "q"];
const ACTIONS = ["task_approved", "task_rejected", "task_deferred", "task_resolved", "task_assigned",
  "merge", "unmerge", "split", "quarantine_discarded", "deliveries_replayed", "target_created",
  "target_updated", "target_removed", "key_revoked", "key_rotated", "schema_registered",
  "schema_mode_set", "matcher_trained", "webhook_secret_set"];
const GOLDEN_ACTIONS = ["merge", "unmerge", "split"];

function readFilters(params) {
  const f = {};
  for (const name of FIELDS) f[name] = (params.get(name) || "").trim();
  f.cursor = params.get("cursor") || "";
  return f;
}

function auditHash(f, changes = {}) {
  const next = { ...f, ...changes };
  const q = new URLSearchParams();
  for (const name of [...FIELDS, "cursor"]) if (next[name]) q.set(name, next[name]);
  const text = q.toString();
  return text ? `#/audit?${text}` : "#/audit";
}

// The form's times are UTC, like every time the console shows.
const utc = (local) => (local ? `${local.length === 16 ? `${local}:00` : local}Z` : undefined);

function apiParams(f) {
  return {
    actor: f.actor || undefined, action: f.action || undefined, q: f.q || undefined,
    since: utc(f.since), until: utc(f.until), cursor: f.cursor || undefined, limit: 50,
  };
}

function filterForm(f) {
  const text = (name, attrs = {}) => h("input", { type: "text", name, value: f[name], autocomplete: "off", ...attrs });
  const time = (name) => h("input", { type: "datetime-local", name, value: f[name] });
  const form = h("form", { class: "filters", "aria-label": "Audit filters" },
    field("Who (actor)", text("actor")),
    field("Action", text("action", { list: "audit-actions" })),
    h("datalist", { id: "audit-actions" }, ACTIONS.map((a) => h("option", { value: a }))),
    field("Since (UTC)", time("since")),
    field("Until (UTC)", time("until")),
    field("Reason contains", text("q", { maxlength: 200 })),
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "primary", text: "Search" }),
      h("a", { class: "button", href: "#/audit", text: "Clear" })));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const next = { cursor: "" };
    for (const name of FIELDS) next[name] = String(data.get(name) || "").trim();
    location.hash = auditHash(next);
  });
  return form;
}

function targetCell(e) {
  if (!e.target_id) return "—";
  if (e.action.startsWith("task_")) return h("a", { href: `#/tasks/${e.target_id}`, text: `task ${e.target_id.slice(0, 8)}` });
  if (e.action.startsWith("quarantine_")) {
    return h("a", { href: `#/quarantine/${e.target_id}`, text: `quarantined ${e.target_id.slice(0, 8)}` });
  }
  if (GOLDEN_ACTIONS.includes(e.action)) return goldenLink("any", e.target_id);
  return e.target_id;
}

function detailCell(e) {
  const d = e.detail || {};
  return Object.keys(d).length ? h("code", { text: valueText(d) }) : "—";
}

function pager(f, out, count) {
  const searched = out.partial
    ? h("p", { class: "note info", text: "The search in reasons read its window of entries without filling the page; "
      + "older entries may match too." })
    : null;
  return [searched, h("div", { class: "pager" },
    h("p", { class: "muted", text: `${count} ${count === 1 ? "entry" : "entries"} on this page, newest first` }),
    f.cursor ? h("a", { class: "button", href: auditHash(f, { cursor: "" }), text: "Newest entries" }) : null,
    out.next ? h("a", { class: "button", href: auditHash(f, { cursor: out.next }), text: out.partial ? "Search older entries" : "Older entries" }) : null)];
}

export async function renderAudit(view, params) {
  document.title = "Audit log · Steward console";
  loading(view, "Audit log");
  const f = readFilters(params);
  const box = alertBox();
  let out;
  try {
    out = await api("/audit", { params: apiParams(f) });
  } catch (error) {
    replace(view, h("h1", { text: "Audit log" }), filterForm(f), box);
    report(box, error);
    return;
  }
  const rows = out.entries.map((e) => [
    h("time", { datetime: e.at, text: formatTime(e.at) }), e.actor, e.action.replaceAll("_", " "),
    targetCell(e), e.reason || "—", detailCell(e),
  ]);
  replace(view,
    h("h1", { text: "Audit log" }),
    h("p", { class: "muted", text: "Who decided what, when and why: every steward decision, merge, discard and "
      + "configuration change." }),
    filterForm(f), box,
    rows.length ? table(null, ["Time", "Who", "Action", "Record", "Reason", "Detail"], rows)
      : h("p", { class: "empty", text: "No audit entries match this search." }),
    pager(f, out, rows.length));
}
