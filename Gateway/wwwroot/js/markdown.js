// A deliberately small Markdown renderer. Everything is HTML-escaped first; only then is a fixed set of formatting
// added (headings, lists, quotes, code, emphasis, http(s) links), so no markup from a model or a document can run.

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, c => ESCAPES[c]);
}

function emphasis(text) {
  text = text.replace(/\*\*([^*\n]+)\*\*/g, '<strong>$1</strong>');
  text = text.replace(/(^|[^\w*])\*([^*\n]+)\*(?!\w)/g, '$1<em>$2</em>');
  return text.replace(/(^|[^\w_])_([^_\n]+)_(?!\w)/g, '$1<em>$2</em>');
}

function inline(escaped) {
  // Code spans, then links, are parked behind placeholders so emphasis never reaches inside code or an address; a
  // link's label gets its own emphasis. NULs never come from the text itself, so no placeholder can be forged.
  const parked = [];
  const park = html => `\u0000${parked.push(html) - 1}\u0000`;
  let text = escaped.replace(/\u0000/g, '').replace(/`([^`\n]+)`/g, (_, code) => park(`<code>${code}</code>`));
  text = text.replace(/\[([^\]\n]+)\]\((https?:\/\/[^\s()\u0000]+)\)/g,
    (_, label, url) => park(`<a href="${url}" target="_blank" rel="noopener noreferrer nofollow">${emphasis(label)}</a>`));
  // A parked link may hold a parked code span in its label: indexes only point back, so this ends.
  const unpark = html => html.replace(/\u0000(\d+)\u0000/g, (_, i) => unpark(parked[Number(i)]));
  return unpark(emphasis(text));
}

export function renderMarkdown(source) {
  const lines = escapeHtml(source ?? '').replace(/\r\n?/g, '\n').split('\n');
  const out = [];
  let paragraph = [];
  let list = null; // { tag, items }

  const flushParagraph = () => {
    if (paragraph.length) out.push(`<p>${inline(paragraph.join('\n')).replace(/\n/g, '<br>')}</p>`);
    paragraph = [];
  };
  const flushList = () => {
    if (list) out.push(`<${list.tag}>${list.items.map(i => `<li>${inline(i)}</li>`).join('')}</${list.tag}>`);
    list = null;
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = line.match(/^\s*```\s*([\w+-]*)\s*$/);
    if (fence) {
      flushParagraph(); flushList();
      const code = [];
      while (++i < lines.length && !/^\s*```\s*$/.test(lines[i])) code.push(lines[i]);
      const label = fence[1] ? ` data-lang="${fence[1]}"` : '';
      out.push(`<pre${label}><code>${code.join('\n')}</code></pre>`);
      continue;
    }
    const heading = line.match(/^(#{1,6})\s+(.*)$/);
    if (heading) {
      flushParagraph(); flushList();
      const level = Math.min(heading[1].length + 2, 6); // inside a message, # is a section, not the page title
      out.push(`<h${level}>${inline(heading[2])}</h${level}>`);
      continue;
    }
    const item = line.match(/^\s*(?:([-*+])|(\d+)[.)])\s+(.*)$/);
    if (item) {
      flushParagraph();
      const tag = item[1] ? 'ul' : 'ol';
      if (list && list.tag !== tag) flushList();
      list ??= { tag, items: [] };
      list.items.push(item[3]);
      continue;
    }
    const quote = line.match(/^&gt;\s?(.*)$/);
    if (quote) {
      flushParagraph(); flushList();
      out.push(`<blockquote>${inline(quote[1])}</blockquote>`);
      continue;
    }
    if (!line.trim()) {
      flushParagraph(); flushList();
      continue;
    }
    if (list && /^\s{2,}\S/.test(line)) {
      list.items[list.items.length - 1] += ' ' + line.trim();
      continue;
    }
    flushList();
    paragraph.push(line);
  }
  flushParagraph(); flushList();
  return out.join('');
}
