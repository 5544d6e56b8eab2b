// Drives the platform with the official openai package, unchanged; prints what the test asserts as one JSON object.
// Usage: node responses.mjs SCENARIO  (OPENAI_BASE_URL and OPENAI_API_KEY point it at the gateway)
import OpenAI, { toFile } from 'openai';

const client = new OpenAI({ maxRetries: 0 });
const model = process.env.RESPONSES_MODEL ?? 'gpt-4o-mini';
const weather = {
  type: 'function',
  name: 'get_weather',
  description: 'Weather of a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  strict: true,
};

async function streamed(params) {
  const stream = client.responses.stream(params);
  const events = [];
  for await (const event of stream) {
    events.push({ type: event.type, sequence_number: event.sequence_number, output_index: event.output_index });
  }
  const final = await stream.finalResponse();
  return { events, final: { id: final.id, status: final.status, output_text: final.output_text, output: final.output } };
}

async function errorOf(promise) {
  try {
    await promise;
    return null;
  } catch (error) {
    return { status: error.status, type: error.error?.type ?? error.type, code: error.code, message: error.message };
  }
}

const scenarios = {
  async create() {
    const response = await client.responses.create({ model, input: 'Hello there', instructions: 'Be brief.' });
    const again = await client.responses.retrieve(response.id);
    const counted = await client.responses.inputTokens.count({ model, input: 'And again?', previous_response_id: response.id });
    const next = await client.responses.create({ model, input: 'And again?', previous_response_id: response.id });
    const inputs = [];
    for await (const item of client.responses.inputItems.list(response.id)) inputs.push(item);
    return { response, again, counted, next, inputs };
  },
  async compact() {
    // A chain compacted by the package's own method; its output, with a new question, is the next create's input.
    const first = await client.responses.create({ model, input: 'When does the Oslo office open?' });
    const compacted = await client.responses.compact({ model, previous_response_id: first.id, instructions: 'Keep hours exact.' });
    const input = [...compacted.output, { role: 'user', content: 'And on Saturdays?' }];
    const counted = await client.responses.inputTokens.count({ model, input });
    const next = await client.responses.create({ model, input });
    const inputs = [];
    for await (const item of client.responses.inputItems.list(next.id, { order: 'asc' })) inputs.push(item);
    const forged = await errorOf(client.responses.create({ model, input: [{ type: 'compaction', encrypted_content: 'forged' }, { role: 'user', content: 'Hi' }] }));
    return { compacted, counted, next: { id: next.id, status: next.status, output_text: next.output_text, usage: next.usage }, inputs, forged };
  },
  async stream() {
    return streamed({ model, input: 'Hello there' });
  },
  async tools() {
    const first = await streamed({ model, input: 'Weather in Oslo?', tools: [weather], tool_choice: 'required' });
    const call = first.final.output.find((item) => item.type === 'function_call');
    const second = await client.responses.create({
      model,
      previous_response_id: first.final.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: 'Rain, 12 degrees' }],
      tools: [weather],
    });
    return { first, call, second: { id: second.id, output_text: second.output_text } };
  },
  async chatTools() {
    // Chat Completions' function calling: the stream helper's accumulator, a call answered by a tool message, and the
    // package's own tool loop (runTools), streamed.
    const chatWeather = { type: 'function', function: { name: weather.name, description: weather.description, parameters: weather.parameters, strict: true } };
    const messages = [{ role: 'user', content: 'Weather in Oslo?' }];
    const stream = client.chat.completions.stream({ model, messages, tools: [chatWeather], tool_choice: 'required', stream_options: { include_usage: true } });
    const first = await stream.finalChatCompletion();
    const call = first.choices[0].message.tool_calls[0];
    const second = await client.chat.completions.create({
      model,
      messages: [...messages, first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: 'Rain, 12 degrees' }],
      tools: [chatWeather],
    });
    const clock = { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: { zone: { type: 'string' } } }, function: () => '12:00', parse: JSON.parse } };
    const loop = client.chat.completions.runTools({ model, stream: true, messages: [{ role: 'user', content: 'Use get_time please' }], tools: [clock] });
    const content = await loop.finalContent();
    const finishes = (await loop.allChatCompletions()).map((completion) => completion.choices[0].finish_reason);
    return { first, second, loop: { content, finishes } };
  },
  async conversation() {
    const conversation = await client.conversations.create({
      metadata: { topic: 'trip' },
      items: [{ type: 'message', role: 'user', content: 'I am planning a trip to Oslo.' }],
    });
    const first = await client.responses.create({ model, conversation: conversation.id, input: 'What should I pack?' });
    const second = await streamed({ model, conversation: conversation.id, input: 'And for the weather there?' });
    const updated = await client.conversations.update(conversation.id, { metadata: { topic: 'oslo' } });
    const items = [];
    for await (const item of client.conversations.items.list(conversation.id, { order: 'asc', limit: 2 })) items.push(item);
    const added = await client.conversations.items.create(conversation.id, { items: [{ type: 'message', role: 'user', content: 'Thanks!' }] });
    const one = await client.conversations.items.retrieve(added.data[0].id, { conversation_id: conversation.id });
    const afterDelete = await client.conversations.items.delete(added.data[0].id, { conversation_id: conversation.id });
    const retrieved = await client.conversations.retrieve(conversation.id);
    const deleted = await client.conversations.delete(conversation.id);
    const gone = await errorOf(client.conversations.retrieve(conversation.id));
    return { conversation, first: { output_text: first.output_text }, second, updated, items, added, one, afterDelete, retrieved, deleted, gone };
  },
  async fileSearch() {
    const file = await client.files.create({
      file: await toFile(Buffer.from('Parental leave. New parents receive 16 weeks of paid parental leave, to be taken within the first year.'), 'parental.md'),
      purpose: 'assistants',
    });
    const store = await client.vectorStores.create({ name: 'Benefits', file_ids: [file.id] });
    for (let i = 0; i < 60; i++) {
      const attached = await client.vectorStores.files.retrieve(file.id, { vector_store_id: store.id });
      if (attached.status !== 'in_progress') break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const result = await streamed({
      model,
      input: 'How many weeks of parental leave do new parents get?',
      tools: [{ type: 'file_search', vector_store_ids: [store.id] }],
      include: ['file_search_call.results'],
    });
    return { file: file.id, ...result };
  },
  async background() {
    // Polled: create answers at once, retrieve until the response leaves queued/in_progress (a bounded wait).
    const created = await client.responses.create({ model, input: 'Write a short note', background: true });
    const seen = [created.status];
    let response = created;
    for (let i = 0; i < 300 && ['queued', 'in_progress'].includes(response.status); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      response = await client.responses.retrieve(created.id);
      seen.push(response.status);
    }
    // Streamed: the events as they are made, then resumed after the third from the stored log.
    const events = [];
    for await (const event of await client.responses.create({ model, input: 'Hello there', background: true, stream: true })) {
      events.push({ type: event.type, sequence_number: event.sequence_number, id: event.response?.id, status: event.response?.status });
    }
    const resumed = [];
    for await (const event of await client.responses.retrieve(events[0].id, { stream: true, starting_after: 2 })) {
      resumed.push({ type: event.type, sequence_number: event.sequence_number });
    }
    return {
      created: { id: created.id, status: created.status, background: created.background, output: created.output },
      seen,
      final: { status: response.status, background: response.background, output_text: response.output_text, usage: response.usage },
      events,
      resumed,
    };
  },
  async errors() {
    const both = await errorOf(client.responses.create({ model, input: 'hi', conversation: 'conv_x', previous_response_id: 'resp_y' }));
    const unknown = await errorOf(client.responses.retrieve('resp_unknown'));
    const foreign = process.env.FOREIGN_RESPONSE_ID ? await errorOf(client.responses.retrieve(process.env.FOREIGN_RESPONSE_ID)) : null;
    return { both, unknown, foreign };
  },
};

const result = await scenarios[process.argv[2]]();
process.stdout.write(JSON.stringify(result));
