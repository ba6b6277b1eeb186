// Reference token counts from the oracle, npm tiktoken@1.0.22 (the WASM build of OpenAI's Rust core),
// for the exactness tests (tests/tokenize/tst_exactness.cpp).
//
//   node reference_counts.mjs <unpacked tiktoken package dir> <out dir> [--bench-corpus BYTES]
//
// Writes into <out dir>:
//   corpus.jsonl       one JSON object per document: {"text", "cl100k_base", "o200k_base", "p50k_base", "r50k_base"}
//                      (the counts are encode_ordinary lengths). The corpus is generated deterministically
//                      below: prose in many languages, code, JSON, CJK, emoji, numbers, whitespace runs, and
//                      edge cases (U+0085, U+180E, U+FEFF, 'ſ contractions, long runs, Unicode 15/16 letters).
//   sweep_<enc>.bin    for cl100k_base and o200k_base: one byte per code point 0..0x10FFFF, the token count of
//                      sweepProbe(cp) (0 for surrogates, which are not scalar values).
// With --bench-corpus N only corpus text of about N bytes is written (bench_corpus.jsonl, no counts).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const [pkgDir, outDir, ...rest] = process.argv.slice(2);
if (!pkgDir || !outDir) {
    console.error('usage: reference_counts.mjs <tiktoken package dir> <out dir> [--bench-corpus BYTES]');
    process.exit(2);
}
fs.mkdirSync(outDir, { recursive: true });

import { generateCorpus, setSeed } from './corpus_gen.mjs';

// ---- the per-code-point sweep probe (must match sweepProbe() in tests/tokenize/tst_exactness.cpp) -------
export const sweepProbe = (C) => `a${C}b ${C}1${C}23 ${C}${C}  ${C}\t${C}\n${C}'s'${C} ${C}'T${C}A${C}a${C}/${C}\r\n${C}!`;

// ---- main ------------------------------------------------------------------------------------------------
const benchIdx = rest.indexOf('--bench-corpus');
if (benchIdx >= 0) {
    setSeed(0xbe9c4);
    const docs = generateCorpus(Number(rest[benchIdx + 1]));
    fs.writeFileSync(path.join(outDir, 'bench_corpus.jsonl'), docs.map((t) => JSON.stringify({ text: t }).replace(/\ufeff/g, '\\ufeff')).join('\n') + '\n');
    process.exit(0);
}

const require = createRequire(path.join(path.resolve(pkgDir), 'package.json'));
const { get_encoding } = require(path.resolve(pkgDir));
const names = ['cl100k_base', 'o200k_base', 'p50k_base', 'r50k_base'];
const encs = Object.fromEntries(names.map((n) => [n, get_encoding(n)]));

const docs = generateCorpus(3_000_000);
// A few fixed documents that must always be present.
docs.push('', ' ', '\u0085', ' \u0085x', ' \ufeffe', '\ufeff\'T', '\ufeff', '\u180e', 'a'.repeat(100000), ' '.repeat(5000) + 'x', '1'.repeat(3001), "'ſ'S'ſt", 'Hello, world!');
const lines = docs.map((text) => {
    const o = { text };
    for (const n of names) o[n] = encs[n].encode_ordinary(text).length;
    // Escape U+FEFF: Qt's JSON parser drops it when it appears raw inside a string.
    return JSON.stringify(o).replace(/\ufeff/g, '\\ufeff');
});
fs.writeFileSync(path.join(outDir, 'corpus.jsonl'), lines.join('\n') + '\n');

for (const n of ['cl100k_base', 'o200k_base']) {
    const counts = new Uint8Array(0x110000);
    for (let cp = 0; cp < 0x110000; ++cp) {
        if (cp >= 0xd800 && cp <= 0xdfff) continue;
        const c = encs[n].encode_ordinary(sweepProbe(String.fromCodePoint(cp))).length;
        if (c > 255) throw new Error('probe count > 255');
        counts[cp] = c;
    }
    fs.writeFileSync(path.join(outDir, `sweep_${n}.bin`), counts);
}
for (const n of names) encs[n].free();
console.log(`wrote ${docs.length} documents and 2 sweeps to ${outDir}`);
