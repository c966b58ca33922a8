import { api } from "./api.js";
import { h, shortId } from "./dom.js";
import { alertBox, busy, go, nextId, reasonField, report } from "./ui.js";

function here(record) {
  return `#/golden/${record.entity_type}/${record.id}`;
}

function actionForm({ intro, controls, reason, submit, run }) {
  const box = alertBox();
  const button = h("button", { type: "submit", class: submit.cls || "primary", text: submit.text });
  const form = h("form", { novalidate: true }, intro ? h("p", { class: "hint", text: intro }) : null,
    controls, reason.el, box, h("div", { class: "actions" }, button));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const why = reason.value();
    if (!why) return;
    await busy(button, async () => {
      try {
        await run(why);
      } catch (error) {
        report(box, error);
      }
    })();
  });
  return form;
}

export function unmergeForm(record, mergedIds) {
  const id = nextId("unmerge");
  const choice = h("select", { id, name: "merged" },
    mergedIds.map((m) => h("option", { value: m.id, text: `${m.id}${m.at ? ` (merged ${m.at})` : ""}` })));
  return actionForm({
    intro: "Undo a merge into this record: the merged golden record gets back exactly the source records it brought.",
    controls: h("div", { class: "field wide" }, h("label", { for: id, text: "Merged record to restore" }), choice),
    reason: reasonField("Reason for the unmerge"),
    submit: { text: "Unmerge", cls: "danger" },
    run: async (reason) => {
      const out = await api(`/golden/${record.entity_type}/${record.id}/unmerge`,
        { method: "POST", body: { merged: choice.value, reason } });
      go(here(record), `Unmerged: golden record ${out.restored} stands on its own again.`,
        { href: `#/golden/${record.entity_type}/${out.restored}`, text: `Open golden record ${shortId(out.restored)}` });
    },
  });
}

export function mergeForm(record) {
  const id = nextId("merge");
  const input = h("input", { id, type: "text", name: "merged", autocomplete: "off", spellcheck: "false" });
  const inputError = h("p", { class: "field-error" });
  return actionForm({
    intro: "Merge another golden record into this one; this record survives and the other id resolves to it.",
    controls: h("div", { class: "field wide" }, h("label", { for: id, text: "Golden id to merge into this record" }),
      input, inputError),
    reason: reasonField("Reason for the merge"),
    submit: { text: "Merge into this record" },
    run: async (reason) => {
      const other = input.value.trim();
      if (!other) {
        inputError.textContent = "Give the id of the golden record to merge in.";
        input.focus();
        return;
      }
      inputError.textContent = "";
      await api(`/golden/${record.entity_type}/merge`,
        { method: "POST", body: { survivor: record.id, merged: [other], reason } });
      go(here(record), `Merged golden record ${other} into this record.`);
    },
  });
}

export function splitForm(record, xref) {
  return actionForm({
    intro: `Take ${xref.source} ${xref.source_id} out of this golden record into a new one of its own. `
      + "The pair is remembered as not a match.",
    controls: null,
    reason: reasonField(`Reason for splitting ${xref.source} ${xref.source_id} out`),
    submit: { text: `Split ${xref.source} ${xref.source_id} out`, cls: "danger" },
    run: async (reason) => {
      const out = await api(`/golden/${record.entity_type}/${record.id}/split`,
        { method: "POST", body: { source: xref.source, source_id: xref.source_id, reason } });
      go(here(record), `Split: ${xref.source} ${xref.source_id} is now golden record ${out.new_golden_id}.`,
        { href: `#/golden/${record.entity_type}/${out.new_golden_id}`, text: `Open golden record ${shortId(out.new_golden_id)}` });
    },
  });
}
