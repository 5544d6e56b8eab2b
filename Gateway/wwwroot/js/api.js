// The one client of the public API (the same routes the SDKs use): session tokens, errors in words, SSE, uploads.
import { mirror, mirrored } from './mirror.js';

const STORE = 'chatbot.session';
let session = stored();
let refreshing = null;
const listeners = new Set();

export const auth = {
  get signedIn() { return session !== null; },
  get user() { return session?.user ?? null; },
  /** listener(session, elsewhere): elsewhere is true when another tab signed in, out or in as someone else. */
  onChange(listener) { listeners.add(listener); },
};

function stored() {
  try { return JSON.parse(localStorage.getItem(STORE) ?? 'null'); } catch { return null; }
}

/** Stores the session for every tab; resolves once the tabs' shared record (mirror.js) has it too. */
function save(next) {
  session = next;
  if (next) localStorage.setItem(STORE, JSON.stringify(next));
  else localStorage.removeItem(STORE);
  listeners.forEach(l => l(session, false));
  return mirror(next);
}

/**
 * Takes on the session another tab stored (tabs share one: a sign-in, a sign-out, a rotated pair there is one here).
 * The page hears of it when who is signed in changed; a sign-in elsewhere counts once it knows its user.
 */
function adopt(next) {
  const who = s => s?.user?.id ?? null;
  const before = session;
  session = next;
  if (who(before) !== who(next)) listeners.forEach(l => l(session, true));
}

window.addEventListener('storage', e => {
  if (e.storageArea === localStorage && (e.key === STORE || e.key === null)) adopt(stored());
});

function remember(pair, user) {
  return save({
    access: pair.access_token,
    refresh: pair.refresh_token,
    expiresAt: Date.now() + pair.expires_in * 1000,
    user: user ?? session?.user ?? null,
  });
}

/** An API error carried as words: ProblemDetails on /api and /auth, OpenAI's error body on /v1. */
export class ApiError extends Error {
  constructor(status, message, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const STATUS_WORDS = {
  400: 'The request was not accepted.',
  401: 'Your session has ended. Please sign in again.',
  403: 'You are not allowed to do that.',
  404: 'It does not exist (any more).',
  409: 'That conflicts with something that already exists.',
  413: 'That is too large.',
  415: 'That type of file is not supported.',
  422: 'The content could not be used.',
  429: 'Too many requests. Please wait a moment and try again.',
  502: 'A service behind the gateway did not answer. Please try again.',
  503: 'The service is unavailable right now. Please try again shortly.',
};

export async function errorFrom(status, text, headers) {
  let message = null;
  let code = null;
  try {
    const body = typeof text === 'string' ? JSON.parse(text) : text;
    if (body?.error?.message) { message = body.error.message; code = body.error.code; }
    else if (body?.errors && typeof body.errors === 'object') {
      message = Object.values(body.errors).flat().join(' ');
    }
    message ??= body?.detail ?? body?.title ?? null;
    code ??= body?.code ?? null;
  } catch { /* not JSON: fall back to words for the status */ }
  if (status === 429) {
    const wait = headers?.get?.('Retry-After');
    message = `Too many requests. Try again${wait ? ` in ${wait} s` : ' shortly'}.`;
  }
  return new ApiError(status, message || STATUS_WORDS[status] || `The request failed (${status}).`, code);
}

async function refreshSession() {
  if (!session?.refresh) throw new ApiError(401, STATUS_WORDS[401]);
  // One refresh at a time in this tab, and across tabs under a lock: refresh tokens rotate, and the gateway takes a
  // second use of a rotated one for theft and revokes the whole session.
  refreshing ??= (async () => {
    try {
      const held = session.refresh;
      const renew = () => renewUnlessRotated(held);
      await (navigator.locks ? navigator.locks.request(STORE, renew) : renew());
    } finally { refreshing = null; }
  })();
  return refreshing;
}

async function renewUnlessRotated(held) {
  // Another tab may have renewed (or ended) the session while this one waited: its pair is then the one to use.
  const current = await mirrored(stored());
  if (current?.refresh !== held) {
    adopt(current);
    if (!current) throw new ApiError(401, STATUS_WORDS[401]);
    return;
  }
  const response = await fetch('/auth/refresh', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refresh_token: held }),
  });
  if (!response.ok) { await save(null); throw await errorFrom(401, await response.text()); }
  // Held until the other tabs would read the new pair: the lock is released only then.
  await remember(await response.json());
}

