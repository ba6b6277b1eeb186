// The Pricing page's image price table (ImagePriceModel: the book's ImagePrice, per model, size and quality) over a
// real PricingService and AdminService (temp SQLite): an edit is part of the page's draft — Apply (on the service's
// worker) puts it in force, Revert and undo restore it —, the quota per image, sizes / qualities / prices refused
// with a reason, and export/import (both new-api shapes) keep ImagePrice.
#include "pricing/imagepricemodel.h"
#include "pricing/pricingmodel.h"
#include "pricing/pricingpage.h"

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
using RelayDesk::Ui::ImagePriceModel;
using RelayDesk::Ui::PricingPage;

namespace {

const QString kDalle3 = QStringLiteral("dall-e-3");

bool applied(PricingPage &page)
{
    QSignalSpy finished(&page, &PricingPage::applyFinished);
    if (!page.apply())
        return false;
    if (!page.isApplying() || !finished.wait(15000))
        return false;
    return finished.first().at(0).toBool();
}

QString inForce(const Billing::PricingService &svc, const QString &model, const QString &key)
{
    const auto prices = svc.current()->imagePrices(model).prices;
    const auto it = prices.constFind(key);
    return it == prices.cend() ? QString() : it->text();
}

QString shown(const ImagePriceModel &m, const QString &model, const QString &key)
{
    const int row = m.rowOf({model, key});
    return row < 0 ? QString() : m.index(row, ImagePriceModel::PerImage).data(ImagePriceModel::RawRole).toString();
}

int priceCount(const Billing::PricingService &svc)
{
    int n = 0;
    for (const auto &[model, prices] : svc.current()->imagePriceEntries())
        n += int(prices.size());
    return n;
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

class TestImagePriceModel final : public QObject
{
    Q_OBJECT

private slots:
    void editApplyRevertAndUndo()
    {
        Fixture f;
        QVERIFY2(f.open(), qPrintable(f.tmp.error()));
        PricingPage page(f.admin.get(), f.svc.get());
        ImagePriceModel &images = *page.imageModel();
        QAbstractItemModelTester tester(&images, QAbstractItemModelTester::FailureReportingMode::QtTest);

        // One row per model, size and quality of the prices in force; "any" for the size or default keys.
        QCOMPARE(images.rowCount(), priceCount(*f.svc));
        QVERIFY(images.rowCount() > 0);
        QCOMPARE(shown(images, kDalle3, QStringLiteral("1024x1792|hd")), QStringLiteral("0.12"));
        const int hd = images.rowOf({kDalle3, QStringLiteral("1024x1792|hd")});
        QCOMPARE(images.index(hd, ImagePriceModel::Size).data().toString(), QStringLiteral("1024x1792"));
        QCOMPARE(images.index(hd, ImagePriceModel::Quality).data().toString(), QStringLiteral("hd"));
        QCOMPARE(images.index(hd, ImagePriceModel::QuotaPerImage).data(ImagePriceModel::RawRole).toDouble(), 60000.0);
        QCOMPARE(images.index(hd, ImagePriceModel::QuotaPerImage).data().toString(), QLocale().toString(60000));
        const int fallback = images.rowOf({kDalle3, QStringLiteral("default")});
        QVERIFY(fallback >= 0);
        QCOMPARE(images.index(fallback, ImagePriceModel::Size).data().toString(), QStringLiteral("any"));
        QCOMPARE(images.index(fallback, ImagePriceModel::Size).data(ImagePriceModel::RawRole).toString(), QString());
        QCOMPARE(images.index(fallback, ImagePriceModel::Model).data(ImagePriceModel::KeyRole).toString(), QStringLiteral("default"));

        // Edit the hd price, add a model's low-quality price (normalised), nothing in force before Apply.
        QVERIFY(images.flags(images.index(hd, ImagePriceModel::PerImage)) & Qt::ItemIsEditable);
        QVERIFY(!(images.flags(images.index(hd, ImagePriceModel::Size)) & Qt::ItemIsEditable));
        QVERIFY(images.setData(images.index(hd, ImagePriceModel::PerImage), QStringLiteral("0.125")));
        QString error;
        QVERIFY2(images.addEntry(QStringLiteral("my-image"), QStringLiteral(" 512X512 "), QStringLiteral("Low"),
                                 QStringLiteral("0.01"), &error), qPrintable(error));
        QCOMPARE(shown(images, QStringLiteral("my-image"), QStringLiteral("512x512|low")), QStringLiteral("0.01"));
        QVERIFY(images.addEntry(QStringLiteral("my-image"), QString(), QString(), QStringLiteral("0.02"), &error));
        QVERIFY(page.hasUnappliedChanges());
        QCOMPARE(inForce(*f.svc, kDalle3, QStringLiteral("1024x1792|hd")), QStringLiteral("0.12"));

        QVERIFY(applied(page));
        QVERIFY(!page.hasUnappliedChanges());
        QCOMPARE(inForce(*f.svc, kDalle3, QStringLiteral("1024x1792|hd")), QStringLiteral("0.125"));
        QCOMPARE(inForce(*f.svc, QStringLiteral("my-image"), QStringLiteral("512x512|low")), QStringLiteral("0.01"));
        // The relay's arithmetic with the prices in force: 2 × US$0.125 = 125,000 quota; an unknown size → default.
        const auto dalle = f.svc->current()->pricing(kDalle3, QStringLiteral("default"), QStringLiteral("default"));
        QVERIFY(dalle);
        Billing::Units two;
        two.images = 2;
        two.imageSize = QStringLiteral("1024x1792");
        two.imageQuality = QStringLiteral("hd");
        QCOMPARE(Billing::QuotaMath::settle(dalle.value(), {}, {}, two).quota, 125000LL);
        const auto mine = f.svc->current()->pricing(QStringLiteral("my-image"), QStringLiteral("default"), QStringLiteral("default"));
        QVERIFY2(mine, qPrintable(mine.error())); // priced by the image only
        two.imageSize = QStringLiteral("2048x2048");
        QCOMPARE(Billing::QuotaMath::settle(mine.value(), {}, {}, two).quota, 20000LL);

        // Undo of the applied edits, applied, restores the earlier book.
        page.undoStack()->setIndex(0);
        QCOMPARE(shown(images, kDalle3, QStringLiteral("1024x1792|hd")), QStringLiteral("0.12"));
        QCOMPARE(images.rowOf({QStringLiteral("my-image"), QStringLiteral("default")}), -1);
        QVERIFY(applied(page));
        QCOMPARE(inForce(*f.svc, kDalle3, QStringLiteral("1024x1792|hd")), QStringLiteral("0.12"));
        QVERIFY(!f.svc->current()->imagePrices(QStringLiteral("my-image")).found());

        // Revert drops unapplied edits and removals.
        images.removeEntries({{kDalle3, QStringLiteral("1024x1792|hd")}, {kDalle3, QStringLiteral("default")}});
        QCOMPARE(images.rowOf({kDalle3, QStringLiteral("default")}), -1);
        QCOMPARE(images.rowCount(), priceCount(*f.svc) - 2);
        QVERIFY(page.hasUnappliedChanges());
        page.revert();
        QVERIFY(!page.hasUnappliedChanges());
        QCOMPARE(images.rowCount(), priceCount(*f.svc));
        QCOMPARE(shown(images, kDalle3, QStringLiteral("default")), QStringLiteral("0.04"));
    }

    void badEntriesAreRefused_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("size");
        QTest::addColumn<QString>("quality");
        QTest::addColumn<QString>("price");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("no model") << "" << "1024x1024" << "" << "0.1" << "model name";
        QTest::newRow("bad model") << "my model" << "1024x1024" << "" << "0.1" << "not a model name";
        QTest::newRow("size not WxH") << "m" << "1024" << "" << "0.1" << "WIDTHxHEIGHT";
        QTest::newRow("size a word") << "m" << "large" << "hd" << "0.1" << "WIDTHxHEIGHT";
        QTest::newRow("quality without size") << "m" << "" << "hd" << "0.1" << "needs a size";
        QTest::newRow("quality not a word") << "m" << "1024x1024" << "h d" << "0.1" << "lower-case word";
        QTest::newRow("duplicate (case)") << "DALL-E-3" << "1024x1024" << "HD" << "0.1" << "already has a price";
        QTest::newRow("negative price") << "m" << "1024x1024" << "" << "-1" << "negative";
        QTest::newRow("no price") << "m" << "1024x1024" << "" << "" << "Enter a price";
        QTest::newRow("price not a number") << "m" << "1024x1024" << "" << "free" << "not a number";
    }

    void badEntriesAreRefused()
    {
        QFETCH(QString, model);
        QFETCH(QString, size);
        QFETCH(QString, quality);
        QFETCH(QString, price);
        QFETCH(QString, mentions);
        Fixture f;
        QVERIFY2(f.open(), qPrintable(f.tmp.error()));
        PricingPage page(f.admin.get(), f.svc.get());
        ImagePriceModel &images = *page.imageModel();
        const int rows = images.rowCount();
        QString error;
        QVERIFY(!images.addEntry(model, size, quality, price, &error));
        QVERIFY2(error.contains(mentions), qPrintable(error));
        QCOMPARE(images.lastError(), error);
        QCOMPARE(images.rowCount(), rows);
        QVERIFY(!page.hasUnappliedChanges());
    }

    void badPriceEditIsRefusedWithAMessage_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("negative") << QStringLiteral("-0.04");
        QTest::newRow("empty") << QString();
        QTest::newRow("infinite") << QStringLiteral("1e400");
    }

