// A transcription session (dictation apps' way in): a client secret minted with the openai SDK for a transcription
// session, `GET /v1/realtime?intent=transcription` with it (the ws package, as the openai SDK's own Realtime client
// opens only ?model= URLs), `session.update` type transcription, then audio appended and committed twice — once
// transcribed by gpt-4o-mini-transcribe (usage by tokens), once by whisper-1 (usage by duration). Each
// `conversation.item.input_audio_transcription.completed` must be billed exactly what its usage prices to
// (`relaydeskd admin quote`, one rounding per session), to the parent key, logs == debits.
//   node compat_realtime_transcription.mjs <https base url incl. /v1> <api key>   (environment: realtimecompat.mjs)
import { checkBilled, deadline, fail, load, makeUser, quoteExact, settle, transcriptionCounts, until }
  from './realtimecompat.mjs';

const { default: OpenAI } = await load('openai');
const { default: WebSocket } = await load('ws');

const [baseURL] = process.argv.slice(2);
deadline(30000);
const user = makeUser('transcription', 1_000_000);
const transcription = (model) => ({ type: 'transcription', audio: { input: { transcription: { model } } } });

const backend = new OpenAI({ apiKey: user.key, baseURL, maxRetries: 0 });
const secret = await backend.realtime.clientSecrets.create({
  expires_after: { anchor: 'created_at', seconds: 60 }, session: transcription('gpt-4o-mini-transcribe'),
});
if (!secret.value?.startsWith('ek_')) fail('no ek_ client secret minted');
if (secret.session?.type !== 'transcription') fail(`the secret's session is ${secret.session?.type}, not transcription`);

const ws = new WebSocket(`${baseURL.replace(/^http/, 'ws')}/realtime?intent=transcription`,
                         { headers: { Authorization: `Bearer ${secret.value}` } });
ws.on('unexpected-response', (_req, res) => fail(`the upgrade was answered with HTTP ${res.statusCode}`));
ws.on('error', (e) => fail(`websocket error: ${e.message}`));
const events = [];
ws.on('message', (data) => {
  const event = JSON.parse(data.toString());
  if (event.type === 'error') fail(`the relay sent an error: ${JSON.stringify(event.error)}`);
  events.push(event);
});
const send = (event) => ws.send(JSON.stringify(event));
const next = async (type, from) => until(type, () => events.slice(from).find((e) => e.type === type));
await new Promise((resolve) => ws.once('open', resolve));

const completed = []; // [model, usage] per item, as the client saw them
const pcm = Buffer.alloc(4800).toString('base64'); // 100 ms of pcm16 at 24 kHz
for (const [model, chunks] of [['gpt-4o-mini-transcribe', 10], ['whisper-1', 15]]) {
  const mark = events.length;
  send({ type: 'session.update', session: transcription(model) });
  await next('session.updated', mark);
  for (let i = 0; i < chunks; i++) send({ type: 'input_audio_buffer.append', audio: pcm });
  send({ type: 'input_audio_buffer.commit' });
  const done = await next('conversation.item.input_audio_transcription.completed', mark);
  if (!done.transcript) fail(`${model}: the completed item has no transcript`);
  if (!done.usage) fail(`${model}: the completed item has no usage`);
  completed.push([model, done.usage]);
}
if (events.some((e) => e.type.startsWith('response.'))) fail('a transcription session produced a response');
const shapes = completed.map(([, usage]) => usage.type).join(',');
if (shapes !== 'tokens,duration') fail(`expected usage by tokens then by duration, got ${shapes}`);
ws.close();

const rows = await until('the session\'s log row', () => {
  const { rows: r } = checkBilled(user, undefined, 'transcription session (so far)');
  return r.length >= 1 ? r : undefined;
});
const expected = settle(completed.map(([model, usage]) => quoteExact(model, transcriptionCounts(usage))));
const { logged } = checkBilled(user, expected, 'transcription session');
if (rows.length !== 1) fail(`expected one consume row for the session, got ${rows.length}`);
if (rows[0].other.session_type !== 'transcription') fail(`the row's session type is ${rows[0].other.session_type}`);
if (rows[0].other.transcription?.count !== completed.length)
  fail(`the log counts ${rows[0].other.transcription?.count} transcriptions, the client saw ${completed.length}`);

console.log(`OK: transcription session with an ek_, ${completed.length} completed items (${shapes}) billed ` +
            `${logged} quota to the parent key`);
process.exit(0);
