// The Logs page by endpoint: rows inserted through the core's LogRepository with the request paths and units the
// relay writes, read back through AdminService on its worker — the Endpoint column names the kind (through the one
// mapping), the endpoint filter narrows the page in the store query (a kind's paths; Other = unlisted paths), and
// the row detail gives the endpoint and the billed units in words (UnitsLogDetail through LogsModel::describe).
#include "logs/logsmodel.h"
#include "logs/logspage.h"
#include "logs/unitslogdetail.h"

#include "store/logrepository.h"
#include "tempdatabase.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QJsonDocument>
#include <QPlainTextEdit>
#include <QTableView>
#include <QTranslator>
#include <QtTest>

using namespace RelayDesk;
using RelayDesk::Monitor::EndpointKind;
using RelayDesk::Ui::LogsModel;
using RelayDesk::Ui::UnitsLogDetail;

namespace {

struct Row
{
    const char *requestId;
    const char *other;
};

// What the relay writes (abridged): request_path on every metered row, units on unit-priced ones.
const Row kRows[] = {
    {"req-transcription", R"({"request_path":"/v1/audio/transcriptions","units":{"audio_seconds":92.5}})"},
    {"req-translation", R"({"request_path":"/v1/audio/translations","units":{"audio_seconds":3}})"},
    {"req-speech", R"({"request_path":"/v1/audio/speech","units":{"characters":1000}})"},
    {"req-image", R"({"request_path":"/v1/images/generations","units":{"images":2,"image_size":"1024x1792","image_quality":"hd"}})"},
    {"req-chat", R"({"request_path":"/v1/chat/completions","usage":{"text_input":10}})"},
    {"req-embeddings", R"({"request_path":"/v1/embeddings"})"},
    {"req-unknown", R"({"request_path":"/v1/files"})"},
    {"req-topup", R"({})"},
};

QString endpointOf(const LogsModel &model, const QString &requestId)
{
    for (int r = 0; r < model.rowCount(); ++r)
        if (model.recordAt(r)->requestId == requestId)
            return model.index(r, LogsModel::Endpoint).data().toString();
    return QStringLiteral("<absent>");
}

QStringList requestIds(const LogsModel &model)
{
    QStringList ids;
    for (int r = 0; r < model.rowCount(); ++r)
        ids << model.recordAt(r)->requestId;
    ids.sort();
    return ids;
}

} // namespace

class TestLogsEndpoints final : public QObject
{
    Q_OBJECT

    Testing::TempDatabase m_tmp;

private slots:
    void initTestCase()
    {
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
        QVERIFY2(m_tmp.isValid(), qPrintable(m_tmp.error()));
        const qint64 base = 1'750'000'000'000;
        int i = 0;
        for (const Row &row : kRows) {
            Store::LogRecord r;
            r.createdAt = base + 1000 * i++;
            r.type = QByteArray(row.requestId) == "req-topup" ? Store::LogType::Topup : Store::LogType::Consume;
            r.model = QStringLiteral("m");
            r.quota = 100;
            r.requestId = QString::fromLatin1(row.requestId);
            r.other = QJsonDocument::fromJson(row.other).object();
            QVERIFY(Store::LogRepository(m_tmp.db()).insert(r));
        }
    }

