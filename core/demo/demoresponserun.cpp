#include "demo/demoresponserun.h"

#include "demo/demoscenario.h"

#include <QtCore/QDateTime>
#include <QtCore/QRandomGenerator>

namespace RelayDesk::Relay {

namespace {

constexpr int kCutAfterDeltas = 3; // `failed` and `reset` stop after this many deltas
constexpr int kKeepaliveEvery = 4; // `keepalive`: one keepalive event per this many deltas

QString str(const char *latin1)
{
    return QString::fromLatin1(latin1);
}

// OpenAI pads stream deltas with a random `obfuscation` string (against length side channels) unless
// stream_options.include_obfuscation is false; relays must not count it.
QString obfuscationFor(const QString &delta)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    const int length = 16 - int(delta.size() % 16);
    QString out(length, Qt::Uninitialized);
    for (QChar &c : out)
        c = QLatin1Char(alphabet[QRandomGenerator::global()->bounded(int(sizeof alphabet - 1))]);
    return out;
}

QJsonObject outputText(const QString &text)
{
    return {{str("type"), str("output_text")}, {str("annotations"), QJsonArray()},
            {str("logprobs"), QJsonArray()}, {str("text"), text}};
}

QJsonObject merged(QJsonObject a, const QJsonObject &b)
{
    for (auto it = b.begin(); it != b.end(); ++it)
        a.insert(it.key(), it.value());
    return a;
}

// A web search's query: the start of the last user text.
QString searchQuery(const QJsonArray &items)
{
    for (qsizetype i = items.size() - 1; i >= 0; --i) {
        const QJsonObject item = items.at(i).toObject();
        if (item.value(u"role").toString() != u"user")
            continue;
        for (const QJsonValue &part : item.value(u"content").toArray())
            if (const QString text = part.toObject().value(u"text").toString(); !text.isEmpty())
                return text.left(80).simplified();
    }
    return str("RelayDesk demo");
}

} // namespace

DemoResponseRun::DemoResponseRun(DemoResponseRequest request, QObject *parent)
    : QObject(parent)
    , m_request(std::move(request))
    , m_id(DemoResponseRequest::newId(QLatin1StringView("resp")))
    , m_createdAt(QDateTime::currentSecsSinceEpoch())
{
    m_base = baseResponse();
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &DemoResponseRun::advance);
    buildSteps();
}

DemoResponseRun::~DemoResponseRun() = default;

// --- the script -------------------------------------------------------------------------------------------

void DemoResponseRun::buildSteps()
{
    const bool background = m_request.background;
    addLifecycle(str("response.created"), background ? str("queued") : str("in_progress"));
    if (background)
        addLifecycle(str("response.queued"), str("queued"));
    addLifecycle(str("response.in_progress"), str("in_progress"), Pace::Start);
    if (m_request.has(QLatin1StringView("keepalive")))
        add(Kind::Keepalive, {{str("type"), str("keepalive")}});
    if (m_request.has(QLatin1StringView("reasoning")))
        addReasoning();
    const int searches = m_request.has(QLatin1StringView("web_search2")) ? 2
                         : m_request.has(QLatin1StringView("web_search")) ? 1 : 0;
    for (int i = 0; i < searches; ++i)
        addWebSearch();
    if (m_request.has(QLatin1StringView("tools")))
        addFunctionCall();
    else
        addMessage();
    if (!m_cut)
        addTerminal();
}

void DemoResponseRun::add(Kind kind, QJsonObject event, Pace pace)
{
    Step step;
    step.kind = kind;
    step.event = std::move(event);
    step.pace = pace;
    m_steps.append(std::move(step));
}

void DemoResponseRun::addLifecycle(const QString &type, const QString &status, Pace pace)
{
    Step step;
    step.kind = Kind::Lifecycle;
    step.event = {{str("type"), type}};
    step.status = status;
    step.pace = pace;
    m_steps.append(std::move(step));
}

void DemoResponseRun::addReasoning()
{
    // The reasoning itself stays hidden (no summary asked), but it is billed as output.
    const QJsonObject item{{str("id"), DemoResponseRequest::newId(QLatin1StringView("rs"))},
                           {str("type"), str("reasoning")}, {str("summary"), QJsonArray()}};
    const int index = m_outputIndex++;
    add(Kind::ItemAdded, {{str("type"), str("response.output_item.added")}, {str("output_index"), index}, {str("item"), item}});
    Step done;
    done.kind = Kind::ItemDone;
    done.event = {{str("type"), str("response.output_item.done")}, {str("output_index"), index}, {str("item"), item}};
    done.tokens = DemoResponseRequest::countText(DemoScenario::reasoningText(), m_request.model);
    done.reasoning = true;
    m_steps.append(std::move(done));
}

