#include "dashboard/dashboardpage.h"

#include "dashboard/endpointtotalsmodel.h"
#include "widgets/money.h"

#include "billing/quotamath.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QPieSeries>
#include <QPieSlice>
#include <QHeaderView>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QSplitter>
#include <QStackedBarSeries>
#include <QValueAxis>
#include <QVBoxLayout>

namespace RelayDesk::Ui {

namespace {
struct RangeChoice
{
    qint64 bucketMs;
    int buckets;
};
constexpr qint64 kHour = 3600 * 1000;
const RangeChoice kRanges[] = {{kHour, 24}, {24 * kHour, 7}, {24 * kHour, 30}};

const QList<QColor> kPalette{QColor(0x3b, 0x82, 0xc4), QColor(0xe0, 0x8a, 0x2e), QColor(0x4c, 0xa8, 0x6b),
                             QColor(0x8e, 0x6b, 0xc9), QColor(0xd0, 0x5a, 0x6e), QColor(0x9a, 0xa5, 0xb1),
                             // enough for every endpoint kind (ten) without a repeat
                             QColor(0x2f, 0xa3, 0x9a), QColor(0xc9, 0xa2, 0x27), QColor(0x6b, 0x4c, 0x3a),
                             QColor(0x1f, 0x4e, 0x79)};
} // namespace

DashboardPage::DashboardPage(Service::AdminService *admin, QWidget *parent)
    : ConsolePage(parent)
    , m_admin(admin)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto *controls = new QHBoxLayout;
    m_range = new QComboBox(this);
    m_range->addItem(tr("Last 24 hours, by hour"));
    m_range->addItem(tr("Last 7 days, by day"));
    m_range->addItem(tr("Last 30 days, by day"));
    m_range->setCurrentIndex(1);
    m_metric = new QComboBox(this);
    m_metric->addItem(tr("Tokens"));
    m_metric->addItem(tr("Quota"));
    m_groupBy = new QComboBox(this);
    m_groupBy->addItem(tr("By model"));
    m_groupBy->addItem(tr("By user"));
    m_groupBy->addItem(tr("By endpoint"));
    auto *refreshButton = new QPushButton(tr("Refresh"), this);
    m_totals = new QLabel(this);
    m_totals->setObjectName(QStringLiteral("dashboardTotals"));
    controls->addWidget(m_range);
    controls->addWidget(m_metric);
    controls->addWidget(m_groupBy);
    controls->addWidget(refreshButton);
    controls->addSpacing(16);
    controls->addWidget(m_totals, 1);
    layout->addLayout(controls);

    m_timeChart = new QChartView(this);
    m_timeChart->setRenderHint(QPainter::Antialiasing);
    m_splitChart = new QChartView(this);
    m_splitChart->setRenderHint(QPainter::Antialiasing);
    m_endpointTotals = new EndpointTotalsModel(this);
    auto *sorted = new QSortFilterProxyModel(this);
    sorted->setSourceModel(m_endpointTotals);
    sorted->setSortRole(EndpointTotalsModel::SortRole);
    m_endpointTable = new QTableView(this);
    m_endpointTable->setObjectName(QStringLiteral("endpointTotals"));
    m_endpointTable->setModel(sorted);
    m_endpointTable->setSortingEnabled(true);
    m_endpointTable->sortByColumn(EndpointTotalsModel::Quota, Qt::DescendingOrder);
    m_endpointTable->verticalHeader()->hide();
    m_endpointTable->horizontalHeader()->setStretchLastSection(true);
    m_endpointTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_endpointTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    auto *side = new QSplitter(Qt::Vertical, this);
    side->addWidget(m_splitChart);
    side->addWidget(m_endpointTable);
    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(m_timeChart);
    splitter->addWidget(side);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    m_splitChart->setMinimumWidth(320);
    splitter->setSizes({900, 420});
    layout->addWidget(splitter, 1);
    setBusyWidget(splitter);

    for (QComboBox *c : {m_range, m_metric, m_groupBy})
        connect(c, &QComboBox::currentIndexChanged, this, &DashboardPage::refresh);
    connect(refreshButton, &QPushButton::clicked, this, &DashboardPage::refresh);
    refresh();
}

void DashboardPage::refresh()
{
    const RangeChoice range = kRanges[std::clamp(m_range->currentIndex(), 0, 2)];
    const auto metric = m_metric->currentIndex() == 1 ? DashboardData::Metric::Quota : DashboardData::Metric::Tokens;
    const auto groupBy = m_groupBy->currentIndex() == 2   ? DashboardData::GroupBy::Endpoint
                         : m_groupBy->currentIndex() == 1 ? DashboardData::GroupBy::User
                                                          : DashboardData::GroupBy::Model;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const quint64 generation = ++m_generation;
    query(m_admin, [=](Service::AdminService &s) {
        return DashboardData::load(s, now, range.bucketMs, range.buckets, metric, groupBy);
    }, [this, generation](DashboardData data) {
        if (generation != m_generation)
            return;
        m_data = std::move(data);
        rebuildCharts();
        emit dataLoaded();
    });
}

