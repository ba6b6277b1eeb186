// relaydeskd serve --metrics-listen end to end (issue 16 part 6): calls of two users through the relay (chat
// JSON and streams, Responses, embeddings, one the upstream fails), then GET /metrics over a real socket on the
// metrics listener. The quota spent counters equal the consume log rows summed per user and model; the token
// counters equal the rows' usage; requests count every call by kind, model and status; balances are the store's;
// and `promtool check metrics` (Debian's prometheus, in build.sh's TEST_PACKAGES) accepts the text — without
// promtool the test fails, it does not skip. The metrics listener is refused on the relay's own address.
#include "billing/usage.h"
#include "binaries.h"
#include "secretkeyfile.h"
#include "store/database.h"
#include "store/logrepository.h"
#include "store/userrepository.h"

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QStandardPaths>
#include <QtCore/QTemporaryDir>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QtTest>

#include <map>

using namespace RelayDesk;
using RelayDeskTest::binary;

namespace {

struct Reply
{
    int status = 0;
    QByteArray head;
    QByteArray body;
};

// One request (Connection: close), read to the end.
Reply request(quint16 port, const QByteArray &method, const QByteArray &path, const QByteArray &key = {},
              const QByteArray &body = {})
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return {};
    QByteArray head = method + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    if (!key.isEmpty())
        head += "Authorization: Bearer " + key + "\r\n";
    if (!body.isEmpty())
        head += "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n";
    socket.write(head + "\r\n" + body);
    QByteArray raw;
    while (socket.state() == QAbstractSocket::ConnectedState && socket.waitForReadyRead(20000))
        raw += socket.readAll();
    raw += socket.readAll();
    Reply r;
    if (raw.startsWith("HTTP/1.1 "))
        r.status = raw.mid(9, 3).toInt();
    const qsizetype end = raw.indexOf("\r\n\r\n");
    r.head = raw.left(end);
    r.body = raw.mid(end + 4);
    return r;
}

// One sample line of the exposition text: `name{label="value",…} number`, label values unescaped.
struct Sample
{
    QByteArray name;
    QMap<QString, QString> labels;
    double value = 0;
};

std::optional<Sample> parseSample(const QByteArray &line)
{
    Sample s;
    qsizetype i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ')
        ++i;
    s.name = line.left(i);
    if (i < line.size() && line[i] == '{') {
        ++i;
        while (i < line.size() && line[i] != '}') {
            const qsizetype eq = line.indexOf("=\"", i);
            if (eq < 0)
                return std::nullopt;
            const QString label = QString::fromUtf8(line.mid(i, eq - i));
            QByteArray value;
            for (i = eq + 2; i < line.size() && line[i] != '"'; ++i) {
                if (line[i] == '\\' && i + 1 < line.size()) {
                    ++i;
                    value += line[i] == 'n' ? '\n' : line[i];
                } else {
                    value += line[i];
                }
            }
            s.labels.insert(label, QString::fromUtf8(value));
            ++i; // the closing quote
            if (i < line.size() && line[i] == ',')
                ++i;
        }
        ++i; // '}'
    }
    bool ok = false;
    const QByteArray number = line.mid(i).trimmed();
    s.value = number == "+Inf" ? qInf() : number.toDouble(&ok);
    if (!ok && number != "+Inf")
        return std::nullopt;
    return s;
}

QList<Sample> parseText(const QByteArray &text)
{
    QList<Sample> samples;
    for (const QByteArray &line : text.split('\n'))
        if (!line.isEmpty() && !line.startsWith('#'))
            if (const auto s = parseSample(line))
                samples << *s;
    return samples;
}

double total(const QList<Sample> &samples, const QByteArray &name, const QMap<QString, QString> &match = {})
{
    double sum = 0;
    for (const Sample &s : samples) {
        if (s.name != name)
            continue;
        bool all = true;
        for (auto it = match.cbegin(); it != match.cend(); ++it)
            all = all && s.labels.value(it.key()) == it.value();
        if (all)
            sum += s.value;
    }
    return sum;
}

