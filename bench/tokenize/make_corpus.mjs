// Builds the benchmark corpus (JSON Lines, {"text": ...}, documents of at most 32 KiB) from text that
// every Debian 12 machine with the build dependencies has, mixed like the baseline corpus in
// shared/reference/tokenizer.md §4 (licenses, copyright files, changelogs, English and translated man
// pages, C/C++ headers, cmake, perl, JSON), plus synthetic CJK, emoji, numbers, whitespace and edge
// cases from tools/tokenize/corpus_gen.mjs. File lists are sorted, so the corpus is reproducible on
// machines with the same packages.
//
// --mixed builds the mixed-language corpus of issue 18 instead (~9 MB): the same Debian sources at about
// half their share, plus real non-Latin prose — Russian, Arabic, Hindi, Thai, Chinese, Japanese, Korean —
// taken from the gettext catalogues under /usr/share/locale/<lang>/LC_MESSAGES/*.mo (the translated
// message strings of apt, dpkg, glib, gtk, PackageKit ..., plus the iso-codes names) and from the
// translated man pages, more code (Python from /usr/lib/python3.11, JavaScript from /usr/share/nodejs),
// and base64 blobs (the bytes of the compressed changelogs, as PEM-style 76-column lines and as JSON data
// URLs). Nothing is downloaded; everything is sorted and seeded, so it is reproducible too.
//
//   node make_corpus.mjs OUT.jsonl [--mixed]
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const { generateCorpus, generatorsByName, setSeed } = await import(path.join(here, '../../tools/tokenize/corpus_gen.mjs'));

const out = process.argv[2];
const mixed = process.argv.includes('--mixed');
if (!out) {
    console.error('usage: make_corpus.mjs OUT.jsonl [--mixed]');
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

// Files under dir (recursively, sorted) whose name passes filter.
const walk = (dir, filter) => {
    let entries;
    try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return []; }
    return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).flatMap((e) => {
        const f = path.join(dir, e.name);
        if (e.isDirectory()) return walk(f, filter);
        return e.isFile() && filter(f) ? [f] : [];
    });
};

// The translated strings (msgstr) of a gettext .mo file, one message per line (plural forms too).
const moMessages = (f) => {
    const b = fs.readFileSync(f);
    const magic = b.readUInt32LE(0);
    const u32 = magic === 0x950412de ? (o) => b.readUInt32LE(o) : (o) => b.readUInt32BE(o);
    if (magic !== 0x950412de && u32(0) !== 0x950412de) return '';
    const n = u32(8), table = u32(16);
    const lines = [];
    for (let i = 0; i < n; ++i) {
        const len = u32(table + 8 * i), off = u32(table + 8 * i + 4);
        if (len === 0 || off + len > b.length) continue;
        const text = b.subarray(off, off + len).toString('utf8');
        if (text.startsWith('Project-Id-Version:')) continue;   // the catalogue header
        lines.push(text.replace(/\u0000/g, '\n'));
    }
    return lines.join('\n');
};
// A language's catalogues, prose-like ones (program messages) before the iso-codes name lists.
const moFiles = (lang) => {
    const all = listDir(`/usr/share/locale/${lang}/LC_MESSAGES`, (f) => f.endsWith('.mo'));
    const iso = (f) => path.basename(f).startsWith('iso_');
    return all.filter((f) => !iso(f)).concat(all.filter(iso));
};

// base64 of real binary bytes (compressed changelogs), in the two shapes seen in prompts.
const base64Docs = (budget) => {
    const files = docDirs.map((d) => `/usr/share/doc/${d}/changelog.Debian.gz`).filter((f) => fs.existsSync(f));
    const result = [];
    let bytes = 0;
    for (let i = 0; i < files.length && bytes < budget; ++i) {
        const b64 = fs.readFileSync(files[i]).toString('base64').slice(0, 12000);
        const text = i % 2
            ? `-----BEGIN DATA-----\n${b64.match(/.{1,76}/g).join('\n')}\n-----END DATA-----\n`
            : JSON.stringify({ name: path.basename(path.dirname(files[i])), type: 'application/gzip',
                               data: `data:application/gzip;base64,${b64}` }, null, 2);
        result.push(text);
        bytes += Buffer.byteLength(text);
    }
    return result;
};

const baseCategories = [
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
const mixedCategories = [
    ...baseCategories.map(([name, budget, files]) => [name, budget * (name === 'man-translated' ? 0.4 : 0.5), files]),
    ...[['ru', 0.55e6], ['ar', 0.45e6], ['hi', 0.45e6], ['th', 0.45e6], ['zh_CN', 0.5e6], ['ja', 0.5e6], ['ko', 0.45e6]]
        .map(([lang, budget]) => [`prose-${lang}`, budget, () => moFiles(lang), moMessages]),
    ['python', 0.4e6, () => listDir('/usr/lib/python3.11', (f) => f.endsWith('.py'))],
    ['javascript', 0.3e6, () => walk('/usr/share/nodejs', (f) => f.endsWith('.js') && !f.endsWith('.min.js'))],
];
const categories = mixed ? mixedCategories : baseCategories;

const docs = [];
const summary = [];
for (const [name, budget, files, reader = read] of categories) {
    let bytes = 0;
    const list = files();
    // Round-robin over languages for translated pages would need more code; interleave by stride instead.
    const stride = Math.max(1, Math.floor(list.length / 400));
    for (let i = 0; i < list.length && bytes < budget; i += (name.startsWith('man') ? stride : 1)) {
        let text;
        try { text = reader(list[i]); } catch { continue; }
        if (text.includes('\u0000') || text.includes('\ufffd')) continue;   // binary or not UTF-8
        for (let off = 0; off < text.length && bytes < budget; off += 16384) {
            const chunk = text.slice(off, off + 16384);
            docs.push(chunk);
            bytes += Buffer.byteLength(chunk);
        }
    }
    summary.push(`${name} ${(bytes / 1e6).toFixed(2)} MB`);
}
if (mixed) {
    const blobs = base64Docs(0.45e6);
    docs.push(...blobs);
    summary.push(`base64 ${(blobs.reduce((a, t) => a + Buffer.byteLength(t), 0) / 1e6).toFixed(2)} MB`);
}
setSeed(0xbe9c4);
const synthetic = [['cjk', 0.6e6], ['emoji', 0.25e6], ['numbers', 0.25e6], ['whitespace', 0.2e6], ['edge', 0.12e6]];
for (const [name, budget] of synthetic.map(([n, b]) => [n, mixed ? b / 2 : b])) {
    const generated = generateCorpus(budget, [generatorsByName[name]]);
    docs.push(...generated);
    summary.push(`${name} ${(generated.reduce((a, t) => a + Buffer.byteLength(t), 0) / 1e6).toFixed(2)} MB`);
}
const total = docs.reduce((a, t) => a + Buffer.byteLength(t), 0);
// U+FEFF escaped: Qt's JSON parser drops it raw inside strings.
fs.writeFileSync(out, docs.map((t) => JSON.stringify({ text: t }).replace(/\ufeff/g, '\\ufeff')).join('\n') + '\n');
console.error(`corpus: ${docs.length} documents, ${(total / 1e6).toFixed(2)} MB (${summary.join(', ')})`);
