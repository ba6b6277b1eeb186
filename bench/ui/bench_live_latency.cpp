// Event-loop latency of the GUI thread while the Live page shows N sessions that all change at 10 Hz.
//
// Set-up mirrors the app: the SessionRegistry lives on its own thread (as it would beside the relay), a
// writer thread updates every session (usage + one event) every 100 ms, and the GUI thread runs the
// LivePage (LiveSessionsModel → proxy sorted by "Text in" → QTableView, the detail view following one
// session). A 5 ms probe timer on the GUI thread records how late it fires; lateness = time the event
// loop was busy. Run offscreen: QT_QPA_PLATFORM=offscreen bench_live_latency [sessions] [seconds]
#include "live/livepage.h"
#include "live/livesessionsmodel.h"
#include "live/sessiondetailview.h"

#include "monitor/sessionregistry.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QTableView>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <cstdio>

using namespace RelayDesk;

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    const int sessions = argc > 1 ? std::max(1, atoi(argv[1])) : 500;
    const int seconds = argc > 2 ? std::max(1, atoi(argv[2])) : 10;

    QThread registryThread;
    auto *registry = new Monitor::SessionRegistry;
    registry->moveToThread(&registryThread);
    registryThread.start();

    QList<quint64> ids;
    for (int i = 0; i < sessions; ++i) {
        Monitor::SessionInfo info;
        info.kind = i % 3 ? Monitor::SessionKind::Http : Monitor::SessionKind::Realtime;
        info.user = QStringLiteral("user%1").arg(i % 40);
        info.keyHint = QStringLiteral("sk-%1…").arg(i);
        info.model = i % 3 ? QStringLiteral("gpt-4o-mini") : QStringLiteral("gpt-realtime");
        info.channel = QStringLiteral("openai-%1").arg(i % 3);
        ids << registry->open(info);
    }

    Ui::LivePage page(registry);
    page.setPricer(Ui::demoPricer());
    page.resize(1400, 900);
    page.show();
    page.table()->sortByColumn(Ui::LiveSessionsModel::TextIn, Qt::DescendingOrder);
    page.selectSession(ids[sessions / 2]);

    std::atomic<bool> stop{false};
    std::atomic<qint64> writes{0};
    QThread *writer = QThread::create([&] {
        QElapsedTimer clock;
        clock.start();
        qint64 tick = 0;
        while (!stop.load()) {
            for (quint64 id : ids) {
                Monitor::SessionUsage delta;
                delta.inputText = 1 + qint64(id % 7);
                delta.outputAudio = 3;
                registry->addUsage(id, delta);
                registry->recordEvent(id, {0, Monitor::EventDirection::FromUpstream, QStringLiteral("response.output_audio.delta"), 4096, 3});
                registry->setQuota(id, 100000, tick * 40);
            }
            writes += ids.size();
            ++tick;
            const qint64 next = tick * 100;
            const qint64 wait = next - clock.elapsed();
            if (wait > 0)
                QThread::msleep(wait);
        }
    });
    writer->start();

    QList<double> lateness;
    QElapsedTimer probeClock;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(5);
    qint64 last = -1;
    QObject::connect(&probe, &QTimer::timeout, [&] {
        const qint64 now = probeClock.nsecsElapsed();
        if (last >= 0)
            lateness << std::max(0.0, double(now - last) / 1e6 - 5.0);
        last = now;
    });
    int updates = 0;
    QObject::connect(registry, &Monitor::SessionRegistry::sessionsUpdated, &page, [&](const auto &changed) { updates += changed.size(); });
    probeClock.start();
    probe.start();
    QTimer::singleShot(seconds * 1000, &app, &QApplication::quit);
    app.exec();

    stop = true;
    writer->wait();
    delete writer;
    QMetaObject::invokeMethod(registry, [registry] { delete registry; }, Qt::BlockingQueuedConnection);
    registryThread.quit();
    registryThread.wait();

    std::sort(lateness.begin(), lateness.end());
    auto pct = [&](double p) { return lateness.isEmpty() ? 0.0 : lateness[qsizetype(p * double(lateness.size() - 1))]; };
    std::printf("sessions=%d seconds=%d writes=%lld row-updates-received=%d probes=%lld\n", sessions, seconds,
                (long long)writes.load(), updates, (long long)lateness.size());
    std::printf("GUI event-loop lateness (ms): p50=%.2f p95=%.2f p99=%.2f max=%.2f\n", pct(0.5), pct(0.95), pct(0.99),
                lateness.isEmpty() ? 0.0 : lateness.last());
    return 0;
}
