#pragma once

#include "shell/consolepage.h"
#include "dashboard/dashboarddata.h"

#include <memory>

class QChartView;
class QComboBox;
class QLabel;

namespace RelayDesk::Store { class Database; }

namespace RelayDesk::Ui {

// The Dashboard: tokens or quota over time (hour or day buckets), stacked by model or by user, headline
// totals, and the text vs audio split — Qt Charts over DashboardData.
class DashboardPage final : public ConsolePage
{
    Q_OBJECT

public:
    explicit DashboardPage(std::shared_ptr<Store::Database> db, QWidget *parent = nullptr);

    const DashboardData &data() const { return m_data; }
    void refresh() override;
    void setCurrencyDisplay(CurrencyDisplay display) override;

private:
    void rebuildCharts();

    std::shared_ptr<Store::Database> m_db;
    DashboardData m_data;
    CurrencyDisplay m_currency = CurrencyDisplay::Dollars;
    QComboBox *m_range = nullptr;
    QComboBox *m_metric = nullptr;
    QComboBox *m_groupBy = nullptr;
    QLabel *m_totals = nullptr;
    QChartView *m_timeChart = nullptr;
    QChartView *m_splitChart = nullptr;
};

} // namespace RelayDesk::Ui