struct Call
{
    const char *user;
    const char *path;
    const char *model;
    bool stream;
    const char *text;
    int expectedStatus;
    const char *kind;
};

// Who calls what: two users, several models and endpoint kinds, streams and JSON, and a call the upstream fails
// (refunded: no consume row, no spend, but a request with status 500).
const Call kCalls[] = {
    {"alice", "/v1/chat/completions", "gpt-4o-mini", false, "Hello there.", 200, "chat"},
    {"alice", "/v1/chat/completions", "gpt-4o-mini", false, "Tell me a story about a relay.", 200, "chat"},
    {"alice", "/v1/chat/completions", "gpt-4o", true, "Stream to me.", 200, "chat"},
    {"alice", "/v1/chat/completions", "gpt-4o", true, "Stream again, longer this time.", 200, "chat"},
    {"alice", "/v1/responses", "gpt-4o-mini", false, "A response, please.", 200, "responses"},
    {"bob", "/v1/chat/completions", "gpt-4o-mini", true, "Bob streams.", 200, "chat"},
    {"bob", "/v1/chat/completions", "gpt-4o-mini", false, "Bob asks.", 200, "chat"},
    {"bob", "/v1/embeddings", "text-embedding-3-small", false, "Embed this line.", 200, "embeddings"},
    {"bob", "/v1/chat/completions", "gpt-4o-mini", false, "[[scenario:error_500]] fail", 500, "chat"},
};

QByteArray body(const Call &c)
{
    QJsonObject o{{QStringLiteral("model"), QString::fromLatin1(c.model)}};
    const QString text = QString::fromUtf8(c.text);
    const QString path = QString::fromLatin1(c.path);
    if (path.endsWith(u"/embeddings")) {
        o.insert(QStringLiteral("input"), text);
    } else if (path.endsWith(u"/responses")) {
        o.insert(QStringLiteral("input"), text);
        o.insert(QStringLiteral("max_output_tokens"), 64);
    } else {
        o.insert(QStringLiteral("messages"),
                 QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("user")}, {QStringLiteral("content"), text}}});
        o.insert(QStringLiteral("max_tokens"), 64);
        if (c.stream) {
            o.insert(QStringLiteral("stream"), true);
            o.insert(QStringLiteral("stream_options"), QJsonObject{{QStringLiteral("include_usage"), true}});
        }
    }
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

} // namespace

