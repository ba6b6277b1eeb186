#include "users/usersmodel.h"

#include "store/apikeyrepository.h"
#include "store/userrepository.h"

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

UsersModel::UsersModel(std::shared_ptr<Store::Database> db, QObject *parent)
    : IdRowsModel<Store::User>(parent)
    , m_db(std::move(db))
{
    reload();
}

void UsersModel::reload()
{
    sync(m_db ? Store::UserRepository(*m_db).list(100000) : QList<Store::User>{});
}

void UsersModel::setCurrencyDisplay(CurrencyDisplay display)
{
    m_currency = display;
    if (!m_rows.isEmpty())
        emit dataChanged(index(0, Balance), index(int(m_rows.size()) - 1, Used));
}

int UsersModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
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
    default: return {};
    }
}

KeysModel::KeysModel(std::shared_ptr<Store::Database> db, QObject *parent)
    : IdRowsModel<Store::ApiKey>(parent)
    , m_db(std::move(db))
{
    reload();
}

void KeysModel::setUserFilter(qint64 userId)
{
    if (m_userId == userId)
        return;
    m_userId = userId;
    reload();
}

void KeysModel::reload()
{
    if (!m_db) {
        sync({});
        return;
    }
    m_userNames.clear();
    for (const auto &u : Store::UserRepository(*m_db).list(100000))
        m_userNames.insert(u.id, u.name);
    const Store::ApiKeyRepository keys(*m_db);
    sync(m_userId ? keys.listForUser(m_userId) : keys.list(100000));
}

void KeysModel::setCurrencyDisplay(CurrencyDisplay display)
{
    m_currency = display;
    if (!m_rows.isEmpty())
        emit dataChanged(index(0, Quota), index(int(m_rows.size()) - 1, Used));
}

int KeysModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
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
    default: return {};
    }
}

} // namespace RelayDesk::Ui
