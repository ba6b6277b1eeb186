#pragma once
// Test rig for the Realtime relay: a fresh SQLite database with a user, a key and a channel, a price book with
// gpt-realtime's list prices, the demo Realtime upstream on loopback, and the relay on a real HttpServer —
// all on the test thread; real sockets, real QWebSocket clients.
#include "billing/pricebook.h"
#include "monitor/sessionregistry.h"
#include "demo/demorealtime.h"
#include "demo/demorealtimecalls.h"
#include "http/httpserver.h"
#include "relay/realtime/realtimerelay.h"
#include "relay/realtime/realtimetranscription.h"
#include "store/apikeyrepository.h"
#include "store/channelrepository.h"
#include "store/clientsecretrepository.h"
#include "store/logrepository.h"
#include "store/reservationrepository.h"
#include "store/userrepository.h"
#include "tempdatabase.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkRequest>
#include <QtWebSockets/QWebSocket>
#include <QtWebSockets/QWebSocketHandshakeOptions>

#include <functional>
#include <memory>

namespace RelayDeskTest {

using namespace RelayDesk;

inline bool spin(const std::function<bool()> &done, int timeoutMs = 15000)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
    }
    return true;
}

// gpt-realtime list prices ($4 / $0.40 / $16 text, $32 / $0.40 / $64 audio per 1M) and the transcription models:
// gpt-4o-transcribe ($2.50 text in, $6 audio in, $10 out per 1M), gpt-4o-mini-transcribe (half), whisper-1 ($0.006 a
// minute).
inline QJsonObject testPrices()
{
    return QJsonDocument::fromJson(R"({
        "ModelRatio": {"gpt-realtime": 2, "gpt-4o-mini-transcribe": 0.625, "gpt-4o-transcribe": 1.25, "gpt-fixed": 1},
        "CompletionRatio": {"gpt-realtime": 4, "gpt-4o-mini-transcribe": 4, "gpt-4o-transcribe": 4},
        "CacheRatio": {"gpt-realtime": 0.1},
        "AudioRatio": {"gpt-realtime": 8, "gpt-4o-mini-transcribe": 2.4, "gpt-4o-transcribe": 2.4},
        "MinutePrice": {"whisper-1": 0.006},
        "AudioCompletionRatio": {"gpt-realtime": 2},
        "AudioCacheRatio": {"gpt-realtime": 0.0125}
    })").object();
}

// Quota in tenths per token for gpt-realtime (all its prices are whole tenths), so tests price usage on
// their own, independently of the code under test.
struct TenthsPrices
{
    qint64 textIn = 20, cachedText = 2, textOut = 80, audioIn = 160, cachedAudio = 2, audioOut = 320;
};

// Prices one `response.done` usage object (OpenAI JSON) in tenths of quota.
inline qint64 tenthsOf(const QJsonObject &usage, TenthsPrices p = {})
{
    const QJsonObject in = usage.value(u"input_token_details").toObject();
    const QJsonObject cached = in.value(u"cached_tokens_details").toObject();
    const QJsonObject out = usage.value(u"output_token_details").toObject();
    const qint64 ct = cached.value(u"text_tokens").toInteger(), ca = cached.value(u"audio_tokens").toInteger();
    return (in.value(u"text_tokens").toInteger() - ct) * p.textIn + ct * p.cachedText
        + (in.value(u"audio_tokens").toInteger() - ca) * p.audioIn + ca * p.cachedAudio
        + out.value(u"text_tokens").toInteger() * p.textOut + out.value(u"audio_tokens").toInteger() * p.audioOut;
}

inline qint64 roundTenths(qint64 tenths) { return (tenths + 5) / 10; }

// A Realtime client: every text event it received, parsed, in order.
class RtClient
{
public:
    explicit RtClient() = default;