    void badPriceEditIsRefusedWithAMessage()
    {
        QFETCH(QString, text);
        Fixture f;
        QVERIFY2(f.open(), qPrintable(f.tmp.error()));
        PricingPage page(f.admin.get(), f.svc.get());
        ImagePriceModel &images = *page.imageModel();
        QSignalSpy refused(&images, &ImagePriceModel::editRefused);
        QVERIFY(!images.setData(images.index(images.rowOf({kDalle3, QStringLiteral("default")}), ImagePriceModel::PerImage), text));
        QCOMPARE(refused.count(), 1);
        const QString reason = refused.first().at(1).toString();
        QVERIFY(!reason.isEmpty());
        QCOMPARE(shown(images, kDalle3, QStringLiteral("default")), QStringLiteral("0.04"));
        QVERIFY(!page.hasUnappliedChanges());
        auto *message = page.findChild<QLabel *>(QStringLiteral("pricingMessage"));
        QVERIFY(message);
        QVERIFY2(message->text().contains(reason), qPrintable(message->text()));
    }

    void headersAreTranslated()
    {
        QTranslator zh;
        QVERIFY(zh.load(QStringLiteral(":/i18n/relaydesk_zh_CN.qm")));
        QCoreApplication::installTranslator(&zh);
        ImagePriceModel images(nullptr);
        const QString header = images.headerData(ImagePriceModel::QuotaPerImage, Qt::Horizontal).toString();
        QCoreApplication::removeTranslator(&zh);
        QCOMPARE(header, QString::fromUtf8("额度 / 张"));
    }

