// BudgetWindow: parsing window names, and the period a moment falls in — calendar days, weeks (from Monday) and
// months in a time zone, across midnight, a DST change (23- and 25-hour days, a midnight that does not exist), and
// rolling hour buckets. Expected boundaries are written as local times with the zone's offset (tz facts), so the
// test does not reuse the code's own arithmetic.
#include "common/budgetwindow.h"

#include <QDateTime>
#include <QtTest>

using RelayDesk::BudgetWindow;

namespace {

qint64 secs(const QString &iso)
{
    const QDateTime t = QDateTime::fromString(iso, Qt::ISODate);
    if (!t.isValid())
        qFatal("bad ISO time in a data row: %s", qPrintable(iso));
    return t.toSecsSinceEpoch();
}

} // namespace

class TestBudgetWindow final : public QObject
{
    Q_OBJECT

private slots:
    void parse_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("adjective");
        QTest::newRow("day") << "day" << true << "day" << "daily";
        QTest::newRow("week") << "week" << true << "week" << "weekly";
        QTest::newRow("month") << "month" << true << "month" << "monthly";
        QTest::newRow("upper case, spaces") << " Day " << true << "day" << "daily";
        QTest::newRow("1h") << "1h" << true << "1h" << "1-hour rolling";
        QTest::newRow("24H") << "24H" << true << "24h" << "24-hour rolling";
        QTest::newRow("720h (30 days)") << "720h" << true << "720h" << "720-hour rolling";
        QTest::newRow("0h") << "0h" << false << "" << "";
        QTest::newRow("721h") << "721h" << false << "" << "";
        QTest::newRow("h") << "h" << false << "" << "";
        QTest::newRow("-1h") << "-1h" << false << "" << "";
        QTest::newRow("+2h") << "+2h" << false << "" << "";
        QTest::newRow("1.5h") << "1.5h" << false << "" << "";
        QTest::newRow("24") << "24" << false << "" << "";
        QTest::newRow("1d") << "1d" << false << "" << "";
        QTest::newRow("daily") << "daily" << false << "" << "";
        QTest::newRow("empty") << "" << false << "" << "";
    }

    void parse()
    {
        QFETCH(QString, text);
        QFETCH(bool, valid);
        QFETCH(QString, name);
        QFETCH(QString, adjective);
        const auto w = BudgetWindow::parse(text);
        QCOMPARE(bool(w), valid);
        if (!w)
            return;
        QCOMPARE(w->name(), name);
        QCOMPARE(w->adjective(), adjective);
        QCOMPARE(BudgetWindow::parse(w->name())->name(), name); // canonical names parse to themselves
    }

    void zoneFallsBackToUtc()
    {
        QCOMPARE(BudgetWindow::zone(QString()), QTimeZone::utc());
        QCOMPARE(BudgetWindow::zone(QStringLiteral("Not/AZone")), QTimeZone::utc());
        QCOMPARE(BudgetWindow::zone(QStringLiteral("Europe/Berlin")).id(), QByteArray("Europe/Berlin"));
    }

    void calendarPeriods_data()
    {
        QTest::addColumn<QString>("zone");
        QTest::addColumn<QString>("window");
        QTest::addColumn<QString>("at");
        QTest::addColumn<QString>("start");
        QTest::addColumn<QString>("end");
        QTest::addColumn<int>("hours"); // the period's length
        QTest::newRow("UTC day") << "UTC" << "day" << "2026-12-06T21:17:00Z" << "2026-12-06T00:00:00Z"
                                 << "2026-12-07T00:00:00Z" << 24;
        QTest::newRow("Berlin day, a second before midnight")
            << "Europe/Berlin" << "day" << "2026-12-06T23:59:59+01:00" << "2026-12-06T00:00:00+01:00"
            << "2026-12-07T00:00:00+01:00" << 24;
        QTest::newRow("Berlin day, at midnight (already the next day)")
            << "Europe/Berlin" << "day" << "2026-12-07T00:00:00+01:00" << "2026-12-07T00:00:00+01:00"
            << "2026-12-08T00:00:00+01:00" << 24;
        QTest::newRow("Berlin day, 23:30 UTC is tomorrow there")
            << "Europe/Berlin" << "day" << "2026-12-06T23:30:00Z" << "2026-12-07T00:00:00+01:00"
            << "2026-12-08T00:00:00+01:00" << 24;
        QTest::newRow("Berlin spring DST day (23 h)")
            << "Europe/Berlin" << "day" << "2026-03-29T12:00:00+02:00" << "2026-03-29T00:00:00+01:00"
            << "2026-03-30T00:00:00+02:00" << 23;
        QTest::newRow("Berlin autumn DST day (25 h)")
            << "Europe/Berlin" << "day" << "2026-10-25T12:00:00+01:00" << "2026-10-25T00:00:00+02:00"
            << "2026-10-26T00:00:00+01:00" << 25;
        QTest::newRow("Berlin autumn DST day, in the repeated hour")
            << "Europe/Berlin" << "day" << "2026-10-25T02:30:00+01:00" << "2026-10-25T00:00:00+02:00"
            << "2026-10-26T00:00:00+01:00" << 25;
        QTest::newRow("Santiago: midnight does not exist (day starts 01:00)")
            << "America/Santiago" << "day" << "2026-09-06T12:00:00-03:00" << "2026-09-06T01:00:00-03:00"
            << "2026-09-07T00:00:00-03:00" << 23;
        QTest::newRow("Berlin week from Sunday") << "Europe/Berlin" << "week" << "2026-12-06T10:00:00+01:00"
                                                 << "2026-11-30T00:00:00+01:00" << "2026-12-07T00:00:00+01:00" << 168;
        QTest::newRow("Berlin week at Monday midnight") << "Europe/Berlin" << "week" << "2026-12-07T00:00:00+01:00"
                                                        << "2026-12-07T00:00:00+01:00" << "2026-12-14T00:00:00+01:00"
                                                        << 168;
        QTest::newRow("Berlin week with the spring DST change")
            << "Europe/Berlin" << "week" << "2026-03-29T23:00:00+02:00" << "2026-03-23T00:00:00+01:00"
            << "2026-03-30T00:00:00+02:00" << 167;
        QTest::newRow("Tokyo month, last second of the year")
            << "Asia/Tokyo" << "month" << "2026-12-31T23:59:59+09:00" << "2026-12-01T00:00:00+09:00"
            << "2027-01-01T00:00:00+09:00" << 31 * 24;
        QTest::newRow("Tokyo month, new year") << "Asia/Tokyo" << "month" << "2027-01-01T00:00:00+09:00"
                                               << "2027-01-01T00:00:00+09:00" << "2027-02-01T00:00:00+09:00"
                                               << 31 * 24;
        QTest::newRow("UTC leap February") << "UTC" << "month" << "2028-02-29T12:00:00Z" << "2028-02-01T00:00:00Z"
                                           << "2028-03-01T00:00:00Z" << 29 * 24;
        QTest::newRow("Berlin March with the DST change")
            << "Europe/Berlin" << "month" << "2026-03-31T23:00:00+02:00" << "2026-03-01T00:00:00+01:00"
            << "2026-04-01T00:00:00+02:00" << 31 * 24 - 1;
    }

    void calendarPeriods()
    {
        QFETCH(QString, zone);
        QFETCH(QString, window);
        QFETCH(QString, at);
        QFETCH(QString, start);
        QFETCH(QString, end);
        QFETCH(int, hours);
        const QTimeZone tz = BudgetWindow::zone(zone);
        QVERIFY(zone == u"UTC" || tz.id() == zone.toUtf8());
        const auto w = BudgetWindow::parse(window);
        QVERIFY(w);
        const BudgetWindow::Period p = w->period(secs(at), tz);
        QCOMPARE(p.start, secs(start));
        QCOMPARE(p.end, secs(end));
        QCOMPARE(p.end - p.start, qint64(hours) * 3600);
        QCOMPARE(w->firstCounted(secs(at), tz), p.start);
        // The last second of the period is still in it; its end starts the next one.
        QCOMPARE(w->period(p.end - 1, tz).start, p.start);
        QCOMPARE(w->period(p.end, tz).start, p.end);
    }

    void rollingBuckets_data()
    {
        QTest::addColumn<QString>("window");
        QTest::addColumn<QString>("at");
        QTest::addColumn<QString>("bucket");
        QTest::addColumn<QString>("firstCounted");
        QTest::newRow("24h mid-hour") << "24h" << "2026-12-06T21:17:30Z" << "2026-12-06T21:00:00Z"
                                      << "2026-12-05T22:00:00Z";
        QTest::newRow("24h on the hour") << "24h" << "2026-12-06T21:00:00Z" << "2026-12-06T21:00:00Z"
                                         << "2026-12-05T22:00:00Z";
        QTest::newRow("1h counts its own bucket only") << "1h" << "2026-12-06T21:59:59Z" << "2026-12-06T21:00:00Z"
                                                       << "2026-12-06T21:00:00Z";
        QTest::newRow("5h across midnight") << "5h" << "2026-12-07T02:10:00Z" << "2026-12-07T02:00:00Z"
                                            << "2026-12-06T22:00:00Z";
        QTest::newRow("half-hour zone: buckets are UTC hours") << "3h" << "2026-12-06T21:17:00+05:30"
                                                               << "2026-12-06T15:00:00Z" << "2026-12-06T13:00:00Z";
    }

    void rollingBuckets()
    {
        QFETCH(QString, window);
        QFETCH(QString, at);
        QFETCH(QString, bucket);
        QFETCH(QString, firstCounted);
        const auto w = BudgetWindow::parse(window);
        QVERIFY(w && w->isRolling());
        // The zone does not matter to a rolling window.
        for (const QString &zone : {QStringLiteral("UTC"), QStringLiteral("Asia/Kolkata")}) {
            const BudgetWindow::Period p = w->period(secs(at), BudgetWindow::zone(zone));
            QCOMPARE(p.start, secs(bucket));
            QCOMPARE(p.end, secs(bucket) + 3600);
            QCOMPARE(w->firstCounted(secs(at), BudgetWindow::zone(zone)), secs(firstCounted));
        }
        // The oldest counted bucket leaves the window exactly when the window has moved N hours past it.
        QCOMPARE(w->bucketLeaves(secs(firstCounted)), secs(bucket) + 3600);
    }
};

QTEST_APPLESS_MAIN(TestBudgetWindow)
#include "tst_budgetwindow.moc"
