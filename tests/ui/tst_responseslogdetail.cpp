// The Logs page's detail for Responses API rows (ResponsesLogDetail through LogsModel::describe): rows inserted
// through the core's LogRepository with the `other` fields the relay writes for a Responses call, read back
// through AdminService on its worker and shown in the page's detail pane — endpoint, response id and status,
// cached / cache-write / reasoning tokens, tool calls with their counts and quota. A chat row has no such section.
#include "logs/logsmodel.h"
#include "logs/logspage.h"
#include "logs/responseslogdetail.h"

#include "store/logrepository.h"
#include "tempdatabase.h"

#include <QAbstractItemModelTester>
#include <QJsonDocument>
#include <QPlainTextEdit>
#include <QTableView>
#include <QTranslator>
#include <QtTest>

using namespace RelayDesk;
using RelayDesk::Ui::LogsModel;
using RelayDesk::Ui::ResponsesLogDetail;

namespace {

// What MeteredCall::otherJson and ResponsesAdapter::describe write for a Responses call (abridged pricing fields).
const QByteArray kResponsesOther = R"({
  "model_ratio": 0.075, "completion_ratio": 4, "group_ratio": 1,
  "cache_tokens": 1200, "cache_write_tokens": 300, "reasoning_tokens": 256, "frt": 140,
  "request_path": "/v1/responses",
  "admin_info": {"use_channel": ["1"], "local_count_tokens": false, "usage_billing_path": "upstream"},
  "stream_status": {"status": "ok", "end_reason": "done"},
  "tool_calls": {"web_search_call": 2, "file_search_call": 1},
  "tool_quota": 11250,
  "usage_source": "upstream", "reservation_id": 7, "price_snapshot_id": 1, "end_reason": "done",
  "usage": {"text_input": 4000, "cached_text": 1200, "text_output": 900},
  "response_id": "resp_0123abcd", "response_status": "completed"
})";

const QByteArray kCompactOther = R"({
  "model_ratio": 0.075, "cache_tokens": 0, "cache_write_tokens": 0, "reasoning_tokens": 0,
  "request_path": "/v1/responses/compact", "response_id": "resp_compact1", "response_status": "completed",
  "usage": {"text_input": 5000, "text_output": 700}
})";

const QByteArray kChatOther = R"({"model_ratio": 0.075, "cache_tokens": 10, "request_path": "/v1/chat/completions"})";

qint64 insertRow(Store::Database &db, const QString &requestId, const QByteArray &other, qint64 createdAt)
{
    Store::LogRecord r;
    r.createdAt = createdAt;
    r.type = Store::LogType::Consume;
    r.model = QStringLiteral("gpt-4o-mini");
    r.promptTokens = 4000;
    r.completionTokens = 900;
    r.quota = 20'000;
    r.requestId = requestId;
    r.other = QJsonDocument::fromJson(other).object();
    const auto inserted = Store::LogRepository(db).insert(r);
    return inserted.ok() ? 1 : 0;
}

int rowOf(const LogsModel &model, const QString &requestId)
{
    for (int r = 0; r < model.rowCount(); ++r)
        if (model.recordAt(r)->requestId == requestId)
            return r;
    return -1;
}

} // namespace

class TestResponsesLogDetail final : public QObject
{
    Q_OBJECT

private slots:
    void linesOfAResponsesRow()
    {
        const QJsonObject other = QJsonDocument::fromJson(kResponsesOther).object();
        QVERIFY(ResponsesLogDetail::applies(other));
        const QString text = ResponsesLogDetail::lines(other).join(QLatin1Char('\n'));
        QVERIFY2(text.contains(QStringLiteral("Responses API endpoint: /v1/responses")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("Response ID: resp_0123abcd")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("Response status: completed")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("Cached tokens: 1,200 · cache write: 300 · reasoning: 256")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("Built-in tool calls: file_search_call × 1, web_search_call × 2 (3 in all)")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("Tool-call charge: $0.0225 (11,250 quota)")), qPrintable(text));

        const QJsonObject compact = QJsonDocument::fromJson(kCompactOther).object();
        const QString compactText = ResponsesLogDetail::lines(compact).join(QLatin1Char('\n'));
        QVERIFY2(compactText.contains(QStringLiteral("endpoint: /v1/responses/compact")), qPrintable(compactText));
        QVERIFY2(compactText.contains(QStringLiteral("Built-in tool calls: none")), qPrintable(compactText));

        QVERIFY(!ResponsesLogDetail::applies(QJsonDocument::fromJson(kChatOther).object()));
        QVERIFY(ResponsesLogDetail::lines(QJsonDocument::fromJson(kChatOther).object()).isEmpty());
        QVERIFY(!ResponsesLogDetail::applies(QJsonObject{{QStringLiteral("request_path"), QStringLiteral("/v1/responsesx")}}));
    }

