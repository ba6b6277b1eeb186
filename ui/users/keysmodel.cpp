#include "users/keysmodel.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>

#include <limits>

namespace RelayDesk::Ui {

using Store::RowStatus;

namespace {
QVariant statusBrush(RowStatus status)
{
    return status == RowStatus::Enabled ? QVariant() : QVariant(QBrush(QColor(0x8a, 0x8a, 0x8a)));
}
QString statusText(RowStatus status)
{
    return status == RowStatus::Enabled ? KeysModel::tr("enabled") : KeysModel::tr("disabled");
}
} // namespace

KeysModel::KeysModel(QObject *parent)
    : IdRowsModel<Store::ApiKey>(parent)
{
}

void KeysModel::setKeys(qint64 userFilter, QList<Store::ApiKey> keys, QHash<qint64, QString> userNames)
{
    if (m_userId != userFilter) {
        beginResetModel(); // another user's keys: a different list, not an update of this one
        m_rows.clear();
        m_userId = userFilter;
        endResetModel();
    }
    m_userNames = std::move(userNames);
    sync(std::move(keys));
}

void KeysModel::setCurrencyDisplay(CurrencyDisplay display)
{
    m_currency = display;
    if (!m_rows.isEmpty()) {
        emit dataChanged(index(0, Quota), index(int(m_rows.size()) - 1, Used));
        emit dataChanged(index(0, Limits), index(int(m_rows.size()) - 1, Limits));
    }
}

void KeysModel::setLimits(QHash<qint64, LimitCaps> limits)
{
    m_limits = std::move(limits);
    if (!m_rows.isEmpty())
        emit dataChanged(index(0, Limits), index(int(m_rows.size()) - 1, Limits));
}

int KeysModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant KeysModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Store::ApiKey &k = m_rows[index.row()];
    const bool expired = k.expiresAt > 0 && k.expiresAt < QDateTime::currentSecsSinceEpoch();
    switch (role) {
    case IdRole:
        return k.id;
    case Qt::ForegroundRole:
        return expired ? QVariant(QBrush(QColor(0xb0, 0x3a, 0x2e))) : statusBrush(k.status);
    case Qt::TextAlignmentRole:
        return (index.column() == Quota || index.column() == Used || index.column() == Id)
                   ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::ToolTipRole:
        if (index.column() == Hint)
            return tr("Only the start and end of a key are kept; the full key was shown once, when it was created.");
        return {};
    case SortRole:
        switch (index.column()) {
        case Id: return k.id;
        case Quota: return k.unlimited ? std::numeric_limits<qint64>::max() : k.remainQuota;
        case Used: return k.usedQuota;
        case Expires: return k.expiresAt ? k.expiresAt : std::numeric_limits<qint64>::max();
        default: break;
        }
        [[fallthrough]];
    case Qt::DisplayRole:
        switch (index.column()) {
        case Id: return QString::number(k.id);
        case Name: return k.name;
        case Owner: return m_userNames.value(k.userId, QStringLiteral("#%1").arg(k.userId));
        case Hint: return k.keyHint;
        case Status: return expired ? tr("expired") : statusText(k.status);
        case Quota: return k.unlimited ? tr("unlimited") : formatQuota(k.remainQuota, m_currency);
        case Used: return formatQuota(k.usedQuota, m_currency);
        case Expires: return k.expiresAt ? QDateTime::fromSecsSinceEpoch(k.expiresAt).toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")) : tr("never");
        case Models: return k.modelLimits.isEmpty() ? tr("all models") : k.modelLimits.join(QStringLiteral(", "));
        case Limits: return m_limits.value(k.id).summary(m_currency);
        case Group: return k.group.isEmpty() ? tr("(user's group)") : k.group;
        default: return {};
        }
    default:
        return {};
    }
}

QVariant KeysModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Id: return tr("ID");
    case Name: return tr("Name");
    case Owner: return tr("User");
    case Hint: return tr("Key");
    case Status: return tr("Status");
    case Quota: return tr("Remaining");
    case Used: return tr("Used");
    case Expires: return tr("Expires");
    case Models: return tr("Models");
    case Group: return tr("Group");
    case Limits: return tr("Limits");
    default: return {};
    }
}

} // namespace RelayDesk::Ui