    void open(quint16 port, const QString &model, const QByteArray &key, bool keyAsSubprotocol = false,
              const QByteArray &openAiBeta = {})
    {
        openQuery(port, QStringLiteral("model=") + model, key, keyAsSubprotocol, openAiBeta);
    }
    // `query` as the URL's query, e.g. "intent=transcription".
    void openQuery(quint16 port, const QString &query, const QByteArray &key, bool keyAsSubprotocol = false,
                   const QByteArray &openAiBeta = {})
    {
        QObject::connect(&socket, &QWebSocket::textMessageReceived, [this](const QString &m) {
            events << QJsonDocument::fromJson(m.toUtf8()).object();
        });
        QObject::connect(&socket, &QWebSocket::disconnected, [this] { closed = true; });
        QNetworkRequest request(QUrl(QStringLiteral("ws://127.0.0.1:%1/v1/realtime?%2").arg(port).arg(query)));
        QWebSocketHandshakeOptions options;
        if (keyAsSubprotocol)
            options.setSubprotocols({QStringLiteral("realtime"), QStringLiteral("openai-insecure-api-key.") + QString::fromUtf8(key),
                                     QStringLiteral("openai-beta.realtime-v1")});
        else
            request.setRawHeader("Authorization", "Bearer " + key);
        if (!openAiBeta.isEmpty())
            request.setRawHeader("OpenAI-Beta", openAiBeta);
        socket.open(request, options);
    }
    bool waitOpen() { return spin([this] { return socket.state() == QAbstractSocket::ConnectedState || closed; }) && !closed; }
    void send(const QJsonObject &event) { socket.sendTextMessage(QString::fromUtf8(QJsonDocument(event).toJson(QJsonDocument::Compact))); }
    int count(const QString &type) const
    {
        int n = 0;
        for (const QJsonObject &e : events)
            n += e.value(u"type").toString() == type;
        return n;
    }
    bool waitFor(const QString &type, int n = 1) { return spin([&] { return count(type) >= n || closed; }) && count(type) >= n; }
    QList<QJsonObject> all(const QString &type) const
    {
        QList<QJsonObject> out;
        for (const QJsonObject &e : events)
            if (e.value(u"type").toString() == type)
                out << e;
        return out;
    }
    int indexOf(const QString &type) const
    {
        for (int i = 0; i < events.size(); ++i)
            if (events[i].value(u"type").toString() == type)
                return i;
        return -1;
    }
    // Tenths of quota of every response.done usage received.
    qint64 usageTenths(TenthsPrices p = {}) const
    {
        qint64 t = 0;
        for (const QJsonObject &done : all(QStringLiteral("response.done")))
            t += tenthsOf(done.value(u"response").toObject().value(u"usage").toObject(), p);
        return t;
    }

    QWebSocket socket;
    QList<QJsonObject> events;
    bool closed = false;
};

inline QJsonObject textItem(const QString &text)
{
    return {{QStringLiteral("type"), QStringLiteral("conversation.item.create")},
            {QStringLiteral("item"), QJsonObject{{QStringLiteral("type"), QStringLiteral("message")},
                                                 {QStringLiteral("role"), QStringLiteral("user")},
                                                 {QStringLiteral("content"), QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("input_text")},
                                                                                                    {QStringLiteral("text"), text}}}}}}};
}

inline QJsonObject rtEvent(const QString &type) { return {{QStringLiteral("type"), type}}; }

inline QJsonObject audioAppend(int ms)
{
    return {{QStringLiteral("type"), QStringLiteral("input_audio_buffer.append")},
            {QStringLiteral("audio"), QString::fromLatin1(QByteArray(ms * 48, '\x01').toBase64())}};
}

class RealtimeRig
{
public:
    struct Options
    {
        qint64 userQuota = 10'000'000;
        qint64 keyQuota = 0;   // 0 → unlimited key
        QStringList modelLimits;
        QJsonObject modelMapping;
        Relay::RealtimeRelayConfig relay;
        // The demo upstream on an HttpServer with its WebRTC call routes (DemoRealtimeCalls), not a bare
        // WebSocket server.
        bool demoOverHttp = false;
    };

    RealtimeRig() : RealtimeRig(Options()) {}
    explicit RealtimeRig(Options options) : m_options(std::move(options)) {}

