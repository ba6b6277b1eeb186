// Claude Code itself (`claude -p`) against `relaydeskd serve --demo` (fresh data dir, free port) with a channel of
// type anthropic on the demo upstream: one prompt with ANTHROPIC_AUTH_TOKEN (Bearer) and text output, one with
// ANTHROPIC_API_KEY (x-api-key) and JSON output whose prompt asks the demo for cache reads and 5m/1h cache writes.
// Each run must exit 0 with the demo's answer; every /v1/messages call it made is in the relay's logs, charged
// exactly what Anthropic's additive rule gives for its usage, the usage Claude Code reports is what the relay
// billed, and the balance lost is exactly the sum of those calls (count_tokens or any other route: free).
// Claude Code runs with a temporary HOME, non-essential traffic and the autoupdater off, and a proxy that leads
// nowhere for anything but loopback, so it cannot reach the network beyond the relay.
//
//   node compat_claude_code.mjs <path-to-relaydeskd> <node_modules dir>
//
// Exit code 0 = all checks passed (no Claude Code binary for this platform is a failure).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { sonnetQuota, startDemoRelay, until } from '../common/demorelay.mjs';

const [relaydeskd, modulesDir] = process.argv.slice(2);
const model = 'claude-sonnet-4-5';
const demoAnswer = 'Hello! This is the RelayDesk demo upstream.';

// The package's own launcher for installs without postinstall (npm ci --ignore-scripts): it finds the platform
// package's native binary and runs it.
const launcher = join(modulesDir, '@anthropic-ai', 'claude-code', 'cli-wrapper.cjs');
const platformPackage = join(modulesDir, '@anthropic-ai',
                             `claude-code-${process.platform}-${process.arch}`);
if (!existsSync(launcher) || !existsSync(platformPackage)) {
  // A failure, not a skip: a test that passes without running proves nothing.
  console.error(`FAIL: no Claude Code binary for ${process.platform}-${process.arch} in ${modulesDir}`);
  process.exit(1);
}

const relay = startDemoRelay(relaydeskd, 'compat-claude-code');
const { admin, ready, dataDir } = relay;
const homeDir = mkdtempSync(join(tmpdir(), 'relaydesk-claude-home-'));
// `admin logs` prints one JSON row per line, newest first.
const logs = () => execFileSync(relaydeskd, ['admin', 'logs', '--limit', '100', '--data', dataDir]).toString()
  .split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));


// A consume row's usage in Anthropic's additive terms (the log keeps the prompt with its cache parts in it).
function rowUsage(row) {
  const u = row.other.usage;
  const write = u.cache_write ?? 0;
  const write1h = u.cache_write_1h ?? 0;
  return {
    input_tokens: u.text_input - u.cached_text - write,
    cache_read_input_tokens: u.cached_text,
    cache_creation_input_tokens: write,
    cache_creation: { ephemeral_1h_input_tokens: write1h, ephemeral_5m_input_tokens: write - write1h },
    output_tokens: u.text_output,
  };
}

// Runs `claude -p <prompt>`; resolves with its exit code, stdout and stderr.
function claude(base, auth, prompt, extraArgs) {
  const env = {
    PATH: process.env.PATH,
    HOME: homeDir,
    ANTHROPIC_BASE_URL: base,
    ...auth,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    // Nothing but loopback: any other host goes to a proxy that does not answer.
    HTTPS_PROXY: 'http://127.0.0.1:9',
    HTTP_PROXY: 'http://127.0.0.1:9',
    NO_PROXY: '127.0.0.1,localhost',
  };
  const child = spawn(process.execPath, [launcher, '-p', prompt, '--model', model, ...extraArgs],
                      { env, cwd: homeDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('claude timed out: ' + stderr)); }, 90000);
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

// The consume rows of /v1/messages calls not seen before, once `count` of them are in.
async function newMessagesRows(seen, count) {
  return until(`${count} /v1/messages log rows`, () => {
    const rows = logs()
      .filter((r) => r.type === 'consume' && !seen.has(r.id));
    return rows.length >= count ? rows : undefined;
  });
}

