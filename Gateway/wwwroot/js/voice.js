// Voice: hold-to-talk recording, the spoken answer stream, and sentence-by-sentence playback.
import { readEvents, send } from './api.js';

const MAX_SPEECH_CHARS = 4000; // voice-service refuses more than 4096 characters

/** Plays audio clips one after another as they arrive, so the first sentence plays while later ones are made. */
export class AudioQueue {
  #clips = [];
  #playing = null;

  push(base64, format) {
    const bytes = Uint8Array.from(atob(base64), c => c.charCodeAt(0));
    const type = { mp3: 'audio/mpeg', wav: 'audio/wav', opus: 'audio/ogg', aac: 'audio/aac', flac: 'audio/flac' }[format] ?? 'audio/mpeg';
    this.#clips.push(URL.createObjectURL(new Blob([bytes], { type })));
    if (!this.#playing) this.#next();
  }

  #next() {
    const url = this.#clips.shift();
    if (!url) { this.#playing = null; return; }
    const audio = new Audio(url);
    this.#playing = audio;
    const advance = () => { URL.revokeObjectURL(url); this.#next(); };
    audio.addEventListener('ended', advance, { once: true });
    audio.addEventListener('error', advance, { once: true });
    audio.play().catch(advance);
  }

  stop() {
    this.#playing?.pause();
    this.#clips.forEach(URL.revokeObjectURL);
    this.#clips = [];
    this.#playing = null;
  }
}

/** Starts recording from the microphone; the returned stop() resolves with the recording. */
export async function record() {
  if (!navigator.mediaDevices?.getUserMedia || typeof MediaRecorder === 'undefined') {
    throw new Error('This browser cannot record audio here (a microphone needs https or localhost).');
  }
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  const type = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/webm'].find(t => MediaRecorder.isTypeSupported(t)) ?? '';
  const recorder = new MediaRecorder(stream, type ? { mimeType: type } : undefined);
  const chunks = [];
  recorder.addEventListener('dataavailable', e => { if (e.data.size) chunks.push(e.data); });
  recorder.start();
  return {
    stop: () => new Promise(resolve => {
      recorder.addEventListener('stop', () => {
        stream.getTracks().forEach(t => t.stop());
        resolve(new Blob(chunks, { type: recorder.mimeType || 'audio/webm' }));
      }, { once: true });
      recorder.stop();
    }),
  };
}

/** Streams one voice event source (respond or speak) into handlers: transcript, delta, audio, error. */
async function stream(response, handlers, queue) {
  await readEvents(response, (name, data) => {
    if (name === 'transcript') handlers.transcript?.(data.text);
    else if (name === 'text.delta') handlers.delta?.(data.delta);
    else if (name === 'audio') { queue.push(data.audio, data.format); handlers.sentence?.(data.sentence); }
    else if (name === 'error') throw new Error(data.error?.message ?? 'The spoken answer failed.');
  });
}

/**
 * A recorded question answered aloud: POST /api/voice/respond, one SSE stream of transcript, text and audio. With a
 * thread, the question and its answer are kept in it as its next turn.
 */
export async function respond(recording, assistantId, threadId, handlers, queue, signal) {
  const form = new FormData();
  const extension = recording.type.includes('ogg') ? 'ogg' : 'webm';
  form.append('file', recording, `question.${extension}`);
  form.append('assistant_id', assistantId);
  if (threadId) form.append('thread_id', threadId);
  const response = await send('/api/voice/respond', { method: 'POST', body: form, headers: { accept: 'text/event-stream' }, signal });
  await stream(response, handlers, queue);
}

/** Any text spoken: POST /api/voice/speak. */
export async function speak(text, assistantId, queue, handlers = {}, signal = undefined) {
  const response = await send('/api/voice/speak', {
    method: 'POST', json: { text: text.slice(0, MAX_SPEECH_CHARS), assistant_id: assistantId ?? undefined },
    headers: { accept: 'text/event-stream' }, signal,
  });
  await stream(response, handlers, queue);
}
