// The session as the last tab to change it left it, kept in IndexedDB beside localStorage. localStorage reaches a tab
// in another process late: one taking the refresh lock just after another released it may still read the pair that
// other tab has used up. IndexedDB answers every tab from one place, in the order the writes were made.

const KEY = 'session';

function database() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open('chatbot', 1);
    request.onupgradeneeded = () => request.result.createObjectStore(KEY);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function transact(mode, act) {
  const db = await database();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(KEY, mode);
      const request = act(tx.objectStore(KEY));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = tx.onabort = () => reject(tx.error);
    });
  } finally { db.close(); }
}

/** Records a session (null once signed out); resolves once every tab would read it. Never fails: it is a help only. */
export function mirror(session) {
  return transact('readwrite', store => store.put(session, KEY)).catch(() => undefined);
}

/** The last session recorded, or `fallback` when there is none (never written, or IndexedDB is unavailable). */
export async function mirrored(fallback) {
  try {
    const session = await transact('readonly', store => store.get(KEY));
    return session === undefined ? fallback : session;
  } catch { return fallback; }
}
