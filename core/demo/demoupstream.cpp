#include "demo/demoupstream.h"

#include "demo/demoaudio.h"
#include "demo/democompletions.h"
#include "demo/demoembeddings.h"
#include "demo/demoimages.h"
#include "demo/demomessages.h"
#include "demo/demomoderations.h"
#include "demo/demoresponses.h"
#include "demo/demoscenario.h"
#include "demo/demospeech.h"

#include "relay/chat/chatrelaytokens.h"
#include "http/relayserverthread.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QPointer>
#include <QtCore/QSemaphore>
#include <QtCore/QTimer>

#include <atomic>

namespace RelayDesk::Relay {

namespace {

const QStringList kScenarios = {
    QStringLiteral("default"),   QStringLiteral("usage_early"), QStringLiteral("no_usage"),
    QStringLiteral("tools"),     QStringLiteral("cached"),      QStringLiteral("reasoning"),
    QStringLiteral("error_500"), QStringLiteral("error_429"),   QStringLiteral("reset"),
    QStringLiteral("slow"),      QStringLiteral("hang")};

const QStringList kReplyWords = DemoScenario::replyWords();
const QString kReasoning = DemoScenario::reasoningText();
const QString kToolName = DemoScenario::toolName();
const QString kToolArguments = DemoScenario::toolArguments();

QString scenarioOf(const HttpRequest &request, const QJsonObject &body, QString &model)
{
    return DemoScenario::of(request, model,
                            QString::fromUtf8(QJsonDocument(body.value(QLatin1StringView("messages")).toArray())
                                                  .toJson(QJsonDocument::Compact)));
}

bool has(const QString &scenario, QLatin1StringView name)
{
    return DemoScenario::has(scenario, name);
}

QJsonObject usageJson(qint64 prompt, qint64 completion, qint64 cached, qint64 reasoning, qint64 images)
{
    return QJsonObject{
        {QStringLiteral("prompt_tokens"), prompt},
        {QStringLiteral("completion_tokens"), completion},
        {QStringLiteral("total_tokens"), prompt + completion},
        {QStringLiteral("prompt_tokens_details"),
         QJsonObject{{QStringLiteral("cached_tokens"), cached},
                     {QStringLiteral("audio_tokens"), 0},
                     {QStringLiteral("image_tokens"), images}}},
        {QStringLiteral("completion_tokens_details"),
         QJsonObject{{QStringLiteral("reasoning_tokens"), reasoning},
                     {QStringLiteral("audio_tokens"), 0},
                     {QStringLiteral("accepted_prediction_tokens"), 0},
                     {QStringLiteral("rejected_prediction_tokens"), 0}}},
    };
}

// What the simulated model answers to one request.
struct DemoReply
{
    QString id;
    QString model;
    qint64 created = 0;
    QString scenario;
    bool tools = false;
    bool reasoning = false;
    QJsonObject usage;
};

DemoReply planReply(const QJsonObject &body, const QString &model, const QString &scenario)
{
    static std::atomic<quint64> counter{0};
    DemoReply r;
    r.id = QStringLiteral("chatcmpl-demo%1").arg(++counter);
    r.model = model;
    r.created = QDateTime::currentSecsSinceEpoch();
    r.scenario = scenario;
    r.tools = has(scenario, QLatin1StringView("tools"));
    r.reasoning = has(scenario, QLatin1StringView("reasoning"));
    const PromptEstimate prompt = ChatRelayTokens::estimatePrompt(body, model);
    const qint64 content = r.tools ? ChatRelayTokens::countText(QString(kToolName + kToolArguments), model)
                                   : ChatRelayTokens::countText(kReplyWords.join(QLatin1Char(' ')), model);
    const qint64 reasoning = r.reasoning ? ChatRelayTokens::countText(kReasoning, model) : 0;
    // Like OpenAI: prompts of 1024+ tokens get a cache hit in 128-token steps; the scenario forces one.
    qint64 cached = prompt.total() >= 1024 ? ((prompt.total() - 1024) / 128 + 1) * 128 - 128 : 0;
    if (has(scenario, QLatin1StringView("cached")))
        cached = prompt.total() / 2;
    r.usage = usageJson(prompt.total(), content + reasoning, cached, reasoning, prompt.imageTokens);
    return r;
}

QByteArray chunk(const DemoReply &r, const QJsonObject &delta, const QJsonValue &finish, bool withUsageField)
{
    QJsonObject choice{{QStringLiteral("index"), 0},
                       {QStringLiteral("delta"), delta},
                       {QStringLiteral("logprobs"), QJsonValue::Null},
                       {QStringLiteral("finish_reason"), finish}};
    QJsonObject o{{QStringLiteral("id"), r.id},
                  {QStringLiteral("object"), QStringLiteral("chat.completion.chunk")},
                  {QStringLiteral("created"), r.created},
                  {QStringLiteral("model"), r.model},
                  {QStringLiteral("system_fingerprint"), QStringLiteral("fp_demo")},
                  {QStringLiteral("choices"), QJsonArray{choice}}};
    if (withUsageField)
        o.insert(QStringLiteral("usage"), QJsonValue::Null);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QByteArray usageChunk(const DemoReply &r)
{
    return QJsonDocument(QJsonObject{{QStringLiteral("id"), r.id},
                                     {QStringLiteral("object"), QStringLiteral("chat.completion.chunk")},
                                     {QStringLiteral("created"), r.created},
                                     {QStringLiteral("model"), r.model},
                                     {QStringLiteral("system_fingerprint"), QStringLiteral("fp_demo")},
                                     {QStringLiteral("choices"), QJsonArray{}},
                                     {QStringLiteral("usage"), r.usage}})
        .toJson(QJsonDocument::Compact);
}

QList<QByteArray> streamPayloads(const DemoReply &r, bool includeUsage)
{
    const bool usage = includeUsage && !has(r.scenario, QLatin1StringView("no_usage"));
    QList<QByteArray> out;
    out.append(chunk(r, {{QStringLiteral("role"), QStringLiteral("assistant")},
                         {QStringLiteral("content"), QStringLiteral("")}},
                     QJsonValue::Null, usage));
    if (r.reasoning)
        out.append(chunk(r, {{QStringLiteral("reasoning_content"), kReasoning}}, QJsonValue::Null, usage));
    QString finish = QStringLiteral("stop");
    if (r.tools) {
        QJsonObject call{{QStringLiteral("index"), 0},
                         {QStringLiteral("id"), QStringLiteral("call_demo1")},
                         {QStringLiteral("type"), QStringLiteral("function")},
                         {QStringLiteral("function"), QJsonObject{{QStringLiteral("name"), kToolName},
                                                                   {QStringLiteral("arguments"), QStringLiteral("")}}}};
        out.append(chunk(r, {{QStringLiteral("tool_calls"), QJsonArray{call}}}, QJsonValue::Null, usage));
        // Arguments arrive in pieces, as from OpenAI.
        for (qsizetype i = 0; i < kToolArguments.size(); i += 8) {
            QJsonObject piece{{QStringLiteral("index"), 0},
                              {QStringLiteral("function"),
                               QJsonObject{{QStringLiteral("arguments"), kToolArguments.mid(i, 8)}}}};
            out.append(chunk(r, {{QStringLiteral("tool_calls"), QJsonArray{piece}}}, QJsonValue::Null, usage));
        }
        finish = QStringLiteral("tool_calls");
    } else {
        for (qsizetype i = 0; i < kReplyWords.size(); ++i) {
            const QString word = (i == 0 ? QString() : QStringLiteral(" ")) + kReplyWords.at(i);
            out.append(chunk(r, {{QStringLiteral("content"), word}}, QJsonValue::Null, usage));
        }
        if (has(r.scenario, QLatin1StringView("large"))) { // ~8 MB of padding, for backpressure tests
            const QString pad(2000, QLatin1Char(' '));
            for (int i = 0; i < 4000; ++i)
                out.append(chunk(r, {{QStringLiteral("content"), pad}}, QJsonValue::Null, usage));
        }
    }
    const QByteArray finishChunk = chunk(r, {}, finish, usage);
    if (usage && has(r.scenario, QLatin1StringView("usage_early"))) {
        out.append(usageChunk(r));
        out.append(finishChunk);
    } else {
        out.append(finishChunk);
        if (usage)
            out.append(usageChunk(r));
    }
    out.append(QByteArrayLiteral("[DONE]"));
    return out;
}

QByteArray jsonReply(const DemoReply &r)
{
    QJsonObject message{{QStringLiteral("role"), QStringLiteral("assistant")},
                        {QStringLiteral("refusal"), QJsonValue::Null}};
    QString finish = QStringLiteral("stop");
    if (r.tools) {
        message.insert(QStringLiteral("content"), QJsonValue::Null);
        message.insert(QStringLiteral("tool_calls"),
                       QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("call_demo1")},
                                              {QStringLiteral("type"), QStringLiteral("function")},
                                              {QStringLiteral("function"),
                                               QJsonObject{{QStringLiteral("name"), kToolName},
                                                           {QStringLiteral("arguments"), kToolArguments}}}}});
        finish = QStringLiteral("tool_calls");
    } else {
        message.insert(QStringLiteral("content"), kReplyWords.join(QLatin1Char(' ')));
    }
    if (r.reasoning)
        message.insert(QStringLiteral("reasoning_content"), kReasoning);
    QJsonObject o{{QStringLiteral("id"), r.id},
                  {QStringLiteral("object"), QStringLiteral("chat.completion")},
                  {QStringLiteral("created"), r.created},
                  {QStringLiteral("model"), r.model},
                  {QStringLiteral("system_fingerprint"), QStringLiteral("fp_demo")},
                  {QStringLiteral("choices"),
                   QJsonArray{QJsonObject{{QStringLiteral("index"), 0},
                                          {QStringLiteral("message"), message},
                                          {QStringLiteral("logprobs"), QJsonValue::Null},
                                          {QStringLiteral("finish_reason"), finish}}}}};
    if (!has(r.scenario, QLatin1StringView("no_usage")))
        o.insert(QStringLiteral("usage"), r.usage);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

void resetConnection(HttpExchange &exchange)
{
    exchange.abortConnection();
}

// Paces one SSE reply. A child of the exchange, so it dies with it (client gone, connection closed).
class DemoStream final : public QObject
{
public:
    DemoStream(HttpExchange &exchange, QList<QByteArray> payloads, int firstDelayMs, int delayMs, bool reset)
        : QObject(&exchange)
        , m_exchange(exchange)
        , m_payloads(std::move(payloads))
        , m_delayMs(delayMs)
        , m_reset(reset)
    {
        connect(&exchange, &HttpExchange::clientDisconnected, this, [this] { m_timer.stop(); });
        m_timer.setSingleShot(true);
        connect(&m_timer, &QTimer::timeout, this, [this] { step(); });
        m_exchange.beginEventStream();
        if (firstDelayMs <= 0)
            step();
        else
            m_timer.start(firstDelayMs);
    }

private:
    // Writes the next payload(s): one per timer tick when paced, all at once otherwise.
    void step()
    {
        while (!m_done && !m_exchange.isClientGone()) {
            if (m_reset && m_sent == 4) { // role chunk + 3 content chunks, then the "network" fails
                m_done = true;
                resetConnection(m_exchange);
                return;
            }
            if (m_sent >= m_payloads.size()) {
                m_done = true;
                m_exchange.endStream();
                return;
            }
            m_exchange.writeEvent(m_payloads.at(m_sent++));
            if (m_delayMs > 0) {
                m_timer.start(m_delayMs);
                return;
            }
        }
    }

