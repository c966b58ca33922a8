import { session, whoami } from "./api.js";
import { renderAudit } from "./audit.js";
import { replace, h } from "./dom.js";
import { renderFind } from "./find.js";
import { renderGolden } from "./golden.js";
import { renderHierarchy } from "./hierarchy.js";
import { renderLogin } from "./login.js";
import { renderQuarantine, renderQuarantined } from "./quarantine.js";
import { renderQueue } from "./queue.js";
import { renderTarget, renderTargets } from "./targets.js";
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
  [/^#\/quarantine\/([^/?]+)$/, (view, m) => renderQuarantined(view, decodeURIComponent(m[1]))],
  [/^#\/quarantine(?:\?(.*))?$/, (view, m) => renderQuarantine(view, new URLSearchParams(m[1] || ""))],
  [/^#\/targets\/([^/?]+)$/, (view, m) => renderTarget(view, decodeURIComponent(m[1]))],
  [/^#\/targets$/, (view) => renderTargets(view)],
  [/^#\/audit(?:\?(.*))?$/, (view, m) => renderAudit(view, new URLSearchParams(m[1] || ""))],
];

let returnTo = null;

const identity = document.getElementById("identity");

async function showIdentity() {
  try {
    const me = await whoami();
    const roles = ["admin", "steward", "reader"].find((r) => me.roles.includes(r)) || me.roles.join(", ");
    identity.textContent = `${me.name} (${roles}${me.roles.includes("pii") ? ", sees personal data" : ""})`;
  } catch {
    identity.textContent = "";
  }
}

function markCurrent(hash) {
  for (const link of nav.querySelectorAll("a")) {
    const here = hash === link.getAttribute("href") || hash.startsWith(`${link.getAttribute("href")}/`)
      || hash.startsWith(`${link.getAttribute("href")}?`);
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
  showIdentity();
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