void DemoResponseRun::addWebSearch()
{
    const QString id = DemoResponseRequest::newId(QLatin1StringView("ws"));
    const int index = m_outputIndex++;
    const QJsonObject action{{str("type"), str("search")}, {str("query"), searchQuery(m_request.inputItems)}};
    const QJsonObject item{{str("id"), id}, {str("type"), str("web_search_call")}, {str("action"), action}};
    add(Kind::ItemAdded, {{str("type"), str("response.output_item.added")}, {str("output_index"), index},
                          {str("item"), merged(item, {{str("status"), str("in_progress")}})}});
    for (const char *phase : {"in_progress", "searching", "completed"})
        add(Kind::Event,
            QJsonObject{{str("type"), QString(str("response.web_search_call.") + str(phase))}, {str("item_id"), id},
                        {str("output_index"), index}},
            qstrcmp(phase, "searching") == 0 ? Pace::Delta : Pace::None); // the search takes a moment
    Step done;
    done.kind = Kind::ItemDone;
    done.event = {{str("type"), str("response.output_item.done")}, {str("output_index"), index},
                  {str("item"), merged(item, {{str("status"), str("completed")}})}};
    m_steps.append(std::move(done));
}

void DemoResponseRun::addFunctionCall()
{
    const QString id = DemoResponseRequest::newId(QLatin1StringView("fc"));
    const QString name = DemoScenario::toolName();
    const QString arguments = DemoScenario::toolArguments();
    const int index = m_outputIndex++;
    const QJsonObject item{{str("id"), id}, {str("type"), str("function_call")},
                           {str("call_id"), DemoResponseRequest::newId(QLatin1StringView("call"))},
                           {str("name"), name}};
    add(Kind::ItemAdded, {{str("type"), str("response.output_item.added")}, {str("output_index"), index},
                          {str("item"), merged(item, {{str("arguments"), QString()}, {str("status"), str("in_progress")}})}});
    const QJsonObject base{{str("item_id"), id}, {str("output_index"), index}};
    for (qsizetype i = 0; i < arguments.size(); i += 8) // arguments arrive in pieces, as from OpenAI
        if (!addDelta(str("response.function_call_arguments.delta"), base, arguments.mid(i, 8)))
            return;
    add(Kind::Event, merged(base, {{str("type"), str("response.function_call_arguments.done")},
                                   {str("name"), name}, {str("arguments"), arguments}}));
    Step done;
    done.kind = Kind::ItemDone;
    done.event = {{str("type"), str("response.output_item.done")}, {str("output_index"), index},
                  {str("item"), merged(item, {{str("arguments"), arguments}, {str("status"), str("completed")}})}};
    done.tokens = DemoResponseRequest::countText(name + arguments, m_request.model);
    m_steps.append(std::move(done));
}

void DemoResponseRun::addMessage()
{
    const QString id = DemoResponseRequest::newId(QLatin1StringView("msg"));
    const int index = m_outputIndex++;
    const bool incomplete = m_request.has(QLatin1StringView("incomplete"));
    QStringList words = DemoScenario::replyWords();
    if (incomplete) // max_output_tokens ran out halfway through the reply
        words = words.mid(0, words.size() / 2);
    const QString text = words.join(QLatin1Char(' '));
    const QJsonObject item{{str("id"), id}, {str("type"), str("message")}, {str("role"), str("assistant")}};
    add(Kind::ItemAdded, {{str("type"), str("response.output_item.added")}, {str("output_index"), index},
                          {str("item"), merged(item, {{str("status"), str("in_progress")}, {str("content"), QJsonArray()}})}});
    const QJsonObject base{{str("item_id"), id}, {str("output_index"), index}, {str("content_index"), 0}};
    add(Kind::Event, merged(base, {{str("type"), str("response.content_part.added")}, {str("part"), outputText(QString())}}));
    for (qsizetype i = 0; i < words.size(); ++i)
        if (!addDelta(str("response.output_text.delta"), base, (i ? str(" ") : QString()) + words.at(i)))
            return;
    add(Kind::Event, merged(base, {{str("type"), str("response.output_text.done")}, {str("text"), text},
                                   {str("logprobs"), QJsonArray()}}));
    add(Kind::Event, merged(base, {{str("type"), str("response.content_part.done")}, {str("part"), outputText(text)}}));
    Step done;
    done.kind = Kind::ItemDone;
    done.event = {{str("type"), str("response.output_item.done")}, {str("output_index"), index},
                  {str("item"), merged(item, {{str("status"), incomplete ? str("incomplete") : str("completed")},
                                              {str("content"), QJsonArray{outputText(text)}}})}};
    done.tokens = DemoResponseRequest::countText(text, m_request.model);
    m_steps.append(std::move(done));
}