async function accessToken() {
  if (!session) throw new ApiError(401, STATUS_WORDS[401]);
  if (Date.now() > session.expiresAt - 30_000) await refreshSession();
  return session.access;
}

/** fetch through the gateway with the session; one refresh and retry on 401. Returns the raw Response. */
export async function send(path, { method = 'GET', json, body, headers = {}, signal, anonymous = false } = {}) {
  const attempt = async () => {
    const h = new Headers(headers);
    if (json !== undefined) h.set('content-type', 'application/json');
    if (!anonymous) h.set('authorization', `Bearer ${await accessToken()}`);
    return fetch(path, { method, headers: h, body: json !== undefined ? JSON.stringify(json) : body, signal });
  };
  let response = await attempt();
  if (response.status === 401 && !anonymous && session) {
    await refreshSession();
    response = await attempt();
  }
  if (!response.ok) throw await errorFrom(response.status, await response.text(), response.headers);
  return response;
}

export async function api(path, options) {
  const response = await send(path, options);
  if (response.status === 204) return null;
  const type = response.headers.get('content-type') ?? '';
  return type.includes('json') ? response.json() : response.text();
}

/** Every item of a list route, oldest first, read a page of 100 at a time (each page after the last id of the one before). */
export async function apiList(path) {
  const items = [];
  const base = `${path}${path.includes('?') ? '&' : '?'}limit=100&order=asc`;
  for (let page = await api(base); ; page = await api(`${base}&after=${encodeURIComponent(page.last_id)}`)) {
    items.push(...page.data);
    if (!page.has_more) return items;
  }
}

export async function register(name, email, password) {
  await api('/auth/register', { method: 'POST', json: { name, email, password }, anonymous: true });
  return login(email, password);
}

export async function login(email, password) {
  const pair = await api('/auth/login', { method: 'POST', json: { email, password }, anonymous: true });
  remember(pair, null);
  const user = await api('/auth/me');
  save({ ...session, user });
  return user;
}

/** Ends the session at the gateway too (its refresh token's family is revoked), without waiting: signing out never fails. */
export function logout() {
  const refresh = session?.refresh;
  if (refresh) {
    fetch('/auth/logout', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: refresh }), keepalive: true,
    }).catch(() => { /* offline or refused: the tokens are forgotten here all the same */ });
  }
  save(null);
}

/** Reads an SSE response (OpenAI's style: `event:` and `data:` lines, comments ignored), calling onEvent(name, data). */
export async function readEvents(response, onEvent) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value.replace(/\r\n?/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) name = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (!data.length) continue;
      const text = data.join('\n');
      if (text === '[DONE]') { onEvent('done', null); continue; }
      let parsed = text;
      try { parsed = JSON.parse(text); } catch { /* plain text data */ }
      onEvent(name, parsed);
    }
  }
}

/** A multipart upload with progress (fetch cannot report upload progress; XMLHttpRequest can). */
export async function upload(path, form, { method = 'POST', onProgress } = {}) {
  const token = await accessToken();
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, path);
    xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.upload.onprogress = e => { if (e.lengthComputable) onProgress?.(e.loaded / e.total); };
    xhr.onload = async () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress?.(1);
        resolve(xhr.responseText ? JSON.parse(xhr.responseText) : null);
      } else {
        reject(await errorFrom(xhr.status, xhr.responseText, { get: n => xhr.getResponseHeader(n) }));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, 'The upload could not reach the server.'));
    xhr.send(form);
  });
}

/** Downloads a protected resource as a file (an <a href> cannot send the Authorization header). */
export async function download(path, filename) {
  const blob = await (await send(path)).blob();
  const url = URL.createObjectURL(blob);
  const a = Object.assign(document.createElement('a'), { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
