// Shared helpers of the netid page scripts: JSON calls in the page's language, passkeys through
// @simplewebauthn/browser, and accessible error display.
import { startRegistration, startAuthentication, browserSupportsWebAuthn } from '/static/vendor/simplewebauthn/index.js';

export { startRegistration, startAuthentication, browserSupportsWebAuthn };

export const lang = document.documentElement.lang || 'zh-CN';

export class ApiError extends Error {
  constructor(status, code, message, detail) {
    super(message);
    this.status = status;
    this.code = code;
    this.detail = detail;
  }
}

/**
 * Calls a JSON API; the answer's `message` is in the page's language (Accept-Language). A POST
 * always sends a JSON body (`{}` when there is nothing to say): the session cookie is only
 * accepted with JSON, which a cross-site form cannot send.
 */
export async function api(method, path, body) {
  const payload = body === undefined && method === 'POST' ? {} : body;
  let response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: { 'accept': 'application/json', 'accept-language': lang, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
      body: payload === undefined ? undefined : JSON.stringify(payload),
    });
  } catch {
    throw new ApiError(0, 'network', '', undefined);
  }
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok) throw new ApiError(response.status, json?.error ?? 'server.error', json?.message ?? '', json?.detail);
  return json;
}

/**
 * A passkey failure in the page's language, by the browser's DOMException name (the page's
 * `data-passkey-errors`); never the browser's own text, which is English and technical.
 */
export function passkeyMessage(error) {
  const table = JSON.parse(document.body.dataset.passkeyErrors || '{}');
  return table[error?.name] ?? table.other ?? '';
}

/** What went wrong with a step that calls the API and the passkey: the API's own message, else the passkey's. */
export function problemMessage(error, fallback) {
  if (error instanceof ApiError) return error.message || fallback || '';
  return passkeyMessage(error);
}

/**
 * Shows why a passkey step failed, once: a passkey failure's own message (it says what to do), or
 * the API's message followed by `next` (what to do next).
 */
export function showPasskeyProblem(box, error, next) {
  if (error instanceof ApiError && error.message) return showProblem(box, error.message, next);
  showProblem(box, error instanceof ApiError ? next : passkeyMessage(error), '');
}

/** Shows a problem in an alert region and moves focus there so screen readers announce it. */
export function showProblem(box, message, hint) {
  if (!box) return;
  const messageEl = box.querySelector('#problem-message');
  const hintEl = box.querySelector('#problem-hint');
  if (messageEl) {
    messageEl.textContent = message;
    if (hintEl) hintEl.textContent = hint ?? '';
  } else {
    box.textContent = hint ? `${message} ${hint}` : message;
  }
  box.hidden = false;
  box.focus();
}

export function hideProblem(box) {
  if (box) box.hidden = true;
}
