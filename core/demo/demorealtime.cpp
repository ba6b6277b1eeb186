#include "demo/demorealtime.h"

#include "demo/demorealtimecalls.h"
#include "http/httprequest.h"
#include "relay/realtime/jsonpeek.h"
#include "relay/realtime/realtimetranscription.h"
#include "http/openaierror.h"
#include "tokenize/audiotokens.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QAbstractSocket>
#include <QUrlQuery>
#include <QtWebSockets/QWebSocket>
#include <QtWebSockets/QWebSocketServer>

namespace RelayDesk::Relay {

namespace {

constexpr int kBytesPerMs = 48; // pcm16 mono 24 kHz

qint64 words(const QString &text)
{
    return text.split(QLatin1Char(' '), Qt::SkipEmptyParts).size();
}

bool transcriptionIntent(const QString &intent)
{
    return intent == QLatin1StringView(RealtimeTranscription::kIntent);
}

QString compact(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

} // namespace

DemoRealtimeScript DemoRealtimeScript::demo()
{
    DemoRealtimeScript script;
    script.paceMs = script.chunkMs;
    script.audioMs = 3000;
    script.transcription = true;
    return script;
}

// One simulated Realtime conversation on one socket.
class DemoRealtimeConnection final : public QObject
{
public:
    DemoRealtimeConnection(DemoRealtime *owner, QWebSocket *socket, QString model, DemoRealtimeScript script,
                           bool transcriptionIntent, QString callId = {})
        : QObject(owner)
        , m_owner(owner)
        , m_socket(socket)
        , m_model(std::move(model))
        , m_callId(std::move(callId))
        , m_script(std::move(script))
        , m_transcriptionSession(transcriptionIntent)
        , m_transcriptionModel(transcriptionIntent ? QString::fromLatin1(RealtimeTranscription::kDefaultModel)
                                                   : m_script.transcriptionModel)
    {
        socket->setParent(this);
        m_step.setSingleShot(true);
        connect(&m_step, &QTimer::timeout, this, &DemoRealtimeConnection::nextStep);
        connect(socket, &QWebSocket::textMessageReceived, this, &DemoRealtimeConnection::onText);
        connect(socket, &QWebSocket::binaryMessageReceived, this,
                [this](const QByteArray &) { m_owner->m_received << QStringLiteral("(binary)"); });
        connect(socket, &QWebSocket::disconnected, this, &DemoRealtimeConnection::onGone);
        m_silence = QString::fromLatin1(QByteArray(m_script.chunkMs * kBytesPerMs, '\0').toBase64());
        m_conversationText += words(m_script.instructions);
        m_auto.setSingleShot(true);
        connect(&m_auto, &QTimer::timeout, this, [this] {
            if (m_autoLeft > 0 && m_steps.empty()) {
                --m_autoLeft;
                startResponse();
            }
        });
        m_autoLeft = m_script.autoResponses;
        sendSessionCreated();
        scheduleAuto();
    }

    const QString &callId() const { return m_callId; }
    void endCall()
    {
        m_callEnded = true;
        m_auto.stop();
        m_steps.clear();
        m_step.stop();
        if (m_socket && m_socket->state() == QAbstractSocket::ConnectedState)
            m_socket->close(QWebSocketProtocol::CloseCodeNormal, QStringLiteral("call ended"));
        else if (m_sidebandGone)
            onGone(); // the sideband had closed while the call went on speaking: now it is over
    }

private:
    // A call's sideband speaks on its own: the next response, or the end of the call after the last one.
    void scheduleAuto()
    {
        if (m_autoLeft > 0)
            m_auto.start(m_script.autoIntervalMs);
        else if ((m_script.autoResponses > 0 && m_script.endAfterAuto) || m_sidebandGone)
            QTimer::singleShot(0, this, [this] { endCall(); });
    }

    bool ga() const { return m_script.dialect == DemoRealtimeScript::Dialect::Ga; }
    QString name(const char *beta, const char *gaName) const { return QString::fromLatin1(ga() ? gaName : beta); }
    QString nextId(const char *prefix) { return QStringLiteral("%1_%2").arg(QLatin1String(prefix)).arg(++m_ids); }

    void send(QJsonObject event)
    {
        event.insert(QStringLiteral("event_id"), nextId("event"));
        if (m_socket && m_socket->state() == QAbstractSocket::ConnectedState)
            m_socket->sendTextMessage(compact(event));
    }

