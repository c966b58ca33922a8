import { ApiError, api, graphql } from "./api.js";
import { catalog } from "./catalog.js";
import { goldenLink, h, replace, section, table } from "./dom.js";
import { alertBox, field, go, loading, report, select } from "./ui.js";

const SEARCH = `query Find($q: String!, $first: Int!) {
  customers(search: $q, first: $first) {
    edges { score node { id attributes { kind name firstName lastName address { city country } } } }
  }
  products(search: $q, first: $first) {
    edges { score node { id attributes { name sku family } } }
  }
}`;

/** The entity type of a golden id, asking each type's endpoint (null: none has it). */
export async function entityTypeOf(goldenId) {
  const cat = await catalog();
  for (const type of cat.entityTypes) {
    try {
      await api(`/golden/${type}/${encodeURIComponent(goldenId)}`);
      return type;
    } catch (error) {
      if (!(error instanceof ApiError) || (error.status !== 404 && error.status !== 422)) throw error;
    }
  }
  return null;
}

function customerRow(edge) {
  const a = edge.node.attributes;
  const name = a.name || [a.firstName, a.lastName].filter(Boolean).join(" ") || "(no name)";
  const where = a.address ? [a.address.city, a.address.country].filter(Boolean).join(", ") : "";
  return ["customer", goldenLink("customer", edge.node.id, name), [a.kind, where].filter(Boolean).join(" · ") || "—",
    Number(edge.score).toFixed(0), h("code", { text: edge.node.id })];
}

function productRow(edge) {
  const a = edge.node.attributes;
  return ["product", goldenLink("product", edge.node.id, a.name || a.sku || "(no name)"),
    [a.sku, a.family].filter(Boolean).join(" · ") || "—", Number(edge.score).toFixed(0), h("code", { text: edge.node.id })];
}

function byName() {
  const input = h("input", { type: "search", name: "q", autocomplete: "off", required: true, maxlength: 200 });
  const results = h("div", { class: "results", "aria-live": "polite" });
  const box = alertBox();
  const form = h("form", { class: "row", role: "search" },
    field("Name", input, "Fuzzy on the standardized name: legal forms, case and spacing do not matter."),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", text: "Search by name" })), box);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const q = input.value.trim();
    if (!q) return;
    replace(box);
    try {
      const data = await graphql(SEARCH, { q, first: 20 });
      const rows = [...data.customers.edges.map(customerRow), ...data.products.edges.map(productRow)]
        .sort((a, b) => Number(b[3]) - Number(a[3]));
      replace(results, rows.length
        ? table(`${rows.length} golden ${rows.length === 1 ? "record" : "records"} named like “${q}”, best first`,
          ["Type", "Name", "Details", "Score", "Golden id"], rows)
        : h("p", { class: "empty", text: `No golden record is named like “${q}”.` }));
    } catch (error) {
      replace(results);
      report(box, error);
    }
  });
  return [form, results];
}

function byId() {
  const id = h("input", { type: "text", name: "golden_id", size: 34, autocomplete: "off", spellcheck: "false", required: true });
  const box = alertBox();
  const form = h("form", { class: "row" },
    field("Golden id", id),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", text: "Open golden record" })), box);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (id.value.trim()) go(`#/golden/any/${encodeURIComponent(id.value.trim())}`);
  });
  return form;
}

function bySource(types, sources) {
  const type = select("entity_type", types.map((t) => [t, t]), "customer");
  const source = select("source", sources.map((s) => [s, s]), sources[0]);
  const sid = h("input", { type: "text", name: "source_id", autocomplete: "off", required: true });
  const box = alertBox();
  const form = h("form", { class: "row" },
    field("Entity type", type), field("Source system", source), field("Source id", sid),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", text: "Find by source id" })),
    box);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!sid.value.trim()) return;
    try {
      const x = await api(`/xref/${source.value}/${type.value}/${encodeURIComponent(sid.value.trim())}`);
      go(`#/golden/${type.value}/${x.golden_id}`);
    } catch (error) {
      report(box, error);
    }
  });
  return form;
}

export async function renderFind(view) {
  document.title = "Find a record · Steward console";
  loading(view, "Find a record");
  const cat = await catalog();
  replace(view,
    h("h1", { text: "Find a record" }),
    section("By name", byName()),
    section("By golden id", byId()),
    section("By a source system's id", bySource(cat.entityTypes, cat.sources)));
  view.querySelector("input[name=q]").focus();
}
