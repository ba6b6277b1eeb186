// bench_billing [--db URL | --pg] [--seconds S] [--threads N] [--log-rows R]
//   reserve+settle per second (1 and N threads) with CPU time per operation (process CPU from getrusage,
//   so other processes on a loaded machine do not inflate it; plus the 1-thread split into reserve and
//   settle by thread CPU clock), QuotaMath settle and PriceBook lookup per second, and log paging latency
//   over R rows (first page, deep keyset page, filtered page, count).
// Uses a temporary SQLite data dir unless --db gives a database or --pg starts a throwaway PostgreSQL
// cluster (tests/common/pgcluster.h).
#include "pgcluster.h"
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
#include <ctime>

#include <sys/resource.h>

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

qint64 processCpuNs()
{
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return (qint64(u.ru_utime.tv_sec) + u.ru_stime.tv_sec) * 1'000'000'000 +
           (qint64(u.ru_utime.tv_usec) + u.ru_stime.tv_usec) * 1000;
}

qint64 threadCpuNs()
{
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

struct LedgerRun
{
    double perSecond = 0;
    double cpuUsPerOp = 0;     // process CPU (all threads, user + system) per reserve+settle
    double reserveCpuUs = 0;   // thread CPU per reserve (summed over workers)
    double settleCpuUs = 0;    // thread CPU per settle
    double reserveWallUs = 0;
    double settleWallUs = 0;
};

LedgerRun ledgerRate(const Store::Database &db, int threads, double seconds, const QString &tag)
{
    const Account a = makeAccount(db, QStringLiteral("bench-%1-%2").arg(tag).arg(threads));
    std::atomic<qint64> done{0};
    std::atomic<qint64> reserveCpu{0}, settleCpu{0}, reserveWall{0}, settleWall{0};
    std::atomic<bool> stop{false};
    QList<QThread *> workers;
    QElapsedTimer timer;
    timer.start();
    const qint64 cpu0 = processCpuNs();
    for (int t = 0; t < threads; ++t) {
        workers << QThread::create([&] {
            Billing::Ledger ledger(db);
            Store::LogRecord log;
            log.model = QStringLiteral("gpt-4o");
            log.channelId = 0;
            QElapsedTimer wall;
            while (!stop) {
                wall.start();
                const qint64 c0 = threadCpuNs();
                const auto r = ledger.reserve(a.userId, a.keyId, 5000, {});
                const qint64 c1 = threadCpuNs();
                const qint64 w1 = wall.nsecsElapsed();
                if (!r)
                    qFatal("reserve failed: %s", qPrintable(r.message));
                const auto s = ledger.settle(r.reservation.id, 3750, log);
                const qint64 c2 = threadCpuNs();
                const qint64 w2 = wall.nsecsElapsed();
                if (!s)
                    qFatal("settle failed: %s", qPrintable(s.message));
                reserveCpu += c1 - c0;
                settleCpu += c2 - c1;
                reserveWall += w1;
                settleWall += w2 - w1;
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
    LedgerRun run;
    const double n = double(qMax<qint64>(1, done));
    run.perSecond = double(done) / (double(timer.nsecsElapsed()) / 1e9);
    run.cpuUsPerOp = double(processCpuNs() - cpu0) / 1e3 / n;
    run.reserveCpuUs = double(reserveCpu) / 1e3 / n;
    run.settleCpuUs = double(settleCpu) / 1e3 / n;
    run.reserveWallUs = double(reserveWall) / 1e3 / n;
    run.settleWallUs = double(settleWall) / 1e3 / n;
    return run;
}

void printRun(const char *label, const LedgerRun &r)
{
    std::printf("%s: %.0f /s, process CPU %.1f us/op; reserve %.1f us CPU (%.1f us wall), "
                "settle %.1f us CPU (%.1f us wall)\n",
                label, r.perSecond, r.cpuUsPerOp, r.reserveCpuUs, r.reserveWallUs, r.settleCpuUs, r.settleWallUs);
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
    parser.addOption({QStringLiteral("pg"), QStringLiteral("Start a throwaway PostgreSQL cluster and use it.")});
    parser.addOption({QStringLiteral("seconds"), QStringLiteral("Seconds per measurement."), QStringLiteral("s"), QStringLiteral("3")});
    parser.addOption({QStringLiteral("threads"), QStringLiteral("Concurrent ledger threads."), QStringLiteral("n"), QStringLiteral("4")});
    parser.addOption({QStringLiteral("log-rows"), QStringLiteral("Log rows for the paging test."), QStringLiteral("r"), QStringLiteral("1000000")});
    parser.process(app);
    const double seconds = parser.value(QStringLiteral("seconds")).toDouble();
    const int threads = parser.value(QStringLiteral("threads")).toInt();
    const qint64 logRows = parser.value(QStringLiteral("log-rows")).toLongLong();

    Testing::TempDatabase temp;
    std::shared_ptr<Store::Database> db = temp.shared();
    std::unique_ptr<Testing::PgCluster> pg;
    QString url = parser.value(QStringLiteral("db"));
    if (parser.isSet(QStringLiteral("pg"))) {
        pg = std::make_unique<Testing::PgCluster>();
        if (!pg->isAvailable() || !pg->isRunning())
            qFatal("no PostgreSQL: %s %s", qPrintable(pg->skipReason()), qPrintable(pg->error()));
        url = pg->createDatabase();
        if (url.isEmpty())
            qFatal("cannot create database: %s", qPrintable(pg->error()));
    }
    if (!url.isEmpty()) {
        auto opened = Store::Database::openUrl(url);
        if (!opened)
            qFatal("%s", qPrintable(opened.error()));
        db = opened.value();
    }
    if (!db)
        qFatal("no database: %s", qPrintable(temp.error()));
    std::printf("database: %s\n", qPrintable(db->description()));

    printRun("ledger reserve+settle, 1 thread", ledgerRate(*db, 1, seconds, QStringLiteral("a")));
    const QByteArray label = QByteArray("ledger reserve+settle, ") + QByteArray::number(threads) + " threads (one hot user)";
    printRun(label.constData(), ledgerRate(*db, threads, seconds, QStringLiteral("b")));
    if (logRows <= 0)
        return 0;

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
