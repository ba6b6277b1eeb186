#pragma once
// One simulated Responses API response: the events OpenAI would stream for the request's scenario, played
// either at once (JSON replies) or on a timer (SSE, WebSocket mode, background), and the response object as
// it stands after the events played so far (what retrieve shows, what the terminal event carries).
//
// Usage is computed from what was actually produced: output tokens are the tokens of finished output items
// plus the text streamed into the current one (so a cancelled background response reports what it made).
#include "demo/demoresponserequest.h"

#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QTimer>

namespace RelayDesk::Relay {

// Wall time between events. startMs: before response.in_progress (a background response's queue time).
struct DemoResponsePacing
{
    int firstMs = 0; // before the first delta ("time to first token")
    int chunkMs = 0; // between deltas
    int startMs = 0;
};

class DemoResponseRun final : public QObject
{
    Q_OBJECT

public:
    explicit DemoResponseRun(DemoResponseRequest request, QObject *parent = nullptr);
    ~DemoResponseRun() override;

    QString id() const { return m_id; }
    const DemoResponseRequest &request() const { return m_request; }
    const QJsonArray &inputItems() const { return m_request.inputItems; }

    // Plays the events with `pacing`: those due now before returning, the rest from the event loop.
    void start(DemoResponsePacing pacing);
    // Plays every event now (a JSON reply: the terminal state is reached before this returns, unless the
    // scenario cuts the response short).
    void runToEnd();
    // No more events (the response was deleted, its only listener left).
    void stop();
    // A background response not yet terminal becomes `cancelled` (usage of what it produced). False otherwise.
    bool cancel();

    QJsonObject snapshot() const;
    // Every event emitted so far, with its sequence_number (GET ?stream=true replays them).
    const QList<QJsonObject> &events() const { return m_events; }
    bool isTerminal() const { return m_terminal; }
    bool isPlaying() const { return m_playing; }
    bool isBackground() const { return m_request.background; }
    QString status() const { return m_status; }
    // What a follow-up with previous_response_id inherits: this response's input and output tokens.
    qint64 contextTokens() const;

Q_SIGNALS:
    void eventEmitted(const QJsonObject &event);
    // The `reset` scenario: the transport must be dropped now (no terminal event follows).
    void resetRequested();
    // No more events will come: terminal event sent, cancelled, reset or stopped.
    void ended();

private:
    enum class Kind { Event, Lifecycle, ItemAdded, ItemDone, TextDelta, Keepalive, Error, Reset };
    enum class Pace { None, Start, FirstDelta, Delta };
    struct Step
    {
        Kind kind = Kind::Event;
        QJsonObject event;
        Pace pace = Pace::None;
        QString status;       // Lifecycle: the status the response takes
        qint64 tokens = 0;    // ItemDone: output tokens of the item
        bool reasoning = false;
    };

    void buildSteps();
    void addReasoning();
    void addWebSearch();
    void addFunctionCall();
    void addMessage();
    bool addDelta(const QString &type, const QJsonObject &base, const QString &delta); // false: response cut
    void add(Kind kind, QJsonObject event, Pace pace = Pace::None);
    void addLifecycle(const QString &type, const QString &status, Pace pace = Pace::None);
    void addTerminal();

    void advance();
    void apply(const Step &step);
    void emitEvent(QJsonObject event);
    int delayOf(Pace pace) const;
    QJsonObject baseResponse() const;
    QJsonObject usage() const;
    qint64 outputTokens() const;

    DemoResponseRequest m_request;
    QString m_id;
    qint64 m_createdAt = 0;
    QJsonObject m_base;
    QList<Step> m_steps;
    qsizetype m_next = 0;
    int m_outputIndex = 0;
    int m_deltas = 0;
    bool m_cut = false; // the scenario ends the response early (failed, reset)

    DemoResponsePacing m_pacing;
    QTimer m_timer;
    bool m_waited = false;
    bool m_instant = false;
    bool m_playing = false;

    QList<QJsonObject> m_events;
    QString m_status;
    bool m_terminal = false;
    QJsonArray m_output;
    QString m_partial;          // text streamed into the item being produced
    qint64 m_outputTokens = 0;  // of finished items
    qint64 m_reasoningTokens = 0;
    qint64 m_completedAt = 0;
    QJsonValue m_error = QJsonValue::Null;
    QJsonValue m_incomplete = QJsonValue::Null;
};

} // namespace RelayDesk::Relay
