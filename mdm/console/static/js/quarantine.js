import { api } from "./api.js";
import { catalog } from "./catalog.js";
import { dl, formatTime, h, replace, section, table } from "./dom.js";
import { alertBox, busy, field, go, loading, nextId, reasonField, report, select } from "./ui.js";

const PAGE = 50;
const STATUSES = [["open", "Open"], ["issue", "Data-quality issues"], ["resolved", "Resolved"],
  ["resubmitted", "Resubmitted"],
  ["discarded", "Discarded"], ["any", "Any status"]];

function readFilters(params) {
  return {
    source: params.get("source") || "",
    entity_type: params.get("entity_type") || "",
    status: params.has("status") ? params.get("status") : "open",
    offset: Math.max(0, Number(params.get("offset")) || 0),
  };
}

function listHash(f, changes = {}) {
  const next = { ...f, ...changes };
  const q = new URLSearchParams();
  for (const name of ["source", "entity_type", "status"]) if (next[name]) q.set(name, next[name]);
  if (next.offset) q.set("offset", next.offset);
  return `#/quarantine?${q}`;
}

function filterForm(f, cat) {
  const types = [...cat.entityTypes, "event"];
  const form = h("form", { class: "filters", "aria-label": "Quarantine filters" },
    field("Source", select("source", [["", "Any source"], ...cat.sources.map((s) => [s, s])], f.source)),
    field("Entity type", select("entity_type", [["", "Any type"], ...types.map((t) => [t, t])], f.entity_type)),
    field("Status", select("status", STATUSES, f.status)),
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "primary", text: "Apply filters" }),
      h("a", { class: "button", href: "#/quarantine", text: "Clear filters" })));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    location.hash = listHash({
      source: String(data.get("source") || ""), entity_type: String(data.get("entity_type") || ""),
      status: String(data.get("status") || ""), offset: 0,
    });
  });
  return form;
}

export function errorList(errors) {
  return h("ul", { class: "errors" }, (errors || []).map((e) =>
    h("li", {}, h("code", { text: e.pointer || "/" }), ` ${e.message}`)));
}

function firstError(item) {
  const [first, ...rest] = item.errors || [];
  if (!first) return "—";
  return [h("code", { text: first.pointer || "/" }), ` ${first.message}`, rest.length ? ` (+${rest.length} more)` : ""];
}

function pager(f, total) {
  const last = Math.min(total, f.offset + PAGE);
  return h("div", { class: "pager" },
    h("p", { class: "muted", text: `Showing ${total ? f.offset + 1 : 0}–${last} of ${total}` }),
    f.offset > 0 ? h("a", { class: "button", href: listHash(f, { offset: Math.max(0, f.offset - PAGE) }), text: "Previous page" }) : null,
    last < total ? h("a", { class: "button", href: listHash(f, { offset: f.offset + PAGE }), text: "Next page" }) : null);
}

export async function renderQuarantine(view, params) {
  document.title = "Quarantine · Steward console";
  loading(view, "Quarantine");
  const f = readFilters(params);
  const box = alertBox();
  try {
    const [cat, page] = await Promise.all([catalog(), api("/quarantine", { params: {
      source: f.source || undefined, entity_type: f.entity_type || undefined,
      status: f.status === "any" ? "" : f.status, limit: PAGE, offset: f.offset,
    } })]);
    const rows = page.items.map((q) => [
      h("a", { href: `#/quarantine/${q.id}`, text: `${q.source} ${q.source_id || "(no id)"}` }),
      q.entity_type, firstError(q), String(q.count), h("span", { class: `badge ${q.status}`, text: q.status }),
      formatTime(q.last_received_at),
    ]);
    replace(view,
      h("h1", { text: "Quarantine" }),
      h("p", { class: "muted", text: "Payloads the hub refused (they break the canonical model), kept until someone "
        + "resubmits them corrected or discards them with a reason." }),
      filterForm(f, cat), box,
      h("p", { class: "total", "data-testid": "quarantine-total", text: `${page.total} ${page.total === 1 ? "payload matches" : "payloads match"} these filters` }),
      rows.length ? table(null, ["Record", "Type", "Errors", "Times sent", "Status", "Last received"], rows)
        : h("p", { class: "empty", text: "Nothing quarantined matches these filters." }),
      pager(f, page.total));
  } catch (error) {
    replace(view, h("h1", { text: "Quarantine" }), box);
    report(box, error);
  }
}

