#include "dashboard/endpointtotalsmodel.h"

#include <QLocale>

namespace RelayDesk::Ui {

EndpointTotalsModel::EndpointTotalsModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void EndpointTotalsModel::setTotals(const QList<Service::DashboardData::EndpointTotal> &totals)
{
    beginResetModel();
    m_rows = totals;
    m_quota = 0;
    for (const auto &t : std::as_const(m_rows))
        m_quota += t.quota;
    endResetModel();
}

void EndpointTotalsModel::setCurrencyDisplay(CurrencyDisplay display)
{
    if (m_currency == display)
        return;
    m_currency = display;
    if (!m_rows.isEmpty())
        emit dataChanged(index(0, Quota), index(int(m_rows.size()) - 1, Quota));
}

int EndpointTotalsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int EndpointTotalsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EndpointTotalsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const auto &t = m_rows[index.row()];
    const double share = m_quota > 0 ? 100.0 * double(t.quota) / double(m_quota) : 0.0;
    switch (role) {
    case Qt::TextAlignmentRole:
        return index.column() == Endpoint ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                                          : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    case SortRole:
        switch (index.column()) {
        case Endpoint: return int(t.kind);
        case Requests: return t.requests;
        case Tokens: return t.tokens;
        case Quota: return t.quota;
        case Share: return share;
        default: return {};
        }
    case Qt::DisplayRole:
        switch (index.column()) {
        case Endpoint: return Monitor::endpointKindName(t.kind);
        case Requests: return formatTokens(t.requests);
        case Tokens: return formatTokens(t.tokens);
        case Quota: return formatQuota(t.quota, m_currency);
        case Share: return QString(QLocale().toString(share, 'f', 1) + QLatin1Char('%'));
        default: return {};
        }
    case Qt::ToolTipRole:
        if (index.column() == Endpoint) {
            const QStringList paths = Monitor::endpointPaths(t.kind);
            return paths.isEmpty() ? tr("Any other endpoint, or a row without one") : paths.join(QLatin1Char('\n'));
        }
        return {};
    default:
        return {};
    }
}

QVariant EndpointTotalsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Endpoint: return tr("Endpoint");
    case Requests: return tr("Requests");
    case Tokens: return tr("Tokens");
    case Quota: return tr("Quota");
    case Share: return tr("Share of quota");
    default: return {};
    }
}

} // namespace RelayDesk::Ui
