// Documents: drop many files (a progress bar each), list with type, size and date, download, replace, delete.
import { api, apiList, download, upload } from './api.js';
import { h, icon, button, confirmAction, empty, bytes, when, attempt, toast } from './ui.js';
import { assistantOptions, currentAssistant, setCurrentAssistant } from './store.js';

export async function documentsView(main) {
  const picker = assistantOptions(h('select', { 'aria-label': 'Assistant' }), currentAssistant());
  const type = h('select', { 'aria-label': 'Document type' },
    h('option', { value: 'rag' }, 'Knowledge (searched for passages)'),
    h('option', { value: 'prompt' }, 'Instructions (always given whole)'));
  const chooser = h('input', { type: 'file', multiple: true, hidden: true, onchange: () => { uploadAll([...chooser.files]); chooser.value = ''; } });
  const drop = h('div', { class: 'dropzone', tabindex: 0, role: 'button', 'aria-label': 'Upload documents', onclick: () => chooser.click(),
    onkeydown: e => { if (e.key === 'Enter' || e.key === ' ') chooser.click(); } },
    icon('upload'), h('strong', {}, 'Drop files here or click to choose'),
    h('small', { class: 'muted' }, 'PDF, Word, Markdown, text… up to 20 MB each'), chooser);
  const uploads = h('ul', { class: 'uploads' });
  const table = h('div', { class: 'doc-list' });

  for (const name of ['dragenter', 'dragover']) drop.addEventListener(name, e => { e.preventDefault(); drop.classList.add('over'); });
  for (const name of ['dragleave', 'drop']) drop.addEventListener(name, () => drop.classList.remove('over'));
  drop.addEventListener('drop', e => { e.preventDefault(); uploadAll([...e.dataTransfer.files]); });
  picker.addEventListener('change', () => { setCurrentAssistant(picker.value); refresh(); });

  main.replaceChildren(h('div', { class: 'page' },
    h('header', { class: 'page-head' },
      h('div', {}, h('h1', {}, 'Documents'), h('p', { class: 'muted' }, 'What an assistant knows. Answers quote these documents.')),
      h('div', { class: 'inline' }, picker, type)),
    drop, uploads, table));

  /** One upload with its own progress bar; the error, if any, stays next to the file in words. */
  function track(file, send) {
    const bar = h('progress', { max: 1, value: 0 });
    const status = h('small', { class: 'muted' }, 'Uploading…');
    const row = h('li', { class: 'upload' }, icon('doc'), h('span', { class: 'filename' }, file.name), h('small', { class: 'muted' }, bytes(file.size)), bar, status);
    uploads.prepend(row);
    return send(p => { bar.value = p; status.textContent = p < 1 ? `${Math.round(p * 100)} %` : 'Processing…'; })
      .then(doc => { row.classList.add('done'); status.textContent = `Ready · ${doc.chunk_count} ${doc.chunk_count === 1 ? 'passage' : 'passages'}`; setTimeout(() => row.remove(), 6000); })
      .catch(error => { row.classList.add('failed'); bar.remove(); status.textContent = error.message; });
  }

  async function uploadAll(files) {
    if (!picker.value) { toast('Create an assistant first.', 'error'); return; }
    await Promise.all(files.map(file => track(file, onProgress => {
      const form = new FormData();
      form.append('assistant_id', picker.value);
      form.append('type', type.value);
      form.append('file', file);
      return upload('/api/documents', form, { onProgress });
    })));
    await refresh();
  }

  function replace(doc) {
    const chooseOne = h('input', { type: 'file', hidden: true, onchange: async () => {
      const file = chooseOne.files[0];
      if (!file) return;
      const form = new FormData();
      form.append('type', doc.type);
      form.append('file', file);
      await track(file, onProgress => upload(`/api/documents/${doc.id}`, form, { method: 'PUT', onProgress }));
      await refresh();
    } });
    chooseOne.click();
  }

  async function remove(doc) {
    if (!await confirmAction('Delete document', `${doc.filename} will be deleted; the assistant will no longer answer from it.`)) return;
    if (await attempt(() => api(`/api/documents/${doc.id}`, { method: 'DELETE' }), 'Document deleted.') !== undefined) await refresh();
  }

  async function refresh() {
    if (!picker.value) {
      table.replaceChildren(empty('bot', 'No assistant yet', 'Documents belong to an assistant. Create one first.'));
      return;
    }
    const docs = await apiList(`/api/documents?assistant_id=${encodeURIComponent(picker.value)}`);
    table.replaceChildren(docs.length
      ? h('table', {},
        h('thead', {}, h('tr', {}, ['Name', 'Type', 'Size', 'Passages', 'Updated', ''].map(t => h('th', {}, t)))),
        h('tbody', {}, docs.map(d => h('tr', {},
          h('td', { class: 'filename' }, icon('doc'), h('span', {}, d.filename)),
          h('td', {}, h('span', { class: `badge ${d.type}` }, d.type === 'rag' ? 'knowledge' : 'instructions')),
          h('td', {}, bytes(d.bytes)),
          h('td', {}, String(d.chunk_count)),
          h('td', {}, when(d.updated_at)),
          h('td', { class: 'row-actions' },
            button('', { icon: 'download', title: `Download ${d.filename}`, onClick: () => attempt(() => download(`/api/documents/${d.id}/content`, d.filename)) }),
            button('', { icon: 'upload', title: `Replace ${d.filename}`, onClick: () => replace(d) }),
            button('', { icon: 'trash', title: `Delete ${d.filename}`, onClick: () => remove(d) }))))))
      : empty('doc', 'No documents yet', 'Drop files above; the assistant answers from them as soon as they are processed.'));
  }

  await refresh();
  return null;
}