    // A transcription session (GA type "transcription", or the beta transcription_session object).
    QJsonObject transcriptionSessionObject() const
    {
        const QJsonObject transcription{{QStringLiteral("model"), m_transcriptionModel}};
        if (!ga())
            return {{QStringLiteral("id"), QStringLiteral("sess_demo")},
                    {QStringLiteral("object"), QStringLiteral("realtime.transcription_session")},
                    {QStringLiteral("input_audio_format"), QStringLiteral("pcm16")},
                    {QStringLiteral("input_audio_transcription"), transcription}};
        const QJsonObject pcm{{QStringLiteral("type"), QStringLiteral("audio/pcm")}, {QStringLiteral("rate"), 24000}};
        return {{QStringLiteral("id"), QStringLiteral("sess_demo")},
                {QStringLiteral("object"), QStringLiteral("realtime.transcription_session")},
                {QStringLiteral("type"), QStringLiteral("transcription")},
                {QStringLiteral("audio"), QJsonObject{{QStringLiteral("input"),
                                                       QJsonObject{{QStringLiteral("format"), pcm},
                                                                   {QStringLiteral("transcription"), transcription}}}}}};
    }

    QJsonObject sessionObject() const
    {
        if (m_transcriptionSession)
            return transcriptionSessionObject();
        QJsonObject session{{QStringLiteral("id"), QStringLiteral("sess_demo")},
                            {QStringLiteral("object"), QStringLiteral("realtime.session")},
                            {QStringLiteral("model"), m_model}};
        if (ga()) {
            const QJsonObject pcm{{QStringLiteral("type"), QStringLiteral("audio/pcm")}, {QStringLiteral("rate"), 24000}};
            session.insert(QStringLiteral("type"), QStringLiteral("realtime"));
            session.insert(QStringLiteral("output_modalities"),
                           QJsonArray{m_textOnly ? QStringLiteral("text") : QStringLiteral("audio")});
            session.insert(QStringLiteral("audio"),
                           QJsonObject{{QStringLiteral("input"), QJsonObject{{QStringLiteral("format"), pcm}}},
                                       {QStringLiteral("output"), QJsonObject{{QStringLiteral("format"), pcm}}}});
        } else {
            session.insert(QStringLiteral("modalities"), m_textOnly ? QJsonArray{QStringLiteral("text")}
                                                                    : QJsonArray{QStringLiteral("audio"), QStringLiteral("text")});
            session.insert(QStringLiteral("input_audio_format"), QStringLiteral("pcm16"));
            session.insert(QStringLiteral("output_audio_format"), QStringLiteral("pcm16"));
        }
        if (m_script.transcription) {
            const QJsonObject transcription{{QStringLiteral("model"), m_script.transcriptionModel}};
            if (ga())
                session.insert(QStringLiteral("audio"),
                               QJsonObject{{QStringLiteral("input"),
                                            QJsonObject{{QStringLiteral("format"), QJsonObject{{QStringLiteral("type"), QStringLiteral("audio/pcm")}, {QStringLiteral("rate"), 24000}}},
                                                        {QStringLiteral("transcription"), transcription}}},
                                           {QStringLiteral("output"),
                                            QJsonObject{{QStringLiteral("format"), QJsonObject{{QStringLiteral("type"), QStringLiteral("audio/pcm")}, {QStringLiteral("rate"), 24000}}}}}});
            else
                session.insert(QStringLiteral("input_audio_transcription"), transcription);
        }
        return session;
    }

    void sendSessionCreated()
    {
        sendSession("created");
    }

    void sendSession(const char *what)
    {
        const QString prefix = m_transcriptionSession && !ga() ? QStringLiteral("transcription_session.")
                                                               : QStringLiteral("session.");
        send({{QStringLiteral("type"), QString(prefix + QLatin1String(what))}, {QStringLiteral("session"), sessionObject()}});
    }

    // A session.update that makes (or keeps) this a transcription session, and the model it names.
    void noteTranscription(const QJsonObject &session, bool betaTranscriptionEvent)
    {
        if (betaTranscriptionEvent || RealtimeTranscription::isTranscriptionSession(session))
            m_transcriptionSession = true;
        if (const QString model = RealtimeTranscription::modelOf(session); !model.isEmpty() && m_transcriptionSession)
            m_transcriptionModel = model;
    }

