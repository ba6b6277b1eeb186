#include "demo/demotraffic.h"

#include <QTimer>

namespace RelayDesk::Ui {

using namespace Monitor;

namespace {
const char *const kUsers[] = {"alice", "bob", "carol", "dev-team", "王伟", "support-bot"};
const char *const kKeys[] = {"sk-a1…9fQ", "sk-b7…x2L", "sk-c3…m0P", "sk-d9…Tt4", "sk-e2…Wq8", "sk-f5…Zk1"};
const char *const kChatModels[] = {"gpt-4o-mini", "gpt-4o", "o4-mini", "gpt-4.1"};
const char *const kRealtimeModels[] = {"gpt-realtime", "gpt-4o-mini-realtime-preview"};
const char *const kChannels[] = {"openai-main", "openai-backup", "demo"};
} // namespace

DemoTraffic::DemoTraffic(SessionRegistry *registry, quint32 seed, QObject *parent)
    : QObject(parent)
    , m_registry(registry)
    , m_rng(seed)
    , m_pricer(demoPricer())
    , m_timer(new QTimer(this))
{
    connect(m_timer, &QTimer::timeout, this, [this] {
        while (m_live.size() < m_concurrent)
            openOne();
        step();
    });
}

void DemoTraffic::start(int concurrent, int tickMs)
{
    m_concurrent = std::max(1, concurrent);
    m_timer->start(std::max(10, tickMs));
}

void DemoTraffic::stop()
{
    m_timer->stop();
}

bool DemoTraffic::isRunning() const
{
    return m_timer->isActive();
}

void DemoTraffic::populate(int count, int steps)
{
    // Sessions that look like they have been running for a while (screenshots, first-run demo).
    m_backdate = true;
    for (int i = 0; i < count; ++i)
        openOne();
    m_backdate = false;
    for (int s = 0; s < steps; ++s)
        step();
}

void DemoTraffic::step()
{
    const QList<quint64> ids = m_live.keys();
    for (quint64 id : ids) {
        auto it = m_live.find(id);
        if (it != m_live.end())
            advance(id, *it);
    }
}

quint64 DemoTraffic::openOne()
{
    if (!m_registry)
        return 0;
    const int u = int(m_rng.bounded(int(std::size(kUsers))));
    Sim sim;
    sim.realtime = m_rng.bounded(3) == 0;
    SessionInfo info;
    info.kind = sim.realtime ? SessionKind::Realtime : SessionKind::Http;
    info.state = SessionState::Connecting;
    info.user = QString::fromUtf8(kUsers[u]);
    info.keyHint = QString::fromUtf8(kKeys[u]);
    info.model = QString::fromLatin1(sim.realtime ? kRealtimeModels[m_rng.bounded(int(std::size(kRealtimeModels)))]
                                                  : kChatModels[m_rng.bounded(int(std::size(kChatModels)))]);
    info.upstreamModel = info.model;
    info.channel = QString::fromLatin1(kChannels[m_rng.bounded(int(std::size(kChannels)))]);
    if (m_backdate)
        info.startedAt = QDateTime::currentDateTimeUtc().addMSecs(-qint64(5000 + m_rng.bounded(900000)));
    // Realtime sessions hold a rolling reservation of one worst-case response; chat a fixed hold.
    sim.reserved = sim.realtime ? 200000 + m_rng.bounded(100000) : 2000 + m_rng.bounded(20000);
    info.reservedQuota = sim.reserved;
    sim.stepsLeft = sim.realtime ? 80 + int(m_rng.bounded(400)) : 10 + int(m_rng.bounded(60));
    const quint64 id = m_registry->open(info);
    m_registry->recordEvent(id, {0, EventDirection::FromClient,
                                 sim.realtime ? QStringLiteral("session.update") : QStringLiteral("POST /v1/chat/completions"),
                                 qint64(300 + m_rng.bounded(3000)), 0});
    m_live.insert(id, sim);
    return id;
}

void DemoTraffic::advance(quint64 id, Sim &sim)
{
    SessionUsage delta;
    SessionEvent event;
    event.atMs = 0;
    if (sim.realtime) {
        const int what = int(m_rng.bounded(10));
        if (what < 4) {
            delta.inputAudio = 5 + m_rng.bounded(20);
            event = {0, EventDirection::FromClient, QStringLiteral("input_audio_buffer.append"), qint64(2000 + m_rng.bounded(6000)), delta.inputAudio};
        } else if (what < 8) {
            delta.outputAudio = 8 + m_rng.bounded(30);
            event = {0, EventDirection::FromUpstream, QStringLiteral("response.output_audio.delta"), qint64(4000 + m_rng.bounded(9000)), delta.outputAudio};
        } else if (what == 8) {
            delta.outputText = 5 + m_rng.bounded(30);
            event = {0, EventDirection::FromUpstream, QStringLiteral("response.output_audio_transcript.delta"), qint64(100 + m_rng.bounded(300)), delta.outputText};
        } else {
            delta.inputText = 20 + m_rng.bounded(200);
            delta.cachedText = delta.inputText / 2;
            delta.cachedAudio = m_rng.bounded(40);
            delta.inputAudio = delta.cachedAudio;
            event = {0, EventDirection::FromUpstream, QStringLiteral("response.done"), qint64(900 + m_rng.bounded(600)), delta.inputText + delta.inputAudio};
        }
    } else {
        if (sim.stepsLeft > 0 && m_rng.bounded(5) == 0 && m_registry->session(id)->usage.inputText == 0) {
            delta.inputText = 200 + m_rng.bounded(3000);
            delta.cachedText = m_rng.bounded(2) ? (delta.inputText / 128) * 64 : 0;
            delta.inputImage = m_rng.bounded(6) == 0 ? 765 : 0;
            event = {0, EventDirection::Internal, QStringLiteral("usage.prompt"), 0, delta.inputText + delta.inputImage};
        } else {
            delta.outputText = 1 + m_rng.bounded(12);
            if (m_rng.bounded(4) == 0)
                delta.outputReasoning = delta.outputText;
            event = {0, EventDirection::FromUpstream, QStringLiteral("chat.completion.chunk"), qint64(120 + m_rng.bounded(200)), delta.outputText};
        }
    }
    m_registry->addUsage(id, delta);
    m_registry->recordEvent(id, event);
    if (const auto info = m_registry->session(id)) {
        if (info->state == SessionState::Connecting)
            m_registry->setState(id, sim.realtime ? SessionState::Active : SessionState::Streaming);
        if (const auto prices = m_pricer(*info)) {
            const auto &u = info->usage;
            sim.charged = double(u.inputText - u.cachedText) * prices->textIn + double(u.cachedText) * prices->cachedTextIn +
                          double(u.inputAudio - u.cachedAudio) * prices->audioIn + double(u.cachedAudio) * prices->cachedAudioIn +
                          double(u.inputImage) * prices->imageIn + double(u.outputText) * prices->textOut +
                          double(u.outputAudio) * prices->audioOut;
        }
    }
    m_registry->setQuota(id, std::max<qint64>(sim.reserved, qint64(sim.charged)), qint64(sim.charged));
    if (--sim.stepsLeft <= 0) {
        const bool failed = m_rng.bounded(12) == 0;
        m_registry->recordEvent(id, {0, EventDirection::Internal, failed ? QStringLiteral("error") : QStringLiteral("settled"), 0, 0});
        m_registry->close(id, failed ? SessionState::Failed : SessionState::Ended,
                          failed ? QStringLiteral("upstream closed the connection (1011)") : QStringLiteral("completed"));
        m_live.remove(id);
    }
}

} // namespace RelayDesk::Ui
