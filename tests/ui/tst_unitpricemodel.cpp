// The Pricing page's "Prices by unit" table for audio and text (UnitPriceModel: the book's MinutePrice and
// CharacterPrice) and the calculator's seconds / characters / images, over a real PricingService and AdminService
// (temp SQLite): an edit is part of the page's draft — Apply (on the service's worker) puts it in force, Revert and
// undo restore it —, quota per minute and per 1,000 characters, invalid prices and names refused with a reason,
// and export/import (both new-api shapes) keep both maps.
#include "pricing/pricingmodel.h"
#include "pricing/pricingpage.h"
#include "pricing/unitpricemodel.h"

#include "billing/pricingservice.h"
#include "billing/quotamath.h"
#include "service/adminservice.h"
#include "tempdatabase.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QSignalSpy>
#include <QTranslator>
#include <QUndoStack>
#include <QtTest>

using namespace RelayDesk;
using RelayDesk::Billing::UnitPriceMap;
using RelayDesk::Ui::PricingPage;
using RelayDesk::Ui::UnitPriceModel;

namespace {

const QString kWhisper = QStringLiteral("whisper-1");
const QString kTts = QStringLiteral("tts-1");

bool applied(PricingPage &page)
{
    QSignalSpy finished(&page, &PricingPage::applyFinished);
    if (!page.apply())
        return false;
    if (!page.isApplying() || !finished.wait(15000))
        return false;
    return finished.first().at(0).toBool();
}

QString inForce(const Billing::PricingService &svc, UnitPriceMap map, const QString &model)
{
    const auto l = svc.current()->lookup(map, model);
    return l.found() ? l.value.text() : QString();
}

QString shown(const UnitPriceModel &m, const QString &model, UnitPriceModel::Column column)
{
    const int row = m.rowOf(model);
    return row < 0 ? QStringLiteral("<none>") : m.index(row, column).data(UnitPriceModel::RawRole).toString();
}

struct Fixture
{
    Testing::TempDatabase tmp;
    std::unique_ptr<Billing::PricingService> svc;
    std::unique_ptr<Service::AdminService> admin;
    bool open()
    {
        if (!tmp.isValid())
            return false;
        svc = std::make_unique<Billing::PricingService>(tmp.db());
        if (!svc->load())
            return false;
        admin = std::make_unique<Service::AdminService>(tmp.shared(), Service::AdminService::Actor::Console);
        return true;
    }
};

} // namespace