    void onText(const QString &message)
    {
        const QByteArray utf8 = message.toUtf8();
        const auto type = peekTopLevelString(utf8, "type");
        const QString typeName = type ? QString::fromUtf8(*type) : QStringLiteral("(invalid json)");
        m_owner->m_received << typeName;
        if (typeName == u"input_audio_buffer.append") {
            if (const auto audio = peekTopLevelString(utf8, "audio"))
                m_bufferBytes += Tokenize::base64DecodedLength(*audio).value_or(0);
            return;
        }
        const QJsonObject event = QJsonDocument::fromJson(utf8).object();
        if (typeName == u"transcription_session.update") {
            noteTranscription(event.value(u"session").toObject(), true);
            sendSession("updated");
        } else if (typeName == u"session.update") {
            const QJsonObject session = event.value(u"session").toObject();
            noteTranscription(session, false);
            const QJsonArray modalities = session.contains(u"output_modalities") ? session.value(u"output_modalities").toArray()
                                                                                 : session.value(u"modalities").toArray();
            if (!modalities.isEmpty())
                m_textOnly = !modalities.contains(QStringLiteral("audio"));
            m_conversationText += words(session.value(u"instructions").toString());
            sendSession("updated");
        } else if (typeName == u"input_audio_buffer.commit") {
            commitAudio();
        } else if (typeName == u"input_audio_buffer.clear") {
            m_bufferBytes = 0;
            send({{QStringLiteral("type"), QStringLiteral("input_audio_buffer.cleared")}});
        } else if (typeName == u"conversation.item.create") {
            addItem(event.value(u"item").toObject());
        } else if (typeName == u"response.create") {
            startResponse();
        } else if (typeName == u"response.cancel") {
            cancelResponse();
        } else if (!type) {
            send(QJsonObject{{QStringLiteral("type"), QStringLiteral("error")},
                             {QStringLiteral("error"), QJsonObject{{QStringLiteral("type"), QStringLiteral("invalid_request_error")},
                                                                   {QStringLiteral("message"), QStringLiteral("invalid JSON")}}}});
        }
    }

    void itemAdded(const QJsonObject &item)
    {
        send({{QStringLiteral("type"), name("conversation.item.created", "conversation.item.added")},
              {QStringLiteral("item"), item}});
        if (ga())
            send({{QStringLiteral("type"), QStringLiteral("conversation.item.done")}, {QStringLiteral("item"), item}});
    }

    // A transcription session's commit: transcript deltas, then `completed` with usage shaped by the model —
    // whisper-1 by duration, the gpt-4o(-mini)-transcribe family by tokens — or none (script.usage false).
    void transcribe(const QString &itemId, qint64 bytes, qint64 audioTokens)
    {
        const QStringList parts{QStringLiteral("what"), QStringLiteral(" the user"), QStringLiteral(" said")};
        const QJsonObject base{{QStringLiteral("item_id"), itemId}, {QStringLiteral("content_index"), 0}};
        for (const QString &part : parts) {
            QJsonObject delta = base;
            delta.insert(QStringLiteral("type"), QStringLiteral("conversation.item.input_audio_transcription.delta"));
            delta.insert(QStringLiteral("delta"), part);
            send(delta);
        }
        const QString transcript = parts.join(QString());
        QJsonObject completed = base;
        completed.insert(QStringLiteral("type"), QStringLiteral("conversation.item.input_audio_transcription.completed"));
        completed.insert(QStringLiteral("transcript"), transcript);
        if (m_script.usage && m_transcriptionModel == u"whisper-1") {
            completed.insert(QStringLiteral("usage"), QJsonObject{{QStringLiteral("type"), QStringLiteral("duration")},
                                                                  {QStringLiteral("seconds"), double(bytes) / (1000.0 * kBytesPerMs)}});
        } else if (m_script.usage) {
            completed.insert(QStringLiteral("usage"),
                             QJsonObject{{QStringLiteral("type"), QStringLiteral("tokens")},
                                         {QStringLiteral("input_tokens"), audioTokens},
                                         {QStringLiteral("output_tokens"), words(transcript)},
                                         {QStringLiteral("total_tokens"), audioTokens + words(transcript)},
                                         {QStringLiteral("input_token_details"),
                                          QJsonObject{{QStringLiteral("text_tokens"), 0}, {QStringLiteral("audio_tokens"), audioTokens}}}});
        }
        send(completed);
    }

