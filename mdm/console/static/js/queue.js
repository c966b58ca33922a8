import { api } from "./api.js";
import { KINDS, STATUSES, catalog, kindLabel, taskName } from "./catalog.js";
import { age, formatTime, h, replace, table } from "./dom.js";
import { renderBulk } from "./bulk.js";
import { FILTERS, PAGE_SIZES, apiFilters, queueHash, readFilters } from "./filters.js";
import { alertBox, field, loading, report, select } from "./ui.js";

function filterForm(f, cat) {
  const number = (name, attrs) => h("input", { type: "number", name, value: f[name], ...attrs });
  const form = h("form", { class: "filters", "aria-label": "Filters" },
    field("Entity type", select("entity_type", [["", "Any type"], ...cat.entityTypes.map((t) => [t, t])], f.entity_type)),
    field("Status", select("status", [...STATUSES, ["any", "Any status"]], f.status)),
    field("Kind", select("kind", [["", "Any kind"], ...KINDS,
      ...(f.kind && !KINDS.some(([k]) => k === f.kind) ? [[f.kind, kindLabel(f.kind)]] : [])], f.kind)),
    field("Minimum score", number("min_score", { min: 0, step: "any", placeholder: "0" })),
    field("Maximum score", number("max_score", { min: 0, step: "any", placeholder: "1" })),
    field("Source", select("source", [["", "Any source"], ...cat.sources.map((s) => [s, s])], f.source)),
    field("Assignee", h("input", { type: "text", name: "assignee", value: f.assignee })),
    field("Older than (hours)", number("older_than_hours", { min: 0, step: "any" })),
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "primary", text: "Apply filters" }),
      h("a", { class: "button", href: "#/tasks", text: "Clear filters" })));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const next = { ...f, offset: 0 };
    for (const name of FILTERS) next[name] = String(data.get(name) || "").trim();
    location.hash = queueHash(next);
  });
  return form;
}

function taskRow(t) {
  return [
    String(t.priority),
    h("a", { href: `#/tasks/${t.id}`, text: taskName(t) }),
    t.kind === "identifier_conflict" ? h("span", { class: "agree conflict", text: kindLabel(t.kind) }) : kindLabel(t.kind),
    t.entity_type,
    t.score === null || t.score === undefined ? "—" : Number(t.score).toFixed(3),
    t.source || "—",
    t.assignee || "—",
    h("span", { class: `badge ${t.status}`, text: t.status }),
    h("time", { datetime: t.created_at, title: formatTime(t.created_at), text: age(t.created_at) }),
  ];
}

async function statusCounts(f) {
  const base = apiFilters(f);
  const totals = await Promise.all(STATUSES.map(([status]) =>
    api("/stewardship/tasks", { params: { ...base, status, limit: 1, offset: 0 } }).then((r) => r.total)));
  return h("ul", { class: "counts", "aria-label": "Tasks by status" },
    STATUSES.map(([status, label], i) => h("li", {},
      h("a", { href: queueHash(f, { status, offset: 0 }),
        "aria-current": f.status === status ? "true" : null },
      `${label} `, h("strong", { text: String(totals[i]) })))));
}

function pager(f, total) {
  const first = total ? f.offset + 1 : 0;
  const last = Math.min(total, f.offset + f.limit);
  const size = select("limit", PAGE_SIZES.map((n) => [n, `${n} per page`]), f.limit);
  size.addEventListener("change", () => {
    location.hash = queueHash(f, { limit: Number(size.value), offset: 0 });
  });
  return h("div", { class: "pager" },
    h("p", { class: "muted", text: `Showing ${first}–${last} of ${total} ${total === 1 ? "task" : "tasks"}` }),
    f.offset > 0
      ? h("a", { class: "button", href: queueHash(f, { offset: Math.max(0, f.offset - f.limit) }), text: "Previous page" })
      : null,
    last < total ? h("a", { class: "button", href: queueHash(f, { offset: f.offset + f.limit }), text: "Next page" }) : null,
    field("Page size", size));
}

export async function renderQueue(view, params) {
  document.title = "Task queue · Steward console";
  loading(view, "Task queue");
  const f = readFilters(params);
  const box = alertBox();
  try {
    const [cat, page, counts] = await Promise.all([
      catalog(),
      api("/stewardship/tasks", { params: { ...apiFilters(f), limit: f.limit, offset: f.offset } }),
      statusCounts(f),
    ]);
    const rows = page.items.map(taskRow);
    const summary = h("p", { class: "total", "data-testid": "task-total",
      text: `${page.total} ${page.total === 1 ? "task matches" : "tasks match"} these filters` });
    replace(view,
      h("h1", { text: "Task queue" }),
      h("p", { class: "muted", text: "Doubtful matches and rule breaches waiting for a steward, highest priority first." }),
      filterForm(f, cat), counts, box, summary,
      rows.length
        ? table(null, ["Priority", "Records", "Kind", "Type", "Score", "Source", "Assignee", "Status", "Age"], rows)
        : h("p", { class: "empty", text: "No tasks match these filters." }),
      pager(f, page.total),
      await renderBulk(f));
  } catch (error) {
    replace(view, h("h1", { text: "Task queue" }), box);
    report(box, error);
  }
}
