// The rest of the metered surface through the real client packages against `relaydeskd serve --demo` (fresh
// data dir, free port): embeddings, the legacy completions, moderations, audio transcriptions and translations
// (multipart: a WAV made here and a real MP3), speech (raw audio and SSE), image generations, edits and
// variations (a PNG made here), first with the OpenAI Node SDK, then with the Vercel AI SDK (embed, embedMany,
// transcribe, generateSpeech, generateImage). Then the money: every consume row of these endpoints is priced
// exactly by the book (quota recomputed here with exact rationals from the row's token columns and its
// `other.units` — audio seconds, characters, images by size and quality — and the prices of `admin pricing
// export`), each row belongs to one call made here and agrees with what the SDK saw, and the demo user's used
// quota equals the sum of the consume rows. Exit code 0 = all checks passed.
//
//   node compat_surface.mjs <path-to-relaydeskd> <node_modules dir>
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { deflateSync } from 'node:zlib';
import assert from 'node:assert/strict';

const [relaydeskd, modulesDir] = process.argv.slice(2);
const require = createRequire(join(modulesDir, 'noop.js'));
const { default: OpenAI, toFile } = await import(require.resolve('openai'));
const ai = await import(require.resolve('ai'));
const { createOpenAI } = await import(require.resolve('@ai-sdk/openai'));
const here = dirname(fileURLToPath(import.meta.url));

const started = Date.now();
const dataDir = mkdtempSync(join(tmpdir(), 'relaydesk-compat-surface-'));
const admin = (...args) => execFileSync(relaydeskd, ['admin', ...args, '--data', dataDir], { encoding: 'utf8' });
// A group ratio that is not 1, so the check sees GR in every term and a rounding that matters. It is imported
// before the server starts, so every call below is priced with this one snapshot (a running relay would pick
// an edit up only at its next poll).
const GR = 1.15;
let snapshot;
let book;
try {
  const groups = JSON.parse(admin('pricing', 'export')).GroupRatio;
  const edit = { GroupRatio: Object.fromEntries(Object.keys(groups).map((g) => [g, GR])) };
  snapshot = JSON.parse(execFileSync(relaydeskd, ['admin', 'pricing', 'import', '-', '--data', dataDir],
                                     { input: JSON.stringify(edit), encoding: 'utf8' })).snapshot_id;
  book = JSON.parse(admin('pricing', 'export'));
} catch (e) {
  console.error('FAIL (setting the group ratio with relaydeskd admin pricing):', e);
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(1);
}
const server = spawn(relaydeskd, ['serve', '--demo', '--data', dataDir, '--listen', '127.0.0.1:0',
                                  '--demo-delay-ms', '1'], { stdio: ['ignore', 'pipe', 'inherit'] });
let out = '';
let keyMade = false;
let keyName = null;
const ready = new Promise((resolve, reject) => {
  server.stdout.on('data', (d) => {
    out += d.toString();
    const url = out.match(/Listening on (http:\/\/\S+\/v1)/);
    if (!url || keyMade) return;
    keyMade = true;
    try {
      const made = JSON.parse(admin('key', 'add', '--user', 'demo', '--unlimited'));
      keyName = made.name;
      resolve({ apiKey: made.key, baseURL: url[1] });
    } catch (e) {
      reject(e);
    }
  });
  server.on('exit', (code) => reject(new Error(`relaydeskd exited early (${code}): ${out}`)));
  setTimeout(() => reject(new Error('relaydeskd did not start: ' + out)), 20000);
});

// Never leave the server behind: a run that hangs past its budget, or a ctest timeout (SIGTERM), kills it,
// removes the data dir and fails.
function abandon(why) {
  console.error(`FAIL: ${why}; stopping relaydeskd`);
  server.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(1);
}
setTimeout(() => abandon('the run took more than 100 s'), 100000).unref();
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => abandon(`got ${signal}`));

let failures = 0;
async function check(name, fn) {
  try {
    const detail = await fn();
    console.log(`ok - ${name}${detail ? ': ' + detail : ''}`);
  } catch (e) {
    failures++;
    console.log(`not ok - ${name}`);
    console.error(`FAIL (${name}):`, e);
  }
}

// Every metered call the clients made, in order: the endpoint, the model, and what the log row must show
// (`expect(row)` throws when the row disagrees with what the SDK saw). Rows are matched to calls after the run.
const calls = [];
function made(what, path, model, expect = () => {}) {
  calls.push({ what, path, model, expect });
}

// ---- media made here: a WAV tone, a PNG, and an MP3 frame walker to decode what speech returns ----
function wavTone(seconds, rate = 24000, hz = 440) {
  const samples = Math.round(seconds * rate);
  const buf = Buffer.alloc(44 + samples * 2);
  buf.write('RIFF', 0, 'latin1');
  buf.writeUInt32LE(36 + samples * 2, 4);
  buf.write('WAVEfmt ', 8, 'latin1');
  buf.writeUInt32LE(16, 16);        // fmt chunk size
  buf.writeUInt16LE(1, 20);         // PCM
  buf.writeUInt16LE(1, 22);         // mono
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 2, 28);  // byte rate
  buf.writeUInt16LE(2, 32);         // block align
  buf.writeUInt16LE(16, 34);        // bits per sample
  buf.write('data', 36, 'latin1');
  buf.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++)
    buf.writeInt16LE(Math.round(12000 * Math.sin((2 * Math.PI * hz * i) / rate)), 44 + i * 2);
  return buf;
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function pngChunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}
// A square RGBA PNG (DALL·E 2 edits and variations want a square PNG), a colour gradient.
function pngImage(size, tint) {
  const raw = Buffer.alloc(size * (1 + size * 4));
  for (let y = 0; y < size; y++) {
    const row = y * (1 + size * 4);
    raw[row] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      const p = row + 1 + x * 4;
      raw[p] = (x * 255) / size; raw[p + 1] = (y * 255) / size; raw[p + 2] = tint; raw[p + 3] = 255;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; ihdr[9] = 6; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0; // 8-bit RGBA
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr),
                        pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', Buffer.alloc(0))]);
}
// A PNG's width × height, or throws: what an image reply's bytes must be.
function pngSize(bytes) {
  const b = Buffer.from(bytes);
  assert.ok(b.length > 33 && b.readUInt32BE(0) === 0x89504e47 && b.subarray(12, 16).toString('latin1') === 'IHDR',
            `not a PNG (${b.length} bytes, starts ${b.subarray(0, 8).toString('hex')})`);
  return `${b.readUInt32BE(16)}x${b.readUInt32BE(20)}`;
}

