// SessionTurnsModel: a session's turns from SessionRegistry::turns — modality mixes in words, cached share, cost in the
// page's currency, latency to audio or text — appended as the registry publishes them, the oldest removed when the
// registry drops them; checked with QAbstractItemModelTester.
#include "live/sessionturnsmodel.h"

#include "billing/quotamath.h"
#include "monitor/sessionregistry.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QtTest>

using namespace RelayDesk;
using namespace RelayDesk::Monitor;
using RelayDesk::Ui::CurrencyDisplay;
using RelayDesk::Ui::SessionTurnsModel;

namespace {

SessionRegistry::Limits fastLimits(int turnsPerSession = SessionRegistry::kTurnsPerSession)
{
    SessionRegistry::Limits l;
    l.publishIntervalMs = 10;
    l.turnsPerSession = turnsPerSession;
    return l;
}

SessionTurn responseTurn(qint64 quota, Billing::Usage usage = {})
{
    SessionTurn turn;
    turn.id = QStringLiteral("resp_%1").arg(quota);
    turn.status = QStringLiteral("completed");
    turn.usage = usage;
    turn.quota = quota;
    return turn;
}

QString cell(const SessionTurnsModel &model, int row, int column)
{
    return model.index(row, column).data().toString();
}

} // namespace

class TestSessionTurnsModel final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates)); }

    void cellsSayWhatTheTurnCountedAndCost_data()
    {
        QTest::addColumn<qint64>("inText");
        QTest::addColumn<qint64>("inAudio");
        QTest::addColumn<qint64>("inImage");
        QTest::addColumn<qint64>("cachedText");
        QTest::addColumn<qint64>("cachedAudio");
        QTest::addColumn<qint64>("outText");
        QTest::addColumn<qint64>("outAudio");
        QTest::addColumn<int>("latencyTo");
        QTest::addColumn<qint64>("latencyMs");
        QTest::addColumn<qint64>("quota");
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("output");
        QTest::addColumn<QString>("cached");
        QTest::addColumn<QString>("dollars");
        QTest::addColumn<QString>("quotaUnits");
        QTest::addColumn<QString>("latency");
        using L = SessionTurn::LatencyTo;
        QTest::newRow("voice, audio out")
            << qint64(120) << qint64(1500) << qint64(0) << qint64(0) << qint64(0) << qint64(40) << qint64(960)
            << int(L::Audio) << qint64(1234) << qint64(41360)
            << "120 text · 1,500 audio" << "40 text · 960 audio" << "0.0 %" << "$0.0827" << "41,360" << "1,234 ms";
        QTest::newRow("cached text and audio: share of the whole input")
            << qint64(200) << qint64(800) << qint64(0) << qint64(150) << qint64(250) << qint64(10) << qint64(0)
            << int(L::Text) << qint64(310) << qint64(4)
            << "200 text · 800 audio (400 cached)" << "10 text · 0 audio" << "40.0 %" << "$0.000008" << "4"
            << "310 ms (text)";
        QTest::newRow("image input, tool call without latency")
            << qint64(30) << qint64(0) << qint64(765) << qint64(0) << qint64(0) << qint64(12) << qint64(0)
            << int(L::None) << qint64(-1) << qint64(1'500'000)
            << "30 text · 0 audio · 765 image" << "12 text · 0 audio" << "0.0 %" << "$3.00" << "1,500,000" << "";
        QTest::newRow("no input at all") << qint64(0) << qint64(0) << qint64(0) << qint64(0) << qint64(0) << qint64(0)
                                         << qint64(0) << int(L::None) << qint64(-1) << qint64(0)
                                         << "0 text · 0 audio" << "0 text · 0 audio" << "—" << "$0.00" << "0" << "";
    }

    void cellsSayWhatTheTurnCountedAndCost()
    {
        QFETCH(qint64, inText);
        QFETCH(qint64, inAudio);
        QFETCH(qint64, inImage);
        QFETCH(qint64, cachedText);
        QFETCH(qint64, cachedAudio);
        QFETCH(qint64, outText);
        QFETCH(qint64, outAudio);
        QFETCH(int, latencyTo);
        QFETCH(qint64, latencyMs);
        QFETCH(qint64, quota);
        QFETCH(QString, input);
        QFETCH(QString, output);
        QFETCH(QString, cached);
        QFETCH(QString, dollars);
        QFETCH(QString, quotaUnits);
        QFETCH(QString, latency);

        SessionRegistry registry(fastLimits());
        const quint64 id = registry.open({});
        Billing::Usage usage;
        usage.inputText = inText;
        usage.inputAudio = inAudio;
        usage.inputImage = inImage;
        usage.cachedText = cachedText;
        usage.cachedAudio = cachedAudio;
        usage.outputText = outText;
        usage.outputAudio = outAudio;
        SessionTurn turn = responseTurn(quota, usage);
        turn.latencyTo = SessionTurn::LatencyTo(latencyTo);
        turn.latencyMs = latencyMs;
        registry.addTurn(id, turn);

        SessionTurnsModel model(&registry);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSession(id);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(cell(model, 0, SessionTurnsModel::Number), QStringLiteral("1"));
        QCOMPARE(cell(model, 0, SessionTurnsModel::Input), input);
        QCOMPARE(cell(model, 0, SessionTurnsModel::Output), output);
        QCOMPARE(cell(model, 0, SessionTurnsModel::Cached), cached);
        QCOMPARE(cell(model, 0, SessionTurnsModel::Cost), dollars);
        QCOMPARE(cell(model, 0, SessionTurnsModel::Latency), latency);
        QCOMPARE(model.index(0, SessionTurnsModel::Cost).data(SessionTurnsModel::SortRole).toLongLong(), quota);
        QCOMPARE(model.index(0, SessionTurnsModel::Latency).data(SessionTurnsModel::SortRole).toLongLong(),
                 latencyTo == int(SessionTurn::LatencyTo::None) ? qint64(-1) : latencyMs);
        QCOMPARE(model.index(0, SessionTurnsModel::Input).data(SessionTurnsModel::SortRole).toLongLong(),
                 inText + inAudio + inImage);
        QVERIFY(model.index(0, SessionTurnsModel::Number).data(Qt::ToolTipRole).toString().contains(turn.id));

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setCurrencyDisplay(CurrencyDisplay::QuotaUnits);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(cell(model, 0, SessionTurnsModel::Cost), quotaUnits);
    }

    void transcribedItemsAreMarked()
    {
        SessionRegistry registry(fastLimits());
        const quint64 id = registry.open({});
        SessionTurn turn = responseTurn(7);
        turn.kind = SessionTurn::Kind::Transcription;
        turn.id = QStringLiteral("item_9");
        registry.addTurn(id, turn);
        SessionTurnsModel model(&registry);
        model.setSession(id);
        QCOMPARE(cell(model, 0, SessionTurnsModel::Number), QStringLiteral("1 · transcription"));
        QVERIFY(model.index(0, 0).data(Qt::ToolTipRole).toString().contains(QStringLiteral("item_9")));
    }

    void followsTheRegistryLiveAndDropsTheOldest()
    {
        SessionRegistry registry(fastLimits(4));
        const quint64 a = registry.open({});
        const quint64 b = registry.open({});
        SessionTurnsModel model(&registry);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSession(a);
        QCOMPARE(model.rowCount(), 0);
        QSignalSpy resets(&model, &QAbstractItemModel::modelAboutToBeReset);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);

        registry.addTurn(a, responseTurn(1));
        registry.addTurn(a, responseTurn(2));
        registry.addTurn(b, responseTurn(100)); // another session's turn does not show
        QTRY_COMPARE(model.rowCount(), 2);
        for (qint64 q = 3; q <= 6; ++q)
            registry.addTurn(a, responseTurn(q));
        // The registry keeps the last 4 (3..6): 1 and 2 leave from the top, 3..6 come at the bottom.
        QTRY_COMPARE(model.index(0, SessionTurnsModel::Number).data(SessionTurnsModel::TurnNumberRole).toLongLong(), 3LL);
        QCOMPARE(model.rowCount(), 4);
        for (int row = 0; row < 4; ++row)
            QCOMPARE(model.index(row, SessionTurnsModel::Cost).data(SessionTurnsModel::SortRole).toLongLong(), qint64(row + 3));
        QCOMPARE(resets.count(), 0); // incremental: the table holds still
        QVERIFY(inserted.count() >= 2);

        model.setSession(b);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.index(0, SessionTurnsModel::Cost).data(SessionTurnsModel::SortRole).toLongLong(), 100LL);
        model.setSession(0);
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_MAIN(TestSessionTurnsModel)
#include "tst_sessionturnsmodel.moc"
