// IP allow-lists end to end: the relay (Runtime on its thread, the demo upstream on another, temporary SQLite, real
// loopback sockets) with a list on the key or on its user. A caller inside the list is served; one outside it is
// refused at authentication — on every route, the Responses WebSocket and Realtime upgrades, and for an ek_ client
// secret by its parent key's lists — with 403 naming the address seen (OpenAI's permission_error / ip_not_allowed;
// Anthropic's permission_error on /v1/messages), nothing reserved, nothing debited. Behind a trusted proxy the
// address is X-Forwarded-For's first untrusted hop from the right; spoofed left-most entries change nothing.
// The lists are cached with the key and user rows: an edit applies after the invalidation (the change feed's, for
// an edit of another connection), not before.
#include "meteredrelay.h"

#include "service/adminservice.h"
#include "store/limitrepository.h"

#include <QtCore/QJsonArray>

using namespace RelayDesk;

namespace {

const QString kMini = QStringLiteral("gpt-4o-mini");
const QString kSonnet = QStringLiteral("claude-sonnet-4-5-20250929");
const QHostAddress kLoopback(QStringLiteral("127.0.0.1"));

QByteArray chatBody()
{
    return QJsonDocument(QJsonObject{{QStringLiteral("model"), kMini},
                                     {QStringLiteral("max_tokens"), 16},
                                     {QStringLiteral("messages"), QJsonArray{QJsonObject{
                                          {QStringLiteral("role"), QStringLiteral("user")},
                                          {QStringLiteral("content"), QStringLiteral("Say hello.")}}}}})
        .toJson(QJsonDocument::Compact);
}

QByteArray messagesBody()
{
    return QJsonDocument(QJsonObject{{QStringLiteral("model"), kSonnet},
                                     {QStringLiteral("max_tokens"), 16},
                                     {QStringLiteral("messages"), QJsonArray{QJsonObject{
                                          {QStringLiteral("role"), QStringLiteral("user")},
                                          {QStringLiteral("content"), QStringLiteral("Say hello.")}}}}})
        .toJson(QJsonDocument::Compact);
}

// The request bytes of `route` (chat, messages, models, responses-ws, realtime) with `key` and extra header lines.
QByteArray requestFor(const QString &route, const QByteArray &key, const QByteArray &extraHeaders)
{
    QByteArray r;
    if (route == u"chat")
        r = RelayDeskTest::httpRequest("POST", "/v1/chat/completions", chatBody(), key);
    else if (route == u"messages")
        r = RelayDeskTest::httpRequest("POST", "/v1/messages", messagesBody(), key);
    else if (route == u"models")
        r = RelayDeskTest::httpRequest("GET", "/v1/models", {}, key);
    else {
        // A WebSocket upgrade; Realtime names a model no channel serves, so an admitted upgrade ends in 404 there.
        const QByteArray path = route == u"realtime" ? "/v1/realtime?model=no-such-model" : "/v1/responses";
        r = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            "Authorization: Bearer " + key + "\r\n\r\n";
    }
    if (route == u"messages")
        r.replace("\r\n\r\n", "\r\nanthropic-version: 2023-06-01\r\n\r\n");
    return r.replace("\r\n\r\n", QByteArray("\r\n" + extraHeaders + "\r\n"));
}

} // namespace

class TestIpAllowRelay final : public QObject
{
    Q_OBJECT

private:
    RelayDeskTest::MeteredRelay m_relay;
    std::unique_ptr<Service::AdminService> m_admin;
    Store::ApiKey m_key;

