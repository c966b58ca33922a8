import { api, ApiError, session } from "./api.js";
import { h, replace } from "./dom.js";
import { alertBox, busy } from "./ui.js";

function loginProblem(error) {
  if (!(error instanceof ApiError)) return String(error.message || error);
  if (error.status === 401) return `That API key was not accepted: ${error.message}.`;
  if (error.status === 403) {
    return "Your key lacks the steward role. The console needs a key with the steward or admin role.";
  }
  return `The hub answered ${error.status || "nothing"}: ${error.message}.`;
}

export function renderLogin(view, onDone) {
  const input = h("input", { id: "api-key", name: "api-key", type: "password",
    autocomplete: "off", spellcheck: "false", required: true });
  const box = alertBox();
  const button = h("button", { type: "submit", class: "primary", text: "Log in" });
  const form = h("form", { class: "login", novalidate: true },
    h("div", { class: "field wide" },
      h("label", { for: "api-key", text: "API key" }),
      h("p", { class: "hint", id: "api-key-hint",
        text: "Paste a key with the steward or admin role (made with “mdm keys create --role steward”). "
          + "It is kept only in this browser tab and sent to the hub as a bearer token." }),
      input),
    box, h("div", { class: "actions" }, button));
  input.setAttribute("aria-describedby", "api-key-hint");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (!key) {
      replace(box, h("p", { class: "note error", text: "Paste your API key first." }));
      input.focus();
      return;
    }
    await busy(button, async () => {
      try {
        await api("/stewardship/tasks", { params: { limit: 1 }, key });
      } catch (error) {
        replace(box, h("p", { class: "note error", text: loginProblem(error) }));
        input.select();
        return;
      }
      session.key = key;
      onDone();
    })();
  });
  replace(view, h("div", { class: "narrow" },
    h("h1", { text: "Log in to the steward console" }),
    h("p", { text: "Stewards review doubtful matches, merge and unmerge golden records, and keep hierarchies right." }),
    form));
  input.focus();
}
