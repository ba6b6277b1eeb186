// The session detail's billed units: a unit-priced session (registry setUnits) shows its seconds, characters and
// images in words with the quota each costs at the model's unit prices; unpriced, the words with the reason; a
// session without units hides the bar; updates from the registry refresh it.
#include "live/sessiondetailview.h"
#include "widgets/breakdownbar.h"

#include "billing/pricebook.h"
#include "billing/quotamath.h"
#include "monitor/sessionregistry.h"

#include <QSignalSpy>
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
};

QTEST_MAIN(TestSessionDetailView)
#include "tst_sessiondetailview.moc"