// Walks the MPEG audio frames of an MP3 (after an ID3v2 tag) to the end: the frame count and the duration
// they cover; throws when the bytes are not MPEG audio frames all the way through (a trailing ID3v1 tag is fine).
function mp3Decode(bytes) {
  const buf = Buffer.from(bytes);
  let i = 0;
  if (buf.subarray(0, 3).toString('latin1') === 'ID3')
    i = 10 + (((buf[6] & 0x7f) << 21) | ((buf[7] & 0x7f) << 14) | ((buf[8] & 0x7f) << 7) | (buf[9] & 0x7f));
  let frames = 0;
  let samples = 0;
  let rate = 0;
  let trim = 0; // LAME's encoder delay + padding, from the Xing/Info frame (not audio itself)
  const rates = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] };
  const kbps1 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
  const kbps2 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
  while (i + 4 <= buf.length) {
    const h = buf.readUInt32BE(i);
    if (h >>> 21 !== 0x7ff) break;
    const version = (h >>> 19) & 3;
    const layer = (h >>> 17) & 3;
    const bitrate = (h >>> 12) & 15;
    const rateIndex = (h >>> 10) & 3;
    if (version === 1 || layer !== 1 || bitrate === 0 || bitrate === 15 || rateIndex === 3) break;
    rate = rates[version][rateIndex];
    const perFrame = version === 3 ? 1152 : 576;
    const length = Math.floor(((perFrame / 8) * (version === 3 ? kbps1 : kbps2)[bitrate] * 1000) / rate) + ((h >>> 9) & 1);
    const frame = buf.subarray(i, i + length);
    const tag = frames === 0 ? Math.max(frame.indexOf('Xing', 0, 'latin1'), frame.indexOf('Info', 0, 'latin1')) : -1;
    if (tag >= 0) {
      // Xing/Info: flags, then frames, bytes, a 100-byte TOC and a quality as flagged; then LAME's tag, whose
      // bytes 21–23 hold the encoder delay and the padding (12 bits each).
      const flags = frame.readUInt32BE(tag + 4);
      const lame = tag + 8 + (flags & 1 ? 4 : 0) + (flags & 2 ? 4 : 0) + (flags & 4 ? 100 : 0) + (flags & 8 ? 4 : 0);
      if (frame.subarray(lame, lame + 4).toString('latin1') === 'LAME' && lame + 24 <= frame.length)
        trim = (frame[lame + 21] << 4 | frame[lame + 22] >> 4) + ((frame[lame + 22] & 0x0f) << 8 | frame[lame + 23]);
    } else {
      frames++;
      samples += perFrame;
    }
    i += length;
  }
  const seconds = rate ? Math.max(0, samples - trim) / rate : 0;
  const rest = buf.length - i;
  const tail = rest === 128 && buf.subarray(i, i + 3).toString('latin1') === 'TAG';
  assert.ok(frames > 0 && (rest === 0 || tail), `MP3 frames stop at byte ${i} of ${buf.length} after ${frames} frames`);
  return { frames, seconds };
}

// Server-sent events of a fetch Response: the JSON of each `data:` line.
async function sseEvents(response) {
  const text = await response.text();
  return text.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim())
    .filter((d) => d && d !== '[DONE]').map((d) => JSON.parse(d));
}

// ---- exact rationals (BigInt) for the price check ----
const gcd = (a, b) => { a = a < 0n ? -a : a; b = b < 0n ? -b : b; while (b) [a, b] = [b, a % b]; return a; };
function rat(n, d = 1n) { if (d < 0n) { n = -n; d = -d; } const g = gcd(n, d) || 1n; return { n: n / g, d: d / g }; }
function ratOf(x) { // a JSON number (a decimal as the relay printed it) → exact rational
  const m = String(x).match(/^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i);
  assert.ok(m, `not a decimal: ${x}`);
  const frac = m[3] ?? '';
  let n = BigInt(m[2] + frac) * (m[1] ? -1n : 1n);
  let d = 10n ** BigInt(frac.length);
  const e = Number(m[4] ?? 0);
  if (e > 0) n *= 10n ** BigInt(e); else d *= 10n ** BigInt(-e);
  return rat(n, d);
}
const add = (...xs) => xs.reduce((a, b) => rat(a.n * b.d + b.n * a.d, a.d * b.d), rat(0n));
const mul = (...xs) => xs.reduce((a, b) => rat(a.n * b.n, a.d * b.d), rat(1n));
const eqRat = (a, b) => a.n === b.n && a.d === b.d;
function roundHalfAway({ n, d }) { // d > 0
  const neg = n < 0n; const a = neg ? -n : n;
  const q = (2n * a + d) / (2n * d);
  return neg ? -q : q;
}
const I = (v) => rat(BigInt(v ?? 0));
const pos = (v) => I(Math.max(0, v));
const showRat = (r) => (r.d === 1n ? `${r.n}` : `${r.n}/${r.d}`);

// The book's entry for a model and how close the match is (3 exact, 2 without a date suffix, 1 the longest
// prefix* rule, 0 none), as PriceBook::lookup does.
function bookLookup(map, model) {
  if (!map) return { rank: 0 };
  const keys = Object.keys(map).filter((k) => !k.startsWith('_'));
  const find = (name) => keys.find((k) => k.toLowerCase() === name.toLowerCase());
  let k = find(model);
  if (k !== undefined) return { value: map[k], rank: 3 };
  const undated = model.replace(/-(\d{4}-\d{2}-\d{2}|\d{8}|\d{4})$/, '');
  k = undated !== model ? find(undated) : undefined;
  if (k !== undefined) return { value: map[k], rank: 2 };
  const rules = keys.filter((r) => r.endsWith('*') && model.toLowerCase().startsWith(r.slice(0, -1).toLowerCase()))
    .sort((a, b) => b.length - a.length);
  return rules.length ? { value: map[rules[0]], rank: 1 } : { rank: 0 };
}

