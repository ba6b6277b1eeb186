// What the Realtime compatibility scripts share, run by run_compat_realtime.sh against `relaydeskd serve --demo
// --tls`: the pinned packages (loaded from the build dir's node_modules), the admin command line on the relay's
// data dir (users with a known balance, their logs and balance, quotes) and exact quota sums. Plain Node.
//
// The runner's environment: RELAYDESKD (the binary), RELAYDESK_DATA (serve's data dir), RELAYDESK_DEMO_URL (the
// demo upstream's origin), RELAYDESK_NODE_MODULES (where npm ci installed package-lock.json).
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

export { until } from '../common/demorelay.mjs';

export const fail = (message) => {
  console.error(`FAIL: ${message}`);
  process.exit(1);
};

// An exception nobody caught (a package's own, in an event handler) is a failure with a FAIL: line too.
process.on('uncaughtException', (e) => fail(`uncaught ${e?.stack ?? e}`));
process.on('unhandledRejection', (e) => fail(`unhandled rejection ${e?.stack ?? e}`));

// A deadline for the whole script: a hang is a failure with a reason, not a CTest timeout.
export function deadline(ms, what = 'timed out') {
  setTimeout(() => fail(what), ms).unref();
}

function env(name) {
  const value = process.env[name];
  if (!value) fail(`${name} is not set (run through run_compat_realtime.sh)`);
  return value;
}

const require = createRequire(join(resolve(env('RELAYDESK_NODE_MODULES')), 'noop.js'));
// A pinned package (or a subpath of one) from the build dir's node_modules.
export const load = (specifier) => import(require.resolve(specifier));

export const demoUrl = () => env('RELAYDESK_DEMO_URL');

// `relaydeskd admin …` on the relay's data dir: the JSON it prints (one object, or one per line for logs).
function adminText(...args) {
  return execFileSync(env('RELAYDESKD'), ['admin', ...args, '--data', env('RELAYDESK_DATA')]).toString();
}
export const admin = (...args) => JSON.parse(adminText(...args));

// A user with `quota` and an unlimited key of its own: the user's balance is what runs out.
export function makeUser(name, quota) {
  admin('user', 'add', name, '--quota', String(quota));
  const key = admin('key', 'add', '--user', name, '--unlimited');
  return { name, key: key.key, keyId: key.id, initial: quota };
}

export const balance = (user) => admin('user', 'show', user.name).quota;

// The user's log rows, newest first.
export const logs = (user) => adminText('logs', '--user', user.name, '--limit', '1000').split('\n')
  .filter((l) => l.trim()).map((l) => JSON.parse(l));
export const consumeRows = (user) => logs(user).filter((r) => r.type === 'consume');

// ---- exact quota: the relay settles a session's exact rational sum once, half away from zero ----------------

// "4987.5" or "1/3" (Quote::exactText) as [numerator, denominator] BigInts.
function fraction(text) {
  if (text.includes('/')) {
    const [n, d] = text.split('/');
    return [BigInt(n), BigInt(d)];
  }
  const [whole, decimals = ''] = text.split('.');
  const den = 10n ** BigInt(decimals.length);
  return [BigInt(whole) * den + BigInt(decimals || '0'), den]; // quotas are never negative
}

// The exact quota `relaydeskd admin quote` gives for `model` and the usage counts in `counts` (its option
// names without dashes: prompt, completion, cached, audio-in, audio-out, cached-audio, seconds …).
export function quoteExact(model, counts) {
  const args = ['quote', '--model', model];
  for (const [name, value] of Object.entries(counts)) if (value) args.push(`--${name}`, String(value));
  return fraction(admin(...args).exact);
}

// Σ of exact quotes, rounded half away from zero (all are non-negative here).
export function settle(exacts) {
  let [num, den] = [0n, 1n];
  for (const [n, d] of exacts) [num, den] = [num * d + n * den, den * d];
  return Number((2n * num + den) / (2n * den));
}

// A Realtime response.done usage in quote options (text input includes its cached part, audio likewise).
export function responseCounts(usage) {
  const input = usage.input_token_details ?? {};
  const cached = input.cached_tokens_details ?? {};
  const output = usage.output_token_details ?? {};
  return {
    prompt: input.text_tokens, cached: cached.text_tokens, 'audio-in': input.audio_tokens,
    'cached-audio': cached.audio_tokens, completion: output.text_tokens, 'audio-out': output.audio_tokens,
  };
}

// A transcription's `completed` usage in quote options: by tokens, or by duration.
export function transcriptionCounts(usage) {
  if (usage.type === 'duration') return { seconds: usage.seconds };
  const input = usage.input_token_details ?? {};
  return { prompt: input.text_tokens, 'audio-in': input.audio_tokens, completion: usage.output_tokens };
}

// The checks every billed scenario ends with: the user's consume rows add up to exactly `expected`, which is
// exactly what the balance lost, all on `user`'s own key, and the balance is not below zero.
export function checkBilled(user, expected, what) {
  const rows = consumeRows(user);
  const logged = rows.reduce((sum, r) => sum + r.quota, 0);
  const drop = user.initial - balance(user);
  if (balance(user) < 0) fail(`${what}: the balance is below zero (${balance(user)})`);
  for (const r of rows) if (r.key_id !== user.keyId) fail(`${what}: a row billed key ${r.key_id}, not the parent key ${user.keyId}`);
  if (logged !== drop) fail(`${what}: the logs add up to ${logged}, the balance dropped by ${drop}`);
  if (expected !== undefined && logged !== expected) fail(`${what}: billed ${logged}, the usage prices to ${expected}`);
  return { rows, logged };
}
