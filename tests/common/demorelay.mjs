// `relaydeskd serve --demo` on a fresh data dir and a free loopback port, for the compatibility tests that drive it
// with official client packages: the admin command line on that data dir, the relay's origin once it listens, a
// bounded wait, and the stop that reports a bad exit. Plain Node, no packages: each test imports it by path.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Starts the relay. `ready` resolves to its origin ("http://127.0.0.1:PORT", without /v1).
export function startDemoRelay(relaydeskd, name) {
  const dataDir = mkdtempSync(join(tmpdir(), `relaydesk-${name}-`));
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
  // Stops the relay and removes its data dir; true when it exited cleanly (code 0 on SIGTERM).
  const stop = async () => {
    const exited = new Promise((resolve) => server.on('exit', (code) => resolve(code)));
    server.kill('SIGTERM');
    const code = await exited;
    rmSync(dataDir, { recursive: true, force: true });
    if (code !== 0) console.error('FAIL: relaydeskd exit code', code);
    return code === 0;
  };
  return { dataDir, admin, ready, stop };
}

// Waits (bounded) until `check` returns a value other than undefined.
export async function until(what, check, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// The quota of a Claude Sonnet 4.5 call by Anthropic's additive usage, at the default book's prices: ModelRatio 1.5,
// CompletionRatio 5, CacheRatio 0.1, CreateCacheRatio 1.25, CreateCacheRatio1h 2. Twice the quota as an exact
// integer, then rounded half away from zero.
export function sonnetQuota(u) {
  const w1h = u.cache_creation?.ephemeral_1h_input_tokens ?? 0;
  const w5m = (u.cache_creation_input_tokens ?? 0) - w1h;
  // 2 × 1.5 × [input + read × 0.1 + w5m × 1.25 + w1h × 2 + output × 5], kept in fortieths to stay integral
  const fortieths = 40 * u.input_tokens + 4 * (u.cache_read_input_tokens ?? 0) + 50 * w5m + 80 * w1h + 200 * u.output_tokens;
  const num = fortieths * 3; // quota × 80
  return Math.floor((num + 40) / 80);
}
