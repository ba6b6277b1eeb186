#pragma once

#include "billing/usage.h"
#include "monitor/sessionturn.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QSet>
#include <QString>
#include <QTimer>

#include <deque>
#include <vector>

namespace RelayDesk::Monitor {

// Http: one chat (or other JSON/SSE) call; Responses: one Responses API call over HTTP; ResponsesWebSocket: a
// Responses WebSocket-mode connection (each response.create is a turn of its timeline); Realtime: a voice session.
// The rest are one call of their endpoint family: Embeddings (/v1/embeddings), Completion (the legacy
// /v1/completions), Moderation, Transcription (/v1/audio/transcriptions and translations), Speech
// (/v1/audio/speech), Image (/v1/images/generations, edits, variations). See endpointkind.h.
enum class SessionKind { Http, Realtime, Responses, ResponsesWebSocket, Embeddings, Completion, Moderation,
                         Transcription, Speech, Image, Messages };
enum class SessionState { Connecting, Active, Streaming, Ended, Failed };
enum class EventDirection { FromClient, FromUpstream, Internal };
// Where a session's media flows: through the relay (every session but one), or straight between the client and the
// upstream (a WebRTC call: the relay only meters it over the sideband).
enum class MediaPath { Relayed, DirectWebRtc };

QString kindName(SessionKind kind);
QString stateName(SessionState state);
QString directionName(EventDirection direction);
QString mediaPathName(MediaPath path); // "relayed", "direct (WebRTC)"

// Token counts observed so far, per modality: the billing engine's own type (OpenAI semantics:
// cached counts are subsets of their modality's input; reasoning is a subset of text output).
using SessionUsage = Billing::Usage;

struct SessionEvent
{
    qint64 atMs = 0; // ms since epoch
    EventDirection direction = EventDirection::Internal;
    QString type;    // e.g. "response.done", "chat.completion.chunk"
    qint64 bytes = 0;
    qint64 tokens = 0;
};

// A value snapshot of one session; safe to copy across threads.
struct SessionInfo
{
    quint64 id = 0;
    // The instance (Store::Instance id) that serves it; empty for this process's own sessions. A session id is
    // unique within its instance only.
    QString instanceId;
    SessionKind kind = SessionKind::Http;
    SessionState state = SessionState::Connecting;
    QString user;
    QString keyHint;
    QString model;
    QString upstreamModel;
    QString channel;
    MediaPath mediaPath = MediaPath::Relayed;
    QDateTime startedAt;
    QDateTime endedAt;
    QString endReason;
    SessionUsage usage;
    Billing::Units units; // audio seconds, characters, images: what a unit-priced call is billed for besides tokens
    qint64 reservedQuota = 0;
    qint64 chargedQuota = 0;
    qint64 eventCount = 0;
    qint64 turnCount = 0;    // turns recorded over the session's life (SessionRegistry::turns keeps the last ones)
    qint64 turnsDropped = 0; // the oldest turns no longer kept
    double eventsPerSecond = 0.0; // over the last few seconds

    bool isLive() const { return state != SessionState::Ended && state != SessionState::Failed; }
    qint64 durationMs(const QDateTime &now) const;
};

// Publishes every live session (HTTP streams and Realtime) to observers such as the console.
//
// Writers (relay threads) call the mutators; they only lock, update and mark the session dirty.
// The registry's own thread emits coalesced `sessionsUpdated` snapshots at most every
// `publishIntervalMs` (default 100 ms, i.e. <= 10 Hz per session). Memory is bounded: each session
// keeps its last `eventsPerSession` events, and ended sessions are kept for `retainEndedMs` (at most
// `maxEndedSessions` of them) so the console can show them greyed, then dropped; each session keeps its last
// `turnsPerSession` turns (and counts the older ones it dropped).
class SessionRegistry final : public QObject
{
    Q_OBJECT

public:
    // A long voice session has hundreds of turns; the console's table needs the recent ones, not all.
    static constexpr int kTurnsPerSession = 500;

    struct Limits
    {
        int publishIntervalMs = 100;
        int eventsPerSession = 200;
        int turnsPerSession = kTurnsPerSession;
        int retainEndedMs = 120000;
        int maxEndedSessions = 2000;
    };

