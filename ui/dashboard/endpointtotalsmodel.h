#pragma once

#include "widgets/money.h"

#include "service/dashboarddata.h"

#include <QAbstractTableModel>

namespace RelayDesk::Ui {

// The Dashboard's per-endpoint table over DashboardData::endpoints: endpoint kind, requests, tokens, quota and its
// share of the range's quota. Replaced whole on each refresh (a model reset: the rows are few and all change).
class EndpointTotalsModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Endpoint, Requests, Tokens, Quota, Share, ColumnCount };
    enum Role { SortRole = Qt::UserRole };

    explicit EndpointTotalsModel(QObject *parent = nullptr);

    void setTotals(const QList<Service::DashboardData::EndpointTotal> &totals);
    void setCurrencyDisplay(CurrencyDisplay display);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<Service::DashboardData::EndpointTotal> m_rows;
    qint64 m_quota = 0; // sum over the rows, for the share column
    CurrencyDisplay m_currency = CurrencyDisplay::Dollars;
};

} // namespace RelayDesk::Ui
