// API keys: create with scope and limits (the secret is shown once), list, revoke.
import { api, apiList } from './api.js';
import { h, icon, button, modal, field, confirmAction, empty, when, attempt, toast } from './ui.js';
import { assistantName, loadAssistants } from './store.js';

export async function keysView(main) {
  const assistants = await loadAssistants();
  const table = h('div', { class: 'doc-list' });
  main.replaceChildren(h('div', { class: 'page' },
    h('header', { class: 'page-head' },
      h('div', {}, h('h1', {}, 'API keys'), h('p', { class: 'muted' }, 'For channel integrations, scripts and OpenAI SDKs. Scope a key to assistants and give it limits.')),
      button('New key', { icon: 'plus', kind: 'primary', onClick: create })),
    table));

  async function refresh() {
    const keys = await apiList('/api/keys');
    table.replaceChildren(keys.length
      ? h('table', {},
        h('thead', {}, h('tr', {}, ['Name', 'Key', 'Assistants', 'Limits', 'Created', ''].map(t => h('th', {}, t)))),
        h('tbody', {}, keys.map(k => h('tr', {},
          h('td', { class: 'filename' }, icon('key'), h('span', {}, k.name)),
          h('td', {}, h('code', {}, `${k.prefix}…`)),
          h('td', {}, k.assistants?.length ? k.assistants.map(assistantName).join(', ') : 'All assistants'),
          h('td', {}, [k.rpm ? `${k.rpm} req/min` : null, k.tpm ? `${k.tpm} tokens/min` : null].filter(Boolean).join(' · ') || 'Account limits'),
          h('td', {}, when(k.created_at)),
          h('td', { class: 'row-actions' }, button('Revoke', { icon: 'trash', title: `Revoke ${k.name}`, onClick: () => revoke(k) }))))))
      : empty('key', 'No API keys', 'Create a key to reach your assistants from code or a chat channel.'));
  }

  async function create() {
    const request = await modal('New API key', close => {
      const name = h('input', { name: 'name', required: true, maxlength: 100, placeholder: 'WhatsApp bridge' });
      const scope = h('fieldset', { class: 'checks' }, h('legend', {}, 'Assistants it may use (none ticked: all)'),
        assistants.map(a => h('label', {}, h('input', { type: 'checkbox', value: a.id }), a.name || 'Untitled assistant')));
      const rpm = h('input', { name: 'rpm', type: 'number', min: 1, placeholder: 'e.g. 60' });
      const tpm = h('input', { name: 'tpm', type: 'number', min: 1, placeholder: 'e.g. 20000' });
      return h('form', { class: 'modal-body', onsubmit: e => {
        e.preventDefault();
        const chosen = [...scope.querySelectorAll('input:checked')].map(i => i.value);
        close({ name: name.value.trim(), assistants: chosen.length ? chosen : null,
          rpm: rpm.value ? Number(rpm.value) : null, tpm: tpm.value ? Number(tpm.value) : null });
      } },
      field('Name', name), scope,
      h('div', { class: 'inline' }, field('Requests per minute', rpm), field('Tokens per minute', tpm)),
      h('div', { class: 'actions' }, button('Cancel', { onClick: () => close() }), button('Create key', { kind: 'primary', type: 'submit' })));
    });
    if (!request) return;
    const created = await attempt(() => api('/api/keys', { method: 'POST', json: request }));
    if (!created) return;
    await refresh();
    await modal('Your new API key', close => {
      const secret = h('input', { class: 'secret', readonly: true, value: created.key, 'aria-label': 'API key' });
      return h('div', { class: 'modal-body' },
        h('p', {}, 'Copy it now: it is shown only once. Send it as ', h('code', {}, 'Authorization: Bearer'), ' or ', h('code', {}, 'X-API-Key'), '.'),
        h('div', { class: 'inline' }, secret, button('Copy', { icon: 'copy', kind: 'secondary', onClick: async () => {
          secret.select();
          await navigator.clipboard.writeText(created.key).then(() => toast('Copied.', 'ok'), () => toast('Select the key and copy it.', 'info'));
        } })),
        h('pre', { class: 'snippet' }, `curl ${location.origin}/v1/chat/completions \\\n  -H "Authorization: Bearer ${created.key}" \\\n  -H "Content-Type: application/json" \\\n  -d '{"model":"${created.assistants?.[0] ?? assistants[0]?.id ?? 'asst_…'}","messages":[{"role":"user","content":"Hello"}]}'`),
        h('div', { class: 'actions' }, button('Done', { kind: 'primary', onClick: () => close() })));
    });
  }

  async function revoke(k) {
    if (!await confirmAction('Revoke key', `${k.name} stops working at once for everything that uses it.`, 'Revoke')) return;
    if (await attempt(() => api(`/api/keys/${k.id}`, { method: 'DELETE' }), 'Key revoked.') !== undefined) await refresh();
  }

  await refresh();
  return null;
}