    void commitAudio()
    {
        const QString itemId = nextId("item");
        const qint64 bytes = m_bufferBytes;
        const qint64 tokens = (m_bufferBytes + m_carryBytes) / (100 * kBytesPerMs);
        m_carryBytes = (m_bufferBytes + m_carryBytes) % (100 * kBytesPerMs);
        m_conversationAudio += tokens;
        m_bufferBytes = 0;
        send({{QStringLiteral("type"), QStringLiteral("input_audio_buffer.committed")}, {QStringLiteral("item_id"), itemId}});
        itemAdded({{QStringLiteral("id"), itemId}, {QStringLiteral("type"), QStringLiteral("message")},
                   {QStringLiteral("role"), QStringLiteral("user")},
                   // "transcript": null as OpenAI sends it: the Agents SDK's item schema requires the key
                   {QStringLiteral("content"), QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("input_audio")},
                                                                      {QStringLiteral("transcript"), QJsonValue::Null}}}}});
        if (m_transcriptionSession) {
            transcribe(itemId, bytes, tokens);
        } else if (m_script.transcription) {
            const QString transcript = QStringLiteral("what the user said");
            send({{QStringLiteral("type"), QStringLiteral("conversation.item.input_audio_transcription.completed")},
                  {QStringLiteral("item_id"), itemId},
                  {QStringLiteral("content_index"), 0},
                  {QStringLiteral("transcript"), transcript},
                  {QStringLiteral("usage"),
                   QJsonObject{{QStringLiteral("type"), QStringLiteral("tokens")},
                               {QStringLiteral("input_tokens"), tokens},
                               {QStringLiteral("output_tokens"), words(transcript)},
                               {QStringLiteral("total_tokens"), tokens + words(transcript)},
                               {QStringLiteral("input_token_details"),
                                QJsonObject{{QStringLiteral("text_tokens"), 0}, {QStringLiteral("audio_tokens"), tokens}}}}}});
        }
    }

    void addItem(QJsonObject item)
    {
        if (!item.contains(u"id"))
            item.insert(QStringLiteral("id"), nextId("item"));
        if (item.value(u"type").toString() == u"function_call_output")
            m_conversationText += words(item.value(u"output").toString());
        for (const QJsonValue &part : item.value(u"content").toArray())
            m_conversationText += words(part.toObject().value(u"text").toString());
        itemAdded(item);
    }

    struct Step
    {
        QJsonObject event;
        qint64 outAudio = 0;
        qint64 outText = 0;
        bool delta = false;
    };

    void startResponse()
    {
        if (!m_steps.empty()) {
            send({{QStringLiteral("type"), QStringLiteral("error")},
                  {QStringLiteral("error"), QJsonObject{{QStringLiteral("type"), QStringLiteral("invalid_request_error")},
                                                        {QStringLiteral("code"), QStringLiteral("conversation_already_has_active_response")},
                                                        {QStringLiteral("message"), QStringLiteral("a response is in progress")}}}});
            return;
        }
        m_responseId = nextId("resp");
        m_outAudio = m_outText = 0;
        m_deltas = 0;
        send({{QStringLiteral("type"), QStringLiteral("response.created")},
              {QStringLiteral("response"), QJsonObject{{QStringLiteral("id"), m_responseId},
                                                       {QStringLiteral("status"), QStringLiteral("in_progress")}}}});
        const QString itemId = nextId("item");
        const QJsonObject base{{QStringLiteral("response_id"), m_responseId}, {QStringLiteral("item_id"), itemId},
                               {QStringLiteral("output_index"), 0}, {QStringLiteral("content_index"), 0}};
        const auto with = [&base](const QString &type, const QJsonObject &fields) {
            QJsonObject event = base;
            event.insert(QStringLiteral("type"), type);
            for (auto it = fields.begin(); it != fields.end(); ++it)
                event.insert(it.key(), it.value());
            return event;
        };
        m_responseIsTool = m_script.toolCall && !m_toolDone;
        if (m_responseIsTool) {
            m_toolDone = true;
            const QString callId = nextId("call");
            m_steps.push_back({with(QStringLiteral("response.output_item.added"),
                                    {{QStringLiteral("item"), QJsonObject{{QStringLiteral("id"), itemId}, {QStringLiteral("type"), QStringLiteral("function_call")},
                                                                          {QStringLiteral("name"), QStringLiteral("get_weather")}, {QStringLiteral("call_id"), callId}}}}),
                               0, 0, false});
            const QStringList parts{QStringLiteral("{\"city\": "), QStringLiteral("\"Paris\"}")};
            for (const QString &part : parts)
                m_steps.push_back({with(QStringLiteral("response.function_call_arguments.delta"), {{QStringLiteral("delta"), part}}), 0, 1, true});
            m_steps.push_back({with(QStringLiteral("response.function_call_arguments.done"),
                                    {{QStringLiteral("arguments"), parts.join(QString())}, {QStringLiteral("call_id"), callId}}),
                               0, 0, false});
        } else {
            const QStringList replyWords = m_script.reply.split(QLatin1Char(' '), Qt::SkipEmptyParts);
            const bool audio = !m_textOnly && m_script.audioMs > 0;
            const QString textDelta = audio ? name("response.audio_transcript.delta", "response.output_audio_transcript.delta")
                                            : name("response.text.delta", "response.output_text.delta");
            const int chunks = audio ? std::max(1, m_script.audioMs / std::max(1, m_script.chunkMs)) : 0;
            const int total = std::max<int>(chunks, int(replyWords.size()));
            for (int i = 0; i < total; ++i) {
                if (i < replyWords.size())
                    m_steps.push_back({with(textDelta, QJsonObject{{QStringLiteral("delta"), QJsonValue((i ? QStringLiteral(" ") : QString()) + replyWords[i])}}), 0, 1, true});
                if (i < chunks)
                    m_steps.push_back({with(name("response.audio.delta", "response.output_audio.delta"),
                                            {{QStringLiteral("delta"), m_silence}}),
                                       m_script.chunkMs / 50, 0, true});
            }
            if (audio) {
                m_steps.push_back({with(name("response.audio.done", "response.output_audio.done"), QJsonObject()), 0, 0, false});
                m_steps.push_back({with(name("response.audio_transcript.done", "response.output_audio_transcript.done"),
                                        {{QStringLiteral("transcript"), m_script.reply}}), 0, 0, false});
            } else {
                m_steps.push_back({with(name("response.text.done", "response.output_text.done"),
                                        {{QStringLiteral("text"), m_script.reply}}), 0, 0, false});
            }
        }
        m_step.start(0);
    }

    void nextStep()
    {
        if (m_steps.empty())
            return;
        Step step = std::move(m_steps.front());
        m_steps.pop_front();
        send(step.event);
        m_outAudio += step.outAudio;
        m_outText += step.outText;
        if (step.delta && ++m_deltas == m_script.dropAfterDeltas) {
            m_steps.clear();
            if (m_socket)
                m_socket->abort();
            return;
        }
        if (m_steps.empty()) {
            finishResponse(QStringLiteral("completed"));
            return;
        }
        m_step.start(m_steps.front().delta ? m_script.paceMs : 0);
    }

    void cancelResponse()
    {
        if (m_steps.empty())
            return; // nothing in progress: OpenAI answers with an error event; the demo stays quiet
        m_steps.clear();
        m_step.stop();
        finishResponse(QStringLiteral("cancelled"));
    }

    void finishResponse(const QString &status)
    {
        QJsonObject response{{QStringLiteral("id"), m_responseId}, {QStringLiteral("object"), QStringLiteral("realtime.response")},
                             {QStringLiteral("status"), status}};
        if (m_script.usage) {
            const qint64 cachedText = std::min(m_script.cachedTextTokens, m_conversationText);
            const qint64 cachedAudio = std::min(m_script.cachedAudioTokens, m_conversationAudio);
            const qint64 in = m_conversationText + m_conversationAudio;
            const qint64 out = m_outText + m_outAudio;
            response.insert(QStringLiteral("usage"), QJsonObject{
                {QStringLiteral("total_tokens"), in + out},
                {QStringLiteral("input_tokens"), in},
                {QStringLiteral("output_tokens"), out},
                {QStringLiteral("input_token_details"),
                 QJsonObject{{QStringLiteral("text_tokens"), m_conversationText},
                             {QStringLiteral("audio_tokens"), m_conversationAudio},
                             {QStringLiteral("image_tokens"), 0},
                             {QStringLiteral("cached_tokens"), cachedText + cachedAudio},
                             {QStringLiteral("cached_tokens_details"),
                              QJsonObject{{QStringLiteral("text_tokens"), cachedText},
                                          {QStringLiteral("audio_tokens"), cachedAudio},
                                          {QStringLiteral("image_tokens"), 0}}}}},
                {QStringLiteral("output_token_details"),
                 QJsonObject{{QStringLiteral("text_tokens"), m_outText}, {QStringLiteral("audio_tokens"), m_outAudio}}}});
        } else {
            response.insert(QStringLiteral("usage"), QJsonValue::Null);
        }
        send({{QStringLiteral("type"), QStringLiteral("response.done")}, {QStringLiteral("response"), response}});
        if (!m_callId.isEmpty())
            m_owner->m_callUsages[m_callId] << response.value(u"usage").toObject();
        // What was said joins the conversation: later responses see it as input.
        m_conversationText += m_outText;
        m_conversationAudio += m_outAudio;
        if (m_script.autoResponses > 0)
            scheduleAuto();
    }

    void onGone()
    {
        // A call's media goes straight to the caller: closing its sideband does not end the call. It goes on speaking
        // (its usages recorded, nothing sent) until it ends or is hung up — what a relay that stops listening early
        // would fail to bill.
        if (!m_callId.isEmpty() && !m_callEnded && (m_autoLeft > 0 || !m_steps.empty())) {
            m_sidebandGone = true;
            return;
        }
        m_auto.stop();
        m_step.stop();
        m_steps.clear();
        m_owner->m_closed += 1;
        m_owner->m_lastCloseCode = m_socket ? int(m_socket->closeCode()) : 0;
        m_owner->m_lastCloseReason = m_socket ? m_socket->closeReason() : QString();
        m_owner->m_connections.removeAll(this);
        Q_EMIT m_owner->connectionClosed();
        deleteLater();
    }

    DemoRealtime *m_owner;
    QPointer<QWebSocket> m_socket;
    bool m_callEnded = false;    // a call's: hung up, or done speaking
    bool m_sidebandGone = false; // a call's sideband closed while the call went on
    QString m_model;
    QString m_callId; // a WebRTC call's sideband: the call (empty: a WebSocket session)
    DemoRealtimeScript m_script;
    QTimer m_auto;
    int m_autoLeft = 0;
    QString m_silence; // one shared base64 chunk: every delta refers to it (implicit sharing)
    QTimer m_step;
    std::deque<Step> m_steps;
    QString m_responseId;
    bool m_transcriptionSession = false;
    QString m_transcriptionModel;
    bool m_textOnly = false;
    bool m_toolDone = false;
    bool m_responseIsTool = false;
    qint64 m_ids = 0;
    qint64 m_bufferBytes = 0;
    qint64 m_carryBytes = 0;
    qint64 m_conversationText = 0;
    qint64 m_conversationAudio = 0;
    qint64 m_outAudio = 0;
    qint64 m_outText = 0;
    int m_deltas = 0;
};

