#include "demo/demomessages.h"

#include "demo/demopacedwriter.h"
#include "demo/demoscenario.h"
#include "http/httpexchange.h"
#include "http/router.h"
#include "relay/anthropic/messagesadapter.h"
#include "tokenize/estimator.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QUuid>

namespace RelayDesk::Relay {

namespace {

struct MessagesRequest
{
    QJsonObject body;
    QString model;
    QString scenario;
    bool has(const char *name) const { return DemoScenario::has(scenario, QLatin1StringView(name)); }
};

void fail(HttpExchange &exchange, int status, const QByteArray &type, const QString &message)
{
    exchange.respond(status, DemoMessages::errorBody(type, message));
}

std::optional<MessagesRequest> readRequest(HttpExchange &exchange, const DemoUpstreamOptions &options, bool count)
{
    const HttpRequest &request = exchange.request();
    const QByteArray key = request.headers.value("x-api-key");
    if (key.isEmpty() || (!options.requiredKey.isEmpty() && key != options.requiredKey)) {
        fail(exchange, 401, "authentication_error", QStringLiteral("invalid x-api-key"));
        return std::nullopt;
    }
    if (request.headers.value("anthropic-version").isEmpty()) {
        fail(exchange, 400, "invalid_request_error", QStringLiteral("anthropic-version: header is required"));
        return std::nullopt;
    }
    const QJsonDocument doc = QJsonDocument::fromJson(request.body);
    if (!doc.isObject()) {
        fail(exchange, 400, "invalid_request_error", QStringLiteral("The request body is not valid JSON."));
        return std::nullopt;
    }
    MessagesRequest out;
    out.body = doc.object();
    out.model = out.body.value(QLatin1StringView("model")).toString();
    if (out.model.isEmpty() || !out.body.value(QLatin1StringView("messages")).isArray()) {
        fail(exchange, 400, "invalid_request_error", QStringLiteral("model and messages: Field required"));
        return std::nullopt;
    }
    if (!count && !out.body.value(QLatin1StringView("max_tokens")).isDouble()) {
        fail(exchange, 400, "invalid_request_error", QStringLiteral("max_tokens: Field required"));
        return std::nullopt;
    }
    if (!out.model.startsWith(QLatin1StringView("claude"))) {
        fail(exchange, 404, "not_found_error", QStringLiteral("model: %1").arg(out.model));
        return std::nullopt;
    }
    const QString text = QString::fromUtf8(QJsonDocument(out.body.value(QLatin1StringView("messages")).toArray())
                                               .toJson(QJsonDocument::Compact));
    out.scenario = DemoScenario::of(request, out.model, text);
    if (out.has("error_500")) {
        fail(exchange, 500, "api_error", QStringLiteral("Internal server error (scenario error_500)."));
        return std::nullopt;
    }
    if (out.has("error_529")) {
        fail(exchange, 529, "overloaded_error", QStringLiteral("Overloaded (scenario error_529)."));
        return std::nullopt;
    }
    if (out.has("error_429")) {
        fail(exchange, 429, "rate_limit_error", QStringLiteral("Rate limited (scenario error_429)."));
        return std::nullopt;
    }
    return out;
}

bool endsWithToolResult(const QJsonObject &body)
{
    const QJsonArray messages = body.value(QLatin1StringView("messages")).toArray();
    const QJsonArray content = messages.last().toObject().value(QLatin1StringView("content")).toArray();
    return std::any_of(content.begin(), content.end(), [](const QJsonValue &block) {
        return block.toObject().value(QLatin1StringView("type")).toString() == u"tool_result";
    });
}

QByteArray json(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

// The prompt's input tokens as the demo counts them: the Claude estimate (more under dense_prompt).
qint64 promptTokens(const MessagesRequest &request)
{
    const qint64 extra = request.has("dense_prompt") ? DemoMessages::kDensePromptExtra : 0;
    return MessagesAdapter::estimate(request.body).total() + extra;
}

void countTokens(HttpExchange &exchange, const DemoUpstreamOptions &options)
{
    const auto request = readRequest(exchange, options, true);
    if (!request)
        return;
    if (request->has("count_malformed"))
        return exchange.respond(200, json({{QStringLiteral("input_tokens"), QStringLiteral("many")}}));
    exchange.respond(200, json({{QStringLiteral("input_tokens"), promptTokens(*request)}}));
}

void messages(HttpExchange &exchange, const DemoUpstreamOptions &options)
{
    const auto request = readRequest(exchange, options, false);
    if (!request)
        return;
    const qint64 maxTokens = request->body.value(QLatin1StringView("max_tokens")).toInteger();
    // The reply: the demo text, cut to max_tokens words (then stop_reason max_tokens).
    QStringList words = DemoScenario::replyWords();
    QString stop = QStringLiteral("end_turn");
    if (maxTokens < words.size()) {
        words = words.mid(0, std::max<qint64>(maxTokens, 1));
        stop = QStringLiteral("max_tokens");
    }
    const QString text = words.join(u' ');
    // Scenario tools: a call of the demo's tool instead of text, as Claude answers when it uses a tool — unless
    // the conversation ends with the tool's result, which Claude answers in text.
    const bool toolUse = request->has("tools") && !endsWithToolResult(request->body);
    if (toolUse)
        stop = QStringLiteral("tool_use");
    const QString toolInput = DemoScenario::toolArguments();
    const QJsonObject toolBlock{{QStringLiteral("type"), QStringLiteral("tool_use")},
                                {QStringLiteral("id"), QStringLiteral("toolu_demo1")},
                                {QStringLiteral("name"), DemoScenario::toolName()},
                                {QStringLiteral("input"), QJsonDocument::fromJson(toolInput.toUtf8()).object()}};
    const qint64 input = promptTokens(*request);
    const qint64 output = Tokenize::estimateTokens(toolUse ? DemoScenario::toolName() + toolInput : text,
                                                   Tokenize::EstimatorProvider::Claude);
    const QJsonObject usage = DemoMessages::usage(request->scenario, input, output);
    const bool noUsage = request->has("no_usage");
    const QString id = QStringLiteral("msg_demo_") + QUuid::createUuid().toString(QUuid::Id128).left(24);
    QJsonObject message{{QStringLiteral("id"), id},
                        {QStringLiteral("type"), QStringLiteral("message")},
                        {QStringLiteral("role"), QStringLiteral("assistant")},
                        {QStringLiteral("model"), request->model},
                        {QStringLiteral("stop_sequence"), QJsonValue::Null}};

    if (!request->body.value(QLatin1StringView("stream")).toBool()) {
        message.insert(QStringLiteral("content"),
                       QJsonArray{toolUse ? toolBlock
                                          : QJsonObject{{QStringLiteral("type"), QStringLiteral("text")},
                                                        {QStringLiteral("text"), text}}});
        message.insert(QStringLiteral("stop_reason"), stop);
        if (!noUsage)
            message.insert(QStringLiteral("usage"), usage);
        return exchange.respond(200, json(message));
    }

    QList<DemoPacedWriter::Piece> pieces;
    auto add = [&pieces](const char *event, const QJsonObject &data) {
        pieces.append({QByteArray(event), json(data)});
    };
    QJsonObject startUsage = usage;
    startUsage.insert(QStringLiteral("output_tokens"), 1); // what Anthropic's message_start says
    message.insert(QStringLiteral("content"), QJsonArray());
    message.insert(QStringLiteral("stop_reason"), QJsonValue::Null);
    if (!noUsage)
        message.insert(QStringLiteral("usage"), startUsage);
    add("message_start", {{QStringLiteral("type"), QStringLiteral("message_start")}, {QStringLiteral("message"), message}});
    QJsonObject startBlock{{QStringLiteral("type"), QStringLiteral("text")}, {QStringLiteral("text"), QString()}};
    if (toolUse) {
        startBlock = toolBlock;
        startBlock.insert(QStringLiteral("input"), QJsonObject());
    }
    add("content_block_start", {{QStringLiteral("type"), QStringLiteral("content_block_start")},
                                {QStringLiteral("index"), 0},
                                {QStringLiteral("content_block"), startBlock}});
    add("ping", {{QStringLiteral("type"), QStringLiteral("ping")}});
    for (qsizetype i = 0; toolUse && i < toolInput.size(); i += 8) { // the input arrives in pieces, as from Claude
        add("content_block_delta",
            {{QStringLiteral("type"), QStringLiteral("content_block_delta")},
             {QStringLiteral("index"), 0},
             {QStringLiteral("delta"), QJsonObject{{QStringLiteral("type"), QStringLiteral("input_json_delta")},
                                                   {QStringLiteral("partial_json"), toolInput.mid(i, 8)}}}});
    }
    for (qsizetype i = 0; !toolUse && i < words.size(); ++i) {
        if (request->has("stream_error") && i == 2) {
            add("error", {{QStringLiteral("type"), QStringLiteral("error")},
                          {QStringLiteral("error"),
                           QJsonObject{{QStringLiteral("type"), QStringLiteral("overloaded_error")},
                                       {QStringLiteral("message"), QStringLiteral("Overloaded")}}}});
            break;
        }
        add("content_block_delta",
            {{QStringLiteral("type"), QStringLiteral("content_block_delta")},
             {QStringLiteral("index"), 0},
             {QStringLiteral("delta"),
              QJsonObject{{QStringLiteral("type"), QStringLiteral("text_delta")},
                          {QStringLiteral("text"), i == 0 ? words.at(i) : u' ' + words.at(i)}}}});
    }
    if (!request->has("stream_error")) {
        add("content_block_stop", {{QStringLiteral("type"), QStringLiteral("content_block_stop")},
                                   {QStringLiteral("index"), 0}});
        QJsonObject delta{{QStringLiteral("type"), QStringLiteral("message_delta")},
                          {QStringLiteral("delta"), QJsonObject{{QStringLiteral("stop_reason"), stop},
                                                                {QStringLiteral("stop_sequence"), QJsonValue::Null}}}};
        if (!noUsage) {
            QJsonObject deltaUsage{{QStringLiteral("output_tokens"), output}};
            if (usage.contains(QLatin1StringView("server_tool_use")))
                deltaUsage.insert(QStringLiteral("server_tool_use"), usage.value(QLatin1StringView("server_tool_use")));
            delta.insert(QStringLiteral("usage"), deltaUsage);
        }
        add("message_delta", delta);
        add("message_stop", {{QStringLiteral("type"), QStringLiteral("message_stop")}});
    }
    if (request->has("stall")) { // message_start, the block's start, ping and three deltas; then nothing more
        exchange.beginEventStream();
        for (const DemoPacedWriter::Piece &piece : pieces.mid(0, 6))
            exchange.writeEvent(piece.event, piece.data);
        return;
    }
    DemoPacedWriter::Pacing pacing;
    pacing.firstDelayMs = options.firstChunkDelayMs;
    pacing.delayMs = options.chunkDelayMs;
    pacing.resetAfterFirst = request->has("reset");
    DemoPacedWriter::events(exchange, std::move(pieces), pacing);
}

} // namespace

QJsonObject DemoMessages::usage(const QString &scenario, qint64 inputTokens, qint64 outputTokens)
{
    QJsonObject u{{QStringLiteral("input_tokens"), inputTokens},
                  {QStringLiteral("cache_read_input_tokens"), 0},
                  {QStringLiteral("cache_creation_input_tokens"), 0},
                  {QStringLiteral("output_tokens"), outputTokens}};
    auto creation = [&u](qint64 m5, qint64 h1) {
        u.insert(QStringLiteral("cache_creation_input_tokens"), m5 + h1);
        u.insert(QStringLiteral("cache_creation"), QJsonObject{{QStringLiteral("ephemeral_5m_input_tokens"), m5},
                                                               {QStringLiteral("ephemeral_1h_input_tokens"), h1}});
    };
    if (DemoScenario::has(scenario, QLatin1StringView("cache_read")))
        u.insert(QStringLiteral("cache_read_input_tokens"), 2048);
    if (DemoScenario::has(scenario, QLatin1StringView("cache_write_5m")))
        creation(1024, 0);
    if (DemoScenario::has(scenario, QLatin1StringView("cache_write_1h")))
        creation(512, 1024);
    if (DemoScenario::has(scenario, QLatin1StringView("web_search")))
        u.insert(QStringLiteral("server_tool_use"), QJsonObject{{QStringLiteral("web_search_requests"), 2}});
    return u;
}

QByteArray DemoMessages::errorBody(const QByteArray &type, const QString &message)
{
    return json({{QStringLiteral("type"), QStringLiteral("error")},
                 {QStringLiteral("error"), QJsonObject{{QStringLiteral("type"), QString::fromLatin1(type)},
                                                       {QStringLiteral("message"), message}}}});
}

void DemoMessages::install(HttpServer &server, const DemoUpstreamOptions &options)
{
    server.router().addRoute("POST", "/v1/messages", [options](HttpExchange &e) { messages(e, options); },
                             Router::Access::Public);
    server.router().addRoute("POST", "/v1/messages/count_tokens",
                             [options](HttpExchange &e) { countTokens(e, options); }, Router::Access::Public);
}

} // namespace RelayDesk::Relay
