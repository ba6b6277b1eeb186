#include "shell/appicon.h"

#include <QPainter>
#include <QPixmap>

namespace RelayDesk::Ui {

QImage appIconImage(int size)
{
    QImage image(size, size, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::transparent);
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing);
    const QRectF r(size * 0.04, size * 0.04, size * 0.92, size * 0.92);
    p.setPen(Qt::NoPen);
    p.setBrush(QColor(0x2b, 0x5f, 0x9e));
    p.drawRoundedRect(r, size * 0.2, size * 0.2);
    // Two arrows passing through a node: a relay.
    QPen pen(Qt::white, std::max(1.5, size * 0.09), Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
    p.setPen(pen);
    const double y1 = size * 0.36, y2 = size * 0.64;
    p.drawLine(QPointF(size * 0.2, y1), QPointF(size * 0.8, y1));
    p.drawLine(QPointF(size * 0.68, y1 - size * 0.1), QPointF(size * 0.8, y1));
    p.drawLine(QPointF(size * 0.68, y1 + size * 0.1), QPointF(size * 0.8, y1));
    p.drawLine(QPointF(size * 0.8, y2), QPointF(size * 0.2, y2));
    p.drawLine(QPointF(size * 0.32, y2 - size * 0.1), QPointF(size * 0.2, y2));
    p.drawLine(QPointF(size * 0.32, y2 + size * 0.1), QPointF(size * 0.2, y2));
    p.setBrush(QColor(0xf2, 0xa5, 0x3b));
    p.setPen(Qt::NoPen);
    p.drawEllipse(QPointF(size * 0.5, size * 0.5), size * 0.09, size * 0.09);
    p.end();
    return image;
}

QIcon appIcon()
{
    QIcon icon;
    for (int size : {16, 22, 32, 48, 64, 128, 256})
        icon.addPixmap(QPixmap::fromImage(appIconImage(size)));
    return icon;
}

} // namespace RelayDesk::Ui
