// OpenAI-shaped clients calling a Claude model, against `relaydeskd serve --demo` (fresh data dir, free port) with
// a channel of type anthropic on the demo upstream: the relay converts Chat Completions to Anthropic's Messages
// API and back. The OpenAI Node SDK (create, stream with include_usage, tool calls JSON and streamed through
// chat.completions.stream → finalChatCompletion, a typed 400 for a field Claude cannot take) and the Vercel AI SDK
// (generateText, streamText with a tool) — each call's charge checked to the quota against the usage the client
// saw, by Anthropic's additive rule. Exit code 0 = all checks passed.
//
//   node compat_claude_chat.mjs <path-to-relaydeskd> <node_modules dir>
import { join } from 'node:path';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';
import { startDemoRelay, until } from '../common/demorelay.mjs';

const [relaydeskd, modulesDir] = process.argv.slice(2);
const require = createRequire(join(modulesDir, 'noop.js'));
const { default: OpenAI } = await import(require.resolve('openai'));
const ai = await import(require.resolve('ai'));
const { createOpenAI } = await import(require.resolve('@ai-sdk/openai'));
const { z } = await import(require.resolve('zod'));

// A dated name, priced as claude-sonnet-4-5: the demo's own OpenAI-wire channel lists the undated one, and a model
// that an OpenAI-wire channel serves is not converted.
const MODEL = 'claude-sonnet-4-5-20250929';
const relay = startDemoRelay(relaydeskd, 'compat-claude-chat');
const { admin, ready, dataDir } = relay;

// Claude Sonnet 4.5 in the default book: ModelRatio 1.5, CompletionRatio 5, CacheRatio 0.1. The chat usage a
// client sees: prompt_tokens = input + cache reads (+ writes; none here), cached_tokens = the reads. Twice the
// quota in exact tenths: 2 × 1.5 × [uncached + cached × 0.1 + output × 5], rounded half away from zero.
function expectedQuota(prompt, cached, output) {
  const tenths = 10 * (prompt - cached) + cached + 50 * output; // 10 × [...]
  return Math.floor((tenths * 3 + 10) / 20);
}

