// The Responses API through the real client packages against `relaydeskd serve --demo` (fresh data dir, free
// port): the OpenAI Node SDK (create, stream, the stream helper, previous_response_id, retrieve, input items,
// input token count, compact, delete, the WebSocket mode through ResponsesWS), the OpenAI Agents SDK (a plain
// run and one function-tool round) and the Vercel AI SDK (generateText, streamText). Then the money: every
// consume row of /v1/responses(/compact) is priced exactly by the book (quota recomputed here with exact
// rationals from the row's token columns and ratios, the ratios checked against `admin pricing export`), its
// tokens equal the usage the SDK saw for that response id, every row belongs to a call made here, and the
// demo user's used quota equals the sum of the consume rows. Exit code 0 = all checks passed.
//
//   node compat_responses.mjs <path-to-relaydeskd> <node_modules dir>
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';

// The Agents SDK would otherwise export traces to api.openai.com.
process.env.OPENAI_AGENTS_DISABLE_TRACING = '1';

const [relaydeskd, modulesDir] = process.argv.slice(2);
const require = createRequire(join(modulesDir, 'noop.js'));
const { default: OpenAI } = await import(require.resolve('openai'));
const { ResponsesWS } = await import(require.resolve('openai/resources/responses/ws'));
const agents = await import(require.resolve('@openai/agents'));
const { z } = await import(require.resolve('zod'));
const { generateText, streamText } = await import(require.resolve('ai'));
const { createOpenAI } = await import(require.resolve('@ai-sdk/openai'));

const MODEL = 'gpt-4o-mini';
const started = Date.now();
const dataDir = mkdtempSync(join(tmpdir(), 'relaydesk-compat-resp-'));
const admin = (...args) => execFileSync(relaydeskd, ['admin', ...args, '--data', dataDir], { encoding: 'utf8' });
const server = spawn(relaydeskd, ['serve', '--demo', '--data', dataDir, '--listen', '127.0.0.1:0',
                                  '--demo-delay-ms', '2'], { stdio: ['ignore', 'pipe', 'inherit'] });
let out = '';
let keyMade = false;
let keyName = null;
const ready = new Promise((resolve, reject) => {
  server.stdout.on('data', (d) => {
    out += d.toString();
    const url = out.match(/Listening on (http:\/\/\S+\/v1)/);
    if (!url || keyMade) return;
    keyMade = true;
    const made = JSON.parse(admin('key', 'add', '--user', 'demo', '--unlimited'));
    keyName = made.name;
    resolve({ apiKey: made.key, baseURL: url[1] });
  });
  server.on('exit', (code) => reject(new Error(`relaydeskd exited early (${code}): ${out}`)));
  setTimeout(() => reject(new Error('relaydeskd did not start: ' + out)), 20000);
});

// Every metered response the clients saw: response id → { what, input, output } (the SDK's usage).
const seen = new Map();
function saw(what, id, input, output) {
  assert.ok(typeof id === 'string' && id.length > 0, `${what}: response id`);
  assert.ok(Number.isInteger(input) && Number.isInteger(output), `${what}: usage ${input}/${output}`);
  assert.ok(!seen.has(id), `${what}: response id ${id} seen twice`);
  seen.set(id, { what, input, output });
}
const textOf = (response) => response.output_text ??
  response.output.filter((i) => i.type === 'message').flatMap((i) => i.content)
    .filter((c) => c.type === 'output_text').map((c) => c.text).join('');

let failures = 0;
async function check(name, fn) {
  try {
    const detail = await fn();
    console.log(`ok - ${name}${detail ? ': ' + detail : ''}`);
  } catch (e) {
    failures++;
    console.log(`not ok - ${name}`);
    console.error(`FAIL (${name}):`, e);
  }
}

