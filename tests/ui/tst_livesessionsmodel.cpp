// LiveSessionsModel over a real SessionRegistry: incremental updates (no resets), 500 sessions, values,
// greyed ended rows, removal, sorting/filtering through the proxy, selection surviving updates.
#include "live/livesessionsmodel.h"

#include "monitor/sessionregistry.h"

#include <QAbstractItemModelTester>
#include <QBrush>
#include <QItemSelectionModel>
#include <QSignalSpy>
#include <QtTest>

using namespace RelayDesk;
using namespace RelayDesk::Monitor;
using RelayDesk::Ui::LiveSessionsModel;
using RelayDesk::Ui::LiveSessionsProxy;

namespace {

SessionRegistry::Limits fastLimits(int retainEndedMs = 600000)
{
    SessionRegistry::Limits limits;
    limits.publishIntervalMs = 10;
    limits.retainEndedMs = retainEndedMs;
    return limits;
}

SessionInfo sessionFor(int i)
{
    SessionInfo info;
    info.kind = i % 3 == 0 ? SessionKind::Realtime : SessionKind::Http;
    info.user = QStringLiteral("user%1").arg(i);
    info.keyHint = QStringLiteral("sk-%1…").arg(i);
    info.model = i % 2 ? QStringLiteral("gpt-4o-mini") : QStringLiteral("gpt-realtime");
    info.channel = QStringLiteral("ch%1").arg(i % 4);
    return info;
}

QVariant cell(const QAbstractItemModel &m, int row, int column, int role = Qt::DisplayRole)
{
    return m.data(m.index(row, column), role);
}

} // namespace

class TestLiveSessionsModel final : public QObject
{
    Q_OBJECT

private slots:
    // Every live kind has its label in the Kind column (the endpoint families through Monitor::endpointKindName), the
    // proxy's text filter finds it, and a unit-priced call's units show in the Kind tooltip.
    void everyKindIsNamedAndUnitsAreShown_data()
    {
        QTest::addColumn<SessionKind>("kind");
        QTest::addColumn<QString>("label");
        QTest::newRow("http") << SessionKind::Http << QStringLiteral("HTTP");
        QTest::newRow("realtime") << SessionKind::Realtime << QStringLiteral("Realtime");
        QTest::newRow("responses") << SessionKind::Responses << QStringLiteral("Responses");
        QTest::newRow("responses ws") << SessionKind::ResponsesWebSocket << QStringLiteral("Responses WS");
        QTest::newRow("embeddings") << SessionKind::Embeddings << QStringLiteral("Embeddings");
        QTest::newRow("completion") << SessionKind::Completion << QStringLiteral("Completion");
        QTest::newRow("moderation") << SessionKind::Moderation << QStringLiteral("Moderation");
        QTest::newRow("transcription") << SessionKind::Transcription << QStringLiteral("Transcription");
        QTest::newRow("speech") << SessionKind::Speech << QStringLiteral("Speech");
        QTest::newRow("image") << SessionKind::Image << QStringLiteral("Image");
        QTest::newRow("messages") << SessionKind::Messages << QStringLiteral("Messages");
    }
    void everyKindIsNamedAndUnitsAreShown()
    {
        QFETCH(SessionKind, kind);
        QFETCH(QString, label);
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
        SessionRegistry registry(fastLimits());
        LiveSessionsModel model(&registry);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        LiveSessionsProxy proxy;
        proxy.setSourceModel(&model);
        SessionInfo other = sessionFor(1);
        other.kind = kind == SessionKind::Http ? SessionKind::Realtime : SessionKind::Http;
        registry.open(other);
        SessionInfo info = sessionFor(2);
        info.kind = kind;
        const quint64 id = registry.open(info);
        QTRY_COMPARE(model.rowCount(), 2);
        const int row = model.rowOf(id);
        QCOMPARE(cell(model, row, LiveSessionsModel::Kind).toString(), label);
        QCOMPARE(LiveSessionsModel::kindLabel(kind), label);
        QVERIFY(!cell(model, row, LiveSessionsModel::Kind, Qt::ToolTipRole).isValid()); // no units yet
        proxy.setFilterFixedString(label);
        QVERIFY(proxy.rowCount() >= 1);
        bool found = false;
        for (int r = 0; r < proxy.rowCount(); ++r)
            found |= proxy.index(r, 0).data(LiveSessionsModel::SessionIdRole).toULongLong() == id;
        QVERIFY(found);

        Billing::Units units;
        units.audioMs = 92500;
        units.images = 2;
        units.imageSize = QStringLiteral("1024x1792");
        units.imageQuality = QStringLiteral("hd");
        registry.setUnits(id, units);
        QTRY_COMPARE(cell(model, row, LiveSessionsModel::Kind, Qt::ToolTipRole).toString(),
                     QStringLiteral("92.5 s of audio · 2 images, 1024x1792, hd"));
        QCOMPARE(model.sessionAt(row)->units, units);
    }