bool DemoResponseRun::addDelta(const QString &type, const QJsonObject &base, const QString &delta)
{
    QJsonObject event = merged(base, {{str("type"), type}, {str("delta"), delta}});
    if (type == u"response.output_text.delta")
        event.insert(str("logprobs"), QJsonArray());
    add(Kind::TextDelta, std::move(event), m_deltas == 0 ? Pace::FirstDelta : Pace::Delta);
    ++m_deltas;
    if (m_request.has(QLatin1StringView("keepalive")) && m_deltas % kKeepaliveEvery == 0)
        add(Kind::Keepalive, {{str("type"), str("keepalive")}});
    if (m_deltas < kCutAfterDeltas)
        return true;
    if (m_request.has(QLatin1StringView("reset"))) {
        add(Kind::Reset, {});
        m_cut = true;
    } else if (m_request.has(QLatin1StringView("failed"))) {
        add(Kind::Error, {{str("type"), str("error")}, {str("code"), str("server_error")},
                          {str("message"), str("The demo upstream failed mid-response (scenario failed).")},
                          {str("param"), QJsonValue::Null}});
        addLifecycle(str("response.failed"), str("failed"));
        m_cut = true;
    }
    return !m_cut;
}

void DemoResponseRun::addTerminal()
{
    if (m_request.has(QLatin1StringView("incomplete")))
        addLifecycle(str("response.incomplete"), str("incomplete"));
    else
        addLifecycle(str("response.completed"), str("completed"));
}

// --- playing --------------------------------------------------------------------------------------------

void DemoResponseRun::start(DemoResponsePacing pacing)
{
    m_pacing = pacing;
    m_playing = true;
    advance();
}

void DemoResponseRun::runToEnd()
{
    m_instant = true;
    m_playing = true;
    advance();
}

void DemoResponseRun::stop()
{
    m_timer.stop();
    if (!m_playing)
        return;
    m_playing = false;
    Q_EMIT ended();
}

bool DemoResponseRun::cancel()
{
    if (!m_request.background || m_terminal)
        return false;
    m_timer.stop();
    m_status = str("cancelled");
    m_terminal = true;
    m_playing = false;
    Q_EMIT ended();
    return true;
}

int DemoResponseRun::delayOf(Pace pace) const
{
    if (m_instant)
        return 0;
    switch (pace) {
    case Pace::Start:
        return m_pacing.startMs;
    case Pace::FirstDelta:
        return m_pacing.firstMs;
    case Pace::Delta:
        return m_pacing.chunkMs;
    case Pace::None:
        break;
    }
    return 0;
}

void DemoResponseRun::advance()
{
    while (m_playing && m_next < m_steps.size()) {
        const Step &step = m_steps.at(m_next);
        const int delay = delayOf(step.pace);
        if (delay > 0 && !m_waited) {
            m_waited = true;
            m_timer.start(delay);
            return;
        }
        m_waited = false;
        ++m_next;
        apply(step);
    }
    if (m_playing) {
        m_playing = false;
        Q_EMIT ended();
    }
}

void DemoResponseRun::apply(const Step &step)
{
    QJsonObject event = step.event;
    switch (step.kind) {
    case Kind::Reset:
        m_playing = false;
        m_timer.stop();
        Q_EMIT resetRequested();
        Q_EMIT ended();
        return;
    case Kind::Lifecycle:
        m_status = step.status;
        if (m_status == u"completed" || m_status == u"failed" || m_status == u"incomplete") {
            m_terminal = true;
            if (m_status == u"completed")
                m_completedAt = QDateTime::currentSecsSinceEpoch();
            if (m_status == u"incomplete")
                m_incomplete = QJsonObject{{str("reason"), str("max_output_tokens")}};
        }
        event.insert(str("response"), snapshot());
        break;
    case Kind::Error:
        m_error = QJsonObject{{str("code"), event.value(u"code")}, {str("message"), event.value(u"message")}};
        break;
    case Kind::TextDelta:
        m_partial += event.value(u"delta").toString();
        if (m_request.stream && m_request.obfuscation)
            event.insert(str("obfuscation"), obfuscationFor(event.value(u"delta").toString()));
        break;
    case Kind::ItemDone:
        m_output.append(event.value(u"item"));
        m_outputTokens += step.tokens;
        if (step.reasoning)
            m_reasoningTokens += step.tokens;
        m_partial.clear();
        break;
    case Kind::Event:
    case Kind::ItemAdded:
    case Kind::Keepalive:
        break;
    }
    emitEvent(std::move(event));
}

