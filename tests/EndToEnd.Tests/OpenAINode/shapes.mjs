// Reads the platform's answer on every /v1 route, then has the TypeScript compiler check each against the type the
// openai package (the same version the SDK tests use) declares for it: a missing required field, a wrong type, a null
// where the type allows none or a value outside an enum is a compile error. Fields the types do not name are allowed.
// Prints {"captures":[names],"errors":[{"capture","message"}]}. Usage: node shapes.mjs (OPENAI_BASE_URL, OPENAI_API_KEY).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const base = process.env.OPENAI_BASE_URL.replace(/\/v1\/?$/, '');
const auth = { authorization: `Bearer ${process.env.OPENAI_API_KEY}` };
const captures = [];
const capture = (name, type, value) => captures.push({ name, type, value });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function call(method, path, { json, form, name, type } = {}) {
  const response = await fetch(base + path, {
    method,
    headers: json === undefined ? auth : { ...auth, 'content-type': 'application/json' },
    body: json === undefined ? form : JSON.stringify(json),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  const value = text ? JSON.parse(text) : null;
  if (name) capture(name, type, value);
  return value;
}

// A refusal: OpenAI's error body, whatever the status.
async function refused(method, path, json, name, headers = auth) {
  const response = await fetch(base + path, { method, headers: { ...headers, 'content-type': 'application/json' }, body: json && JSON.stringify(json) });
  if (response.ok) throw new Error(`${method} ${path} was not refused`);
  capture(name, 'ErrorBody', await response.json());
}

// Every data line of an SSE answer; assistants' events are typed with their event name, as the SDK reads them.
async function stream(path, json, name, type) {
  const response = await fetch(base + path, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(json) });
  if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
  const events = [];
  for (const block of (await response.text()).split('\n\n')) {
    const event = block.split('\n').find((l) => l.startsWith('event: '))?.slice(7);
    const data = block.split('\n').find((l) => l.startsWith('data: '))?.slice(6);
    if (!data || data === '[DONE]') continue;
    const parsed = JSON.parse(data);
    events.push({ event, data: parsed });
    const label = `${name}#${events.length}:${event ?? parsed.type ?? parsed.object}`;
    capture(label, type, type === 'AssistantStreamEvent' ? { event, data: parsed } : parsed);
  }
  return events;
}

async function untilSettled(threadId, runId) {
  for (let i = 0; i < 120; i++) {
    const run = await call('GET', `/v1/threads/${threadId}/runs/${runId}`);
    if (!['queued', 'in_progress', 'cancelling'].includes(run.status)) return run;
    await sleep(250);
  }
  throw new Error(`run ${runId} did not settle`);
}

function upload(filename, text) {
  const form = new FormData();
  form.append('purpose', 'assistants');
  form.append('file', new Blob([text], { type: 'text/markdown' }), filename);
  return form;
}

// One second of silence as 16 kHz mono PCM WAV: enough for a transcription's shape.
function silence() {
  const samples = 16000, bytes = Buffer.alloc(44 + samples * 2);
  bytes.write('RIFF', 0); bytes.writeUInt32LE(36 + samples * 2, 4); bytes.write('WAVEfmt ', 8);
  bytes.writeUInt32LE(16, 16); bytes.writeUInt16LE(1, 20); bytes.writeUInt16LE(1, 22); bytes.writeUInt32LE(16000, 24);
  bytes.writeUInt32LE(32000, 28); bytes.writeUInt16LE(2, 32); bytes.writeUInt16LE(16, 34); bytes.write('data', 36); bytes.writeUInt32LE(samples * 2, 40);
  return bytes;
}

const weather = {
  type: 'function',
  function: { name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};
const flatWeather = { type: 'function', name: 'get_weather', description: 'Weather of a city', parameters: weather.function.parameters, strict: false };
const ask = (content) => [{ role: 'user', content }];

// Models, assistants, files
const models = await call('GET', '/v1/models', { name: 'models.list', type: 'List<Model>' });
await call('GET', `/v1/models/${models.data[0].id}`, { name: 'models.get', type: 'Model' });
const bare = await call('POST', '/v1/assistants', { json: { model: 'gpt-4o-mini' }, name: 'assistants.create.bare', type: 'Assistant' });
const assistant = await call('POST', '/v1/assistants', {
  json: { model: 'gpt-4o-mini', name: 'HR', instructions: 'Answer from the handbook.', tools: [{ type: 'file_search' }, weather], metadata: { team: 'hr' } },
  name: 'assistants.create', type: 'Assistant',
});
const A = assistant.id;
await call('GET', '/v1/assistants?limit=1', { name: 'assistants.list', type: 'CursorList<Assistant>' });
await call('POST', `/v1/assistants/${A}`, { json: { description: 'Leave questions' }, name: 'assistants.modify', type: 'Assistant' });
const file = await call('POST', '/v1/files', { form: upload('leave.md', 'Every employee gets 25 vacation days a year.\n'), name: 'files.create', type: 'FileObject' });
const second = await call('POST', '/v1/files', { form: upload('parking.md', 'Parking is free on weekends.\n') });
const third = await call('POST', '/v1/files', { form: upload('lunch.md', 'Lunch is at noon.\n') });
await call('GET', '/v1/files?limit=1', { name: 'files.list', type: 'CursorList<FileObject>' });
await call('GET', `/v1/files/${file.id}`, { name: 'files.get', type: 'FileObject' });
const document = new FormData();
document.append('type', 'rag');
document.append('assistant_id', A);
document.append('file', new Blob(['Every employee gets 25 vacation days a year.\n'], { type: 'text/markdown' }), 'leave.md');
await fetch(`${base}/api/documents`, { method: 'POST', headers: auth, body: document });

// Chat completions and embeddings
await call('POST', '/v1/chat/completions', { json: { model: A, messages: ask('How many vacation days?') }, name: 'chat.create', type: 'ChatCompletion' });
await call('POST', '/v1/chat/completions', { json: { model: A, messages: ask('Weather in Oslo?'), tools: [weather], tool_choice: 'required' }, name: 'chat.tools', type: 'ChatCompletion' });
await call('POST', '/v1/chat/completions', { json: { model: A, messages: ask('How many vacation days?'), max_completion_tokens: 3 }, name: 'chat.length', type: 'ChatCompletion' });
await stream('/v1/chat/completions', { model: A, stream: true, stream_options: { include_usage: true }, messages: ask('How many vacation days?') }, 'chat.stream', 'ChatCompletionChunk');
await stream('/v1/chat/completions', { model: A, stream: true, messages: ask('Weather in Oslo?'), tools: [weather], tool_choice: 'required' }, 'chat.stream.tools', 'ChatCompletionChunk');
await call('POST', '/v1/embeddings', { json: { model: 'text-embedding-3-small', input: ['hello', 'world'] }, name: 'embeddings', type: 'CreateEmbeddingResponse' });
await call('POST', '/v1/embeddings', { json: { model: 'text-embedding-3-small', input: 'hello', encoding_format: 'base64' }, name: 'embeddings.base64', type: 'Base64Embeddings' });

// Vector stores, their files and batches, search
const store = await call('POST', '/v1/vector_stores', { json: { name: 'Handbook', file_ids: [file.id] }, name: 'vector_stores.create', type: 'VectorStore' });
const V = store.id;
await call('POST', '/v1/vector_stores', { json: { name: 'Weekly', expires_after: { anchor: 'last_active_at', days: 7 } }, name: 'vector_stores.create.expiring', type: 'VectorStore' });
await call('GET', '/v1/vector_stores', { name: 'vector_stores.list', type: 'CursorList<VectorStore>' });
await call('POST', `/v1/vector_stores/${V}`, { json: { name: 'Handbook 2' }, name: 'vector_stores.modify', type: 'VectorStore' });
await call('POST', `/v1/vector_stores/${V}/files`, { json: { file_id: second.id, attributes: { topic: 'parking' } }, name: 'vector_stores.files.create', type: 'VectorStoreFile' });
const batch = await call('POST', `/v1/vector_stores/${V}/file_batches`, { json: { file_ids: [third.id] }, name: 'vector_stores.file_batches.create', type: 'VectorStoreFileBatch' });
for (let i = 0; i < 60 && (await call('GET', `/v1/vector_stores/${V}`)).file_counts.in_progress > 0; i++) await sleep(250);
await call('GET', `/v1/vector_stores/${V}`, { name: 'vector_stores.get', type: 'VectorStore' });
await call('GET', `/v1/vector_stores/${V}/files`, { name: 'vector_stores.files.list', type: 'CursorList<VectorStoreFile>' });
await call('GET', `/v1/vector_stores/${V}/files/${file.id}`, { name: 'vector_stores.files.get', type: 'VectorStoreFile' });
await call('POST', `/v1/vector_stores/${V}/files/${file.id}`, { json: { attributes: { year: 2026 } }, name: 'vector_stores.files.update', type: 'VectorStoreFile' });
await call('GET', `/v1/vector_stores/${V}/files/${file.id}/content`, { name: 'vector_stores.files.content', type: 'FileContentPage' });
await call('GET', `/v1/vector_stores/${V}/file_batches/${batch.id}`, { name: 'vector_stores.file_batches.get', type: 'VectorStoreFileBatch' });
await call('GET', `/v1/vector_stores/${V}/file_batches/${batch.id}/files`, { name: 'vector_stores.file_batches.files', type: 'CursorList<VectorStoreFile>' });
await call('POST', `/v1/vector_stores/${V}/search`, { json: { query: 'vacation days' }, name: 'vector_stores.search', type: 'SearchPage' });

// Threads, messages, runs, run steps, streamed runs, tool outputs
const thread = await call('POST', '/v1/threads', { json: { messages: ask('Hi'), metadata: { channel: 'web' } }, name: 'threads.create', type: 'Thread' });
const T = thread.id;
await call('GET', `/v1/threads/${T}`, { name: 'threads.get', type: 'Thread' });
await call('POST', `/v1/threads/${T}`, { json: { metadata: { channel: 'cli' } }, name: 'threads.modify', type: 'Thread' });
await call('GET', '/v1/threads', { name: 'threads.list', type: 'CursorList<Thread>' });
const message = await call('POST', `/v1/threads/${T}/messages`, {
  json: { role: 'user', content: 'How many vacation days?', attachments: [{ file_id: file.id, tools: [{ type: 'file_search' }] }] },
  name: 'messages.create', type: 'Message',
});
await call('POST', `/v1/threads/${T}/messages/${message.id}`, { json: { metadata: { seen: 'yes' } }, name: 'messages.modify', type: 'Message' });
const polled = await call('POST', `/v1/threads/${T}/runs`, { json: { assistant_id: A, tool_choice: 'none' }, name: 'runs.create', type: 'Run' });
capture('runs.get', 'Run', await untilSettled(T, polled.id));
await call('GET', `/v1/threads/${T}/runs`, { name: 'runs.list', type: 'CursorList<Run>' });
const steps = await call('GET', `/v1/threads/${T}/runs/${polled.id}/steps?include[]=step_details.tool_calls[*].file_search.results[*].content`,
  { name: 'runs.steps.list', type: 'CursorList<RunStep>' });
await call('GET', `/v1/threads/${T}/runs/${polled.id}/steps/${steps.data[0].id}`, { name: 'runs.steps.get', type: 'RunStep' });
await call('GET', `/v1/threads/${T}/messages`, { name: 'messages.list', type: 'CursorList<Message>' });
await stream(`/v1/threads/${T}/runs`, { assistant_id: A, stream: true, additional_messages: ask('How many vacation days?') }, 'runs.stream', 'AssistantStreamEvent');
const waiting = await stream(`/v1/threads/${T}/runs`,
  { assistant_id: A, stream: true, tool_choice: { type: 'function', function: { name: 'get_weather' } }, additional_messages: ask('Weather in Oslo?') },
  'runs.stream.tools', 'AssistantStreamEvent');
const action = waiting.find((e) => e.event === 'thread.run.requires_action').data;
await stream(`/v1/threads/${T}/runs/${action.id}/submit_tool_outputs`,
  { stream: true, tool_outputs: action.required_action.submit_tool_outputs.tool_calls.map((c) => ({ tool_call_id: c.id, output: 'Rain' })) },
  'runs.submit_tool_outputs.stream', 'AssistantStreamEvent');
await call('GET', `/v1/threads/${T}/runs/${action.id}/steps`, { name: 'runs.steps.list.tools', type: 'CursorList<RunStep>' });
const held = await call('POST', `/v1/threads/${T}/runs`, { json: { assistant_id: A, tool_choice: 'required', additional_messages: ask('Weather in Bergen?') } });
await untilSettled(T, held.id);
await call('POST', `/v1/threads/${T}/runs/${held.id}/cancel`, { name: 'runs.cancel', type: 'Run' });
await call('POST', '/v1/threads/runs', { json: { assistant_id: bare.id, thread: { messages: ask('Hi') } }, name: 'threads.runs.create', type: 'Run' });
await stream('/v1/threads/runs', { assistant_id: A, stream: true, thread: { messages: ask('Hi') } }, 'threads.runs.stream', 'AssistantStreamEvent');
const cut = await call('POST', '/v1/threads/runs', { json: { assistant_id: A, max_completion_tokens: 2, thread: { messages: ask('Tell me all about leave') } } });
capture('runs.get.incomplete', 'Run', await untilSettled(cut.thread_id, cut.id));
await stream('/v1/threads/runs', { assistant_id: A, stream: true, max_completion_tokens: 2, thread: { messages: ask('Tell me all about leave') } },
  'threads.runs.stream.incomplete', 'AssistantStreamEvent');

// Responses and conversations
const response = await call('POST', '/v1/responses', { json: { model: 'gpt-4o-mini', input: 'Hello there', instructions: 'Be brief.', metadata: { a: 'b' } }, name: 'responses.create', type: 'Response' });
await call('GET', `/v1/responses/${response.id}`, { name: 'responses.get', type: 'Response' });
await call('GET', `/v1/responses/${response.id}/input_items`, { name: 'responses.input_items', type: 'CursorList<ResponseItem>' });
await call('POST', '/v1/responses/input_tokens', { json: { model: 'gpt-4o-mini', input: 'And again?', previous_response_id: response.id }, name: 'responses.input_tokens', type: 'InputTokenCountResponse' });
const compacted = await call('POST', '/v1/responses/compact', { json: { model: 'gpt-4o-mini', previous_response_id: response.id }, name: 'responses.compact', type: 'CompactedWindow' });
await call('POST', '/v1/responses/compact', { json: { model: 'gpt-4o-mini', input: [{ role: 'assistant', content: 'Hello.' }] }, name: 'responses.compact.answers_only', type: 'CompactedResponse' });
const fromCompacted = await call('POST', '/v1/responses', { json: { model: 'gpt-4o-mini', input: [...compacted.output, { role: 'user', content: 'And now?' }] }, name: 'responses.create.compacted', type: 'Response' });
await call('GET', `/v1/responses/${fromCompacted.id}/input_items`, { name: 'responses.input_items.compacted', type: 'CursorList<ResponseItem>' });
await call('POST', '/v1/responses/input_tokens', { json: { model: 'gpt-4o-mini', input: compacted.output }, name: 'responses.input_tokens.compacted', type: 'InputTokenCountResponse' });
await refused('POST', '/v1/responses', { model: 'gpt-4o-mini', input: [{ type: 'compaction', encrypted_content: 'forged' }] }, 'errors.compaction_forged');
await call('POST', '/v1/responses', { json: { model: A, input: 'How many vacation days?', tools: [{ type: 'file_search', vector_store_ids: [V] }] }, name: 'responses.create.file_search', type: 'Response' });
await call('POST', '/v1/responses', { json: { model: 'gpt-4o-mini', input: 'Weather in Oslo?', tools: [flatWeather], tool_choice: 'required' }, name: 'responses.create.tools', type: 'Response' });
await call('POST', '/v1/responses', { json: { model: 'gpt-4o-mini', input: 'Tell me a long story', max_output_tokens: 16 }, name: 'responses.create.incomplete', type: 'Response' });
await stream('/v1/responses', { model: 'gpt-4o-mini', input: 'Hello', stream: true }, 'responses.stream', 'ResponseStreamEvent');
await stream('/v1/responses', { model: 'gpt-4o-mini', input: 'Weather in Oslo?', stream: true, tools: [flatWeather], tool_choice: 'required' }, 'responses.stream.tools', 'ResponseStreamEvent');
await stream('/v1/responses', { model: A, input: 'How many vacation days?', stream: true, tools: [{ type: 'file_search', vector_store_ids: [V] }] }, 'responses.stream.file_search', 'ResponseStreamEvent');
const conversation = await call('POST', '/v1/conversations', { json: { metadata: { a: 'b' }, items: [{ type: 'message', role: 'user', content: 'Hi' }] }, name: 'conversations.create', type: 'Conversation' });
const C = conversation.id;
await call('GET', `/v1/conversations/${C}`, { name: 'conversations.get', type: 'Conversation' });
await call('POST', `/v1/conversations/${C}`, { json: { metadata: { c: 'd' } }, name: 'conversations.update', type: 'Conversation' });
await call('POST', `/v1/conversations/${C}/items`, { json: { items: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hello' }] }] }, name: 'conversations.items.create', type: 'ConversationItemList' });
await call('POST', `/v1/conversations/${C}/items`, { json: { items: [compacted.output.at(-1)] }, name: 'conversations.items.create.compaction', type: 'ConversationItemList' });
await call('POST', '/v1/responses', { json: { model: 'gpt-4o-mini', input: 'Hello', conversation: C }, name: 'responses.create.conversation', type: 'Response' });
const items = await call('GET', `/v1/conversations/${C}/items`, { name: 'conversations.items.list', type: 'CursorList<ConversationItem>' });
await call('GET', `/v1/conversations/${C}/items/${items.data[0].id}`, { name: 'conversations.items.get', type: 'ConversationItem' });
await call('DELETE', `/v1/conversations/${C}/items/${items.data[0].id}`, { name: 'conversations.items.delete', type: 'Conversation' });

// Audio (speech answers audio, not JSON)
for (const [format, type] of [['json', 'Transcription'], ['verbose_json', 'TranscriptionVerbose']]) {
  const form = new FormData();
  form.append('model', 'whisper-1');
  form.append('response_format', format);
  form.append('file', new Blob([silence()], { type: 'audio/wav' }), 'silence.wav');
  await call('POST', '/v1/audio/transcriptions', { form, name: `audio.transcriptions.${format}`, type });
}

// Refusals
await refused('GET', '/v1/assistants/asst_unknown', undefined, 'errors.not_found');
await refused('POST', '/v1/chat/completions', { model: A, messages: ask('Hi'), temperature: 9 }, 'errors.invalid_param');
await refused('GET', '/v1/files?after=file_unknown', undefined, 'errors.invalid_cursor');
await refused('GET', '/v1/models', undefined, 'errors.unauthenticated', { authorization: 'Bearer not-a-key' });

// Deletions
await call('DELETE', `/v1/threads/${T}/messages/${message.id}`, { name: 'messages.delete', type: 'MessageDeleted' });
await call('DELETE', `/v1/vector_stores/${V}/files/${file.id}`, { name: 'vector_stores.files.delete', type: 'VectorStoreFileDeleted' });
await call('DELETE', `/v1/vector_stores/${V}`, { name: 'vector_stores.delete', type: 'VectorStoreDeleted' });
await call('DELETE', `/v1/responses/${response.id}`, { name: 'responses.delete', type: 'ResponseDeleted' });
await call('DELETE', `/v1/conversations/${C}`, { name: 'conversations.delete', type: 'ConversationDeletedResource' });
await call('DELETE', `/v1/threads/${T}`, { name: 'threads.delete', type: 'ThreadDeleted' });
await call('DELETE', `/v1/files/${third.id}`, { name: 'files.delete', type: 'FileDeleted' });
await call('DELETE', `/v1/assistants/${A}`, { name: 'assistants.delete', type: 'AssistantDeleted' });

// The check: one typed constant per capture.
const header = `import type { Model } from 'openai/resources/models';
import type { ChatCompletion, ChatCompletionChunk } from 'openai/resources/chat/completions/completions';
import type { CreateEmbeddingResponse, Embedding } from 'openai/resources/embeddings';
import type { FileObject, FileDeleted } from 'openai/resources/files';
import type { VectorStore, VectorStoreDeleted, VectorStoreSearchResponse } from 'openai/resources/vector-stores/vector-stores';
import type { VectorStoreFile, VectorStoreFileDeleted, FileContentResponse } from 'openai/resources/vector-stores/files';
import type { VectorStoreFileBatch } from 'openai/resources/vector-stores/file-batches';
import type { Assistant, AssistantDeleted, AssistantStreamEvent } from 'openai/resources/beta/assistants';
import type { Thread, ThreadDeleted } from 'openai/resources/beta/threads/threads';
import type { Message, MessageDeleted } from 'openai/resources/beta/threads/messages';
import type { Run } from 'openai/resources/beta/threads/runs/runs';
import type { RunStep } from 'openai/resources/beta/threads/runs/steps';
import type { Response, ResponseItem, ResponseStreamEvent, CompactedResponse, ResponseInputMessageItem, ResponseCompactionItem } from 'openai/resources/responses/responses';
import type { InputTokenCountResponse } from 'openai/resources/responses/input-tokens';
import type { Conversation, ConversationDeletedResource } from 'openai/resources/conversations/conversations';
import type { ConversationItem, ConversationItemList } from 'openai/resources/conversations/items';
import type { Transcription, TranscriptionVerbose } from 'openai/resources/audio/transcriptions';
// Extra fields are allowed at every depth (so a missing or mistyped field is never hidden behind one); output_text is
// the SDK's own convenience, computed on the client.
type Open<T> = T extends string | number | boolean | null | undefined ? T
  : T extends readonly (infer U)[] ? Open<U>[]
  : T extends object ? { [K in keyof T as K extends 'output_text' ? never : K]: Open<T[K]> } & { [key: string]: unknown } : T;
// Envelopes and objects the package types only as pages or void, as OpenAI's API reference documents them.
type List<T> = { object: 'list'; data: T[] };
type CursorList<T> = { object: 'list'; data: T[]; first_id: string | null; last_id: string | null; has_more: boolean };
type FileContentPage = { object: 'vector_store.file_content.page'; data: FileContentResponse[]; has_more: boolean; next_page: string | null };
type SearchPage = { object: 'vector_store.search_results.page'; search_query: string | string[]; data: VectorStoreSearchResponse[]; has_more: boolean; next_page: string | null };
type ErrorBody = { error: { message: string; type: string; param: string | null; code: string | null } };
type ResponseDeleted = { id: string; object: 'response'; deleted: true };
// The package types a compaction's output as ResponseOutputItem, whose messages are the assistant's, while OpenAI's
// reference says it is the window's user messages then one compaction item: those are checked as the items they are.
type CompactedWindow = Omit<CompactedResponse, 'output'> & { output: (ResponseInputMessageItem | ResponseCompactionItem)[] };
type Base64Embeddings = Omit<CreateEmbeddingResponse, 'data'> & { data: (Omit<Embedding, 'embedding'> & { embedding: string })[] };
`;
const lines = header.split('\n');
const starts = [];
for (const [i, c] of captures.entries()) {
  starts.push(lines.length + 1);
  lines.push(...`export const c${i}: Open<${c.type}> = ${JSON.stringify(c.value, null, 1)};`.split('\n'));
}
const dir = mkdtempSync(join(tmpdir(), 'shapes-'));
try {
  writeFileSync(join(dir, 'check.ts'), lines.join('\n'));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, skipLibCheck: true, target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', noErrorTruncation: true,
      paths: { 'openai/*': [join(here, 'node_modules', 'openai', '*')] },
    },
    files: ['check.ts'],
  }));
  let output = '';
  try {
    execFileSync(process.execPath, [join(here, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8', maxBuffer: 1 << 28 });
  } catch (failed) {
    output = `${failed.stdout ?? ''}${failed.stderr ?? ''}`;
    if (!output.includes('error TS')) throw failed;
  }
  const errors = [...output.matchAll(/check\.ts\((\d+),\d+\): (error TS\d+: [\s\S]*?)(?=\n\S|$)/g)].map(([, line, text]) => {
    const index = starts.findLastIndex((s) => s <= Number(line));
    // each line of tsc's elaboration, shortened: the last one names the field at fault
    const message = text.split('\n').map((l) => l.trim().slice(0, 240)).filter(Boolean).join(' / ');
    return { capture: index < 0 ? 'header' : captures[index].name, message: `at ${lines[Number(line) - 1].trim().slice(0, 120)}: ${message}` };
  });
  const stray = output && errors.length === 0 ? [{ capture: 'tsc', message: output.slice(0, 2000) }] : [];
  console.log(JSON.stringify({ captures: captures.map((c) => c.name), errors: [...errors, ...stray] }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
