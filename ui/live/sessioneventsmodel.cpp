#include "live/sessioneventsmodel.h"

#include "widgets/money.h"

#include <QDateTime>

namespace RelayDesk::Ui {

using Monitor::EventDirection;
using Monitor::SessionEvent;

namespace {

bool sameEvent(const SessionEvent &a, const SessionEvent &b)
{
    return a.atMs == b.atMs && a.direction == b.direction && a.type == b.type && a.bytes == b.bytes &&
           a.tokens == b.tokens;
}

QString directionText(EventDirection d)
{
    switch (d) {
    case EventDirection::FromClient: return SessionEventsModel::tr("client → relay");
    case EventDirection::FromUpstream: return SessionEventsModel::tr("upstream → relay");
    case EventDirection::Internal: return SessionEventsModel::tr("relay");
    }
    return {};
}

} // namespace

SessionEventsModel::SessionEventsModel(Monitor::SessionRegistry *registry, QObject *parent)
    : QAbstractTableModel(parent)
    , m_registry(registry)
{
    if (m_registry)
        connect(m_registry, &Monitor::SessionRegistry::eventsAppended, this, &SessionEventsModel::onEventsAppended);
}

void SessionEventsModel::setSession(quint64 id)
{
    if (id == m_session)
        return;
    beginResetModel(); // a different session is a different list
    m_session = id;
    m_events.clear();
    endResetModel();
    m_pendingWhilePaused = false;
    pull();
}

void SessionEventsModel::setPaused(bool paused)
{
    m_paused = paused;
    if (!paused && m_pendingWhilePaused) {
        m_pendingWhilePaused = false;
        pull();
    }
}

void SessionEventsModel::setCapacity(int events)
{
    m_capacity = std::max(1, events);
}

void SessionEventsModel::onEventsAppended(const QList<quint64> &ids)
{
    if (m_session == 0 || !ids.contains(m_session))
        return;
    if (m_paused) {
        m_pendingWhilePaused = true;
        return;
    }
    pull();
}

void SessionEventsModel::pull()
{
    if (!m_registry || m_session == 0 || m_paused)
        return;
    append(m_registry->recentEvents(m_session));
}

// The registry hands out a sliding window of the latest events (no sequence numbers), so align it with
// what we already hold: the longest prefix of the window that equals a suffix of our list is old.
void SessionEventsModel::append(const QList<SessionEvent> &window)
{
    qsizetype overlap = 0;
    const qsizetype maxOverlap = std::min(window.size(), m_events.size());
    for (qsizetype o = maxOverlap; o > 0; --o) {
        bool match = true;
        const qsizetype base = m_events.size() - o;
        for (qsizetype k = 0; k < o && match; ++k)
            match = sameEvent(m_events[base + k], window[k]);
        if (match) {
            overlap = o;
            break;
        }
    }
    const qsizetype added = window.size() - overlap;
    if (added <= 0)
        return;
    // Drop the oldest first so the list never exceeds the capacity.
    const qsizetype excess = m_events.size() + added - m_capacity;
    if (excess > 0) {
        const int drop = int(std::min(excess, m_events.size()));
        if (drop > 0) {
            beginRemoveRows({}, 0, drop - 1);
            m_events.remove(0, drop);
            endRemoveRows();
        }
    }
    const qsizetype skip = std::max<qsizetype>(0, added - m_capacity);
    const int first = int(m_events.size());
    const int count = int(added - skip);
    beginInsertRows({}, first, first + count - 1);
    for (qsizetype k = overlap + skip; k < window.size(); ++k)
        m_events.append(window[k]);
    endInsertRows();
}

int SessionEventsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_events.size());
}

int SessionEventsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SessionEventsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const SessionEvent &e = m_events[index.row()];
    switch (role) {
    case DirectionRole:
        return int(e.direction);
    case Qt::TextAlignmentRole:
        return index.column() >= Bytes ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    case SortRole:
        switch (index.column()) {
        case Time: return e.atMs;
        case Bytes: return e.bytes;
        case Tokens: return e.tokens;
        default: break;
        }
        [[fallthrough]];
    case Qt::DisplayRole:
        switch (index.column()) {
        case Time: return QDateTime::fromMSecsSinceEpoch(e.atMs).toLocalTime().toString(QStringLiteral("HH:mm:ss.zzz"));
        case Direction: return directionText(e.direction);
        case Type: return e.type;
        case Bytes: return formatTokens(e.bytes);
        case Tokens: return e.tokens ? formatTokens(e.tokens) : QString();
        default: return {};
        }
    default:
        return {};
    }
}

QVariant SessionEventsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Time: return tr("Time");
    case Direction: return tr("Direction");
    case Type: return tr("Event");
    case Bytes: return tr("Bytes");
    case Tokens: return tr("Tokens");
    default: return {};
    }
}

SessionEventsProxy::SessionEventsProxy(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setFilterKeyColumn(SessionEventsModel::Type);
    setFilterCaseSensitivity(Qt::CaseInsensitive);
}

void SessionEventsProxy::setDirection(int direction)
{
    if (m_direction == direction)
        return;
    m_direction = direction;
    invalidateRowsFilter();
}

bool SessionEventsProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_direction >= 0) {
        const QModelIndex idx = sourceModel()->index(sourceRow, 0, sourceParent);
        if (idx.data(SessionEventsModel::DirectionRole).toInt() != m_direction)
            return false;
    }
    return QSortFilterProxyModel::filterAcceptsRow(sourceRow, sourceParent);
}

} // namespace RelayDesk::Ui
