#pragma once
// A simulated OpenAI Realtime server: the Realtime part of the demo upstream (first run, demos, tests).
//
// It speaks either the beta or the GA event names, streams assistant audio (silent pcm16) with transcript
// deltas — at real-time pace for the demo, as fast as the event loop allows for tests — and ends each
// response with `response.done` usage computed from what it actually sent (1 audio token per 100 ms in,
// per 50 ms out; one text token per word). Scriptable: with/without usage, cached tokens, a tool call,
// input transcription usage, `response.cancel`, a TCP drop mid-response. Transcription sessions (?intent=transcription,
// session.type "transcription", the beta transcription_session.update) answer each commit with transcript deltas and
// a `completed` whose usage is by duration for whisper-1 and by tokens otherwise (none when `usage` is false).
#include "http/httpserver.h"
#include "http/router.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QTimer>

#include <deque>
#include <functional>
#include <memory>

QT_BEGIN_NAMESPACE
class QWebSocket;
class QWebSocketServer;
QT_END_NAMESPACE

namespace RelayDesk::Relay {

struct DemoRealtimeScript
{
    enum class Dialect { Beta, Ga };
    Dialect dialect = Dialect::Ga;
    bool usage = true;               // response.done carries usage
    qint64 cachedTextTokens = 0;     // reported as cached per response (capped at the text input)
    qint64 cachedAudioTokens = 0;    // idem for audio
    bool toolCall = false;           // the first response is a function call
    int audioMs = 1200;              // assistant audio per response (0 → text only)
    int chunkMs = 100;               // audio per delta
    int paceMs = 0;                  // wall time between deltas (= chunkMs for real-time pace)
    int dropAfterDeltas = -1;        // abort the connection after this many deltas of a response (-1: never)
    bool transcription = false;      // input_audio_buffer.commit → transcription.completed with usage
    QString transcriptionModel = QStringLiteral("gpt-4o-mini-transcribe");
    QString reply = QStringLiteral("Hello from the RelayDesk demo upstream, speaking at real time pace.");
    // A WebRTC call's sideband (DemoRealtimeCalls): the session's instructions count as conversation text, and the
    // call speaks on its own — `autoResponses` responses, `autoIntervalMs` apart — then ends (the sideband closes)
    // when `endAfterAuto`. A hangup takes effect `hangupLagMs` after it was answered (a real upstream needs a moment
    // too): until then the call goes on speaking.
    QString instructions;
    int autoResponses = 0;
    int autoIntervalMs = 0;
    bool endAfterAuto = false;
    int hangupLagMs = 0;

    static DemoRealtimeScript demo(); // real-time pace, GA, transcripts: what the console shows on first run
};

// What the demo saw at the upgrade (for tests: model mapping, auth, OpenAI-Beta pass-through).
struct DemoRealtimeHandshake
{
    QString model;
    QByteArray authorization;   // raw header (tests only; never printed)
    QByteArray openAiBeta;
    QList<QByteArray> subprotocols;
};

class DemoRealtimeCalls;
class DemoRealtimeConnection;

class DemoRealtime final : public QObject
{
    Q_OBJECT

public:
    using ScriptFor = std::function<DemoRealtimeScript(const QString &model)>;

    explicit DemoRealtime(ScriptFor scriptFor = {}, QObject *parent = nullptr);
    ~DemoRealtime() override;

    // Mounts /v1/realtime on the demo upstream's server (any non-empty key is accepted). Call on the server's
    // thread, e.g. from DemoUpstream::addRoutes: [](HttpServer &s) { (new DemoRealtime({}, &s))->install(s); }
    void install(HttpServer &server);
    void install(Router &router);
    // Standalone loopback server (tests, benches): ws://127.0.0.1:<port>/v1/realtime.
    bool listen(quint16 port = 0);
    quint16 port() const;
    QString baseUrl() const; // http://127.0.0.1:<port>

    void setScript(DemoRealtimeScript script);
    const QList<DemoRealtimeHandshake> &handshakes() const { return m_handshakes; }
    int liveConnections() const { return int(m_connections.size()); }
    int closedConnections() const { return m_closed; }
    // Close code/reason the demo received from its last closed peer (the relay).
    int lastCloseCode() const { return m_lastCloseCode; }
    QString lastCloseReason() const { return m_lastCloseReason; }
    // Every client event type received, in order, over all connections.
    const QStringList &receivedTypes() const { return m_received; }

    // Attaches an upgraded socket (takes ownership); `transcriptionIntent`: opened with ?intent=transcription.
    void attach(QWebSocket *socket, const QString &model, bool transcriptionIntent = false);

    // WebRTC calls (?call_id= sidebands) are served when `calls` is set (DemoRealtimeCalls::install does it).
    void setCalls(DemoRealtimeCalls *calls);
    // Attaches a call's sideband socket, speaking as `script` says.
    void attachSideband(QWebSocket *socket, const QString &callId, const QString &model, DemoRealtimeScript script);
    // Closes the sidebands of `callId` (the call ended upstream).
    void endCall(const QString &callId);
    // The usage of every response.done sent on `callId`'s sidebands, in order.
    QList<QJsonObject> callUsages(const QString &callId) const { return m_callUsages.value(callId); }

Q_SIGNALS:
    void connectionClosed();

private:
    friend class DemoRealtimeConnection;
    ScriptFor m_scriptFor;
    std::unique_ptr<DemoRealtimeScript> m_fixed;
    QWebSocketServer *m_server = nullptr;
    QPointer<QObject> m_transportRoot; // the HttpServer we are mounted on (its QWebSocketServer holds transports)
    QPointer<DemoRealtimeCalls> m_calls;
    QHash<QString, QList<QJsonObject>> m_callUsages;
    QList<DemoRealtimeConnection *> m_connections;
    QList<DemoRealtimeHandshake> m_handshakes;
    QStringList m_received;
    int m_closed = 0;
    int m_lastCloseCode = 0;
    QString m_lastCloseReason;
};

} // namespace RelayDesk::Relay
