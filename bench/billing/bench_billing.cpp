// bench_billing [--db URL] [--seconds S] [--threads N] [--log-rows R]
//   reserve+settle per second (1 and N threads), QuotaMath settle and PriceBook lookup per second,
//   and log paging latency over R rows (first page, deep keyset page, filtered page, count).
// Uses a temporary SQLite data dir unless --db gives a database (e.g. a PostgreSQL URL).
#include "tempdatabase.h"

#include "billing/ledger.h"
#include "billing/pricingservice.h"
#include "store/apikeyrepository.h"
#include "store/logrepository.h"
#include "store/userrepository.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QThread>

#include <atomic>
#include <cstdio>

using namespace RelayDesk;

namespace {

struct Account
{
    qint64 userId = 0;
    qint64 keyId = 0;
};

Account makeAccount(const Store::Database &db, const QString &name)
{
    Account a;
    a.userId = Store::UserRepository(db).create(name, QStringLiteral("default"), qint64(1) << 50)->id;
    Store::NewApiKey spec;
    spec.userId = a.userId;
    spec.name = name + QStringLiteral("-key");
    spec.quota = qint64(1) << 50;
    a.keyId = Store::ApiKeyRepository(db).create(spec)->key.id;
    return a;
}

double ledgerRate(const Store::Database &db, int threads, double seconds, const QString &tag)
{
    const Account a = makeAccount(db, QStringLiteral("bench-%1-%2").arg(tag).arg(threads));
    std::atomic<qint64> done{0};
    std::atomic<bool> stop{false};
    QList<QThread *> workers;
    QElapsedTimer timer;
    timer.start();
    for (int t = 0; t < threads; ++t) {
        workers << QThread::create([&] {
            Billing::Ledger ledger(db);
            Store::LogRecord log;
            log.model = QStringLiteral("gpt-4o");
            while (!stop) {
                const auto r = ledger.reserve(a.userId, a.keyId, 5000, {});
                if (!r || !ledger.settle(r.reservation.id, 3750, log))
                    qFatal("ledger failed: %s", qPrintable(r.message));
                ++done;
            }
        });
        workers.last()->start();
    }
    QThread::msleep(static_cast<unsigned long>(seconds * 1000));
    stop = true;
    for (QThread *w : workers) {
        w->wait();
        delete w;
    }
    return double(done) / (double(timer.nsecsElapsed()) / 1e9);
}

template<typename F>
double perSecond(double seconds, F &&body)
{
    QElapsedTimer timer;
    timer.start();
    qint64 n = 0;
    while (timer.nsecsElapsed() < qint64(seconds * 1e9)) {
        for (int i = 0; i < 1000; ++i)
            body(i);
        n += 1000;
    }
    return double(n) / (double(timer.nsecsElapsed()) / 1e9);
}

double millis(const std::function<void()> &body, int repeat = 20)
{
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < repeat; ++i)
        body();
    return double(timer.nsecsElapsed()) / 1e6 / repeat;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({QStringLiteral("db"), QStringLiteral("Database URL (default: temporary SQLite)."), QStringLiteral("url")});
    parser.addOption({QStringLiteral("seconds"), QStringLiteral("Seconds per measurement."), QStringLiteral("s"), QStringLiteral("3")});
    parser.addOption({QStringLiteral("threads"), QStringLiteral("Concurrent ledger threads."), QStringLiteral("n"), QStringLiteral("4")});
    parser.addOption({QStringLiteral("log-rows"), QStringLiteral("Log rows for the paging test."), QStringLiteral("r"), QStringLiteral("1000000")});
    parser.process(app);
    const double seconds = parser.value(QStringLiteral("seconds")).toDouble();
    const int threads = parser.value(QStringLiteral("threads")).toInt();
    const qint64 logRows = parser.value(QStringLiteral("log-rows")).toLongLong();

