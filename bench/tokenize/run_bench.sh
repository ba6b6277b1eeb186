#!/usr/bin/env bash
# Token counting benchmark: relaydesk_tokenize vs npm tiktoken@1.0.22 (WASM build of OpenAI's Rust core)
# and gpt-tokenizer@4.0.0, single thread, same corpora, cl100k_base and o200k_base, in one run; plus the
# whole `relaydeskd count --jsonl` process on each corpus.
#
#   bench/tokenize/run_bench.sh [BUILD_DIR]        (default: build; needs node + npm)
#
# Two corpora (bench/tokenize/make_corpus.mjs): the bench corpus (~9 MB of Debian text plus synthetic
# sections) and the mixed-language corpus of issue 18 (--mixed: ~9 MB, a third of it Russian, Arabic,
# Hindi, Thai, Chinese, Japanese and Korean prose, plus code, JSON and base64). They and the npm packages
# (sha1-verified) are cached in BUILD_DIR/bench-tokenize. Each library and encoding runs in a
# fresh process: one first pass (cold caches), then the median of PASSES passes (default 5).
# The CLI row is whole-process CPU time (user + system, bash `times`: start-up, reading the file, JSON
# scanning, counting) over the same text bytes as the in-process rows, in CLI_ROUNDS rounds (default 7)
# that alternate one CLI run with one in-process run (`bench_tokenize --passes 3`): each round's ratio is
# the CLI's MB/s over that round's in-process median, so both sides see the same minute of the machine;
# the row gives the CLI's median MB/s and the median ratio with its range.
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
mixed=$work/corpus-mixed.jsonl
[[ -s $corpus ]] || node "$here/make_corpus.mjs" "$corpus"
[[ -s $mixed ]] || node "$here/make_corpus.mjs" "$mixed" --mixed

fetch() {   # name version sha1
    local tgz=$work/npm/$1-$2.tgz dir=$work/npm/$1-$2
    if [[ ! -s $tgz ]]; then (cd "$work/npm" && npm pack "$1@$2" --silent >/dev/null); fi
    [[ $(sha1sum "$tgz" | cut -d' ' -f1) == "$3" ]] || { echo "sha1 mismatch for $tgz" >&2; rm -f "$tgz"; exit 1; }
    if [[ ! -d $dir ]]; then mkdir -p "$dir" && tar xzf "$tgz" -C "$dir"; fi
    echo "$dir/package"
}
tiktoken=$(fetch tiktoken 1.0.22 a6c674839228bb88f32dfe646dff47193762f7d3)
gpttok=$(fetch gpt-tokenizer 4.0.0 5443ee8522bb87c1ab1877c029efe4ba9e912b32)

# Whole-process CPU seconds (user + system) of one `relaydeskd count --encoding E --jsonl FILE`.
cli_cpu() {
    { TIMEFORMAT='%3U %3S'; time "$build/bin/relaydeskd" count --encoding "$1" --jsonl "$2" >/dev/null; } 2>&1 |
        awk '{ printf "%.3f", $1 + $2 }'
}
# CLI_ROUNDS alternating rounds: the CLI once, then the in-process median of 3 passes.
cli_rounds() {   # encoding corpus name
    local i cpu inproc
    for i in $(seq "${CLI_ROUNDS:-7}"); do
        cpu=$(cli_cpu "$1" "$2")
        inproc=$("$build/bin/bench_tokenize" "$2" --passes 3 --encodings "$1" | sed -E 's/.*"median_mb_s": ([0-9.]+).*/\1/')
        echo "{\"corpus\": \"$3\", \"library\": \"cli\", \"encoding\": \"$1\", \"cpu_s\": $cpu, \"in_process_median_mb_s\": $inproc}"
    done
}

results=$work/results.jsonl
: > "$results"
for c in "$corpus" "$mixed"; do
    name=$(basename "$c" .jsonl)
    for enc in cl100k_base o200k_base; do
        node "$here/bench_npm.mjs" tiktoken "$tiktoken" $enc "$c" "$passes" | sed "s/^{/{\"corpus\": \"$name\", /" >> "$results"
        node "$here/bench_npm.mjs" gpt-tokenizer "$gpttok" $enc "$c" "$passes" | sed "s/^{/{\"corpus\": \"$name\", /" >> "$results"
        "$build/bin/bench_tokenize" "$c" --passes "$passes" --encodings $enc | sed "s/^{/{\"corpus\": \"$name\", /" >> "$results"
        cli_rounds $enc "$c" "$name" >> "$results"
    done
