import { api } from "./api.js";
import { goldenLink, h, replace, section } from "./dom.js";
import { alertBox, loading, report } from "./ui.js";

function node(n, currentId) {
  const label = n.name || n.id;
  const here = n.id === currentId;
  return h("li", {},
    here ? h("strong", { "aria-current": "true", text: `${label} (this record)` })
      : h("a", { href: `#/hierarchy/${n.id}`, text: label }),
    " ", goldenLink("customer", n.id, "record"),
    n.children && n.children.length ? h("ul", {}, n.children.map((c) => node(c, currentId))) : null);
}

export async function renderHierarchy(view, goldenId) {
  loading(view, "Account hierarchy");
  const box = alertBox();
  let data;
  try {
    data = await api(`/golden/customer/${encodeURIComponent(goldenId)}/hierarchy`);
  } catch (error) {
    replace(view, h("h1", { text: "Account hierarchy" }), box);
    report(box, error);
    return;
  }
  const name = data.tree.name || data.id;
  document.title = `Hierarchy of ${name} · Steward console`;
  const path = [...data.ancestors].reverse();
  replace(view,
    h("p", { class: "crumbs" }, goldenLink("customer", data.id, `Golden record ${name}`), " / hierarchy"),
    h("h1", { text: `Hierarchy of ${name}` }),
    section("Ancestors",
      path.length
        ? h("ol", { class: "path", "aria-label": "From the ultimate parent down" },
          path.map((a) => h("li", {}, h("a", { href: `#/hierarchy/${a.id}`, text: a.name || a.id }))),
          h("li", {}, h("strong", { text: name })))
        : h("p", { class: "muted", text: "This account has no parent: it is an ultimate parent." }),
      data.ultimate_parent
        ? h("p", {}, "Ultimate parent: ", h("a", { href: `#/hierarchy/${data.ultimate_parent.id}`, text: data.ultimate_parent.name || data.ultimate_parent.id }))
        : null),
    section(`Descendants (${data.descendant_count ?? 0})`,
      h("ul", { class: "tree", "aria-label": "Account tree" }, node(data.tree, data.id))));
}