void DashboardPage::setGroupBy(DashboardData::GroupBy groupBy)
{
    m_groupBy->setCurrentIndex(groupBy == DashboardData::GroupBy::Endpoint ? 2 : groupBy == DashboardData::GroupBy::User ? 1 : 0);
}

void DashboardPage::setCurrencyDisplay(CurrencyDisplay display)
{
    m_currency = display;
    m_endpointTotals->setCurrencyDisplay(display);
    rebuildCharts();
}

void DashboardPage::rebuildCharts()
{
    const bool quota = m_metric->currentIndex() == 1;
    const bool dollars = quota && m_currency == CurrencyDisplay::Dollars;
    m_totals->setText(tr("%1 requests · %2 tokens · %3").arg(formatTokens(m_data.requests), formatTokens(m_data.tokens),
                                                               formatQuota(m_data.quota, m_currency)));
    m_endpointTotals->setTotals(m_data.endpoints);

    auto *chart = new QChart;
    chart->setTitle(quota ? (dollars ? tr("Spend (US$) over time") : tr("Quota over time")) : tr("Tokens over time"));
    chart->setAnimationOptions(QChart::NoAnimation);
    auto *series = new QStackedBarSeries(chart);
    double maxStack = 0;
    QList<double> stacks(m_data.buckets.size(), 0.0);
    for (int s = 0; s < m_data.series.size(); ++s) {
        const DashboardData::Series &src = m_data.series[s];
        auto *set = new QBarSet(src.endpoint ? Monitor::endpointKindName(*src.endpoint)
                                : src.name == QLatin1String("other") ? tr("other") : src.name);
        set->setColor(kPalette[s % kPalette.size()]);
        for (int i = 0; i < src.values.size(); ++i) {
            const double v = dollars ? double(src.values[i]) / double(Billing::QuotaMath::kQuotaPerUnit) : double(src.values[i]);
            *set << v;
            stacks[i] += v;
        }
        series->append(set);
    }
    for (double v : stacks)
        maxStack = std::max(maxStack, v);
    chart->addSeries(series);
    QStringList categories;
    const bool hourly = m_data.bucketMs < 24 * kHour;
    for (qint64 b : m_data.buckets)
        categories << QDateTime::fromMSecsSinceEpoch(b).toLocalTime().toString(hourly ? QStringLiteral("HH:00") : QStringLiteral("MM-dd"));
    auto *x = new QBarCategoryAxis(chart);
    x->append(categories);
    auto *y = new QValueAxis(chart);
    y->setRange(0, maxStack > 0 ? maxStack * 1.1 : 1);
    y->applyNiceNumbers();
    y->setLabelFormat(dollars ? QStringLiteral("$%.2f") : QStringLiteral("%.0f"));
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    series->attachAxis(x);
    series->attachAxis(y);
    chart->legend()->setAlignment(Qt::AlignBottom);
    QChart *old = m_timeChart->chart();
    m_timeChart->setChart(chart);
    delete old;

    auto *pie = new QChart;
    pie->setTitle(tr("Text vs audio (latest %1 requests)").arg(formatTokens(m_data.sampledRows)));
    pie->setAnimationOptions(QChart::NoAnimation);
    auto *slices = new QPieSeries(pie);
    const std::pair<QString, qint64> parts[] = {{tr("text in"), m_data.textInput}, {tr("audio in"), m_data.audioInput},
                                                {tr("text out"), m_data.textOutput}, {tr("audio out"), m_data.audioOutput}};
    const QColor colors[] = {QColor(0x3b, 0x82, 0xc4), QColor(0xe0, 0x8a, 0x2e), QColor(0x7f, 0xb3, 0xe0), QColor(0xf2, 0xbe, 0x7f)};
    qint64 sum = 0;
    for (const auto &p : parts)
        sum += p.second;
    for (int i = 0; i < 4; ++i) {
        if (parts[i].second <= 0)
            continue;
        QPieSlice *slice = slices->append(QStringLiteral("%1 %2%").arg(parts[i].first).arg(100.0 * double(parts[i].second) / double(sum), 0, 'f', 0),
                                          double(parts[i].second));
        slice->setColor(colors[i]);
    }
    slices->setPieSize(0.7);
    pie->addSeries(slices);
    pie->legend()->setAlignment(Qt::AlignRight); // one slice per line: labels stay readable
    QChart *oldPie = m_splitChart->chart();
    m_splitChart->setChart(pie);
    delete oldPie;
}

} // namespace RelayDesk::Ui