DemoRealtime::DemoRealtime(ScriptFor scriptFor, QObject *parent)
    : QObject(parent)
    , m_scriptFor(std::move(scriptFor))
{
}

DemoRealtime::~DemoRealtime() = default;

void DemoRealtime::setScript(DemoRealtimeScript script)
{
    m_fixed = std::make_unique<DemoRealtimeScript>(std::move(script));
}

namespace {

// The server-side QWebSocket does not own its transport (see RealtimeSession::setClientTransport).
void adoptTransport(QObject *root, QWebSocket *socket)
{
    if (!root)
        return;
    for (QAbstractSocket *candidate : root->findChildren<QAbstractSocket *>()) {
        if (candidate->peerPort() == socket->peerPort() && candidate->localPort() == socket->localPort()) {
            candidate->setParent(socket);
            break;
        }
    }
}

} // namespace

void DemoRealtime::attachSideband(QWebSocket *socket, const QString &callId, const QString &model,
                                  DemoRealtimeScript script)
{
    adoptTransport(m_server ? static_cast<QObject *>(m_server) : m_transportRoot.data(), socket);
    m_connections << new DemoRealtimeConnection(this, socket, model, std::move(script), false, callId);
}

void DemoRealtime::setCalls(DemoRealtimeCalls *calls)
{
    m_calls = calls;
}