    bool init(Relay::DemoRealtimeScript script = {})
    {
        if (!temp.isValid())
            return fail(temp.error());
        auto user = Store::UserRepository(temp.db()).create(QStringLiteral("alice"), QStringLiteral("default"), m_options.userQuota);
        if (!user)
            return fail(user.error());
        userId = user.value().id;
        Store::NewApiKey spec;
        spec.userId = userId;
        spec.name = QStringLiteral("alice-key");
        spec.unlimited = m_options.keyQuota == 0;
        spec.quota = m_options.keyQuota;
        spec.modelLimits = m_options.modelLimits;
        auto key = Store::ApiKeyRepository(temp.db()).create(spec);
        if (!key)
            return fail(key.error());
        keyId = key.value().key.id;
        plainKey = key.value().plainKey.toUtf8();

        demo.setScript(script);
        QString demoBaseUrl;
        if (m_options.demoOverHttp) {
            Relay::HttpServerConfig demoConfig;
            demoConfig.port = 0;
            demoServer = std::make_unique<Relay::HttpServer>(demoConfig);
            demo.install(*demoServer);
            demoCalls = std::make_unique<Relay::DemoRealtimeCalls>(demo);
            demoCalls->install(demoServer->router());
            if (!demoServer->start())
                return fail(demoServer->errorString());
            demoBaseUrl = QStringLiteral("http://127.0.0.1:%1").arg(demoServer->serverPort());
        } else {
            if (!demo.listen())
                return fail(QStringLiteral("demo upstream cannot listen"));
            demoBaseUrl = demo.baseUrl();
        }
        Store::Channel channel;
        channel.name = QStringLiteral("demo");
        channel.baseUrl = demoBaseUrl;
        channel.secret = QStringLiteral("sk-upstream-secret");
        channel.models = {QStringLiteral("gpt-realtime")};
        channel.modelMapping = m_options.modelMapping;
        auto created = Store::ChannelRepository(temp.db()).create(channel);
        if (!created)
            return fail(created.error());
        channelId = created.value().id;

        auto book = Billing::PriceBook::fromJson(testPrices(), 7);
        if (!book)
            return fail(book.error());
        prices = book.value();

        Relay::RealtimeRelayDeps deps;
        deps.database = temp.shared();
        deps.priceBook = [this] { return prices; };
        deps.registry = &registry;
        deps.admit = [this](const QByteArray &apiKey, const QString &requested, const Relay::HttpRequest &)
            -> std::variant<Relay::RealtimeAdmission, Relay::OpenAiError> {
            // Stand-in for the chat relay's auth + channel selection (tests only); a client secret bills its parent
            // key with the session it was minted with.
            QJsonObject bound;
            std::optional<Store::ApiKey> key;
            if (Store::ClientSecretRepository::looksLikeSecret(QString::fromUtf8(apiKey))) {
                const auto secret = Store::ClientSecretRepository(temp.db()).find(QString::fromUtf8(apiKey),
                                                                                  QDateTime::currentMSecsSinceEpoch());
                if (!secret)
                    return Relay::OpenAiError::invalidApiKey(QStringLiteral("The client secret is expired or unknown."));
                key = Store::ApiKeyRepository(temp.db()).byId(secret->keyId);
                bound = secret->session;
            } else {
                key = Store::ApiKeyRepository(temp.db()).byPlainKey(QString::fromUtf8(apiKey));
            }
            const QString model = requested.isEmpty() ? bound.value(u"model").toString() : requested;
            if (!key)
                return Relay::OpenAiError::invalidApiKey(QStringLiteral("Incorrect API key provided."));
            if (!key->modelLimits.isEmpty() && !key->modelLimits.contains(model))
                return Relay::OpenAiError::modelNotAllowed(model);
            const auto ch = Store::ChannelRepository(temp.db()).byId(channelId);
            const auto u = Store::UserRepository(temp.db()).byId(key->userId);
            Relay::RealtimeAdmission a;
            a.userId = key->userId;
            a.keyId = key->id;
            a.userName = u->name;
            a.keyHint = key->keyHint;
            a.userGroup = a.usingGroup = u->group;
            a.model = model;
            a.boundSession = bound;
            a.mayUse = [limits = key->modelLimits](const QString &m) { return limits.isEmpty() || limits.contains(m); };
            a.useChannel(*ch);
            return a;
        };
        // Stand-in for ChannelSelector: the other channels serving the model, oldest first.
        deps.nextChannel = [this](const QString &model, const QString &, const QSet<qint64> &exclude)
            -> std::optional<Store::Channel> {
            for (const Store::Channel &c : Store::ChannelRepository(temp.db()).list())
                if (!exclude.contains(c.id) && c.models.contains(model))
                    return c;
            return std::nullopt;
        };
        relay = std::make_unique<Relay::RealtimeRelay>(std::move(deps), m_options.relay);
        QObject::connect(relay.get(), &Relay::RealtimeRelay::sessionFinished,
                         [this](quint64, const QString &reason, qint64) { endReasons << reason; });
        Relay::HttpServerConfig config;
        config.port = 0;
        server = std::make_unique<Relay::HttpServer>(config);
        relay->install(*server);
        if (!server->start())
            return fail(server->errorString());
        initialBalance = m_options.userQuota;
        return true;
    }

    quint16 port() const { return server->serverPort(); }
    bool waitFinished(int n = 1) { return spin([&] { return endReasons.size() >= n; }); }
    qint64 balance() const { return Store::UserRepository(temp.db()).byId(userId)->quota; }
    Store::ApiKey key() const { return *Store::ApiKeyRepository(temp.db()).byId(keyId); }
    QList<Store::LogRecord> logs() const
    {
        Store::LogFilter filter;
        filter.userId = userId;
        return Store::LogRepository(temp.db()).page(filter, 100).rows;
    }
    qint64 loggedQuota() const
    {
        Store::LogFilter filter;
        filter.userId = userId;
        return Store::LogRepository(temp.db()).sumQuota(filter);
    }
    int openReservations() const { return int(Store::ReservationRepository(temp.db()).openReservations().size()); }
    const QString &error() const { return m_error; }

    Testing::TempDatabase temp;
    Monitor::SessionRegistry registry;
    Relay::DemoRealtime demo;
    Billing::PriceBookPtr prices;
    std::unique_ptr<Relay::RealtimeRelay> relay;
    std::unique_ptr<Relay::HttpServer> server;
    std::unique_ptr<Relay::DemoRealtimeCalls> demoCalls; // demoOverHttp
    std::unique_ptr<Relay::HttpServer> demoServer;       // demoOverHttp
    qint64 userId = 0, keyId = 0, channelId = 0, initialBalance = 0;
    QByteArray plainKey;
    QStringList endReasons;

private:
    bool fail(const QString &message)
    {
        m_error = message;
        return false;
    }
    Options m_options;
    QString m_error;
};

} // namespace RelayDeskTest
