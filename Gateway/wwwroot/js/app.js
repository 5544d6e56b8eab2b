// The shell: sign in, navigation and the client-side routes (the gateway answers every page address with index.html).
import { auth, login, logout, register } from './api.js';
import { h, icon, button, field, toast } from './ui.js';
import { forgetAssistants, loadAssistants } from './store.js';
import { chatView } from './chat.js';
import { assistantsView } from './assistants.js';
import { documentsView } from './documents.js';
import { keysView } from './keys.js';
import { intentsView } from './intents.js';

const routes = [
  { path: 'chat', label: 'Chat', icon: 'chat', view: chatView },
  { path: 'assistants', label: 'Assistants', icon: 'bot', view: assistantsView },
  { path: 'documents', label: 'Documents', icon: 'doc', view: documentsView },
  { path: 'intents', label: 'Intents', icon: 'spark', view: intentsView },
  { path: 'keys', label: 'API keys', icon: 'key', view: keysView },
];

const root = document.getElementById('app');
let teardown = null;

export function navigate(path, replace = false) {
  if (location.pathname !== path) history[replace ? 'replaceState' : 'pushState'](null, '', path);
  render();
}

window.addEventListener('popstate', render);
document.addEventListener('click', e => {
  const link = e.target.closest('a[data-route]');
  if (link && !e.metaKey && !e.ctrlKey && e.button === 0) {
    e.preventDefault();
    navigate(link.getAttribute('href'));
  }
});
// Signed out here or anywhere, or signed in (as anyone) in another tab: the page starts over.
auth.onChange((s, elsewhere) => { if (!s || elsewhere) { forgetAssistants(); render(); } });

async function render() {
  teardown?.();
  teardown = null;
  if (!auth.signedIn) {
    if (!location.pathname.startsWith('/login')) history.replaceState(null, '', '/login');
    root.replaceChildren(signIn());
    return;
  }
  const [, first = 'chat', ...rest] = location.pathname.split('/');
  const route = routes.find(r => r.path === first) ?? routes[0];
  if (route.path !== first) history.replaceState(null, '', '/' + route.path);
  const main = h('main', { class: 'main', id: 'main' });
  root.replaceChildren(shell(route, main));
  try {
    await loadAssistants();
    teardown = await route.view(main, rest.map(decodeURIComponent), { navigate });
  } catch (error) {
    main.replaceChildren(h('div', { class: 'empty' }, icon('x'), h('h3', {}, 'This page could not load'), h('p', {}, error.message)));
  }
}

function shell(active, main) {
  const user = auth.user;
  const nav = h('nav', { class: 'nav', 'aria-label': 'Sections' },
    routes.map(r => h('a', { href: '/' + r.path, 'data-route': true, class: r === active ? 'active' : '', 'aria-current': r === active ? 'page' : null },
      icon(r.icon), h('span', {}, r.label))));
  const side = h('aside', { class: 'sidebar' },
    h('div', { class: 'brand' }, h('span', { class: 'logo' }, icon('chat')), h('span', {}, 'Chatbot')),
    nav,
    h('div', { class: 'account' },
      h('div', { class: 'avatar', 'aria-hidden': 'true' }, (user?.name ?? '?').slice(0, 1).toUpperCase()),
      h('div', { class: 'who' }, h('strong', {}, user?.name ?? ''), h('small', {}, user?.email ?? '')),
      button('', { icon: 'out', title: 'Log out', onClick: () => { logout(); toast('Signed out.'); } })));
  const top = h('header', { class: 'topbar' },
    button('', { icon: 'menu', title: 'Menu', onClick: () => document.body.classList.toggle('nav-open') }),
    h('strong', {}, active.label));
  side.addEventListener('click', e => { if (e.target.closest('a')) document.body.classList.remove('nav-open'); });
  return h('div', { class: 'layout' }, side, h('div', { class: 'scrim', onclick: () => document.body.classList.remove('nav-open') }), h('div', { class: 'content' }, top, main));
}

function signIn() {
  let mode = 'login';
  const error = h('p', { class: 'form-error', role: 'alert' });
  const name = h('input', { name: 'name', autocomplete: 'name', placeholder: 'Ana Lima' });
  const email = h('input', { name: 'email', type: 'email', autocomplete: 'email', required: true, placeholder: 'you@example.com' });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const nameField = field('Name', name);
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-wide' }, 'Sign in');
  const title = h('h1', {}, 'Welcome back');
  const switcher = h('button', { type: 'button', class: 'link' });
  const setMode = next => {
    mode = next;
    nameField.hidden = mode === 'login';
    title.textContent = mode === 'login' ? 'Welcome back' : 'Create your account';
    submit.textContent = mode === 'login' ? 'Sign in' : 'Create account';
    password.autocomplete = mode === 'login' ? 'current-password' : 'new-password';
    // The gateway's own rule (AccountService.MinPasswordLength), checked here before anything is sent.
    password.minLength = mode === 'login' ? 0 : 10;
    switcher.textContent = mode === 'login' ? 'New here? Create an account' : 'Already have an account? Sign in';
    error.textContent = '';
  };
  switcher.addEventListener('click', () => setMode(mode === 'login' ? 'register' : 'login'));
  const form = h('form', { class: 'auth-card', onsubmit: async e => {
    e.preventDefault();
    submit.disabled = true;
    error.textContent = '';
    try {
      if (mode === 'register') await register(name.value.trim(), email.value.trim(), password.value);
      else await login(email.value.trim(), password.value);
      navigate('/chat', true);
    } catch (err) {
      error.textContent = err.message;
    } finally { submit.disabled = false; }
  } },
  h('div', { class: 'brand big' }, h('span', { class: 'logo' }, icon('chat')), h('span', {}, 'Chatbot')),
  title,
  h('p', { class: 'muted' }, 'Assistants that answer from your own documents, by text or by voice.'),
  nameField, field('Email', email), field('Password', password), error, submit, switcher);
  setMode('login');
  return h('div', { class: 'auth-page' }, form,
    h('p', { class: 'auth-foot muted' }, 'Developers: the same API is at ', h('a', { href: '/docs' }, '/docs'), '.'));
}

render();