// ---- exact rationals (BigInt) for the price check ----
const gcd = (a, b) => { a = a < 0n ? -a : a; b = b < 0n ? -b : b; while (b) [a, b] = [b, a % b]; return a; };
function rat(n, d = 1n) { if (d < 0n) { n = -n; d = -d; } const g = gcd(n, d) || 1n; return { n: n / g, d: d / g }; }
function ratOf(x) { // a JSON number (a decimal as the relay printed it) → exact rational
  const m = String(x).match(/^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i);
  assert.ok(m, `not a decimal: ${x}`);
  const frac = m[3] ?? '';
  let n = BigInt(m[2] + frac) * (m[1] ? -1n : 1n);
  let d = 10n ** BigInt(frac.length);
  const e = Number(m[4] ?? 0);
  if (e > 0) n *= 10n ** BigInt(e); else d *= 10n ** BigInt(-e);
  return rat(n, d);
}
const add = (a, b) => rat(a.n * b.d + b.n * a.d, a.d * b.d);
const mul = (...xs) => xs.reduce((a, b) => rat(a.n * b.n, a.d * b.d), rat(1n));
const eqRat = (a, b) => a.n === b.n && a.d === b.d;
function roundHalfAway({ n, d }) { // d > 0
  const neg = n < 0n; const a = neg ? -n : n;
  const q = (2n * a + d) / (2n * d);
  return neg ? -q : q;
}
const I = (v) => rat(BigInt(v ?? 0));
const showRat = (r) => (r.d === 1n ? `${r.n}` : `${r.n}/${r.d}`);

// The book's ratio for a model: the exact key, else the key without a date suffix, else the longest prefix* rule.
function bookLookup(map, model) {
  if (!map) return undefined;
  const keys = Object.keys(map);
  const find = (name) => keys.find((k) => k.toLowerCase() === name.toLowerCase());
  let k = find(model) ?? find(model.replace(/-(\d{4}-\d{2}-\d{2}|\d{8}|\d{4})$/, ''));
  if (k === undefined) {
    const rules = keys.filter((r) => r.endsWith('*') && model.toLowerCase().startsWith(r.slice(0, -1).toLowerCase()))
      .sort((a, b) => b.length - a.length);
    k = rules[0];
  }
  return k === undefined ? undefined : map[k];
}

const books = new Map(); // price snapshot id ('before' = the demo's own) → `admin pricing export`
let toolSnapshot = null;

