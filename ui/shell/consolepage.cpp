#include "shell/consolepage.h"

#include <QLabel>
#include <QResizeEvent>
#include <QTimer>
#include <QVBoxLayout>

namespace RelayDesk::Ui {

void ConsolePage::refreshOnChanges(Service::AdminService *admin, QList<Store::ChangeKind> kinds)
{
    if (!admin)
        return;
    connect(admin, &Service::AdminService::changed, this, [this, kinds](Store::ChangeKind kind, qint64) {
        if (kinds.contains(kind))
            scheduleRefresh();
    });
}

void ConsolePage::scheduleRefresh()
{
    if (m_refreshPending)
        return;
    m_refreshPending = true;
    QTimer::singleShot(0, this, [this] {
        m_refreshPending = false;
        refresh();
    });
}

void ConsolePage::beginLoading()
{
    if (m_loading++ > 0)
        return;
    if (!m_loadingLabel) {
        m_loadingLabel = new QLabel(tr("Loading…"), this);
        m_loadingLabel->setObjectName(QStringLiteral("loadingLabel"));
        m_loadingLabel->setStyleSheet(QStringLiteral("QLabel { background: palette(window); border: 1px solid palette(mid); "
                                                     "border-radius: 3px; padding: 4px 10px; }"));
        m_loadingLabel->setAttribute(Qt::WA_TransparentForMouseEvents);
    }
    if (m_busyWidget)
        m_busyWidget->setEnabled(false);
    placeLoadingLabel();
    m_loadingLabel->show();
    m_loadingLabel->raise();
    emit loadingChanged(true);
}

void ConsolePage::endLoading()
{
    if (m_loading == 0 || --m_loading > 0)
        return;
    if (m_busyWidget)
        m_busyWidget->setEnabled(true);
    if (m_loadingLabel)
        m_loadingLabel->hide();
    emit loadingChanged(false);
}

void ConsolePage::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    if (m_loadingLabel)
        placeLoadingLabel();
}

void ConsolePage::placeLoadingLabel()
{
    m_loadingLabel->adjustSize();
    m_loadingLabel->move((width() - m_loadingLabel->width()) / 2, height() / 3);
}

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
