// The session detail's billed units: a unit-priced session (registry setUnits) shows its seconds, characters and
// images in words with the quota each costs at the model's unit prices; unpriced, the words with the reason; a
// session without units hides the bar; updates from the registry refresh it.
#include "live/sessiondetailview.h"
#include "live/sessionturnschart.h"
#include "live/sessionturnsmodel.h"
#include "widgets/breakdownbar.h"

#include "billing/pricebook.h"
#include "billing/quotamath.h"
#include "monitor/sessionregistry.h"

#include <QBarSet>
#include <QLabel>
#include <QSignalSpy>
#include <QStackedBarSeries>
#include <QTableView>
#include <QtTest>

using namespace RelayDesk;
using namespace RelayDesk::Monitor;

class TestSessionDetailView final : public QObject
{
    Q_OBJECT

    static Billing::ModelPricing ttsPricing()
    {
        Billing::ModelPricing p;
        p.modelRatio = Billing::Ratio::fromInteger(0);
        p.characterPrice = Billing::Ratio::fromInteger(15); // US$15 per 1M characters
        return p;
    }

private slots:
    void initTestCase() { QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates)); }

    void unitsBarShowsWordsAndCost()
    {
        SessionRegistry::Limits limits;
        limits.publishIntervalMs = 10;
        SessionRegistry registry(limits);
        SessionInfo info;
        info.kind = SessionKind::Speech;
        info.model = QStringLiteral("tts-1");
        const quint64 speech = registry.open(info);
        info.kind = SessionKind::Http;
        info.model = QStringLiteral("gpt-4o-mini");
        const quint64 chat = registry.open(info);

        Ui::SessionDetailView view(&registry);
        view.setCurrencyDisplay(Ui::CurrencyDisplay::QuotaUnits);
        view.setPricer([](const SessionInfo &s) -> std::optional<Ui::TokenPrices> {
            if (s.model != QLatin1String("tts-1"))
                return std::nullopt;
            return Ui::tokenPricesFor(ttsPricing(), s.units);
        });
        view.setSession(speech);
        QVERIFY(view.unitsBar()->isHidden()); // no units yet

        Billing::Units units;
        units.characters = 1000;
        registry.setUnits(speech, units);
        QTRY_VERIFY(!view.unitsBar()->isHidden()); // the registry's update reaches the view
        const auto segments = view.unitsBar()->segments();
        QCOMPARE(segments.size(), 1);
        QCOMPARE(segments[0].label, QStringLiteral("1,000 characters"));
        // 1000 / 1M × US$15 = US$0.015 = 7500 quota
        QCOMPARE(segments[0].value, Billing::QuotaMath::unitsCost(ttsPricing(), units).get_d());
        QCOMPARE(segments[0].value, 7500.0);

        // Unpriced: the words stay, the bar says why there is no cost.
        view.setPricer({});
        QVERIFY(!view.unitsBar()->isHidden());
        QVERIFY(view.unitsBar()->segments().isEmpty());

        // A session without units hides the bar again.
        view.setSession(chat);
        QVERIFY(view.unitsBar()->isHidden());
        view.setSession(0);
        QVERIFY(view.unitsBar()->isHidden());
    }

    // A Claude call (Messages) in the rendered detail: the input bars split cache reads, 5-minute and 1-hour
    // writes, each priced at its own ratio (CacheRatio, CreateCacheRatio, CreateCacheRatio1h), the output apart.
    void claudeSessionShowsBothCacheWrites()
    {
        SessionRegistry::Limits limits;
        limits.publishIntervalMs = 10;
        SessionRegistry registry(limits);
        SessionInfo info;
        info.kind = SessionKind::Messages;
        info.model = QStringLiteral("claude-sonnet-4-5");
        const quint64 id = registry.open(info);
        Billing::ModelPricing sonnet; // $3 in, $15 out; hits 0.1, 5m writes 1.25, 1h writes 2
        sonnet.modelRatio = *Billing::Ratio::parse(QStringLiteral("1.5"));
        sonnet.completionRatio = Billing::Ratio::fromInteger(5);
        sonnet.cacheRatio = *Billing::Ratio::parse(QStringLiteral("0.1"));
        sonnet.createCacheRatio = *Billing::Ratio::parse(QStringLiteral("1.25"));
        sonnet.createCacheRatio1h = Billing::Ratio::fromInteger(2);

        Ui::SessionDetailView view(&registry);
        view.setCurrencyDisplay(Ui::CurrencyDisplay::QuotaUnits);
        view.setPricer([&sonnet](const SessionInfo &s) -> std::optional<Ui::TokenPrices> {
            return Ui::tokenPricesFor(sonnet, s.units);
        });
        view.resize(900, 600);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setSession(id);
        Billing::Usage u; // input 1000, reads 2000, 5m writes 400, 1h writes 1000 (MessagesUsage's reading)
        u.inputText = 4400;
        u.cachedText = 2000;
        u.cacheWrite = 1400;
        u.cacheWrite1h = 1000;
        u.outputText = 200;
        registry.addUsage(id, u);

        auto valueOf = [](const QList<Ui::BreakdownBar::Segment> &segments, const QString &label) {
            for (const auto &s : segments)
                if (s.label == label)
                    return s.value;
            return -1.0;
        };
        QTRY_COMPARE(valueOf(view.inputTokensBar()->segments(), QStringLiteral("1-hour cache write")), 1000.0);
        const auto tokens = view.inputTokensBar()->segments();
        QCOMPARE(valueOf(tokens, QStringLiteral("text")), 1000.0);
        QCOMPARE(valueOf(tokens, QStringLiteral("cached text")), 2000.0);
        QCOMPARE(valueOf(tokens, QStringLiteral("5-minute cache write")), 400.0);
        const auto money = view.inputMoneyBar()->segments();
        QCOMPARE(valueOf(money, QStringLiteral("text")), 1500.0);               // 1000 × 1.5
        QCOMPARE(valueOf(money, QStringLiteral("cached text")), 300.0);         // 2000 × 1.5 × 0.1
        QCOMPARE(valueOf(money, QStringLiteral("5-minute cache write")), 750.0); // 400 × 1.5 × 1.25
        QCOMPARE(valueOf(money, QStringLiteral("1-hour cache write")), 3000.0);  // 1000 × 1.5 × 2
        QCOMPARE(valueOf(view.outputMoneyBar()->segments(), QStringLiteral("text")), 1500.0); // 200 × 7.5
        double input = 0;
        for (const auto &s : money)
            input += s.value;
        u.outputText = 0;
        QCOMPARE(input, Billing::QuotaMath::exactCost(sonnet, u).get_d()); // the bars add up to QuotaMath's input cost
    }

    // A Realtime session's turns (issue 14, part 4): the Turns section appears with the first turn — a table row and
    // a stacked bar per turn, split by modality — follows new turns live, and is hidden for a session without turns.
    void turnsSectionShowsTheSessionsTurns()
    {
        SessionRegistry::Limits limits;
        limits.publishIntervalMs = 10;
        SessionRegistry registry(limits);
        SessionInfo info;
        info.kind = SessionKind::Realtime;
        info.model = QStringLiteral("gpt-realtime");
        const quint64 voice = registry.open(info);
        info.kind = SessionKind::Http;
        const quint64 chat = registry.open(info);

        Ui::SessionDetailView detail(&registry);
        detail.resize(900, 700);
        detail.show();
        QVERIFY(QTest::qWaitForWindowExposed(&detail));
        detail.setSession(voice);
        QVERIFY(detail.turnsSection()->isHidden()); // no turn yet

        const auto turn = [](qint64 inAudio, qint64 outAudio, qint64 quota) {
            SessionTurn t;
            t.id = QStringLiteral("resp_%1").arg(quota);
            t.usage.inputText = 20;
            t.usage.inputAudio = inAudio;
            t.usage.outputText = 15;
            t.usage.outputAudio = outAudio;
            t.quota = quota;
            t.latencyTo = SessionTurn::LatencyTo::Audio;
            t.latencyMs = 420;
            return t;
        };
        registry.addTurn(voice, turn(100, 240, 2000));
        registry.addTurn(voice, turn(300, 480, 5000));
        QTRY_VERIFY(detail.turnsSection()->isVisible());
        QTableView *table = detail.findChild<QTableView *>(QStringLiteral("turnsTable"));
        QVERIFY(table);
        QVERIFY(table->isVisible());
        QCOMPARE(table->model()->rowCount(), 2);
        QCOMPARE(table->model()->index(1, Ui::SessionTurnsModel::Latency).data().toString(), QStringLiteral("420 ms"));
        // Input text, input audio, output text, output audio: four sets, one bar per turn.
        QTRY_VERIFY(detail.turnsChart()->series() && detail.turnsChart()->series()->count() == 4);
        QCOMPARE(detail.turnsChart()->series()->barSets().first()->count(), 2);
        QVERIFY(detail.findChild<QTableView *>(QStringLiteral("eventTimeline"))->isVisible()); // still there below

        registry.addTurn(voice, turn(500, 720, 9000)); // live
        QTRY_COMPARE(table->model()->rowCount(), 3);
        QTRY_COMPARE(detail.turnsChart()->series()->barSets().first()->count(), 3);
        detail.setCurrencyDisplay(Ui::CurrencyDisplay::QuotaUnits);
        QCOMPARE(table->model()->index(2, Ui::SessionTurnsModel::Cost).data().toString(), QStringLiteral("9,000"));

        detail.setSession(chat);
        QVERIFY(detail.turnsSection()->isHidden());
        QCOMPARE(table->model()->rowCount(), 0);
        detail.setSession(voice);
        QVERIFY(detail.turnsSection()->isVisible());
        QCOMPARE(table->model()->rowCount(), 3);
    }
};

QTEST_MAIN(TestSessionDetailView)
#include "tst_sessiondetailview.moc"
