#include "shell/consolepage.h"

#include <QLabel>
#include <QVBoxLayout>

namespace RelayDesk::Ui {

UnavailablePage::UnavailablePage(const QString &title, const QString &reason, QWidget *parent)
    : ConsolePage(parent)
{
    auto *layout = new QVBoxLayout(this);
    auto *heading = new QLabel(title, this);
    QFont f = heading->font();
    f.setPointSizeF(f.pointSizeF() * 1.3);
    f.setBold(true);
    heading->setFont(f);
    auto *text = new QLabel(reason, this);
    text->setWordWrap(true);
    text->setObjectName(QStringLiteral("unavailableReason"));
    layout->addStretch();
    layout->addWidget(heading, 0, Qt::AlignHCenter);
    layout->addWidget(text, 0, Qt::AlignHCenter);
    layout->addStretch(2);
}

} // namespace RelayDesk::Ui
