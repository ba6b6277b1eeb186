#include "instances/instancesmodel.h"

#include <QBrush>
#include <QColor>

namespace RelayDesk::Ui {

using Service::InstanceOverview;

int InstancesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int InstancesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString InstancesModel::stateText(InstanceOverview::State state)
{
    switch (state) {
    case InstanceOverview::State::Running: return tr("running");
    case InstanceOverview::State::Stopped: return tr("stopped");
    case InstanceOverview::State::Lapsed: return tr("lapsed");
    }
    return {};
}

QString InstancesModel::ageText(qint64 ms)
{
    const qint64 s = ms / 1000;
    if (s < 60)
        return tr("%1 s").arg(s);
    if (s < 3600)
        return tr("%1 min").arg(s / 60);
    return tr("%1 h %2 min").arg(s / 3600).arg((s / 60) % 60);
}

QVariant InstancesModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const InstanceOverview &o = m_rows[index.row()];
    const int column = index.column();
    switch (role) {
    case InstanceIdRole:
        return o.instance.id;
    case Qt::TextAlignmentRole:
        return column == Uptime || column == RequestRate || column == LiveSessions || column == HeartbeatAge
                   ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                   : QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::ForegroundRole:
        if (o.state == InstanceOverview::State::Lapsed)
            return QBrush(QColor(0xb0, 0x3a, 0x2e));
        if (o.state == InstanceOverview::State::Stopped)
            return QBrush(QColor(0x8a, 0x8a, 0x8a));
        return {};
    case Qt::ToolTipRole:
        if (column == Id)
            return o.instance.id == m_local ? tr("%1 (this console's own relay)").arg(o.instance.id) : o.instance.id;
        if (column == State && o.state == InstanceOverview::State::Lapsed)
            return tr("No heartbeat for longer than its lease (%1): crashed, hung or cut off from the database")
                .arg(ageText(o.instance.leaseMs));
        if (column == RequestRate)
            return tr("%n request(s) since it started", nullptr, int(std::min<qint64>(o.instance.requestsTotal, INT_MAX)));
        return {};
    case SortRole:
        switch (column) {
        case Uptime: return o.uptimeMs;
        case RequestRate: return o.requestsPerSecond;
        case LiveSessions: return o.liveSessions;
        case HeartbeatAge: return o.heartbeatAgeMs;
        case State: return int(o.state);
        default: break;
        }
        [[fallthrough]];
    case Qt::DisplayRole:
        switch (column) {
        case Id: return o.instance.id == m_local ? tr("%1 (this)").arg(o.instance.id.left(8)) : o.instance.id.left(8);
        case Host: return o.instance.hostname;
        case Address: return o.instance.address;
        case Version: return o.instance.version;
        case Uptime: return ageText(o.uptimeMs);
        case RequestRate: return QString::number(o.requestsPerSecond, 'f', 1);
        case LiveSessions: return o.liveSessions;
        case HeartbeatAge: return ageText(o.heartbeatAgeMs);
        case State: return stateText(o.state);
        default: return {};
        }
    default:
        return {};
    }
}

QVariant InstancesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::ToolTipRole && section == RequestRate)
        return tr("Requests per second over its last few seconds, as the instance publishes it with its live sessions");
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Id: return tr("Instance");
    case Host: return tr("Host");
    case Address: return tr("Address");
    case Version: return tr("Version");
    case Uptime: return tr("Uptime");
    case RequestRate: return tr("Req/s");
    case LiveSessions: return tr("Live sessions");
    case HeartbeatAge: return tr("Heartbeat");
    case State: return tr("State");
    default: return {};
    }
}

void InstancesModel::setInstances(const QList<InstanceOverview> &instances)
{
    const bool sameRows = instances.size() == m_rows.size()
                          && std::equal(instances.cbegin(), instances.cend(), m_rows.cbegin(),
                                        [](const InstanceOverview &a, const InstanceOverview &b) {
                                            return a.instance.id == b.instance.id;
                                        });
    if (!sameRows)
        beginResetModel();
    m_rows = instances;
    if (!sameRows)
        endResetModel();
    else if (!m_rows.isEmpty())
        emit dataChanged(index(0, 0), index(int(m_rows.size()) - 1, ColumnCount - 1));
}

const InstanceOverview *InstancesModel::instanceAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? &m_rows[row] : nullptr;
}

} // namespace RelayDesk::Ui
