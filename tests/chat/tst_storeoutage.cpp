// The relay through a PostgreSQL restart: while the server is down every call is answered 503
// store_unavailable (never 401 for a valid key, cached or not) and /healthz says the store is down; once the
// server is back the relay reconnects by itself (no restart of the relay), calls succeed again, and the books
// balance. On the old code the relay kept its dead connection forever and answered 401 after the auth cache.
#include "../relay/rawhttpclient.h"
#include "pgcluster.h"
#include "secretkeyfile.h"

#include "service/runtime.h"
#include "store/apikeyrepository.h"
#include "store/database.h"
#include "store/logrepository.h"
#include "store/userrepository.h"

#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

using namespace RelayDesk;
using RelayDeskTest::RawClient;
using RelayDeskTest::RawResponse;

namespace {

RawResponse request(quint16 port, const QByteArray &method, const QByteArray &path, const QByteArray &key,
                    const QByteArray &body = {})
{
    RawClient client;
    if (!client.connectTo(port))
        return {};
    QByteArray r = method + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    if (!key.isEmpty())
        r += "Authorization: Bearer " + key + "\r\n";
    if (!body.isEmpty())
        r += "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n";
    client.send(r + "\r\n" + body);
    return client.readResponse(method == "HEAD", 30000).value_or(RawResponse{});
}

RawResponse chat(quint16 port, const QByteArray &key)
{
    return request(port, "POST", "/v1/chat/completions", key,
                   R"({"model":"gpt-4o-mini","max_tokens":50,"messages":[{"role":"user","content":"hi"}]})");
}

// A relay (demo upstream) on a throwaway PostgreSQL server that the test can stop and start.
struct OutageRig
{
    Testing::PgCluster pg;
    QString url;
    QTemporaryDir keyDir;
    Service::Runtime runtime;
    QString error;

    // chunkDelayMs: the demo upstream's pace between stream chunks (0 = its default).
    bool start(int chunkDelayMs = 0)
    {
        if (!pg.isRunning())
            return fail(pg.error());
        url = pg.createDatabase();
        if (url.isEmpty())
            return fail(pg.error());
        if (!RelayDeskTest::useTemporarySecretKey(keyDir.path()))
            return fail(QStringLiteral("cannot write a temporary secret key"));
        Service::RuntimeConfig config;
        config.dbUrl = url;
        config.demo = true;
        if (chunkDelayMs > 0)
            config.demoOptions.chunkDelayMs = chunkDelayMs;
        config.listenPort = 0;
        return runtime.start(config) || fail(runtime.errorString());
    }
    QByteArray demoKey() const { return runtime.demoCredentials()->plainKey.toUtf8(); }

private:
    bool fail(const QString &why)
    {
        error = why;
        return false;
    }
};

} // namespace

