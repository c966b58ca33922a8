import { session } from "./api.js";
import { replace, h } from "./dom.js";
import { renderFind } from "./find.js";
import { renderGolden } from "./golden.js";
import { renderHierarchy } from "./hierarchy.js";
import { renderLogin } from "./login.js";
import { renderQueue } from "./queue.js";
import { renderTask } from "./task.js";
import { logout, showPendingFlash } from "./ui.js";

const main = document.getElementById("main");
const nav = document.getElementById("nav");

const routes = [
  [/^#\/tasks\/([^/?]+)$/, (view, m) => renderTask(view, decodeURIComponent(m[1]))],
  [/^#\/tasks(?:\?(.*))?$/, (view, m) => renderQueue(view, new URLSearchParams(m[1] || ""))],
  [/^#\/golden\/([^/?]+)\/([^/?]+)$/,
    (view, m) => renderGolden(view, decodeURIComponent(m[1]), decodeURIComponent(m[2]))],
  [/^#\/hierarchy\/([^/?]+)$/, (view, m) => renderHierarchy(view, decodeURIComponent(m[1]))],
  [/^#\/find$/, (view) => renderFind(view)],
];

let returnTo = null;

function markCurrent(hash) {
  for (const link of nav.querySelectorAll("a")) {
    const here = hash.startsWith(link.getAttribute("href"));
    if (here) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

function route() {
  const hash = location.hash || "#/tasks";
  const view = h("div", { class: "view" });
  replace(main, view);
  nav.hidden = !session.key;
  showPendingFlash();
  if (!session.key || hash === "#/login") {
    if (hash !== "#/login") returnTo = hash;
    document.title = "Log in · Steward console";
    renderLogin(view, () => {
      const target = returnTo || "#/tasks";
      returnTo = null;
      location.hash = target;
    });
    return;
  }
  markCurrent(hash);
  for (const [pattern, render] of routes) {
    const match = hash.match(pattern);
    if (match) {
      render(view, match);
      return;
    }
  }
  replace(view, h("h1", { text: "Page not found" }),
    h("p", {}, "There is no console page at this address. ", h("a", { href: "#/tasks", text: "Go to the task queue" }), "."));
}

document.getElementById("logout").addEventListener("click", () => logout("You are logged out.", "ok"));
window.addEventListener("hashchange", route);
route();