    // A WebRTC call is a Realtime session whose media goes straight to the upstream: the Kind column says so, and
    // the text filter finds it by it; a relayed session says nothing of its media.
    void webRtcCallsShowTheirMediaPath()
    {
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
        SessionRegistry registry(fastLimits());
        LiveSessionsModel model(&registry);
        LiveSessionsProxy proxy;
        proxy.setSourceModel(&model);
        SessionInfo relayed = sessionFor(1);
        relayed.kind = SessionKind::Realtime;
        const quint64 relayedId = registry.open(relayed);
        SessionInfo call = sessionFor(2);
        call.kind = SessionKind::Realtime;
        call.mediaPath = Monitor::MediaPath::DirectWebRtc;
        const quint64 callId = registry.open(call);
        QTRY_COMPARE(model.rowCount(), 2);
        QCOMPARE(cell(model, model.rowOf(callId), LiveSessionsModel::Kind).toString(),
                 QStringLiteral("Realtime · direct (WebRTC)"));
        QCOMPARE(cell(model, model.rowOf(relayedId), LiveSessionsModel::Kind).toString(), QStringLiteral("Realtime"));
        proxy.setFilterFixedString(QStringLiteral("WebRTC"));
        QCOMPARE(proxy.rowCount(), 1);
        QCOMPARE(proxy.index(0, 0).data(LiveSessionsModel::SessionIdRole).toULongLong(), callId);
    }

