// Deterministic generator of test text for the tokenizer: prose in many languages, code, JSON, CJK,
// emoji, numbers, whitespace runs and edge cases. Shared by reference_counts.mjs (oracle counts) and
// bench/tokenize/make_corpus.mjs (benchmark corpus).
// ---- deterministic generator -------------------------------------------------------------------------
let seed = 0x5eed1234;
export const setSeed = (s) => { seed = s; };
const rnd = () => {   // mulberry32
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const int = (n) => Math.floor(rnd() * n);
const pick = (a) => a[int(a.length)];
const cps = (...list) => String.fromCodePoint(...list);

const prose = {
    en: ["The quick brown fox jumps over the lazy dog.", "It's what they'd've wanted, isn't it?", "We'll see; you're right, I'm sure.",
         "Billing is only as good as its counts.", "In 1984, 3.5 million people earned $20,000/year (about 12%).",
         "Dr. O'Neill's café served crème brûlée at 7:30 p.m.", "THE END. Don't PANIC! HELLO WORLD's BIGGEST fan."],
    de: ["Größere Straßenbahnen fahren über die Brücke.", "Die Übermäßigkeit ärgerte den Bäcker nicht.", "Ich hätte gern 3,5 kg Äpfel."],
    fr: ["L'été dernier, nous sommes allés à la plage.", "Qu'est-ce que c'est ? Ça coûte 12,50 €.", "Où est l'hôpital le plus proche ?"],
    es: ["¿Dónde está la biblioteca? ¡Allí!", "El niño comió piña y jamón ibérico.", "Mañana será otro día."],
    ru: ["Привет мир! Как дела?", "Съешь же ещё этих мягких французских булок, да выпей чаю.", "В 2024 году было 366 дней."],
    uk: ["Чуєш їх, доцю, га? Кумедна ж ти, прощайся без ґольфів!", "Україна — це Європа."],
    el: ["Ξεσκεπάζω την ψυχοφθόρα βδελυγμία.", "Καλημέρα σας, τι κάνετε;"],
    ar: ["مرحبا بالعالم، كيف حالك اليوم؟", "نص حكيم له سر قاطع وذو شأن عظيم مكتوب على ثوب أخضر ومغلف بجلد أزرق."],
    he: ["שלום עולם, מה שלומך?", "דג סקרן שט בים מאוכזב ולפתע מצא חברה."],
    hi: ["नमस्ते दुनिया, आप कैसे हैं?", "ऋषियों को सताने वाले दुष्ट राक्षसों के राजा रावण का सर्वनाश करने वाले विष्णुवतार भगवान श्रीराम।"],
    th: ["สวัสดีชาวโลก คุณสบายดีไหม", "เป็นมนุษย์สุดประเสริฐเลิศคุณค่า"],
    zh: ["你好，世界！今天天气很好。", "我能吞下玻璃而不伤身体。", "中华人民共和国成立于1949年10月1日。", "繁體中文與簡體中文並存。"],
    ja: ["こんにちは、世界！", "いろはにほへと ちりぬるを わかよたれそ つねならむ", "東京スカイツリーは高さ634メートルです。カタカナとひらがな。"],
    ko: ["안녕하세요, 세계!", "다람쥐 헌 쳇바퀴에 타고파.", "키스의 고유조건은 입술끼리 만나야 하고 특별한 기술은 필요치 않다."],
    vi: ["Tiếng Việt có dấu: Xin chào thế giới!", "Những con chó đang chạy trên đường."],
    tr: ["Pijamalı hasta yağız şoföre çabucak güvendi.", "İstanbul'da ılık bir gün."],
    pl: ["Zażółć gęślą jaźń.", "Pchnąć w tę łódź jeża lub ośm skrzyń fig."],
};
const langs = Object.keys(prose);

function genProse() {
    const lang = pick(langs);
    let s = '';
    const n = 3 + int(40);
    for (let i = 0; i < n; ++i) {
        s += pick(prose[rnd() < 0.8 ? lang : pick(langs)]);
        s += pick([' ', ' ', ' ', '\n', '\n\n', '  ', '\r\n', '\t']);
    }
    return s;
}

const idents = ['count', 'tokenCount', 'm_slots', 'HTTPServer', 'parse_json', 'XMLHttpRequest', 'i', 'j', 'value2', '_private', 'getURL', 'snake_case_name', 'kMaxValue', 'ÜberCount', 'données'];
function genCode() {
    const lang = int(4);
    let s = '';
    const indent = pick(['    ', '  ', '\t']);
    const nl = rnd() < 0.2 ? '\r\n' : '\n';
    for (let i = 0, n = 5 + int(60); i < n; ++i) {
        const d = indent.repeat(int(4));
        const a = pick(idents), b = pick(idents), num = int(100000);
        switch (lang) {
        case 0: s += d + pick([`for (size_t ${a} = 0; ${a} < ${b}.size(); ++${a}) {`, `return ${a}->${b}(${num}) != nullptr;`, `// TODO(${a}): don't ${b} here`, `}`, `std::vector<uint32_t> ${a}{${num}, 0x${num.toString(16)}};`, `#include <${b}.h>`]); break;
        case 1: s += d + pick([`def ${a}(self, ${b}=None):`, `return f"{${a}!r}: {${b}:>10}"`, `if ${a} is not None and ${b} >= ${num}:`, `# it's a comment`, `${a} = [x**2 for x in range(${num})]`, `"""Docstring for ${b}."""`]); break;
        case 2: s += d + pick([`const ${a} = await fetch(\`/api/v1/${b}?id=${num}\`);`, `${a}.map((x) => x * ${num}).filter(Boolean);`, `} else if (${a} === '${b}') {`, `export default { ${a}, ${b} };`, `/* ${a} */ let ${b} = ${num}n;`]); break;
        default: s += d + pick([`fn ${a}(&mut self, ${b}: &str) -> Result<u32, Error> {`, `let ${a}: Vec<_> = ${b}.iter().collect();`, `match ${a} { Some(x) => x, None => ${num} }`, `#[derive(Debug, Clone)]`, `}`]); break;
        }
        s += nl;
        if (rnd() < 0.1) s += nl;
    }
    return s;
}

function genValue(depth) {
    const r = int(depth > 3 ? 4 : 6);
    if (r === 0) return int(1e9) / (rnd() < 0.5 ? 1 : 100);
    if (r === 1) return pick(prose[pick(langs)]);
    if (r === 2) return rnd() < 0.5;
    if (r === 3) return null;
    if (r === 4) return Array.from({ length: int(5) }, () => genValue(depth + 1));
    const o = {};
    for (let i = 0, n = 1 + int(5); i < n; ++i) o[pick(idents)] = genValue(depth + 1);
    return o;
}
const genJson = () => JSON.stringify(genValue(0), null, pick([0, 1, 2, 4, '\t']));

function genCjk() {
    let s = '';
    const pools = [[0x4e00, 0x9fff], [0x3040, 0x309f], [0x30a0, 0x30ff], [0xac00, 0xd7a3], [0x3400, 0x4dbf], [0x20000, 0x2a6df], [0x31350, 0x323af], [0x2ebf0, 0x2ee5d]];
    for (let i = 0, n = 20 + int(400); i < n; ++i) {
        const [lo, hi] = pick(pools);
        s += cps(lo + int(hi - lo + 1));
        if (rnd() < 0.08) s += pick(['，', '。', '、', '！', '？', ' ', '\n', '「', '」', '1', '２', 'abc']);
    }
    return s;
}

const emoji = ['😀', '👍🏽', '👨‍👩‍👧‍👦', '🏳️‍🌈', '🇩🇪', '🇯🇵', '❤️', '❤', '✨', '🍕', '🧑🏿‍💻', '🫠', '🪿', '☕', '⚡️', '#️⃣', '🏴󠁧󠁢󠁳󠁣󠁴󠁿', '🙂‍↔️'];
function genEmoji() {
    let s = '';
    for (let i = 0, n = 10 + int(200); i < n; ++i) {
        s += pick(emoji);
        if (rnd() < 0.3) s += pick([' ', '', '\n', 'ok', ' yes', '!', '  ']);
    }
    return s;
}

function genNumbers() {
    let s = '';
    const digitSets = [[0x30], [0x660], [0x966], [0xff10], [0x1d7ce], [0xe50], [0x1e950]];
    for (let i = 0, n = 10 + int(200); i < n; ++i) {
        const r = int(6);
        if (r === 0) s += String(int(1e12));
        else if (r === 1) s += (rnd() * 1e6).toFixed(int(6));
        else if (r === 2) s += '1'.repeat(1 + int(40));
        else if (r === 3) { const [z] = pick(digitSets); for (let k = 0, m = 1 + int(9); k < m; ++k) s += cps(z + int(10)); }
        else if (r === 4) s += pick(['²', '³', '¹', '½', 'Ⅻ', '①', '٫', '1,234,567', '1_000_000', '0x1F', '+44 20 7946 0958', '3.14e-10', '-0']);
        else s += String(int(100)) + pick(['%', 'px', 'kg', ' km', '°C', '€']);
        s += pick([' ', ', ', '\n', '', '.', '/', '-', ' + ']);
    }
    return s;
}

const spaces = [' ', ' ', ' ', '\t', '\n', '\r', '\r\n', '\u000b', '\u000c', '\u00a0', '\u3000', '\u0085', '\u2028', '\u2029', '\u180e', '\ufeff', '\u200b', '\u2003', '\u202f', '\u1680'];
function genWhitespace() {
    let s = '';
    for (let i = 0, n = 10 + int(200); i < n; ++i) {
        const m = int(12);
        for (let k = 0; k < m; ++k) s += pick(spaces);
        s += pick(['a', 'word', 'Word', '1', '12345', '!', '?!', '//', "'s", 'é', '你', '', '\n']);
    }
    return s;
}

const edgeAtoms = ["'s", "'S", "'ſ", "'t", "'T", "'re", "'Re", "'rE", "'RE", "'ve", "'VE", "'m", "'M", "'ll", "'LL", "'Ll", "'d", "'D", "'x", "''", "'", "’s",
    'ſ', 'ſt', 'K', 'Å', '\u0085', '\u180e', '\ufeff', '\u200d', '\ufe0f', '\u0301', 'e\u0301', 'ǅ', 'ǈ', 'ʰ', 'ˈ', 'ª', 'º', 'ᵃ', 'Ⅷ', 'ⅷ', 'Ⓐ', 'ⓐ',
    'CamelCase', 'XMLHttp', 'iPhone', 'ABCdef', 'abcDEF', 'HELLO', 'hello', 'Hello', "DON'T", "don't", "O'Neil's", 'WORD\'S',
    'ᄀ', 'ᅡ', 'ᆨ', 'ㄱ', 'ㅏ', '\u0e33', '\u0e31', 'ก', 'ِ', 'ّ', 'ा', 'ि', '्', 'क', 'ड़',
    cps(0x1c89), cps(0x1c8a), cps(0x105c0), cps(0x11f00), cps(0x13460), cps(0x1e4d0), cps(0x1e5d0), cps(0x16d40), cps(0x11bc0), cps(0x10d40), cps(0x1e4f0), cps(0x31350), cps(0x2ebf0),
    cps(0x10940), cps(0x11db0), cps(0x16ea0), cps(0x1e6c0), cps(0x323b0),
    '\r', '\n', '\r\n', '\n\r', ' ', '  ', '\t', '/', '//', ' /', '/\n', '.\n', '!\r\n', '...', '—', '–', '«', '»', '"', '“', '”', '`', '```', '<|endoftext|>', '<|endofprompt|>', '<|fim_prefix|>',
    '0', '1', '12', '123', '1234', '12345', '١٢٣', '１２３', '²³', '½'];
function genEdge() {
    let s = '';
    for (let i = 0, n = 5 + int(120); i < n; ++i) s += pick(edgeAtoms);
    return s;
}

function genRandomCodePoints() {
    let s = '';
    for (let i = 0, n = 5 + int(200); i < n; ++i) {
        let cp;
        const r = int(5);
        if (r === 0) cp = int(0x80);
        else if (r === 1) cp = int(0x800);
        else if (r === 2) cp = int(0x10000);
        else if (r === 3) cp = 0x10000 + int(0x20000);
        else cp = int(0x110000);
        if (cp >= 0xd800 && cp <= 0xdfff) cp = 0x20;
        s += cps(cp);
    }
    return s;
}

function genLongRun() {
    const unit = pick(['a', 'A', ' ', '\n', '1', '.', '!', 'ab', 'é', '你', '😀', '\t', ' a', "'s", '\u0085', 'ſ', '/', 'xY', '\u0301']);
    return (rnd() < 0.5 ? pick(['', 'x', ' ', 'The ']) : '') + unit.repeat(50 + int(6000)) + (rnd() < 0.5 ? pick(['', 'x', ' ', '.', '\n']) : '');
}

export const generatorsByName = { prose: genProse, code: genCode, json: genJson, cjk: genCjk, emoji: genEmoji, numbers: genNumbers, whitespace: genWhitespace, edge: genEdge, random: genRandomCodePoints, longrun: genLongRun };
const generators = [genProse, genProse, genProse, genCode, genCode, genJson, genJson, genCjk, genEmoji, genNumbers, genWhitespace, genEdge, genEdge, genRandomCodePoints, genLongRun];

export function generateCorpus(targetBytes, pool = generators) {
    const docs = [];
    let bytes = 0;
    while (bytes < targetBytes) {
        const g = pick(pool);
        let text = g();
        if (rnd() < 0.3) text += pick(pool)();
        if (Buffer.byteLength(text) > 32768) text = text.slice(0, 16000);
        docs.push(text);
        bytes += Buffer.byteLength(text);
    }
    return docs;
}