    void detailLines_data()
    {
        QTest::addColumn<QByteArray>("other");
        QTest::addColumn<QString>("endpoint");
        QTest::addColumn<QString>("units");
        QTest::newRow("transcription") << QByteArray(kRows[0].other)
                                       << QStringLiteral("Transcription (/v1/audio/transcriptions)")
                                       << QStringLiteral("Billed units: 92.5 s of audio");
        QTest::newRow("translation") << QByteArray(kRows[1].other)
                                     << QStringLiteral("Transcription (/v1/audio/translations)")
                                     << QStringLiteral("Billed units: 3 s of audio");
        QTest::newRow("speech") << QByteArray(kRows[2].other) << QStringLiteral("Speech (/v1/audio/speech)")
                                << QStringLiteral("Billed units: 1,000 characters");
        QTest::newRow("image") << QByteArray(kRows[3].other) << QStringLiteral("Image (/v1/images/generations)")
                               << QStringLiteral("Billed units: 2 images, 1024x1792, hd");
        QTest::newRow("chat") << QByteArray(kRows[4].other) << QStringLiteral("Chat (/v1/chat/completions)") << QString();
        QTest::newRow("unknown") << QByteArray(kRows[6].other) << QStringLiteral("Other (/v1/files)") << QString();
        QTest::newRow("no path") << QByteArray("{}") << QString() << QString();
        QTest::newRow("query string") << QByteArray(R"({"request_path":"/v1/realtime?model=x"})")
                                      << QStringLiteral("Realtime (/v1/realtime?model=x)") << QString();
        QTest::newRow("bad units") << QByteArray(R"({"request_path":"/v1/audio/speech","units":{"characters":-4}})")
                                   << QStringLiteral("Speech (/v1/audio/speech)") << QString();
    }
    void detailLines()
    {
        QFETCH(QByteArray, other);
        QFETCH(QString, endpoint);
        QFETCH(QString, units);
        const QJsonObject o = QJsonDocument::fromJson(other).object();
        QCOMPARE(UnitsLogDetail::endpoint(o), endpoint);
        QCOMPARE(UnitsLogDetail::applies(o), !units.isEmpty());
        QCOMPARE(UnitsLogDetail::lines(o).join(QLatin1Char('\n')), units);
    }

    void chineseLines()
    {
        QTranslator zh;
        QVERIFY(zh.load(QStringLiteral(":/i18n/relaydesk_zh_CN.qm")));
        QCoreApplication::installTranslator(&zh);
        const QJsonObject image = QJsonDocument::fromJson(kRows[3].other).object();
        const QString endpoint = UnitsLogDetail::endpoint(image);
        const QString units = UnitsLogDetail::lines(image).join(QLatin1Char('\n'));
        const QString speech = Monitor::endpointKindName(EndpointKind::Speech);
        QCoreApplication::removeTranslator(&zh);
        QVERIFY2(endpoint.startsWith(QString::fromUtf8("图像")), qPrintable(endpoint));
        QVERIFY2(units.contains(QString::fromUtf8("张图像")), qPrintable(units));
        QCOMPARE(speech, QString::fromUtf8("语音合成"));
    }