    void fiveHundredSessionsFlowInIncrementally()
    {
        SessionRegistry registry(fastLimits());
        LiveSessionsModel model(&registry);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy resets(&model, &QAbstractItemModel::modelAboutToBeReset);
        QSignalSpy inserts(&model, &QAbstractItemModel::rowsInserted);

        QList<quint64> ids;
        for (int i = 0; i < 500; ++i) {
            const quint64 id = registry.open(sessionFor(i));
            ids << id;
            SessionUsage usage;
            usage.inputText = 10 * i;
            usage.outputText = 3 * i;
            usage.inputAudio = i % 3 == 0 ? 7 * i : 0;
            usage.outputAudio = i % 3 == 0 ? 11 * i : 0;
            usage.cachedText = i;
            registry.setUsage(id, usage);
            registry.setQuota(id, 1000 + i, 500 * i);
        }
        QTRY_COMPARE(model.rowCount(), 500);
        QCOMPARE(resets.count(), 0);
        QVERIFY(inserts.count() >= 1);

        for (int i = 0; i < 500; ++i) {
            const int row = model.rowOf(ids[i]);
            QVERIFY(row >= 0);
            QCOMPARE(cell(model, row, LiveSessionsModel::User).toString(), QStringLiteral("user%1").arg(i));
            QCOMPARE(cell(model, row, LiveSessionsModel::TextIn, LiveSessionsModel::SortRole).toLongLong(), 10LL * i);
            QCOMPARE(cell(model, row, LiveSessionsModel::TextOut, LiveSessionsModel::SortRole).toLongLong(), 3LL * i);
            QCOMPARE(cell(model, row, LiveSessionsModel::AudioOut, LiveSessionsModel::SortRole).toLongLong(),
                     i % 3 == 0 ? 11LL * i : 0LL);
            QCOMPARE(cell(model, row, LiveSessionsModel::Cached, LiveSessionsModel::SortRole).toLongLong(), qint64(i));
            QCOMPARE(cell(model, row, LiveSessionsModel::Quota, LiveSessionsModel::SortRole).toLongLong(), 500LL * i);
            QCOMPARE(cell(model, row, LiveSessionsModel::Kind).toString(),
                     i % 3 == 0 ? QStringLiteral("Realtime") : QStringLiteral("HTTP"));
        }

        // Ten rounds of updates to every other session: only dataChanged, values follow.
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        for (int round = 1; round <= 10; ++round) {
            for (int i = 0; i < 500; i += 2) {
                SessionUsage delta;
                delta.outputAudio = 1;
                registry.addUsage(ids[i], delta);
            }
            QTest::qWait(15);
        }
        QTRY_COMPARE(cell(model, model.rowOf(ids[498]), LiveSessionsModel::AudioOut, LiveSessionsModel::SortRole).toLongLong(),
                     qint64(498 % 3 == 0 ? 11 * 498 : 0) + 10);
        for (int i = 0; i < 500; ++i) {
            const qint64 base = i % 3 == 0 ? 11LL * i : 0LL;
            QTRY_COMPARE(cell(model, model.rowOf(ids[i]), LiveSessionsModel::AudioOut, LiveSessionsModel::SortRole).toLongLong(),
                         base + (i % 2 == 0 ? 10 : 0));
        }
        QVERIFY(changed.count() > 0);
        QCOMPARE(resets.count(), 0);
        QCOMPARE(model.rowCount(), 500);
    }

