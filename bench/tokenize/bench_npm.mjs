// One npm library, one encoding, one fresh process: init time, first-pass and median-of-N MB/s (CPU
// time) over the corpus (single JS thread), total tokens and peak RSS. Prints one JSON object.
//   node bench_npm.mjs <tiktoken|gpt-tokenizer> <package dir> <encoding> <corpus.jsonl> [passes]
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const [lib, pkgDir, encoding, corpusPath, passesArg] = process.argv.slice(2);
const passes = Number(passesArg || 5);
const docs = fs.readFileSync(corpusPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).text);
const bytes = docs.reduce((a, t) => a + Buffer.byteLength(t), 0);
const require = createRequire(path.join(path.resolve(pkgDir), 'package.json'));

const t0 = performance.now();
let count;
if (lib === 'tiktoken') {
    const enc = require(path.resolve(pkgDir)).get_encoding(encoding);
    count = (t) => enc.encode_ordinary(t).length;
} else {
    const mod = require(path.join(path.resolve(pkgDir), 'cjs/encoding', `${encoding}.js`));
    // Special-token text as ordinary text, like tiktoken's encode_ordinary.
    const options = { disallowedSpecial: new Set() };
    count = (t) => mod.countTokens(t, options);
}
count('Hello, world! Start-up probe.');
const initMs = performance.now() - t0;

const times = [];
let tokens = 0;
for (let pass = 0; pass <= passes; ++pass) {
    // CPU time of the process (user + system), like the C++ bench's thread CPU time: robust against
    // other load on the machine. Node's helper threads (GC) are included, which is fair: they do the work.
    const s = process.cpuUsage();
    let n = 0;
    for (const d of docs) n += count(d);
    const u = process.cpuUsage(s);
    times.push((u.user + u.system) / 1e6);
    tokens = n;
}
const first = times.shift();
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(JSON.stringify({
    library: lib, encoding, init_ms: +initMs.toFixed(1), tokens,
    first_pass_mb_s: +(bytes / first / 1e6).toFixed(2), median_mb_s: +(bytes / median / 1e6).toFixed(2),
    peak_rss_kib: process.resourceUsage().maxRSS,
}));
