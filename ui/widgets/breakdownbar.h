#pragma once

#include <QColor>
#include <QList>
#include <QString>
#include <QWidget>

namespace RelayDesk::Ui {

// One horizontal stacked bar with a legend underneath: each segment's width is its share of the total.
// Used for the token and money breakdowns of a session.
class BreakdownBar final : public QWidget
{
    Q_OBJECT

public:
    struct Segment
    {
        QString label;
        double value = 0.0;
        QString valueText; // shown in the legend and tooltip
        QColor color;
    };

    explicit BreakdownBar(QWidget *parent = nullptr);

    void setTitle(const QString &title);
    void setSegments(const QList<Segment> &segments, const QString &totalText);
    // Shown instead of the bar when there is nothing to draw (e.g. "no price configured").
    void setPlaceholder(const QString &text);
    const QList<Segment> &segments() const { return m_segments; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;
    bool event(QEvent *event) override;

private:
    QString m_title;
    QString m_total;
    QString m_placeholder;
    QList<Segment> m_segments;
};

} // namespace RelayDesk::Ui
