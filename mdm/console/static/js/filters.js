export const FILTERS = ["entity_type", "status", "kind", "min_score", "max_score", "source", "assignee",
  "older_than_hours"];
export const PAGE_SIZES = [25, 50, 100];

export function readFilters(params) {
  const f = {};
  for (const name of FILTERS) f[name] = params.get(name) || "";
  if (!params.has("status")) f.status = "open";
  f.limit = PAGE_SIZES.includes(Number(params.get("limit"))) ? Number(params.get("limit")) : 50;
  f.offset = Math.max(0, Number(params.get("offset")) || 0);
  return f;
}

export function queueHash(f, changes = {}) {
  const next = { ...f, ...changes };
  const q = new URLSearchParams();
  for (const name of FILTERS) if (next[name] || name === "status") q.set(name, next[name]);
  if (next.limit !== 50) q.set("limit", next.limit);
  if (next.offset) q.set("offset", next.offset);
  return `#/tasks?${q}`;
}

export function apiFilters(f) {
  const out = {};
  for (const name of FILTERS) if (f[name] !== "" && name !== "status") out[name] = f[name];
  out.status = f.status === "any" ? "" : f.status;
  return out;
}

