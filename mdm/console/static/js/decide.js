import { api } from "./api.js";
import { MERGEABLE } from "./catalog.js";
import { formatTime, goldenLink, h, section } from "./dom.js";
import { alertBox, busy, go, reasonField, report, success } from "./ui.js";

const OPEN = ["open", "deferred"];

function verbs(task) {
  const out = [];
  const defer = task.status === "open" ? [["defer", "Defer", ""]] : [];
  if (task.kind === "hierarchy_proposal" && task.golden_id && task.candidate_golden_id) {
    // Two organisations of one group: never a merge; the steward says which is the parent.
    return [
      ["approve", "Link: the record held first is the parent", "primary", { parent: task.candidate_golden_id }],
      ["approve", "Link: the newer record is the parent", "", { parent: task.golden_id }],
      ["reject", "Reject: not one group", "danger"],
      ...defer,
    ];
  }
  if (task.kind === "identifier_conflict" && task.golden_id && task.candidate_golden_id) {
    // The conflict speaks against the merge: rejecting leads, merging is the exception.
    return [["reject", "Reject: not a match", "primary"], ...defer, ["approve", "Approve merge anyway", ""]];
  }
  if (MERGEABLE.includes(task.kind) && task.golden_id && task.candidate_golden_id) {
    out.push(["approve", "Approve merge", "primary"], ["reject", "Reject: not a match", "danger"]);
  } else {
    out.push(["resolve", "Mark resolved", "primary"]);
  }
  return [...out, ...defer];
}

function after(task, verb, out) {
  if (verb === "approve" && out.parent) {
    go(`#/golden/${task.entity_type}/${out.child}`,
      `Task approved: golden record ${out.parent} is now the parent of ${out.child}.`);
    return;
  }
  if (verb === "approve" && out.survivor) {
    const merged = (out.merged || []).length;
    const text = merged
      ? `Task approved: the records were merged into golden record ${out.survivor}.`
      : "Task approved: the records already share one golden record.";
    go(`#/golden/${task.entity_type}/${out.survivor}`, text);
    return;
  }
  const messages = {
    reject: "Task rejected: the pair is remembered as not a match.",
    defer: "Task deferred: it waits in the deferred queue.",
    resolve: "Task resolved.",
    approve: "Task approved.",
  };
  go("#/tasks", messages[verb]);
}

export function decisionPanel(task) {
  if (!OPEN.includes(task.status)) {
    return section("Decision",
      h("p", {}, `This task was ${task.status}`, task.decided_by ? ` by ${task.decided_by}` : "",
        task.decided_at ? ` at ${formatTime(task.decided_at)}` : "", "."),
      task.reason ? h("p", {}, h("strong", { text: "Reason: " }), task.reason) : null,
      task.status === "approved" && task.candidate_golden_id
        ? h("p", {}, goldenLink(task.entity_type, task.candidate_golden_id, "Open the merged golden record"))
        : null);
  }
  const reason = reasonField("Reason", "Required. Stored with your decision in the audit trail.");
  const box = alertBox();
  const buttons = verbs(task).map(([verb, text, cls, extra]) => {
    const button = h("button", { type: "button", class: cls, "data-verb": verb, text });
    button.addEventListener("click", async () => {
      const why = reason.value();
      if (!why) return;
      await busy(button, async () => {
        try {
          const out = await api(`/stewardship/tasks/${task.id}/${verb}`, { method: "POST", body: { reason: why, ...(extra || {}) } });
          after(task, verb, out);
        } catch (error) {
          report(box, error, { task: true });
        }
      })();
    });
    return button;
  });
  return section("Decision",
    h("form", { novalidate: true, onsubmit: (e) => e.preventDefault() },
      reason.el, box, h("div", { class: "actions" }, buttons)));
}

export function assignPanel(task) {
  const input = h("input", { id: "assignee", type: "text", name: "assignee", value: task.assignee || "",
    autocomplete: "off" });
  const box = alertBox();
  const button = h("button", { type: "submit", text: "Assign" });
  const form = h("form", { class: "inline" },
    h("div", { class: "field" }, h("label", { for: "assignee", text: "Assignee" }), input), button);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await busy(button, async () => {
      try {
        const out = await api(`/stewardship/tasks/${task.id}/assign`, { method: "POST",
          body: { assignee: input.value.trim() || null } });
        success(box, out.assignee ? `Assigned to ${out.assignee}.` : "Nobody is assigned now.");
      } catch (error) {
        report(box, error, { task: true });
      }
    })();
  });
  return section("Assign",
    h("p", { class: "hint", text: "Leave empty to unassign." }), form, box);
}