void DemoRealtime::endCall(const QString &callId)
{
    for (DemoRealtimeConnection *connection : QList<DemoRealtimeConnection *>(m_connections))
        if (connection->callId() == callId)
            connection->endCall();
}

void DemoRealtime::attach(QWebSocket *socket, const QString &model, bool transcriptionIntent)
{
    adoptTransport(m_server ? static_cast<QObject *>(m_server) : m_transportRoot.data(), socket);
    DemoRealtimeScript script = m_fixed ? *m_fixed : (m_scriptFor ? m_scriptFor(model) : DemoRealtimeScript::demo());
    m_connections << new DemoRealtimeConnection(this, socket, model, std::move(script), transcriptionIntent);
}

void DemoRealtime::install(HttpServer &server)
{
    m_transportRoot = &server;
    install(server.router());
}

void DemoRealtime::install(Router &router)
{
    Router::WebSocketRoute route;
    route.path = "/v1/realtime";
    route.subprotocols = {QStringLiteral("realtime")};
    route.check = [this](const HttpRequest &request) -> std::optional<OpenAiError> {
        bool keyed = !request.bearerToken().isEmpty();
        for (const QByteArray &protocol : request.webSocketSubprotocols())
            keyed = keyed || protocol.startsWith("openai-insecure-api-key.");
        if (!keyed)
            return OpenAiError::invalidApiKey(QStringLiteral("missing API key"));
        if (const QString callId = request.queryItem(QStringLiteral("call_id")); !callId.isEmpty())
            return m_calls ? m_calls->checkSideband(callId)
                           : std::optional<OpenAiError>(OpenAiError::notFound(QStringLiteral("no such call")));
        if (request.queryItem(QStringLiteral("model")).isEmpty() && !transcriptionIntent(request.queryItem(QStringLiteral("intent"))))
            return OpenAiError::invalidRequest(QStringLiteral("missing model"), "missing_required_parameter", "model");
        return std::nullopt;
    };
    route.handler = [this](QWebSocket *socket, const HttpRequest &request) {
        if (const QString callId = request.queryItem(QStringLiteral("call_id")); !callId.isEmpty() && m_calls) {
            m_handshakes << DemoRealtimeHandshake{QString(), request.header("Authorization"), {}, {}};
            return m_calls->attachSideband(socket, callId);
        }
        m_handshakes << DemoRealtimeHandshake{request.queryItem(QStringLiteral("model")), request.header("Authorization"),
                                              request.header("OpenAI-Beta"), request.webSocketSubprotocols()};
        attach(socket, request.queryItem(QStringLiteral("model")),
               transcriptionIntent(request.queryItem(QStringLiteral("intent"))));
    };
    router.addWebSocketRoute(std::move(route));
}

