// Pricing editor over a real PricingService and AdminService (temp SQLite): edits go through undo, Apply
// (on the service's worker, audited) changes the next quote, undo + Apply restores it, invalid input is
// refused with a reason, derived $/1M columns write ratios, import/export round-trip, group ratios.
#include "pricing/pricingmodel.h"
#include "pricing/pricingpage.h"

#include "billing/pricingservice.h"
#include "billing/quotamath.h"
#include "service/adminservice.h"
#include "tempdatabase.h"

#include <QAbstractItemModelTester>
#include <QJsonDocument>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QUndoStack>
#include <QtTest>

using namespace RelayDesk;
using RelayDesk::Ui::GroupRatioModel;
using RelayDesk::Ui::PricingModel;
using RelayDesk::Ui::PricingPage;

namespace {

Billing::Usage sampleUsage()
{
    Billing::Usage u;
    u.inputText = 1000;
    u.outputText = 500;
    return u;
}

qint64 quoteNow(const Billing::PricingService &svc, const QString &model, const QString &group = QStringLiteral("default"))
{
    const auto pricing = svc.current()->pricing(model, group, group);
    return pricing ? Billing::QuotaMath::settle(pricing.value(), sampleUsage()).quota : -1;
}

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

QModelIndex cellOf(const PricingModel &m, const QString &model, int column)
{
    return m.index(m.rowOf(model), column);
}

} // namespace

class TestPricingModel final : public QObject
{
    Q_OBJECT

private slots:
    void editApplyChangesTheNextQuoteAndUndoRestoresIt()
    {
        Testing::TempDatabase tmp;
        QVERIFY2(tmp.isValid(), qPrintable(tmp.error()));
        Billing::PricingService svc(tmp.db());
        QVERIFY(svc.load());
        Service::AdminService admin(tmp.shared(), Service::AdminService::Actor::Console);
        PricingPage page(&admin, &svc);
        PricingModel &model = *page.model();
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(model.rowOf(QStringLiteral("gpt-4o-mini")) >= 0);

        const qint64 before = quoteNow(svc, QStringLiteral("gpt-4o-mini"));
        QVERIFY(before > 0);
        const QString cr = cellOf(model, QStringLiteral("gpt-4o-mini"), PricingModel::CompletionRatio).data(PricingModel::RawRole).toString();
        const double completionRatio = cr.isEmpty() ? 1.0 : cr.toDouble();

        QVERIFY(model.setData(cellOf(model, QStringLiteral("gpt-4o-mini"), PricingModel::ModelRatio), QStringLiteral("2")));
        QVERIFY(page.hasUnappliedChanges());
        QCOMPARE(quoteNow(svc, QStringLiteral("gpt-4o-mini")), before); // nothing changes before Apply
        QVERIFY(applied(page));
        QVERIFY(!page.hasUnappliedChanges());
        const qint64 after = quoteNow(svc, QStringLiteral("gpt-4o-mini"));
        QCOMPARE(after, qint64(std::llround(2.0 * (1000 + 500 * completionRatio))));
        QVERIFY(after != before);
        QCOMPARE(page.calculatorQuote().ok(), true);

        page.undoStack()->undo();
        QCOMPARE(cellOf(model, QStringLiteral("gpt-4o-mini"), PricingModel::ModelRatio).data(PricingModel::RawRole).toString() == QStringLiteral("2"), false);
        QVERIFY(page.hasUnappliedChanges());
        QVERIFY(applied(page));
        QCOMPARE(quoteNow(svc, QStringLiteral("gpt-4o-mini")), before);
        page.undoStack()->redo();
        QVERIFY(applied(page));
        QCOMPARE(quoteNow(svc, QStringLiteral("gpt-4o-mini")), after);
    }