// The priced view of a model in the exported book (PriceBook::pricing): every ratio as an exact rational.
function pricingOf(book, model, group) {
  const price = bookLookup(book.ModelPrice, model);
  const ratio = bookLookup(book.ModelRatio, model);
  const minute = bookLookup(book.MinutePrice, model);
  const character = bookLookup(book.CharacterPrice, model);
  const images = bookLookup(book.ImagePrice, model);
  assert.ok(price.rank || ratio.rank || minute.rank || character.rank || images.rank, `${model}: unpriced in the book`);
  const fixed = price.rank > 0 && price.rank >= ratio.rank;
  const r = (map, dflt = 1) => { const l = bookLookup(book[map], model); return l.rank ? ratOf(l.value) : I(dflt); };
  const gg = book.GroupGroupRatio?.[group]?.[group];
  const gr = gg !== undefined ? ratOf(gg) : ratOf(book.GroupRatio?.[group] ?? 1);
  return {
    fixed,
    modelPrice: fixed ? ratOf(price.value) : null,
    modelRatio: fixed || !ratio.rank ? I(0) : ratOf(ratio.value),
    completion: r('CompletionRatio'), cache: r('CacheRatio'), createCache: r('CreateCacheRatio'),
    image: r('ImageRatio'), audio: r('AudioRatio'), audioCompletion: r('AudioCompletionRatio'),
    audioCache: r('AudioCacheRatio'), group: gr,
    minute: minute.rank ? ratOf(minute.value) : null,
    character: character.rank ? ratOf(character.value) : null,
    images: images.rank ? images.value : null,
  };
}

// ImagePrice: "size|quality", else "size", else "default" (ModelPricing::imagePrice).
function imagePrice(table, size, quality) {
  if (!table) return null;
  const s = (size ?? '').trim().toLowerCase();
  const q = (quality ?? '').trim().toLowerCase();
  for (const key of [`${s}|${q}`, s, 'default'])
    if (table[key] !== undefined) return ratOf(table[key]);
  return null;
}

// QuotaMath::settle for one log row: the token terms from other.usage, the units from other.units, one
// rounding half away from zero, minimum 1 for a priced call with usage.
function quoteRow(row, p) {
  const u = row.other.usage;
  const units = row.other.units ?? {};
  const perUnit = rat(500000n);
  let exact;
  if (p.fixed) {
    exact = mul(p.modelPrice, perUnit, p.group);
  } else {
    const tokens = add(
      pos(u.text_input - u.cached_text - u.cache_write), mul(I(u.cached_text), p.cache),
      mul(I(u.cache_write), p.createCache),
      mul(pos(u.audio_input - u.cached_audio), p.audio), mul(I(u.cached_audio), p.audio, p.audioCache),
      mul(pos(u.image_input - u.cached_image), p.image), mul(I(u.cached_image), p.image, p.cache),
      mul(I(u.text_output), p.completion), mul(I(u.audio_output), p.audio, p.audioCompletion));
    let usd = rat(0n);
    if (p.minute && units.audio_seconds > 0) usd = add(usd, mul(ratOf(units.audio_seconds), p.minute, rat(1n, 60n)));
    if (p.character && units.characters > 0) usd = add(usd, mul(I(units.characters), p.character, rat(1n, 1000000n)));
    if (units.images > 0) {
      const price = imagePrice(p.images, units.image_size, units.image_quality);
      if (price) usd = add(usd, mul(price, I(units.images)));
    }
    exact = add(mul(tokens, p.modelRatio, p.group), mul(usd, perUnit, p.group));
  }
  let quota = roundHalfAway(exact);
  const total = u.text_input + u.audio_input + u.image_input + u.text_output + u.audio_output;
  const hadUsage = p.fixed || total > 0 || (units.audio_seconds ?? 0) > 0 || (units.characters ?? 0) > 0 ||
                   (units.images ?? 0) > 0 || exact.n > 0n;
  const anyImage = p.images && Object.entries(p.images).some(([k, v]) => !k.startsWith('_') && ratOf(v).n !== 0n);
  const priced = p.group.n !== 0n && (p.fixed ? p.modelPrice.n !== 0n
    : p.modelRatio.n !== 0n || (p.minute?.n ?? 0n) !== 0n || (p.character?.n ?? 0n) !== 0n || anyImage);
  if (quota === 0n && hadUsage && priced) quota = 1n;
  return { quota, exact };
}

const PATHS = ['/v1/embeddings', '/v1/completions', '/v1/moderations', '/v1/audio/transcriptions',
               '/v1/audio/translations', '/v1/audio/speech', '/v1/images/generations', '/v1/images/edits',
               '/v1/images/variations'];

