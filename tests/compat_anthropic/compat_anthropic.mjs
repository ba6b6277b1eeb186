// The official Anthropic TypeScript SDK against `relaydeskd serve --demo` (fresh data dir, free port) with a
// channel of type anthropic on the demo upstream: messages.create, messages.stream → finalMessage (with 5-minute
// and 1-hour cache writes), messages.countTokens (free), and the SDK's typed errors — each call's charge checked
// to the quota against the reply's usage by Anthropic's additive rule. Exit code 0 = all checks passed.
//
//   node compat_anthropic.mjs <path-to-relaydeskd> <node_modules dir>
import { join } from 'node:path';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';
import { sonnetQuota, startDemoRelay, until } from '../common/demorelay.mjs';

const [relaydeskd, modulesDir] = process.argv.slice(2);
const require = createRequire(join(modulesDir, 'noop.js'));
const { default: Anthropic } = await import(require.resolve('@anthropic-ai/sdk'));

const relay = startDemoRelay(relaydeskd, 'compat-anthropic');
const { admin, ready, dataDir } = relay;


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
  assert.equal(before - balance(), sonnetQuota(message.usage));
  console.log('ok - messages.create:', message.usage, 'charged', sonnetQuota(message.usage));

  // messages.stream → finalMessage, with cache reads and 5m/1h writes.
  before = balance();
  const stream = client.messages.stream({
    model: 'claude-sonnet-4-5', max_tokens: 200,
    messages: [{ role: 'user', content: 'Say hello. [[scenario:cache_read,cache_write_1h]]' }] });
  const final = await stream.finalMessage();
  assert.ok(final.content[0].text.startsWith('Hello!'));
  assert.equal(final.usage.cache_creation.ephemeral_1h_input_tokens, 1024);
  const want = sonnetQuota(final.usage);
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
  if (!(await relay.stop())) failed = true;
}
process.exit(failed ? 1 : 0);