done
# Start-up and memory of ours with both encodings loaded, in one fresh process.
"$build/bin/bench_tokenize" "$mixed" --passes 1 --encodings cl100k_base,o200k_base > "$work/both.json"
# Start-up of the real command-line tool, end to end (process start to exit, tiny input).
start_ns=$(date +%s%N)
for i in $(seq 20); do echo "hello" | "$build/bin/relaydeskd" count --encoding o200k_base >/dev/null; done
cli_ms=$(( ($(date +%s%N) - start_ns) / 20000000 ))

node - "$results" "$work/both.json" "$cli_ms" "$corpus" "$mixed" <<'JS'
const fs = require('fs');
const [resultsPath, bothPath, cliMs, ...corpora] = process.argv.slice(2);
const rows = fs.readFileSync(resultsPath, 'utf8').split('\n').filter(Boolean).map(JSON.parse);
const both = JSON.parse(fs.readFileSync(bothPath, 'utf8'));
const textBytes = (p) => fs.readFileSync(p, 'utf8').split('\n').filter(Boolean).reduce((a, l) => a + Buffer.byteLength(JSON.parse(l).text), 0);
const load = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`single thread; MB = 10^6 bytes of UTF-8 text; load average at the end: ${load}`);
for (const corpusPath of corpora) {
    const name = require('path').basename(corpusPath, '.jsonl');
    const bytes = textBytes(corpusPath);
    const mine = rows.filter((r) => r.corpus === name);
    console.log(`\n### ${name}: ${(bytes / 1e6).toFixed(2)} MB of text\n`);
    console.log('| encoding | library | init ms | first pass MB/s | median MB/s | tokens | peak RSS MiB |');
    console.log('|---|---|---|---|---|---|---|');
    for (const r of mine) {
        if (r.results) {
            const x = r.results[0];
            console.log(`| ${x.encoding} | **relaydesk_tokenize** | ${r.startup_ms[x.encoding].toFixed(3)} | ${x.first_pass_mb_s} | **${x.median_mb_s}** | ${x.tokens} | ${(r.peak_rss_kib / 1024).toFixed(1)} |`);
        } else if (r.library === 'cli') {
            if (mine.find((o) => o.library === 'cli' && o.encoding === r.encoding) !== r)
                continue;   // one row for the encoding's rounds
            const rounds = mine.filter((o) => o.library === 'cli' && o.encoding === r.encoding);
            const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
            const speeds = rounds.map((o) => bytes / o.cpu_s / 1e6);
            const ratios = rounds.map((o, i) => 100 * speeds[i] / o.in_process_median_mb_s);
            console.log(`| ${r.encoding} | relaydeskd count --jsonl (whole process) | | ${median(speeds).toFixed(1)} (${median(ratios).toFixed(0)} % of the in-process median, ${Math.min(...ratios).toFixed(0)}–${Math.max(...ratios).toFixed(0)} % over ${rounds.length} alternating rounds) | | | |`);
        } else {
            console.log(`| ${r.encoding} | ${r.library} | ${r.init_ms} | ${r.first_pass_mb_s} | ${r.median_mb_s} | ${r.tokens} | ${(r.peak_rss_kib / 1024).toFixed(1)} |`);
        }
    }
    for (const o of mine.filter((r) => r.results).map((r) => r.results[0])) {
        const t = mine.find((r) => r.library === 'tiktoken' && r.encoding === o.encoding);
        console.log(`\n${o.encoding}: token total ${o.tokens === t.tokens ? 'identical to' : 'DIFFERENT FROM'} npm tiktoken (${t.tokens})`);
    }
}
console.log(`\nboth encodings loaded: start-up ${Object.entries(both.startup_ms).map(([k, v]) => `${k} ${v.toFixed(3)} ms`).join(', ')}; ` +
            `tokenizer memory (peak RSS minus the process before loading, corpus excluded): ${((both.tokenizer_rss_kib) / 1024).toFixed(1)} MiB; ` +
            `relaydeskd count end to end: ${cliMs} ms per run`);
JS
