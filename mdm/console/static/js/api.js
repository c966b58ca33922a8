const KEY = "mdm.steward.apiKey";

export class ApiError extends Error {
  constructor(status, code, message, errors) {
    super(message);
    this.status = status;
    this.code = code;
    this.errors = errors || [];
  }
}

export const session = {
  get key() {
    return sessionStorage.getItem(KEY);
  },
  set key(value) {
    if (value) sessionStorage.setItem(KEY, value);
    else sessionStorage.removeItem(KEY);
  },
};

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null) q.set(k, String(v));
  }
  const text = q.toString();
  return text ? `?${text}` : "";
}

export async function api(path, { method = "GET", body, params, key, graphql: gql = false } = {}) {
  const headers = { Accept: "application/json" };
  const secret = key ?? session.key;
  if (!secret) {
    // Logged out while a page was still loading: its remaining requests are not sent,
    // so a refusal of "no key" can never pose as the end of a later session.
    throw new ApiError(401, "logged_out", "you are logged out");
  }
  headers.Authorization = `Bearer ${secret}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(gql ? "/graphql" : `/api/v1${path}${query(params)}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "network", "The hub cannot be reached. Check your connection and try again.");
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const err = (data && data.error)
      || (data && Array.isArray(data.errors) && { code: "graphql", message: data.errors.map((e) => e.message).join("; ") })
      || {};
    const error = new ApiError(response.status, err.code || "http_error",
      err.message || `the hub answered ${response.status}`, err.errors);
    error.key = secret; // which session failed: a late answer may be for an old one
    throw error;
  }
  return data;
}

export async function graphql(text, variables) {
  const out = await api("", { method: "POST", body: { query: text, variables }, graphql: true });
  if (out.errors && out.errors.length) {
    throw new ApiError(422, "graphql", out.errors.map((e) => e.message).join("; "));
  }
  return out.data;
}

let me = null;

export async function whoami() {
  const key = session.key;
  if (!me || me.key !== key) me = { key, answer: api("/me") };
  try {
    return await me.answer;
  } catch (error) {
    me = null;
    throw error;
  }
}

export function explain(error, context = {}) {
  if (!(error instanceof ApiError)) return String(error && error.message ? error.message : error);
  const detail = error.errors.length
    ? " " + error.errors.map((e) => `${e.pointer || ""} ${e.message}`.trim()).join("; ")
    : "";
  switch (error.status) {
    case 401:
      return `Your API key was not accepted (${error.message}). Log in again.`;
    case 403:
      return `Your key may not do this: ${error.message}.`;
    case 404:
      return `Not found: ${error.message}.`;
    case 409:
      return context.task && /already/.test(error.message)
        ? `Someone else decided this task: ${error.message}. Reload to see who and why.`
        : `Conflict: ${error.message}.`;
    case 422:
      return `The hub refused the request: ${error.message}.${detail}`;
    default:
      return error.status ? `The hub answered ${error.status}: ${error.message}.` : error.message;
  }
}
