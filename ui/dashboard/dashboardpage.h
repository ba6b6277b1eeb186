#pragma once

#include "shell/consolepage.h"

#include "service/dashboarddata.h"

class QChartView;
class QComboBox;
class QLabel;
class QTableView;

namespace RelayDesk::Ui {

class EndpointTotalsModel;

using Service::DashboardData;

// The Dashboard: tokens or quota over time (hour or day buckets), stacked by model, user or endpoint kind, headline
// totals, requests / tokens / quota per endpoint kind, and the text vs audio split — Qt Charts over DashboardData, computed on AdminService's worker
// (the aggregates over a large log table take a while; the page shows "Loading…" meanwhile).
class DashboardPage final : public ConsolePage
{
    Q_OBJECT

public:
    explicit DashboardPage(Service::AdminService *admin, QWidget *parent = nullptr);

    const DashboardData &data() const { return m_data; }
    const EndpointTotalsModel *endpointTotals() const { return m_endpointTotals; }
    // The grouping of the time chart (the "By …" choice).
    void setGroupBy(DashboardData::GroupBy groupBy);
    void refresh() override;
    void setCurrencyDisplay(CurrencyDisplay display) override;

signals:
    void dataLoaded(); // data() holds the answer to the latest refresh()

private:
    void rebuildCharts();

    Service::AdminService *m_admin = nullptr;
    quint64 m_generation = 0; // an answer that lands after a newer question is dropped
    DashboardData m_data;
    CurrencyDisplay m_currency = CurrencyDisplay::Dollars;
    QComboBox *m_range = nullptr;
    QComboBox *m_metric = nullptr;
    QComboBox *m_groupBy = nullptr;
    QLabel *m_totals = nullptr;
    QChartView *m_timeChart = nullptr;
    QChartView *m_splitChart = nullptr;
    EndpointTotalsModel *m_endpointTotals = nullptr;
    QTableView *m_endpointTable = nullptr;
};

} // namespace RelayDesk::Ui
