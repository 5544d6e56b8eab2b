// Assistants: list, create, edit (name, model, instructions), delete.
import { api } from './api.js';
import { h, icon, button, modal, field, confirmAction, empty, when, attempt } from './ui.js';
import { loadAssistants, setCurrentAssistant } from './store.js';

export async function assistantsView(main, _, { navigate }) {
  const models = await api('/v1/models').then(l => l.data.map(m => m.id).filter(id => !id.startsWith('asst_'))).catch(() => []);
  const grid = h('div', { class: 'cards' });
  main.replaceChildren(h('div', { class: 'page' },
    h('header', { class: 'page-head' },
      h('div', {}, h('h1', {}, 'Assistants'), h('p', { class: 'muted' }, 'Each assistant answers from its own documents and instructions.')),
      button('New assistant', { icon: 'plus', kind: 'primary', onClick: () => edit(null) })),
    grid));

  async function refresh() {
    const assistants = await loadAssistants(true);
    grid.replaceChildren(...(assistants.length ? assistants.map(card)
      : [empty('bot', 'No assistants yet', 'Create one, then give it documents to answer from.',
        button('New assistant', { icon: 'plus', kind: 'primary', onClick: () => edit(null) }))]));
  }

  function card(a) {
    return h('article', { class: 'card assistant' },
      h('div', { class: 'card-head' }, h('span', { class: 'logo' }, icon('bot')),
        h('div', {}, h('h3', {}, a.name || 'Untitled assistant'), h('small', { class: 'muted' }, `${a.model} · created ${when(a.created_at)}`))),
      h('p', { class: 'instructions' }, a.instructions || 'No instructions: it answers from its documents.'),
      h('div', { class: 'card-actions' },
        button('Chat', { icon: 'chat', kind: 'secondary', onClick: () => { setCurrentAssistant(a.id); navigate('/chat'); } }),
        button('Documents', { icon: 'doc', onClick: () => { setCurrentAssistant(a.id); navigate('/documents'); } }),
        h('span', { class: 'end' },
          button('', { icon: 'edit', title: `Edit ${a.name ?? ''}`, onClick: () => edit(a) }),
          button('', { icon: 'trash', title: `Delete ${a.name ?? ''}`, onClick: () => remove(a) }))));
  }

  async function edit(a) {
    const values = await modal(a ? 'Edit assistant' : 'New assistant', close => {
      const name = h('input', { name: 'name', value: a?.name ?? '', required: true, maxlength: 256, placeholder: 'HR helper' });
      const model = h('input', { name: 'model', value: a?.model ?? models[0] ?? 'gpt-4o-mini', required: true, list: 'models' });
      const instructions = h('textarea', { name: 'instructions', rows: 6, placeholder: 'Answer politely, from the handbook only.' });
      instructions.value = a?.instructions ?? '';
      return h('form', { class: 'modal-body', onsubmit: e => { e.preventDefault(); close({ name: name.value.trim(), model: model.value.trim(), instructions: instructions.value }); } },
        field('Name', name), field('Model', model, 'Any model the platform serves; with no model configured an offline responder answers from the documents.'),
        h('datalist', { id: 'models' }, models.map(m => h('option', { value: m }))),
        field('Instructions', instructions),
        h('div', { class: 'actions' }, button('Cancel', { onClick: () => close() }), button(a ? 'Save' : 'Create', { kind: 'primary', type: 'submit' })));
    });
    if (!values) return;
    const saved = await attempt(() => api(a ? `/v1/assistants/${a.id}` : '/v1/assistants', { method: 'POST', json: values }),
      a ? 'Assistant saved.' : 'Assistant created.');
    if (saved) { if (!a) setCurrentAssistant(saved.id); await refresh(); }
  }

  async function remove(a) {
    if (!await confirmAction('Delete assistant', `“${a.name}” will be deleted. Its conversations stay but it can no longer answer them.`)) return;
    if (await attempt(() => api(`/v1/assistants/${a.id}`, { method: 'DELETE' }), 'Assistant deleted.') !== undefined) await refresh();
  }

  await refresh();
  return null;
}
