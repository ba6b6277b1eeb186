// SessionEventsModel: incremental timeline from SessionRegistry::recentEvents, pause/resume, capacity,
// direction/type filtering.
#include "live/sessioneventsmodel.h"

#include "monitor/sessionregistry.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QtTest>

using namespace RelayDesk::Monitor;
using RelayDesk::Ui::SessionEventsModel;
using RelayDesk::Ui::SessionEventsProxy;

namespace {
SessionRegistry::Limits limits(int eventsPerSession = 200)
{
    SessionRegistry::Limits l;
    l.publishIntervalMs = 10;
    l.eventsPerSession = eventsPerSession;
    return l;
}

SessionEvent makeEvent(qint64 at, EventDirection d, const QString &type, qint64 bytes, qint64 tokens)
{
    return SessionEvent{at, d, type, bytes, tokens};
}
} // namespace

class TestSessionEventsModel final : public QObject
{
    Q_OBJECT

private slots:
    void followsTheSelectedSession()
    {
        SessionRegistry registry(limits());
        const quint64 a = registry.open({});
        const quint64 b = registry.open({});
        SessionEventsModel model(&registry);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        registry.recordEvent(a, makeEvent(1000, EventDirection::FromClient, QStringLiteral("session.update"), 120, 0));
        registry.recordEvent(b, makeEvent(1001, EventDirection::FromUpstream, QStringLiteral("other"), 1, 0));
        model.setSession(a);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.index(0, SessionEventsModel::Type).data().toString(), QStringLiteral("session.update"));
        QCOMPARE(model.index(0, SessionEventsModel::Bytes).data(SessionEventsModel::SortRole).toLongLong(), 120LL);

        QSignalSpy resets(&model, &QAbstractItemModel::modelAboutToBeReset);
        for (int i = 0; i < 30; ++i)
            registry.recordEvent(a, makeEvent(2000 + i, EventDirection::FromUpstream, QStringLiteral("response.output_audio.delta"), 4000 + i, i));
        QTRY_COMPARE(model.rowCount(), 31);
        QCOMPARE(resets.count(), 0);
        for (int i = 0; i < 30; ++i)
            QCOMPARE(model.index(1 + i, SessionEventsModel::Tokens).data(SessionEventsModel::SortRole).toLongLong(), qint64(i));
        // Events of another session do not leak in: once the registry has announced b's event, the model
        // (connected before this spy, so it has handled the same emission) still shows a's 31 rows.
        QSignalSpy appended(&registry, &SessionRegistry::eventsAppended);
        registry.recordEvent(b, makeEvent(3000, EventDirection::FromUpstream, QStringLiteral("other"), 1, 0));
        QVERIFY(appended.wait(5000));
        QVERIFY(appended.first().first().value<QList<quint64>>().contains(b));
        QCOMPARE(model.rowCount(), 31);
    }

    void pauseHoldsTheTimelineAndResumeCatchesUp()
    {
        SessionRegistry registry(limits());
        const quint64 id = registry.open({});
        SessionEventsModel model(&registry);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSession(id);
        registry.recordEvent(id, makeEvent(1, EventDirection::FromClient, QStringLiteral("a"), 1, 0));
        QTRY_COMPARE(model.rowCount(), 1);
        model.setPaused(true);
        QSignalSpy appended(&registry, &SessionRegistry::eventsAppended);
        for (int i = 0; i < 5; ++i)
            registry.recordEvent(id, makeEvent(10 + i, EventDirection::FromClient, QStringLiteral("b"), 1, 0));
        QVERIFY(appended.wait(5000)); // announced (and seen by the model, connected first), but held while paused
        QCOMPARE(model.rowCount(), 1);
        model.setPaused(false);
        QCOMPARE(model.rowCount(), 6);
    }

    void slidingWindowIsAlignedAndCapacityBounded()
    {
        SessionRegistry registry(limits(20)); // the registry keeps only 20 events per session
        const quint64 id = registry.open({});
        SessionEventsModel model(&registry);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setCapacity(50);
        model.setSession(id);
        qint64 t = 0;
        // Bursts of 7 between pulls: the window overlaps what the model holds and must not duplicate.
        for (int burst = 0; burst < 12; ++burst) {
            for (int i = 0; i < 7; ++i, ++t)
                registry.recordEvent(id, makeEvent(100 + t, EventDirection::FromUpstream, QStringLiteral("e"), t, 0));
            model.pull();
        }
        QCOMPARE(model.rowCount(), 50); // 84 events seen, capacity 50
        for (int r = 0; r < 50; ++r)
            QCOMPARE(model.index(r, SessionEventsModel::Bytes).data(SessionEventsModel::SortRole).toLongLong(), qint64(84 - 50 + r));
    }

    void proxyFiltersByDirectionAndType()
    {
        SessionRegistry registry(limits());
        const quint64 id = registry.open({});
        registry.recordEvent(id, makeEvent(1, EventDirection::FromClient, QStringLiteral("input_audio_buffer.append"), 1, 0));
        registry.recordEvent(id, makeEvent(2, EventDirection::FromUpstream, QStringLiteral("response.done"), 1, 5));
        registry.recordEvent(id, makeEvent(3, EventDirection::FromUpstream, QStringLiteral("response.output_audio.delta"), 1, 2));
        registry.recordEvent(id, makeEvent(4, EventDirection::Internal, QStringLiteral("settled"), 0, 0));
        SessionEventsModel model(&registry);
        model.setSession(id);
        SessionEventsProxy proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(proxy.rowCount(), 4);
        proxy.setDirection(int(EventDirection::FromUpstream));
        QCOMPARE(proxy.rowCount(), 2);
        proxy.setFilterFixedString(QStringLiteral("done"));
        QCOMPARE(proxy.rowCount(), 1);
        proxy.setDirection(-1);
        proxy.setFilterFixedString(QStringLiteral("AUDIO"));
        QCOMPARE(proxy.rowCount(), 2);
    }
};

QTEST_MAIN(TestSessionEventsModel)
#include "tst_sessioneventsmodel.moc"
