// DOM helpers. Text always goes in as text nodes, never as markup; only fixed icon paths use innerHTML.

export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2).toLowerCase(), value);
    else if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key in el && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

const ICONS = {
  chat: 'M4 5h16v11H9l-5 4z',
  bot: 'M12 3v3M6 8h12a2 2 0 0 1 2 2v7a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2v-7a2 2 0 0 1 2-2zM9 13h.01M15 13h.01',
  doc: 'M7 3h7l5 5v13H7zM14 3v5h5',
  key: 'M8 16a4 4 0 1 1 3.9-5H21v3h-2v3h-3v-3h-4.1A4 4 0 0 1 8 16zM7 12h.01',
  spark: 'M12 3l2 6 6 2-6 2-2 6-2-6-6-2 6-2z',
  plus: 'M12 5v14M5 12h14',
  send: 'M4 12l16-8-6 16-3-7z',
  stop: 'M7 7h10v10H7z',
  mic: 'M12 3a3 3 0 0 1 3 3v6a3 3 0 0 1-6 0V6a3 3 0 0 1 3-3zM5 11a7 7 0 0 0 14 0M12 18v3',
  copy: 'M9 9h10v10H9zM5 15V5h10',
  retry: 'M4 12a8 8 0 1 0 3-6.2M4 4v5h5',
  speaker: 'M4 9h4l5-4v14l-5-4H4zM17 9a4 4 0 0 1 0 6',
  trash: 'M5 7h14M10 7V4h4v3M7 7l1 13h8l1-13',
  edit: 'M4 20h4L19 9l-4-4L4 16zM14 6l4 4',
  menu: 'M4 6h16M4 12h16M4 18h16',
  out: 'M15 4h4v16h-4M10 8l-4 4 4 4M6 12h10',
  download: 'M12 4v11M7 10l5 5 5-5M5 20h14',
  upload: 'M12 20V9M7 14l5-5 5 5M5 4h14',
  x: 'M6 6l12 12M18 6L6 18',
};

export function icon(name) {
  const span = document.createElement('span');
  span.className = 'icon';
  span.setAttribute('aria-hidden', 'true');
  span.innerHTML = `<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"><path d="${ICONS[name]}"/></svg>`;
  return span;
}

export function button(label, { icon: name, kind = 'ghost', title, onClick, type = 'button', ...rest } = {}) {
  return h('button', { type, class: `btn btn-${kind}`, title, 'aria-label': title, onclick: onClick, ...rest },
    name ? icon(name) : null, label ? h('span', {}, label) : null);
}

export function toast(message, kind = 'info') {
  const el = h('div', { class: `toast toast-${kind}` }, message);
  document.getElementById('toasts').append(el);
  setTimeout(() => el.classList.add('leaving'), 4200);
  setTimeout(() => el.remove(), 4700);
}

/** A modal dialog; resolves with what the content calls close() with (undefined when dismissed). */
export function modal(title, build) {
  return new Promise(resolve => {
    const dialog = h('dialog', { class: 'modal' });
    const close = value => { dialog.close(); dialog.remove(); resolve(value); };
    dialog.append(
      h('header', {}, h('h2', {}, title), button('', { icon: 'x', title: 'Close', onClick: () => close(undefined) })),
      build(close));
    dialog.addEventListener('cancel', e => { e.preventDefault(); close(undefined); });
    document.body.append(dialog);
    dialog.showModal();
    dialog.querySelector('input, textarea, select, button.btn-primary')?.focus();
  });
}

export function confirmAction(title, message, action = 'Delete') {
  return modal(title, close => h('div', { class: 'modal-body' },
    h('p', {}, message),
    h('div', { class: 'actions' },
      button('Cancel', { onClick: () => close(false) }),
      button(action, { kind: 'danger', onClick: () => close(true) }))));
}

export function field(label, input, hint) {
  return h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), input, hint ? h('small', {}, hint) : null);
}

export function bytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function when(unixSeconds) {
  const date = new Date(unixSeconds * 1000);
  const today = new Date();
  return date.toDateString() === today.toDateString()
    ? date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleDateString([], { day: 'numeric', month: 'short', year: date.getFullYear() === today.getFullYear() ? undefined : 'numeric' });
}

export function empty(iconName, title, text, action) {
  return h('div', { class: 'empty' }, icon(iconName), h('h3', {}, title), h('p', {}, text), action ?? null);
}

/** Runs an action, reporting its failure in words as a toast; returns its result or undefined. */
export async function attempt(action, success) {
  try {
    const result = await action();
    if (success) toast(success, 'ok');
    return result;
  } catch (error) {
    toast(error.message ?? String(error), 'error');
    return undefined;
  }
}
