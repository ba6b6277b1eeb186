// @openai/agents-realtime's OpenAIRealtimeWebSocket with an ephemeral client secret, through the relay over TLS:
// a backend mints an `ek_` with the openai SDK (client.realtime.clientSecrets.create) with the key of a user whose
// balance is known; the Agents SDK's transport connects with it, sends one text turn and one audio turn
// (input audio committed, then transcribed by the demo and answered), and closes. The relay must bill exactly what
// the usage the SDK saw prices to (`relaydeskd admin quote` per response and per input transcription, one
// rounding per session), to the parent key, and the balance must have lost exactly what the logs say.
//   node compat_realtime_secret.mjs <https base url incl. /v1> <api key>   (environment: see realtimecompat.mjs)
import { checkBilled, deadline, fail, load, makeUser, quoteExact, responseCounts, settle, transcriptionCounts, until }
  from './realtimecompat.mjs';

const { default: OpenAI } = await load('openai');
const { OpenAIRealtimeWebSocket } = await load('@openai/agents-realtime');

const [baseURL] = process.argv.slice(2);
deadline(45000);
const model = 'gpt-realtime';
const transcriptionModel = 'gpt-4o-mini-transcribe'; // input audio transcription, billed at its own prices
const user = makeUser('agents-secret', 5_000_000);

const backend = new OpenAI({ apiKey: user.key, baseURL, maxRetries: 0 });
const secret = await backend.realtime.clientSecrets.create({
  expires_after: { anchor: 'created_at', seconds: 120 },
  session: { type: 'realtime', model, instructions: 'Be brief.' },
});
if (!secret.value?.startsWith('ek_')) fail('no ek_ client secret minted');

const rt = new OpenAIRealtimeWebSocket({ model });
const responses = []; // response.done usages, as the SDK saw them
const transcriptions = []; // input transcription usages, idem
const seen = new Set();
rt.on('*', (event) => {
  seen.add(event.type);
  if (event.type === 'conversation.item.input_audio_transcription.completed' && event.usage)
    transcriptions.push(event.usage);
});
rt.on('response.done', (event) => responses.push(event.response.usage));
rt.on('error', (e) => fail(`the Agents SDK reported an error: ${JSON.stringify(e.error?.message ?? e.error ?? e)}`));

// The transport opens wss://…/v1/realtime with the secret as its Bearer key (Node: the ws package's headers).
await rt.connect({
  apiKey: secret.value, model, url: `${baseURL.replace(/^http/, 'ws')}/realtime?model=${model}`,
  initialSessionConfig: { audio: { input: { transcription: { model: transcriptionModel } } } },
});
if (rt.status !== 'connected') fail(`the Agents SDK's transport is ${rt.status}, not connected`);

// Turn 1: text in, answered (the SDK's default output: audio with its transcript).
rt.sendMessage('Say hello through the relay.');
await until('the text turn', () => (responses.length >= 1 ? true : undefined));
if (!responses[0]?.output_tokens) fail('the text turn has no usage');

// Turn 2: 1 s of pcm16 silence (24 kHz) in, committed, then a response.
rt.sendAudio(new ArrayBuffer(48000), { commit: true });
rt.sendEvent({ type: 'response.create' });
await until('the audio turn', () => (responses.length >= 2 ? true : undefined));
if (!responses[1]?.input_token_details?.audio_tokens) fail('the audio turn has no audio input usage');
if (!seen.has('response.output_audio.delta')) fail('no output_audio delta reached the Agents SDK');
rt.close();

// The session settles when the relay sees the client go: one consume row.
const rows = await until('the session\'s log row', () => {
  const { rows: r } = checkBilled(user, undefined, 'realtime session (so far)');
  return r.length >= 1 ? r : undefined;
});
const expected = settle([...responses.map((u) => quoteExact(model, responseCounts(u))),
                         ...transcriptions.map((u) => quoteExact(transcriptionModel, transcriptionCounts(u)))]);
const { logged } = checkBilled(user, expected, 'realtime session with a client secret');
if (rows.length !== 1) fail(`expected one consume row for the session, got ${rows.length}`);
if (rows[0].other.response_count !== responses.length)
  fail(`the log counts ${rows[0].other.response_count} responses, the SDK saw ${responses.length}`);

console.log(`OK: ek_ session via @openai/agents-realtime, ${responses.length} responses + ${transcriptions.length} ` +
            `transcriptions billed ${logged} quota to the parent key (balance ${user.initial} -> ${user.initial - logged})`);
process.exit(0);
