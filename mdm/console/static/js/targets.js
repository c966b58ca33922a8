import { api, whoami } from "./api.js";
import { dl, duration, formatTime, goldenLink, h, replace, section, table, valueText } from "./dom.js";
import { alertBox, busy, go, loading, report } from "./ui.js";

const PAGE = 50;

function rate(t) {
  if (t.success_rate === null || t.success_rate === undefined) return "no attempts";
  const share = `${(t.success_rate * 100).toFixed(t.success_rate === 1 ? 0 : 1)} %`;
  return `${share} of ${t.attempts_last_hour} ${t.attempts_last_hour === 1 ? "attempt" : "attempts"}`;
}

function paused(t) {
  if (!t.paused_until) return t.enabled === false ? "disabled" : "—";
  return `until ${formatTime(t.paused_until)}${t.pause_reason ? ` (${t.pause_reason})` : ""}`;
}

function deadCell(t) {
  if (!t.dead) return "0";
  return h("a", { href: `#/targets/${encodeURIComponent(t.name)}`, class: "neg", text: `${t.dead} dead` });
}

function heldCell(t) {
  if (!t.held) return "0";
  return h("a", { href: `#/targets/${encodeURIComponent(t.name)}`, text: `${t.held} held` });
}

export async function renderTargets(view) {
  document.title = "Targets · Steward console";
  loading(view, "Delivery targets");
  const box = alertBox();
  let targets;
  try {
    targets = (await api("/sync/targets")).targets;
  } catch (error) {
    replace(view, h("h1", { text: "Delivery targets" }), box);
    report(box, error);
    return;
  }
  const rows = targets.map((t) => [
    h("a", { href: `#/targets/${encodeURIComponent(t.name)}`, text: t.name }),
    t.kind, String(t.pending), String(t.in_flight), String(t.delivered), deadCell(t), heldCell(t),
    duration(t.lag_seconds), rate(t), paused(t),
  ]);
  replace(view,
    h("h1", { text: "Delivery targets" }),
    h("p", { class: "muted", text: "Each system the hub pushes golden records to: its queue, how far behind it is, "
      + "how its delivery attempts of the last hour ended, and the records held back because they "
      + "lack what the target needs." }),
    box,
    rows.length
      ? table(null, ["Target", "Kind", "Pending", "In flight", "Delivered", "Dead letters", "Held", "Lag",
        "Success (last hour)", "Paused"], rows)
      : h("p", { class: "empty", text: "No targets are configured (an admin adds them with PUT /api/v1/sync/targets/{name})." }));
}

function errorText(e) {
  if (!e) return "—";
  if (typeof e !== "object") return String(e);
  const head = [e.code, e.status].filter(Boolean).join(" ");
  return e.message ? `${head ? `${head}: ` : ""}${e.message}` : valueText(e);
}

function replayPanel(target, total, me) {
  const box = alertBox();
  const admin = me.roles.includes("admin");
  const button = h("button", { type: "button", class: "primary", text: `Replay ${total} dead ${total === 1 ? "letter" : "letters"}`,
    disabled: !admin || !total, "aria-describedby": "replay-why" });
  const why = admin
    ? "Each dead letter is sent again with its golden record's current state."
    : `Replaying needs an admin key; ${me.name}'s key has ${me.roles.filter((r) => r !== "pii").join(", ")}.`;
  button.addEventListener("click", busy(button, async () => {
    try {
      const out = await api("/sync/replay", { method: "POST", body: { target: target.name, state: "dead" } });
      go(`#/targets/${encodeURIComponent(target.name)}`,
        `Replayed ${out.replayed} ${out.replayed === 1 ? "delivery" : "deliveries"}: pending again, the dispatcher sends them next.`);
    } catch (error) {
      report(box, error);
    }
  }));
  return section("Replay", h("p", { id: "replay-why", class: "hint", text: why }), box, h("div", { class: "actions" }, button));
}

