// The Logs page's detail for Claude rows (MessagesLogDetail through LogsModel::describe): rows inserted through the
// core's LogRepository with the `other` fields the relay writes for a Messages call, read back through AdminService
// on its worker and shown in the page's detail pane — input, cache reads, 5-minute and 1-hour cache writes and
// output, each with its tokens and cost at the row's own ratios, and the web searches. A plain chat row has none.
#include "logs/logsmodel.h"
#include "logs/logspage.h"
#include "logs/messageslogdetail.h"

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
using RelayDesk::Ui::MessagesLogDetail;

namespace {

// What MeteredCall::otherJson writes for a Messages call on claude-sonnet-4-5 (ModelPricing::toJson's ratios):
// input_tokens 1000, cache reads 2000, 5-minute writes 400, 1-hour writes 1000, output 200, two web searches.
const QByteArray kMessagesOther = R"({
  "model_ratio": 1.5, "completion_ratio": 5, "cache_ratio": 0.1, "create_cache_ratio": 1.25,
  "create_cache_ratio_1h": 2, "image_ratio": 1, "audio_ratio": 1, "audio_completion_ratio": 1, "audio_cache_ratio": 1,
  "group_ratio": 1, "user_group_ratio": -1, "model_price": -1, "price_snapshot_id": 1,
  "cache_tokens": 2000, "cache_write_tokens": 1400, "reasoning_tokens": 0, "frt": 120,
  "request_path": "/v1/messages",
  "tool_calls": {"web_search_requests": 2}, "tool_quota": 10000,
  "usage_source": "upstream", "reservation_id": 9, "end_reason": "done",
  "usage": {"text_input": 4400, "cached_text": 2000, "cache_write": 1400, "cache_write_1h": 1000, "text_output": 200}
})";

// The same usage on a group at half price.
QByteArray halfPrice()
{
    QJsonObject o = QJsonDocument::fromJson(kMessagesOther).object();
    o.insert(QStringLiteral("group_ratio"), 0.5);
    o.remove(QStringLiteral("tool_calls"));
    return QJsonDocument(o).toJson();
}

// A chat call converted for a Claude channel: no /v1/messages path, but cache writes in its usage.
const QByteArray kConvertedOther = R"({
  "model_ratio": 0.5, "completion_ratio": 5, "cache_ratio": 0.1, "create_cache_ratio": 1.25, "create_cache_ratio_1h": 2,
  "group_ratio": 1, "model_price": -1, "request_path": "/v1/chat/completions",
  "usage": {"text_input": 1500, "cached_text": 0, "cache_write": 1000, "text_output": 10}
})";

const QByteArray kChatOther = R"({"model_ratio": 0.075, "cache_tokens": 10, "request_path": "/v1/chat/completions",
  "usage": {"text_input": 100, "cached_text": 10, "cache_write": 0, "text_output": 5}})";

const QByteArray kFixedOther = R"({"model_ratio": 0, "model_price": 0.02, "group_ratio": 1, "request_path": "/v1/messages",
  "usage": {"text_input": 50, "text_output": 5}})";

bool insertRow(Store::Database &db, const QString &requestId, const QByteArray &other, qint64 createdAt)
{
    Store::LogRecord r;
    r.createdAt = createdAt;
    r.type = Store::LogType::Consume;
    r.model = QStringLiteral("claude-sonnet-4-5");
    r.promptTokens = 4400;
    r.completionTokens = 200;
    r.quota = 17'050;
    r.requestId = requestId;
    r.other = QJsonDocument::fromJson(other).object();
    return Store::LogRepository(db).insert(r).ok();
}

int rowOf(const LogsModel &model, const QString &requestId)
{
    for (int r = 0; r < model.rowCount(); ++r)
        if (model.recordAt(r)->requestId == requestId)
            return r;
    return -1;
}

QString text(const QByteArray &other)
{
    return MessagesLogDetail::lines(QJsonDocument::fromJson(other).object()).join(QLatin1Char('\n'));
}

} // namespace

