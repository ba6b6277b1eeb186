#include "shell/consolestatussampler.h"

#include "shell/deliverlater.h"
#include "service/consolequeries.h"

#include <QDateTime>
#include <QTimer>

namespace RelayDesk::Ui {

namespace {
constexpr qint64 kRateWindowMs = 10'000;
constexpr qint64 kTokenWindowMs = 60'000;
constexpr qint64 kQuotaEveryMs = 10'000;

qint64 totalTokens(const Monitor::SessionInfo &s)
{
    return s.usage.inputTotal() + s.usage.outputTotal();
}
} // namespace

ConsoleStatusSampler::ConsoleStatusSampler(Monitor::SessionRegistry *registry, Service::AdminService *admin,
                                           QString dataDir, QObject *parent)
    : QObject(parent)
    , m_registry(registry)
    , m_admin(admin)
    , m_timer(new QTimer(this))
{
    m_status.dataDir = std::move(dataDir);
    if (m_registry) {
        for (const auto &s : m_registry->sessions())
            m_tokensSeen.insert(s.id, totalTokens(s)); // already running: not "new" and no growth yet
        connect(m_registry, &Monitor::SessionRegistry::sessionsUpdated, this, &ConsoleStatusSampler::onUpdated);
        connect(m_registry, &Monitor::SessionRegistry::sessionsRemoved, this, &ConsoleStatusSampler::onRemoved);
    }
    connect(m_timer, &QTimer::timeout, this, &ConsoleStatusSampler::sample);
    m_timer->start(1000);
}

void ConsoleStatusSampler::setRelay(ConsoleStatus::RelayState state, const QString &address, const QString &error)
{
    m_status.relayState = state;
    m_status.relayAddress = address;
    m_status.relayError = error;
    emit statusChanged(m_status);
}

void ConsoleStatusSampler::onUpdated(const QList<Monitor::SessionInfo> &changed)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const auto &s : changed) {
        const qint64 total = totalTokens(s);
        const auto it = m_tokensSeen.find(s.id);
        if (it == m_tokensSeen.end()) {
            m_opened.push_back(now);
            if (total > 0)
                m_tokenEvents.emplace_back(now, total);
            m_tokensSeen.insert(s.id, total);
        } else if (total != *it) {
            m_tokenEvents.emplace_back(now, total - *it);
            *it = total;
        }
    }
}

void ConsoleStatusSampler::onRemoved(const QList<quint64> &ids)
{
    for (quint64 id : ids)
        m_tokensSeen.remove(id);
}

void ConsoleStatusSampler::sample()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    while (!m_opened.empty() && m_opened.front() < now - kRateWindowMs)
        m_opened.pop_front();
    while (!m_tokenEvents.empty() && m_tokenEvents.front().first < now - kTokenWindowMs)
        m_tokenEvents.pop_front();
    qint64 tokens = 0;
    for (const auto &e : m_tokenEvents)
        tokens += e.second;
    m_status.requestsPerSecond = double(m_opened.size()) * 1000.0 / double(kRateWindowMs);
    m_status.tokensPerMinute = tokens;
    m_status.liveSessions = m_registry ? m_registry->liveCount() : 0;
    if (m_admin && !m_quotaPending && (m_lastQuotaRead == 0 || now - m_lastQuotaRead >= kQuotaEveryMs)) {
        m_lastQuotaRead = now;
        m_quotaPending = true;
        Store::LogFilter today;
        today.fromMs = QDateTime(QDate::currentDate(), QTime(0, 0)).toMSecsSinceEpoch();
        today.type = Store::LogType::Consume;
        deliverLater(m_admin->async([today](Service::AdminService &s) { return Service::ConsoleQueries::quotaSum(s, today); }),
                     this, [this](qint64 spent) {
                m_quotaPending = false;
                m_status.quotaSpentToday = spent;
                emit statusChanged(m_status);
            });
    }
    emit statusChanged(m_status);
}

} // namespace RelayDesk::Ui
