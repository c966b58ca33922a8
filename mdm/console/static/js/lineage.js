import { formatTime, h, scrolls, valueNode } from "./dom.js";

export function alternatives(entry, entityType = "customer") {
  const alts = (entry && entry.alternatives) || [];
  if (!alts.length) return "—";
  return h("ul", { class: "plain" }, alts.map((a) =>
    h("li", {}, valueNode(a.value, entityType), " ", h("span", { class: "muted", text: `(${a.source} ${a.source_id})` }))));
}

export function lineageTable(attributes, lineage, caption, entityType = "customer") {
  const names = Object.keys(attributes || {}).sort();
  if (!names.length) return h("p", { class: "muted", text: "No attributes." });
  return scrolls(h("table", { class: "lineage" },
    caption ? h("caption", { text: caption }) : null,
    h("thead", {}, h("tr", {}, ["Attribute", "Value", "Source", "Source id", "Rule", "Time", "Alternatives"]
      .map((c) => h("th", { scope: "col", text: c })))),
    h("tbody", {}, names.map((name) => {
      const l = (lineage || {})[name] || {};
      return h("tr", {},
        h("th", { scope: "row", text: name }),
        h("td", {}, valueNode(attributes[name], name === "parent" ? "customer" : entityType)),
        h("td", { text: l.source || "—" }),
        h("td", { text: l.source_id || "—" }),
        h("td", { text: l.rule ? l.rule.replaceAll("_", " ") : "—" }),
        h("td", { text: formatTime(l.at) || "—" }),
        h("td", {}, alternatives(l, name === "parent" ? "customer" : entityType)));
    }))));
}
