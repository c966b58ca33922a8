import { MERGEABLE } from "./catalog.js";
import { goldenLink, h, scrolls, valueNode } from "./dom.js";

const CHOSEN = {
  "incoming record": "the incoming record",
  "only member": "the candidate's only source record",
  "best score": "the candidate's best-scoring source record",
  "first member": "the candidate's first source record",
  "golden record": "its golden record",
};

export function sideNames(task) {
  const review = MERGEABLE.includes(task.kind);
  return review ? ["Incoming", "Candidate"] : ["This record", "Related record"];
}

function sideHeader(label, side, entityType) {
  if (!side) return h("th", { scope: "col", text: label });
  const origin = side.source ? `${side.source} ${side.source_id}` : "golden record";
  return h("th", { scope: "col" }, label, h("br"),
    h("span", { class: "side-origin", text: origin }), h("br"),
    goldenLink(entityType, side.golden_id, `golden ${side.golden_id.slice(0, 8)}`));
}

function statusCell(row, names) {
  const text = {
    same: "same",
    differs: row.conflict ? "conflict" : "differs",
    only_left: `missing in ${names[1].toLowerCase()}`,
    only_right: `missing in ${names[0].toLowerCase()}`,
  }[row.status] || row.status;
  return h("span", { class: `agree ${row.conflict ? "conflict" : row.status}`, text });
}

function rowClass(row) {
  if (row.conflict) return "conflict";
  if (row.status === "differs") return "diff";
  return row.status === "same" ? null : "missing";
}

export function summary(rows) {
  const n = (status) => rows.filter((r) => r.status === status).length;
  const differ = n("differs");
  const missing = n("only_left") + n("only_right");
  return `${rows.length} attributes: ${n("same")} the same, ${differ} ${differ === 1 ? "differs" : "differ"}, `
    + `${missing} on one side only`;
}

export function compareTable(task) {
  const { left, right } = task.compared;
  const names = sideNames(task);
  const rows = task.comparison;
  return scrolls(
    h("table", { class: "compare" },
      h("caption", { text: summary(rows) }),
      h("thead", {}, h("tr", {},
        h("th", { scope: "col", text: "Attribute" }),
        sideHeader(names[0], left, task.entity_type),
        sideHeader(names[1], right, task.entity_type),
        h("th", { scope: "col", text: "After standardization" }))),
      h("tbody", {}, rows.map((row) => h("tr", { class: rowClass(row), "data-status": row.status },
        h("th", { scope: "row", text: row.attribute }),
        h("td", {}, valueNode(row.left, task.entity_type)),
        h("td", {}, valueNode(row.right, task.entity_type)),
        h("td", {}, statusCell(row, names)))))));
}

export function comparedNote(task) {
  const { left, right } = task.compared;
  if (!left || !right || !MERGEABLE.includes(task.kind)) return null;
  return h("p", { class: "hint" },
    `Compares ${CHOSEN[left.chosen_by] || left.chosen_by} (${left.source || "golden"} ${left.source_id || ""}) `
    + `with ${CHOSEN[right.chosen_by] || right.chosen_by}`
    + `${right.source ? ` (${right.source} ${right.source_id})` : ""}, `
    + "as the matcher standardizes them: values that agree after standardization are the same.");
}

export function conflictLead(task) {
  if (task.kind !== "identifier_conflict") return null;
  const rows = task.comparison.filter((r) => r.conflict);
  const fromExplanation = Object.entries((task.explanation || {}).conflicts || {});
  const names = sideNames(task);
  const items = rows.length
    ? rows.map((r) => h("li", {}, h("strong", { text: r.attribute }), ": ",
      `${names[0].toLowerCase()} ${r.left ?? "—"}, ${names[1].toLowerCase()} ${r.right ?? "—"}`))
    : fromExplanation.map(([attr, values]) => h("li", {}, h("strong", { text: attr }), `: ${[].concat(values).join(" vs ")}`));
  const named = (rows.length ? rows.map((r) => r.attribute) : fromExplanation.map(([a]) => a)).join(", ");
  return h("section", { class: "panel conflict-lead", "aria-labelledby": "conflict-title", "data-testid": "conflict" },
    h("h2", { id: "conflict-title", text: `Identifier conflict: ${named || "strong identifiers"} disagree` }),
    h("p", { text: "The records look alike, but a strong identifier contradicts the match. "
      + "Merge only if you have checked that they are one entity (a typo, a re-registration); "
      + "otherwise reject." }),
    items.length ? h("ul", {}, items) : null);
}