try {
  const { apiKey, baseURL } = await ready;
  const client = new OpenAI({ apiKey, baseURL, maxRetries: 0, timeout: 60000 });
  const group = JSON.parse(admin('user', 'show', 'demo')).group || 'default';
  assert.equal(book.GroupRatio[group], GR, `the demo user's group ${group} has the imported ratio`);

  const wav = wavTone(2);                                   // 2.000 s, 24 kHz 16-bit mono
  const mp3 = readFileSync(join(here, '..', 'tokenize', 'data', 'tone.mp3'));
  const png = pngImage(64, 40);
  const png2 = pngImage(64, 200);
  const wavFile = () => toFile(wav, 'tone.wav', { type: 'audio/wav' });
  const mp3File = () => toFile(mp3, 'tone.mp3', { type: 'audio/mpeg' });
  const pngFile = (bytes, name) => toFile(bytes, name, { type: 'image/png' });
  const tokensEqual = (what, input, output) => (row) => {
    assert.equal(row.prompt_tokens, input, `${what}: log prompt_tokens ${row.prompt_tokens}, SDK saw ${input}`);
    if (output !== undefined)
      assert.equal(row.completion_tokens, output, `${what}: log completion_tokens ${row.completion_tokens}, SDK saw ${output}`);
  };

  // ---- embeddings ----
  const EMB = 'text-embedding-3-small';
  await check('embeddings.create: a string (the SDK asks base64, hands back floats)', async () => {
    const r = await client.embeddings.create({ model: EMB, input: 'The quick brown fox.' });
    assert.equal(r.data.length, 1);
    assert.ok(Array.isArray(r.data[0].embedding) && r.data[0].embedding.length === 1536, 'a 1536-float vector');
    assert.ok(r.data[0].embedding.every(Number.isFinite));
    assert.ok(r.usage.prompt_tokens > 0);
    made('embeddings string', '/v1/embeddings', EMB, tokensEqual('embeddings string', r.usage.prompt_tokens, 0));
    return `${r.usage.prompt_tokens} tokens`;
  });
  await check('embeddings.create: an array of three strings', async () => {
    const r = await client.embeddings.create({ model: EMB, input: ['one', 'two words', 'and three words here'] });
    assert.deepEqual(r.data.map((d) => d.index), [0, 1, 2]);
    made('embeddings array', '/v1/embeddings', EMB, (row) => {
      tokensEqual('embeddings array', r.usage.prompt_tokens, 0)(row);
      assert.equal(row.other.embedding_inputs, 3);
    });
    return `${r.usage.prompt_tokens} tokens`;
  });
  await check('embeddings.create: dimensions 256 (text-embedding-3-large)', async () => {
    const r = await client.embeddings.create({ model: 'text-embedding-3-large', input: 'Shorter vectors.', dimensions: 256 });
    assert.equal(r.data[0].embedding.length, 256);
    made('embeddings dimensions', '/v1/embeddings', 'text-embedding-3-large', (row) => {
      tokensEqual('embeddings dimensions', r.usage.prompt_tokens, 0)(row);
      assert.equal(row.other.dimensions, 256);
    });
  });
  await check('embeddings.create: encoding_format base64 → little-endian float32', async () => {
    const r = await client.embeddings.create({ model: EMB, input: 'Base64 please.', encoding_format: 'base64' });
    assert.equal(typeof r.data[0].embedding, 'string');
    const bytes = Buffer.from(r.data[0].embedding, 'base64');
    assert.equal(bytes.length, 1536 * 4);
    const floats = new Float32Array(bytes.buffer, bytes.byteOffset, 1536);
    assert.ok(floats.every(Number.isFinite) && floats.some((f) => f !== 0));
    made('embeddings base64', '/v1/embeddings', EMB, tokensEqual('embeddings base64', r.usage.prompt_tokens, 0));
  });

  // ---- legacy completions ----
  const INSTRUCT = 'gpt-3.5-turbo-instruct';
  await check('completions.create (JSON)', async () => {
    const r = await client.completions.create({ model: INSTRUCT, prompt: 'Say hello.', max_tokens: 20 });
    assert.equal(r.object, 'text_completion');
    assert.ok(r.choices[0].text.length > 0, 'text');
    assert.ok(r.usage.prompt_tokens > 0 && r.usage.completion_tokens > 0);
    made('completions JSON', '/v1/completions', INSTRUCT,
         tokensEqual('completions JSON', r.usage.prompt_tokens, r.usage.completion_tokens));
    return `usage ${r.usage.prompt_tokens}/${r.usage.completion_tokens}`;
  });
  await check('completions.create({stream:true}) with include_usage', async () => {
    const s = await client.completions.create({ model: INSTRUCT, prompt: 'Say hello.', max_tokens: 20, stream: true,
                                                stream_options: { include_usage: true } });
    let text = '';
    let usage = null;
    for await (const chunk of s) {
      for (const c of chunk.choices ?? []) text += c.text ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    assert.ok(text.length > 0, 'streamed text');
    assert.ok(usage && usage.completion_tokens > 0, 'a usage chunk');
    made('completions stream', '/v1/completions', INSTRUCT,
         tokensEqual('completions stream', usage.prompt_tokens, usage.completion_tokens));
    return `${text.length} chars, usage ${usage.prompt_tokens}/${usage.completion_tokens}`;
  });
  await check('completions.create({stream:true}) without include_usage: no usage chunk reaches the client', async () => {
    const s = await client.completions.create({ model: INSTRUCT, prompt: 'Say hi.', max_tokens: 10, stream: true });
    let text = '';
    for await (const chunk of s) {
      assert.ok(!chunk.usage, 'usage was not asked for');
      for (const c of chunk.choices ?? []) text += c.text ?? '';
    }
    assert.ok(text.length > 0);
    made('completions stream (no usage asked)', '/v1/completions', INSTRUCT, (row) => assert.ok(row.completion_tokens > 0));
  });

  // ---- moderations ----
  await check('moderations.create: free, logged', async () => {
    const r = await client.moderations.create({ model: 'omni-moderation-latest', input: ['I like cats.', 'And dogs.'] });
    assert.equal(r.results.length, 2);
    assert.ok(r.results.every((x) => typeof x.flagged === 'boolean' && x.categories));
    made('moderations', '/v1/moderations', 'omni-moderation-latest', (row) => {
      assert.equal(row.quota, 0, 'a moderation costs nothing');
      assert.ok(row.prompt_tokens > 0, 'its input tokens are logged');
      assert.equal(row.other.moderation_results, 2);
    });
  });

  // ---- audio: transcriptions and translations ----
  // The file's duration as the relay measured it (other.audio_file_seconds) is close to what was uploaded.
  const fileSeconds = (row, want) => assert.ok(Math.abs(row.other.audio_file_seconds - want) < 0.1,
                                               `audio_file_seconds ${row.other.audio_file_seconds}, uploaded ~${want}`);
  const mp3Seconds = mp3Decode(mp3).seconds;
  await check('audio.transcriptions.create: whisper-1 json (WAV)', async () => {
    const r = await client.audio.transcriptions.create({ model: 'whisper-1', file: await wavFile() });
    assert.ok(r.text.length > 0, 'transcript');
    assert.equal(r.usage?.type, 'duration', 'whisper-1 reports its usage as seconds');
    made('whisper json', '/v1/audio/transcriptions', 'whisper-1', (row) => {
      fileSeconds(row, 2);
      assert.equal(row.other.units.audio_seconds, r.usage.seconds, 'the reported duration is billed');
      assert.ok(row.other.units.audio_seconds >= 2, `billed ${row.other.units.audio_seconds} s`);
    });
    return JSON.stringify(r.text.slice(0, 50));
  });
  await check('audio.transcriptions.create: whisper-1 verbose_json (MP3)', async () => {
    const r = await client.audio.transcriptions.create({ model: 'whisper-1', file: await mp3File(),
                                                         response_format: 'verbose_json' });
    assert.ok(r.text.length > 0 && Array.isArray(r.segments) && r.segments.length > 0, 'text and segments');
    assert.ok(Math.abs(r.duration - mp3Seconds) < 0.2, `duration ${r.duration}`);
    made('whisper verbose_json', '/v1/audio/transcriptions', 'whisper-1', (row) => {
      fileSeconds(row, mp3Seconds);
      if (r.usage?.type === 'duration') assert.equal(row.other.units.audio_seconds, r.usage.seconds);
    });
    return `${r.segments.length} segment(s), ${r.duration} s`;
  });
  await check('audio.transcriptions.create: whisper-1 text (billed by the file, no usage)', async () => {
    const r = await client.audio.transcriptions.create({ model: 'whisper-1', file: await wavFile(), response_format: 'text' });
    assert.equal(typeof r, 'string');
    assert.ok(r.trim().length > 0);
    made('whisper text', '/v1/audio/transcriptions', 'whisper-1', (row) => {
      fileSeconds(row, 2);
      assert.equal(row.other.units.audio_seconds, row.other.audio_file_seconds, 'the file\'s duration is billed');
    });
  });
  await check('audio.transcriptions.create: gpt-4o-transcribe json (MP3), token usage', async () => {
    const r = await client.audio.transcriptions.create({ model: 'gpt-4o-transcribe', file: await mp3File(),
                                                         prompt: 'A tone.' });
    assert.ok(r.text.length > 0);
    assert.equal(r.usage?.type, 'tokens');
    assert.ok(r.usage.input_token_details.audio_tokens > 0 && r.usage.output_tokens > 0);
    made('gpt-4o-transcribe json', '/v1/audio/transcriptions', 'gpt-4o-transcribe', (row) => {
      tokensEqual('gpt-4o-transcribe json', r.usage.input_tokens, r.usage.output_tokens)(row);
      assert.equal(row.other.usage.audio_input, r.usage.input_token_details.audio_tokens);
      assert.equal(row.other.usage.text_input, r.usage.input_token_details.text_tokens);
    });
    return `usage ${r.usage.input_tokens}/${r.usage.output_tokens}`;
  });
  await check('audio.transcriptions.create: gpt-4o-transcribe stream:true (WAV)', async () => {
    const s = await client.audio.transcriptions.create({ model: 'gpt-4o-transcribe', file: await wavFile(), stream: true });
    let deltas = '';
    let done = null;
    for await (const ev of s) {
      if (ev.type === 'transcript.text.delta') deltas += ev.delta;
      if (ev.type === 'transcript.text.done') done = ev;
    }
    assert.ok(done, 'transcript.text.done');
    assert.ok(deltas.length > 0 && deltas === done.text, 'deltas add up to the done text');
    assert.ok(done.usage?.input_tokens > 0, 'done carries usage');
    made('gpt-4o-transcribe stream', '/v1/audio/transcriptions', 'gpt-4o-transcribe',
         tokensEqual('gpt-4o-transcribe stream', done.usage.input_tokens, done.usage.output_tokens));
    return `usage ${done.usage.input_tokens}/${done.usage.output_tokens}`;
  });
  await check('audio.translations.create: whisper-1 (MP3), billed by the file', async () => {
    const r = await client.audio.translations.create({ model: 'whisper-1', file: await mp3File() });
    assert.ok(r.text.length > 0);
    made('translation', '/v1/audio/translations', 'whisper-1', (row) => {
      fileSeconds(row, mp3Seconds);
      assert.equal(row.other.units.audio_seconds, row.other.audio_file_seconds);
    });
  });

  // ---- audio: speech ----
  const speechInput = 'Hello from the RelayDesk compatibility test — ünïcödé counts as characters.';
  const codePoints = [...speechInput].length;
  const audioSecondsNear = (row, seconds) => assert.ok(Math.abs(row.other.audio_seconds - seconds) < 0.15 + seconds * 0.05,
                                                        `log audio_seconds ${row.other.audio_seconds}, decoded ${seconds.toFixed(3)}`);
  await check('audio.speech.create: tts-1 mp3 → arrayBuffer decodes as MP3, billed by the character', async () => {
    const res = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: speechInput });
    assert.match(res.headers.get('content-type') ?? '', /audio\/mpeg/);
    const bytes = Buffer.from(await res.arrayBuffer());
    const { frames, seconds } = mp3Decode(bytes);
    made('speech tts-1', '/v1/audio/speech', 'tts-1', (row) => {
      assert.equal(row.other.units.characters, codePoints, 'characters are code points of the input');
      assert.equal(row.other.audio_bytes, bytes.length, 'the bytes the client got');
      audioSecondsNear(row, seconds);
    });
    return `${bytes.length} bytes, ${frames} frames, ${seconds.toFixed(2)} s`;
  });
  await check('audio.speech.create: gpt-4o-mini-tts stream_format sse → deltas decode, done has usage', async () => {
    const res = await client.audio.speech.create({ model: 'gpt-4o-mini-tts', voice: 'coral', input: speechInput,
                                                  instructions: 'Cheerful.', stream_format: 'sse' });
    const events = await sseEvents(res);
    const deltas = events.filter((e) => e.type === 'speech.audio.delta');
    const done = events.filter((e) => e.type === 'speech.audio.done');
    assert.ok(deltas.length > 0 && done.length === 1, events.map((e) => e.type).join(','));
    assert.equal(events.at(-1).type, 'speech.audio.done');
    const audio = Buffer.concat(deltas.map((e) => Buffer.from(e.audio, 'base64')));
    const { seconds } = mp3Decode(audio);
    const usage = done[0].usage;
    assert.ok(usage && usage.input_tokens > 0 && usage.output_tokens > 0, 'usage');
    made('speech sse', '/v1/audio/speech', 'gpt-4o-mini-tts', (row) => {
      tokensEqual('speech sse', usage.input_tokens, usage.output_tokens)(row);
      assert.equal(row.other.usage.audio_output, usage.output_tokens, 'output is audio tokens');
    });
    return `${deltas.length} deltas, ${audio.length} bytes, ${seconds.toFixed(2)} s, usage ${usage.input_tokens}/${usage.output_tokens}`;
  });

  // ---- images ----
  await check('images.generate: gpt-image-1 (b64_json, usage)', async () => {
    const r = await client.images.generate({ model: 'gpt-image-1', prompt: 'A red kite.', size: '1024x1024', quality: 'low' });
    assert.equal(r.data.length, 1);
    assert.equal(pngSize(Buffer.from(r.data[0].b64_json, 'base64')), '1024x1024');
    assert.ok(r.usage?.output_tokens > 0);
    made('gpt-image-1 generate', '/v1/images/generations', 'gpt-image-1',
         tokensEqual('gpt-image-1 generate', r.usage.input_tokens, r.usage.output_tokens));
    return `usage ${r.usage.input_tokens}/${r.usage.output_tokens}`;
  });
  await check('images.generate: dall-e-3 hd 1024x1792 (url), billed by the image', async () => {
    const r = await client.images.generate({ model: 'dall-e-3', prompt: 'A tall lighthouse.', size: '1024x1792', quality: 'hd' });
    assert.equal(r.data.length, 1);
    assert.ok(r.data[0].url, 'a url (the default response_format)');
    const picture = await fetch(r.data[0].url);
    assert.equal(picture.status, 200, `GET ${r.data[0].url}`);
    assert.equal(pngSize(await picture.arrayBuffer()), '1024x1792', 'the picture the url names');
    made('dall-e-3 hd', '/v1/images/generations', 'dall-e-3', (row) => {
      assert.deepEqual(row.other.units, { images: 1, image_size: '1024x1792', image_quality: 'hd' });
      assert.equal(row.quota, Math.round(0.12 * 500000 * GR), 'US$0.12 × 500 000 × GR');
    });
    return `url ${r.data[0].url}`;
  });
  await check('images.generate: dall-e-2 n=2 (b64_json)', async () => {
    const r = await client.images.generate({ model: 'dall-e-2', prompt: 'Two cats.', n: 2, size: '512x512',
                                             response_format: 'b64_json' });
    assert.equal(r.data.length, 2);
    for (const d of r.data) assert.equal(pngSize(Buffer.from(d.b64_json, 'base64')), '512x512');
    made('dall-e-2 n=2', '/v1/images/generations', 'dall-e-2', (row) => {
      assert.equal(row.other.units.images, 2);
      assert.equal(row.other.units.image_size, '512x512');
    });
  });
  await check('images.generate: gpt-image-1 stream with partial_images 2', async () => {
    const s = await client.images.generate({ model: 'gpt-image-1', prompt: 'A blue kite.', size: '1024x1024',
                                             quality: 'low', stream: true, partial_images: 2 });
    const types = [];
    let completed = null;
    for await (const ev of s) {
      types.push(ev.type);
      if (ev.type === 'image_generation.partial_image') assert.ok(ev.b64_json.length > 0);
      if (ev.type === 'image_generation.completed') completed = ev;
    }
    assert.equal(types.filter((t) => t === 'image_generation.partial_image').length, 2, types.join(','));
    assert.ok(completed && completed.b64_json && completed.usage, 'completed with an image and usage');
    pngSize(Buffer.from(completed.b64_json, 'base64'));
    made('gpt-image-1 stream', '/v1/images/generations', 'gpt-image-1', (row) => {
      tokensEqual('gpt-image-1 stream', completed.usage.input_tokens, completed.usage.output_tokens)(row);
      assert.equal(row.other.partial_images, 2);
    });
    return types.join(',');
  });
  await check('images.edit: gpt-image-1 with one image (toFile)', async () => {
    const r = await client.images.edit({ model: 'gpt-image-1', image: await pngFile(png, 'a.png'), prompt: 'Add a hat.',
                                         size: '1024x1024', quality: 'low' });
    assert.ok(r.data[0].b64_json, 'b64_json');
    pngSize(Buffer.from(r.data[0].b64_json, 'base64'));
    assert.ok(r.usage?.input_tokens_details?.image_tokens > 0, 'the input image is counted');
    made('gpt-image-1 edit (1 image)', '/v1/images/edits', 'gpt-image-1', (row) => {
      tokensEqual('edit 1', r.usage.input_tokens, r.usage.output_tokens)(row);
      assert.equal(row.other.usage.image_input, r.usage.input_tokens_details.image_tokens);
    });
    return `usage ${r.usage.input_tokens}/${r.usage.output_tokens}`;
  });
  await check('images.edit: gpt-image-1 with two images (toFile)', async () => {
    const r = await client.images.edit({ model: 'gpt-image-1', prompt: 'Blend them.', size: '1024x1024', quality: 'low',
                                         image: [await pngFile(png, 'a.png'), await pngFile(png2, 'b.png')] });
    assert.ok(r.data[0].b64_json);
    made('gpt-image-1 edit (2 images)', '/v1/images/edits', 'gpt-image-1', (row) => {
      tokensEqual('edit 2', r.usage.input_tokens, r.usage.output_tokens)(row);
      assert.equal(row.other.usage.image_input, r.usage.input_tokens_details.image_tokens);
    });
    return `image tokens ${r.usage.input_tokens_details.image_tokens}`;
  });
  await check('images.createVariation: dall-e-2 256x256', async () => {
    const r = await client.images.createVariation({ model: 'dall-e-2', image: await pngFile(png, 'v.png'), n: 1, size: '256x256' });
    assert.equal(r.data.length, 1);
    assert.ok(r.data[0].url || r.data[0].b64_json, 'url or b64_json');
    made('dall-e-2 variation', '/v1/images/variations', 'dall-e-2', (row) => {
      assert.equal(row.other.units.images, 1);
      assert.equal(row.other.units.image_size, '256x256');
      assert.equal(row.quota, Math.round(0.016 * 500000 * GR), 'US$0.016 × 500 000 × GR');
    });
  });

  // ---- Vercel AI SDK ----
  const aiOpenAI = createOpenAI({ apiKey, baseURL });
  await check('ai: embed and embedMany', async () => {
    const one = await ai.embed({ model: aiOpenAI.embedding(EMB), value: 'Sunny day.', maxRetries: 0 });
    assert.equal(one.embedding.length, 1536);
    made('ai embed', '/v1/embeddings', EMB, tokensEqual('ai embed', one.usage.tokens, 0));
    const many = await ai.embedMany({ model: aiOpenAI.embedding(EMB), values: ['rain', 'snow', 'hail'], maxRetries: 0 });
    assert.equal(many.embeddings.length, 3);
    made('ai embedMany', '/v1/embeddings', EMB, tokensEqual('ai embedMany', many.usage.tokens, 0));
    return `${one.usage.tokens} + ${many.usage.tokens} tokens`;
  });
  await check('ai: experimental_transcribe (whisper-1 verbose_json, gpt-4o-mini-transcribe json)', async () => {
    // With any openai provider option the AI SDK asks whisper-1 for verbose_json (segments and duration).
    const w = await ai.experimental_transcribe({ model: aiOpenAI.transcription('whisper-1'), audio: new Uint8Array(wav),
                                                 providerOptions: { openai: { temperature: 0 } }, maxRetries: 0 });
    assert.ok(w.text.length > 0 && w.segments.length > 0, 'text and segments');
    assert.ok(Math.abs(w.durationInSeconds - 2) < 0.05, `duration ${w.durationInSeconds}`);
    made('ai transcribe whisper-1', '/v1/audio/transcriptions', 'whisper-1', (row) => {
      fileSeconds(row, 2);
      assert.equal(row.other.response_format, 'verbose_json');
    });
    const g = await ai.experimental_transcribe({ model: aiOpenAI.transcription('gpt-4o-mini-transcribe'),
                                                 audio: new Uint8Array(mp3), maxRetries: 0 });
    assert.ok(g.text.length > 0);
    made('ai transcribe gpt-4o-mini-transcribe', '/v1/audio/transcriptions', 'gpt-4o-mini-transcribe', (row) => {
      fileSeconds(row, mp3Seconds);
      assert.ok(row.other.usage.audio_input > 0);
    });
    return JSON.stringify(g.text.slice(0, 40));
  });
  await check('ai: experimental_generateSpeech (tts-1-hd, gpt-4o-mini-tts) decodes as MP3', async () => {
    const a = await ai.experimental_generateSpeech({ model: aiOpenAI.speech('tts-1-hd'), text: 'Short and sweet.',
                                                     voice: 'alloy', maxRetries: 0 });
    const first = mp3Decode(a.audio.uint8Array);
    made('ai speech tts-1-hd', '/v1/audio/speech', 'tts-1-hd', (row) => {
      assert.equal(row.other.units.characters, 'Short and sweet.'.length);
      audioSecondsNear(row, first.seconds);
    });
    const b = await ai.experimental_generateSpeech({ model: aiOpenAI.speech('gpt-4o-mini-tts'), text: 'Another line.',
                                                     voice: 'coral', maxRetries: 0 });
    const second = mp3Decode(b.audio.uint8Array);
    made('ai speech gpt-4o-mini-tts', '/v1/audio/speech', 'gpt-4o-mini-tts', (row) => {
      assert.ok(row.other.usage.audio_output > 0, 'audio output tokens from the returned audio');
      audioSecondsNear(row, second.seconds);
    });
    return `${first.seconds.toFixed(2)} s, ${second.seconds.toFixed(2)} s`;
  });
  await check('ai: experimental_generateImage (dall-e-3, gpt-image-1)', async () => {
    const d = await ai.experimental_generateImage({ model: aiOpenAI.image('dall-e-3'), prompt: 'A green field.',
                                                    size: '1024x1024', maxRetries: 0 });
    assert.equal(d.images.length, 1);
    assert.equal(pngSize(d.images[0].uint8Array), '1024x1024');
    made('ai image dall-e-3', '/v1/images/generations', 'dall-e-3', (row) => {
      assert.equal(row.other.units.images, 1);
      assert.equal(row.other.units.image_size, '1024x1024');
    });
    const g = await ai.experimental_generateImage({ model: aiOpenAI.image('gpt-image-1'), prompt: 'A yellow kite.',
                                                    size: '1024x1024', providerOptions: { openai: { quality: 'low' } },
                                                    maxRetries: 0 });
    assert.equal(g.images.length, 1);
    pngSize(g.images[0].uint8Array);
    made('ai image gpt-image-1', '/v1/images/generations', 'gpt-image-1', (row) => assert.ok(row.completion_tokens > 0));
    return `${d.images[0].uint8Array.length} + ${g.images[0].uint8Array.length} bytes`;
  });

  // ---- Billing: every row is priced exactly by the book, belongs to a call, and logs == debits ----
  const readRows = () => admin('logs', '--user', 'demo', '--limit', '100000').split('\n').filter(Boolean)
    .map((l) => JSON.parse(l)).sort((a, b) => a.id - b.id);
  let rows = [];
  // A stream's settlement may commit just after the client saw its last event: wait for every call's row.
  for (let i = 0; i < 50; i++) {
    rows = readRows();
    if (rows.filter((r) => r.type === 'consume').length >= calls.length) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const consume = rows.filter((r) => r.type === 'consume');

  await check('billing: each call made here has its consume row, and the row agrees with what the SDK saw', async () => {
    const free = [...consume];
    const problems = [];
    // A stream's row may commit after the next call's: of the rows of the same endpoint and model, a call takes
    // the first that agrees with it (the first of them, to name the disagreement, when none does).
    const agrees = (c, row) => { try { c.expect(row); return null; } catch (e) { return e; } };
    for (const c of calls) {
      const candidates = free.filter((r) => r.other?.request_path === c.path && r.model === c.model);
      if (!candidates.length) { problems.push(`${c.what}: no consume row for ${c.path} ${c.model}`); continue; }
      const row = candidates.find((r) => !agrees(c, r)) ?? candidates[0];
      free.splice(free.indexOf(row), 1);
      const e = agrees(c, row);
      if (e) problems.push(`${c.what} (log row ${row.id}): ${e.message}`);
    }
    for (const r of free) problems.push(`a consume row no call here made: ${r.other?.request_path} ${r.model} quota ${r.quota}`);
    assert.deepEqual(problems, []);
    const paths = [...new Set(calls.map((c) => c.path))];
    assert.deepEqual(PATHS.filter((p) => !paths.includes(p)), [], 'every endpoint was driven');
    return `${calls.length} calls over ${paths.length} endpoints`;
  });

  await check('billing: every consume row is priced exactly by the book (QuotaMath, exact rationals)', async () => {
    const problems = [];
    for (const row of consume) {
      const o = row.other;
      if (!PATHS.includes(o.request_path)) { problems.push(`row ${row.id}: unexpected path ${o.request_path}`); continue; }
      if (o.price_snapshot_id !== snapshot) problems.push(`row ${row.id}: price snapshot ${o.price_snapshot_id}, not ${snapshot}`);
      if (o.tool_calls) problems.push(`row ${row.id}: tool calls ${JSON.stringify(o.tool_calls)} on ${o.request_path}`);
      const p = pricingOf(book, row.model, group);
      // The ratios the row recorded are the book's.
      const recorded = { model_ratio: p.modelRatio, completion_ratio: p.completion, cache_ratio: p.cache,
                         create_cache_ratio: p.createCache, image_ratio: p.image, audio_ratio: p.audio,
                         audio_completion_ratio: p.audioCompletion, audio_cache_ratio: p.audioCache, group_ratio: p.group };
      for (const [k, v] of Object.entries(recorded))
        if (!eqRat(ratOf(o[k]), v)) problems.push(`row ${row.id} ${row.model}: ${k} ${o[k]} != book ${showRat(v)}`);
      if (p.fixed ? !eqRat(ratOf(o.model_price), p.modelPrice) : o.model_price !== -1)
        problems.push(`row ${row.id} ${row.model}: model_price ${o.model_price}`);
      // Token columns: prompt = text + audio + image input, completion = text + audio output.
      const u = o.usage;
      if (row.prompt_tokens !== u.text_input + u.audio_input + u.image_input)
        problems.push(`row ${row.id} ${row.model}: prompt_tokens ${row.prompt_tokens} != usage ${JSON.stringify(u)}`);
      if (row.completion_tokens !== u.text_output + u.audio_output)
        problems.push(`row ${row.id} ${row.model}: completion_tokens ${row.completion_tokens} != usage ${JSON.stringify(u)}`);
      const { quota, exact } = quoteRow(row, p);
      if (BigInt(row.quota) !== quota)
        problems.push(`row ${row.id} ${o.request_path} ${row.model}: quota ${row.quota}, book says ${quota} ` +
                      `(exact ${showRat(exact)}; usage ${JSON.stringify(u)}, units ${JSON.stringify(o.units ?? {})})`);
    }
    assert.deepEqual(problems, []);
    const byPath = {};
    for (const r of consume) byPath[r.other.request_path] = (byPath[r.other.request_path] ?? 0) + r.quota;
    assert.ok(consume.some((r) => r.other.units?.audio_seconds > 0), 'a row billed by the minute was checked');
    assert.ok(consume.some((r) => r.other.units?.characters > 0), 'a row billed by the character was checked');
    assert.ok(consume.some((r) => r.other.units?.images > 0), 'a row billed by the image was checked');
    return `${consume.length} rows; quota by path ${JSON.stringify(byPath)}`;
  });

  await check('billing: logs == debits (the demo user\'s and the key\'s used quota are the sum of the consume rows)', async () => {
    const user = JSON.parse(admin('user', 'show', 'demo'));
    const sum = consume.reduce((a, r) => a + r.quota, 0);
    assert.ok(sum > 0);
    assert.equal(user.used_quota, sum, `user used_quota ${user.used_quota}, consume rows sum ${sum}`);
    const key = JSON.parse(admin('key', 'show', keyName));
    assert.equal(key.used_quota, sum, `key used_quota ${key.used_quota}, consume rows sum ${sum}`);
    assert.ok(consume.every((r) => r.key_id === key.id), 'every row is this key\'s');
    const others = rows.filter((r) => r.type !== 'consume');
    assert.deepEqual(others.map((r) => `${r.type} ${r.other?.request_path ?? ''} ${r.content ?? ''}`), [],
                     'no error rows: every call here succeeded');
    return `${sum} quota over ${consume.length} rows`;
  });
} catch (e) {
  failures++;
  console.error('FAIL:', e);
} finally {
  const exited = new Promise((resolve) => server.on('exit', (code, signal) => resolve({ code, signal })));
  if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM');
  const killer = setTimeout(() => server.kill('SIGKILL'), 15000);
  const { code, signal } = server.exitCode !== null || server.signalCode !== null
    ? { code: server.exitCode, signal: server.signalCode } : await exited;
  clearTimeout(killer);
  if (code !== 0) {
    failures++;
    console.error('FAIL: relaydeskd exit', code, signal ?? '');
  }
  rmSync(dataDir, { recursive: true, force: true });
}
console.log(`${failures === 0 ? 'all passed' : failures + ' failed'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(failures ? 1 : 0);
