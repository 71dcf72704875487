// The page's one way to the server: POST JSON, exactly as a notebook or curl would (same origin, so
// no CORS), and keep the last exchange the user asked for, to show it and copy it as curl.

/** An answer other than 2xx: the server's application/problem+json, kept whole. */
export class ProblemError extends Error {
  constructor(path, status, problem) {
    const fields = (problem.errors || []).map(e => `${e.pointer}: ${e.detail}`).join('; ');
    super(`${path} answered ${status} ${problem.title || ''}: ${fields || problem.detail || ''}`);
    this.status = status;
    this.problem = problem;
  }
}

let last = null;
const listeners = [];

/** Calls `f({path, body, status, text})` after every recorded exchange. */
export function onExchange(f) { listeners.push(f); }
/** The last recorded exchange: the request body and the answer's text as they were on the wire. */
export function lastExchange() { return last; }

/**
 * POST `request` as JSON to `path`; the parsed answer, or a ProblemError. `record: false` keeps
 * background requests (refreshing the diagram, the heat map) out of the exchange log, so "copy as
 * curl" names the request the user caused.
 */
export async function post(path, request, { record = true } = {}) {
  const body = JSON.stringify(request);
  let response;
  try {
    response = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
  } catch (e) {
    throw new Error(`${path}: no answer from the server (${e.message}); is it still running?`);
  }
  const text = await response.text();
  if (record) {
    last = { path, body, status: response.status, text };
    for (const f of listeners) f(last);
  }
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${path} answered ${response.status} with something that is not JSON`);
  }
  if (!response.ok) throw new ProblemError(path, response.status, json);
  return json;
}
