#include "demo/relaytraffic.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTimer>
#include <QWebSocket>

namespace RelayDesk::Ui {

namespace {
const char *const kPrompts[] = {
    "Write a haiku about relays.", "Explain prompt caching in two sentences.", "List three uses of WebSockets.",
    "Translate 'good morning' into Chinese.", "Summarise the plot of Hamlet in one paragraph.",
};
} // namespace

RelayTrafficSimulator::RelayTrafficSimulator(QUrl baseUrl, QString key, QObject *parent)
    : QObject(parent)
    , m_base(std::move(baseUrl))
    , m_key(std::move(key))
    , m_nam(new QNetworkAccessManager(this))
{
}

void RelayTrafficSimulator::run(int requests, const QStringList &models, int spacingMs)
{
    if (models.isEmpty() || requests <= 0) {
        emit finished(0, 0, tr("nothing to send"));
        return;
    }
    begin(requests);
    for (int i = 0; i < requests; ++i) {
        const QString model = models[i % models.size()];
        QTimer::singleShot(i * spacingMs, this, [this, model, i] { sendOne(model, i); });
    }
}

void RelayTrafficSimulator::runMessages(int requests, const QStringList &models, int spacingMs)
{
    if (models.isEmpty() || requests <= 0)
        return;
    begin(requests);
    for (int i = 0; i < requests; ++i) {
        const QString model = models[i % models.size()];
        QTimer::singleShot(i * spacingMs, this, [this, model, i] { sendMessage(model, i); });
    }
}

// A run adds to one already going (chat, Realtime and Messages share the count finished() reports).
void RelayTrafficSimulator::begin(int requests)
{
    if (m_pending == 0) {
        m_ok = m_failed = 0;
        m_lastError.clear();
    }
    m_pending += requests;
}

void RelayTrafficSimulator::sendOne(const QString &model, int n)
{
    QUrl url = m_base;
    url.setPath(url.path() + QStringLiteral("/chat/completions"));
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    request.setRawHeader("Authorization", "Bearer " + m_key.toUtf8());
    request.setTransferTimeout(60000);
    const QJsonObject body{
        {QStringLiteral("model"), model},
        {QStringLiteral("stream"), true},
        {QStringLiteral("stream_options"), QJsonObject{{QStringLiteral("include_usage"), true}}},
        {QStringLiteral("max_tokens"), 120 + 40 * (n % 5)},
        {QStringLiteral("messages"), QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                                                            {QStringLiteral("content"), QString::fromLatin1(kPrompts[n % 5])}}}}};
    expect(m_nam->post(request, QJsonDocument(body).toJson(QJsonDocument::Compact)));
}

void RelayTrafficSimulator::sendMessage(const QString &model, int n)
{
    // The demo upstream reads a [[scenario:…]] marker in the text (the only one that survives the relay).
    static const char *const kCacheScenarios[] = {"cache_write_5m", "cache_read,cache_write_1h", "cache_read"};
    QUrl url = m_base;
    url.setPath(url.path() + QStringLiteral("/messages"));
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    request.setRawHeader("x-api-key", m_key.toUtf8());
    request.setRawHeader("anthropic-version", "2023-06-01");
    request.setTransferTimeout(60000);
    const QString text = QStringLiteral("%1 [[scenario:%2]]").arg(QString::fromLatin1(kPrompts[n % 5]),
                                                                   QString::fromLatin1(kCacheScenarios[n % 3]));
    const QJsonObject body{
        {QStringLiteral("model"), model},
        {QStringLiteral("stream"), n % 2 == 0},
        {QStringLiteral("max_tokens"), 120 + 40 * (n % 5)},
        {QStringLiteral("messages"), QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                                                            {QStringLiteral("content"), text}}}}};
    expect(m_nam->post(request, QJsonDocument(body).toJson(QJsonDocument::Compact)));
}

void RelayTrafficSimulator::expect(QNetworkReply *reply)
{
    connect(reply, &QNetworkReply::readyRead, reply, [reply] { reply->readAll(); }); // stream consumed as it comes
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const bool ok = reply->error() == QNetworkReply::NoError && status / 100 == 2;
        reply->deleteLater();
        done(ok, ok ? QString() : QStringLiteral("HTTP %1: %2").arg(status).arg(reply->errorString()));
    });
}

void RelayTrafficSimulator::done(bool ok, const QString &error)
{
    if (ok) {
        ++m_ok;
    } else {
        ++m_failed;
        m_lastError = error;
    }
    if (--m_pending == 0)
        emit finished(m_ok, m_failed, m_lastError);
}

void RelayTrafficSimulator::runRealtime(int sessions, const QString &model, int turns, int spacingMs)
{
    if (sessions <= 0)
        return;
    begin(sessions);
    for (int i = 0; i < sessions; ++i)
        QTimer::singleShot(i * spacingMs, this, [this, model, turns] { openRealtime(model, turns); });
}

// One Realtime conversation: 1 s of silent pcm16 audio per turn, commit, response.create, wait for
// response.done; after the last turn the socket closes and the relay settles the session.
void RelayTrafficSimulator::openRealtime(const QString &model, int turns)
{
    QUrl url = m_base;
    url.setScheme(url.scheme() == QLatin1String("https") ? QStringLiteral("wss") : QStringLiteral("ws"));
    url.setPath(url.path() + QStringLiteral("/realtime"));
    url.setQuery(QStringLiteral("model=") + model);
    QNetworkRequest request(url);
    request.setRawHeader("Authorization", "Bearer " + m_key.toUtf8());
    auto *socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    auto turnsLeft = std::make_shared<int>(turns);
    auto finishedOnce = std::make_shared<bool>(false);
    auto finish = [this, socket, finishedOnce](bool ok, const QString &error) {
        if (*finishedOnce)
            return;
        *finishedOnce = true;
        socket->close();
        socket->deleteLater();
        done(ok, error);
    };
    auto sendTurn = [socket] {
        // 100 ms of 24 kHz mono pcm16 silence per append.
        const QByteArray chunk = QByteArray(4800, '\0').toBase64();
        for (int i = 0; i < 10; ++i)
            socket->sendTextMessage(QString::fromLatin1(QJsonDocument(QJsonObject{{QStringLiteral("type"), QStringLiteral("input_audio_buffer.append")},
                                                                                  {QStringLiteral("audio"), QString::fromLatin1(chunk)}})
                                                            .toJson(QJsonDocument::Compact)));
        socket->sendTextMessage(QStringLiteral(R"({"type":"input_audio_buffer.commit"})"));
        socket->sendTextMessage(QStringLiteral(R"({"type":"response.create"})"));
    };
    connect(socket, &QWebSocket::connected, socket, sendTurn);
    connect(socket, &QWebSocket::textMessageReceived, socket, [=](const QString &text) {
        const QString type = QJsonDocument::fromJson(text.toUtf8()).object().value(QStringLiteral("type")).toString();
        if (type == QLatin1String("error")) {
            finish(false, QStringLiteral("realtime error: %1").arg(text.left(200)));
        } else if (type == QLatin1String("response.done")) {
            if (--*turnsLeft > 0)
                sendTurn();
            else
                finish(true, {});
        }
    });
    connect(socket, &QWebSocket::disconnected, socket, [=] { finish(*turnsLeft <= 0, socket->closeReason().isEmpty() ? QStringLiteral("realtime connection closed") : socket->closeReason()); });
    connect(socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), socket, [=](QAbstractSocket::SocketError) { finish(false, socket->errorString()); });
    socket->open(request);
}

} // namespace RelayDesk::Ui
