#include "demo/demorealtimecalls.h"

#include "http/httpexchange.h"
#include "http/multipartform.h"
#include "http/router.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTimer>
#include <QUuid>

#include <algorithm>

namespace RelayDesk::Relay {

namespace {

constexpr const char *kPath = "/v1/realtime/calls";

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

} // namespace

DemoRealtimeCalls::DemoRealtimeCalls(DemoRealtime &realtime, QObject *parent)
    : QObject(parent)
    , m_realtime(realtime)
{
}

void DemoRealtimeCalls::install(Router &router)
{
    m_realtime.setCalls(this);
    router.addRoute("POST", kPath, [this](HttpExchange &e) { create(e); }, Router::Access::Public);
    router.addPrefixRoute("POST", QByteArray(kPath) + '/', [this](HttpExchange &e) { control(e); }, Router::Access::Public);
    router.addPrefixRoute("GET", QByteArray(kPath) + '/', [this](HttpExchange &e) { describe(e); }, Router::Access::Public);
}

const DemoRealtimeCall *DemoRealtimeCalls::call(const QString &id) const
{
    const auto it = m_calls.find(id);
    return it == m_calls.end() ? nullptr : &it->second;
}

DemoRealtimeScript DemoRealtimeCalls::scriptOf(const QJsonObject &session, bool *refuseSideband)
{
    DemoRealtimeScript script;
    script.instructions = session.value(u"instructions").toString();
    script.audioMs = 200;
    if (refuseSideband)
        *refuseSideband = false;
    const qsizetype marker = script.instructions.indexOf(QStringLiteral("demo-call"));
    if (marker < 0)
        return script;
    static const QRegularExpression pair(QStringLiteral(R"((\w+)=(\w+))"));
    for (auto it = pair.globalMatch(script.instructions.mid(marker)); it.hasNext();) {
        const auto m = it.next();
        const QString key = m.captured(1), value = m.captured(2);
        if (key == u"responses")
            script.autoResponses = value.toInt();
        else if (key == u"interval")
            script.autoIntervalMs = value.toInt();
        else if (key == u"end")
            script.endAfterAuto = value == u"1";
        else if (key == u"audio")
            script.audioMs = value.toInt();
        else if (key == u"lag")
            script.hangupLagMs = std::clamp(value.toInt(), 0, 10'000);
        else if (key == u"sideband" && refuseSideband)
            *refuseSideband = value == u"refuse";
    }
    return script;
}

void DemoRealtimeCalls::create(HttpExchange &exchange)
{
    const HttpRequest &request = exchange.request();
    if (request.bearerToken().isEmpty())
        return exchange.respondError(OpenAiError::invalidApiKey(QStringLiteral("missing API key")));
    DemoRealtimeCall call;
    const QByteArray type = request.header("Content-Type").toLower();
    if (type.startsWith("application/sdp")) {
        call.offer = request.body;
    } else {
        auto parsed = MultipartForm::parse(request.header("Content-Type"), request.body);
        if (auto *error = std::get_if<OpenAiError>(&parsed))
            return exchange.respondError(*error);
        const MultipartForm &form = std::get<MultipartForm>(parsed);
        call.offer = form.text("sdp").toUtf8();
        call.session = QJsonDocument::fromJson(form.text("session").toUtf8()).object();
    }
    if (!call.offer.startsWith("v="))
        return exchange.respondError(OpenAiError::invalidValue("sdp", QStringLiteral("invalid SDP offer")));
    if (call.session.value(u"instructions").toString().contains(QStringLiteral("refuse=1"))) // quoting the key, as
        return exchange.respondError(OpenAiError::invalidValue(                             // some upstreams do
            "sdp", QStringLiteral("offer refused for %1").arg(QString::fromUtf8(request.bearerToken()))));
    call.id = QStringLiteral("rtc_") + QUuid::createUuid().toString(QUuid::Id128).left(24);
    call.authorization = request.header("Authorization");
    HttpResponse response;
    response.status = 201;
    response.headers.set("Content-Type", "application/sdp");
    response.headers.set("Location", QByteArray(kPath) + '/' + call.id.toUtf8());
    response.body = kAnswerSdp;
    m_order << call.id;
    m_calls.emplace(call.id, call);
    exchange.respond(std::move(response));
}

void DemoRealtimeCalls::control(HttpExchange &exchange)
{
    const HttpRequest &request = exchange.request();
    if (request.bearerToken().isEmpty())
        return exchange.respondError(OpenAiError::invalidApiKey(QStringLiteral("missing API key")));
    const QList<QByteArray> parts = request.path.mid(qsizetype(qstrlen(kPath)) + 1).split('/');
    if (parts.size() != 2)
        return exchange.respondError(OpenAiError::unknownUrl(request.method, request.path));
    const QString id = QString::fromUtf8(parts[0]);
    const QString action = QString::fromUtf8(parts[1]);
    auto it = m_calls.find(id);
    if (it == m_calls.end()) {
        if (action != u"accept") // an incoming (SIP) call the demo did not create: accept makes it known
            return exchange.respondError(OpenAiError::notFound(QStringLiteral("call not found")));
        DemoRealtimeCall incoming;
        incoming.id = id;
        incoming.session = QJsonDocument::fromJson(request.body).object();
        incoming.authorization = request.header("Authorization");
        m_order << id;
        it = m_calls.emplace(id, incoming).first;
    }
    it->second.actions << action;
    if (action == u"hangup" || action == u"reject") {
        it->second.hungUp = true;
        if (const int lag = scriptOf(it->second.session).hangupLagMs; lag > 0)
            QTimer::singleShot(lag, this, [this, id] { m_realtime.endCall(id); });
        else
            m_realtime.endCall(id);
    }
    exchange.respond(200, QByteArray(), "application/json");
}

void DemoRealtimeCalls::describe(HttpExchange &exchange)
{
    const QString id = QString::fromUtf8(exchange.request().path.mid(qsizetype(qstrlen(kPath)) + 1));
    const DemoRealtimeCall *found = call(id);
    if (!found)
        return exchange.respondError(OpenAiError::notFound(QStringLiteral("call not found")));
    exchange.respond(200, compact(toJson(*found)));
}

QJsonObject DemoRealtimeCalls::toJson(const DemoRealtimeCall &call) const
{
    return {{QStringLiteral("id"), call.id},
            {QStringLiteral("session"), call.session},
            {QStringLiteral("hung_up"), call.hungUp},
            {QStringLiteral("actions"), QJsonArray::fromStringList(call.actions)},
            {QStringLiteral("sidebands"), call.sidebands},
            {QStringLiteral("responses"), int(m_realtime.callUsages(call.id).size())}};
}

std::optional<OpenAiError> DemoRealtimeCalls::checkSideband(const QString &callId) const
{
    const DemoRealtimeCall *found = call(callId);
    if (!found || found->hungUp)
        return OpenAiError::notFound(QStringLiteral("call not found"));
    bool refuse = false;
    scriptOf(found->session, &refuse);
    if (refuse)
        return OpenAiError::permissionDenied(QStringLiteral("sideband refused (demo scenario)"));
    return std::nullopt;
}

void DemoRealtimeCalls::attachSideband(QWebSocket *socket, const QString &callId)
{
    auto it = m_calls.find(callId);
    if (it == m_calls.end())
        return; // checked before the upgrade
    ++it->second.sidebands;
    m_realtime.attachSideband(socket, callId, it->second.session.value(u"model").toString(), scriptOf(it->second.session));
}

} // namespace RelayDesk::Relay