    void filterNarrowsInTheStore_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QStringList>("ids");
        QTest::newRow("all") << QString()
                             << QStringList{QStringLiteral("req-chat"), QStringLiteral("req-embeddings"),
                                            QStringLiteral("req-image"), QStringLiteral("req-speech"),
                                            QStringLiteral("req-topup"), QStringLiteral("req-transcription"),
                                            QStringLiteral("req-translation"), QStringLiteral("req-unknown")};
        QTest::newRow("transcription") << QStringLiteral("transcription")
                                       << QStringList{QStringLiteral("req-transcription"), QStringLiteral("req-translation")};
        QTest::newRow("speech") << QStringLiteral("speech") << QStringList{QStringLiteral("req-speech")};
        QTest::newRow("image") << QStringLiteral("image") << QStringList{QStringLiteral("req-image")};
        QTest::newRow("chat") << QStringLiteral("chat") << QStringList{QStringLiteral("req-chat")};
        QTest::newRow("other") << QStringLiteral("other") << QStringList{QStringLiteral("req-unknown")};
        QTest::newRow("realtime") << QStringLiteral("realtime") << QStringList{};
    }
    void filterNarrowsInTheStore()
    {
        QFETCH(QString, kind);
        QFETCH(QStringList, ids);
        Service::AdminService admin(m_tmp.shared(), Service::AdminService::Actor::Console);
        Ui::LogsPage page(&admin);
        QAbstractItemModelTester tester(page.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QTRY_VERIFY_WITH_TIMEOUT(!page.isLoading() && page.model()->rowCount() == 8, 30000);
        auto *combo = page.findChild<QComboBox *>(QStringLiteral("logEndpoint"));
        QVERIFY(combo);
        QCOMPARE(combo->count(), 12); // all + eleven kinds
        const int index = combo->findData(kind);
        QVERIFY(index >= 0);
        combo->setCurrentIndex(index);
        QTRY_VERIFY_WITH_TIMEOUT(!page.isLoading() && page.model()->totalCount().has_value(), 30000);
        QTRY_COMPARE_WITH_TIMEOUT(requestIds(*page.model()), ids, 30000);
        QCOMPARE(page.model()->totalCount().value(), qint64(ids.size()));
        QCOMPARE(page.currentFilter().requestPaths.isEmpty() && page.currentFilter().excludedRequestPaths.isEmpty(),
                 kind.isEmpty());
    }

    void columnAndDetail()
    {
        Service::AdminService admin(m_tmp.shared(), Service::AdminService::Actor::Console);
        Ui::LogsPage page(&admin);
        QAbstractItemModelTester tester(page.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        page.resize(1200, 700);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTRY_VERIFY_WITH_TIMEOUT(!page.isLoading() && page.model()->rowCount() == 8, 30000);
        const LogsModel &model = *page.model();
        QCOMPARE(model.headerData(LogsModel::Endpoint, Qt::Horizontal).toString(), QStringLiteral("Endpoint"));
        QCOMPARE(endpointOf(model, QStringLiteral("req-transcription")), QStringLiteral("Transcription"));
        QCOMPARE(endpointOf(model, QStringLiteral("req-translation")), QStringLiteral("Transcription"));
        QCOMPARE(endpointOf(model, QStringLiteral("req-speech")), QStringLiteral("Speech"));
        QCOMPARE(endpointOf(model, QStringLiteral("req-image")), QStringLiteral("Image"));
        QCOMPARE(endpointOf(model, QStringLiteral("req-chat")), QStringLiteral("Chat"));
        QCOMPARE(endpointOf(model, QStringLiteral("req-embeddings")), QStringLiteral("Embeddings"));
        QCOMPARE(endpointOf(model, QStringLiteral("req-unknown")), QStringLiteral("Other"));
        QCOMPARE(endpointOf(model, QStringLiteral("req-topup")), QString());

        auto show = [&page](const QString &requestId) {
            for (int r = 0; r < page.model()->rowCount(); ++r) {
                if (page.model()->recordAt(r)->requestId == requestId) {
                    page.table()->setCurrentIndex(page.model()->index(r, LogsModel::Model));
                    return page.detail()->toPlainText();
                }
            }
            return QString();
        };
        const QString image = show(QStringLiteral("req-image"));
        QVERIFY2(image.contains(QStringLiteral("Endpoint: Image (/v1/images/generations)")), qPrintable(image));
        QVERIFY2(image.contains(QStringLiteral("Billed units: 2 images, 1024x1792, hd")), qPrintable(image));
        // The generic details name the units' fields in words, not as JSON keys.
        QVERIFY2(image.contains(QStringLiteral("Image quality: hd")), qPrintable(image));
        QVERIFY2(!image.contains(QStringLiteral("image_quality")), qPrintable(image));
        const QString audio = show(QStringLiteral("req-transcription"));
        QVERIFY2(audio.contains(QStringLiteral("Billed units: 92.5 s of audio")), qPrintable(audio));
        QVERIFY2(audio.contains(QStringLiteral("Audio (seconds): 92.5")), qPrintable(audio));
        const QString speech = show(QStringLiteral("req-speech"));
        QVERIFY2(speech.contains(QStringLiteral("Billed units: 1,000 characters")), qPrintable(speech));
        const QString chat = show(QStringLiteral("req-chat"));
        QVERIFY2(chat.contains(QStringLiteral("Endpoint: Chat (/v1/chat/completions)")), qPrintable(chat));
        QVERIFY2(!chat.contains(QStringLiteral("Billed units")), qPrintable(chat));
        const QString topup = show(QStringLiteral("req-topup"));
        QVERIFY2(!topup.contains(QStringLiteral("Endpoint:")), qPrintable(topup));
    }
};

QTEST_MAIN(TestLogsEndpoints)
#include "tst_logsendpoints.moc"