class TestUnitPriceModel final : public QObject
{
    Q_OBJECT

private slots:
    void editApplyRevertAndUndo()
    {
        Fixture f;
        QVERIFY2(f.open(), qPrintable(f.tmp.error()));
        PricingPage page(f.admin.get(), f.svc.get());
        UnitPriceModel &units = *page.unitModel();
        QAbstractItemModelTester tester(&units, QAbstractItemModelTester::FailureReportingMode::QtTest);

        // The table shows the prices in force: one row per model with a minute or a character price.
        QCOMPARE(units.rowCount(), int(f.svc->current()->entries(UnitPriceMap::MinutePrice).size() +
                                       f.svc->current()->entries(UnitPriceMap::CharacterPrice).size()));
        QCOMPARE(shown(units, kWhisper, UnitPriceModel::PerMinute), inForce(*f.svc, UnitPriceMap::MinutePrice, kWhisper));
        QCOMPARE(shown(units, kWhisper, UnitPriceModel::PerMillionChars), QString());
        QCOMPARE(shown(units, kTts, UnitPriceModel::PerMillionChars), QStringLiteral("15"));
        // tts-1: US$15 per 1M characters = 7,500 quota per 1,000 characters; whisper-1 US$0.006 = 3,000 quota a minute.
        QCOMPARE(units.index(units.rowOf(kTts), UnitPriceModel::QuotaPerThousandChars).data(UnitPriceModel::RawRole).toDouble(), 7500.0);
        QCOMPARE(units.index(units.rowOf(kWhisper), UnitPriceModel::QuotaPerMinute).data(UnitPriceModel::RawRole).toDouble(), 3000.0);
        QCOMPARE(units.index(units.rowOf(kWhisper), UnitPriceModel::QuotaPerMinute).data().toString(), QLocale().toString(3000));

        // Edit whisper-1 to US$0.01 a minute (5,000 quota), give it a character price too, add a model.
        const int row = units.rowOf(kWhisper);
        QVERIFY(units.flags(units.index(row, UnitPriceModel::PerMinute)) & Qt::ItemIsEditable);
        QVERIFY(!(units.flags(units.index(row, UnitPriceModel::QuotaPerMinute)) & Qt::ItemIsEditable));
        QVERIFY(!(units.flags(units.index(row, UnitPriceModel::Model)) & Qt::ItemIsEditable));
        QVERIFY(units.setData(units.index(row, UnitPriceModel::PerMinute), QStringLiteral(" 0.010 ")));
        QCOMPARE(shown(units, kWhisper, UnitPriceModel::PerMinute), QStringLiteral("0.010")); // as typed until Apply
        QCOMPARE(units.index(row, UnitPriceModel::QuotaPerMinute).data(UnitPriceModel::RawRole).toDouble(), 5000.0);
        QVERIFY(units.setData(units.index(row, UnitPriceModel::PerMillionChars), QStringLiteral("1")));
        QString error;
        QVERIFY2(units.addEntry(QStringLiteral(" my-tts* "), QString(), QStringLiteral("20"), &error), qPrintable(error));
        QVERIFY(page.hasUnappliedChanges());
        QCOMPARE(inForce(*f.svc, UnitPriceMap::MinutePrice, kWhisper), QStringLiteral("0.006")); // nothing before Apply

        QVERIFY(applied(page));
        QVERIFY(!page.hasUnappliedChanges());
        QCOMPARE(inForce(*f.svc, UnitPriceMap::MinutePrice, kWhisper), QStringLiteral("0.01"));
        QCOMPARE(shown(units, kWhisper, UnitPriceModel::PerMinute), QStringLiteral("0.01")); // the book's form
        QCOMPARE(inForce(*f.svc, UnitPriceMap::CharacterPrice, kWhisper), QStringLiteral("1"));
        QCOMPARE(inForce(*f.svc, UnitPriceMap::CharacterPrice, QStringLiteral("my-tts-2")), QStringLiteral("20"));
        // The relay's arithmetic: 90.5 s at US$0.01 a minute = US$0.015083… = 7,541.67 → 7,542 quota.
        const auto pricing = f.svc->current()->pricing(kWhisper, QStringLiteral("default"), QStringLiteral("default"));
        QVERIFY2(pricing, qPrintable(pricing.error()));
        Billing::Units audio;
        audio.audioMs = 90500;
        QCOMPARE(Billing::QuotaMath::settle(pricing.value(), {}, {}, audio).quota, 7542LL);

        // Undo of the applied edits, applied, restores the earlier book.
        page.undoStack()->setIndex(0);
        QCOMPARE(shown(units, kWhisper, UnitPriceModel::PerMinute), QStringLiteral("0.006"));
        QCOMPARE(shown(units, QStringLiteral("my-tts*"), UnitPriceModel::PerMinute), QStringLiteral("<none>"));
        QVERIFY(applied(page));
        QCOMPARE(inForce(*f.svc, UnitPriceMap::MinutePrice, kWhisper), QStringLiteral("0.006"));
        QVERIFY(inForce(*f.svc, UnitPriceMap::CharacterPrice, kWhisper).isEmpty());
        QVERIFY(inForce(*f.svc, UnitPriceMap::CharacterPrice, QStringLiteral("my-tts-2")).isEmpty());

        // Clearing one of two prices is allowed; Revert drops unapplied edits and removals.
        QVERIFY(units.addEntry(QStringLiteral("both"), QStringLiteral("1"), QStringLiteral("2")));
        QVERIFY(units.setData(units.index(units.rowOf(QStringLiteral("both")), UnitPriceModel::PerMinute), QString()));
        QCOMPARE(shown(units, QStringLiteral("both"), UnitPriceModel::PerMinute), QString());
        units.removeEntries({kTts});
        QCOMPARE(units.rowOf(kTts), -1);
        page.revert();
        QVERIFY(!page.hasUnappliedChanges());
        QCOMPARE(units.rowOf(QStringLiteral("both")), -1);
        QCOMPARE(shown(units, kTts, UnitPriceModel::PerMillionChars), QStringLiteral("15"));
    }

    void invalidInputIsRefusedWithAMessage_data()
    {
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("text");
        QTest::newRow("negative minute") << int(UnitPriceModel::PerMinute) << QStringLiteral("-0.006");
        QTest::newRow("minute not a number") << int(UnitPriceModel::PerMinute) << QStringLiteral("six");
        QTest::newRow("infinite characters") << int(UnitPriceModel::PerMillionChars) << QStringLiteral("1e400");
        QTest::newRow("nan characters") << int(UnitPriceModel::PerMillionChars) << QStringLiteral("nan");
        QTest::newRow("clearing the only price") << int(UnitPriceModel::PerMinute) << QString();
    }