    HttpExchange &m_exchange;
    QList<QByteArray> m_payloads;
    QTimer m_timer;
    int m_delayMs;
    qsizetype m_sent = 0;
    bool m_reset;
    bool m_done = false;
};

void handleChat(HttpExchange &exchange, const DemoUpstreamOptions &options)
{
    const HttpRequest &request = exchange.request();
    if (!options.requiredKey.isEmpty() && request.bearerToken() != options.requiredKey)
        return exchange.respondError(OpenAiError::invalidApiKey(QStringLiteral("Incorrect API key provided.")));
    QJsonObject body = QJsonDocument::fromJson(request.body).object();
    QString model = body.value(QLatin1StringView("model")).toString();
    if (model.isEmpty())
        return exchange.respondError(OpenAiError::invalidRequest(QStringLiteral("you must provide a model parameter"),
                                                                 "missing_required_parameter", "model"));
    const QString scenario = scenarioOf(request, body, model);
    if (has(scenario, QLatin1StringView("error_500")))
        return exchange.respondError(OpenAiError::internal(QStringLiteral("The demo upstream failed (scenario error_500).")));
    if (has(scenario, QLatin1StringView("error_429")))
        return exchange.respondError(OpenAiError::rateLimited(QStringLiteral("Rate limit reached (scenario error_429).")));
    if (has(scenario, QLatin1StringView("hang")))
        return; // never answered; the exchange dies with its connection
    const DemoReply reply = planReply(body, model, scenario);
    if (!body.value(QLatin1StringView("stream")).toBool()) {
        if (options.jsonDelayMs <= 0)
            return exchange.respond(200, jsonReply(reply));
        QPointer<HttpExchange> guard(&exchange);
        QTimer::singleShot(options.jsonDelayMs, &exchange, [guard, reply] {
            if (guard && !guard->isClientGone())
                guard->respond(200, jsonReply(reply));
        });
        return;
    }
    const bool includeUsage = body.value(QLatin1StringView("stream_options"))
                                  .toObject()
                                  .value(QLatin1StringView("include_usage"))
                                  .toBool();
    const bool slow = has(scenario, QLatin1StringView("slow"));
    const bool large = has(scenario, QLatin1StringView("large")); // one burst: backpressure tests
    const int delay = slow ? std::max(50, options.chunkDelayMs * 10) : large ? 0 : options.chunkDelayMs;
    const int first = slow ? std::max(50, options.firstChunkDelayMs) : options.firstChunkDelayMs;
    new DemoStream(exchange, streamPayloads(reply, includeUsage), first, delay,
                   has(scenario, QLatin1StringView("reset")));
}

void handleModels(HttpExchange &exchange, const DemoUpstreamOptions &options)
{
    QJsonArray data;
    for (const QString &m : options.models)
        data.append(QJsonObject{{QStringLiteral("id"), m},
                                {QStringLiteral("object"), QStringLiteral("model")},
                                {QStringLiteral("created"), 1700000000},
                                {QStringLiteral("owned_by"), QStringLiteral("relaydesk-demo")}});
    exchange.respond(200, QJsonDocument(QJsonObject{{QStringLiteral("object"), QStringLiteral("list")},
                                                    {QStringLiteral("data"), data}})
                              .toJson(QJsonDocument::Compact));
}

} // namespace