bool DemoRealtime::listen(quint16 port)
{
    if (!m_server) {
        m_server = new QWebSocketServer(QStringLiteral("RelayDesk demo"), QWebSocketServer::NonSecureMode, this);
        m_server->setSupportedSubprotocols({QStringLiteral("realtime")});
        connect(m_server, &QWebSocketServer::newConnection, this, [this] {
            while (QWebSocket *socket = m_server->nextPendingConnection()) {
                const QNetworkRequest request = socket->request();
                const QUrlQuery query(request.url());
                const QString model = query.queryItemValue(QStringLiteral("model"), QUrl::FullyDecoded);
                QList<QByteArray> protocols;
                for (const QByteArray &p : request.rawHeader("Sec-WebSocket-Protocol").split(','))
                    if (!p.trimmed().isEmpty())
                        protocols << p.trimmed();
                m_handshakes << DemoRealtimeHandshake{model, request.rawHeader("Authorization"),
                                                      request.rawHeader("OpenAI-Beta"), protocols};
                attach(socket, model, transcriptionIntent(query.queryItemValue(QStringLiteral("intent"))));
            }
        });
    }
    return m_server->listen(QHostAddress::LocalHost, port);
}

quint16 DemoRealtime::port() const
{
    return m_server ? m_server->serverPort() : 0;
}

QString DemoRealtime::baseUrl() const
{
    return QStringLiteral("http://127.0.0.1:%1").arg(port());
}

} // namespace RelayDesk::Relay