    explicit SessionRegistry(QObject *parent = nullptr);
    SessionRegistry(Limits limits, QObject *parent = nullptr);
    ~SessionRegistry() override;

    // Mutators: callable from any thread.
    quint64 open(SessionInfo initial); // id, startedAt and state are assigned when unset
    void setState(quint64 id, SessionState state);
    void setModel(quint64 id, const QString &model, const QString &upstreamModel, const QString &channel);
    // A session that changed kind mid-way (a Realtime conversation switched to transcription).
    void setKind(quint64 id, SessionKind kind);
    void addUsage(quint64 id, const SessionUsage &delta);
    void setUsage(quint64 id, const SessionUsage &total);
    // The units (audio duration, characters, images) the call is billed for so far; replaces the previous value.
    void setUnits(quint64 id, const Billing::Units &units);
    void setQuota(quint64 id, qint64 reserved, qint64 charged);
    // For a session whose turns are billed one by one (a Responses WebSocket connection): adds a turn's hold and charge.
    void addQuota(quint64 id, qint64 reserved, qint64 charged);
    void recordEvent(quint64 id, SessionEvent event);
    // The event and the session's usage since it, under one lock: a Realtime frame that carries tokens.
    void recordEvent(quint64 id, SessionEvent event, const SessionUsage &usage);
    // One finished turn (a Realtime response.done or transcribed item); its number is assigned here. Totals are
    // the caller's to keep (setUsage/setQuota): a turn is a record of its share, not an increment.
    void addTurn(quint64 id, SessionTurn turn);
    void close(quint64 id, SessionState finalState, const QString &reason);

    // Readers: callable from any thread; they return copies.
    QList<SessionInfo> sessions() const;               // live and recently ended, ordered by id
    std::optional<SessionInfo> session(quint64 id) const;
    QList<SessionEvent> recentEvents(quint64 id) const; // oldest first
    QList<SessionTurn> turns(quint64 id) const;         // the kept turns, oldest first
    int liveCount() const;
    // Sessions opened since start (every relayed call is one): the instance's request counter.
    quint64 openedCount() const;

signals:
    // Coalesced: each listed session changed at least once since the previous emission.
    void sessionsUpdated(const QList<RelayDesk::Monitor::SessionInfo> &changed);
    // Sessions dropped after their retention time; observers should forget them.
    void sessionsRemoved(const QList<quint64> &ids);
    // Emitted (coalesced) when any event is recorded for a session: ids with new events.
    void eventsAppended(const QList<quint64> &ids);

private:
    struct Entry
    {
        SessionInfo info;
        std::deque<SessionEvent> events;
        std::deque<SessionTurn> turns;
        std::deque<qint64> recentEventTimes; // for events/s, last few seconds only
        bool dirty = false;       // listed in m_dirty
        bool dirtyEvents = false; // listed in m_dirtyEvents
    };

    // Called with m_mutex held, per change: a flag test once the session is listed (no set lookup per frame).
    void markDirty(quint64 id, Entry &entry, bool withEvents);
    void appendEvent(quint64 id, Entry &entry, SessionEvent event);
    void publish();
    void pruneEnded(qint64 nowMs, QList<quint64> *removed);
    static double eventsPerSecond(const Entry &entry, qint64 nowMs);

    const Limits m_limits;
    mutable QMutex m_mutex;
    QHash<quint64, Entry> m_entries;
    // Ended sessions in the order they ended (close() is the only way to end one, and prune the only way out):
    // pruning takes from the front instead of sorting every ended session on each publish.
    std::deque<quint64> m_ended;
    std::vector<quint64> m_dirty;       // sessions changed since the last publish (each once: Entry::dirty)
    std::vector<quint64> m_dirtyEvents; // … with new events (Entry::dirtyEvents)
    quint64 m_nextId = 1;
    bool m_publishScheduled = false;
    QTimer *m_timer = nullptr;
};

} // namespace RelayDesk::Monitor

Q_DECLARE_METATYPE(RelayDesk::Monitor::SessionInfo)
