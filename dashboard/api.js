// The master's JSON API, called from the page. When the master has --api-key, the key the user
// typed is kept in sessionStorage (gone when the tab closes) and sent as a Bearer token.

const KEY = 'ffrtmp.apiKey';

export class ApiError extends Error {
  /** @param {number} status @param {string} code @param {string} message */
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
  /** The key is missing or wrong (401), or is the agent key (403). */
  get isAuth() {
    return this.status === 401 || this.status === 403;
  }
}

export function getKey() {
  return sessionStorage.getItem(KEY) ?? '';
}

/** @param {string} key */
export function setKey(key) {
  if (key) sessionStorage.setItem(KEY, key);
  else sessionStorage.removeItem(KEY);
}

/**
 * Calls the API; resolves with the parsed JSON, rejects with ApiError (any non-2xx answer, the
 * master's `{error:{code,message}}` when it sent one) or a network error.
 * @param {string} path
 * @param {{ method?: string }} [options]
 */
export async function api(path, options = {}) {
  const headers = { accept: 'application/json' };
  const key = getKey();
  if (key) headers.authorization = `Bearer ${key}`;
  const res = await fetch(path, { method: options.method ?? 'GET', headers, cache: 'no-store' });
  const text = await res.text();
  let body;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const e = body?.error;
    throw new ApiError(res.status, e?.code ?? `HTTP_${res.status}`, e?.message ?? `HTTP ${res.status}`);
  }
  return body;
}

/** Every item of a paged list (following next_cursor), up to `max` items. */
export async function listAll(path, field, max = 5000) {
  const items = [];
  let cursor = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page = await api(`${path}${sep}limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...(page[field] ?? []));
    cursor = page.next_cursor ?? null;
  } while (cursor && items.length < max);
  return { items, truncated: cursor !== null };
}
