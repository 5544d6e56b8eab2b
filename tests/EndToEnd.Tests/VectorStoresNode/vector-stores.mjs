// Drives /v1/vector_stores with the openai npm package, unchanged, and prints what it saw as one JSON object.
// OPENAI_BASE_URL and OPENAI_API_KEY (an access token or API key of the platform) come from the environment.
import OpenAI, { toFile } from 'openai';

const client = new OpenAI({ maxRetries: 0 });
const all = async (page) => { const items = []; for await (const item of page) items.push(item); return items; };
const status = async (call) => { try { await call(); return { status: 200 }; } catch (e) { return { status: e.status, type: e.error?.type ?? e.type }; } };

const upload = async (name, text) => client.files.create({ file: await toFile(Buffer.from(text), name), purpose: 'assistants' });
const travel = await upload('travel.md', 'Trains are booked through the travel desk two weeks ahead. First class needs a director\'s approval.');
const laptop = await upload('laptops.md', 'A broken laptop goes to the IT desk on floor 3, which lends a spare machine the same day.');
const canteen = await upload('canteen.md', 'The canteen serves lunch from noon to two; vegetarian dishes are marked green.');

const store = await client.vectorStores.create({ name: 'Handbook', metadata: { team: 'hr' }, expires_after: { anchor: 'last_active_at', days: 30 } });
const attached = await client.vectorStores.files.createAndPoll(store.id, { file_id: travel.id, attributes: { topic: 'travel', year: 2026 } });
const uploaded = await client.vectorStores.files.uploadAndPoll(store.id, await toFile(Buffer.from('Badges are replaced at reception for a fee of 10 euros.'), 'badges.md'));
const batch = await client.vectorStores.fileBatches.createAndPoll(store.id, { file_ids: [laptop.id, canteen.id], attributes: { topic: 'office', year: 2025 } });
const batchAgain = await client.vectorStores.fileBatches.retrieve(batch.id, { vector_store_id: store.id });
const cancelled = await client.vectorStores.fileBatches.cancel(batch.id, { vector_store_id: store.id });
const batchFiles = await all(client.vectorStores.fileBatches.listFiles(batch.id, { vector_store_id: store.id }));
const completed = await all(client.vectorStores.files.list(store.id, { filter: 'completed', limit: 2 }));
const relabelled = await client.vectorStores.files.update(laptop.id, { vector_store_id: store.id, attributes: { topic: 'it', year: 2025 } });
const fileAgain = await client.vectorStores.files.retrieve(laptop.id, { vector_store_id: store.id });
const paraphrase = await all(client.vectorStores.search(store.id, { query: 'my computer stopped working, who can help?', max_num_results: 2 }));
const filtered = await all(client.vectorStores.search(store.id, {
  query: ['where do I get food', 'replacement laptop'],
  filters: { type: 'and', filters: [{ type: 'eq', key: 'topic', value: 'office' }, { type: 'lt', key: 'year', value: 2026 }] },
  ranking_options: { score_threshold: 0.05 },
  rewrite_query: true,
}));
const content = await all(client.vectorStores.files.content(travel.id, { vector_store_id: store.id }));
const renamed = await client.vectorStores.update(store.id, { name: 'Handbook 2026' });
const described = await client.vectorStores.retrieve(store.id);
const listed = await all(client.vectorStores.list());
const removed = await client.vectorStores.files.delete(canteen.id, { vector_store_id: store.id });
const afterRemoval = await client.vectorStores.retrieve(store.id);
const missing = await status(() => client.vectorStores.retrieve('vs_doesnotexist'));
const badSearch = await status(() => client.vectorStores.search(store.id, { query: 'x', max_num_results: 500 }));
const badFilter = await status(() => client.vectorStores.search(store.id, { query: 'x', filters: { type: 'near', key: 'a', value: 1 } }));
const deleted = await client.vectorStores.delete(store.id);
const gone = await status(() => client.vectorStores.retrieve(store.id));

console.log(JSON.stringify({
  files: { travel: travel.id, laptop: laptop.id, canteen: canteen.id, badges: uploaded.id },
  store, attached, uploaded, batch, batchAgain, cancelled, batchFiles: batchFiles.map(f => f.id), completed: completed.map(f => f.id),
  relabelled, fileAgain, paraphrase, filtered, content, renamed, described, listed: listed.map(s => s.id), removed, afterRemoval,
  missing, badSearch, badFilter, deleted, gone,
}));