    void editingThroughTheTableView()
    {
        Testing::TempDatabase tmp;
        QVERIFY(tmp.isValid());
        Billing::PricingService svc(tmp.db());
        QVERIFY(svc.load());
        Service::AdminService admin(tmp.shared(), Service::AdminService::Actor::Console);
        PricingPage page(&admin, &svc);
        page.resize(1200, 800);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTableView *view = page.table();
        auto *proxy = qobject_cast<QSortFilterProxyModel *>(view->model());
        const QModelIndex source = cellOf(*page.model(), QStringLiteral("gpt-4o"), PricingModel::ModelRatio);
        const QModelIndex shown = proxy->mapFromSource(source);
        view->scrollTo(shown);
        view->setCurrentIndex(shown);
        view->edit(shown);
        auto *editor = view->viewport()->findChild<QLineEdit *>();
        QVERIFY(editor);
        editor->selectAll();
        QTest::keyClicks(editor, QStringLiteral("0.5"));
        QTest::keyClick(editor, Qt::Key_Return);
        QTRY_COMPARE(source.data(PricingModel::RawRole).toString(), QStringLiteral("0.5"));
        QCOMPARE(page.undoStack()->count(), 1);
        QVERIFY(applied(page));
        const auto pricing = svc.current()->pricing(QStringLiteral("gpt-4o"), QStringLiteral("default"), QStringLiteral("default"));
        QVERIFY(pricing);
        QCOMPARE(pricing->modelRatio.text(), QStringLiteral("0.5"));
    }

    void derivedPriceColumnsWriteRatios()
    {
        QUndoStack undo;
        PricingModel model(&undo);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(model.addModel(QStringLiteral("my-model")));
        QCOMPARE(model.rowCount(), 1);
        QVERIFY(model.setData(model.index(0, PricingModel::InputPrice), QStringLiteral("$3")));
        QCOMPARE(model.index(0, PricingModel::ModelRatio).data(PricingModel::RawRole).toString(), QStringLiteral("1.5"));
        QVERIFY(model.setData(model.index(0, PricingModel::OutputPrice), QStringLiteral("12")));
        QCOMPARE(model.index(0, PricingModel::CompletionRatio).data(PricingModel::RawRole).toString(), QStringLiteral("4"));
        QVERIFY(model.index(0, PricingModel::CompletionRatio).data().toString().contains(QStringLiteral("$12.00/1M")));
        QVERIFY(model.index(0, PricingModel::CompletionRatio).data(Qt::ToolTipRole).toString().contains(QStringLiteral("$12.00 per 1M")));
        // Editing a ratio moves the derived price.
        QVERIFY(model.setData(model.index(0, PricingModel::ModelRatio), QStringLiteral("0.25")));
        QCOMPARE(model.index(0, PricingModel::InputPrice).data(PricingModel::RawRole).toString(), QStringLiteral("0.5"));
        QCOMPARE(model.index(0, PricingModel::OutputPrice).data(PricingModel::RawRole).toString(), QStringLiteral("2"));
        QCOMPARE(undo.count(), 4); // add + three edits
        undo.undo();
        QCOMPARE(model.index(0, PricingModel::ModelRatio).data(PricingModel::RawRole).toString(), QStringLiteral("1.5"));
        while (undo.canUndo())
            undo.undo();
        QCOMPARE(model.rowCount(), 0);
    }

    void invalidInputIsRefusedWithAReason_data()
    {
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("text");
        QTest::newRow("negative ratio") << int(PricingModel::CompletionRatio) << QStringLiteral("-1");
        QTest::newRow("not a number") << int(PricingModel::CacheRatio) << QStringLiteral("abc");
        QTest::newRow("two dots") << int(PricingModel::AudioRatio) << QStringLiteral("1.2.3");
        QTest::newRow("clearing the only price") << int(PricingModel::ModelRatio) << QString();
        QTest::newRow("empty input price") << int(PricingModel::InputPrice) << QString();
        QTest::newRow("negative price") << int(PricingModel::InputPrice) << QStringLiteral("-$2");
        QTest::newRow("model name") << int(PricingModel::Model) << QStringLiteral("x");
    }

    void invalidInputIsRefusedWithAReason()
    {
        QFETCH(int, column);
        QFETCH(QString, text);
        QUndoStack undo;
        PricingModel model(&undo);
        QVERIFY(model.addModel(QStringLiteral("m1")));
        const QString before = model.index(0, column).data(PricingModel::RawRole).toString();
        QSignalSpy refused(&model, &PricingModel::editRefused);
        QVERIFY(!model.setData(model.index(0, column), text));
        QCOMPARE(refused.count(), 1);
        QVERIFY(!model.lastError().isEmpty());
        QCOMPARE(refused.first().at(1).toString(), model.lastError());
        QCOMPARE(model.index(0, column).data(PricingModel::RawRole).toString(), before);
        QCOMPARE(undo.count(), 1); // only the add
    }

