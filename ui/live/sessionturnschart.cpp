#include "live/sessionturnschart.h"

#include "live/sessionbreakdown.h"
#include "live/sessionturnsmodel.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QGraphicsLayout>
#include <QStackedBarSeries>
#include <QTimer>
#include <QValueAxis>

#include <algorithm>

namespace RelayDesk::Ui {

namespace {

struct Modality
{
    QString label;
    QColor color;
    QList<qint64> tokens; // per shown turn
};

// The session detail's split (SessionBreakdown), input and output apart; prices do not matter for tokens.
QList<Modality> modalities(const QList<Monitor::SessionTurn> &turns)
{
    QList<Modality> out;
    const auto add = [&out](int index, const SessionBreakdown::Part &part, const QString &label, const QColor &color) {
        if (out.size() <= index)
            out.append({label, color, {}});
        out[index].tokens.append(part.tokens);
    };
    for (const Monitor::SessionTurn &turn : turns) {
        int i = 0;
        for (const SessionBreakdown::Part &part : SessionBreakdown::inputParts(turn.usage, {}))
            add(i++, part, SessionTurnsChart::tr("input %1").arg(part.label), part.color);
        for (const SessionBreakdown::Part &part : SessionBreakdown::outputParts(turn.usage, {}))
            add(i++, part, SessionTurnsChart::tr("output %1").arg(part.label), part.color.lighter(135));
    }
    // Only what some turn has: a voice session does not list image or cache-write sets.
    out.erase(std::remove_if(out.begin(), out.end(),
                             [](const Modality &m) {
                                 return std::all_of(m.tokens.cbegin(), m.tokens.cend(), [](qint64 t) { return t == 0; });
                             }),
              out.end());
    return out;
}

} // namespace

SessionTurnsChart::SessionTurnsChart(SessionTurnsModel *model, QWidget *parent)
    : QChartView(parent)
    , m_model(model)
{
    setRenderHint(QPainter::Antialiasing);
    setMinimumHeight(150);
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(m_model, signal, this, &SessionTurnsChart::scheduleRebuild);
    connect(m_model, &QAbstractItemModel::modelReset, this, &SessionTurnsChart::scheduleRebuild);
    rebuild();
}

QSize SessionTurnsChart::sizeHint() const
{
    const int digit = fontMetrics().horizontalAdvance(QLatin1Char('0'));
    return {56 * digit, 200};
}

void SessionTurnsChart::scheduleRebuild()
{
    // One pull removes and inserts rows: draw once after it.
    if (std::exchange(m_rebuildScheduled, true))
        return;
    QTimer::singleShot(0, this, [this] {
        m_rebuildScheduled = false;
        rebuild();
    });
}

void SessionTurnsChart::rebuild()
{
    const QList<Monitor::SessionTurn> &all = m_model->turns();
    const QList<Monitor::SessionTurn> turns = all.mid(std::max<qsizetype>(0, all.size() - kShownTurns));

    auto *chart = new QChart;
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->legend()->setAlignment(Qt::AlignBottom);
    // A chart in a pane of the detail, not a page: the widget's font and thin margins leave room for the bars.
    chart->setTitleFont(font());
    chart->setMargins(QMargins(2, 2, 2, 2));
    chart->layout()->setContentsMargins(0, 0, 0, 0);
    chart->setTitle(all.size() > turns.size() ? tr("Tokens per turn (last %1)").arg(turns.size()) : tr("Tokens per turn"));
    m_series = nullptr;
    if (!turns.isEmpty()) {
        m_series = new QStackedBarSeries(chart);
        for (const Modality &m : modalities(turns)) {
            auto *set = new QBarSet(m.label);
            set->setColor(m.color);
            for (qint64 t : m.tokens)
                *set << double(t);
            m_series->append(set);
        }
        chart->addSeries(m_series);
        QStringList categories;
        qint64 maxStack = 0;
        for (const Monitor::SessionTurn &turn : turns) {
            categories << QString::number(turn.number);
            maxStack = std::max(maxStack, turn.usage.total());
        }
        auto *x = new QBarCategoryAxis(chart);
        x->append(categories);
        auto *y = new QValueAxis(chart);
        y->setRange(0, maxStack > 0 ? double(maxStack) * 1.1 : 1.0);
        y->applyNiceNumbers();
        y->setLabelFormat(QStringLiteral("%.0f"));
        y->setTickCount(4);
        chart->addAxis(x, Qt::AlignBottom);
        chart->addAxis(y, Qt::AlignLeft);
        m_series->attachAxis(x);
        m_series->attachAxis(y);
    }
    QChart *old = this->chart();
    setChart(chart);
    delete old;
}

} // namespace RelayDesk::Ui
