// The longest GUI-thread stall of the whole console over a large log table: the main window opens over a
// database with N log rows (default 1 000 000), shows every page in turn, switches the language to
// Simplified Chinese and back (which rebuilds every page, one per pass) and goes round twice more. A 5 ms probe timer on
// the GUI thread records how late it fires; the longest lateness is the longest time the event loop was
// busy. The window is built after the probe started, so its construction counts too. The language goes
// to Chinese twice: the first switch also loads the CJK font.
//
// The database is generated once through the store (LogRepository, 100 000-row transactions) into DIR and
// reused by later runs. Run offscreen:
//   QT_QPA_PLATFORM=offscreen bench_console_stall [DIR] [rows]
#include "shell/consolepage.h"
#include "shell/consoleservices.h"
#include "shell/mainwindow.h"

#include "billing/pricingservice.h"
#include "monitor/sessionregistry.h"
#include "service/adminservice.h"
#include "store/database.h"
#include "store/logrepository.h"
#include "store/userrepository.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>

using namespace RelayDesk;

namespace {

bool seed(const Store::Database &db, qint64 rows)
{
    const Store::LogRepository logs(db);
    Store::LogFilter all;
    const qint64 have = logs.count(all);
    if (have >= rows)
        return true;
    const Store::UserRepository users(db);
    QList<qint64> ids;
    for (int u = 0; u < 20; ++u) {
        const QString name = QStringLiteral("user%1").arg(u);
        const auto existing = users.byName(name);
        ids << (existing ? existing->id : users.create(name)->id);
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const QStringList models{QStringLiteral("gpt-4o-mini"), QStringLiteral("gpt-4o"), QStringLiteral("gpt-realtime"),
                             QStringLiteral("claude-sonnet-4"), QStringLiteral("gemini-2.5-pro")};
    QElapsedTimer t;
    t.start();
    for (qint64 start = have; start < rows; start += 100'000) {
        Store::Transaction tx(db);
        if (!tx.isActive())
            return false;
        for (qint64 i = start; i < std::min(rows, start + 100'000); ++i) {
            Store::LogRecord r;
            r.createdAt = now - (rows - i) * 2500; // ~30 days back to now
            r.type = i % 50 == 0 ? Store::LogType::Error : Store::LogType::Consume;
            r.userId = ids[int(i % ids.size())];
            r.model = models[int(i % models.size())];
            r.promptTokens = i % 1000;
            r.completionTokens = i % 77;
            r.quota = 1 + i % 5000;
            r.requestId = QStringLiteral("req-%1").arg(i);
            if (i % 3 == 0)
                r.other = QJsonObject{{QStringLiteral("usage"), QJsonObject{{QStringLiteral("text_input"), r.promptTokens},
                                                                             {QStringLiteral("audio_output"), 40}}}};
            if (!logs.insert(r))
                return false;
        }
        if (!tx.commit())
            return false;
    }
    std::printf("generated %lld log rows in %lld ms\n", (long long)(rows - have), (long long)t.elapsed());
    return true;
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QTemporaryDir tmp;
    const QString dir = argc > 1 ? QString::fromLocal8Bit(argv[1]) : tmp.path();
    const qint64 rows = argc > 2 ? std::max(1LL, atoll(argv[2])) : 1'000'000LL;
    QDir().mkpath(dir);
    auto opened = Store::Database::openDataDir(dir);
    if (!opened) {
        std::fprintf(stderr, "%s\n", qPrintable(opened.error()));
        return 1;
    }
    const std::shared_ptr<Store::Database> db = opened.value();
    if (!seed(*db, rows)) {
        std::fprintf(stderr, "seeding failed\n");
        return 1;
    }
    Billing::PricingService pricing(*db);
    if (!pricing.load()) {
        std::fprintf(stderr, "pricing failed\n");
        return 1;
    }
    Monitor::SessionRegistry registry;
    Service::AdminService admin(db, Service::AdminService::Actor::Console);
    Ui::ConsoleServices services;
    services.dataDir = dir;
    services.settingsFile = tmp.filePath(QStringLiteral("settings.ini"));
    services.sessions = &registry;
    services.admin = &admin;
    services.pricing = &pricing;

    // The probe.
    QList<double> lateness;
    double worst = 0;
    QString worstStep;
    QString step = QStringLiteral("open");
    QHash<QString, double> worstOf; // per step
    QElapsedTimer probeClock;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(5);
    qint64 last = -1;
    QObject::connect(&probe, &QTimer::timeout, [&] {
        const qint64 now = probeClock.nsecsElapsed();
        if (last >= 0) {
            const double late = std::max(0.0, double(now - last) / 1e6 - 5.0);
            lateness << late;
            worstOf[step] = std::max(worstOf.value(step), late);
            if (late > worst) {
                worst = late;
                worstStep = step;
            }
        }
        last = now;
    });

    // The script: open, each page (waiting until its reads landed), language, twice more.
    std::unique_ptr<Ui::MainWindow> window;
    QList<std::pair<QString, std::function<void()>>> script;
    script << std::make_pair(QStringLiteral("open"), std::function<void()>([&] {
        window = std::make_unique<Ui::MainWindow>(services);
        window->resize(1440, 900);
        window->show();
    }));
    auto pages = [&](const QString &round) {
        for (int i = 0; i < Ui::MainWindow::kPageCount; ++i)
            script << std::make_pair(QStringLiteral("%1 page %2").arg(round).arg(i),
                                     std::function<void()>([&, i] { window->showPage(Ui::MainWindow::Page(i)); }));
    };
    auto language = [&](const QString &lang) {
        const QString name = QStringLiteral("language %1").arg(lang);
        const bool again = std::any_of(script.cbegin(), script.cend(), [&](const auto &s) { return s.first == name; });
        script << std::make_pair(again ? name + QStringLiteral(" again") : name, std::function<void()>([&, lang] {
            Ui::ConsolePreferences prefs = window->preferences();
            prefs.language = lang;
            QElapsedTimer t;
            t.start();
            window->applyPreferences(prefs); // installs the translator; the pages are rebuilt in later passes
            std::printf("  (applyPreferences(%s) itself: %.2f ms)\n", qPrintable(lang), double(t.nsecsElapsed()) / 1e6);
        }));
    };
    pages(QStringLiteral("en"));
    language(QStringLiteral("zh_CN"));
    pages(QStringLiteral("zh_CN"));
    language(QStringLiteral("en"));
    pages(QStringLiteral("en again"));
    language(QStringLiteral("zh_CN")); // a second time: the first one also loads the CJK font
    language(QStringLiteral("en"));

    auto busy = [&] {
        // Pages still to be built or rebuilt in later passes (page() would build them at once, which is not
        // what a user does).
        if (!window || window->pagesPending())
            return true;
        const auto built = window->findChildren<Ui::ConsolePage *>();
        return std::any_of(built.cbegin(), built.cend(), [](const Ui::ConsolePage *p) { return p->isLoading(); });
    };
    int next = 0;
    QElapsedTimer stepClock;
    QList<std::pair<QString, qint64>> stepTimes;
    QTimer driver; // advances the script when every page's reads landed (and at least 100 ms passed)
    driver.setInterval(20);
    QObject::connect(&driver, &QTimer::timeout, [&] {
        if (next > 0 && (busy() || stepClock.elapsed() < 100))
            return;
        if (next > 0)
            stepTimes << std::make_pair(step, stepClock.elapsed());
        if (next == script.size()) {
            driver.stop();
            QTimer::singleShot(200, &app, &QApplication::quit);
            return;
        }
        step = script[next].first;
        stepClock.start();
        script[next++].second();
    });
    probeClock.start();
    probe.start();
    driver.start();
    QElapsedTimer total;
    total.start();
    app.exec();
    window.reset();

    std::sort(lateness.begin(), lateness.end());
    auto pct = [&](double p) { return lateness.isEmpty() ? 0.0 : lateness[qsizetype(p * double(lateness.size() - 1))]; };
    std::printf("log rows=%lld steps=%lld probes=%lld wall=%lld ms\n", (long long)rows, (long long)script.size(),
                (long long)lateness.size(), (long long)total.elapsed());
    for (const auto &[name, ms] : stepTimes)
        std::printf("  %-22s until loaded: %5lld ms   longest stall %7.2f ms\n", qPrintable(name), (long long)ms,
                    worstOf.value(name));
    std::printf("GUI event-loop lateness (ms): p50=%.2f p99=%.2f max=%.2f (during \"%s\")\n", pct(0.5), pct(0.99), worst,
                qPrintable(worstStep));
    return 0;
}
