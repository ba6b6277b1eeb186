// The Pricing page's "Built-in tool calls" table (ToolPriceModel, the book's ToolCallPrice) over a real
// PricingService and AdminService (temp SQLite): a price edit is part of the page's draft — Apply (on the service's
// worker) puts it in force, Revert and undo restore it —, per-call amounts in US$ and quota, invalid prices and
// type names are refused with a reason, and export/import (both new-api shapes) keep ToolCallPrice.
#include "pricing/pricingmodel.h"
#include "pricing/pricingpage.h"
#include "pricing/toolpricemodel.h"

#include "billing/pricingservice.h"
#include "billing/quotamath.h"
#include "service/adminservice.h"
#include "tempdatabase.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QSignalSpy>
#include <QTableView>
#include <QTranslator>
#include <QUndoStack>
#include <QtTest>

using namespace RelayDesk;
using RelayDesk::Ui::PricingPage;
using RelayDesk::Ui::ToolPriceModel;

namespace {

const QString kWebSearch = QStringLiteral("web_search_call");

// Applies the page's draft and waits (bounded) until the page reports the outcome.
bool applied(PricingPage &page)
{
    QSignalSpy finished(&page, &PricingPage::applyFinished);
    if (!page.apply())
        return false;
    if (!page.isApplying() || !finished.wait(15000))
        return false;
    return finished.first().at(0).toBool();
}

QString priceInForce(const Billing::PricingService &svc, const QString &type)
{
    const auto &prices = svc.current()->toolCallPrices();
    const auto it = prices.constFind(type);
    return it == prices.cend() ? QString() : it->text();
}

QString priceShown(const ToolPriceModel &m, const QString &type)
{
    const int row = m.rowOf(type);
    return row < 0 ? QString() : m.index(row, ToolPriceModel::PricePerThousand).data(ToolPriceModel::RawRole).toString();
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

class TestToolPriceModel final : public QObject
{
    Q_OBJECT

private slots:
    void editApplyRevertAndUndo()
    {
        Fixture f;
        QVERIFY2(f.open(), qPrintable(f.tmp.error()));
        PricingPage page(f.admin.get(), f.svc.get());
        ToolPriceModel &tools = *page.toolModel();
        QAbstractItemModelTester tester(&tools, QAbstractItemModelTester::FailureReportingMode::QtTest);

        // The table shows the prices in force, one row per tool item type.
        QCOMPARE(tools.rowCount(), int(f.svc->current()->toolCallPrices().size()));
        QVERIFY(tools.rowCount() > 0);
        const QString before = priceInForce(*f.svc, kWebSearch);
        QVERIFY(!before.isEmpty());
        QCOMPARE(priceShown(tools, kWebSearch), before);

        // Edit: US$25 per 1,000 calls = US$0.025 and 12,500 quota per call.
        const int row = tools.rowOf(kWebSearch);
        QVERIFY(tools.flags(tools.index(row, ToolPriceModel::PricePerThousand)) & Qt::ItemIsEditable);
        QVERIFY(!(tools.flags(tools.index(row, ToolPriceModel::QuotaPerCall)) & Qt::ItemIsEditable));
        QVERIFY(tools.setData(tools.index(row, ToolPriceModel::PricePerThousand), QStringLiteral("25")));
        QVERIFY(page.hasUnappliedChanges());
        QCOMPARE(tools.index(row, ToolPriceModel::QuotaPerCall).data(ToolPriceModel::RawRole).toDouble(),
                 25.0 * double(Billing::QuotaMath::kQuotaPerUnit) / 1000.0);
        QCOMPARE(tools.index(row, ToolPriceModel::DollarsPerCall).data(ToolPriceModel::RawRole).toDouble(), 0.025);
        QCOMPARE(tools.index(row, ToolPriceModel::QuotaPerCall).data().toString(), QLocale().toString(12500));
        QCOMPARE(tools.index(row, ToolPriceModel::DollarsPerCall).data().toString(), QStringLiteral("$0.0250"));
        QCOMPARE(priceInForce(*f.svc, kWebSearch), before); // nothing changes before Apply

        // A new tool, then Apply: the book in force has both, and the relay's arithmetic prices them.
        QString error;
        QVERIFY2(tools.addEntry(QStringLiteral(" Image_Generation_Call "), QStringLiteral("40"), &error), qPrintable(error));
        QCOMPARE(priceShown(tools, QStringLiteral("image_generation_call")), QStringLiteral("40"));
        QVERIFY(applied(page));
        QVERIFY(!page.hasUnappliedChanges());
        QCOMPARE(priceInForce(*f.svc, kWebSearch), QStringLiteral("25"));
        QCOMPARE(priceInForce(*f.svc, QStringLiteral("image_generation_call")), QStringLiteral("40"));
        const auto pricing = f.svc->current()->pricing(QStringLiteral("gpt-4o-mini"), QStringLiteral("default"), QStringLiteral("default"));
        QVERIFY2(pricing, qPrintable(pricing.error()));
        QCOMPARE(Billing::QuotaMath::toolCalls(pricing.value(), {{kWebSearch, 2}}).quota, 25'000LL);

        // Undo of the applied edits, applied, restores the earlier book.
        page.undoStack()->setIndex(0);
        QCOMPARE(priceShown(tools, kWebSearch), before);
        QCOMPARE(tools.rowOf(QStringLiteral("image_generation_call")), -1);
        QVERIFY(applied(page));
        QCOMPARE(priceInForce(*f.svc, kWebSearch), before);
        QVERIFY(priceInForce(*f.svc, QStringLiteral("image_generation_call")).isEmpty());

        // Revert drops unapplied edits and shows the prices in force again.
        QVERIFY(tools.setData(tools.index(tools.rowOf(kWebSearch), ToolPriceModel::PricePerThousand), QStringLiteral("1")));
        tools.removeEntries({QStringLiteral("file_search_call")});
        QCOMPARE(tools.rowOf(QStringLiteral("file_search_call")), -1);
        QVERIFY(page.hasUnappliedChanges());
        page.revert();
        QVERIFY(!page.hasUnappliedChanges());
        QCOMPARE(priceShown(tools, kWebSearch), before);
        QCOMPARE(priceShown(tools, QStringLiteral("file_search_call")), priceInForce(*f.svc, QStringLiteral("file_search_call")));
        QVERIFY(tools.rowOf(QStringLiteral("file_search_call")) >= 0);
    }

    void invalidInputIsRefusedWithAMessage_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("negative") << QStringLiteral("-1");
        QTest::newRow("not a number") << QStringLiteral("ten");
        QTest::newRow("empty") << QString();
        QTest::newRow("infinite") << QStringLiteral("1e400");
        QTest::newRow("nan") << QStringLiteral("nan");
    }

    void invalidInputIsRefusedWithAMessage()
    {
        QFETCH(QString, text);
        Fixture f;
        QVERIFY2(f.open(), qPrintable(f.tmp.error()));
        PricingPage page(f.admin.get(), f.svc.get());
        ToolPriceModel &tools = *page.toolModel();
        const QString before = priceShown(tools, kWebSearch);
        QSignalSpy refused(&tools, &ToolPriceModel::editRefused);
        QVERIFY(!tools.setData(tools.index(tools.rowOf(kWebSearch), ToolPriceModel::PricePerThousand), text));
        QCOMPARE(refused.count(), 1);
        const QString reason = refused.first().at(1).toString();
        QVERIFY(!reason.isEmpty());
        QCOMPARE(tools.lastError(), reason);
        QCOMPARE(priceShown(tools, kWebSearch), before);
        QVERIFY(!page.hasUnappliedChanges());
        // The page says why.
        auto *message = page.findChild<QLabel *>(QStringLiteral("pricingMessage"));
        QVERIFY(message);
        QVERIFY2(message->text().contains(reason), qPrintable(message->text()));

        // The same price is refused for a new row, with the reason.
        QString error;
        QVERIFY(!tools.addEntry(QStringLiteral("new_tool_call"), text, &error));
        QVERIFY(!error.isEmpty());
        QCOMPARE(tools.rowOf(QStringLiteral("new_tool_call")), -1);
    }

    void typeNamesAreChecked()
    {
        Fixture f;
        QVERIFY2(f.open(), qPrintable(f.tmp.error()));
        PricingPage page(f.admin.get(), f.svc.get());
        ToolPriceModel &tools = *page.toolModel();
        QAbstractItemModelTester tester(&tools, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const int rows = tools.rowCount();
        QString error;
        QVERIFY(!tools.addEntry(QString(), QStringLiteral("1"), &error));          // no key
        QVERIFY(!error.isEmpty());
        QVERIFY(!tools.addEntry(QStringLiteral("   "), QStringLiteral("1"), &error));
        QVERIFY(!tools.addEntry(QStringLiteral("_comment"), QStringLiteral("1"), &error)); // the book would drop it
        QVERIFY(!tools.addEntry(QStringLiteral("web search"), QStringLiteral("1"), &error));
        QVERIFY(!tools.addEntry(QStringLiteral("WEB_SEARCH_CALL"), QStringLiteral("1"), &error)); // already there
        QCOMPARE(tools.rowCount(), rows);
        QVERIFY(!page.hasUnappliedChanges());
        QVERIFY(tools.addEntry(QStringLiteral("mcp_call"), QStringLiteral("0"), &error)); // free is a price
        QCOMPARE(tools.rowCount(), rows + 1);
        page.undoStack()->undo();
        QCOMPARE(tools.rowCount(), rows);
    }

    void headersAndReasonsAreTranslated()
    {
        QTranslator zh;
        QVERIFY(zh.load(QStringLiteral(":/i18n/relaydesk_zh_CN.qm")));
        QCoreApplication::installTranslator(&zh);
        ToolPriceModel tools(nullptr);
        const QString header = tools.headerData(ToolPriceModel::QuotaPerCall, Qt::Horizontal).toString();
        QString error;
        const bool added = tools.addEntry(QStringLiteral("web_search_call"), QStringLiteral("-1"), &error);
        QCoreApplication::removeTranslator(&zh);
        QCOMPARE(header, QString::fromUtf8("额度 / 次"));
        QVERIFY(!added);
        QCOMPARE(error, QString::fromUtf8("价格不能为负数。"));
    }

    void exportImportKeepToolCallPrice()
    {
        Fixture f;
        QVERIFY2(f.open(), qPrintable(f.tmp.error()));
        PricingPage page(f.admin.get(), f.svc.get());
        ToolPriceModel &tools = *page.toolModel();
        QVERIFY(tools.setData(tools.index(tools.rowOf(kWebSearch), ToolPriceModel::PricePerThousand), QStringLiteral("12.5")));
        QString error;
        QVERIFY(tools.addEntry(QStringLiteral("mcp_call"), QStringLiteral("0.75"), &error));

        // Export writes the draft's tool prices as the book's ToolCallPrice map.
        const QByteArray exported = page.exportJson();
        const QJsonObject json = QJsonDocument::fromJson(exported).object();
        const QJsonObject map = json.value(QStringLiteral("ToolCallPrice")).toObject();
        QCOMPARE(map.value(kWebSearch).toDouble(), 12.5);
        QCOMPARE(map.value(QStringLiteral("mcp_call")).toDouble(), 0.75);
        QCOMPARE(map.size(), tools.rowCount());

        // Back to the prices in force, then import the file: the draft has the exported tool prices again.
        page.revert();
        QVERIFY(tools.rowOf(QStringLiteral("mcp_call")) < 0);
        QVERIFY(page.importJson(exported));
        QCOMPARE(priceShown(tools, kWebSearch), QStringLiteral("12.5"));
        QCOMPARE(priceShown(tools, QStringLiteral("mcp_call")), QStringLiteral("0.75"));
        QCOMPARE(QJsonDocument::fromJson(page.exportJson()).object().value(QStringLiteral("ToolCallPrice")), json.value(QStringLiteral("ToolCallPrice")));
        QVERIFY(applied(page));
        QCOMPARE(priceInForce(*f.svc, QStringLiteral("mcp_call")), QStringLiteral("0.75"));
        QCOMPARE(priceInForce(*f.svc, kWebSearch), QStringLiteral("12.5"));

        // new-api's option list shape carries ToolCallPrice too (as a JSON string), and only that map changes.
        const int models = page.model()->rowCount();
        const QJsonObject list{{QStringLiteral("data"),
                                QJsonArray{QJsonObject{{QStringLiteral("key"), QStringLiteral("ToolCallPrice")},
                                                       {QStringLiteral("value"), QStringLiteral(R"({"web_search_call":7})")}}}}};
        QVERIFY(page.importJson(QJsonDocument(list).toJson()));
        QCOMPARE(tools.rowCount(), 1);
        QCOMPARE(priceShown(tools, kWebSearch), QStringLiteral("7"));
        QCOMPARE(page.model()->rowCount(), models);

        // A file with an invalid tool price is refused whole; the draft keeps its prices.
        QVERIFY(!page.importJson(R"({"ToolCallPrice":{"web_search_call":-3}})"));
        QCOMPARE(priceShown(tools, kWebSearch), QStringLiteral("7"));
    }
};

QTEST_MAIN(TestToolPriceModel)
#include "tst_toolpricemodel.moc"
