// Single-thread throughput of relaydesk_tokenize on a JSON Lines corpus ({"text": ...} per line),
// plus start-up time and peak memory. Used by bench/tokenize/run_bench.sh; prints one JSON object.
//
//   bench_tokenize CORPUS.jsonl [--passes N] [--encodings cl100k_base,o200k_base]
#include "tokenize/encoding.h"

#include <QByteArray>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>

#include <sys/resource.h>
#include <unistd.h>

#include <ctime>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

using RelayDesk::Tokenize::Encoding;


// Thread CPU time: robust against other processes sharing the machine.
static double cpuSeconds()
{
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) + double(t.tv_nsec) * 1e-9;
}

// Current resident set in KiB.
static long rssKiB()
{
    long pages = 0, resident = 0;
    if (FILE *f = std::fopen("/proc/self/statm", "r")) {
        if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        std::fclose(f);
    }
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static long peakRssKiB()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

int main(int argc, char **argv)
{
    // Start-up first, in a fresh process: first byName() + a first count, per encoding.
    const long rssAtStart = rssKiB();
    std::vector<std::string> encodings = {"cl100k_base", "o200k_base"};
    int passes = 5;
    const char *corpusPath = nullptr;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--passes" && i + 1 < argc)
            passes = std::max(1, std::atoi(argv[++i]));
        else if (a == "--encodings" && i + 1 < argc) {
            encodings.clear();
            for (const QString &e : QString::fromUtf8(argv[++i]).split(u','))
                encodings.push_back(e.toStdString());
        } else
            corpusPath = argv[i];
    }
    std::string startup;
    for (const std::string &name : encodings) {
        // Thread CPU time (user + system, so page faults count) rather than wall time, which other
        // load on the machine inflates at random.
        const double t0 = cpuSeconds();
        const Encoding *enc = Encoding::byName(name);
        if (!enc) {
            std::fprintf(stderr, "unknown encoding %s\n", name.c_str());
            return 2;
        }
        const size_t n = enc->count(std::string_view("Hello, world! Start-up probe."));
        const double t1 = cpuSeconds();
        startup += (startup.empty() ? "" : ", ") + std::string("\"") + name + "\": " + std::to_string((t1 - t0) * 1e3)
            + (n ? "" : "");
    }
    const long rssAfterStartup = rssKiB();
    if (!corpusPath) {
        std::fprintf(stderr, "usage: bench_tokenize CORPUS.jsonl [--passes N] [--encodings a,b]\n");
        return 2;
    }
    QFile f(QString::fromLocal8Bit(corpusPath));
    if (!f.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr, "cannot read %s\n", corpusPath);
        return 2;
    }
    std::vector<std::string> docs;
    size_t bytes = 0;
    while (!f.atEnd()) {
        const QByteArray line = f.readLine().trimmed();
        if (line.isEmpty())
            continue;
        docs.push_back(QJsonDocument::fromJson(line).object().value(u"text").toString().toStdString());
        bytes += docs.back().size();
    }

    const long rssBeforeCounting = rssKiB();
    std::printf("{\"documents\": %zu, \"bytes\": %zu, \"startup_ms\": {%s}, \"results\": [", docs.size(), bytes, startup.c_str());
    bool first = true;
    for (const std::string &name : encodings) {
        const Encoding *enc = Encoding::byName(name);
        std::vector<double> times;
        size_t tokens = 0;
        double firstPass = 0;
        for (int pass = 0; pass <= passes; ++pass) {   // pass 0 = first pass (cold piece cache)
            size_t t = 0;
            const double t0 = cpuSeconds();
            for (const std::string &d : docs)
                t += enc->count(d);
            const double s = cpuSeconds() - t0;
            tokens = t;
            if (pass == 0)
                firstPass = s;
            else
                times.push_back(s);
        }
        std::sort(times.begin(), times.end());
        const double median = times[times.size() / 2];
        std::printf("%s{\"encoding\": \"%s\", \"tokens\": %zu, \"first_pass_mb_s\": %.1f, \"median_mb_s\": %.1f}",
                    first ? "" : ", ", name.c_str(), tokens, bytes / firstPass / 1e6, bytes / median / 1e6);
        first = false;
    }
    // Tokenizer memory: pages touched by start-up plus growth while counting (the corpus is excluded).
    const long tokenizerKiB = (rssAfterStartup - rssAtStart) + (rssKiB() - rssBeforeCounting);
    std::printf("], \"tokenizer_rss_kib\": %ld, \"peak_rss_kib\": %ld}\n", tokenizerKiB, peakRssKiB());
    return 0;
}
