// Admin edits reach a running `relaydeskd serve` without a restart (issue 11, "Done when"): while it serves, a
// second process (`relaydeskd admin …` on the same --data or --db) adds a channel for a new model (its calls stop
// being 404), imports prices (the next call is charged at the new price, to the quota unit), disables a key (its
// calls are refused) and disables a channel (its model is no longer served). Each must take effect within 2 s of
// the admin command's exit, on SQLite and on PostgreSQL; the measured times are printed. In the console's own
// process, its AdminService's edits apply at once (Runtime::follow), long before the feed's poll would.
#include "binaries.h"
#include "pgcluster.h"
#include "secretkeyfile.h"

#include "service/adminservice.h"
#include "service/runtime.h"
#include "store/database.h"
#include "store/logrepository.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QTemporaryDir>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QtTest>

using namespace RelayDesk;
using RelayDeskTest::binary;

namespace {

constexpr int kBoundMs = 2000;
const QString kModel = QStringLiteral("live-model");

struct Reply
{
    int status = 0;
    QByteArray body;
};

// One request (Connection: close) and its status; 0 when the relay did not answer.
Reply request(quint16 port, const QByteArray &key, const QByteArray &method, const QByteArray &path,
              const QByteArray &body = {})
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return {};
    socket.write(method + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                 "Content-Type: application/json\r\nAuthorization: Bearer " + key +
                 "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    QByteArray raw;
    while (socket.state() == QAbstractSocket::ConnectedState && socket.waitForReadyRead(10000))
        raw += socket.readAll();
    raw += socket.readAll();
    Reply r;
    if (raw.startsWith("HTTP/1.1 "))
        r.status = raw.mid(9, 3).toInt();
    r.body = raw.mid(raw.indexOf("\r\n\r\n") + 4);
    return r;
}

Reply chat(quint16 port, const QByteArray &key, const QString &model)
{
    return request(port, key, "POST", "/v1/chat/completions",
                   QByteArrayLiteral(R"({"model":")") + model.toUtf8() +
                       R"(","max_tokens":32,"messages":[{"role":"user","content":"Hello there."}]})");
}

// GET /v1/models answers from key authentication alone (no ledger): it shows what the auth cache holds.
int models(quint16 port, const QByteArray &key)
{
    return request(port, key, "GET", "/v1/models").status;
}

} // namespace

class TestLiveChanges final : public QObject
{
    Q_OBJECT

    std::unique_ptr<Testing::PgCluster> m_pg;
    QTemporaryDir m_keyDir; // the channel-secret key of every database here (and of the processes started)
    QStringList m_where; // --data DIR or --db URL
    std::shared_ptr<Store::Database> m_db;
    qint64 m_lastAdminMs = 0; // how long the last admin command ran (start-up, open, write, exit)
    QStringList m_report;

    // `relaydeskd admin …` on the same database; its JSON output (an empty object on failure).
    QJsonObject admin(const QStringList &args, int *exitCode = nullptr)
    {
        QProcess p;
        QElapsedTimer ran;
        ran.start();
        p.start(binary("relaydeskd"), QStringList{QStringLiteral("admin")} + args + m_where);
        if (!p.waitForFinished(30000))
            return {};
        m_lastAdminMs = ran.elapsed();
        if (exitCode)
            *exitCode = p.exitCode();
        if (p.exitCode() != 0)
            qWarning("admin %s: %s", qPrintable(args.join(u' ')), p.readAllStandardError().constData());
        return QJsonDocument::fromJson(p.readAllStandardOutput()).object();
    }

