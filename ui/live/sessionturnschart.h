#pragma once

#include <QChartView>

class QStackedBarSeries;

namespace RelayDesk::Ui {

class SessionTurnsModel;

// The turns of a session as stacked bars, one per turn, split by modality (input text, audio, image and cached,
// output text, reasoning and audio — the session detail's colours), so the turn that cost the most stands out.
// Rebuilt (coalesced) whenever the model changes; only the last kShownTurns turns are drawn.
class SessionTurnsChart final : public QChartView
{
    Q_OBJECT

public:
    static constexpr int kShownTurns = 40;

    explicit SessionTurnsChart(SessionTurnsModel *model, QWidget *parent = nullptr);

    // The series drawn last (null before the first turn): one bar set per modality present.
    QStackedBarSeries *series() const { return m_series; }

    // Room for a few dozen bars and the legend beside the turns table (a chart view hints far less).
    QSize sizeHint() const override;

private:
    void scheduleRebuild();
    void rebuild();

    SessionTurnsModel *m_model;
    QStackedBarSeries *m_series = nullptr;
    bool m_rebuildScheduled = false;
};

} // namespace RelayDesk::Ui
