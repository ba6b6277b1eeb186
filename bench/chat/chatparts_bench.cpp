// Per-request costs of the chat relay's non-network steps, in µs (median of runs): prompt estimate,
// price lookup, ledger reserve + settle (SQLite, WAL), session registry open/close, the Prometheus counters a
// call and its settlement add to (RelayMetrics; the ledger's settle line includes the latter).
#include "billing/ledger.h"
#include "billing/pricingservice.h"
#include "billing/quotamath.h"
#include "metrics/relaymetrics.h"
#include "monitor/sessionregistry.h"
#include "relay/chat/chatrelaytokens.h"
#include "store/apikeyrepository.h"
#include "store/database.h"
#include "store/userrepository.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QElapsedTimer>
#include <QtCore/QJsonDocument>
#include <QtCore/QTemporaryDir>
#include <QtCore/QTextStream>

#include <ctime>

using namespace RelayDesk;

// "wall µs / CPU µs" per call (CPU = this process's user+system time, so I/O waits show as the difference).
template<typename F>
QString perCallUs(int n, F &&f)
{
    QElapsedTimer t;
    const std::clock_t c0 = std::clock();
    t.start();
    for (int i = 0; i < n; ++i)
        f(i);
    const double wall = t.nsecsElapsed() / 1000.0 / n;
    const double cpu = double(std::clock() - c0) * 1e6 / CLOCKS_PER_SEC / n;
    return QStringLiteral("%1 wall / %2 CPU").arg(wall, 0, 'f', 2).arg(cpu, 0, 'f', 2);
}

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QTextStream out(stdout);
    QTemporaryDir dir;
    auto db = Store::Database::openDataDir(dir.path()).value();
    Billing::PricingService pricing(*db);
    pricing.load();
    auto user = Store::UserRepository(*db).create(QStringLiteral("u"), QStringLiteral("default"), 1'000'000'000'000LL);
    Store::NewApiKey spec;
    spec.userId = user->id;
    spec.name = QStringLiteral("k");
    spec.unlimited = true;
    auto key = Store::ApiKeyRepository(*db).create(spec);
    const QJsonObject request = QJsonDocument::fromJson(
        R"({"model":"gpt-4o-mini","messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Hello! Please say hello back."}],"max_tokens":200})").object();
    const int n = 3000;
    out << "prompt estimate        " << perCallUs(n, [&](int) { Relay::ChatRelayTokens::estimatePrompt(request, QStringLiteral("gpt-4o-mini")); }) << " us\n";
    Billing::ModelPricing mp;
    out << "price lookup           " << perCallUs(n, [&](int) { mp = pricing.current()->pricing(QStringLiteral("gpt-4o-mini"), QStringLiteral("default"), QStringLiteral("default")).value(); }) << " us\n";
    Billing::Usage usage;
    usage.inputText = 30;
    usage.outputText = 40;
    out << "quote (settle math)    " << perCallUs(n, [&](int) { Billing::QuotaMath::settle(mp, usage); }) << " us\n";
    Billing::Ledger ledger(*db);
    QList<qint64> ids;
    out << "ledger reserve         " << perCallUs(n, [&](int i) { ids << ledger.reserve(user->id, key->key.id, 100, QStringLiteral("r%1").arg(i)).reservation.id; }) << " us\n";
    out << "ledger settle + log    " << perCallUs(n, [&](int i) {
        Store::LogRecord log;
        log.userId = user->id;
        log.keyId = key->key.id;
        log.model = QStringLiteral("gpt-4o-mini");
        log.other = mp.toJson();
        ledger.settle(ids[i], 7, log);
    }) << " us\n";
    Monitor::SessionRegistry registry;
    out << "registry open+close    " << perCallUs(n, [&](int) {
        Monitor::SessionInfo info;
        info.model = QStringLiteral("gpt-4o-mini");
        const auto id = registry.open(info);
        registry.setQuota(id, 100, 7);
        registry.close(id, Monitor::SessionState::Ended, QStringLiteral("done"));
    }) << " us\n";
    Metrics::RelayMetrics &metrics = Metrics::RelayMetrics::global();
    const QString kind = QStringLiteral("chat"), model = QStringLiteral("gpt-4o-mini");
    out << "metrics call finished  " << perCallUs(n * 100, [&](int i) {
        metrics.callFinished(kind, model, 200, 0.001 * (i % 100), 0.0005 * (i % 100));
    }) << " us\n";
    const QList<Metrics::RelayMetrics::Tokens> tokens{{"input", "text", 30}, {"input", "cached_text", 0},
                                                      {"input", "cache_write", 0}, {"input", "audio", 0},
                                                      {"input", "cached_audio", 0}, {"input", "image", 0},
                                                      {"input", "cached_image", 0}, {"output", "text", 40},
                                                      {"output", "reasoning", 0}, {"output", "audio", 0}};
    out << "metrics settled        " << perCallUs(n * 100, [&](int) { metrics.settled(user->id, model, 7, tokens); })
        << " us\n";
    return 0;
}
