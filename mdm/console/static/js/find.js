import { api } from "./api.js";
import { catalog } from "./catalog.js";
import { h, replace, section } from "./dom.js";
import { alertBox, field, go, loading, report, select } from "./ui.js";

function byId(types) {
  const type = select("entity_type", types.map((t) => [t, t]), "customer");
  const id = h("input", { type: "text", name: "golden_id", size: 34, autocomplete: "off", spellcheck: "false", required: true });
  const form = h("form", { class: "row" },
    field("Entity type", type), field("Golden id", id),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", text: "Open golden record" })));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (id.value.trim()) go(`#/golden/${type.value}/${encodeURIComponent(id.value.trim())}`);
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
    section("By golden id", byId(cat.entityTypes)),
    section("By a source system's id", bySource(cat.entityTypes, cat.sources)));
}
