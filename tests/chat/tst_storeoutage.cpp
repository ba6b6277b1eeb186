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

} // namespace

class TestStoreOutage final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void postgresRestartIsSurvived()
    {
        Testing::PgCluster pg;
        if (!pg.isAvailable())
            QSKIP(qPrintable(pg.skipReason()));
        QVERIFY2(pg.isRunning(), qPrintable(pg.error()));
        const QString url = pg.createDatabase();
        QVERIFY2(!url.isEmpty(), qPrintable(pg.error()));
        QTemporaryDir keyDir;
        QVERIFY(RelayDeskTest::useTemporarySecretKey(keyDir.path()));

        Service::Runtime runtime;
        Service::RuntimeConfig config;
        config.dbUrl = url;
        config.demo = true;
        config.listenPort = 0;
        QVERIFY2(runtime.start(config), qPrintable(runtime.errorString()));
        const QByteArray cachedKey = runtime.demoCredentials()->plainKey.toUtf8();
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
};

QTEST_GUILESS_MAIN(TestStoreOutage)
#include "tst_storeoutage.moc"
