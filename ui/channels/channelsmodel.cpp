#include "channels/channelsmodel.h"

#include "common/secretmask.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QJsonDocument>


namespace RelayDesk::Ui {

using Store::Channel;
using Store::RowStatus;

ChannelsModel::ChannelsModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void ChannelsModel::setChannels(QList<Channel> channels, const QList<Store::ChannelHealth> &health)
{
    beginResetModel(); // a short list; a refresh is a re-read
    m_rows = std::move(channels);
    m_health.clear();
    for (const Store::ChannelHealth &h : health)
        m_health.insert(h.channelId, h);
    endResetModel();
}

void ChannelsModel::setCurrencyDisplay(CurrencyDisplay display)
{
    m_currency = display;
    if (!m_rows.isEmpty())
        emit dataChanged(index(0, Used), index(int(m_rows.size()) - 1, Used));
}

const Channel *ChannelsModel::channelAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? &m_rows[row] : nullptr;
}

int ChannelsModel::rowOf(qint64 id) const
{
    for (int i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].id == id)
            return i;
    return -1;
}

Store::ChannelHealth ChannelsModel::healthOf(qint64 channelId) const
{
    Store::ChannelHealth h = m_health.value(channelId);
    h.channelId = channelId;
    return h;
}

QString ChannelsModel::healthText(const Store::ChannelHealth &health, qint64 nowMs)
{
    using State = Store::ChannelHealth::State;
    switch (health.state) {
    case State::Healthy:
        return tr("healthy");
    case State::Probing:
        return tr("probing");
    case State::Unhealthy:
        break;
    }
    const qint64 left = health.retryAtMs - nowMs;
    return left > 0 ? tr("unhealthy · retry in %1 s").arg((left + 999) / 1000) : tr("unhealthy · probe due");
}

QString ChannelsModel::maskSecret(const QString &secret)
{
    return RelayDesk::maskSecret(secret); // the one rule, shared with the CLI and the audit trail
}

int ChannelsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ChannelsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ChannelsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Channel &c = m_rows[index.row()];
    switch (role) {
    case IdRole:
        return c.id;
    case Qt::ForegroundRole:
        if (index.column() == Health && healthOf(c.id).state != Store::ChannelHealth::State::Healthy)
            return QBrush(QColor(0xb0, 0x3a, 0x2e));
        return c.status == RowStatus::Enabled ? QVariant() : QVariant(QBrush(QColor(0x8a, 0x8a, 0x8a)));
    case Qt::TextAlignmentRole:
        return (index.column() == Priority || index.column() == Weight || index.column() == Used || index.column() == Id)
                   ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::ToolTipRole:
        if (index.column() == Mapping && !c.modelMapping.isEmpty())
            return QString::fromUtf8(QJsonDocument(c.modelMapping).toJson(QJsonDocument::Indented));
        if (index.column() == Models)
            return c.models.join(QLatin1Char('\n'));
        if (index.column() == Health) {
            const Store::ChannelHealth h = healthOf(c.id);
            if (h.state == Store::ChannelHealth::State::Healthy)
                return {};
            return tr("%n consecutive failure(s); last: %1", nullptr, h.failures).arg(h.lastError);
        }
        return {};
    case SortRole:
        switch (index.column()) {
        case Id: return c.id;
        case Priority: return c.priority;
        case Weight: return c.weight;
        case Used: return c.usedQuota;
        default: break;
        }
        [[fallthrough]];
    case Qt::DisplayRole:
        switch (index.column()) {
        case Id: return QString::number(c.id);
        case Name: return c.name;
        case Type: return c.type;
        case BaseUrl: return c.baseUrl;
        case Secret: return maskSecret(c.secret);
        case Models: return c.models.join(QStringLiteral(", "));
        case Groups: return c.groups.join(QStringLiteral(", "));
        case Mapping: return c.modelMapping.isEmpty() ? QString() : tr("%1 mapped").arg(c.modelMapping.size());
        case Priority: return QString::number(c.priority);
        case Weight: return QString::number(c.weight);
        case Status: return c.status == RowStatus::Enabled ? tr("enabled") : tr("disabled");
        case Used: return formatQuota(c.usedQuota, m_currency);
        case Health: return healthText(healthOf(c.id), QDateTime::currentMSecsSinceEpoch());
        default: return {};
        }
    default:
        return {};
    }
}

QVariant ChannelsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::ToolTipRole) {
        if (section == Priority)
            return tr("Higher priority channels are used first; lower ones only when they fail");
        if (section == Weight)
            return tr("Among channels of the same priority, traffic is shared in proportion to weight");
        if (section == Health)
            return tr("A failing channel is skipped for a back-off (5 s doubling to 5 min; auth failures 1 min to 30 min), "
                      "then one call probes it");
        return {};
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Id: return tr("ID");
    case Name: return tr("Name");
    case Type: return tr("Type");
    case BaseUrl: return tr("Base URL");
    case Secret: return tr("Secret");
    case Models: return tr("Models");
    case Groups: return tr("Groups");
    case Mapping: return tr("Model mapping");
    case Priority: return tr("Priority");
    case Weight: return tr("Weight");
    case Status: return tr("Status");
    case Used: return tr("Used");
    case Health: return tr("Health");
    default: return {};
    }
}

} // namespace RelayDesk::Ui