class TestStoreOutage final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void postgresRestartIsSurvived()
    {
        OutageRig rig;
        if (!rig.pg.isAvailable())
            QSKIP(qPrintable(rig.pg.skipReason()));
        QVERIFY2(rig.start(), qPrintable(rig.error));
        Testing::PgCluster &pg = rig.pg;
        Service::Runtime &runtime = rig.runtime;
        const QString url = rig.url;
        const QByteArray cachedKey = rig.demoKey();
        const Store::Database &db = *runtime.database();
        const auto demoUser = Store::UserRepository(db).byName(QStringLiteral("demo"));
        QVERIFY(demoUser);
        Store::NewApiKey spec;
        spec.userId = demoUser->id;
        spec.name = QStringLiteral("never-used-before-the-outage");
        spec.unlimited = true;
        const auto freshKey = Store::ApiKeyRepository(db).create(spec);
        QVERIFY(freshKey);
        const quint16 port = runtime.port();

        QCOMPARE(chat(port, cachedKey).status, 200);
        QCOMPARE(request(port, "GET", "/healthz", {}).status, 200);

        QVERIFY2(pg.stopServer(), qPrintable(pg.error()));
        for (const QByteArray &key : {cachedKey, freshKey->plainKey.toUtf8()}) {
            const RawResponse down = chat(port, key);
            QCOMPARE(down.status, 503);
            QCOMPARE(down.error().value(QStringLiteral("code")).toString(), QStringLiteral("store_unavailable"));
        }
        const RawResponse health = request(port, "GET", "/healthz", {});
        QCOMPARE(health.status, 503);
        QCOMPARE(health.json().value(QStringLiteral("store")).toString(), QStringLiteral("unavailable"));
        QVERIFY(!health.json().value(QStringLiteral("reason")).toString().isEmpty());

        QVERIFY2(pg.startServer(), qPrintable(pg.error()));
        // The relay reconnects on its own: within its back-off (at most 5 s) calls go through again.
        QVERIFY(RelayDeskTest::spinUntil([&] { return request(port, "GET", "/healthz", {}).status == 200; }, 30000));
        QCOMPARE(chat(port, cachedKey).status, 200);
        QCOMPARE(chat(port, freshKey->plainKey.toUtf8()).status, 200);
        const RawResponse wrong = chat(port, "sk-" + QByteArray(48, 'x'));
        QCOMPARE(wrong.status, 401); // a really unknown key is still told so

        runtime.stop();
        auto reopened = Store::Database::openUrl(url);
        QVERIFY2(reopened, qPrintable(reopened.error()));
        Store::LogFilter consume;
        consume.type = Store::LogType::Consume;
        consume.userId = demoUser->id;
        const auto after = Store::UserRepository(*reopened.value()).byId(demoUser->id);
        QCOMPARE(Store::LogRepository(*reopened.value()).count(consume), qint64(3));
        QCOMPARE(Service::Runtime::kDemoUserQuota - after->quota,
                 Store::LogRepository(*reopened.value()).sumQuota(consume));
    }

    // A stream that was being served when the server went down ends while it is still down: its settlement
    // waits for the store instead of being dropped, and lands (upstream usage, one consume row) once it is back.
    void settlementWaitsForTheStore()
    {
        OutageRig rig;
        if (!rig.pg.isAvailable())
            QSKIP(qPrintable(rig.pg.skipReason()));
        QVERIFY2(rig.start(30), qPrintable(rig.error)); // "slow": 300 ms between chunks
        Testing::PgCluster &pg = rig.pg;
        Service::Runtime &runtime = rig.runtime;
        const QString url = rig.url;
        const QByteArray key = rig.demoKey();

        RawClient client;
        QVERIFY(client.connectTo(runtime.port()));
        const QByteArray body =
            R"({"model":"gpt-4o-mini","stream":true,"max_tokens":200,"messages":[{"role":"user","content":"story [[scenario:slow]]"}]})";
        client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    "Authorization: Bearer " + key + "\r\nContent-Length: " + QByteArray::number(body.size()) +
                    "\r\n\r\n" + body);
        QVERIFY(client.waitFor("\"content\"", 30000)); // the hold is committed and the stream is flowing
        QVERIFY2(pg.stopServer(), qPrintable(pg.error()));
        QVERIFY(client.waitFor("[DONE]", 60000));
        QVERIFY2(pg.startServer(), qPrintable(pg.error()));

        auto reopened = Store::Database::openUrl(url);
        QVERIFY2(reopened, qPrintable(reopened.error()));
        const Store::Database &db = *reopened.value();
        Store::LogFilter consume;
        consume.type = Store::LogType::Consume;
        QVERIFY(RelayDeskTest::spinUntil([&] { return Store::LogRepository(db).count(consume) == 1; }, 30000));
        const Store::LogRecord row = Store::LogRepository(db).page(consume, 10).rows.value(0);
        QCOMPARE(row.other.value(QStringLiteral("usage_source")).toString(), QStringLiteral("upstream"));
        QVERIFY(row.completionTokens > 0);
        runtime.stop();
        const auto demo = Store::UserRepository(db).byName(QStringLiteral("demo"));
        QCOMPARE(Service::Runtime::kDemoUserQuota - demo->quota, row.quota);
    }
};

QTEST_GUILESS_MAIN(TestStoreOutage)
#include "tst_storeoutage.moc"
