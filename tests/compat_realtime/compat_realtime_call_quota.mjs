// A WebRTC call metered over the relay's sideband and hung up when its user runs out of quota. A backend mints an
// `ek_` with the openai SDK for a user whose balance covers the relay's hold for one response (its worst case) and
// about two responses more; the browser's SDP offer goes to POST /v1/realtime/calls with the secret (fetch, as
// OpenAI's WebRTC guide does); the session's instructions make the demo upstream's call speak 60 responses on its
// own. The relay must hang the call up upstream (the demo's GET /v1/realtime/calls/{id} shows it) before the user
// goes below zero, and settle once: logs == debits, the row's responses priced by `relaydeskd admin quote` add up
// to what it billed, every response the upstream sent is in it.
//   node compat_realtime_call_quota.mjs <https base url incl. /v1> <api key>   (environment: realtimecompat.mjs)
import { balance, checkBilled, deadline, demoUrl, fail, load, makeUser, quoteExact, settle, until }
  from './realtimecompat.mjs';

const { default: OpenAI } = await load('openai');

const [baseURL] = process.argv.slice(2);
deadline(40000);
const model = 'gpt-realtime';
const scripted = 60;

// The relay holds the worst case of the next response while a call runs: its default cap of 4096 output tokens
// (RealtimeRelay's defaultMaxOutputTokens) at the audio output price. On top, about two responses of 2 s audio.
const hold = settle([quoteExact(model, { 'audio-out': 4096 })]);
const margin = settle([quoteExact(model, { 'audio-out': 100 })]);
const user = makeUser('webrtc-quota', hold + margin);

const backend = new OpenAI({ apiKey: user.key, baseURL, maxRetries: 0 });
const secret = await backend.realtime.clientSecrets.create({
  expires_after: { anchor: 'created_at', seconds: 60 },
  session: { type: 'realtime', model, instructions: `Be brief. demo-call responses=${scripted} interval=50 audio=2000` },
});
if (!secret.value?.startsWith('ek_')) fail('no ek_ client secret minted');

const offer = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n';
const answer = await fetch(`${baseURL}/realtime/calls`, {
  method: 'POST',
  headers: { Authorization: `Bearer ${secret.value}`, 'Content-Type': 'application/sdp' },
  body: offer,
});
if (answer.status !== 201) fail(`WebRTC offer: expected 201, got ${answer.status}: ${await answer.text()}`);
if (!(await answer.text()).startsWith('v=')) fail('WebRTC offer: no SDP answer');
const callId = (answer.headers.get('location') ?? '').split('/').pop();
if (!callId?.startsWith('rtc_')) fail(`WebRTC offer: no call id in Location (${answer.headers.get('location')})`);

// What the upstream saw of the call (the demo's own view): hung up by the relay, short of its script.
const upstream = await until('the relay to hang the call up', async () => {
  const r = await fetch(`${demoUrl()}/v1/realtime/calls/${callId}`);
  const call = await r.json();
  return call.hung_up ? call : undefined;
}, 20000);
if (upstream.actions.join(',') !== 'hangup') fail(`the upstream saw ${JSON.stringify(upstream.actions)}, not one hangup`);
if (upstream.sidebands !== 1) fail(`the call had ${upstream.sidebands} sidebands, not 1`);
if (!(upstream.responses >= 1 && upstream.responses < scripted))
  fail(`the call spoke ${upstream.responses} responses: not cut short after at least one`);

const row = await until('the call\'s log row', () => checkBilled(user, undefined, 'WebRTC call (so far)').rows
  .find((r) => r.other?.webrtc_call_id === callId));
if (row.other.end_reason !== 'insufficient_quota') fail(`the call ended with ${row.other.end_reason}`);
// The relay stops metering when it decides to hang up; a response the upstream finishes before the hangup reaches
// it is not in the row (with responses 5 ms apart that happened about one run in five).
if (!(row.other.response_count >= 1 && row.other.response_count <= upstream.responses))
  fail(`the log bills ${row.other.response_count} responses, the upstream sent ${upstream.responses}`);
const priced = settle(row.other.responses.map((r) => quoteExact(model, {
  prompt: r.text_input, cached: r.cached_text, 'audio-in': r.audio_input, 'cached-audio': r.cached_audio,
  completion: r.text_output, 'audio-out': r.audio_output,
})));
const { logged } = checkBilled(user, priced, 'WebRTC call');
if (balance(user) < 0) fail(`the balance is below zero: ${balance(user)}`);

console.log(`OK: WebRTC call ${callId} with an ek_, ${upstream.responses}/${scripted} responses metered over the ` +
            `sideband, hung up at quota exhaustion; billed ${logged} of ${user.initial}, balance ${balance(user)}`);
process.exit(0);
