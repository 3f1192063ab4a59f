// The hub's HTTP API (same origin), as described in shared/design/api.md. Every call carries the
// référent's token; a 401 signs the référent out wherever it happens.
import { currentToken, signOut } from './auth.js';

export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

async function call(method, path, { body, headers = {} } = {}) {
  const init = { method, headers: { Accept: 'application/json', ...headers }, cache: 'no-store' };
  const token = currentToken();
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'network', 'network error');
  }
  const payload = await response.json().catch(() => null);
  if (response.ok) return payload;
  const error = payload?.error ?? {};
  if (response.status === 401) signOut('refused');
  throw new ApiError(response.status, error.code ?? `http_${response.status}`, error.message, error.field);
}

const casePath = (caseId) => `/v1/cases/${encodeURIComponent(caseId)}`;
const requestPath = (caseId, requestId) => `${casePath(caseId)}/requests/${encodeURIComponent(requestId)}`;

export const listCases = ({ overall, cursor, limit = 50 } = {}) => {
  const query = new URLSearchParams({ limit: String(limit) });
  if (overall) query.set('overall', overall);
  if (cursor) query.set('cursor', cursor);
  return call('GET', `/v1/cases?${query}`);
};

export const getCase = (caseId) => call('GET', casePath(caseId));

export const createCase = (body, idempotencyKey) =>
  call('POST', '/v1/cases', { body, headers: { 'Idempotency-Key': idempotencyKey } });

export const addNeeds = (caseId, needs, consent) => call('POST', `${casePath(caseId)}/needs`, { body: { needs, consent } });

export const retryRequest = (caseId, requestId) => call('POST', `${requestPath(caseId, requestId)}/retry`, { body: {} });

export const answerRequest = (caseId, requestId, text) =>
  call('POST', `${requestPath(caseId, requestId)}/answer`, { body: { text } });

export const withdrawRequest = (caseId, requestId, reason) =>
  call('POST', `${requestPath(caseId, requestId)}/withdraw`, { body: { reason } });

export const withdrawConsent = (caseId, need) => call('POST', `${casePath(caseId)}/consent`, { body: { need, given: false } });

export const freezeCase = (caseId) => call('POST', `${casePath(caseId)}/freeze`, { body: {} });
export const unfreezeCase = (caseId) => call('POST', `${casePath(caseId)}/unfreeze`, { body: {} });

// Sharing a case with a colleague of the department (docs/api.md, delegation).
export const shareCase = (caseId, referent) => call('POST', `${casePath(caseId)}/delegates`, { body: { referent } });
export const unshareCase = (caseId, referent) =>
  call('DELETE', `${casePath(caseId)}/delegates/${encodeURIComponent(referent)}`);

// Agency mails the hub could not read on its own (docs/api.md, review queue).
export const listReview = () => call('GET', '/v1/review');
export const fileReview = (itemId, { requestId, state, message }) =>
  call('POST', `/v1/review/${encodeURIComponent(itemId)}`, {
    body: { ...(requestId ? { request_id: requestId } : {}), state, ...(message ? { message } : {}) },
  });
export const dismissReview = (itemId) => call('DELETE', `/v1/review/${encodeURIComponent(itemId)}`);

// A random key per submission attempt. getRandomValues rather than randomUUID: the latter needs a
// secure context, and a hub on a closed network may be reached over plain HTTP by host name.
export function newIdempotencyKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
