// Builds the benchmark corpus (JSON Lines, {"text": ...}, documents of at most 32 KiB) from text that
// every Debian 12 machine with the build dependencies has, mixed like the baseline corpus in
// shared/reference/tokenizer.md §4 (licenses, copyright files, changelogs, English and translated man
// pages, C/C++ headers, cmake, perl, JSON), plus synthetic CJK, emoji, numbers, whitespace and edge
// cases from tools/tokenize/corpus_gen.mjs. File lists are sorted, so the corpus is reproducible on
// machines with the same packages.
//
//   node make_corpus.mjs OUT.jsonl
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const { generateCorpus, generatorsByName, setSeed } = await import(path.join(here, '../../tools/tokenize/corpus_gen.mjs'));

const out = process.argv[2];
if (!out) {
    console.error('usage: make_corpus.mjs OUT.jsonl');
    process.exit(2);
}

const listDir = (dir, filter) => {
    try {
        return fs.readdirSync(dir).sort().map((f) => path.join(dir, f)).filter((f) => filter(f) && fs.statSync(f).isFile());
    } catch {
        return [];
    }
};
const read = (f) => {
    const b = fs.readFileSync(f);
    return (f.endsWith('.gz') ? zlib.gunzipSync(b) : b).toString('utf8');
};
const docDirs = fs.existsSync('/usr/share/doc') ? fs.readdirSync('/usr/share/doc').sort() : [];
const manLangs = ['zh_CN', 'zh_TW', 'ja', 'ko', 'ru', 'uk', 'de', 'fr', 'es', 'pl', 'pt_BR', 'sv'];

const categories = [
    ['licenses', 0.24e6, () => listDir('/usr/share/common-licenses', () => true)],
    ['copyright', 1.22e6, () => docDirs.map((d) => `/usr/share/doc/${d}/copyright`).filter((f) => fs.existsSync(f))],
    ['changelogs', 0.91e6, () => docDirs.map((d) => `/usr/share/doc/${d}/changelog.Debian.gz`).filter((f) => fs.existsSync(f))],
    ['man-en', 0.81e6, () => listDir('/usr/share/man/man1', (f) => f.endsWith('.gz'))],
    ['man-translated', 1.9e6, () => manLangs.flatMap((l) => listDir(`/usr/share/man/${l}/man1`, (f) => f.endsWith('.gz')))],
    ['c-headers', 0.92e6, () => listDir('/usr/include', (f) => f.endsWith('.h'))],
    ['cpp-headers', 0.5e6, () => listDir('/usr/include/x86_64-linux-gnu/qt6/QtCore', (f) => f.endsWith('.h'))],
    ['cmake', 0.25e6, () => listDir('/usr/share/cmake-3.25/Modules', (f) => f.endsWith('.cmake'))],
    ['perl', 0.25e6, () => listDir('/usr/share/perl/5.36.0', (f) => f.endsWith('.pm'))],
    ['json', 0.52e6, () => listDir('/usr/share/cmake-3.25/Templates/MSBuild/FlagTables', (f) => f.endsWith('.json'))
        .concat(listDir('/usr/share/doc/nodejs/api', (f) => f.endsWith('.json')))],
];

const docs = [];
const summary = [];
for (const [name, budget, files] of categories) {
    let bytes = 0;
    const list = files();
    // Round-robin over languages for translated pages would need more code; interleave by stride instead.
    const stride = Math.max(1, Math.floor(list.length / 400));
    for (let i = 0; i < list.length && bytes < budget; i += (name.startsWith('man') ? stride : 1)) {
        let text;
        try { text = read(list[i]); } catch { continue; }
        if (text.includes('\u0000') || text.includes('\ufffd')) continue;   // binary or not UTF-8
        for (let off = 0; off < text.length && bytes < budget; off += 16384) {
            const chunk = text.slice(off, off + 16384);
            docs.push(chunk);
            bytes += Buffer.byteLength(chunk);
        }
    }
    summary.push(`${name} ${(bytes / 1e6).toFixed(2)} MB`);
}
setSeed(0xbe9c4);
for (const [name, budget] of [['cjk', 0.6e6], ['emoji', 0.25e6], ['numbers', 0.25e6], ['whitespace', 0.2e6], ['edge', 0.12e6]]) {
    const generated = generateCorpus(budget, [generatorsByName[name]]);
    docs.push(...generated);
    summary.push(`${name} ${(generated.reduce((a, t) => a + Buffer.byteLength(t), 0) / 1e6).toFixed(2)} MB`);
}
const total = docs.reduce((a, t) => a + Buffer.byteLength(t), 0);
// U+FEFF escaped: Qt's JSON parser drops it raw inside strings.
fs.writeFileSync(out, docs.map((t) => JSON.stringify({ text: t }).replace(/\ufeff/g, '\\ufeff')).join('\n') + '\n');
console.error(`corpus: ${docs.length} documents, ${(total / 1e6).toFixed(2)} MB (${summary.join(', ')})`);
