// Intents: an assistant's intents with example questions (and optional fixed answers), and the answer cache's hit rate.
import { api, ApiError } from './api.js';
import { h, icon, button, field, empty, attempt } from './ui.js';
import { assistantOptions, currentAssistant, setCurrentAssistant } from './store.js';

export async function intentsView(main) {
  const picker = assistantOptions(h('select', { 'aria-label': 'Assistant' }), currentAssistant());
  const stats = h('div', { class: 'stats' });
  const editor = h('div', { class: 'intents' });
  const training = h('p', { class: 'muted' });
  const threshold = h('input', { type: 'number', min: 0, max: 1, step: 0.05, 'aria-label': 'Threshold' });
  const tryText = h('input', { placeholder: 'Type a question to see which intent it matches', 'aria-label': 'Question to classify' });
  const tryResult = h('span', { class: 'muted' });
  picker.addEventListener('change', () => { setCurrentAssistant(picker.value); load(); });

  main.replaceChildren(h('div', { class: 'page' },
    h('header', { class: 'page-head' },
      h('div', {}, h('h1', {}, 'Intents'), h('p', { class: 'muted' }, 'Questions that mean the same get the same cached answer. Teach the intents with examples.')),
      picker),
    stats,
    h('section', { class: 'panel' },
      h('div', { class: 'panel-head' }, h('h2', {}, 'Intents'),
        h('div', { class: 'inline' }, field('Threshold', threshold),
          button('Add intent', { icon: 'plus', onClick: () => editor.append(intentCard({ name: '', examples: [] })) }),
          button('Save', { kind: 'primary', onClick: save }))),
      training, editor),
    h('section', { class: 'panel' }, h('h2', {}, 'Try it'),
      h('form', { class: 'inline', onsubmit: e => { e.preventDefault(); classify(); } }, tryText, button('Classify', { kind: 'secondary', type: 'submit' })),
      tryResult)));

  function intentCard(intent) {
    const name = h('input', { class: 'intent-name', value: intent.name, placeholder: 'vacation_days', 'aria-label': 'Intent name' });
    const examples = h('textarea', { rows: 4, placeholder: 'One example question a line', 'aria-label': 'Examples' });
    examples.value = intent.examples.join('\n');
    const answer = h('textarea', { rows: 2, placeholder: 'Optional fixed answer', 'aria-label': 'Fixed answer' });
    answer.value = intent.answer ?? '';
    const card = h('article', { class: 'card intent' },
      h('div', { class: 'card-head' }, icon('spark'), name, button('', { icon: 'trash', title: 'Remove intent', onClick: () => card.remove() })),
      field('Examples', examples), field('Fixed answer', answer));
    card.read = () => ({ name: name.value.trim(), examples: examples.value.split('\n').map(s => s.trim()).filter(Boolean),
      answer: answer.value.trim() || null, cacheable: intent.cacheable ?? true });
    return card;
  }

  function describe(set) {
    const t = set.training;
    training.textContent = `Revision ${set.revision} · ${t.intents} intents, ${t.examples} examples · leave-one-out accuracy ${Math.round(t.leave_one_out_accuracy * 100)} %`;
    threshold.value = set.threshold;
  }

  async function load() {
    editor.replaceChildren();
    training.textContent = '';
    tryResult.textContent = '';
    await Promise.all([loadStats(), (async () => {
      try {
        const set = await api(`/api/intents/${encodeURIComponent(picker.value)}`);
        describe(set);
        editor.append(...set.intents.map(intentCard));
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 404)) throw error;
        editor.append(empty('spark', 'No intents yet', 'Add an intent with a few example questions, then save.'));
      }
    })()]);
  }

  async function loadStats() {
    const all = await api('/api/intent-cache/stats');
    const mine = all.data.find(s => s.assistant_id === picker.value) ?? { lookups: 0, hits: 0, misses: 0, stores: 0, hit_rate: 0 };
    const tile = (label, value, note) => h('div', { class: 'stat' }, h('small', {}, label), h('strong', {}, value), note ? h('small', { class: 'muted' }, note) : null);
    stats.replaceChildren(
      tile('Hit rate', `${Math.round(mine.hit_rate * 100)} %`, 'this assistant'),
      tile('Cached answers served', String(mine.hits), `of ${mine.lookups} questions`),
      tile('Answers stored', String(mine.stores)),
      tile('All assistants', `${Math.round(all.totals.hit_rate * 100)} %`, `${all.totals.hits} of ${all.totals.lookups}`));
  }

  async function save() {
    const intents = [...editor.querySelectorAll('.intent')].map(c => c.read()).filter(i => i.name);
    const set = await attempt(() => api(`/api/intents/${encodeURIComponent(picker.value)}`, { method: 'PUT',
      json: { intents, threshold: threshold.value ? Number(threshold.value) : null } }), 'Intents saved and trained.');
    if (set) describe(set);
  }

  async function classify() {
    if (!tryText.value.trim()) return;
    const result = await attempt(() => api(`/api/intents/${encodeURIComponent(picker.value)}/classify`, { method: 'POST', json: { text: tryText.value } }));
    if (result) tryResult.textContent = result.out_of_scope || !result.intent
      ? `No intent matches (best ${Math.round(result.confidence * 100)} %).`
      : `${result.intent} · ${Math.round(result.confidence * 100)} % confident`;
  }

  if (!picker.value) main.replaceChildren(empty('bot', 'No assistant yet', 'Intents belong to an assistant. Create one first.'));
  else await load();
  return null;
}