    void invalidInputIsRefusedWithAMessage()
    {
        QFETCH(int, column);
        QFETCH(QString, text);
        Fixture f;
        QVERIFY2(f.open(), qPrintable(f.tmp.error()));
        PricingPage page(f.admin.get(), f.svc.get());
        UnitPriceModel &units = *page.unitModel();
        const QString before = shown(units, kWhisper, UnitPriceModel::PerMinute);
        QSignalSpy refused(&units, &UnitPriceModel::editRefused);
        QVERIFY(!units.setData(units.index(units.rowOf(kWhisper), column), text));
        QCOMPARE(refused.count(), 1);
        const QString reason = refused.first().at(1).toString();
        QVERIFY(!reason.isEmpty());
        QCOMPARE(units.lastError(), reason);
        QCOMPARE(shown(units, kWhisper, UnitPriceModel::PerMinute), before);
        QVERIFY(!page.hasUnappliedChanges());
        auto *message = page.findChild<QLabel *>(QStringLiteral("pricingMessage"));
        QVERIFY(message);
        QVERIFY2(message->text().contains(reason), qPrintable(message->text()));

        // The same price is refused for a new row, with a reason.
        QString error;
        QVERIFY(!units.addEntry(QStringLiteral("new-model"), column == UnitPriceModel::PerMinute ? text : QString(),
                                column == UnitPriceModel::PerMillionChars ? text : QString(), &error));
        QVERIFY(!error.isEmpty());
        QCOMPARE(units.rowOf(QStringLiteral("new-model")), -1);
    }

    void namesAreChecked()
    {
        Fixture f;
        QVERIFY2(f.open(), qPrintable(f.tmp.error()));
        PricingPage page(f.admin.get(), f.svc.get());
        UnitPriceModel &units = *page.unitModel();
        QAbstractItemModelTester tester(&units, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const int rows = units.rowCount();
        QString error;
        QVERIFY(!units.addEntry(QString(), QStringLiteral("1"), QString(), &error));
        QVERIFY(!error.isEmpty());
        QVERIFY(!units.addEntry(QStringLiteral("_comment"), QStringLiteral("1"), QString(), &error)); // the book would drop it
        QVERIFY(!units.addEntry(QStringLiteral("my model"), QStringLiteral("1"), QString(), &error));
        QVERIFY(!units.addEntry(QStringLiteral("WHISPER-1"), QStringLiteral("1"), QString(), &error)); // already there
        QVERIFY(!units.addEntry(QStringLiteral("no-price"), QString(), QStringLiteral("  "), &error));
        QCOMPARE(units.rowCount(), rows);
        QVERIFY(!page.hasUnappliedChanges());
        QVERIFY(units.addEntry(QStringLiteral("free-stt"), QStringLiteral("0"), QString(), &error)); // free is a price
        QCOMPARE(units.rowCount(), rows + 1);
        page.undoStack()->undo();
        QCOMPARE(units.rowCount(), rows);
    }

    void headersAndReasonsAreTranslated()
    {
        QTranslator zh;
        QVERIFY(zh.load(QStringLiteral(":/i18n/relaydesk_zh_CN.qm")));
        QCoreApplication::installTranslator(&zh);
        UnitPriceModel units(nullptr);
        const QString header = units.headerData(UnitPriceModel::PerMinute, Qt::Horizontal).toString();
        QString error;
        const bool added = units.addEntry(QStringLiteral("m"), QString(), QString(), &error);
        QCoreApplication::removeTranslator(&zh);
        QCOMPARE(header, QString::fromUtf8("美元 / 分钟"));
        QVERIFY(!added);
        QCOMPARE(error, QString::fromUtf8("请输入每分钟价格、每 100 万字符价格，或两者。"));
    }

    void exportImportKeepUnitPrices()
    {
        Fixture f;
        QVERIFY2(f.open(), qPrintable(f.tmp.error()));
        PricingPage page(f.admin.get(), f.svc.get());
        UnitPriceModel &units = *page.unitModel();
        QVERIFY(units.setData(units.index(units.rowOf(kTts), UnitPriceModel::PerMillionChars), QStringLiteral("16.5")));
        QVERIFY(units.addEntry(QStringLiteral("my-stt"), QStringLiteral("0.003"), QString()));

        const QJsonObject json = QJsonDocument::fromJson(page.exportJson()).object();
        QCOMPARE(json.value(QStringLiteral("CharacterPrice")).toObject().value(kTts).toDouble(), 16.5);
        QCOMPARE(json.value(QStringLiteral("MinutePrice")).toObject().value(QStringLiteral("my-stt")).toDouble(), 0.003);
        QCOMPARE(json.value(QStringLiteral("MinutePrice")).toObject().value(kWhisper).toDouble(), 0.006);

        page.revert();
        QCOMPARE(units.rowOf(QStringLiteral("my-stt")), -1);
        QVERIFY(page.importJson(QJsonDocument(json).toJson()));
        QCOMPARE(shown(units, kTts, UnitPriceModel::PerMillionChars), QStringLiteral("16.5"));
        QCOMPARE(shown(units, QStringLiteral("my-stt"), UnitPriceModel::PerMinute), QStringLiteral("0.003"));
        QVERIFY(applied(page));
        QCOMPARE(inForce(*f.svc, UnitPriceMap::MinutePrice, QStringLiteral("my-stt")), QStringLiteral("0.003"));

        // new-api's option list shape (values as JSON strings): only the named map changes.
        const int models = page.model()->rowCount();
        const QJsonObject list{{QStringLiteral("data"),
                                QJsonArray{QJsonObject{{QStringLiteral("key"), QStringLiteral("MinutePrice")},
                                                       {QStringLiteral("value"), QStringLiteral("{\"whisper-1\":0.007}")}}}}};
        QVERIFY(page.importJson(QJsonDocument(list).toJson()));
        QCOMPARE(shown(units, kWhisper, UnitPriceModel::PerMinute), QStringLiteral("0.007"));
        QCOMPARE(units.rowOf(QStringLiteral("my-stt")), -1); // map replaced: no price left, no row
        QCOMPARE(shown(units, kTts, UnitPriceModel::PerMillionChars), QStringLiteral("16.5"));   // other map kept
        QCOMPARE(page.model()->rowCount(), models);

        // A file with an invalid price is refused whole; the draft keeps its prices.
        QVERIFY(!page.importJson("{\"CharacterPrice\":{\"tts-1\":-1}}"));
        QCOMPARE(shown(units, kTts, UnitPriceModel::PerMillionChars), QStringLiteral("16.5"));
    }

    void calculatorPricesUnits_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<qint64>("audioMs");
        QTest::addColumn<qint64>("characters");
        QTest::addColumn<qint64>("images");
        QTest::addColumn<QString>("size");
        QTest::addColumn<QString>("quality");
        QTest::addColumn<qint64>("quota");
        QTest::addColumn<QString>("note"); // part of the detail line, "" = none expected
        QTest::newRow("whisper-1 90.5 s") << kWhisper << qint64(90500) << qint64(0) << qint64(0) << "" << "" << qint64(4525) << "";
        QTest::newRow("tts-1 1000 chars") << kTts << qint64(0) << qint64(1000) << qint64(0) << "" << "" << qint64(7500) << "";
        QTest::newRow("dall-e-3 2 x 1024x1792 hd") << "dall-e-3" << qint64(0) << qint64(0) << qint64(2) << "1024x1792" << "HD"
                                                   << qint64(120000) << "";
        QTest::newRow("dall-e-2 default") << "dall-e-2" << qint64(0) << qint64(0) << qint64(1) << "" << "" << qint64(10000) << "";
        QTest::newRow("whisper-1 characters unpriced") << kWhisper << qint64(60000) << qint64(500) << qint64(0) << "" << ""
                                                       << qint64(3000) << "No price for characters";
    }