class TestMessagesLogDetail final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates)); }

    // Each part at its own price: quota per token = MR × (1, CacheRatio, CreateCacheRatio, CreateCacheRatio1h,
    // CompletionRatio) × GR; 500 000 quota = US$1.
    void linesOfAMessagesRow_data()
    {
        QTest::addColumn<QByteArray>("other");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("sonnet") << kMessagesOther
                                << QStringList{QStringLiteral("  input: 1,000 tokens · $0.003000 (1,500 quota)"),
                                               QStringLiteral("  cache reads: 2,000 tokens · $0.000600 (300 quota)"),
                                               QStringLiteral("  5-minute cache writes: 400 tokens · $0.001500 (750 quota)"),
                                               QStringLiteral("  1-hour cache writes: 1,000 tokens · $0.006000 (3,000 quota)"),
                                               QStringLiteral("  output: 200 tokens · $0.003000 (1,500 quota)"),
                                               QStringLiteral("  web searches: 2 · $0.0200 (10,000 quota)")};
        QTest::newRow("group at half price") << halfPrice()
                                             << QStringList{QStringLiteral("  input: 1,000 tokens · $0.001500 (750 quota)"),
                                                            QStringLiteral("  1-hour cache writes: 1,000 tokens · $0.003000 (1,500 quota)")};
        QTest::newRow("converted chat call, writes without a 1h split")
            << kConvertedOther
            << QStringList{QStringLiteral("  input: 500 tokens · $0.000500 (250 quota)"),
                           QStringLiteral("  cache reads: 0 tokens · $0.00 (0 quota)"),
                           QStringLiteral("  5-minute cache writes: 1,000 tokens · $0.001250 (625 quota)"),
                           QStringLiteral("  1-hour cache writes: 0 tokens · $0.00 (0 quota)")};
        QTest::newRow("fixed price") << kFixedOther
                                     << QStringList{QStringLiteral("  input: 50 tokens"), QStringLiteral("  output: 5 tokens"),
                                                    QStringLiteral("  Fixed price per call: $0.0200")};
    }
    void linesOfAMessagesRow()
    {
        QFETCH(QByteArray, other);
        QFETCH(QStringList, expected);
        QVERIFY(MessagesLogDetail::applies(QJsonDocument::fromJson(other).object()));
        const QStringList lines = MessagesLogDetail::lines(QJsonDocument::fromJson(other).object());
        QVERIFY2(lines.value(0).startsWith(QStringLiteral("Claude usage")), qPrintable(lines.join(u'\n')));
        for (const QString &line : expected)
            QVERIFY2(lines.contains(line), qPrintable(line + QStringLiteral("\n--- not in ---\n") + lines.join(u'\n')));
    }

    void otherRowsHaveNoClaudeSection()
    {
        QVERIFY(!MessagesLogDetail::applies(QJsonDocument::fromJson(kChatOther).object()));
        QVERIFY(text(kChatOther).isEmpty());
        QVERIFY(!MessagesLogDetail::applies(QJsonObject{{QStringLiteral("request_path"), QStringLiteral("/v1/messagesx")}}));
        QVERIFY(!MessagesLogDetail::applies({}));
        // A chat call the relay converted for a Claude channel is a Claude row even without cache writes.
        QJsonObject converted = QJsonDocument::fromJson(kChatOther).object();
        converted.insert(QStringLiteral("upstream_api"), QStringLiteral("anthropic_messages"));
        QVERIFY(MessagesLogDetail::applies(converted));
        // Malformed counts read as 0, and a 1-hour part never exceeds the writes.
        const QJsonObject bad{{QStringLiteral("request_path"), QStringLiteral("/v1/messages")},
                              {QStringLiteral("model_ratio"), 1},
                              {QStringLiteral("usage"), QJsonObject{{QStringLiteral("text_input"), -5},
                                                                    {QStringLiteral("cache_write"), 10},
                                                                    {QStringLiteral("cache_write_1h"), 99},
                                                                    {QStringLiteral("text_output"), QStringLiteral("lots")}}}};
        const QString lines = MessagesLogDetail::lines(bad).join(u'\n');
        QVERIFY2(lines.contains(QStringLiteral("  1-hour cache writes: 10 tokens")), qPrintable(lines));
        QVERIFY2(lines.contains(QStringLiteral("  5-minute cache writes: 0 tokens")), qPrintable(lines));
        QVERIFY2(lines.contains(QStringLiteral("  output: 0 tokens")), qPrintable(lines));
    }

    void chineseLines()
    {
        QTranslator zh;
        QVERIFY(zh.load(QStringLiteral(":/i18n/relaydesk_zh_CN.qm")));
        QCoreApplication::installTranslator(&zh);
        const QString lines = text(kMessagesOther);
        QCoreApplication::removeTranslator(&zh);
        QVERIFY2(lines.contains(QString::fromUtf8("1 小时缓存写入：1,000 个令牌")), qPrintable(lines));
        QVERIFY2(lines.contains(QString::fromUtf8("5 分钟缓存写入：400 个令牌")), qPrintable(lines));
        QVERIFY2(lines.contains(QString::fromUtf8("缓存读取：2,000 个令牌")), qPrintable(lines));
        QVERIFY2(!lines.contains(QStringLiteral("tokens")), qPrintable(lines));
    }

    void pageShowsClaudeDetail()
    {
        Testing::TempDatabase tmp;
        QVERIFY2(tmp.isValid(), qPrintable(tmp.error()));
        const qint64 base = 1'750'000'000'000;
        QVERIFY(insertRow(tmp.db(), QStringLiteral("req-claude"), kMessagesOther, base));
        QVERIFY(insertRow(tmp.db(), QStringLiteral("req-chat"), kChatOther, base + 1000));

        Service::AdminService admin(tmp.shared(), Service::AdminService::Actor::Console);
        Ui::LogsPage page(&admin);
        QAbstractItemModelTester tester(page.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        page.resize(1200, 700);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTRY_VERIFY_WITH_TIMEOUT(!page.isLoading() && page.model()->rowCount() == 2, 30000);

        auto show = [&page](const QString &requestId) {
            const int row = rowOf(*page.model(), requestId);
            if (row < 0)
                return QString();
            page.table()->setCurrentIndex(page.model()->index(row, LogsModel::Model));
            return page.detail()->toPlainText();
        };
        const QString claude = show(QStringLiteral("req-claude"));
        for (const char *line : {"  input: 1,000 tokens · $0.003000 (1,500 quota)",
                                 "  cache reads: 2,000 tokens · $0.000600 (300 quota)",
                                 "  5-minute cache writes: 400 tokens · $0.001500 (750 quota)",
                                 "  1-hour cache writes: 1,000 tokens · $0.006000 (3,000 quota)",
                                 "  output: 200 tokens · $0.003000 (1,500 quota)",
                                 "  web searches: 2 · $0.0200 (10,000 quota)"})
            QVERIFY2(claude.contains(QString::fromUtf8(line)), qPrintable(claude));
        // The generic details name the cache fields in words, not as JSON keys.
        QVERIFY2(claude.contains(QStringLiteral("1-hour cache write tokens: 1,000")), qPrintable(claude));
        QVERIFY2(claude.contains(QStringLiteral("Cache write ratio (1 hour): 2")), qPrintable(claude));
        QVERIFY2(claude.contains(QStringLiteral("Cache write ratio (5 minutes): 1.25")), qPrintable(claude));
        QVERIFY2(!claude.contains(QStringLiteral("create_cache_ratio")), qPrintable(claude));

        const QString chat = show(QStringLiteral("req-chat"));
        QVERIFY2(chat.contains(QStringLiteral("req-chat")), qPrintable(chat));
        QVERIFY2(!chat.contains(QStringLiteral("Claude usage")), qPrintable(chat));
    }
};

QTEST_MAIN(TestMessagesLogDetail)
#include "tst_messageslogdetail.moc"