let failed = false;
try {
  const base = (await ready) + '/v1';
  const demo = admin('channel', 'list').find((c) => c.name === 'demo');
  admin('channel', 'add', '--type', 'anthropic', '--name', 'claude-chat', '--base-url', demo.base_url,
        '--key', 'demo', '--models', MODEL);
  const made = admin('key', 'add', '--user', 'demo', '--unlimited');
  const client = new OpenAI({ apiKey: made.key, baseURL: base, maxRetries: 0 });
  const balance = () => admin('user', 'show', 'demo').quota;
  const charged = async (before, want) =>
    until('the settlement', () => (before - balance() === want ? want : undefined));

  // The running relay picks the new channel up from the change feed.
  let before = balance();
  const completion = await until('the anthropic channel', async () => {
    try {
      return await client.chat.completions.create({
        model: MODEL, max_tokens: 200, messages: [{ role: 'system', content: 'Be terse.' },
                                                  { role: 'user', content: 'Say hello.' }] });
    } catch (e) { if (e.status === 404) return undefined; throw e; }
  });
  assert.equal(completion.object, 'chat.completion');
  assert.ok(completion.choices[0].message.content.startsWith('Hello!'));
  assert.equal(completion.choices[0].finish_reason, 'stop');
  const u = completion.usage;
  assert.equal(u.total_tokens, u.prompt_tokens + u.completion_tokens);
  await charged(before, expectedQuota(u.prompt_tokens, u.prompt_tokens_details.cached_tokens, u.completion_tokens));
  console.log('ok - chat.completions.create:', u);

  // A stream with include_usage, cache reads in the demo's usage.
  before = balance();
  const stream = await client.chat.completions.create({
    model: MODEL, max_tokens: 200, stream: true, stream_options: { include_usage: true },
    messages: [{ role: 'user', content: 'Say hello. [[scenario:cache_read]]' }] });
  let text = '';
  let usage = null;
  let finish = null;
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices[0];
    if (choice?.delta?.content) text += choice.delta.content;
    if (choice?.finish_reason) finish = choice.finish_reason;
  }
  assert.ok(text.startsWith('Hello!'));
  assert.equal(finish, 'stop');
  assert.equal(usage.prompt_tokens_details.cached_tokens, 2048);
  await charged(before, expectedQuota(usage.prompt_tokens, 2048, usage.completion_tokens));
  console.log('ok - streamed with include_usage:', usage);

  // Tool calls, JSON and through the SDK's stream helper.
  const tools = [{ type: 'function', function: { name: 'get_weather', description: 'Weather by city',
                   parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }];
  const weather = [{ role: 'user', content: 'Weather in Paris? [[scenario:tools]]' }];
  const called = await client.chat.completions.create({ model: MODEL, max_tokens: 100, tools, messages: weather });
  assert.equal(called.choices[0].finish_reason, 'tool_calls');
  const call = called.choices[0].message.tool_calls[0];
  assert.equal(call.function.name, 'get_weather');
  assert.equal(JSON.parse(call.function.arguments).city, 'Paris');
  const runner = client.chat.completions.stream({ model: MODEL, max_tokens: 100, tools, messages: weather });
  const final = await runner.finalChatCompletion();
  assert.equal(final.choices[0].message.tool_calls[0].id, call.id);
  assert.deepEqual(JSON.parse(final.choices[0].message.tool_calls[0].function.arguments),
                   JSON.parse(call.function.arguments));
  // The tool's answer goes back as a tool message (a tool_result block upstream).
  const answered = await client.chat.completions.create({
    model: MODEL, max_tokens: 100, tools,
    messages: [...weather, called.choices[0].message, { role: 'tool', tool_call_id: call.id, content: '18°C' }] });
  assert.ok(answered.choices[0].message.content.startsWith('Hello!'));
  console.log('ok - tool calls (JSON, stream helper, tool result)');

  // A field Claude cannot take: a typed 400 naming it, nothing charged.
  before = balance();
  await assert.rejects(client.chat.completions.create({ model: MODEL, n: 2, messages: weather }),
                       (e) => e instanceof OpenAI.BadRequestError && e.param === 'n');
  assert.equal(balance(), before);
  console.log('ok - unconvertible field refused');

  // The Vercel AI SDK's OpenAI chat provider.
  const provider = createOpenAI({ apiKey: made.key, baseURL: base });
  before = balance();
  const generated = await ai.generateText({ model: provider.chat(MODEL), prompt: 'Say hello.', maxOutputTokens: 200 });
  assert.ok(generated.text.startsWith('Hello!'));
  const gu = generated.usage;
  await charged(before, expectedQuota(gu.inputTokens, gu.cachedInputTokens ?? 0, gu.outputTokens));
  before = balance();
  const streamed = ai.streamText({
    model: provider.chat(MODEL), prompt: 'Weather in Paris? [[scenario:tools]]', maxOutputTokens: 100,
    tools: { get_weather: ai.tool({ description: 'Weather by city', inputSchema: z.object({ city: z.string() }) }) } });
  const toolCalls = await streamed.toolCalls;
  assert.equal(toolCalls[0].toolName, 'get_weather');
  assert.equal(toolCalls[0].input.city, 'Paris');
  const su = await streamed.usage;
  await charged(before, expectedQuota(su.inputTokens, su.cachedInputTokens ?? 0, su.outputTokens));
  console.log('ok - ai generateText / streamText with a tool:', gu, su);
} catch (e) {
  failed = true;
  console.error('FAIL:', e);
} finally {
  if (!(await relay.stop())) failed = true;
}
process.exit(failed ? 1 : 0);
