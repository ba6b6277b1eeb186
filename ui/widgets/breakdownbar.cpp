#include "widgets/breakdownbar.h"

#include <QHelpEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>

namespace RelayDesk::Ui {

namespace {
constexpr int kBarHeight = 18;
constexpr int kMargin = 2;
} // namespace

BreakdownBar::BreakdownBar(QWidget *parent)
    : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void BreakdownBar::setTitle(const QString &title)
{
    m_title = title;
    update();
}

void BreakdownBar::setSegments(const QList<Segment> &segments, const QString &totalText)
{
    m_segments = segments;
    m_total = totalText;
    m_placeholder.clear();
    update();
}

void BreakdownBar::setPlaceholder(const QString &text)
{
    m_segments.clear();
    m_total.clear();
    m_placeholder = text;
    update();
}

QSize BreakdownBar::sizeHint() const
{
    const int line = fontMetrics().height();
    return {360, kMargin * 2 + line + 4 + kBarHeight + 4 + line};
}

QSize BreakdownBar::minimumSizeHint() const
{
    return {160, sizeHint().height()};
}

void BreakdownBar::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QFontMetrics fm = fontMetrics();
    const int line = fm.height();
    const QRect area = rect().adjusted(kMargin, kMargin, -kMargin, -kMargin);

    // Title on the left, total on the right.
    QFont bold = font();
    bold.setBold(true);
    p.setFont(bold);
    p.setPen(palette().color(QPalette::WindowText));
    p.drawText(QRect(area.left(), area.top(), area.width(), line), Qt::AlignLeft | Qt::AlignVCenter, m_title);
    p.setFont(font());
    p.drawText(QRect(area.left(), area.top(), area.width(), line), Qt::AlignRight | Qt::AlignVCenter, m_total);

    const QRectF bar(area.left(), area.top() + line + 4, area.width(), kBarHeight);
    QPainterPath clip;
    clip.addRoundedRect(bar, 4, 4);
    p.fillPath(clip, palette().color(QPalette::AlternateBase));

    double total = 0;
    for (const Segment &s : m_segments)
        total += std::max(0.0, s.value);
    const int legendTop = int(bar.bottom()) + 4;
    if (total <= 0) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(bar, Qt::AlignCenter, m_placeholder.isEmpty() ? tr("nothing yet") : m_placeholder);
        return;
    }
    p.save();
    p.setClipPath(clip);
    double x = bar.left();
    for (const Segment &s : m_segments) {
        const double w = bar.width() * std::max(0.0, s.value) / total;
        p.fillRect(QRectF(x, bar.top(), w, bar.height()), s.color);
        x += w;
    }
    p.restore();

    // Legend: colour swatch, label and value for every non-empty segment.
    int lx = area.left();
    for (const Segment &s : m_segments) {
        if (s.value <= 0)
            continue;
        const QString text = s.label + QLatin1Char(' ') + s.valueText;
        const int w = fm.horizontalAdvance(text) + line + 12;
        if (lx + w > area.right() + 1 && lx > area.left())
            break; // the tooltip has the rest
        p.fillRect(QRect(lx, legendTop + 3, line - 6, line - 6), s.color);
        p.setPen(palette().color(QPalette::WindowText));
        p.drawText(QRect(lx + line - 2, legendTop, w, line), Qt::AlignLeft | Qt::AlignVCenter, text);
        lx += w;
    }
}

bool BreakdownBar::event(QEvent *e)
{
    if (e->type() == QEvent::ToolTip) {
        QStringList lines{m_title + QStringLiteral(": ") + m_total};
        for (const Segment &s : std::as_const(m_segments))
            lines << QStringLiteral("  %1: %2").arg(s.label, s.valueText);
        QToolTip::showText(static_cast<QHelpEvent *>(e)->globalPos(), lines.join(QLatin1Char('\n')), this);
        return true;
    }
    return QWidget::event(e);
}

} // namespace RelayDesk::Ui
