import { api, ApiError } from "./api.js";
import { dl, formatTime, goldenLink, h, replace, section, table, valueText } from "./dom.js";
import { entityTypeOf } from "./find.js";
import { mergeForm, splitForm, unmergeForm } from "./golden_actions.js";
import { lineageTable } from "./lineage.js";
import { alertBox, loading, report } from "./ui.js";

export function displayName(attrs) {
  if (!attrs) return null;
  if (attrs.name) return String(attrs.name);
  const full = ["first_name", "last_name"].map((k) => attrs[k]).filter(Boolean).join(" ");
  return full || attrs.sku || null;
}

function stillMerged(entries) {
  const merged = new Map();
  for (const e of [...entries].reverse()) {
    const detail = e.detail || {};
    if (e.action === "merge") for (const id of detail.merged || []) merged.set(id, formatTime(e.at));
    if (e.action === "unmerge") merged.delete(detail.merged);
  }
  return [...merged].map(([id, at]) => ({ id, at }));
}

function xrefSection(record) {
  const holder = h("div", { class: "split-holder" });
  const canSplit = record.xrefs.length > 1;
  const rows = record.xrefs.map((x) => {
    const cells = [x.source, x.source_id, String(x.record_version), x.schema_version || "—",
      formatTime(x.received_at)];
    if (canSplit) {
      cells.push(h("button", { type: "button", class: "small", text: `Split out ${x.source} ${x.source_id}`,
        onclick: () => {
          replace(holder, h("h3", { text: `Split ${x.source} ${x.source_id} out` }), splitForm(record, x));
          holder.querySelector("textarea").focus();
        } }));
    }
    return cells;
  });
  const columns = ["Source", "Source id", "Record version", "Schema", "Received"];
  return section(`Source records (${record.xrefs.length})`,
    table(null, canSplit ? [...columns, "Action"] : columns, rows), holder);
}

function auditDetail(e, entityType) {
  const d = e.detail || {};
  if (e.action === "merge") return ["merged ", (d.merged || []).flatMap((id, i) => [i ? ", " : "", goldenLink(entityType, id)])];
  if (e.action === "unmerge") return ["restored ", goldenLink(entityType, d.merged)];
  if (e.action === "split") return [`split out ${d.record} to `, goldenLink(entityType, d.new_golden_id)];
  return valueText(d);
}

function auditSection(record, audit) {
  if (audit instanceof ApiError) {
    return section("Merge history", h("p", { class: "muted", text: `Not available: ${audit.message}.` }));
  }
  const rows = audit.map((e) => [formatTime(e.at), e.action, e.actor, auditDetail(e, record.entity_type), e.reason || "—"]);
  const merged = stillMerged(audit);
  return [
    section("Merge history",
      rows.length ? table(null, ["Time", "Action", "By", "Detail", "Reason"], rows)
        : h("p", { class: "muted", text: "No merges, unmerges or splits on this record." })),
    merged.length ? section("Unmerge", unmergeForm(record, merged)) : null,
  ];
}

function historySection(record, history) {
  const rows = history.versions.map((v) => [
    String(v.version), formatTime(v.recorded_at), (v.cause || "").replaceAll("_", " "),
    (v.changed || []).join(", ") || "—", v.status,
    h("details", {}, h("summary", { text: "Attributes" }), h("pre", { text: JSON.stringify(v.attributes, null, 2) })),
  ]);
  return section("History", table(null, ["Version", "Recorded", "Cause", "Changed", "Status", "Values"], rows));
}

async function known(view, box, entityType, goldenId) {
  if (entityType !== "any") return entityType;
  const type = await entityTypeOf(goldenId);
  if (type) {
    window.history.replaceState(null, "", `#/golden/${type}/${encodeURIComponent(goldenId)}`);
    return type;
  }
  replace(view, h("h1", { text: "Golden record" }), box);
  replace(box, h("p", { class: "note error", text: `Not found: no golden record has the id '${goldenId}'.` }));
  return null;
}

export async function renderGolden(view, type, goldenId) {
  loading(view, "Golden record");
  const box = alertBox();
  let entityType;
  let record;
  let history;
  let audit;
  try {
    entityType = await known(view, box, type, goldenId);
    if (!entityType) return;
    record = await api(`/golden/${encodeURIComponent(entityType)}/${encodeURIComponent(goldenId)}`);
    [history, audit] = await Promise.all([
      api(`/golden/${entityType}/${record.id}/history`),
      api("/audit", { params: { target_id: record.id } }).then((r) => r.entries, (e) => {
        if (e instanceof ApiError && e.status === 403) return e;
        throw e;
      }),
    ]);
  } catch (error) {
    replace(view, h("h1", { text: "Golden record" }), box);
    report(box, error);
    return;
  }
  const name = displayName(record.attributes) || "Golden record";
  document.title = `${name} · Steward console`;
  replace(view,
    h("p", { class: "crumbs" }, h("a", { href: "#/find", text: "Find a record" }), " / ", `${entityType} ${record.id}`),
    h("h1", { text: name }),
    record.resolved_from
      ? h("p", { class: "note info", text: `Golden id ${record.resolved_from} was merged into this record; showing the survivor.` })
      : null,
    dl([
      ["Golden id", h("code", { text: record.id })],
      ["Entity type", record.entity_type],
      ["Status", h("span", { class: `badge ${record.status}`, text: record.status })],
      ["Version", String(record.version)],
      ["Updated", formatTime(record.updated_at)],
      ["Hierarchy", record.entity_type === "customer"
        ? h("a", { href: `#/hierarchy/${record.id}`, text: "Show the account hierarchy" }) : null],
    ]),
    box,
    section("Attributes and lineage", lineageTable(record.attributes, record.lineage, null, entityType)),
    xrefSection(record),
    auditSection(record, audit),
    record.status === "active" ? section("Merge another record into this one", mergeForm(record)) : null,
    historySection(record, history));
}
