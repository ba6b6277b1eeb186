// SessionRegistry: coalesced publication, bounded memory, retention of ended sessions, threads.
#include "monitor/sessionregistry.h"

#include <QSignalSpy>
#include <QThread>
#include <QtTest>

using namespace RelayDesk::Monitor;

namespace QTest {
template<> inline char *toString(const SessionKind &kind) { return qstrdup(qPrintable(kindName(kind))); }
template<> inline char *toString(const SessionState &state) { return qstrdup(qPrintable(stateName(state))); }
} // namespace QTest

class TestSessionRegistry final : public QObject
{
    Q_OBJECT

private slots:
    void openAssignsIdsAndStartTime()
    {
        SessionRegistry registry;
        SessionInfo info;
        info.kind = SessionKind::Realtime;
        info.user = QStringLiteral("alice");
        const quint64 a = registry.open(info);
        const quint64 b = registry.open(info);
        QVERIFY(a != 0);
        QVERIFY(b > a);
        const auto snapshot = registry.session(a);
        QVERIFY(snapshot.has_value());
        QCOMPARE(snapshot->user, QStringLiteral("alice"));
        QCOMPARE(snapshot->kind, SessionKind::Realtime);
        QVERIFY(snapshot->startedAt.isValid());
        QCOMPARE(registry.liveCount(), 2);
    }

