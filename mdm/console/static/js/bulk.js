import { api } from "./api.js";
import { h, section } from "./dom.js";
import { apiFilters, queueHash } from "./filters.js";
import { alertBox, busy, go, reasonField, report } from "./ui.js";

// Only match reviews: an identifier conflict needs a steward's own look (the hub refuses
// to bulk-approve one), so it is neither counted nor approved here.
const BULK_KIND = "match_review";
const ONLY_REVIEWS = "Bulk approval takes match reviews only: identifier conflicts and rule breaches "
  + "are left out, each needs its own decision.";

function bulkBody(f, count, reason) {
  const filters = apiFilters(f);
  delete filters.status;
  delete filters.kind;
  const body = { expected_count: count, reason };
  for (const [k, v] of Object.entries(filters)) body[k] = k.endsWith("score") || k.startsWith("older") ? Number(v) : v;
  return body;
}

async function reviewCount(f) {
  const page = await api("/stewardship/tasks", { params: { ...apiFilters(f), kind: BULK_KIND, limit: 1, offset: 0 } });
  return page.total;
}

function confirmField(total) {
  const input = h("input", { id: "confirm-count", type: "text", inputmode: "numeric", name: "confirm-count",
    autocomplete: "off", "aria-describedby": "confirm-count-error" });
  const error = h("p", { class: "field-error", id: "confirm-count-error" });
  const el = h("div", { class: "field" }, h("label", { for: "confirm-count", text: `Type ${total} to confirm the count` }),
    input, error);
  return { el, input, error };
}

export async function renderBulk(f) {
  if (f.status !== "open") return null;
  if (f.kind && f.kind !== BULK_KIND) {
    return section("Bulk approve", h("p", { class: "muted", text: ONLY_REVIEWS }));
  }
  const total = await reviewCount(f);
  if (!total) return null;
  const noun = total === 1 ? "match review matches" : "match reviews match";
  const reason = reasonField("Reason for approving them all");
  const confirm = confirmField(total);
  const box = alertBox();
  const button = h("button", { type: "submit", class: "primary", text: `Approve all ${total}` });
  const form = h("form", { class: "bulk", novalidate: true },
    reason.el, confirm.el, box, h("div", { class: "actions" }, button));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = reason.value();
    if (!text) return;
    if (confirm.input.value.trim() !== String(total)) {
      confirm.input.setAttribute("aria-invalid", "true");
      confirm.error.textContent = `Type ${total}, the number of tasks you are approving.`;
      confirm.input.focus();
      return;
    }
    confirm.input.removeAttribute("aria-invalid");
    confirm.error.textContent = "";
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
    h("p", { text: `${total} open ${noun} these filters. Approving merges each pair, as if approved one by one.` }),
    h("p", { class: "hint", text: ONLY_REVIEWS }),
    form);
}