    void exportImportKeepImagePrice()
    {
        Fixture f;
        QVERIFY2(f.open(), qPrintable(f.tmp.error()));
        PricingPage page(f.admin.get(), f.svc.get());
        ImagePriceModel &images = *page.imageModel();
        QVERIFY(images.addEntry(QStringLiteral("my-image*"), QStringLiteral("256x256"), QString(), QStringLiteral("0.005")));

        const QJsonObject json = QJsonDocument::fromJson(page.exportJson()).object();
        const QJsonObject map = json.value(QStringLiteral("ImagePrice")).toObject();
        QCOMPARE(map.value(QStringLiteral("my-image*")).toObject(), (QJsonObject{{QStringLiteral("256x256"), 0.005}}));
        QCOMPARE(map.value(kDalle3).toObject().value(QStringLiteral("1024x1792|hd")).toDouble(), 0.12);

        page.revert();
        QVERIFY(page.importJson(QJsonDocument(json).toJson()));
        QCOMPARE(shown(images, QStringLiteral("my-image*"), QStringLiteral("256x256")), QStringLiteral("0.005"));
        QVERIFY(applied(page));
        QCOMPARE(inForce(*f.svc, QStringLiteral("my-image-2"), QStringLiteral("256x256")), QStringLiteral("0.005"));

        // new-api's option list shape (the value a JSON string): only ImagePrice changes.
        const int models = page.model()->rowCount();
        const QJsonObject list{{QStringLiteral("data"),
                                QJsonArray{QJsonObject{{QStringLiteral("key"), QStringLiteral("ImagePrice")},
                                                       {QStringLiteral("value"), QStringLiteral("{\"dall-e-2\":{\"default\":0.03}}")}}}}};
        QVERIFY(page.importJson(QJsonDocument(list).toJson()));
        QCOMPARE(images.rowCount(), 1);
        QCOMPARE(shown(images, QStringLiteral("dall-e-2"), QStringLiteral("default")), QStringLiteral("0.03"));
        QCOMPARE(page.model()->rowCount(), models);

        // An invalid key is refused whole, with the map and key named; the draft keeps its prices.
        const auto refused = page.importJson("{\"ImagePrice\":{\"dall-e-2\":{\"big\":1}}}");
        QVERIFY(!refused);
        QVERIFY2(refused.error().contains(QStringLiteral("ImagePrice[\"dall-e-2\"][\"big\"]")), qPrintable(refused.error()));
        QCOMPARE(images.rowCount(), 1);
    }
};

QTEST_MAIN(TestImagePriceModel)
#include "tst_imagepricemodel.moc"
