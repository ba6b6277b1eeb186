// The official OpenAI Node SDK's Realtime WebSocket client (openai/realtime/ws) through the RelayDesk relay over
// TLS to the demo upstream: one text turn and one audio turn with the API key, then one text turn in a session opened
// with an ephemeral client secret minted by client.realtime.clientSecrets.create, and a WebRTC call offered with that
// secret and hung up with client.realtime.calls.hangup. Exit 0 = every turn completed with usage.
//   node compat_realtime.mjs <https base url incl. /v1> <api key>   (run by run_compat_realtime.sh)
import { deadline, fail, load } from './realtimecompat.mjs';

const { default: OpenAI } = await load('openai');
const { OpenAIRealtimeWS } = await load('openai/realtime/ws');

const [baseURL, apiKey] = process.argv.slice(2);
if (!baseURL || !apiKey) {
  console.error('usage: node compat_realtime.mjs <baseURL> <apiKey>');
  process.exit(2);
}

deadline(60000);

const client = new OpenAI({ apiKey, baseURL });
const rt = new OpenAIRealtimeWS({ model: 'gpt-realtime' }, client);
const seen = [];
rt.on('event', (event) => seen.push(event.type));
rt.on('error', (error) => fail(`realtime error: ${error.message}`));
rt.socket.on('unexpected-response', (_req, res) => fail(`the upgrade was answered with HTTP ${res.statusCode}`));

const next = (type) => new Promise((resolve) => rt.once(type, resolve));

await next('session.created');

// Turn 1: text only.
rt.send({ type: 'session.update', session: { type: 'realtime', output_modalities: ['text'], instructions: 'Be brief.' } });
await next('session.updated');
rt.send({
  type: 'conversation.item.create',
  item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Say hello through the relay.' }] },
});
rt.send({ type: 'response.create' });
const textDone = await next('response.done');
if (!seen.includes('response.output_text.delta')) fail('no output_text delta in the text turn');
if (!textDone.response?.usage?.output_tokens) fail('the text turn has no usage');

// Turn 2: audio in (1 s of pcm16 silence), audio out.
rt.send({ type: 'session.update', session: { type: 'realtime', output_modalities: ['audio'] } });
await next('session.updated');
const silence = Buffer.alloc(4800).toString('base64'); // 100 ms of pcm16 at 24 kHz
for (let i = 0; i < 10; i++) rt.send({ type: 'input_audio_buffer.append', audio: silence });
rt.send({ type: 'input_audio_buffer.commit' });
rt.send({ type: 'response.create' });
const audioDone = await next('response.done');
if (!seen.includes('response.output_audio.delta')) fail('no output_audio delta in the audio turn');
const details = audioDone.response?.usage?.output_token_details;
if (!details?.audio_tokens) fail('the audio turn has no audio output usage');

rt.close();

// Turn 3, a browser's way in: the backend mints an ephemeral client secret with its key; the session is opened with
// the secret (the configuration it was minted with applied first) and billed to the backend's key.
const secret = await client.realtime.clientSecrets.create({
  expires_after: { anchor: 'created_at', seconds: 60 },
  session: { type: 'realtime', model: 'gpt-realtime', output_modalities: ['text'], instructions: 'Be brief.' },
});
if (!secret.value?.startsWith('ek_')) fail('no ek_ client secret minted');
if (!(secret.expires_at > Date.now() / 1000)) fail('the client secret has no future expiry');
const browser = new OpenAI({ apiKey: secret.value, baseURL, maxRetries: 0 });
const rt3 = new OpenAIRealtimeWS({ model: 'gpt-realtime' }, browser);
rt3.on('error', (error) => fail(`realtime error (client secret): ${error.message}`));
const next3 = (type) => new Promise((resolve) => rt3.once(type, resolve));
await next3('session.updated'); // the minted configuration, applied before anything the client sends
rt3.send({
  type: 'conversation.item.create',
  item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Say hello through the relay.' }] },
});
rt3.send({ type: 'response.create' });
const secretDone = await next3('response.done');
if (!secretDone.response?.usage?.output_tokens) fail('the client-secret turn has no usage');
rt3.close();
try {
  await browser.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
  fail('a client secret was accepted outside Realtime');
} catch (e) {
  if (e.status !== 401) fail(`a client secret outside Realtime: expected 401, got ${e.status}`);
}

// Turn 4, WebRTC: the browser offers its SDP with the client secret (the SDK has no calls.create: plain fetch, as
// OpenAI's WebRTC guide does), the relay answers with the upstream's SDP and Location; the backend then hangs the
// call up with the SDK's calls.hangup, passed through to the channel that owns the call.
const offer = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n';
const answer = await fetch(`${baseURL}/realtime/calls`, {
  method: 'POST',
  headers: { Authorization: `Bearer ${secret.value}`, 'Content-Type': 'application/sdp' },
  body: offer,
});
if (answer.status !== 201) fail(`WebRTC offer: expected 201, got ${answer.status}: ${await answer.text()}`);
const sdp = await answer.text();
if (!sdp.startsWith('v=')) fail('WebRTC offer: no SDP answer');
const callId = (answer.headers.get('location') ?? '').split('/').pop();
if (!callId?.startsWith('rtc_')) fail(`WebRTC offer: no call id in Location (${answer.headers.get('location')})`);
await client.realtime.calls.hangup(callId);

console.log(`OK: text turn ${textDone.response.usage.total_tokens} tokens, audio turn ${audioDone.response.usage.total_tokens} tokens, client-secret turn ${secretDone.response.usage.total_tokens} tokens, WebRTC call ${callId} answered and hung up, ${seen.length} events`);
process.exit(0);