    RelayDeskTest::RawResponse call(const QString &route, const QHostAddress &from = kLoopback,
                                    const QByteArray &extraHeaders = {}, QByteArray key = {},
                                    quint16 port = 0, const QHostAddress &to = kLoopback)
    {
        const qsizetype before = m_relay.results().size();
        RelayDeskTest::RawClient client;
        if (!client.connectTo(port ? port : m_relay.runtime().port(), from, to))
            return {};
        client.send(requestFor(route, key.isEmpty() ? m_relay.key() : key, extraHeaders));
        const auto r = client.readResponse(false, 30000);
        if (r && r->status == 200 && (route == u"chat" || route == u"messages"))
            RelayDeskTest::spinUntil([&] { return m_relay.results().size() > before; }, 30000);
        return r.value_or(RelayDeskTest::RawResponse());
    }

    // Sets the owner's list and drops the cached rows at once (as the change feed would, within its poll).
    bool allow(const QString &owner, const QStringList &cidrs)
    {
        const auto set = owner == u"key" ? m_admin->setKeyAllowedIps(m_key.id, cidrs)
                                         : m_admin->setUserAllowedIps(m_key.userId, cidrs);
        owner == u"key" ? m_relay.runtime().invalidateKey(m_key.id) : m_relay.runtime().invalidateUser(m_key.userId);
        return bool(set);
    }
    bool clearLists() { return allow(QStringLiteral("key"), {}) && allow(QStringLiteral("user"), {}); }

    // A refusal as it must look: 403 in the route's shape, naming `seen`, nothing reserved or debited.
    void checkRefused(const RelayDeskTest::RawResponse &r, const QString &route, const QString &seen,
                      qint64 reservations, qint64 balance)
    {
        QCOMPARE(r.status, 403);
        const QJsonObject error = r.json().value(QStringLiteral("error")).toObject();
        const QString message = error.value(QStringLiteral("message")).toString();
        QVERIFY2(message.contains(QStringLiteral("IP address %1 ").arg(seen)), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("allow-list")), qPrintable(message));
        QVERIFY(!message.contains(QString::fromUtf8(m_relay.key())));
        QVERIFY2(message.contains(QStringLiteral("the API key ")) || message.contains(QStringLiteral("the user 'ipallow'")),
                 qPrintable(message));
        if (route == u"messages") {
            QCOMPARE(r.json().value(QStringLiteral("type")).toString(), QStringLiteral("error"));
            QCOMPARE(error.value(QStringLiteral("type")).toString(), QStringLiteral("permission_error"));
        } else {
            QCOMPARE(error.value(QStringLiteral("type")).toString(), QStringLiteral("permission_error"));
            QCOMPARE(error.value(QStringLiteral("code")).toString(), QStringLiteral("ip_not_allowed"));
        }
        QCOMPARE(m_relay.reservations(), reservations);
        QCOMPARE(m_relay.balance(), balance);
    }