    void outputPriceNeedsAnInputPriceAndNamesAreChecked()
    {
        QUndoStack undo;
        PricingModel model(&undo);
        QVERIFY(model.addModel(QStringLiteral("fixed-model")));
        QVERIFY(model.setData(model.index(0, PricingModel::ModelPrice), QStringLiteral("0.04")));
        QVERIFY(model.setData(model.index(0, PricingModel::ModelRatio), QString())); // allowed: a fixed price remains
        QVERIFY(!model.setData(model.index(0, PricingModel::OutputPrice), QStringLiteral("3")));
        QVERIFY(model.lastError().contains(QStringLiteral("input price")));
        QString error;
        QVERIFY(!model.addModel(QStringLiteral("fixed-model"), &error));
        QVERIFY(error.contains(QStringLiteral("already")));
        QVERIFY(!model.addModel(QStringLiteral("bad name!"), &error));
        QVERIFY(model.addModel(QStringLiteral("gpt-5*")));
        QCOMPARE(model.rowCount(), 2);
    }

    // CreateCacheRatio1h has its own column beside CreateCacheRatio: the default table's value with its $/1M shown
    // in the rendered table, an unset cell reads "(2)" (ModelPricing's default, not 1), an edit through the table
    // view applies and changes what a 1-hour write costs, and export / import carry the map.
    void oneHourCacheWriteColumn()
    {
        Testing::TempDatabase tmp;
        QVERIFY(tmp.isValid());
        Billing::PricingService svc(tmp.db());
        QVERIFY(svc.load());
        Service::AdminService admin(tmp.shared(), Service::AdminService::Actor::Console);
        PricingPage page(&admin, &svc);
        PricingModel &model = *page.model();
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(int(PricingModel::CreateCacheRatio1h), int(PricingModel::CreateCacheRatio) + 1);
        QCOMPARE(model.headerData(PricingModel::CreateCacheRatio1h, Qt::Horizontal).toString(), QStringLiteral("CreateCacheRatio1h"));
        QVERIFY(model.headerData(PricingModel::CreateCacheRatio1h, Qt::Horizontal, Qt::ToolTipRole).toString().contains(QStringLiteral("one hour")));
        QVERIFY(PricingModel::mapOf(PricingModel::CreateCacheRatio1h) == Billing::PriceMap::CreateCacheRatio1h);

        const QString sonnet = QStringLiteral("claude-sonnet-4-5");
        const QModelIndex cell = cellOf(model, sonnet, PricingModel::CreateCacheRatio1h);
        QCOMPARE(cell.data(PricingModel::RawRole).toString(), QStringLiteral("2"));
        QCOMPARE(cell.data().toString(), QStringLiteral("2  ($6.00/1M)")); // $3 input × 2
        QCOMPARE(cellOf(model, sonnet, PricingModel::CreateCacheRatio).data().toString(), QStringLiteral("1.25  ($3.75/1M)"));
        // A model without the map shows the default that applies: 2 for 1-hour writes.
        const QModelIndex unset = cellOf(model, QStringLiteral("gpt-4o-mini"), PricingModel::CreateCacheRatio1h);
        QVERIFY(unset.data(PricingModel::RawRole).toString().isEmpty());
        QVERIFY2(unset.data().toString().startsWith(QStringLiteral("(2)")), qPrintable(unset.data().toString()));
        QVERIFY(unset.data(Qt::ToolTipRole).toString().contains(QStringLiteral("the default (2) applies")));

        // Edit through the rendered table view.
        page.resize(1400, 800);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTableView *view = page.table();
        QVERIFY(!view->isColumnHidden(PricingModel::CreateCacheRatio1h));
        auto *proxy = qobject_cast<QSortFilterProxyModel *>(view->model());
        const QModelIndex shown = proxy->mapFromSource(cell);
        view->scrollTo(shown);
        view->setCurrentIndex(shown);
        view->edit(shown);
        auto *editor = view->viewport()->findChild<QLineEdit *>();
        QVERIFY(editor);
        editor->selectAll();
        QTest::keyClicks(editor, QStringLiteral("3"));
        QTest::keyClick(editor, Qt::Key_Return);
        auto current = [&model, &sonnet] { return cellOf(model, sonnet, PricingModel::CreateCacheRatio1h); };
        QTRY_COMPARE(current().data(PricingModel::RawRole).toString(), QStringLiteral("3"));
        QCOMPARE(current().data().toString(), QStringLiteral("3  ($9.00/1M)"));
        QVERIFY(applied(page));
        const auto pricing = svc.current()->pricing(sonnet, QStringLiteral("default"), QStringLiteral("default"));
        QVERIFY(pricing);
        Billing::Usage written; // 1M tokens written for one hour: $9 = 4 500 000 quota
        written.inputText = written.cacheWrite = written.cacheWrite1h = 1'000'000;
        QCOMPARE(Billing::QuotaMath::settle(pricing.value(), written).quota, qint64(4'500'000));

        const QJsonObject exported = QJsonDocument::fromJson(page.exportJson()).object();
        QCOMPARE(exported.value(QStringLiteral("CreateCacheRatio1h")).toObject().value(sonnet).toDouble(), 3.0);
        QJsonObject edit;
        edit.insert(QStringLiteral("CreateCacheRatio1h"), QJsonObject{{sonnet, 2.5}});
        QVERIFY(page.importJson(QJsonDocument(edit).toJson()));
        QCOMPARE(current().data(PricingModel::RawRole).toString(), QStringLiteral("2.5"));
    }

