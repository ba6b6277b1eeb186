#include "users/usersmodel.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>

namespace RelayDesk::Ui {

using Store::RowStatus;

namespace {
QVariant statusBrush(RowStatus status)
{
    return status == RowStatus::Enabled ? QVariant() : QVariant(QBrush(QColor(0x8a, 0x8a, 0x8a)));
}
QString statusText(RowStatus status)
{
    return status == RowStatus::Enabled ? UsersModel::tr("enabled") : UsersModel::tr("disabled");
}
} // namespace

UsersModel::UsersModel(QObject *parent)
    : IdRowsModel<Store::User>(parent)
{
}

void UsersModel::setCurrencyDisplay(CurrencyDisplay display)
{
    m_currency = display;
    if (!m_rows.isEmpty()) {
        emit dataChanged(index(0, Balance), index(int(m_rows.size()) - 1, Used));
        emit dataChanged(index(0, Limits), index(int(m_rows.size()) - 1, Limits));
    }
}

void UsersModel::setLimits(QHash<qint64, LimitCaps> limits)
{
    m_limits = std::move(limits);
    if (!m_rows.isEmpty())
        emit dataChanged(index(0, Limits), index(int(m_rows.size()) - 1, Limits));
}

int UsersModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant UsersModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Store::User &u = m_rows[index.row()];
    switch (role) {
    case IdRole:
        return u.id;
    case Qt::ForegroundRole:
        if (index.column() == Balance && u.quota < 0)
            return QBrush(QColor(0xb0, 0x3a, 0x2e));
        return statusBrush(u.status);
    case Qt::TextAlignmentRole:
        return (index.column() >= Balance && index.column() <= Requests) || index.column() == Id
                   ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::ToolTipRole:
        if (index.column() == Balance)
            return tr("%1 quota units").arg(formatTokens(u.quota));
        return {};
    case SortRole:
        switch (index.column()) {
        case Id: return u.id;
        case Balance: return u.quota;
        case Used: return u.usedQuota;
        case Requests: return u.requestCount;
        default: break;
        }
        [[fallthrough]];
    case Qt::DisplayRole:
        switch (index.column()) {
        case Id: return QString::number(u.id);
        case Name: return u.name;
        case Group: return u.group;
        case Balance: return formatQuota(u.quota, m_currency);
        case Used: return formatQuota(u.usedQuota, m_currency);
        case Requests: return formatTokens(u.requestCount);
        case Limits: return m_limits.value(u.id).summary(m_currency);
        case Status: return statusText(u.status);
        default: return {};
        }
    default:
        return {};
    }
}

QVariant UsersModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Id: return tr("ID");
    case Name: return tr("Name");
    case Group: return tr("Group");
    case Balance: return tr("Balance");
    case Used: return tr("Used");
    case Requests: return tr("Requests");
    case Status: return tr("Status");
    case Limits: return tr("Limits");
    default: return {};
    }
}

} // namespace RelayDesk::Ui
