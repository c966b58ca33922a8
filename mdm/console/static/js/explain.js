import { GOLDEN_ID, dl, goldenLink, h, isPlain, table, valueText } from "./dom.js";

const LABELS = {
  reason: "Why it is here",
  rule: "Rule",
  match_probability: "Match probability",
  match_weight: "Match weight (log2)",
  prior_log2_odds: "Prior (log2 odds)",
  settings_version: "Match settings",
  shared_keys: "Shared identifiers",
  other_candidates: "Other candidates",
  candidate: "Candidate",
  compared_with: "Compared with",
  candidates: "Candidates considered",
  comparisons: "Comparisons",
  entity_type: "Entity type",
  comparison: "Comparison",
  level: "Level",
  log2_weight: "Part of the score (log2)",
  bayes_factor: "Bayes factor",
  tf_adjustment: "Term-frequency adjustment",
  golden_id: "Golden record",
};

function label(key) {
  const text = LABELS[key] || String(key).replaceAll("_", " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const NOT_GOLDEN = /quarantine|task|event|correlation/;

function cell(value, entityType, key) {
  if (NOT_GOLDEN.test(String(key))) return valueText(value);
  if (typeof value === "string" && GOLDEN_ID.test(value)) return goldenLink(entityType, value);
  if (Array.isArray(value) && value.length && value.every((v) => typeof v === "string" && GOLDEN_ID.test(v))) {
    return value.flatMap((v, i) => [i ? ", " : "", goldenLink(entityType, v)]);
  }
  if (typeof value === "number") {
    const text = Number.isInteger(value) ? String(value) : value.toFixed(key === "bayes_factor" ? 3 : 4);
    if (key === "log2_weight" || key === "tf_adjustment") {
      return h("span", { class: value >= 0 ? "pos" : "neg", text: value > 0 ? `+${text}` : text });
    }
    return text;
  }
  return valueText(value);
}

function rowsTable(key, items, entityType) {
  const preferred = ["comparison", "level", "log2_weight", "bayes_factor", "tf_adjustment"];
  const seen = new Set(items.flatMap((item) => Object.keys(item)));
  const columns = [...preferred.filter((c) => seen.has(c)), ...[...seen].filter((c) => !preferred.includes(c))];
  return table(label(key), columns.map(label),
    items.map((item) => columns.map((c) => cell(item[c], entityType, c))));
}

function mapping(value, entityType) {
  return dl(Object.entries(value).map(([k, v]) => [
    GOLDEN_ID.test(k) ? goldenLink(entityType, k) : k,
    cell(v, entityType, k),
  ]));
}

export function renderExplanation(explanation, entityType) {
  if (!isPlain(explanation) || !Object.keys(explanation).length) {
    return h("p", { class: "muted", text: "The matcher stored no explanation for this task." });
  }
  const facts = [];
  const blocks = [];
  for (const [key, value] of Object.entries(explanation)) {
    if (key === "reason") continue;
    if (Array.isArray(value) && value.length && value.every(isPlain)) {
      blocks.push(rowsTable(key, value, entityType));
    } else if (isPlain(value) && Object.keys(value).length) {
      blocks.push(h("div", { class: "sub" }, h("h3", { text: label(key) }), mapping(value, entityType)));
    } else {
      facts.push([label(key), cell(value, entityType, key)]);
    }
  }
  return h("div", { class: "explanation" },
    explanation.reason ? h("p", { class: "lead", text: String(explanation.reason) }) : null,
    dl(facts), blocks);
}
