// The official Anthropic TypeScript SDK against `relaydeskd serve --demo` (fresh data dir, free port) with a
// channel of type anthropic on the demo upstream: messages.create, messages.stream → finalMessage (with 5-minute
// and 1-hour cache writes), messages.countTokens (free), and the SDK's typed errors — each call's charge checked
// to the quota against the reply's usage by Anthropic's additive rule. Exit code 0 = all checks passed.
//
//   node compat_anthropic.mjs <path-to-relaydeskd> <node_modules dir>
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';

const [relaydeskd, modulesDir] = process.argv.slice(2);
const require = createRequire(join(modulesDir, 'noop.js'));
const { default: Anthropic } = await import(require.resolve('@anthropic-ai/sdk'));

const dataDir = mkdtempSync(join(tmpdir(), 'relaydesk-compat-anthropic-'));
const admin = (...args) => JSON.parse(execFileSync(relaydeskd, ['admin', ...args, '--data', dataDir]));
const server = spawn(relaydeskd, ['serve', '--demo', '--data', dataDir, '--listen', '127.0.0.1:0',
                                  '--demo-delay-ms', '2'], { stdio: ['ignore', 'pipe', 'inherit'] });
let out = '';
const ready = new Promise((resolve, reject) => {
  server.stdout.on('data', (d) => {
    out += d.toString();
    const url = out.match(/Listening on (http:\/\/\S+)\/v1/);
    if (url) resolve(url[1]);
  });
  server.on('exit', (code) => reject(new Error(`relaydeskd exited early (${code}): ${out}`)));
  setTimeout(() => reject(new Error('relaydeskd did not start: ' + out)), 20000);
});

// Waits (bounded) until `check` returns a value other than undefined.
async function until(what, check, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// Claude Sonnet 4.5 in the default book: ModelRatio 1.5, CompletionRatio 5, CacheRatio 0.1, CreateCacheRatio 1.25,
// CreateCacheRatio1h 2 (default). Twice the quota, as an exact integer, then rounded half away from zero.
function expectedQuota(u) {
  const w1h = u.cache_creation?.ephemeral_1h_input_tokens ?? 0;
  const w5m = (u.cache_creation_input_tokens ?? 0) - w1h;
  // 2 × 1.5 × [input + read × 0.1 + w5m × 1.25 + w1h × 2 + output × 5], kept in fortieths to stay integral
  const fortieths = 40 * u.input_tokens + 4 * (u.cache_read_input_tokens ?? 0) + 50 * w5m + 80 * w1h + 200 * u.output_tokens;
  const num = fortieths * 3; // quota × 80
  return Math.floor((num + 40) / 80);
}

let failed = false;
try {
  const base = await ready;
  const demo = admin('channel', 'list').find((c) => c.name === 'demo');
  admin('channel', 'add', '--type', 'anthropic', '--name', 'claude', '--base-url', demo.base_url, '--key', 'demo',
        '--models', 'claude-sonnet-4-5');
  const made = admin('key', 'add', '--user', 'demo', '--unlimited');
  const client = new Anthropic({ apiKey: made.key, baseURL: base, maxRetries: 0 });
  const balance = () => admin('user', 'show', 'demo').quota;
  const messages = [{ role: 'user', content: 'Say hello.' }];

  // The running relay picks the new channel up from the change feed: count_tokens answers once it has.
  const counted = await until('the anthropic channel', async () => {
    try { return await client.messages.countTokens({ model: 'claude-sonnet-4-5', messages }); }
    catch (e) { if (e.status === 404) return undefined; throw e; }
  });
  assert.ok(counted.input_tokens > 0);
  const start = balance();
  await client.messages.countTokens({ model: 'claude-sonnet-4-5', system: 'Be terse.', messages });
  assert.equal(balance(), start, 'count_tokens is free');
  console.log('ok - countTokens:', counted.input_tokens, 'tokens, no charge');

  // messages.create: the charge is settled before the reply is sent.
  let before = balance();
  const message = await client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 200, system: 'Be terse.', messages });
  assert.equal(message.type, 'message');
  assert.ok(message.content[0].text.startsWith('Hello!'));
  assert.equal(before - balance(), expectedQuota(message.usage));
  console.log('ok - messages.create:', message.usage, 'charged', expectedQuota(message.usage));

  // messages.stream → finalMessage, with cache reads and 5m/1h writes.
  before = balance();
  const stream = client.messages.stream({
    model: 'claude-sonnet-4-5', max_tokens: 200,
    messages: [{ role: 'user', content: 'Say hello. [[scenario:cache_read,cache_write_1h]]' }] });
  const final = await stream.finalMessage();
  assert.ok(final.content[0].text.startsWith('Hello!'));
  assert.equal(final.usage.cache_creation.ephemeral_1h_input_tokens, 1024);
  const want = expectedQuota(final.usage);
  const spent = await until('the stream settlement', () => (before - balance() > 0 ? before - balance() : undefined));
  assert.equal(spent, want);
  console.log('ok - messages.stream finalMessage:', final.usage, 'charged', want);

  // Typed errors in Anthropic's shape.
  const bad = new Anthropic({ apiKey: 'sk-' + 'x'.repeat(48), baseURL: base, maxRetries: 0 });
  await assert.rejects(bad.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 10, messages }),
                       (e) => e instanceof Anthropic.AuthenticationError && e.status === 401 &&
                              e.error?.error?.type === 'authentication_error');
  await assert.rejects(client.messages.create({ model: 'no-such-model', max_tokens: 10, messages }),
                       (e) => e instanceof Anthropic.NotFoundError && e.error?.error?.type === 'not_found_error');
  await assert.rejects(client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 10,
                                                messages: [{ role: 'user', content: '[[scenario:error_529]]' }] }),
                       (e) => e.status === 529 && e.error?.error?.type === 'overloaded_error');
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