    Testing::TempDatabase temp;
    std::shared_ptr<Store::Database> db = temp.shared();
    if (parser.isSet(QStringLiteral("db"))) {
        auto opened = Store::Database::openUrl(parser.value(QStringLiteral("db")));
        if (!opened)
            qFatal("%s", qPrintable(opened.error()));
        db = opened.value();
    }
    if (!db)
        qFatal("no database: %s", qPrintable(temp.error()));
    std::printf("database: %s\n", qPrintable(db->description()));

    std::printf("ledger reserve+settle, 1 thread:  %.0f /s\n", ledgerRate(*db, 1, seconds, QStringLiteral("a")));
    std::printf("ledger reserve+settle, %d threads: %.0f /s (one hot user)\n", threads,
                ledgerRate(*db, threads, seconds, QStringLiteral("b")));

    Billing::PricingService pricing(*db);
    if (auto s = pricing.load(); !s)
        qFatal("%s", qPrintable(s.error()));
    const auto book = pricing.current();
    const auto priced = book->pricing(QStringLiteral("gpt-realtime-2025-08-28"), QStringLiteral("default"), QString());
    Billing::Usage usage;
    usage.inputText = 1234;
    usage.cachedText = 200;
    usage.inputAudio = 5000;
    usage.cachedAudio = 1000;
    usage.outputText = 321;
    usage.outputAudio = 4000;
    qint64 sink = 0;
    std::printf("QuotaMath::settle (gpt-realtime, all modalities): %.0f /s\n",
                perSecond(seconds, [&](int i) { usage.outputText = 321 + i; sink += Billing::QuotaMath::settle(*priced, usage).quota; }));
    const QStringList names = {QStringLiteral("gpt-4o"), QStringLiteral("gpt-4o-2024-08-06"),
                               QStringLiteral("claude-sonnet-4-20250514"), QStringLiteral("gpt-realtime-mini")};
    std::printf("PriceBook::pricing (exact/dated names): %.0f /s\n",
                perSecond(seconds, [&](int i) { sink += book->pricing(names[i % 4], QStringLiteral("default"), QString()).ok(); }));

    // Log paging at scale.
    Store::LogRepository logs(*db);
    QElapsedTimer fill;
    fill.start();
    {
        Store::Transaction tx(*db);
        for (qint64 i = 0; i < logRows; ++i) {
            Store::LogRecord r;
            r.createdAt = 1'700'000'000'000 + i * 100;
            r.userId = 1 + i % 1000;
            r.keyId = 1 + i % 3000;
            r.channelId = 1 + i % 7;
            r.model = names[int(i % 4)];
            r.quota = i % 5000;
            if (!logs.insert(r))
                qFatal("log insert failed");
        }
        tx.commit();
    }
    std::printf("inserted %lld log rows in %.1f s\n", static_cast<long long>(logRows), double(fill.elapsed()) / 1000);
    std::optional<Store::LogCursor> deep;
    Store::LogPage page;
    const double first = millis([&] { page = logs.page({}, 50); });
    for (int i = 0; i < 200 && page.next; ++i) // walk 10 000 rows deep
        page = logs.page({}, 50, page.next);
    deep = page.next;
    const double deepMs = millis([&] { logs.page({}, 50, deep); });
    Store::LogFilter byUser;
    byUser.userId = 500;
    const double userPage = millis([&] { logs.page(byUser, 50); });
    Store::LogFilter byModel;
    byModel.model = names[1];
    const double modelPage = millis([&] { logs.page(byModel, 50); });
    const double countAll = millis([&] { sink += logs.count({}); }, 3);
    const double countUser = millis([&] { sink += logs.count(byUser); }, 3);
    const double series = millis([&] { sink += logs.timeSeries(byUser, 3'600'000).size(); }, 3);
    std::printf("log page (50 rows): first %.2f ms, 10k rows deep %.2f ms, by user %.2f ms, by model %.2f ms\n",
                first, deepMs, userPage, modelPage);
    std::printf("log count: all %.1f ms, one user %.2f ms; hourly series for one user %.2f ms\n", countAll, countUser, series);
    return sink == -1 ? 1 : 0;
}
