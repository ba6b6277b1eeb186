// The official OpenAI Node SDK against `relaydeskd serve --demo` (fresh data dir, free port):
// chat.completions.create with and without streaming, include_usage, tool calls, models.list and
// the SDK's typed errors for a bad key and an unknown model. Exit code 0 = all checks passed.
//
//   node compat_openai.mjs <path-to-relaydeskd> <node_modules dir>
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';

const [relaydeskd, modulesDir] = process.argv.slice(2);
const require = createRequire(join(modulesDir, 'noop.js'));
const { default: OpenAI } = await import(require.resolve('openai'));

const dataDir = mkdtempSync(join(tmpdir(), 'relaydesk-compat-'));
const server = spawn(relaydeskd, ['serve', '--demo', '--data', dataDir, '--listen', '127.0.0.1:0',
                                  '--demo-delay-ms', '2'], { stdio: ['ignore', 'pipe', 'inherit'] });
let out = '';
let keyMade = false;
const ready = new Promise((resolve, reject) => {
  server.stdout.on('data', (d) => {
    out += d.toString();
    const url = out.match(/Listening on (http:\/\/\S+\/v1)/);
    if (!url || keyMade) return;
    keyMade = true;
    // serve prints the demo key only to a terminal; make one for the demo user (throws on failure).
    const made = JSON.parse(execFileSync(relaydeskd, ['admin', 'key', 'add', '--user', 'demo', '--unlimited', '--data', dataDir]));
    resolve({ apiKey: made.key, baseURL: url[1] });
  });
  server.on('exit', (code) => reject(new Error(`relaydeskd exited early (${code}): ${out}`)));
  setTimeout(() => reject(new Error('relaydeskd did not start: ' + out)), 20000);
});

let failed = false;
try {
  const { apiKey, baseURL } = await ready;
  const client = new OpenAI({ apiKey, baseURL, maxRetries: 0 });
  const messages = [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Say hello.' }];

  // Non-streaming.
  const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, max_tokens: 100 });
  assert.equal(completion.object, 'chat.completion');
  const text = completion.choices[0].message.content;
  assert.ok(text && text.length > 0, 'non-stream content');
  assert.ok(completion.usage.prompt_tokens > 0 && completion.usage.completion_tokens > 0, 'usage');
  console.log('ok - non-stream:', completion.usage);

  // Streaming without include_usage: the same text, and no usage chunk.
  const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
  let streamed = '';
  let usageChunks = 0;
  for await (const chunk of stream) {
    if (chunk.usage) usageChunks++;
    streamed += chunk.choices[0]?.delta?.content ?? '';
  }
  assert.equal(streamed, text);
  assert.equal(usageChunks, 0);
  console.log('ok - stream, no usage chunk');

  // Streaming with include_usage: the final usage chunk arrives.
  const withUsage = await client.chat.completions.create({
    model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } });
  let lastUsage = null;
  for await (const chunk of withUsage) if (chunk.usage) lastUsage = chunk.usage;
  assert.ok(lastUsage && lastUsage.total_tokens === lastUsage.prompt_tokens + lastUsage.completion_tokens);
  console.log('ok - stream with include_usage:', lastUsage);

  // The SDK's stream helper (runTools-style accumulation) and tool calls.
  const tools = await client.chat.completions.stream({
    model: 'gpt-4o-mini', stream: true,
    messages: [{ role: 'user', content: 'Weather in Paris? [[scenario:tools]]' }],
    tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
  });
  const final = await tools.finalChatCompletion();
  const call = final.choices[0].message.tool_calls[0];
  assert.equal(call.function.name, 'get_weather');
  assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Paris', unit: 'celsius' });
  console.log('ok - streamed tool call');

  // models.list
  const models = [];
  for await (const m of client.models.list()) models.push(m.id);
  assert.ok(models.includes('gpt-4o-mini'), models.join(','));
  console.log('ok - models:', models.join(', '));

  // Typed errors.
  const bad = new OpenAI({ apiKey: 'sk-' + 'x'.repeat(48), baseURL, maxRetries: 0 });
  await assert.rejects(bad.chat.completions.create({ model: 'gpt-4o-mini', messages }),
                       (e) => e instanceof OpenAI.AuthenticationError && e.status === 401 && e.code === 'invalid_api_key');
  await assert.rejects(client.chat.completions.create({ model: 'no-such-model', messages }),
                       (e) => e instanceof OpenAI.NotFoundError && e.status === 404);
  console.log('ok - typed errors');
} catch (e) {
  failed = true;
  console.error('FAIL:', e);
} finally {
  const exited = new Promise((resolve) => server.on('exit', (code, signal) => resolve({ code, signal })));
  server.kill('SIGTERM');
  const { code } = await exited;
  if (code !== 0) {
    failed = true;
    console.error('FAIL: relaydeskd exit code', code);
  }
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