DemoUpstream::DemoUpstream(DemoUpstreamOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
{
}

DemoUpstream::~DemoUpstream()
{
    stop();
}

void DemoUpstream::addRoutes(RouteInstaller installer)
{
    m_installers.append(std::move(installer));
}

void DemoUpstream::installChatRoutes(HttpServer &server, const DemoUpstreamOptions &options)
{
    server.router().addRoute("POST", "/v1/chat/completions",
                             [options](HttpExchange &e) { handleChat(e, options); }, Router::Access::Public);
    server.router().addRoute("GET", "/v1/models", [options](HttpExchange &e) { handleModels(e, options); },
                             Router::Access::Public);
}

QStringList DemoUpstream::scenarios()
{
    return kScenarios;
}

bool DemoUpstream::start(int timeoutMs)
{
    if (m_thread && m_thread->port())
        return true;
    HttpServerConfig config;
    config.address = m_options.address;
    config.port = m_options.port;
    config.serverName = "RelayDesk-Demo";
    config.maxConnections = 4096;
    const DemoUpstreamOptions options = m_options;
    const QList<RouteInstaller> installers = m_installers;
    m_thread = std::make_unique<RelayServerThread>(config, [options, installers](HttpServer &server) {
        installChatRoutes(server, options);
        (new DemoResponses(options, &server))->install(server);
        DemoEmbeddings::install(server, options);
        DemoCompletions::install(server, options);
        DemoModerations::install(server, options);
        DemoAudio::install(server, options);
        DemoSpeech::install(server, options);
        DemoImages::install(server, options);
        DemoMessages::install(server, options);
        for (const auto &install : installers)
            install(server);
    });
    auto ready = std::make_shared<QSemaphore>();
    auto error = std::make_shared<QString>();
    connect(m_thread.get(), &RelayServerThread::listening, this, [ready] { ready->release(); },
            Qt::DirectConnection);
    connect(m_thread.get(), &RelayServerThread::failed, this,
            [ready, error](const QString &message) { *error = message; ready->release(); }, Qt::DirectConnection);
    m_thread->start();
    if (!ready->tryAcquire(1, timeoutMs)) {
        m_error = QStringLiteral("The demo upstream did not start in time.");
        return false;
    }
    if (!error->isEmpty()) {
        m_error = *error;
        m_thread.reset();
        return false;
    }
    return true;
}

void DemoUpstream::stop()
{
    if (!m_thread)
        return;
    m_thread->stop();
    m_thread->wait();
    m_thread.reset();
}

quint16 DemoUpstream::port() const
{
    return m_thread ? m_thread->port() : 0;
}

QString DemoUpstream::baseUrl() const
{
    QString host = m_options.address.toString();
    if (m_options.address == QHostAddress::Any || m_options.address == QHostAddress::AnyIPv4)
        host = QStringLiteral("127.0.0.1");
    return QStringLiteral("http://%1:%2").arg(host).arg(port());
}

} // namespace RelayDesk::Relay
