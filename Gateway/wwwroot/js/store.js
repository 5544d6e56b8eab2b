// What several screens share: the user's assistants and which one is current.
import { api } from './api.js';

const CURRENT = 'chatbot.assistant';
let assistants = null;

export async function loadAssistants(force = false) {
  if (!assistants || force) {
    const list = await api('/v1/assistants?limit=100&order=desc');
    assistants = list.data;
  }
  return assistants;
}

export function forgetAssistants() { assistants = null; }

/** An assistant's name; a thread made by the CLI or an SDK may name none, which is not the same as a deleted one. */
export function assistantName(id) {
  if (!id) return 'No assistant';
  const found = assistants?.find(a => a.id === id);
  return found ? (found.name || 'Untitled assistant') : 'Deleted assistant';
}

export function currentAssistant() {
  const id = localStorage.getItem(CURRENT);
  return assistants?.find(a => a.id === id)?.id ?? assistants?.[0]?.id ?? null;
}

export function setCurrentAssistant(id) { localStorage.setItem(CURRENT, id); }

/** A <select> of the user's assistants. */
export function assistantOptions(select, selected) {
  select.replaceChildren(...(assistants ?? []).map(a => {
    const option = document.createElement('option');
    option.value = a.id;
    option.textContent = a.name || 'Untitled assistant';
    option.selected = a.id === selected;
    return option;
  }));
  return select;
}