function resubmitPanel(item) {
  const box = alertBox();
  const id = nextId("corrected");
  const masked = item.masked && item.masked.length;
  const text = h("textarea", { id, name: "record", rows: 12, spellcheck: "false", disabled: masked ? true : null,
    "aria-describedby": `${id}-hint` });
  text.value = JSON.stringify(item.payload, null, 2);
  const hint = masked
    ? `This payload holds personal data your key may not see (${item.masked.join(", ")}), shown as ***: `
      + "resubmit it as kept, or ask someone with the pii role to correct it."
    : "Edit the record to fix what the errors name, then resubmit the corrected record.";
  const send = async (record) => {
    try {
      const out = await api(`/quarantine/${item.id}/resubmit`, { method: "POST", body: record === undefined ? {} : { record } });
      go("#/quarantine", `Resubmitted ${item.source} ${item.source_id || ""}: accepted (${out.action || out.status}).`,
        out.golden_id ? { href: `#/golden/any/${out.golden_id}`, text: "Open the golden record" } : null);
    } catch (error) {
      report(box, error);
    }
  };
  const asKept = h("button", { type: "button", text: "Resubmit as kept" });
  asKept.addEventListener("click", busy(asKept, () => send(undefined)));
  const corrected = h("button", { type: "button", class: "primary", text: "Resubmit corrected record", disabled: masked ? true : null });
  corrected.addEventListener("click", busy(corrected, async () => {
    let record;
    try {
      record = JSON.parse(text.value);
    } catch (error) {
      replace(box, h("p", { class: "note error", text: `The corrected record is not JSON: ${error.message}` }));
      text.focus();
      return;
    }
    await send(record);
  }));
  return section("Resubmit",
    h("div", { class: "field wide" }, h("label", { for: id, text: "Corrected record (JSON)" }),
      h("p", { id: `${id}-hint`, class: "hint", text: hint }), text),
    box, h("div", { class: "actions" }, corrected, asKept));
}

function discardPanel(item) {
  const box = alertBox();
  const reason = reasonField("Reason for discarding", "Required. Stored in the audit log.");
  const button = h("button", { type: "submit", class: "danger", text: "Discard" });
  const form = h("form", { novalidate: true }, reason.el, box, h("div", { class: "actions" }, button));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const why = reason.value();
    if (!why) return;
    await busy(button, async () => {
      try {
        await api(`/quarantine/${item.id}/discard`, { method: "POST", body: { reason: why } });
        go("#/quarantine", `Discarded ${item.source} ${item.source_id || ""}.`);
      } catch (error) {
        report(box, error);
      }
    })();
  });
  return section("Discard", h("p", { class: "hint", text: "For a payload that will never be fixed: it leaves the open list." }), form);
}

export async function renderQuarantined(view, id) {
  loading(view, "Quarantined payload");
  const box = alertBox();
  let item;
  try {
    item = await api(`/quarantine/${encodeURIComponent(id)}`);
  } catch (error) {
    replace(view, h("h1", { text: "Quarantined payload" }), box);
    report(box, error);
    return;
  }
  const name = `${item.source} ${item.entity_type} ${item.source_id || "(no id)"}`;
  document.title = `${name} · Quarantine · Steward console`;
  replace(view,
    h("p", { class: "crumbs" }, h("a", { href: "#/quarantine", text: "Quarantine" }), " / ", name),
    h("h1", { text: `Quarantined: ${name}` }),
    h("div", { class: "columns" },
      h("div", { class: "main-col" },
        section("Why it was refused", errorList(item.errors)),
        section("Payload as received", h("pre", { class: "payload", text: JSON.stringify(item.payload, null, 2) })),
        ["open", "issue"].includes(item.status) ? resubmitPanel(item) : null),
      h("aside", { class: "side-col" },
        section("Entry", dl([
          ["Status", h("span", { class: `badge ${item.status}`, text: item.status })],
          ["Times sent", String(item.count)],
          ["First received", formatTime(item.received_at)],
          ["Last received", formatTime(item.last_received_at)],
          ["Closed", formatTime(item.resolved_at)],
          ["Resolution", item.resolution],
          ["Closed by", item.resolved_by],
          ["Correlation id", item.correlation_id ? h("code", { text: item.correlation_id }) : null],
        ])),
        box,
        ["open", "issue"].includes(item.status) ? discardPanel(item) : null)));
}
