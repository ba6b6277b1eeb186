#pragma once

#include "live/sessionpricer.h"

#include "monitor/sessionregistry.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QRandomGenerator>

class QTimer;

namespace RelayDesk::Ui {

// Simulated chat and Realtime sessions written straight into a SessionRegistry, so the live views have
// something to show before (and without) real traffic: screenshot mode, "Simulate traffic" until the
// relay's demo upstream is wired in, and the UI benchmark. Deterministic for a given seed.
class DemoTraffic final : public QObject
{
    Q_OBJECT

public:
    explicit DemoTraffic(Monitor::SessionRegistry *registry, quint32 seed = 42, QObject *parent = nullptr);

    // Keeps about `concurrent` sessions alive, advancing each of them every `tickMs`.
    void start(int concurrent = 12, int tickMs = 100);
    void stop();
    bool isRunning() const;
    // Advances every simulated session by one step, synchronously (screenshots, benchmarks).
    void step();
    // Opens `count` sessions at once and advances them `steps` times; a few end along the way.
    void populate(int count, int steps);
    int liveCount() const { return int(m_live.size()); }

private:
    struct Sim
    {
        bool realtime = false;
        int stepsLeft = 0;
        qint64 reserved = 0;
        double charged = 0;
    };
    quint64 openOne();
    void advance(quint64 id, Sim &sim);

    QPointer<Monitor::SessionRegistry> m_registry;
    QRandomGenerator m_rng;
    SessionPricer m_pricer;
    QHash<quint64, Sim> m_live;
    QTimer *m_timer = nullptr;
    int m_concurrent = 12;
    bool m_backdate = false;
};

} // namespace RelayDesk::Ui