void DemoResponseRun::emitEvent(QJsonObject event)
{
    event.insert(str("sequence_number"), qint64(m_events.size()));
    m_events.append(event);
    Q_EMIT eventEmitted(event);
}

// --- the response object -----------------------------------------------------------------------------------

QJsonObject DemoResponseRun::baseResponse() const
{
    const QJsonObject &b = m_request.body;
    const auto echo = [&b](const char *key, const QJsonValue &fallback) {
        const QJsonValue v = b.value(QLatin1StringView(key));
        return v.isUndefined() ? fallback : v;
    };
    QString tier = b.value(u"service_tier").toString(str("default"));
    if (tier == u"auto")
        tier = str("default");
    return {
        {str("id"), m_id},
        {str("object"), str("response")},
        {str("created_at"), m_createdAt},
        {str("background"), m_request.background},
        {str("instructions"), m_request.instructions.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(m_request.instructions)},
        {str("max_output_tokens"), echo("max_output_tokens", QJsonValue::Null)},
        {str("max_tool_calls"), echo("max_tool_calls", QJsonValue::Null)},
        {str("metadata"), echo("metadata", QJsonObject())},
        {str("model"), m_request.model},
        {str("parallel_tool_calls"), echo("parallel_tool_calls", true)},
        {str("previous_response_id"),
         m_request.previousResponseId.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(m_request.previousResponseId)},
        {str("prompt_cache_key"), echo("prompt_cache_key", QJsonValue::Null)},
        {str("reasoning"), echo("reasoning", QJsonObject{{str("effort"), QJsonValue::Null}, {str("summary"), QJsonValue::Null}})},
        {str("safety_identifier"), echo("safety_identifier", QJsonValue::Null)},
        {str("service_tier"), tier},
        {str("store"), m_request.store},
        {str("temperature"), echo("temperature", 1.0)},
        {str("text"), echo("text", QJsonObject{{str("format"), QJsonObject{{str("type"), str("text")}}},
                                               {str("verbosity"), str("medium")}})},
        {str("tool_choice"), echo("tool_choice", str("auto"))},
        {str("tools"), echo("tools", QJsonArray())},
        {str("top_logprobs"), echo("top_logprobs", 0)},
        {str("top_p"), echo("top_p", 1.0)},
        {str("truncation"), echo("truncation", str("disabled"))},
        {str("user"), echo("user", QJsonValue::Null)},
    };
}

QJsonObject DemoResponseRun::snapshot() const
{
    QJsonObject o = m_base;
    o.insert(str("status"), m_status.isEmpty() ? (m_request.background ? str("queued") : str("in_progress")) : m_status);
    o.insert(str("output"), m_output);
    o.insert(str("error"), m_error);
    o.insert(str("incomplete_details"), m_incomplete);
    o.insert(str("completed_at"), m_completedAt ? QJsonValue(m_completedAt) : QJsonValue(QJsonValue::Null));
    // Usage appears once the response is over; never for `failed` or `no_usage`.
    const bool withUsage = m_terminal && m_status != u"failed" && !m_request.has(QLatin1StringView("no_usage"));
    o.insert(str("usage"), withUsage ? QJsonValue(usage()) : QJsonValue(QJsonValue::Null));
    return o;
}

qint64 DemoResponseRun::outputTokens() const
{
    return m_outputTokens + (m_partial.isEmpty() ? 0 : DemoResponseRequest::countText(m_partial, m_request.model));
}

qint64 DemoResponseRun::contextTokens() const
{
    return m_request.inputTokens + outputTokens();
}

QJsonObject DemoResponseRun::usage() const
{
    const qint64 in = m_request.inputTokens;
    const qint64 out = outputTokens();
    // Like OpenAI: prompts of 1024+ tokens get a cache hit in 128-token steps; `cached` forces one.
    qint64 cached = in >= 1024 ? ((in - 1024) / 128 + 1) * 128 - 128 : 0;
    qint64 cacheWrite = 0;
    if (m_request.has(QLatin1StringView("cached"))) {
        cached = in / 2;
        cacheWrite = in / 4;
    }
    return {{str("input_tokens"), in},
            {str("input_tokens_details"), QJsonObject{{str("cached_tokens"), cached}, {str("cache_write_tokens"), cacheWrite}}},
            {str("output_tokens"), out},
            {str("output_tokens_details"), QJsonObject{{str("reasoning_tokens"), m_reasoningTokens}}},
            {str("total_tokens"), in + out}};
}

} // namespace RelayDesk::Relay