function deadTable(target, page) {
  if (!page.items.length) return h("p", { class: "empty", text: "No dead letters: every delivery got through or is still trying." });
  const rows = page.items.map((d) => [
    goldenLink(d.entity_type, d.golden_id), d.entity_type, String(d.wanted_version), String(d.failures),
    h("code", { text: errorText(d.last_error) }), formatTime(d.updated_at),
  ]);
  const more = page.total > page.items.length ? `${page.items.length} newest of ${page.total}` : null;
  return table(more, ["Golden record", "Type", "Version", "Failures", "Last error", "Given up"], rows);
}

const READINESS_TASKS = "#/tasks?kind=target_not_ready&status=open";

function heldTable(page) {
  if (!page.items.length) {
    return h("p", { class: "empty", text: "Nothing is held: every record carries what this target's readiness rules ask for." });
  }
  const rows = page.items.map((d) => [
    goldenLink(d.entity_type, d.golden_id), d.entity_type, String(d.wanted_version),
    (d.missing || []).map((m) => h("code", { text: m })).flatMap((el, i) => (i ? [", ", el] : [el])),
    d.last_error && d.last_error.message ? d.last_error.message : "—", formatTime(d.updated_at),
  ]);
  const more = page.total > page.items.length ? `${page.items.length} most recent of ${page.total}` : null;
  return table(more, ["Golden record", "Type", "Version", "Missing", "Why", "Last checked"], rows);
}

function heldHint() {
  return h("p", { class: "hint" },
    "Not sent to this target until they carry what its readiness rules ask for; each goes out on the "
    + "change that completes it. A steward task names each one: ",
    h("a", { href: READINESS_TASKS, text: "records not ready for a target" }), ".");
}

function readinessText(rules) {
  const parts = Object.entries(rules || {}).map(([type, rule]) => {
    const needs = (rule.required || []).map((r) => (typeof r === "string" ? r : `${r.path} (where ${
      Object.keys(r.when || {}).join(", ")} match)`));
    if (rule.parent_delivered) needs.push("its parent delivered first");
    return `${type}: ${needs.join(", ") || "nothing"}`;
  });
  return parts.length ? parts.join("; ") : "none: every record is sent";
}

export async function renderTarget(view, name) {
  document.title = `${name} · Targets · Steward console`;
  loading(view, `Target ${name}`);
  const box = alertBox();
  let target;
  let dead;
  let held;
  let me;
  try {
    const [list, page, heldPage, who] = await Promise.all([
      api("/sync/targets"),
      api("/sync/deliveries", { params: { target: name, state: "dead", limit: PAGE } }),
      api("/sync/deliveries", { params: { target: name, state: "held", limit: PAGE } }),
      whoami(),
    ]);
    [target, dead, held, me] = [list.targets.find((t) => t.name === name), page, heldPage, who];
    if (!target) throw new Error(`There is no target named ${name}.`);
  } catch (error) {
    replace(view, h("h1", { text: `Target ${name}` }), box);
    report(box, error);
    return;
  }
  replace(view,
    h("p", { class: "crumbs" }, h("a", { href: "#/targets", text: "Targets" }), " / ", name),
    h("h1", { text: `Target ${name}` }),
    dl([
      ["Kind", target.kind], ["Base URL", target.base_url], ["Entity types", (target.entity_types || []).join(", ")],
      ["Pending", String(target.pending)], ["In flight", String(target.in_flight)],
      ["Delivered", String(target.delivered)], ["Dead letters", String(target.dead)],
      ["Held", String(target.held || 0)], ["Readiness rules", readinessText(target.readiness)],
      ["Lag", duration(target.lag_seconds)], ["Success (last hour)", rate(target)], ["Paused", paused(target)],
    ]),
    box,
    section(`Dead letters (${dead.total})`, deadTable(target, dead)),
    replayPanel(target, dead.total, me),
    section(`Held (${held.total})`, heldHint(), heldTable(held)));
}