private slots:
    void initTestCase()
    {
        RelayDeskTest::MeteredRelay::Setup setup;
        setup.user = QStringLiteral("ipallow");
        setup.models = {kMini};
        // 127.0.0.1 is a trusted proxy from the start (serve --trusted-proxy); other loopback addresses are not.
        setup.configure = [](Service::RuntimeConfig &config) { config.trustedProxies = {QStringLiteral("127.0.0.1")}; };
        QVERIFY(m_relay.start(this, setup));
        Store::Channel claude;
        claude.name = QStringLiteral("claude");
        claude.type = QStringLiteral("anthropic");
        claude.baseUrl = m_relay.runtime().demoUpstream()->baseUrl();
        claude.secret = QStringLiteral("demo");
        claude.models = {kSonnet};
        claude.groups = {QStringLiteral("default")};
        QVERIFY(Store::ChannelRepository(m_relay.db()).create(claude));
        m_relay.runtime().invalidateChannels();
        m_admin = std::make_unique<Service::AdminService>(m_relay.runtime().database(), Service::AdminService::Actor::Cli);
        const auto key = Store::ApiKeyRepository(m_relay.db()).byName(QStringLiteral("ipallow-key"));
        QVERIFY(key);
        m_key = *key;
    }

    void cleanupTestCase()
    {
        m_relay.checkLogsEqualDebits();
        m_admin.reset();
        m_relay.stop();
    }

    void listDecidesAtAuthentication_data()
    {
        QTest::addColumn<QString>("route");
        QTest::addColumn<QString>("owner");
        QTest::addColumn<QStringList>("list");
        QTest::addColumn<int>("allowedStatus"); // what an admitted call of the route answers
        QTest::addColumn<bool>("allowed");
        const QStringList outside{"10.0.0.0/8", "2001:db8::/32"};
        QTest::newRow("chat, key, exact address") << "chat" << "key" << QStringList{"127.0.0.1"} << 200 << true;
        QTest::newRow("chat, key, outside") << "chat" << "key" << outside << 200 << false;
        QTest::newRow("chat, user, loopback /8") << "chat" << "user" << QStringList{"127.0.0.0/8"} << 200 << true;
        QTest::newRow("chat, user, outside") << "chat" << "user" << outside << 200 << false;
        QTest::newRow("chat, key, mapped entry") << "chat" << "key" << QStringList{"::ffff:127.0.0.1"} << 200 << true;
        QTest::newRow("chat, key, IPv4 /0") << "chat" << "key" << QStringList{"0.0.0.0/0"} << 200 << true;
        QTest::newRow("chat, key, IPv6 /0 holds IPv4") << "chat" << "key" << QStringList{"::/0"} << 200 << true;
        QTest::newRow("chat, key, ::1 is not 127.0.0.1") << "chat" << "key" << QStringList{"::1"} << 200 << false;
        QTest::newRow("chat, key, second entry") << "chat" << "key" << QStringList{"10.0.0.0/8", "127.0.0.1"} << 200
                                                 << true;
        QTest::newRow("messages, key, inside") << "messages" << "key" << QStringList{"127.0.0.1"} << 200 << true;
        QTest::newRow("messages, key, outside") << "messages" << "key" << outside << 200 << false;
        QTest::newRow("messages, user, outside") << "messages" << "user" << outside << 200 << false;
        QTest::newRow("models, key, inside") << "models" << "key" << QStringList{"127.0.0.1"} << 200 << true;
        QTest::newRow("models, user, outside") << "models" << "user" << outside << 200 << false;
        QTest::newRow("responses websocket, key, inside") << "responses-ws" << "key" << QStringList{"127.0.0.1"} << 101
                                                          << true;
        QTest::newRow("responses websocket, key, outside") << "responses-ws" << "key" << outside << 101 << false;
        QTest::newRow("realtime, key, inside") << "realtime" << "key" << QStringList{"127.0.0.1"} << 404 << true;
        QTest::newRow("realtime, user, outside") << "realtime" << "user" << outside << 404 << false;
    }

    void listDecidesAtAuthentication()
    {
        QFETCH(QString, route);
        QFETCH(QString, owner);
        QFETCH(QStringList, list);
        QFETCH(int, allowedStatus);
        QFETCH(bool, allowed);
        QVERIFY(clearLists());
        QCOMPARE(call(route).status, allowedStatus); // without a list: served
        QVERIFY(allow(owner, list));
        const qint64 reservations = m_relay.reservations();
        const qint64 balance = m_relay.balance();
        const auto r = call(route);
        if (allowed)
            QCOMPARE(r.status, allowedStatus);
        else
            checkRefused(r, route, QStringLiteral("127.0.0.1"), reservations, balance);
        // The other owner's list applies too: both must allow.
        if (allowed) {
            QVERIFY(allow(owner == u"key" ? QStringLiteral("user") : QStringLiteral("key"), {QStringLiteral("10.0.0.0/8")}));
            checkRefused(call(route), route, QStringLiteral("127.0.0.1"), m_relay.reservations(), m_relay.balance());
        }
    }

    void clientSecretFollowsItsParentsLists_data()
    {
        QTest::addColumn<QString>("owner");
        QTest::newRow("key") << "key";
        QTest::newRow("user") << "user";
    }

    void clientSecretFollowsItsParentsLists()
    {
        QFETCH(QString, owner);
        QVERIFY(clearLists());
        const auto minted = RelayDeskTest::exchangeWith(
            m_relay.runtime().port(), "POST", "/v1/realtime/client_secrets",
            R"({"expires_after":{"anchor":"created_at","seconds":60},"session":{}})", m_relay.key());
        QCOMPARE(minted.http.status, 200);
        const QByteArray secret = minted.json().value(QStringLiteral("value")).toString().toUtf8();
        QVERIFY(secret.startsWith("ek_"));
        const auto admitted = call(QStringLiteral("realtime"), kLoopback, {}, secret);
        // Past authentication: refused only for the URL's model, which is not the one the secret was minted for.
        QVERIFY2(admitted.status == 400 && admitted.error().value(QStringLiteral("code")).toString() == u"invalid_value",
                 admitted.body.constData());
        QVERIFY(allow(owner, {QStringLiteral("10.0.0.0/8")}));
        checkRefused(call(QStringLiteral("realtime"), kLoopback, {}, secret), QStringLiteral("realtime"),
                     QStringLiteral("127.0.0.1"), m_relay.reservations(), m_relay.balance());
        // Minting a new secret from outside the list is refused as well.
        const auto again = RelayDeskTest::exchangeWith(m_relay.runtime().port(), "POST", "/v1/realtime/client_secrets",
                                                       R"({"session":{}})", m_relay.key());
        QCOMPARE(again.http.status, 403);
    }

    void forwardedFor_data()
    {
        QTest::addColumn<QString>("from");          // the peer (127.0.0.1 is the trusted proxy)
        QTest::addColumn<QByteArray>("forwardedFor"); // empty: no header
        QTest::addColumn<QString>("seen");          // the address the list is checked against
        QTest::newRow("trusted proxy: the hop it saw") << "127.0.0.1" << QByteArray("10.1.2.3") << "10.1.2.3";
        QTest::newRow("trusted proxy: spoofed left-most ignored") << "127.0.0.1" << QByteArray("10.1.2.3, 198.51.100.7")
                                                                  << "198.51.100.7";
        QTest::newRow("trusted proxy: garbage right-most") << "127.0.0.1" << QByteArray("10.1.2.3, garbage")
                                                           << "127.0.0.1";
        QTest::newRow("trusted proxy: no header") << "127.0.0.1" << QByteArray() << "127.0.0.1";
        QTest::newRow("untrusted peer: header ignored") << "127.0.0.2" << QByteArray("10.1.2.3") << "127.0.0.2";
    }

    void forwardedFor()
    {
        QFETCH(QString, from);
        QFETCH(QByteArray, forwardedFor);
        QFETCH(QString, seen);
        QVERIFY(clearLists());
        const QByteArray header = forwardedFor.isEmpty() ? QByteArray() : "X-Forwarded-For: " + forwardedFor + "\r\n";
        // Allowed: exactly the address seen. Refused: a list without it, the refusal naming it.
        QVERIFY(allow(QStringLiteral("key"), {seen}));
        QCOMPARE(call(QStringLiteral("chat"), QHostAddress(from), header).status, 200);
        QVERIFY(allow(QStringLiteral("key"), {QStringLiteral("192.0.2.0/24")}));
        checkRefused(call(QStringLiteral("chat"), QHostAddress(from), header), QStringLiteral("chat"), seen,
                     m_relay.reservations(), m_relay.balance());
    }

    void trustedProxyOptionAppliesThroughTheChangeFeed()
    {
        QVERIFY(clearLists());
        QVERIFY(allow(QStringLiteral("key"), {QStringLiteral("10.0.0.0/8")}));
        const QHostAddress proxy(QStringLiteral("127.0.0.3"));
        const QByteArray header = "X-Forwarded-For: 10.9.8.7\r\n";
        checkRefused(call(QStringLiteral("models"), proxy, header), QStringLiteral("models"), QStringLiteral("127.0.0.3"),
                     m_relay.reservations(), m_relay.balance());
        // The option, set by another connection (as `relaydeskd admin trusted-proxies --set` would): the running relay
        // learns it from the change feed, without a restart, and keeps the proxies it was started with.
        QVERIFY(m_admin->setTrustedProxies({QStringLiteral("127.0.0.3")}));
        QVERIFY(RelayDeskTest::spinUntil([&] { return call(QStringLiteral("models"), proxy, header).status == 200; }, 15000));
        QCOMPARE(call(QStringLiteral("models"), kLoopback, header).status, 200);
        QVERIFY(m_admin->setTrustedProxies({}));
        QVERIFY(RelayDeskTest::spinUntil([&] { return call(QStringLiteral("models"), proxy, header).status == 403; }, 15000));
    }

    void listsAreCachedWithTheRows()
    {
        QVERIFY(clearLists());
        QCOMPARE(call(QStringLiteral("models")).status, 200); // the key's rows are cached now
        // Written behind the relay's back (no change row): the cached rows still admit …
        QVERIFY(Store::LimitRepository(m_relay.db()).setAllowedIps(QStringLiteral("key"), m_key.id, {QStringLiteral("10.0.0.0/8")}));
        QCOMPARE(call(QStringLiteral("models")).status, 200);
        // … until the key's entry is dropped.
        m_relay.runtime().invalidateKey(m_key.id);
        QCOMPARE(call(QStringLiteral("models")).status, 403);
        // An edit through AdminService of another connection reaches the relay through the change feed.
        QVERIFY(m_admin->setKeyAllowedIps(m_key.id, {QStringLiteral("127.0.0.1")}));
        QVERIFY(RelayDeskTest::spinUntil([&] { return call(QStringLiteral("models")).status == 200; }, 15000));
    }

    void ipv6Loopback_data()
    {
        QTest::addColumn<QStringList>("list");
        QTest::addColumn<bool>("allowed");
        QTest::newRow("::1") << QStringList{"::1"} << true;
        QTest::newRow("::/0") << QStringList{"::/0"} << true;
        QTest::newRow("127.0.0.1 is not ::1") << QStringList{"127.0.0.1"} << false;
        QTest::newRow("IPv4 /0 is not IPv6") << QStringList{"0.0.0.0/0"} << false;
    }

    void ipv6Loopback()
    {
        QFETCH(QStringList, list);
        QFETCH(bool, allowed);
        // A second relay on ::1 sharing nothing with the first.
        RelayDeskTest::MeteredRelay v6;
        RelayDeskTest::MeteredRelay::Setup setup;
        setup.user = QStringLiteral("six");
        setup.models = {kMini};
        setup.configure = [](Service::RuntimeConfig &config) { config.listenAddress = QHostAddress::LocalHostIPv6; };
        QVERIFY(v6.start(this, setup));
        Service::AdminService admin(v6.runtime().database(), Service::AdminService::Actor::Cli);
        const auto key = Store::ApiKeyRepository(v6.db()).byName(QStringLiteral("six-key"));
        QVERIFY(key);
        QVERIFY(admin.setKeyAllowedIps(key->id, list));
        RelayDeskTest::RawClient client;
        QVERIFY(client.connectTo(v6.runtime().port(), {}, QHostAddress::LocalHostIPv6));
        client.send(RelayDeskTest::httpRequest("GET", "/v1/models", {}, v6.key()));
        const auto r = client.readResponse(false, 30000);
        QVERIFY(r);
        QCOMPARE(r->status, allowed ? 200 : 403);
        if (!allowed)
            QVERIFY2(r->json().value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString()
                         .contains(QStringLiteral("IP address ::1 ")), r->body.constData());
        v6.stop();
    }
};

QTEST_GUILESS_MAIN(TestIpAllowRelay)
#include "tst_ipallowrelay.moc"
