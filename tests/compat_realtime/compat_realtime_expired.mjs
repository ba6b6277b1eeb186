// An expired ephemeral client secret is refused before the upgrade: a secret minted with the openai SDK for the
// shortest lifetime (10 s) opens a session with @openai/agents-realtime while it is valid; once the clock is past
// its expires_at the same transport's connect fails with the handshake's 401, no session is opened and nothing
// more is billed (the user's rows and balance are unchanged by the refused attempt; logs == debits).
//   node compat_realtime_expired.mjs <https base url incl. /v1> <api key>   (environment: see realtimecompat.mjs)
import { balance, checkBilled, deadline, fail, load, logs, makeUser, until } from './realtimecompat.mjs';

const { default: OpenAI } = await load('openai');
const { OpenAIRealtimeWebSocket } = await load('@openai/agents-realtime');

const [baseURL] = process.argv.slice(2);
deadline(40000);
const model = 'gpt-realtime';
const url = `${baseURL.replace(/^http/, 'ws')}/realtime?model=${model}`;
const user = makeUser('expired-secret', 1_000_000);

const backend = new OpenAI({ apiKey: user.key, baseURL, maxRetries: 0 });
const secret = await backend.realtime.clientSecrets.create({
  expires_after: { anchor: 'created_at', seconds: 10 },
  session: { type: 'realtime', model },
});
if (!secret.value?.startsWith('ek_')) fail('no ek_ client secret minted');

// While valid, the secret opens a session (so the refusal below is the expiry's, not the secret's).
const valid = new OpenAIRealtimeWebSocket({ model });
await valid.connect({ apiKey: secret.value, model, url });
if (valid.status !== 'connected') fail(`a valid secret did not connect (${valid.status})`);
valid.close();
await until('the valid session to settle', () => (logs(user).length >= 1 ? true : undefined));
const rowsBefore = logs(user).length; // every row: a refused upgrade must not even log a consume row
const balanceBefore = balance(user);

// expires_at is in whole seconds (rounded down): the secret is surely expired one second after it.
const expiredAt = (secret.expires_at + 1) * 1000;
await until('the secret to expire', () => (Date.now() >= expiredAt ? true : undefined), 20000);

const expired = new OpenAIRealtimeWebSocket({ model });
const errors = [];
expired.on('error', (e) => errors.push(e.error));
let connected = false;
try {
  await expired.connect({ apiKey: secret.value, model, url });
  connected = true;
} catch (e) {
  if (!/\b401\b/.test(String(e?.message ?? e))) fail(`an expired secret: expected the upgrade's 401, got ${e?.message ?? e}`);
}
if (connected) fail('an expired client secret opened a session');
if (expired.status !== 'disconnected') fail(`after the refusal the transport is ${expired.status}`);

// A refusal before the upgrade bills nothing: no consume row, the balance unchanged.
const after = logs(user); // newest first: the rows since the refused attempt lead
if (after.slice(0, after.length - rowsBefore).some((r) => r.type === 'consume'))
  fail('the refused session has a consume row');
if (balance(user) !== balanceBefore) fail(`the refused session moved the balance (${balanceBefore} -> ${balance(user)})`);
const { logged } = checkBilled(user, undefined, 'expired client secret');

console.log(`OK: a valid ek_ connected, the same ek_ refused with 401 after expires_at ${secret.expires_at}; ` +
            `billed ${logged} quota in all, nothing for the refused attempt`);
process.exit(0);