    void manyUpdatesAreCoalescedIntoFewEmissions()
    {
        SessionRegistry::Limits limits;
        limits.publishIntervalMs = 50;
        SessionRegistry registry(limits);
        QSignalSpy spy(&registry, &SessionRegistry::sessionsUpdated);
        const quint64 id = registry.open({});
        SessionUsage delta;
        delta.inputAudio = 10;
        delta.outputText = 1;
        for (int i = 0; i < 1000; ++i)
            registry.addUsage(id, delta);
        QTRY_VERIFY(spy.count() >= 1);
        // All 1000 updates happened before the event loop ran, so one emission carries them.
        QCOMPARE(spy.count(), 1);
        const auto changed = spy.at(0).at(0).value<QList<SessionInfo>>();
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.first().usage.inputAudio, 10000);
        QCOMPARE(changed.first().usage.outputText, 1000);
    }

    void setUnitsReplacesTheUnitsAndPublishesThem_data()
    {
        QTest::addColumn<qint64>("audioMs");
        QTest::addColumn<qint64>("characters");
        QTest::addColumn<qint64>("images");
        QTest::addColumn<QString>("size");
        QTest::addColumn<QString>("quality");
        QTest::newRow("audio") << 92500LL << 0LL << 0LL << QString() << QString();
        QTest::newRow("characters") << 0LL << 1000LL << 0LL << QString() << QString();
        QTest::newRow("images") << 0LL << 0LL << 2LL << QStringLiteral("1024x1792") << QStringLiteral("hd");
        QTest::newRow("none") << 0LL << 0LL << 0LL << QString() << QString();
    }
    void setUnitsReplacesTheUnitsAndPublishesThem()
    {
        QFETCH(qint64, audioMs);
        QFETCH(qint64, characters);
        QFETCH(qint64, images);
        QFETCH(QString, size);
        QFETCH(QString, quality);
        SessionRegistry::Limits limits;
        limits.publishIntervalMs = 10;
        SessionRegistry registry(limits);
        SessionInfo info;
        info.kind = SessionKind::Speech;
        const quint64 id = registry.open(info);
        QSignalSpy spy(&registry, &SessionRegistry::sessionsUpdated);
        QTRY_COMPARE(spy.count(), 1); // the open
        spy.clear();

        RelayDesk::Billing::Units first;
        first.audioMs = 1;
        first.characters = 7;
        first.images = 9;
        registry.setUnits(id, first);
        RelayDesk::Billing::Units units;
        units.audioMs = audioMs;
        units.characters = characters;
        units.images = images;
        units.imageSize = size;
        units.imageQuality = quality;
        registry.setUnits(id, units); // replaces, does not add
        registry.setUnits(id + 100, first); // an unknown id is ignored

        QCOMPARE(registry.session(id)->units, units);
        QCOMPARE(registry.session(id)->kind, SessionKind::Speech);
        QTRY_COMPARE(spy.count(), 1);
        const auto changed = spy.at(0).at(0).value<QList<SessionInfo>>();
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.first().units, units);
        QCOMPARE(registry.sessions().size(), 1);
        // The units stay readable after the session ends.
        registry.close(id, SessionState::Ended, QStringLiteral("done"));
        QCOMPARE(registry.session(id)->units, units);
    }

    // A Realtime frame with tokens records its event and the live usage in one call: both published, each round
    // (a session published once is listed again by its next change), and nothing else republished with it.
    void eventsWithUsageArePublishedEachRound_data()
    {
        QTest::addColumn<int>("events");
        QTest::addColumn<qint64>("tokensPerEvent");
        QTest::newRow("one event a round") << 1 << qint64(3);
        QTest::newRow("fifty events a round") << 50 << qint64(2);
    }
    void eventsWithUsageArePublishedEachRound()
    {
        QFETCH(int, events);
        QFETCH(qint64, tokensPerEvent);
        SessionRegistry::Limits limits;
        limits.publishIntervalMs = 20;
        SessionRegistry registry(limits);
        QSignalSpy updated(&registry, &SessionRegistry::sessionsUpdated);
        QSignalSpy appended(&registry, &SessionRegistry::eventsAppended);
        const quint64 id = registry.open({});
        const quint64 quiet = registry.open({});
        QTRY_COMPARE(updated.count(), 1); // both opened
        for (int round = 1; round <= 3; ++round) {
            updated.clear();
            appended.clear();
            SessionUsage usage;
            for (int i = 1; i <= events; ++i) {
                usage.outputText = (qint64(round - 1) * events + i) * tokensPerEvent;
                registry.recordEvent(id, {0, EventDirection::FromUpstream, QStringLiteral("response.output_text.delta"), 10,
                                          tokensPerEvent},
                                     usage);
            }
            QTRY_COMPARE(appended.count(), 1);
            QCOMPARE(appended.at(0).at(0).value<QList<quint64>>(), QList<quint64>{id});
            QCOMPARE(updated.count(), 1);
            const auto changed = updated.at(0).at(0).value<QList<SessionInfo>>();
            QCOMPARE(changed.size(), 1); // not the quiet session
            QCOMPARE(changed.first().id, id);
            QCOMPARE(changed.first().eventCount, qint64(round) * events);
            QCOMPARE(changed.first().usage.outputText, qint64(round) * events * tokensPerEvent);
        }
        // An event without tokens leaves the usage as it was.
        const SessionUsage before = registry.session(id)->usage;
        registry.recordEvent(id, {0, EventDirection::FromClient, QStringLiteral("response.create"), 30, 0});
        QCOMPARE(registry.session(id)->usage.outputText, before.outputText);
        QCOMPARE(registry.session(id)->eventCount, qint64(3) * events + 1);
        QCOMPARE(registry.session(quiet)->eventCount, qint64(0));
    }

    // A session pruned with changes pending is not published after it was removed.
    void prunedSessionsAreNotPublishedAgain()
    {
        SessionRegistry::Limits limits;
        limits.publishIntervalMs = 20;
        limits.maxEndedSessions = 0;
        SessionRegistry registry(limits);
        QSignalSpy updated(&registry, &SessionRegistry::sessionsUpdated);
        QSignalSpy removed(&registry, &SessionRegistry::sessionsRemoved);
        const quint64 id = registry.open({});
        registry.close(id, SessionState::Ended, QStringLiteral("done"));
        QTRY_COMPARE(removed.count(), 1);
        updated.clear();
        registry.recordEvent(id, {0, EventDirection::FromUpstream, QStringLiteral("late"), 1, 1}, SessionUsage{});
        const quint64 other = registry.open({});
        QTRY_COMPARE(updated.count(), 1);
        const auto changed = updated.at(0).at(0).value<QList<SessionInfo>>();
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.first().id, other);
    }

    void eventsAreBoundedPerSession()
    {
        SessionRegistry::Limits limits;
        limits.eventsPerSession = 200;
        SessionRegistry registry(limits);
        const quint64 id = registry.open({});
        for (int i = 0; i < 1000; ++i)
            registry.recordEvent(id, {0, EventDirection::FromUpstream, QStringLiteral("e%1").arg(i), i, 0});
        const auto events = registry.recentEvents(id);
        QCOMPARE(events.size(), 200);
        QCOMPARE(events.first().type, QStringLiteral("e800"));
        QCOMPARE(events.last().type, QStringLiteral("e999"));
        QCOMPARE(registry.session(id)->eventCount, 1000);
        QVERIFY(registry.session(id)->eventsPerSecond > 0.0);
    }

    void turnsAreNumberedBoundedAndPublished_data()
    {
        QTest::addColumn<int>("kept");
        QTest::addColumn<int>("added");
        QTest::newRow("under the bound") << 5 << 3;
        QTest::newRow("at the bound") << 3 << 3;
        QTest::newRow("beyond: the oldest go") << 3 << 10;
    }

    void turnsAreNumberedBoundedAndPublished()
    {
        QFETCH(int, kept);
        QFETCH(int, added);
        SessionRegistry::Limits limits;
        limits.publishIntervalMs = 5;
        limits.turnsPerSession = kept;
        SessionRegistry registry(limits);
        const quint64 id = registry.open({});
        QSignalSpy updated(&registry, &SessionRegistry::sessionsUpdated);
        QVERIFY(updated.wait(1000)); // the open
        for (int i = 0; i < added; ++i) {
            SessionTurn turn;
            turn.id = QStringLiteral("resp_%1").arg(i + 1);
            turn.number = 99; // assigned by the registry, whatever the writer says
            turn.quota = i + 1;
            registry.addTurn(id, turn);
        }
        registry.addTurn(id + 100, {}); // an unknown session: ignored
        QVERIFY(updated.wait(1000));
        const auto published = updated.last().first().value<QList<SessionInfo>>();
        QCOMPARE(published.size(), 1);
        QCOMPARE(published.first().turnCount, qint64(added));
        const int expected = std::min(kept, added);
        QCOMPARE(published.first().turnsDropped, qint64(added - expected));
        const QList<SessionTurn> turns = registry.turns(id);
        QCOMPARE(turns.size(), expected);
        for (int i = 0; i < expected; ++i) {
            const qint64 number = added - expected + i + 1;
            QCOMPARE(turns[i].number, number);
            QCOMPARE(turns[i].id, QStringLiteral("resp_%1").arg(number));
            QCOMPARE(turns[i].quota, number);
        }
        QVERIFY(registry.turns(id + 100).isEmpty());
    }

    void endedSessionsStayForTheirRetentionThenGo()
    {
        SessionRegistry::Limits limits;
        limits.publishIntervalMs = 10;
        limits.retainEndedMs = 200;
        SessionRegistry registry(limits);
        QSignalSpy removed(&registry, &SessionRegistry::sessionsRemoved);
        const quint64 id = registry.open({});
        registry.close(id, SessionState::Ended, QStringLiteral("client_closed"));
        QCOMPARE(registry.liveCount(), 0);
        const auto ended = registry.session(id);
        QVERIFY(ended.has_value());
        QCOMPARE(ended->state, SessionState::Ended);
        QCOMPARE(ended->endReason, QStringLiteral("client_closed"));
        // Closing twice keeps the first reason; later state changes are ignored.
        registry.close(id, SessionState::Failed, QStringLiteral("late"));
        registry.setState(id, SessionState::Active);
        QCOMPARE(registry.session(id)->endReason, QStringLiteral("client_closed"));
        QCOMPARE(registry.session(id)->state, SessionState::Ended);
        QTRY_VERIFY_WITH_TIMEOUT(removed.count() == 1, 5000);
        QCOMPARE(removed.at(0).at(0).value<QList<quint64>>(), QList<quint64>{id});
        QVERIFY(!registry.session(id).has_value());
    }

    void endedSessionsAreCappedInNumber()
    {
        SessionRegistry::Limits limits;
        limits.publishIntervalMs = 10;
        limits.maxEndedSessions = 5;
        SessionRegistry registry(limits);
        for (int i = 0; i < 20; ++i)
            registry.close(registry.open({}), SessionState::Ended, QStringLiteral("done"));
        const quint64 live = registry.open({});
        QTRY_COMPARE(registry.sessions().size(), 6);
        QVERIFY(registry.session(live).has_value());
    }

    void writersOnOtherThreadsAreSafeAndPublished()
    {
        SessionRegistry registry;
        QSignalSpy spy(&registry, &SessionRegistry::sessionsUpdated);
        constexpr int kThreads = 4;
        constexpr int kSessionsPerThread = 50;
        QList<QThread *> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.append(QThread::create([&registry] {
                for (int s = 0; s < kSessionsPerThread; ++s) {
                    const quint64 id = registry.open({});
                    SessionUsage delta;
                    delta.outputText = 1;
                    for (int i = 0; i < 20; ++i) {
                        registry.addUsage(id, delta);
                        registry.recordEvent(id, {0, EventDirection::FromUpstream, QStringLiteral("delta"), 3, 1});
                    }
                    registry.setQuota(id, 100, 20);
                    registry.close(id, SessionState::Ended, QStringLiteral("done"));
                }
            }));
            threads.back()->start();
        }
        for (QThread *thread : threads) {
            QVERIFY(thread->wait(30000));
            delete thread;
        }
        const auto all = registry.sessions();
        QCOMPARE(all.size(), kThreads * kSessionsPerThread);
        for (const SessionInfo &info : all) {
            QCOMPARE(info.usage.outputText, 20);
            QCOMPARE(info.chargedQuota, 20);
            QCOMPARE(info.state, SessionState::Ended);
        }
        QTRY_VERIFY(spy.count() >= 1);
    }
};

QTEST_GUILESS_MAIN(TestSessionRegistry)
#include "tst_sessionregistry.moc"
