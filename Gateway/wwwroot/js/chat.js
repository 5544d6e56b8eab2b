// Chat: the user's conversations (threads) and one conversation, answered token by token over SSE by a streamed run.
import { api, readEvents, send } from './api.js';
import { renderMarkdown } from './markdown.js';
import { h, icon, button, toast, modal, field, confirmAction, empty, when, attempt } from './ui.js';
import { assistantName, assistantOptions, currentAssistant, loadAssistants, setCurrentAssistant } from './store.js';
import { citationsOf, citationList } from './citations.js';
import { AudioQueue, record, respond, speak } from './voice.js';

const TITLE_CHARS = 60;

export async function chatView(main, [threadId], { navigate }) {
  const assistants = await loadAssistants();
  if (!assistants.length) {
    main.replaceChildren(empty('bot', 'Create your first assistant',
      'An assistant answers from the documents you give it. Create one, add documents, then chat here.',
      h('a', { href: '/assistants', 'data-route': true, class: 'btn btn-primary' }, 'Create an assistant')));
    return null;
  }
  const audio = new AudioQueue();
  const state = { thread: null, threads: [], running: null };
  const list = h('ul', { class: 'thread-list', 'aria-label': 'Conversations' });
  const messages = h('div', { class: 'messages', 'aria-live': 'polite' });
  const picker = assistantOptions(h('select', { class: 'assistant-picker', 'aria-label': 'Assistant' }), currentAssistant());
  const title = h('h2', { class: 'chat-title' }, 'New conversation');
  const input = h('textarea', { rows: 1, placeholder: 'Ask about your documents…', 'aria-label': 'Message' });
  const sendButton = button('', { icon: 'send', kind: 'primary', title: 'Send', type: 'submit' });
  const stopButton = button('Stop', { icon: 'stop', kind: 'secondary', title: 'Stop the answer', onClick: () => stop() });
  stopButton.hidden = true;
  const mic = button('', { icon: 'mic', kind: 'ghost', title: 'Hold to talk', class: 'btn btn-ghost mic' });
  const composer = h('form', { class: 'composer', onsubmit: e => { e.preventDefault(); ask(input.value); } },
    mic, input, stopButton, sendButton);

  input.addEventListener('input', () => { input.style.height = 'auto'; input.style.height = Math.min(input.scrollHeight, 200) + 'px'; });
  input.addEventListener('keydown', e => { if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); composer.requestSubmit(); } });
  picker.addEventListener('change', async () => {
    setCurrentAssistant(picker.value);
    if (state.thread) await saveMetadata({ assistant_id: picker.value });
  });

  main.replaceChildren(h('div', { class: 'chat' },
    h('section', { class: 'threads' },
      h('div', { class: 'threads-head' }, h('h2', {}, 'Conversations'),
        button('New', { icon: 'plus', kind: 'primary', title: 'New conversation', onClick: () => navigate('/chat') })),
      list),
    h('section', { class: 'conversation' },
      h('header', { class: 'conversation-head' }, title,
        h('div', { class: 'head-actions' }, picker,
          button('', { icon: 'edit', title: 'Rename', onClick: () => rename(state.thread) }),
          button('', { icon: 'trash', title: 'Delete conversation', onClick: () => remove(state.thread) }))),
      messages, composer)));

  function assistantOf(thread) { return thread?.metadata?.assistant_id ?? picker.value; }
  function titleOf(thread) { return thread?.metadata?.title || 'Untitled conversation'; }

  async function loadThreads() {
    state.threads = (await api('/v1/threads?limit=100&order=desc')).data;
    renderThreads();
  }

  function renderThreads() {
    list.replaceChildren(...(state.threads.length ? state.threads.map(t =>
      h('li', {}, h('a', { href: `/chat/${t.id}`, 'data-route': true, class: t.id === state.thread?.id ? 'active' : '' },
        h('span', { class: 'thread-title' }, titleOf(t)),
        h('small', {}, `${assistantName(t.metadata?.assistant_id)} · ${when(t.created_at)}`))))
      : [h('li', { class: 'muted hint' }, 'Your conversations appear here.')]));
  }

  async function open(id) {
    state.thread = id ? await api(`/v1/threads/${encodeURIComponent(id)}`) : null;
    title.textContent = state.thread ? titleOf(state.thread) : 'New conversation';
    for (const b of title.parentElement.querySelectorAll('.head-actions .btn')) b.disabled = !state.thread;
    if (state.thread?.metadata?.assistant_id) assistantOptions(picker, state.thread.metadata.assistant_id);
    messages.replaceChildren();
    if (!state.thread) {
      messages.append(welcome());
      return;
    }
    const history = await api(`/v1/threads/${state.thread.id}/messages?order=asc&limit=100`);
    for (const m of history.data) messages.append(bubble(m.role, textOf(m), { id: m.id, status: m.status, reason: m.incomplete_details?.reason }));
    scrollDown();
  }

  function welcome() {
    const suggestions = ['What is this about?', 'Summarise the main points', 'What should I know first?'];
    return h('div', { class: 'welcome' }, h('div', { class: 'logo big' }, icon('chat')),
      h('h3', {}, `Ask ${assistantName(picker.value)}`),
      h('p', { class: 'muted' }, 'Answers come from the documents you gave this assistant, with the passages they quote.'),
      h('div', { class: 'suggestions' }, suggestions.map(s => button(s, { kind: 'chip', onClick: () => ask(s) }))));
  }

  function textOf(message) { return message.content.map(c => c.text?.value ?? '').join(''); }

  function bubble(role, text, { id, status, reason, voice } = {}) {
    const body = h('div', { class: 'body' });
    const el = h('article', { class: `msg msg-${role}`, dataset: { id: id ?? '' } },
      h('div', { class: 'who' }, role === 'user' ? 'You' : assistantName(assistantOf(state.thread)), voice ? h('span', { class: 'badge' }, 'voice') : null),
      body);
    el.setText = value => {
      el.text = value;
      if (role === 'user') body.textContent = value; else body.innerHTML = renderMarkdown(value);
    };
    el.voice = Boolean(voice);
    el.setText(text);
    if (role === 'assistant') finish(el, status, reason);
    return el;
  }

  /** Why an answer is not whole, from its message's incomplete_details.reason (OpenAI's words). */
  function incompleteNote(reason) {
    if (reason === 'max_tokens') return 'The answer was cut short: it reached its length limit.';
    if (reason === 'run_failed') return 'The answer broke off: the model failed while answering.';
    return 'The answer was stopped before it was complete.';
  }

  function finish(el, status, reason) {
    el.querySelector('.tools')?.remove();
    el.querySelector('.sources')?.remove();
    if (status === 'incomplete') el.append(h('p', { class: 'note' }, incompleteNote(reason)));
    const citations = citationsOf(el.text ?? '');
    if (citations.length) el.append(citationList(citations, assistantOf(state.thread)));
    el.append(h('div', { class: 'tools' },
      button('', { icon: 'copy', title: 'Copy', onClick: () => copy(el.text) }),
      button('', { icon: 'speaker', title: 'Read aloud', onClick: () => attempt(() => speak(el.text, assistantOf(state.thread), audio, { sentence: () => spoken(el) })) }),
      el.voice ? null : button('', { icon: 'retry', title: 'Retry', class: 'btn btn-ghost retry', onClick: () => retry(el) })));
  }

  /** Marks an answer whose audio has started to arrive; the sound itself plays through the audio queue. */
  function spoken(el) {
    if (!el.querySelector('.who .spoken')) el.querySelector('.who').append(h('span', { class: 'badge spoken' }, icon('speaker'), 'spoken'));
  }

  async function copy(text) {
    try { await navigator.clipboard.writeText(text); toast('Copied.', 'ok'); }
    catch { toast('The browser did not allow copying.', 'error'); }
  }

  function scrollDown() { messages.scrollTop = messages.scrollHeight; }

  function busy(on) {
    stopButton.hidden = !on;
    sendButton.hidden = on;
    input.disabled = on;
    mic.disabled = on;
    composer.classList.toggle('busy', on);
  }

  async function ensureThread(question) {
    if (state.thread) return state.thread;
    const thread = await api('/v1/threads', { method: 'POST', json: { metadata: {
      title: question.length > TITLE_CHARS ? question.slice(0, TITLE_CHARS - 1) + '…' : question, assistant_id: picker.value } } });
    state.thread = thread;
    history.replaceState(null, '', `/chat/${thread.id}`);
    title.textContent = titleOf(thread);
    for (const b of title.parentElement.querySelectorAll('.head-actions .btn')) b.disabled = false;
    state.threads.unshift(thread);
    renderThreads();
    messages.querySelector('.welcome')?.remove();
    return thread;
  }

  async function ask(text) {
    text = text.trim();
    if (!text || state.running) return;
    input.value = '';
    input.style.height = 'auto';
    try {
      const thread = await ensureThread(text);
      messages.append(bubble('user', text));
      await run(thread, [{ role: 'user', content: text }]);
    } catch (error) { toast(error.message, 'error'); }
  }

  /** One streamed run: thread.message.delta events grow the answer as the tokens arrive. */
  async function run(thread, additional) {
    const answer = bubble('assistant', '');
    answer.classList.add('streaming');
    answer.querySelector('.tools')?.remove();
    messages.append(answer);
    scrollDown();
    const controller = new AbortController();
    state.running = { controller, runId: null, thread };
    busy(true);
    let text = '';
    let status = 'completed';
    let reason = null;
    try {
      const response = await send(`/v1/threads/${thread.id}/runs`, {
        method: 'POST', signal: controller.signal,
        json: { assistant_id: assistantOf(thread), stream: true, additional_messages: additional },
      });
      await readEvents(response, (name, data) => {
        if (name === 'thread.run.created') state.running.runId = data.id;
        else if (name === 'thread.message.created') answer.dataset.id = data.id;
        else if (name === 'thread.message.incomplete') reason = data.incomplete_details?.reason ?? null;
        else if (name === 'thread.message.delta') {
          text += data.delta.content.map(c => c.text?.value ?? '').join('');
          answer.setText(text);
          scrollDown();
        } else if (name === 'thread.run.failed') throw new Error(data.last_error?.message ?? 'The answer failed.');
        else if (name === 'thread.run.cancelled' || name === 'thread.run.incomplete') status = 'incomplete';
      });
    } catch (error) {
      if (error.name === 'AbortError') status = 'incomplete';
      else { status = 'failed'; answer.append(h('p', { class: 'note error' }, error.message)); }
    } finally {
      state.running = null;
      busy(false);
      answer.classList.remove('streaming');
      if (!text && status === 'completed') answer.setText('_(no answer)_');
      finish(answer, status === 'completed' ? 'completed' : 'incomplete', reason);
      input.focus();
      scrollDown();
    }
  }

  async function stop() {
    const running = state.running;
    if (!running) return;
    if (running.runId) {
      await send(`/v1/threads/${running.thread.id}/runs/${running.runId}/cancel`, { method: 'POST' }).catch(() => null);
    }
    // The cancel ends the stream by itself; closing it is the fallback when the run had not started yet.
    setTimeout(() => { if (state.running === running) running.controller.abort(); }, 1500);
  }

  async function retry(el) {
    if (state.running || !state.thread) return;
    const last = [...messages.querySelectorAll('.msg-assistant')].at(-1);
    if (last !== el) { toast('Only the latest answer can be retried.', 'info'); return; }
    if (el.dataset.id) {
      await send(`/v1/threads/${state.thread.id}/messages/${el.dataset.id}`, { method: 'DELETE' }).catch(() => null);
    }
    el.remove();
    await run(state.thread, []);
  }

  async function saveMetadata(changes) {
    const metadata = { ...(state.thread.metadata ?? {}), ...changes };
    state.thread = await api(`/v1/threads/${state.thread.id}`, { method: 'POST', json: { metadata } });
    const i = state.threads.findIndex(t => t.id === state.thread.id);
    if (i >= 0) state.threads[i] = state.thread;
    title.textContent = titleOf(state.thread);
    renderThreads();
  }

  async function rename(thread) {
    if (!thread) return;
    const value = await modal('Rename conversation', close => {
      const name = h('input', { value: titleOf(thread), maxlength: 200 });
      return h('form', { class: 'modal-body', onsubmit: e => { e.preventDefault(); close(name.value.trim()); } },
        field('Title', name), h('div', { class: 'actions' }, button('Cancel', { onClick: () => close() }), button('Save', { kind: 'primary', type: 'submit' })));
    });
    if (value) await attempt(() => saveMetadata({ title: value }), 'Renamed.');
  }

  async function remove(thread) {
    if (!thread || !await confirmAction('Delete conversation', `“${titleOf(thread)}” and all its messages will be deleted.`)) return;
    await attempt(async () => {
      await api(`/v1/threads/${thread.id}`, { method: 'DELETE' });
      navigate('/chat');
    }, 'Conversation deleted.');
  }

  // Hold to talk: press records, release sends. The answer is spoken sentence by sentence while it is written.
  let recording = null;
  const startTalking = async e => {
    e.preventDefault();
    if (recording || state.running) return;
    try {
      recording = record();
      await recording;
      mic.classList.add('recording');
    } catch (error) { recording = null; toast(error.message, 'error'); }
  };
  const stopTalking = async () => {
    if (!recording) return;
    const pending = recording;
    recording = null;
    mic.classList.remove('recording');
    const clip = await (await pending).stop();
    if (clip.size < 1000) { toast('Hold the button while you speak.', 'info'); return; }
    await talk(clip);
  };
  mic.addEventListener('pointerdown', startTalking);
  mic.addEventListener('pointerup', stopTalking);
  mic.addEventListener('pointerleave', stopTalking);

  async function talk(clip) {
    const question = bubble('user', '…', { voice: true });
    const answer = bubble('assistant', '', { voice: true });
    answer.classList.add('streaming');
    messages.querySelector('.welcome')?.remove();
    messages.append(question, answer);
    let text = '';
    busy(true);
    try {
      // The spoken turn is kept in the conversation, as a typed one is, so it is there after a reload.
      const thread = await ensureThread('Spoken question');
      await respond(clip, picker.value, thread.id, {
        transcript: t => question.setText(t),
        delta: d => { text += d; answer.setText(text); scrollDown(); },
        sentence: () => spoken(answer),
      }, audio);
    } catch (error) {
      question.setText('(not understood)');
      answer.append(h('p', { class: 'note error' }, error.message));
    } finally {
      busy(false);
      answer.classList.remove('streaming');
      finish(answer, 'completed');
    }
  }

  // Nothing is asked before the list is in: a list arriving after a new thread would otherwise hide it.
  input.disabled = true;
  await Promise.all([loadThreads(), open(threadId)]);
  input.disabled = false;
  renderThreads();
  input.focus();
  return () => { audio.stop(); state.running?.controller.abort(); };
}