try {
  const { apiKey, baseURL } = await ready;
  const client = new OpenAI({ apiKey, baseURL, maxRetries: 0 });
  // A price for the built-in web search (the demo book has none) so tool_quota is exercised; the running relay
  // picks the edit up as a new price snapshot. Each row is checked against the book of its own snapshot.
  books.set('before', JSON.parse(admin('pricing', 'export')));
  const imported = execFileSync(relaydeskd, ['admin', 'pricing', 'import', '-', '--data', dataDir],
                                { input: JSON.stringify({ ToolCallPrice: { web_search_call: 10 } }), encoding: 'utf8' });
  toolSnapshot = JSON.parse(imported).snapshot_id;
  books.set(toolSnapshot, JSON.parse(admin('pricing', 'export')));
  assert.equal(books.get(toolSnapshot).ToolCallPrice.web_search_call, 10);
  let firstId = null;
  let firstText = null;

  await check('responses.create (JSON): text and usage', async () => {
    const r = await client.responses.create({ model: MODEL, instructions: 'You are terse.', input: 'Say hello.' });
    assert.equal(r.object, 'response');
    assert.equal(r.status, 'completed');
    firstText = textOf(r);
    assert.ok(firstText.length > 0, 'output text');
    assert.ok(r.usage && r.usage.input_tokens > 0 && r.usage.output_tokens > 0, 'usage');
    assert.equal(r.usage.total_tokens, r.usage.input_tokens + r.usage.output_tokens);
    firstId = r.id;
    saw('create', r.id, r.usage.input_tokens, r.usage.output_tokens);
    return `${r.id} usage ${r.usage.input_tokens}/${r.usage.output_tokens}`;
  });

  await check('responses.create({stream:true}): events in order, ends with response.completed', async () => {
    const stream = await client.responses.create({ model: MODEL, input: 'Say hello.', stream: true });
    const types = [];
    let lastSeq = -1;
    let deltas = '';
    let done = null;
    let completed = null;
    for await (const ev of stream) {
      types.push(ev.type);
      assert.ok(ev.sequence_number > lastSeq, `sequence_number ${ev.sequence_number} after ${lastSeq}`);
      lastSeq = ev.sequence_number;
      if (ev.type === 'response.output_text.delta') deltas += ev.delta;
      if (ev.type === 'response.output_text.done') done = ev.text;
      if (ev.type === 'response.completed') completed = ev.response;
    }
    assert.equal(types[0], 'response.created');
    assert.equal(types[1], 'response.in_progress');
    assert.equal(types.at(-1), 'response.completed', types.join(','));
    const order = ['response.output_item.added', 'response.content_part.added', 'response.output_text.delta',
                   'response.output_text.done', 'response.content_part.done', 'response.output_item.done',
                   'response.completed'];
    const at = order.map((t) => types.indexOf(t));
    assert.ok(at.every((i) => i > 0), `missing one of ${order}: ${types.join(',')}`);
    assert.deepEqual([...at].sort((a, b) => a - b), at, `out of order: ${types.join(',')}`);
    assert.equal(types.filter((t) => t === 'response.completed').length, 1);
    assert.ok(deltas.length > 0 && deltas === done, 'deltas add up to output_text.done');
    assert.equal(deltas, firstText, 'same text as the JSON create');
    assert.ok(completed.usage, 'response.completed carries usage');
    assert.equal(textOf(completed), deltas);
    saw('stream', completed.id, completed.usage.input_tokens, completed.usage.output_tokens);
    return `${types.length} events, usage ${completed.usage.input_tokens}/${completed.usage.output_tokens}`;
  });

  await check('responses.stream(...).finalResponse()', async () => {
    assert.equal(typeof client.responses.stream, 'function', 'responses.stream exists in this SDK');
    const s = client.responses.stream({ model: MODEL, input: 'Say hello.' });
    let deltas = '';
    s.on('response.output_text.delta', (e) => { deltas += e.delta; });
    const r = await s.finalResponse();
    assert.equal(r.status, 'completed');
    assert.equal(textOf(r), firstText);
    assert.equal(deltas, firstText);
    saw('stream helper', r.id, r.usage.input_tokens, r.usage.output_tokens);
    return r.id;
  });

  let followId = null;
  await check('previous_response_id follow-up', async () => {
    const r = await client.responses.create({ model: MODEL, previous_response_id: firstId, input: 'And once more.' });
    assert.equal(r.status, 'completed');
    assert.equal(r.previous_response_id, firstId);
    assert.ok(textOf(r).length > 0);
    // The server-side context (the first turn) is billed as input: more than the first turn's input.
    assert.ok(r.usage.input_tokens > seen.get(firstId).input, `follow-up input ${r.usage.input_tokens}`);
    followId = r.id;
    saw('follow-up', r.id, r.usage.input_tokens, r.usage.output_tokens);
    return `${r.id} input ${r.usage.input_tokens}`;
  });

  await check('responses.retrieve(id)', async () => {
    const r = await client.responses.retrieve(followId);
    assert.equal(r.id, followId);
    assert.equal(r.status, 'completed');
    assert.equal(r.usage.input_tokens, seen.get(followId).input);
  });

  await check('responses.inputItems.list(id)', async () => {
    const items = [];
    for await (const item of client.responses.inputItems.list(followId)) items.push(item);
    assert.ok(items.length >= 1, 'at least the new user turn');
    const texts = JSON.stringify(items);
    assert.ok(texts.includes('And once more.'), texts);
    return `${items.length} item(s)`;
  });

  await check('responses.inputTokens.count(...)', async () => {
    assert.ok(client.responses.inputTokens && typeof client.responses.inputTokens.count === 'function',
              'inputTokens.count exists in this SDK');
    const r = await client.responses.inputTokens.count({ model: MODEL, input: 'Say hello.' });
    assert.ok(Number.isInteger(r.input_tokens) && r.input_tokens > 0, JSON.stringify(r));
    return `${r.input_tokens} tokens`;
  });

  await check('responses.compact(...)', async () => {
    assert.equal(typeof client.responses.compact, 'function', 'responses.compact exists in this SDK');
    const r = await client.responses.compact({ model: MODEL, previous_response_id: followId });
    assert.ok(Array.isArray(r.output) && r.output.length > 0, JSON.stringify(r).slice(0, 300));
    assert.ok(r.usage && r.usage.input_tokens > 0, 'compact usage');
    saw('compact', r.id, r.usage.input_tokens, r.usage.output_tokens);
    return `${r.id} usage ${r.usage.input_tokens}/${r.usage.output_tokens}`;
  });

  await check('responses.delete(id), then retrieve is 404', async () => {
    await client.responses.delete(followId);
    await assert.rejects(client.responses.retrieve(followId), (e) => e instanceof OpenAI.NotFoundError);
  });

  await check('ResponsesWS (WebSocket mode): two responses on one connection', async () => {
    const rws = new ResponsesWS(client);
    const texts = [];
    const ids = [];
    let opens = 0;
    const timer = setTimeout(() => rws.close({ code: 1000, reason: 'timeout' }), 20000);
    try {
      rws.send({ type: 'response.create', model: MODEL, input: 'Say hello.' });
      for await (const m of rws.stream()) {
        if (m.type === 'open') opens++;
        if (m.type === 'error') throw m.error;
        if (m.type === 'close') break;
        if (m.type !== 'message') continue;
        const ev = m.message;
        if (ev.type === 'error') throw new Error('error event: ' + JSON.stringify(ev));
        if (ev.type !== 'response.completed') continue;
        const r = ev.response;
        texts.push(textOf(r));
        ids.push(r.id);
        saw(`websocket #${ids.length}`, r.id, r.usage.input_tokens, r.usage.output_tokens);
        if (ids.length === 1)
          rws.send({ type: 'response.create', model: MODEL, previous_response_id: r.id, input: 'Again.' });
        else
          rws.close({ code: 1000, reason: 'done' });
      }
    } finally {
      clearTimeout(timer);
    }
    assert.equal(ids.length, 2, 'two response.completed on the connection');
    assert.equal(opens, 1, 'one connection, no reconnect');
    assert.ok(texts.every((t) => t.length > 0));
    return ids.join(', ');
  });

  // ---- OpenAI Agents SDK ----
  agents.setDefaultOpenAIClient(new OpenAI({ apiKey, baseURL, maxRetries: 0 }));
  agents.setTracingDisabled(true);
  let agentsLastId = null;
  const recordRun = (what, result) => {
    assert.ok(result.rawResponses.length >= 1);
    for (const raw of result.rawResponses)
      saw(what, raw.responseId, raw.usage.inputTokens, raw.usage.outputTokens);
    return result.rawResponses.map((r) => r.responseId);
  };

  await check('@openai/agents: run(Agent, "Say hello") → finalOutput', async () => {
    const agent = new agents.Agent({ name: 'Greeter', instructions: 'You are terse.', model: MODEL });
    const result = await agents.run(agent, 'Say hello');
    assert.ok(typeof result.finalOutput === 'string' && result.finalOutput.length > 0, 'finalOutput');
    const ids = recordRun('agents run', result);
    assert.equal(ids.length, 1);
    agentsLastId = result.lastResponseId ?? ids.at(-1);
    return JSON.stringify(result.finalOutput.slice(0, 40) + '…');
  });

  // One tool round that terminates. The demo answers with a get_weather call whenever the request's *current*
  // input or instructions carry [[scenario:tools]]; a run that resends the whole history would carry the marker
  // every turn and loop to maxTurns. Chaining with previousResponseId makes the Agents SDK send only the new
  // items (the function_call_output) on the second turn, so turn 2 has no marker and the model answers with text:
  // exactly two responses, the tool called once. maxTurns bounds it anyway.
  await check('@openai/agents: one function-tool round (get_weather), finite', async () => {
    const calls = [];
    const getWeather = agents.tool({
      name: 'get_weather',
      description: 'The weather in a city.',
      parameters: z.object({ city: z.string(), unit: z.string() }),
      execute: async ({ city, unit }) => { calls.push({ city, unit }); return `Sunny, 21 degrees ${unit} in ${city}.`; },
    });
    const agent = new agents.Agent({ name: 'Weather', instructions: 'Use the tool.', model: MODEL, tools: [getWeather] });
    const result = await agents.run(agent, 'Weather in Paris? [[scenario:tools]]',
                                    { previousResponseId: agentsLastId, maxTurns: 4 });
    assert.deepEqual(calls, [{ city: 'Paris', unit: 'celsius' }]);
    const ids = recordRun('agents tool run', result);
    assert.equal(ids.length, 2, 'a tool-call turn and a text turn');
    assert.ok(typeof result.finalOutput === 'string' && result.finalOutput.length > 0, 'finalOutput');
    return `tool called with ${JSON.stringify(calls[0])}, ${ids.length} responses`;
  });

  // ---- Vercel AI SDK ----
  const aiOpenAI = createOpenAI({ apiKey, baseURL });
  const aiIds = [];
  let webSearchId = null;
  await check('ai: generateText({model: openai("gpt-4o-mini")})', async () => {
    const r = await generateText({ model: aiOpenAI(MODEL), prompt: 'Say hello.', maxRetries: 0 });
    assert.ok(r.text.length > 0, 'text');
    const id = r.providerMetadata?.openai?.responseId ?? r.response.id;
    assert.ok(/^resp_/.test(id), `a Responses API id: ${id}`);
    saw('ai generateText', id, r.usage.inputTokens, r.usage.outputTokens);
    aiIds.push(id);
    return `${id} usage ${r.usage.inputTokens}/${r.usage.outputTokens}`;
  });

  await check('ai: streamText', async () => {
    const r = streamText({ model: aiOpenAI(MODEL), prompt: 'Say hello.', maxRetries: 0 });
    let text = '';
    for await (const part of r.textStream) text += part;
    assert.ok(text.length > 0, 'text');
    const usage = await r.usage;
    const response = await r.response;
    const meta = await r.providerMetadata;
    const id = meta?.openai?.responseId ?? response.id;
    assert.ok(/^resp_/.test(id), `a Responses API id: ${id}`);
    saw('ai streamText', id, usage.inputTokens, usage.outputTokens);
    aiIds.push(id);
    return `${id} usage ${usage.inputTokens}/${usage.outputTokens}`;
  });

  // ---- Usage shapes the price check must cover: cached input, cache writes, reasoning, built-in tool calls ----
  await check('demo usage shapes: cached + cache_write, reasoning, two web_search_call', async () => {
    const made = {};
    for (const scenario of ['cached', 'reasoning', 'web_search2']) {
      const r = await client.responses.create({ model: MODEL, input: `Say hello. [[scenario:${scenario}]]` });
      saw(scenario, r.id, r.usage.input_tokens, r.usage.output_tokens);
      made[scenario] = r;
    }
    const d = made.cached.usage.input_tokens_details;
    assert.ok(d.cached_tokens > 0 && d.cache_write_tokens > 0, JSON.stringify(d));
    assert.ok(made.reasoning.usage.output_tokens_details.reasoning_tokens > 0);
    assert.equal(made.web_search2.output.filter((i) => i.type === 'web_search_call').length, 2);
    webSearchId = made.web_search2.id;
  });

  // ---- Billing: logs are exact and logs == debits ----
  const readRows = () => admin('logs', '--user', 'demo', '--limit', '100000').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const isResponsesPath = (p) => p === '/v1/responses' || p === '/v1/responses/compact';
  let rows = [];
  // Stream and WebSocket settlements may commit just after the client saw the last event: wait for them.
  for (let i = 0; i < 50; i++) {
    rows = readRows();
    const billed = new Set(rows.filter((r) => r.type === 'consume').map((r) => r.other?.response_id));
    if ([...seen.keys()].every((id) => billed.has(id))) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const consume = rows.filter((r) => r.type === 'consume');

  await check('ai: both AI SDK calls hit /v1/responses', async () => {
    for (const id of aiIds) {
      const row = consume.find((r) => r.other?.response_id === id);
      assert.ok(row, `a consume row for ${id}`);
      assert.equal(row.other.request_path, '/v1/responses');
    }
  });

  await check('billing: every consume row of /v1/responses(/compact) is priced exactly by the book', async () => {
    const rrows = consume.filter((r) => isResponsesPath(r.other?.request_path));
    assert.ok(rrows.length > 0, 'some rows');
    const problems = [];
    for (const row of rrows) {
      const o = row.other;
      const u = o.usage;
      const book = o.price_snapshot_id === toolSnapshot ? books.get(toolSnapshot) : books.get('before');
      if (o.price_snapshot_id > toolSnapshot) problems.push(`${o.response_id}: unknown price snapshot ${o.price_snapshot_id}`);
      const want = (map, dflt) => bookLookup(book[map], row.model) ?? dflt;
      const gr = bookLookup(book.GroupRatio, 'default') ?? 1;
      const expectRatios = { model_ratio: want('ModelRatio', undefined), completion_ratio: want('CompletionRatio', 1),
                             cache_ratio: want('CacheRatio', 1), create_cache_ratio: want('CreateCacheRatio', 1),
                             group_ratio: gr };
      for (const [k, v] of Object.entries(expectRatios))
        if (v === undefined || !eqRat(ratOf(o[k]), ratOf(v))) problems.push(`${o.response_id}: ${k} ${o[k]} != book ${v}`);
      assert.equal(o.model_price, -1, 'ratio-priced model');
      // Token columns: prompt = text + audio + image input, completion = text + audio output.
      assert.equal(row.prompt_tokens, u.text_input + u.audio_input + u.image_input, `${o.response_id} prompt column`);
      assert.equal(row.completion_tokens, u.text_output + u.audio_output, `${o.response_id} completion column`);
      assert.equal(o.cache_tokens, u.cached_text);
      assert.equal(o.cache_write_tokens, u.cache_write);
      const R = (k) => ratOf(o[k]);
      const uncachedText = Math.max(0, u.text_input - u.cached_text - u.cache_write);
      let tokens = add(I(uncachedText), mul(I(u.cached_text), R('cache_ratio')));
      tokens = add(tokens, mul(I(u.cache_write), R('create_cache_ratio')));
      tokens = add(tokens, mul(I(u.audio_input - u.cached_audio), R('audio_ratio')));
      tokens = add(tokens, mul(I(u.cached_audio), R('audio_ratio'), R('audio_cache_ratio')));
      tokens = add(tokens, mul(I(u.image_input - u.cached_image), R('image_ratio')));
      tokens = add(tokens, mul(I(u.cached_image), R('image_ratio'), R('cache_ratio')));
      tokens = add(tokens, mul(I(u.text_output), R('completion_ratio')));
      tokens = add(tokens, mul(I(u.audio_output), R('audio_ratio'), R('audio_completion_ratio')));
      let exact = mul(tokens, R('model_ratio'), R('group_ratio'));
      let toolExact = rat(0n);
      for (const [type, n] of Object.entries(o.tool_calls ?? {})) {
        const price = bookLookup(book.ToolCallPrice, type);
        if (price !== undefined) toolExact = add(toolExact, mul(ratOf(price), I(n), rat(500000n, 1000n), R('group_ratio')));
      }
      exact = add(exact, toolExact);
      let quota = roundHalfAway(exact);
      const usageTotal = u.text_input + u.audio_input + u.image_input + u.text_output + u.audio_output;
      if (quota === 0n && (usageTotal > 0 || exact.n > 0n) && ratOf(o.model_ratio).n !== 0n && ratOf(o.group_ratio).n !== 0n) quota = 1n;
      if (BigInt(row.quota) !== quota)
        problems.push(`${o.response_id} (${o.request_path}): quota ${row.quota}, book says ${quota} (exact ${showRat(exact)})`);
      if (o.tool_calls && BigInt(o.tool_quota) !== roundHalfAway(toolExact))
        problems.push(`${o.response_id}: tool_quota ${o.tool_quota}, book says ${roundHalfAway(toolExact)}`);
    }
    assert.deepEqual(problems, []);
    const ws = rrows.find((r) => r.other.response_id === webSearchId);
    assert.ok(ws, 'the web search row');
    assert.equal(ws.other.price_snapshot_id, toolSnapshot, 'the web search call was priced with the imported book');
    assert.deepEqual(ws.other.tool_calls, { web_search_call: 2 });
    assert.equal(ws.other.tool_quota, 10000, '2 calls × US$10/1000 × 500000');
    assert.ok(rrows.some((r) => r.other.request_path === '/v1/responses/compact'), 'the compact row was checked');
    const cached = rrows.filter((r) => r.other.cache_tokens > 0 && r.other.cache_write_tokens > 0);
    assert.ok(cached.length >= 1, 'a row with cached and cache-write tokens was checked');
    const snaps = [...new Set(rrows.map((r) => r.other.price_snapshot_id))].join(',');
    return `${rrows.length} rows, price snapshots ${snaps}`;
  });

  await check('billing: each response the SDKs saw has exactly one consume row with the same tokens', async () => {
    const problems = [];
    for (const [id, s] of seen) {
      const mine = consume.filter((r) => r.other?.response_id === id);
      if (mine.length !== 1) { problems.push(`${s.what} ${id}: ${mine.length} consume rows`); continue; }
      const row = mine[0];
      if (row.prompt_tokens !== s.input || row.completion_tokens !== s.output)
        problems.push(`${s.what} ${id}: SDK usage ${s.input}/${s.output}, log ${row.prompt_tokens}/${row.completion_tokens}`);
    }
    const strangers = consume.filter((r) => !seen.has(r.other?.response_id))
      .map((r) => `${r.other?.request_path} ${r.other?.response_id} quota ${r.quota}`);
    if (strangers.length) problems.push(`consume rows no client call made: ${strangers.join('; ')}`);
    assert.deepEqual(problems, []);
    return `${seen.size} responses`;
  });

  await check('billing: logs == debits (the demo user\'s used quota is the sum of its consume rows)', async () => {
    const user = JSON.parse(admin('user', 'show', 'demo'));
    const sum = consume.reduce((a, r) => a + r.quota, 0);
    assert.equal(user.used_quota, sum, `user used_quota ${user.used_quota}, consume rows sum ${sum}`);
    const key = JSON.parse(admin('key', 'show', keyName));
    assert.equal(key.used_quota, sum, `key used_quota ${key.used_quota}, consume rows sum ${sum}`);
    assert.ok(consume.every((r) => r.key_id === key.id), 'every row is this key\'s');
    const errors = rows.filter((r) => r.type !== 'consume');
    assert.ok(errors.every((r) => r.quota === 0), 'non-consume rows carry no quota');
    return `${sum} quota over ${consume.length} rows`;
  });
} catch (e) {
  failures++;
  console.error('FAIL:', e);
} finally {
  const exited = new Promise((resolve) => server.on('exit', (code, signal) => resolve({ code, signal })));
  server.kill('SIGTERM');
  const { code } = await exited;
  if (code !== 0) {
    failures++;
    console.error('FAIL: relaydeskd exit code', code);
  }
  rmSync(dataDir, { recursive: true, force: true });
}
console.log(`${failures === 0 ? 'all passed' : failures + ' failed'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(failures ? 1 : 0);
