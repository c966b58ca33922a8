import { api } from "./api.js";

let cached = null;

export const KINDS = [
  ["match_review", "Match review"],
  ["identifier_conflict", "Identifier conflict"],
  ["hierarchy_proposal", "Proposed hierarchy link"],
  ["hierarchy_cycle", "Hierarchy cycle"],
  ["parent_disagreement", "Parent disagreement"],
  ["target_not_ready", "Not ready for a target"],
];

export const MERGEABLE = ["match_review", "identifier_conflict"];

export const STATUSES = [
  ["open", "Open"],
  ["deferred", "Deferred"],
  ["approved", "Approved"],
  ["rejected", "Rejected"],
  ["resolved", "Resolved"],
];

export function kindLabel(kind) {
  const known = KINDS.find(([k]) => k === kind);
  return known ? known[1] : String(kind || "").replaceAll("_", " ");
}

export function taskName(task) {
  const names = [task.left_name, task.right_name].filter(Boolean);
  return names.length ? names.join(" ↔ ") : `${kindLabel(task.kind)} ${String(task.id).slice(0, 8)}`;
}

export async function catalog() {
  if (!cached) {
    const [schemas, sources] = await Promise.all([
      api("/schemas").catch(() => ({ schemas: [] })),
      api("/sources").catch(() => ({ sources: [] })),
    ]);
    const types = schemas.schemas.map((s) => s.entity_type);
    cached = {
      entityTypes: types.length ? types : ["customer", "product", "price"],
      sources: sources.sources.map((s) => s.name),
    };
  }
  return cached;
}