    void importExportAndGroups()
    {
        Testing::TempDatabase tmp;
        QVERIFY(tmp.isValid());
        Billing::PricingService svc(tmp.db());
        QVERIFY(svc.load());
        Service::AdminService admin(tmp.shared(), Service::AdminService::Actor::Console);
        PricingPage page(&admin, &svc);
        QAbstractItemModelTester groupTester(page.groupModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester overrideTester(page.overrideModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);

        // Export → the JSON names every model the table shows and is accepted back unchanged.
        const QByteArray exported = page.exportJson();
        const QJsonObject json = QJsonDocument::fromJson(exported).object();
        QVERIFY(json.value(QStringLiteral("ModelRatio")).toObject().contains(QStringLiteral("gpt-4o-mini")));
        const int rows = page.model()->rowCount();
        QVERIFY(page.importJson(exported));
        QCOMPARE(page.model()->rowCount(), rows);

        // Import merges map by map (new-api semantics) and is one undo step.
        const int undoBefore = page.undoStack()->count();
        QJsonObject edit = json;
        QJsonObject mr = edit.value(QStringLiteral("ModelRatio")).toObject();
        mr.insert(QStringLiteral("imported-model"), 3);
        edit.insert(QStringLiteral("ModelRatio"), mr);
        QVERIFY(page.importJson(QJsonDocument(edit).toJson()));
        QCOMPARE(page.model()->rowCount(), rows + 1);
        QCOMPARE(page.undoStack()->count(), undoBefore + 1);
        page.undoStack()->undo();
        QCOMPARE(page.model()->rowCount(), rows);

        QVERIFY(!page.importJson("{not json"));
        QVERIFY(!page.importJson(R"({"ModelRatio":{"x":-1}})"));
        QCOMPARE(page.model()->rowCount(), rows);

        // Group ratio: edit, refuse bad input, apply, the quote follows the group.
        GroupRatioModel *groups = page.groupModel();
        QString error;
        QVERIFY(!groups->addEntry({QStringLiteral("bad group!")}, QStringLiteral("1"), &error));
        QVERIFY(groups->addEntry({QStringLiteral("half")}, QStringLiteral("0.5"), &error));
        const int halfRow = groups->rowOf({QStringLiteral("half")});
        QVERIFY(!groups->setData(groups->index(halfRow, 1), QStringLiteral("-2")));
        QVERIFY(!groups->lastError().isEmpty());
        QVERIFY(applied(page));
        const qint64 full = quoteNow(svc, QStringLiteral("gpt-4o-mini"));
        const qint64 half = quoteNow(svc, QStringLiteral("gpt-4o-mini"), QStringLiteral("half"));
        QVERIFY(full > 1);
        QVERIFY(std::abs(double(half) - double(full) / 2.0) <= 0.5);

        QVERIFY(page.overrideModel()->addEntry({QStringLiteral("half"), QStringLiteral("default")}, QStringLiteral("0.25"), &error));
        QVERIFY(applied(page));
        const auto p = svc.current()->pricing(QStringLiteral("gpt-4o-mini"), QStringLiteral("half"), QStringLiteral("default"));
        QVERIFY(p);
        QVERIFY(p->userGroupRatio);
        QCOMPARE(p->groupRatio.text(), QStringLiteral("0.25"));
    }
};

QTEST_MAIN(TestPricingModel)
#include "tst_pricingmodel.moc"
