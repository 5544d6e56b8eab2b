// Citations: the passages an answer quotes and the documents they come from. The API's messages carry no
// annotations yet, so the quotes are read from the answer ("quoted text" (file.ext)) and the passage is found with
// the public document search.
import { api, apiList, download } from './api.js';
import { h, icon, button, attempt } from './ui.js';

const QUOTE = /["“]([^"”\n]{6,}?)["”]\s*\(([^()\n]{1,200}?\.[A-Za-z0-9]{1,8})\)/g;

export function citationsOf(text) {
  const seen = new Set();
  const found = [];
  for (const [, quote, filename] of text.matchAll(QUOTE)) {
    const key = filename + '\u0000' + quote;
    if (!seen.has(key)) { seen.add(key); found.push({ quote: quote.replace(/…$/, '').trim(), filename: filename.trim() }); }
  }
  return found;
}

/** The passage text with the quoted part marked; built from text nodes, so nothing in it is ever markup. */
function marked(passage, quote) {
  const at = passage.indexOf(quote);
  return at < 0 ? [passage] : [passage.slice(0, at), h('mark', {}, quote), passage.slice(at + quote.length)];
}

export function citationList(citations, assistantId) {
  return h('aside', { class: 'sources', 'aria-label': 'Sources' },
    h('h4', {}, 'Sources'),
    h('ol', {}, citations.map((c, i) => citation(c, i + 1, assistantId))));
}

function citation({ quote, filename }, number, assistantId) {
  const passage = h('blockquote', { class: 'passage' }, quote);
  const more = button('Show passage', { kind: 'link', onClick: async () => {
    more.disabled = true;
    const result = await attempt(() => api('/api/documents/search', { method: 'POST', json: { assistant_id: assistantId, query: quote, top_k: 5 } }));
    const hit = result?.data?.find(d => d.filename === filename && d.text.includes(quote)) ?? result?.data?.find(d => d.filename === filename);
    if (hit) passage.replaceChildren(...marked(hit.text, quote));
    more.remove();
  } });
  const open = button('', { icon: 'download', title: `Download ${filename}`, onClick: () => attempt(async () => {
    const documents = await apiList(`/api/documents?assistant_id=${encodeURIComponent(assistantId)}`);
    const doc = documents.find(d => d.filename === filename);
    if (!doc) throw new Error(`${filename} is no longer among this assistant's documents.`);
    await download(`/api/documents/${doc.id}/content`, filename);
  }) });
  return h('li', { class: 'source' },
    h('div', { class: 'source-head' }, h('span', { class: 'num' }, String(number)), icon('doc'),
      h('span', { class: 'filename' }, filename), open),
    passage, more);
}
