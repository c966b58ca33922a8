import { api } from "./api.js";
import { MERGEABLE } from "./catalog.js";
import { h, section } from "./dom.js";
import { apiFilters, queueHash } from "./filters.js";
import { alertBox, busy, go, reasonField, report } from "./ui.js";

function bulkBody(f, count, reason) {
  const filters = apiFilters(f);
  delete filters.status;
  delete filters.kind;
  const body = { expected_count: count, reason };
  for (const [k, v] of Object.entries(filters)) body[k] = k.endsWith("score") || k.startsWith("older") ? Number(v) : v;
  return body;
}

async function mergeableCount(f) {
  const counts = await Promise.all(MERGEABLE.map((kind) =>
    api("/stewardship/tasks", { params: { ...apiFilters(f), kind, limit: 1, offset: 0 } })));
  return counts.reduce((sum, page) => sum + page.total, 0);
}

export async function renderBulk(f) {
  if (f.status !== "open") return null;
  if (f.kind) {
    return MERGEABLE.includes(f.kind)
      ? section("Bulk approve", h("p", { class: "muted",
        text: "Bulk approval takes match reviews and identifier conflicts together: set Kind to “Any kind” to use it." }))
      : null;
  }
  const total = await mergeableCount(f);
  if (!total) return null;
  const noun = total === 1 ? "task that proposes a merge matches" : "tasks that propose a merge match";
  const reason = reasonField("Reason for approving them all");
  const confirm = h("input", { id: "confirm-count", type: "text", inputmode: "numeric", name: "confirm-count",
    autocomplete: "off", "aria-describedby": "confirm-count-error" });
  const confirmError = h("p", { class: "field-error", id: "confirm-count-error" });
  const box = alertBox();
  const button = h("button", { type: "submit", class: "primary", text: `Approve all ${total}` });
  const form = h("form", { class: "bulk", novalidate: true },
    reason.el,
    h("div", { class: "field" }, h("label", { for: "confirm-count", text: `Type ${total} to confirm the count` }),
      confirm, confirmError),
    box, h("div", { class: "actions" }, button));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = reason.value();
    if (!text) return;
    if (confirm.value.trim() !== String(total)) {
      confirm.setAttribute("aria-invalid", "true");
      confirmError.textContent = `Type ${total}, the number of tasks you are approving.`;
      confirm.focus();
      return;
    }
    confirm.removeAttribute("aria-invalid");
    confirmError.textContent = "";
    await busy(button, async () => {
      try {
        const out = await api("/stewardship/tasks/bulk-approve", { method: "POST", body: bulkBody(f, total, text) });
        go(queueHash(f, { offset: 0 }), `Approved ${out.approved} ${out.approved === 1 ? "task" : "tasks"}; their records were merged.`);
      } catch (error) {
        report(box, error);
      }
    })();
  });
  return section("Bulk approve",
    h("p", { text: `${total} open ${noun} these filters (match reviews and identifier conflicts). `
      + "Approving merges each pair, as if approved one by one." }),
    form);
}