    bool importPrices(const QJsonObject &edit, QTemporaryDir &dir)
    {
        const QString path = dir.filePath(QStringLiteral("prices-%1.json").arg(QDateTime::currentMSecsSinceEpoch()));
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(QJsonDocument(edit).toJson()) <= 0)
            return false;
        file.close();
        int code = -1;
        admin({QStringLiteral("pricing"), QStringLiteral("import"), path}, &code);
        return code == 0;
    }

    // The newest consume row of the user.
    std::optional<Store::LogRecord> lastConsume(qint64 userId) const
    {
        Store::LogFilter filter;
        filter.type = Store::LogType::Consume;
        filter.userId = userId;
        const auto rows = Store::LogRepository(*m_db).page(filter, 50).rows;
        if (rows.isEmpty())
            return std::nullopt;
        return *std::max_element(rows.begin(), rows.end(),
                                 [](const auto &a, const auto &b) { return a.id < b.id; });
    }

    // Waits (bounded) until `done` holds, counting from the admin command's exit (its write is committed by
    // then); returns how long it took, or -1 past the bound.
    qint64 takesEffect(const char *what, const std::function<bool()> &done)
    {
        QElapsedTimer took;
        took.start();
        if (!QTest::qWaitFor(done, kBoundMs + 1000))
            return -1;
        const qint64 ms = took.elapsed();
        m_report << QStringLiteral("%1 %2 ms (the command ran %3 ms)").arg(QLatin1String(what)).arg(ms).arg(m_lastAdminMs);
        return ms;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(RelayDeskTest::useTemporarySecretKey(m_keyDir.path())); }

    void editsApplyWhileServing_data()
    {
        QTest::addColumn<QString>("backend");
        QTest::newRow("sqlite") << QStringLiteral("sqlite");
        QTest::newRow("postgres") << QStringLiteral("postgres");
    }

    void editsApplyWhileServing()
    {
        QFETCH(QString, backend);
        m_report.clear();
        QTemporaryDir data;
        QVERIFY(data.isValid());
        m_where = {QStringLiteral("--data"), data.path()};
        if (backend == u"postgres") {
            const auto pg = Testing::createPgDatabase(m_pg);
            if (!pg.skip.isEmpty())
                QSKIP(qPrintable(pg.skip));
            QVERIFY2(!pg.url.isEmpty(), qPrintable(pg.error));
            m_where = {QStringLiteral("--db"), pg.url};
        }

        QProcess upstream;
        upstream.start(binary("relaydesk-fakeupstream"));
        QVERIFY(QTest::qWaitFor([&] { return upstream.canReadLine(); }, 30000));
        const QByteArray portLine = upstream.readLine().trimmed();
        QVERIFY2(portLine.startsWith("PORT "), portLine.constData());

        // A user, two keys and a price of 1 quota per token (in and out) for the model, all before serve starts.
        const QJsonObject user = admin({QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("live"),
                                        QStringLiteral("--quota"), QStringLiteral("1000000000")});
        const qint64 userId = user.value(u"id").toInteger();
        QVERIFY2(userId > 0, QJsonDocument(user).toJson().constData());
        QByteArray keys[2];
        for (int i = 0; i < 2; ++i) {
            const QJsonObject key = admin({QStringLiteral("key"), QStringLiteral("add"), QStringLiteral("--user"),
                                           QStringLiteral("live"), QStringLiteral("--name"),
                                           QStringLiteral("live-key-%1").arg(i), QStringLiteral("--unlimited")});
            keys[i] = key.value(u"key").toString().toLatin1();
            QVERIFY(keys[i].startsWith("sk-"));
        }
        QVERIFY(importPrices({{QStringLiteral("ModelRatio"), QJsonObject{{kModel, 1}}},
                              {QStringLiteral("CompletionRatio"), QJsonObject{{kModel, 1}}}},
                             data));

        const quint16 port = RelayDeskTest::freePort();
        QProcess serve;
        QByteArray output;
        QVERIFY2(RelayDeskTest::startServe(serve, m_where, port, &output), output.constData());
        auto opened = Store::Database::open(data.path(), backend == u"postgres" ? m_where.at(1) : QString());
        QVERIFY2(opened, qPrintable(opened.error()));
        m_db = opened.value();

        // 1. A channel for a new model: 404 until the edit, then served.
        QCOMPARE(chat(port, keys[0], kModel).status, 404);
        int code = -1;
        admin({QStringLiteral("channel"), QStringLiteral("add"), QStringLiteral("--name"), QStringLiteral("live"),
               QStringLiteral("--base-url"), QStringLiteral("http://127.0.0.1:") + QString::fromLatin1(portLine.mid(5)),
               QStringLiteral("--key"), QStringLiteral("unused"), QStringLiteral("--models"), kModel},
              &code);
        QCOMPARE(code, 0);
        const qint64 channelMs = takesEffect("channel add", [&] { return chat(port, keys[0], kModel).status == 200; });
        QVERIFY2(channelMs >= 0 && channelMs <= kBoundMs, qPrintable(QString::number(channelMs)));
        const auto before = lastConsume(userId);
        QVERIFY(before);
        QVERIFY(before->promptTokens > 0 && before->completionTokens > 0);
        QCOMPARE(before->quota, before->promptTokens + before->completionTokens); // 1 quota per token

        // 2. New prices: the next call is charged at ten times the old price, exactly.
        QVERIFY(importPrices({{QStringLiteral("ModelRatio"), QJsonObject{{kModel, 10}}}}, data));
        std::optional<Store::LogRecord> after;
        const qint64 pricingMs = takesEffect("pricing import", [&] {
            if (chat(port, keys[0], kModel).status != 200)
                return false;
            after = lastConsume(userId);
            return after && after->id != before->id &&
                   after->quota != after->promptTokens + after->completionTokens;
        });
        QVERIFY2(pricingMs >= 0 && pricingMs <= kBoundMs, qPrintable(QString::number(pricingMs)));
        QCOMPARE(after->quota, 10 * (after->promptTokens + after->completionTokens));

        // 3. A disabled key is refused (the other key still works). The ledger's reserve checks the key's status
        // in the store, so chat refuses it at once; GET /v1/models authenticates only, from the auth cache, so
        // it shows the cache entry being dropped.
        QCOMPARE(chat(port, keys[1], kModel).status, 200);
        QCOMPARE(models(port, keys[1]), 200);
        admin({QStringLiteral("key"), QStringLiteral("disable"), QStringLiteral("live-key-1")}, &code);
        QCOMPARE(code, 0);
        const qint64 keyMs = takesEffect("key disable", [&] {
            const int status = models(port, keys[1]);
            return status == 401 || status == 403;
        });
        QVERIFY2(keyMs >= 0 && keyMs <= kBoundMs, qPrintable(QString::number(keyMs)));
        const Reply refused = chat(port, keys[1], kModel);
        QVERIFY2(refused.status == 401 || refused.status == 403, refused.body.constData());
        QVERIFY2(refused.body.contains("disabled"), refused.body.constData());
        QCOMPARE(models(port, keys[0]), 200);
        QCOMPARE(chat(port, keys[0], kModel).status, 200);

        // 4. A disabled channel: its model is no longer served.
        admin({QStringLiteral("channel"), QStringLiteral("disable"), QStringLiteral("live")}, &code);
        QCOMPARE(code, 0);
        Reply gone;
        const qint64 disableMs = takesEffect("channel disable", [&] {
            gone = chat(port, keys[0], kModel);
            return gone.status == 404 || gone.status == 503;
        });
        QVERIFY2(disableMs >= 0 && disableMs <= kBoundMs, qPrintable(QString::number(disableMs)));

        qInfo("%s: took effect after the command exited: %s (bound %d ms)", qPrintable(backend),
              qPrintable(m_report.join(QStringLiteral(", "))), kBoundMs);
        m_report.clear();
        m_db.reset();
        serve.terminate();
        QVERIFY(serve.waitForFinished(30000));
        upstream.terminate();
        QVERIFY(upstream.waitForFinished(30000));
    }

    // The console's case: the AdminService of the process that relays. The feed's poll is made a minute long, so
    // only Runtime::follow (changed() -> the relay thread) can apply the edits in time.
    void sameProcessEditsApplyAtOnce()
    {
        QTemporaryDir data;
        Service::RuntimeConfig config;
        config.dataDir = data.path();
        config.listenPort = 0;
        config.changePollMs = 60'000;
        Service::Runtime runtime;
        QVERIFY2(runtime.start(config), qPrintable(runtime.errorString()));
        const QByteArray key = runtime.demoCredentials()->plainKey.toLatin1();
        m_db = runtime.database();
        Service::AdminService admin(m_db, Service::AdminService::Actor::Console);
        runtime.follow(&admin);
        const quint16 port = runtime.port();
        constexpr int kAtOnceMs = 1000;
        const auto within = [](const std::function<bool()> &done) {
            QElapsedTimer took;
            took.start();
            return QTest::qWaitFor(done, kAtOnceMs) ? took.elapsed() : qint64(-1);
        };

        QVERIFY(admin.importPricing({{QStringLiteral("ModelRatio"), QJsonObject{{kModel, 1}}},
                                     {QStringLiteral("CompletionRatio"), QJsonObject{{kModel, 1}}}}));
        QCOMPARE(chat(port, key, kModel).status, 404);
        Store::Channel channel;
        channel.name = QStringLiteral("live");
        channel.baseUrl = runtime.demoUpstream()->baseUrl();
        channel.secret = QStringLiteral("demo");
        channel.models = {kModel};
        channel.groups = {QStringLiteral("default")};
        QVERIFY(admin.addChannel(channel));
        const qint64 channelMs = within([&] { return chat(port, key, kModel).status == 200; });
        QVERIFY2(channelMs >= 0, "the console's channel add applied at once");
        const qint64 userId = admin.userByName(QStringLiteral("demo"))->id;
        const auto before = lastConsume(userId);
        QVERIFY(before);
        QCOMPARE(before->quota, before->promptTokens + before->completionTokens);

        QVERIFY(admin.importPricing({{QStringLiteral("ModelRatio"), QJsonObject{{kModel, 10}}}}));
        std::optional<Store::LogRecord> after;
        const qint64 pricingMs = within([&] {
            after = chat(port, key, kModel).status == 200 ? lastConsume(userId) : std::nullopt;
            return after && after->quota != after->promptTokens + after->completionTokens;
        });
        QVERIFY2(pricingMs >= 0, "the console's price import applied at once");
        QCOMPARE(after->quota, 10 * (after->promptTokens + after->completionTokens));

        QCOMPARE(models(port, key), 200);
        QVERIFY(admin.setKeyStatus(admin.keyByName(QStringLiteral("demo"))->id, Store::RowStatus::Disabled));
        const qint64 keyMs = within([&] {
            const int status = models(port, key);
            return status == 401 || status == 403;
        });
        QVERIFY2(keyMs >= 0, "the console's key disable applied at once");
        qInfo("same process: channel add %lld ms, pricing import %lld ms, key disable %lld ms (feed poll 60 s)",
              channelMs, pricingMs, keyMs);
        m_db.reset();
        runtime.stop();
    }
};

QTEST_GUILESS_MAIN(TestLiveChanges)
#include "tst_livechanges.moc"