    void chineseLines()
    {
        QTranslator zh;
        QVERIFY(zh.load(QStringLiteral(":/i18n/relaydesk_zh_CN.qm")));
        QCoreApplication::installTranslator(&zh);
        const QString text = ResponsesLogDetail::lines(QJsonDocument::fromJson(kResponsesOther).object()).join(QLatin1Char('\n'));
        QCoreApplication::removeTranslator(&zh);
        QVERIFY2(text.contains(QString::fromUtf8("响应 ID：resp_0123abcd")), qPrintable(text));
        QVERIFY2(text.contains(QString::fromUtf8("内置工具调用：")), qPrintable(text));
    }

    void pageShowsResponsesDetail()
    {
        Testing::TempDatabase tmp;
        QVERIFY2(tmp.isValid(), qPrintable(tmp.error()));
        const qint64 base = 1'750'000'000'000;
        QVERIFY(insertRow(tmp.db(), QStringLiteral("req-responses"), kResponsesOther, base));
        QVERIFY(insertRow(tmp.db(), QStringLiteral("req-compact"), kCompactOther, base + 1000));
        QVERIFY(insertRow(tmp.db(), QStringLiteral("req-chat"), kChatOther, base + 2000));

        Service::AdminService admin(tmp.shared(), Service::AdminService::Actor::Console);
        Ui::LogsPage page(&admin);
        QAbstractItemModelTester tester(page.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        page.resize(1200, 700);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTRY_VERIFY_WITH_TIMEOUT(!page.isLoading() && page.model()->rowCount() == 3, 30000);

        auto show = [&page](const QString &requestId) {
            const int row = rowOf(*page.model(), requestId);
            if (row < 0)
                return QString();
            page.table()->setCurrentIndex(page.model()->index(row, LogsModel::Model));
            return page.detail()->toPlainText();
        };

        const QString text = show(QStringLiteral("req-responses"));
        QVERIFY2(text.contains(QStringLiteral("req-responses")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("Responses API endpoint: /v1/responses")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("Response ID: resp_0123abcd")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("Response status: completed")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("Cached tokens: 1,200 · cache write: 300 · reasoning: 256")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("file_search_call × 1, web_search_call × 2")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("Tool-call charge: $0.0225 (11,250 quota)")), qPrintable(text));
        // The generic details name the new fields in words, not as JSON keys.
        QVERIFY2(text.contains(QStringLiteral("Built-in tool calls:\n")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("Tool-call quota: 11,250")), qPrintable(text));
        QVERIFY2(!text.contains(QStringLiteral("tool_quota")), qPrintable(text));
        QVERIFY(!text.contains(QLatin1Char('{')));

        const QString compact = show(QStringLiteral("req-compact"));
        QVERIFY2(compact.contains(QStringLiteral("Responses API endpoint: /v1/responses/compact")), qPrintable(compact));
        QVERIFY2(compact.contains(QStringLiteral("Response ID: resp_compact1")), qPrintable(compact));
        QVERIFY2(compact.contains(QStringLiteral("Built-in tool calls: none")), qPrintable(compact));

        const QString chat = show(QStringLiteral("req-chat"));
        QVERIFY2(chat.contains(QStringLiteral("req-chat")), qPrintable(chat));
        QVERIFY2(!chat.contains(QStringLiteral("Responses API")), qPrintable(chat));
        QVERIFY2(chat.contains(QStringLiteral("Endpoint: /v1/chat/completions")), qPrintable(chat));
    }
};

QTEST_MAIN(TestResponsesLogDetail)
#include "tst_responseslogdetail.moc"