    void calculatorPricesUnits()
    {
        QFETCH(QString, model);
        QFETCH(qint64, audioMs);
        QFETCH(qint64, characters);
        QFETCH(qint64, images);
        QFETCH(QString, size);
        QFETCH(QString, quality);
        QFETCH(qint64, quota);
        QFETCH(QString, note);
        Fixture f;
        QVERIFY2(f.open(), qPrintable(f.tmp.error()));
        PricingPage page(f.admin.get(), f.svc.get());
        page.setCalculatorInput(model, QStringLiteral("default"), {});
        Billing::Units units;
        units.audioMs = audioMs;
        units.characters = characters;
        units.images = images;
        units.imageSize = size;
        units.imageQuality = quality;
        page.setCalculatorUnits(units);
        Billing::Units expected = units;
        expected.imageQuality = quality.toLower();
        QCOMPARE(page.calculatorUnits(), expected);
        const auto quote = page.calculatorQuote();
        QVERIFY2(quote, qPrintable(quote.error()));
        QCOMPARE(quote.value(), quota);
        // The same as the relay's arithmetic on the prices in force.
        const auto pricing = f.svc->current()->pricing(model, QStringLiteral("default"), QStringLiteral("default"));
        QVERIFY(pricing);
        QCOMPARE(Billing::QuotaMath::settle(pricing.value(), {}, {}, units).quota, quota);
        const QLabel *result = page.findChild<QLabel *>(QStringLiteral("calcResult"));
        QVERIFY(result && result->text().contains(QLocale().toString(quota)));
        bool noted = false;
        for (const QLabel *label : page.findChildren<QLabel *>())
            noted = noted || (!note.isEmpty() && label->text().contains(note));
        QCOMPARE(noted, !note.isEmpty());
    }
};

QTEST_MAIN(TestUnitPriceModel)
#include "tst_unitpricemodel.moc"
