import { api } from "./api.js";
import { MERGEABLE, kindLabel, taskName } from "./catalog.js";
import { assignPanel, decisionPanel } from "./decide.js";
import { dl, formatTime, goldenLink, h, replace, section, valueNode } from "./dom.js";
import { renderExplanation } from "./explain.js";
import { lineageTable } from "./lineage.js";
import { alertBox, loading, report } from "./ui.js";

function sideHeader(label, side, entityType) {
  return h("th", { scope: "col" }, label,
    side ? [h("br"), goldenLink(entityType, side.golden_id, `golden ${side.golden_id.slice(0, 8)}`)] : null);
}

function xrefList(side) {
  if (!side) return "—";
  return side.xrefs.map((x) => `${x.source} ${x.source_id}`).join(", ") || "—";
}

function compareTable(task) {
  const review = MERGEABLE.includes(task.kind);
  const diffs = task.comparison.filter((c) => !c.same).length;
  return h("table", { class: "compare" },
    h("caption", { text: `${task.comparison.length} attributes, ${diffs} ${diffs === 1 ? "differs" : "differ"}` }),
    h("thead", {}, h("tr", {},
      h("th", { scope: "col", text: "Attribute" }),
      sideHeader("This record", task.left, task.entity_type),
      sideHeader(review ? "Candidate" : "Related record", task.right, task.entity_type),
      h("th", { scope: "col", text: "Same?" }))),
    h("tbody", {},
      task.comparison.map((c) => h("tr", { class: c.same ? null : "diff" },
        h("th", { scope: "row", text: c.attribute }),
        h("td", {}, valueNode(c.left)),
        h("td", {}, valueNode(c.right)),
        h("td", {}, c.same ? "same" : h("strong", { class: "tag", text: "differs" })))),
      h("tr", { class: "sources" },
        h("th", { scope: "row", text: "source records" }),
        h("td", { text: xrefList(task.left) }),
        h("td", { text: xrefList(task.right) }),
        h("td"))));
}

function facts(task) {
  return dl([
    ["Status", h("span", { class: `badge ${task.status}`, text: task.status })],
    ["Score", task.score === null || task.score === undefined ? null : Number(task.score).toFixed(3)],
    ["Priority", String(task.priority)],
    ["Entity type", task.entity_type],
    ["Source", task.source],
    ["Created", formatTime(task.created_at)],
    ["Assignee", task.assignee],
    ["Match settings", task.settings_version],
  ]);
}

function title(task) {
  return task.left_name || task.right_name ? `${kindLabel(task.kind)}: ${taskName(task)}` : taskName(task);
}

function records(task) {
  if (task.left && task.right) return section("Side by side", compareTable(task));
  const side = task.left || task.right;
  if (!side) return section("Records", h("p", { class: "muted", text: "The records of this task no longer exist." }));
  return section("The record",
    h("p", {}, goldenLink(task.entity_type, side.golden_id, `Golden record ${side.golden_id}`),
      ` · sources: ${side.xrefs.map((x) => `${x.source} ${x.source_id}`).join(", ")}`),
    lineageTable(side.attributes, side.lineage, null, task.entity_type));
}

export async function renderTask(view, taskId) {
  loading(view, "Task");
  const box = alertBox();
  let task;
  try {
    task = await api(`/stewardship/tasks/${encodeURIComponent(taskId)}`);
  } catch (error) {
    replace(view, h("h1", { text: "Task" }), box, h("p", {}, h("a", { href: "#/tasks", text: "Back to the queue" })));
    report(box, error, { task: true });
    return;
  }
  document.title = `${title(task)} · Steward console`;
  replace(view,
    h("p", { class: "crumbs" }, h("a", { href: "#/tasks", text: "Task queue" }), " / ", `task ${task.id.slice(0, 8)}`),
    h("h1", { text: title(task) }),
    h("div", { class: "columns" },
      h("div", { class: "main-col" },
        records(task),
        section(MERGEABLE.includes(task.kind) ? "Why the matcher flagged it" : "What needs a steward", renderExplanation(task.explanation, task.entity_type)),
        task.preview && MERGEABLE.includes(task.kind)
          ? section("After the merge (survivorship preview)",
            h("p", { class: "hint", text: "What the golden record would hold if you approve; nothing is written until you do." }),
            lineageTable(task.preview.attributes, task.preview.lineage, null, task.entity_type))
          : null),
      h("aside", { class: "side-col" },
        decisionPanel(task),
        section("Task", facts(task)),
        ["open", "deferred"].includes(task.status) ? assignPanel(task) : null)));
}
