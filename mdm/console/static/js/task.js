import { api } from "./api.js";
import { MERGEABLE, kindLabel, taskName } from "./catalog.js";
import { compareTable, comparedNote, conflictLead } from "./compare.js";
import { assignPanel, decisionPanel } from "./decide.js";
import { dl, formatTime, goldenLink, h, replace, section } from "./dom.js";
import { renderExplanation } from "./explain.js";
import { lineageTable } from "./lineage.js";
import { alertBox, loading, report } from "./ui.js";

function xrefList(side) {
  if (!side) return "—";
  return side.xrefs.map((x) => `${x.source} ${x.source_id}`).join(", ") || "—";
}

function goldenSources(task) {
  const [a, b] = [task.left, task.right];
  return h("p", { class: "hint" },
    "Source records of ", goldenLink(task.entity_type, a.golden_id, `golden ${a.golden_id.slice(0, 8)}`),
    `: ${xrefList(a)}; of `, goldenLink(task.entity_type, b.golden_id, `golden ${b.golden_id.slice(0, 8)}`),
    `: ${xrefList(b)}.`);
}

function facts(task) {
  return dl([
    ["Status", h("span", { class: `badge ${task.status}`, text: task.status })],
    ["Kind", kindLabel(task.kind)],
    ["Score", task.score === null || task.score === undefined ? null : Number(task.score).toFixed(3)],
    ["Priority", String(task.priority)],
    ["Entity type", task.entity_type],
    ["Source", task.source],
    ["Created", formatTime(task.created_at)],
    ["Assignee", task.assignee],
    ["Match settings", task.settings_version],
  ]);
}

function tagged(el, name) {
  el.classList.add(name);
  return el;
}

const later = (el) => tagged(el, "later");

function title(task) {
  return task.left_name || task.right_name ? `${kindLabel(task.kind)}: ${taskName(task)}` : taskName(task);
}

function records(task) {
  if (task.compared && task.compared.left && task.compared.right && task.left && task.right) {
    return section("Side by side", comparedNote(task), compareTable(task), goldenSources(task));
  }
  const side = task.left || task.right;
  if (!side) return section("Records", h("p", { class: "muted", text: "The records of this task no longer exist." }));
  return section("The record",
    h("p", {}, goldenLink(task.entity_type, side.golden_id, `Golden record ${side.golden_id}`),
      ` · sources: ${xrefList(side)}`),
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
  const mergeable = MERGEABLE.includes(task.kind);
  replace(view,
    h("p", { class: "crumbs" }, h("a", { href: "#/tasks", text: "Task queue" }), " / ", `task ${task.id.slice(0, 8)}`),
    h("h1", { text: title(task) }),
    conflictLead(task),
    h("div", { class: "columns task" },
      h("div", { class: "main-col" },
        records(task),
        later(section(mergeable ? "Why the matcher flagged it" : "What needs a steward",
          renderExplanation(task.explanation, task.entity_type))),
        task.preview && mergeable
          ? later(section("After the merge (survivorship preview)",
            h("p", { class: "hint", text: "What the golden record would hold if you approve; nothing is written until you do." }),
            lineageTable(task.preview.attributes, task.preview.lineage, null, task.entity_type)))
          : null),
      h("aside", { class: "side-col" },
        tagged(decisionPanel(task), "decision"),
        later(section("Task", facts(task))),
        ["open", "deferred"].includes(task.status) ? later(assignPanel(task)) : null)));
}
