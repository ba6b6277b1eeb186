#include "service/livesessionpublisher.h"

#include "monitor/sessionregistry.h"
#include "service/livesessionrows.h"
#include "store/database.h"
#include "store/instancerepository.h"
#include "store/livesessionrepository.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QHash>
#include <QtCore/QSet>
#include <QtCore/QThread>
#include <QtCore/QTimer>

#include <deque>

namespace RelayDesk::Service {

// The publisher's state, touched only on its thread.
class LiveSessionPublisher::Worker final : public QObject
{
public:
    Worker(LiveSessionPublisher *owner, std::shared_ptr<Store::Database> db, Monitor::SessionRegistry *registry,
           QString instanceId, Options options)
        : m_owner(owner), m_db(std::move(db)), m_registry(registry), m_id(std::move(instanceId)), m_options(options)
    {
        m_flush.setSingleShot(true);
        connect(&m_flush, &QTimer::timeout, this, &Worker::flush);
        m_traffic.setInterval(std::max(m_options.trafficMs, m_options.intervalMs));
        connect(&m_traffic, &QTimer::timeout, this, [this] {
            m_trafficDue = true;
            schedule(m_options.intervalMs);
        });
    }

    void begin()
    {
        connect(m_registry, &Monitor::SessionRegistry::sessionsUpdated, this, &Worker::updated);
        connect(m_registry, &Monitor::SessionRegistry::sessionsRemoved, this, &Worker::removed);
        updated(m_registry->sessions());
        m_trafficDue = true;
        m_traffic.start();
    }

    void finish()
    {
        disconnect(m_registry, nullptr, this, nullptr);
        m_flush.stop();
        m_traffic.stop();
        if (const auto removed = Store::LiveSessionRepository(*m_db).removeInstance(m_id); !removed)
            qWarning("live sessions of %s: cannot remove them: %s", qPrintable(m_id), qPrintable(removed.error()));
    }

private:
    void updated(const QList<Monitor::SessionInfo> &changed)
    {
        for (const Monitor::SessionInfo &s : changed) {
            if (s.isLive()) {
                m_pending.insert(s.id, s);
                m_ended.remove(s.id);
            } else {
                ended(s.id);
            }
        }
        schedule(m_options.intervalMs);
    }

    void removed(const QList<quint64> &ids)
    {
        for (quint64 id : ids)
            ended(id);
        schedule(m_options.intervalMs);
    }

    void ended(quint64 id)
    {
        m_pending.remove(id);
        if (m_published.contains(id)) // never written: nothing to delete
            m_ended.insert(id);
    }

    void schedule(int delayMs)
    {
        if (!m_flush.isActive() && (!m_pending.isEmpty() || !m_ended.isEmpty() || m_trafficDue))
            m_flush.start(delayMs);
    }

    void flush()
    {
        const qint64 now = Store::nowMs();
        QList<Store::LiveSession> rows;
        rows.reserve(m_pending.size());
        for (const Monitor::SessionInfo &s : std::as_const(m_pending))
            rows << LiveSessionRows::toRow(s, m_id, now);
        const QList<qint64> gone(m_ended.cbegin(), m_ended.cend());
        QString error;
        if (!write(rows, gone, now, &error)) {
            if (!m_failing)
                qWarning("live sessions of %s: cannot publish (retrying every second): %s", qPrintable(m_id),
                         qPrintable(error));
            m_failing = true;
            schedule(std::max(1000, m_options.intervalMs));
            return;
        }
        m_failing = false;
        for (const Store::LiveSession &r : std::as_const(rows))
            m_published.insert(quint64(r.sessionId));
        for (qint64 id : gone)
            m_published.remove(quint64(id));
        m_pending.clear();
        m_ended.clear();
        m_trafficDue = false;
        Q_EMIT m_owner->published(int(rows.size()), int(gone.size()));
    }

    // One transaction: the sessions (a savepoint inside it) and, when due, the traffic counter.
    bool write(const QList<Store::LiveSession> &rows, const QList<qint64> &gone, qint64 now, QString *error)
    {
        Store::Transaction tx(*m_db);
        if (!tx.isActive())
            return *error = tx.error(), false;
        if (!rows.isEmpty() || !gone.isEmpty()) {
            if (const auto done = Store::LiveSessionRepository(*m_db).publish(m_id, rows, gone); !done)
                return *error = done.error(), false;
        }
        if (m_trafficDue) {
            const auto [total, rateMilli] = traffic(now);
            if (const auto done = Store::InstanceRepository(*m_db).setTraffic(m_id, total, rateMilli); !done)
                return *error = done.error(), false;
        }
        if (!tx.commit())
            return *error = tx.error(), false;
        return true;
    }

    // Requests (sessions opened) so far and per second × 1000 over the last rateWindowMs.
    std::pair<qint64, qint64> traffic(qint64 now)
    {
        const qint64 total = qint64(m_registry->openedCount());
        m_samples.push_back({now, total});
        while (m_samples.size() > 2 && m_samples.front().first < now - m_options.rateWindowMs)
            m_samples.pop_front();
        const auto &[t0, n0] = m_samples.front();
        const qint64 rate = now > t0 ? (total - n0) * 1'000'000 / (now - t0) : 0;
        return {total, rate};
    }

    LiveSessionPublisher *m_owner;
    std::shared_ptr<Store::Database> m_db;
    Monitor::SessionRegistry *m_registry;
    QString m_id;
    Options m_options;
    QTimer m_flush{this};
    QTimer m_traffic{this};
    QHash<quint64, Monitor::SessionInfo> m_pending; // latest snapshot of each live session not yet written
    QSet<quint64> m_ended;                          // published sessions that ended since
    QSet<quint64> m_published;                      // sessions with a row
    std::deque<std::pair<qint64, qint64>> m_samples; // (ms, requests total)
    bool m_trafficDue = false;
    bool m_failing = false;
};

LiveSessionPublisher::LiveSessionPublisher(std::shared_ptr<Store::Database> db, Monitor::SessionRegistry *registry,
                                           QString instanceId, Options options, QObject *parent)
    : QObject(parent)
    , m_db(std::move(db))
    , m_registry(registry)
    , m_instanceId(std::move(instanceId))
    , m_options(options)
{
}

LiveSessionPublisher::~LiveSessionPublisher()
{
    stop();
}

void LiveSessionPublisher::start()
{
    if (m_thread || !m_registry || m_instanceId.isEmpty())
        return;
    m_thread = std::make_unique<QThread>();
    m_thread->setObjectName(QStringLiteral("live-sessions"));
    m_worker = new Worker(this, m_db, m_registry, m_instanceId, m_options);
    m_worker->moveToThread(m_thread.get());
    connect(m_thread.get(), &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread->start();
    QMetaObject::invokeMethod(m_worker, [worker = m_worker] { worker->begin(); }, Qt::QueuedConnection);
}

void LiveSessionPublisher::stop()
{
    if (!m_thread)
        return;
    QMetaObject::invokeMethod(m_worker, [worker = m_worker] { worker->finish(); }, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
    m_thread.reset();
    m_worker = nullptr; // deleted on its thread's finish
}

bool LiveSessionPublisher::isRunning() const
{
    return m_thread && m_thread->isRunning();
}

} // namespace RelayDesk::Service