class TestMetricsEndpoint final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_keyDir;

    static QJsonObject admin(const QStringList &args, const QString &dataDir)
    {
        QProcess p;
        p.start(binary("relaydeskd"), QStringList{QStringLiteral("admin")} + args +
                                          QStringList{QStringLiteral("--data"), dataDir});
        if (!p.waitForFinished(30000) || p.exitCode() != 0) {
            qWarning("admin %s: %s", qPrintable(args.join(u' ')), p.readAllStandardError().constData());
            return {};
        }
        return QJsonDocument::fromJson(p.readAllStandardOutput()).object();
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(RelayDeskTest::useTemporarySecretKey(m_keyDir.path())); }

    void scrapeMatchesTheLedger()
    {
        QTemporaryDir data;
        QVERIFY(data.isValid());
        const quint16 relayPort = RelayDeskTest::freePort();
        const quint16 metricsPort = RelayDeskTest::freePort();
        QProcess serve;
        QByteArray output;
        QVERIFY2(RelayDeskTest::startServe(serve,
                                           {QStringLiteral("--data"), data.path(), QStringLiteral("--demo"),
                                            QStringLiteral("--metrics-listen"),
                                            QStringLiteral("127.0.0.1:%1").arg(metricsPort)},
                                           relayPort, &output),
                 output.constData());
        const QByteArray announced = "Metrics on http://127.0.0.1:" + QByteArray::number(metricsPort) + "/metrics";
        QVERIFY2(output.contains(announced),
                 output.constData());

        QHash<QString, QByteArray> keys;
        for (const char *name : {"alice", "bob"}) {
            const QString user = QString::fromLatin1(name);
            QVERIFY(!admin({QStringLiteral("user"), QStringLiteral("add"), user, QStringLiteral("--quota"),
                            QStringLiteral("100000000")},
                           data.path())
                         .isEmpty());
            const QJsonObject key = admin({QStringLiteral("key"), QStringLiteral("add"), QStringLiteral("--user"), user,
                                           QStringLiteral("--name"), user + QStringLiteral("-key"),
                                           QStringLiteral("--unlimited")},
                                          data.path());
            keys.insert(user, key.value(u"key").toString().toLatin1());
            QVERIFY(keys.value(user).startsWith("sk-"));
        }

        std::map<std::tuple<QString, QString, int>, int> made; // (kind, model, status) → calls
        for (const Call &c : kCalls) {
            const Reply r = request(relayPort, "POST", c.path, keys.value(QString::fromLatin1(c.user)), body(c));
            QVERIFY2(r.status == c.expectedStatus, qPrintable(QStringLiteral("%1 %2: HTTP %3 %4")
                                                                  .arg(QLatin1String(c.path), QLatin1String(c.model))
                                                                  .arg(r.status)
                                                                  .arg(QString::fromUtf8(r.body.left(300)))));
            ++made[{QString::fromLatin1(c.kind), QString::fromLatin1(c.model), c.expectedStatus}];
        }

        // A stream's client sees its end before its settlement commits: scrape until every call has finished and
        // no reservation is open (both read at scrape time), bounded.
        Reply scrape;
        QList<Sample> samples;
        QVERIFY2(QTest::qWaitFor(
                     [&] {
                         scrape = request(metricsPort, "GET", "/metrics");
                         samples = parseText(scrape.body);
                         return scrape.status == 200 &&
                                total(samples, "relaydesk_requests_total") == double(std::size(kCalls)) &&
                                total(samples, "relaydesk_open_reservations") == 0;
                     },
                     20000),
                 scrape.body.constData());
        QVERIFY2(scrape.head.contains("\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8"),
                 scrape.head.constData());

        for (const auto &[key, n] : made) {
            const auto &[kind, model, status] = key;
            QCOMPARE(total(samples, "relaydesk_requests_total",
                           {{QStringLiteral("kind"), kind}, {QStringLiteral("model"), model},
                            {QStringLiteral("status"), QString::number(status)}}),
                     double(n));
        }

        // The consume rows, summed per user and model (quota) and per model (tokens by direction).
        const auto db = Store::Database::open(data.path(), {});
        QVERIFY2(db.ok(), qPrintable(db.error()));
        const Store::UserRepository users(**db);
        QHash<qint64, QString> names;
        for (const Store::User &u : users.list())
            names.insert(u.id, u.name);
        Store::LogFilter consumed;
        consumed.type = Store::LogType::Consume;
        const QList<Store::LogRecord> rows = Store::LogRepository(**db).page(consumed, 1000).rows;
        QCOMPARE(rows.size(), qsizetype(std::size(kCalls) - 1)); // every call but the failed one settled
        std::map<std::pair<QString, QString>, qint64> spentByLogs;
        std::map<std::pair<QString, QString>, qint64> tokensByLogs; // (model, direction)
        for (const Store::LogRecord &row : rows) {
            spentByLogs[{names.value(row.userId), row.model}] += row.quota;
            const Billing::Usage u = Billing::Usage::fromJson(row.other.value(u"usage").toObject());
            tokensByLogs[{row.model, QStringLiteral("input")}] += u.inputTotal();
            tokensByLogs[{row.model, QStringLiteral("output")}] += u.outputTotal();
        }
        std::map<std::pair<QString, QString>, qint64> spentByMetrics;
        for (const Sample &s : samples)
            if (s.name == "relaydesk_quota_spent_total")
                spentByMetrics[{s.labels.value(QStringLiteral("user")), s.labels.value(QStringLiteral("model"))}] +=
                    qint64(s.value);
        QVERIFY(!spentByLogs.empty());
        QCOMPARE(spentByMetrics, spentByLogs);
        for (const auto &[key, tokens] : tokensByLogs)
            QCOMPARE(qint64(total(samples, "relaydesk_tokens_total",
                                  {{QStringLiteral("model"), key.first}, {QStringLiteral("direction"), key.second}})),
                     tokens);

        // Gauges read at scrape time: each balance as the store has it, the live sessions (none now).
        for (const Store::User &u : users.list())
            QCOMPARE(qint64(total(samples, "relaydesk_user_balance_quota", {{QStringLiteral("user"), u.name}})), u.quota);
        QCOMPARE(total(samples, "relaydesk_users"), double(users.count()));
        QCOMPARE(total(samples, "relaydesk_live_sessions"), 0.0);
        // Every finished call was timed; the JSON ones and the streams had an upstream first byte.
        QCOMPARE(total(samples, "relaydesk_request_duration_seconds_count"), double(std::size(kCalls)));
        QCOMPARE(total(samples, "relaydesk_upstream_first_byte_seconds_count"), double(std::size(kCalls)));
        QVERIFY(total(samples, "relaydesk_ledger_commit_duration_seconds_count") > 0);

        const QString promtool = QStandardPaths::findExecutable(QStringLiteral("promtool"));
        QVERIFY2(!promtool.isEmpty(), "promtool not found: install Debian's `prometheus` (build.sh TEST_PACKAGES has it)");
        QProcess check;
        check.setProcessChannelMode(QProcess::MergedChannels);
        check.start(promtool, {QStringLiteral("check"), QStringLiteral("metrics")});
        QVERIFY(check.waitForStarted(10000));
        check.write(scrape.body);
        check.closeWriteChannel();
        QVERIFY(check.waitForFinished(30000));
        const QByteArray verdict = check.readAll();
        QVERIFY2(check.exitCode() == 0 && verdict.trimmed().isEmpty(), QByteArray(verdict + "\n" + scrape.body).constData());

        // Nothing of it on the relay's port.
        QCOMPARE(request(relayPort, "GET", "/metrics").status, 404);
        serve.terminate();
        QVERIFY(serve.waitForFinished(30000));
    }

    // The metrics listener is never the relay's: the same address and port, or a wildcard on either side of the
    // same port, is refused before anything starts; a malformed address is refused too.
    void refusesTheRelayListener_data()
    {
        QTest::addColumn<QString>("relay");
        QTest::addColumn<QString>("metrics");
        QTest::addColumn<QByteArray>("message");
        QTest::newRow("same") << QStringLiteral("127.0.0.1:18790") << QStringLiteral("127.0.0.1:18790")
                              << QByteArray("must not be the relay's address");
        QTest::newRow("localhost is loopback") << QStringLiteral("127.0.0.1:18790") << QStringLiteral("localhost:18790")
                                               << QByteArray("must not be the relay's address");
        QTest::newRow("wildcard metrics") << QStringLiteral("127.0.0.1:18790") << QStringLiteral("0.0.0.0:18790")
                                          << QByteArray("must not be the relay's address");
        QTest::newRow("wildcard relay") << QStringLiteral("0.0.0.0:18790") << QStringLiteral("127.0.0.1:18790")
                                        << QByteArray("must not be the relay's address");
        QTest::newRow("no port") << QStringLiteral("127.0.0.1:18790") << QStringLiteral("127.0.0.1")
                                 << QByteArray("--metrics-listen wants HOST:PORT");
    }
    void refusesTheRelayListener()
    {
        QFETCH(QString, relay);
        QFETCH(QString, metrics);
        QFETCH(QByteArray, message);
        QTemporaryDir data;
        QProcess serve;
        serve.start(binary("relaydeskd"), {QStringLiteral("serve"), QStringLiteral("--data"), data.path(),
                                           QStringLiteral("--listen"), relay, QStringLiteral("--metrics-listen"), metrics});
        QVERIFY(serve.waitForFinished(30000));
        const QByteArray err = serve.readAllStandardError();
        QCOMPARE(serve.exitCode(), 2);
        QVERIFY2(err.contains(message), err.constData());
    }
};

QTEST_GUILESS_MAIN(TestMetricsEndpoint)
#include "tst_metricsendpoint.moc"
