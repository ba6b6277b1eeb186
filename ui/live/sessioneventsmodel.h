#pragma once

#include "monitor/sessionregistry.h"

#include <QAbstractTableModel>
#include <QPointer>
#include <QSortFilterProxyModel>

namespace RelayDesk::Ui {

// The event timeline of one session (time, direction, type, bytes, tokens), appended incrementally
// from SessionRegistry::recentEvents() whenever the registry reports new events for that session.
// Pausing stops pulling (the view holds still for reading); resuming catches up.
class SessionEventsModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Time, Direction, Type, Bytes, Tokens, ColumnCount };
    enum Role { SortRole = Qt::UserRole, DirectionRole };

    explicit SessionEventsModel(Monitor::SessionRegistry *registry, QObject *parent = nullptr);

    void setSession(quint64 id); // 0 = none
    quint64 session() const { return m_session; }
    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }
    // The timeline keeps at most this many events (oldest dropped first).
    void setCapacity(int events);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

public slots:
    void onEventsAppended(const QList<quint64> &ids);
    void pull();

private:
    void append(const QList<Monitor::SessionEvent> &window);

    QPointer<Monitor::SessionRegistry> m_registry;
    quint64 m_session = 0;
    bool m_paused = false;
    bool m_pendingWhilePaused = false;
    int m_capacity = 2000;
    QList<Monitor::SessionEvent> m_events;
};

// Filters the timeline by direction and by event-type text.
class SessionEventsProxy final : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    explicit SessionEventsProxy(QObject *parent = nullptr);
    // -1 = every direction, else int(Monitor::EventDirection)
    void setDirection(int direction);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    int m_direction = -1;
};

} // namespace RelayDesk::Ui