let failed = false;
try {
  const base = await ready;
  const demo = admin('channel', 'list').find((c) => c.name === 'demo');
  admin('channel', 'add', '--type', 'anthropic', '--name', 'claude', '--base-url', demo.base_url, '--key', 'demo',
        '--models', 'claude-sonnet-4-5,claude-haiku-4-5');
  const key = admin('key', 'add', '--user', 'demo', '--unlimited').key;
  const balance = () => admin('user', 'show', 'demo').quota;

  // The running relay picks the new channel up from the change feed: the Anthropic-shaped model list shows it.
  await until('the anthropic channel', async () => {
    const r = await fetch(`${base}/v1/models?limit=1000`, { headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01' } });
    const body = await r.json();
    return body.data?.some((m) => m.id === model && m.type === 'model') ? true : undefined;
  });

  const seen = new Set(logs().map((r) => r.id));

  // 1. ANTHROPIC_AUTH_TOKEN (Authorization: Bearer), plain text output.
  let before = balance();
  const text = await claude(base, { ANTHROPIC_AUTH_TOKEN: key }, 'Say hello', []);
  assert.equal(text.code, 0, `claude exited ${text.code}: ${text.stderr}`);
  assert.ok(text.stdout.includes(demoAnswer), 'the demo answer on stdout: ' + text.stdout);
  let rows = await newMessagesRows(seen, 1);
  let charged = 0;
  for (const row of rows) {
    assert.equal(row.other.request_path, '/v1/messages');
    assert.equal(row.model, model);
    assert.equal(row.quota, sonnetQuota(rowUsage(row)), 'charged by the additive rule');
    charged += row.quota;
    seen.add(row.id);
  }
  assert.equal(before - balance(), charged, 'only /v1/messages calls cost anything');
  console.log(`ok - claude -p with ANTHROPIC_AUTH_TOKEN: ${rows.length} /v1/messages call(s), charged ${charged}`);

  // 2. ANTHROPIC_API_KEY (x-api-key), JSON output with the usage Claude Code saw: cache reads and 5m/1h writes.
  before = balance();
  const json = await claude(base, { ANTHROPIC_API_KEY: key }, 'Say hello. [[scenario:cache_read,cache_write_1h]]',
                            ['--output-format', 'json']);
  assert.equal(json.code, 0, `claude exited ${json.code}: ${json.stderr}`);
  const result = JSON.parse(json.stdout);
  assert.equal(result.is_error, false);
  assert.ok(result.result.startsWith(demoAnswer), 'the demo answer as the result: ' + result.result);
  assert.equal(result.usage.cache_creation.ephemeral_1h_input_tokens, 1024);
  rows = await newMessagesRows(seen, 1);
  charged = 0;
  const summed = { input_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0, output_tokens: 0 };
  for (const row of rows) {
    const u = rowUsage(row);
    assert.equal(row.quota, sonnetQuota(u), 'charged by the additive rule');
    for (const k of Object.keys(summed)) summed[k] += u[k];
    charged += row.quota;
  }
  for (const k of Object.keys(summed)) assert.equal(summed[k], result.usage[k], `${k} as Claude Code counted it`);
  assert.equal(before - balance(), charged, 'only /v1/messages calls cost anything');
  if (rows.length === 1) assert.equal(charged, sonnetQuota(result.usage));
  console.log(`ok - claude -p with ANTHROPIC_API_KEY: ${rows.length} /v1/messages call(s), usage`,
              result.usage.input_tokens, '+', result.usage.cache_read_input_tokens, 'read +',
              result.usage.cache_creation_input_tokens, 'written +', result.usage.output_tokens, 'out, charged', charged);
} catch (e) {
  failed = true;
  console.error('FAIL:', e);
} finally {
  if (!(await relay.stop())) failed = true;
  rmSync(homeDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