    void endedSessionsAreGreyedThenRemoved()
    {
        SessionRegistry registry(fastLimits(300));
        LiveSessionsModel model(&registry);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QList<quint64> ids;
        for (int i = 0; i < 20; ++i)
            ids << registry.open(sessionFor(i));
        QTRY_COMPARE(model.rowCount(), 20);
        const QVariant liveColour = cell(model, model.rowOf(ids[5]), LiveSessionsModel::User, Qt::ForegroundRole);
        QVERIFY(!liveColour.isValid());

        for (int i = 5; i < 10; ++i)
            registry.close(ids[i], SessionState::Ended, QStringLiteral("done"));
        registry.close(ids[12], SessionState::Failed, QStringLiteral("upstream 1011"));
        QTRY_COMPARE(cell(model, model.rowOf(ids[5]), LiveSessionsModel::State).toString(), QStringLiteral("ended"));
        QCOMPARE(model.data(model.index(model.rowOf(ids[5]), 0), LiveSessionsModel::IsLiveRole).toBool(), false);
        QVERIFY(cell(model, model.rowOf(ids[5]), LiveSessionsModel::User, Qt::ForegroundRole).value<QBrush>().color().isValid());
        QCOMPARE(cell(model, model.rowOf(ids[12]), LiveSessionsModel::State, Qt::ToolTipRole).toString(),
                 QStringLiteral("upstream 1011"));

        // Retention over: the registry drops them and the model removes exactly those rows.
        QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 14, 5000);
        for (int i = 0; i < 20; ++i) {
            const bool removed = (i >= 5 && i < 10) || i == 12;
            QCOMPARE(model.rowOf(ids[i]) < 0, removed);
        }
        // Rows stay in id order and the row index is consistent.
        for (int r = 0; r < model.rowCount(); ++r)
            QCOMPARE(model.rowOf(model.sessionAt(r)->id), r);
    }

    void selectionSurvivesUpdatesAndSortingIsNumeric()
    {
        SessionRegistry registry(fastLimits());
        LiveSessionsModel model(&registry);
        LiveSessionsProxy proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QList<quint64> ids;
        for (int i = 0; i < 50; ++i) {
            ids << registry.open(sessionFor(i));
            SessionUsage usage;
            usage.inputText = (i * 37) % 101; // scrambled so numeric and text order differ
            registry.setUsage(ids.last(), usage);
        }
        QTRY_COMPARE(model.rowCount(), 50);
        proxy.sort(LiveSessionsModel::TextIn, Qt::AscendingOrder);
        for (int r = 1; r < proxy.rowCount(); ++r)
            QVERIFY(proxy.index(r - 1, LiveSessionsModel::TextIn).data(LiveSessionsModel::SortRole).toLongLong() <=
                    proxy.index(r, LiveSessionsModel::TextIn).data(LiveSessionsModel::SortRole).toLongLong());

        QItemSelectionModel selection(&proxy);
        const quint64 chosen = ids[17];
        const QModelIndex chosenIndex = proxy.mapFromSource(model.index(model.rowOf(chosen), 0));
        selection.setCurrentIndex(chosenIndex, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);

        // Updates reorder rows (sorted by text in) and add new sessions; the selection follows the session.
        for (int i = 0; i < 50; ++i) {
            SessionUsage delta;
            delta.inputText = 200 - i;
            registry.addUsage(ids[i], delta);
        }
        for (int i = 50; i < 60; ++i)
            registry.open(sessionFor(i));
        QTRY_COMPARE(model.rowCount(), 60);
        QTRY_COMPARE(model.data(model.index(model.rowOf(ids[0]), LiveSessionsModel::TextIn), LiveSessionsModel::SortRole).toLongLong(), 200LL);
        QVERIFY(selection.currentIndex().isValid());
        QCOMPARE(selection.currentIndex().data(LiveSessionsModel::SessionIdRole).value<quint64>(), chosen);
        QCOMPARE(selection.selectedRows().size(), 1);

        // Text filter over every column, and hiding ended sessions.
        proxy.setFilterFixedString(QStringLiteral("user1"));
        QCOMPARE(proxy.rowCount(), 11); // user1, user10..user19
        proxy.setFilterFixedString(QString());
        registry.close(ids[3], SessionState::Ended, {});
        QTRY_VERIFY(!model.data(model.index(model.rowOf(ids[3]), 0), LiveSessionsModel::IsLiveRole).toBool());
        proxy.setShowEnded(false);
        QCOMPARE(proxy.rowCount(), 59);
        proxy.setShowEnded(true);
        QCOMPARE(proxy.rowCount(), 60);
    }

    void sessionsOpenedBeforeTheModelAreListedAndReloadIsIncremental()
    {
        SessionRegistry registry(fastLimits());
        for (int i = 0; i < 5; ++i)
            registry.open(sessionFor(i));
        LiveSessionsModel model(&registry);
        QCOMPARE(model.rowCount(), 5);
        QSignalSpy resets(&model, &QAbstractItemModel::modelAboutToBeReset);
        model.reload();
        QCOMPARE(model.rowCount(), 5);
        QCOMPARE(resets.count(), 0);
        LiveSessionsModel empty(nullptr);
        QAbstractItemModelTester tester(&empty, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(empty.rowCount(), 0);
    }

    void outOfOrderUpdatesInsertInIdOrder()
    {
        LiveSessionsModel model(nullptr);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        auto info = [](quint64 id) {
            SessionInfo s = sessionFor(int(id));
            s.id = id;
            return s;
        };
        model.applyUpdates({info(10), info(30)});
        model.applyUpdates({info(20), info(40), info(5)});
        QCOMPARE(model.rowCount(), 5);
        const QList<quint64> expected{5, 10, 20, 30, 40};
        for (int r = 0; r < 5; ++r) {
            QCOMPARE(model.sessionAt(r)->id, expected[r]);
            QCOMPARE(model.rowOf(expected[r]), r);
        }
        model.applyRemovals({10, 40, 999});
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.rowOf(30), 2);
    }

    // Sessions of other instances (as AdminService::liveSessions returns them) sit beside this process's own: the
    // same session id on two instances is two rows, told apart by the Instance column; this instance's published
    // rows are skipped (the registry has them); a remote session gone from the next read is removed, and local
    // removals leave remote rows alone. Never a reset.
    void twoInstances()
    {
        SessionRegistry registry(fastLimits());
        LiveSessionsModel model(&registry);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        model.setLocalInstance(QStringLiteral("local-instance"));
        const quint64 local = registry.open(sessionFor(1));
        QTRY_COMPARE(model.rowCount(), 1);

        const auto remote = [](const QString &instance, quint64 id, const QString &user) {
            SessionInfo s = sessionFor(int(id));
            s.id = id;
            s.instanceId = instance;
            s.user = user;
            s.state = SessionState::Streaming;
            return s;
        };
        SessionInfo ownPublished = remote(QStringLiteral("local-instance"), local, QStringLiteral("dup"));
        model.applyRemote({remote(QStringLiteral("bbbbbbbb-2222"), local, QStringLiteral("bob")),
                           remote(QStringLiteral("bbbbbbbb-2222"), 7, QStringLiteral("carol")), ownPublished});
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.rowOf(local), 0);
        const int bob = model.rowOf(local, QStringLiteral("bbbbbbbb-2222"));
        QVERIFY(bob > 0);
        QCOMPARE(cell(model, bob, LiveSessionsModel::User).toString(), QStringLiteral("bob"));
        QCOMPARE(cell(model, bob, LiveSessionsModel::Instance).toString(), QStringLiteral("bbbbbbbb"));
        QCOMPARE(cell(model, bob, LiveSessionsModel::Instance, Qt::ToolTipRole).toString(), QStringLiteral("bbbbbbbb-2222"));
        QVERIFY(cell(model, bob, LiveSessionsModel::Id, LiveSessionsModel::IsRemoteRole).toBool());
        QVERIFY(!cell(model, 0, LiveSessionsModel::Id, LiveSessionsModel::IsRemoteRole).toBool());
        QCOMPARE(cell(model, 0, LiveSessionsModel::User).toString(), QStringLiteral("user1"));
        QCOMPARE(cell(model, 0, LiveSessionsModel::Instance).toString(), LiveSessionsModel::tr("local"));

        // The next read: carol's session ended (gone), bob's grew; a third instance appears.
        SessionInfo grown = remote(QStringLiteral("bbbbbbbb-2222"), local, QStringLiteral("bob"));
        grown.usage.outputText = 99;
        model.applyRemote({grown, remote(QStringLiteral("cccccccc-3333"), 1, QStringLiteral("dave"))});
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.rowOf(7, QStringLiteral("bbbbbbbb-2222")), -1);
        QCOMPARE(cell(model, model.rowOf(local, QStringLiteral("bbbbbbbb-2222")), LiveSessionsModel::TextOut,
                      LiveSessionsModel::SortRole).toLongLong(), 99);
        QVERIFY(model.rowOf(1, QStringLiteral("cccccccc-3333")) > 0);

        // A local session dropped by the registry goes; the remote rows with the same id stay.
        model.applyRemovals({local});
        QCOMPARE(model.rowCount(), 2);
        QVERIFY(model.rowOf(local, QStringLiteral("bbbbbbbb-2222")) >= 0);
        model.reload(); // re-reads the registry: brings the local one back, leaves remote rows alone
        QCOMPARE(model.rowCount(), 3);
        model.applyRemote({});
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(resets.size(), 0);
    }
};

QTEST_MAIN(TestLiveSessionsModel)
#include "tst_livesessionsmodel.moc"
