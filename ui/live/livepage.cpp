#include "live/livepage.h"

#include "shell/deliverlater.h"
#include "live/livesessionsmodel.h"
#include "live/sessiondetailview.h"

#include <QCheckBox>
#include <QDataStream>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QIODevice>
#include <QLabel>
#include <QLineEdit>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace RelayDesk::Ui {

LivePage::LivePage(Monitor::SessionRegistry *registry, QWidget *parent)
    : ConsolePage(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);

    auto *bar = new QHBoxLayout;
    m_filter = new QLineEdit(this);
    m_filter->setObjectName(QStringLiteral("liveFilter"));
    m_filter->setPlaceholderText(tr("Filter by user, key, model, channel, state…"));
    m_filter->setClearButtonEnabled(true);
    m_showEnded = new QCheckBox(tr("Show ended sessions"), this);
    m_showEnded->setChecked(true);
    m_showEnded->setToolTip(tr("Ended sessions stay listed (greyed) for two minutes"));
    m_count = new QLabel(this);
    bar->addWidget(m_filter, 1);
    bar->addWidget(m_showEnded);
    bar->addWidget(m_count);
    layout->addLayout(bar);

    m_model = new LiveSessionsModel(registry, this);
    m_proxy = new LiveSessionsProxy(this);
    m_proxy->setSourceModel(m_model);

    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("liveTable"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(LiveSessionsModel::Id, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setSectionsMovable(true);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setColumnWidth(LiveSessionsModel::Id, 60);
    m_table->setColumnWidth(LiveSessionsModel::Instance, 80);
    m_table->setColumnWidth(LiveSessionsModel::Kind, 80);
    m_table->setColumnWidth(LiveSessionsModel::Model, 190);
    if (!registry)
        m_table->setToolTip(tr("No session registry connected: live monitoring is unavailable."));

    m_detail = new SessionDetailView(registry, this);

    m_splitter = new QSplitter(Qt::Vertical, this);
    m_splitter->addWidget(m_table);
    m_splitter->addWidget(m_detail);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);
    layout->addWidget(m_splitter, 1);

    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);
    connect(m_showEnded, &QCheckBox::toggled, m_proxy, &LiveSessionsProxy::setShowEnded);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) { showDetail(current); });
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(m_proxy, signal, this, &LivePage::updateCount);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &LivePage::updateCount);
    connect(m_proxy, &QAbstractItemModel::layoutChanged, this, &LivePage::updateCount);
    updateCount();
}

void LivePage::setPricer(SessionPricer pricer)
{
    m_detail->setPricer(std::move(pricer));
}

void LivePage::setRemoteSource(Service::AdminService *admin, const QString &localInstance)
{
    m_admin = admin;
    m_model->setLocalInstance(localInstance);
    if (!m_remoteTimer) {
        m_remoteTimer = new QTimer(this);
        m_remoteTimer->setInterval(1000);
        connect(m_remoteTimer, &QTimer::timeout, this, &LivePage::refreshRemote);
    }
    m_remoteTimer->start();
    refreshRemote();
}

void LivePage::refreshRemote()
{
    if (!m_admin || m_remoteInFlight)
        return; // a slow database: one read at a time, the next tick asks again
    m_remoteInFlight = true;
    deliverLater(m_admin->async([](Service::AdminService &s) { return s.liveSessions(); }),
                 this, [this](Store::Result<QList<Monitor::SessionInfo>> sessions) {
            m_remoteInFlight = false;
            if (!sessions)
                return; // keep the last view; the status bar reports a store that does not answer
            m_model->applyRemote(*sessions);
            emit remoteLoaded();
        });
}

void LivePage::showDetail(const QModelIndex &current)
{
    if (current.isValid() && current.data(LiveSessionsModel::IsRemoteRole).toBool())
        m_detail->showRemote(current.data(LiveSessionsModel::InstanceRole).toString());
    else
        m_detail->setSession(current.isValid() ? current.data(LiveSessionsModel::SessionIdRole).value<quint64>() : 0);
}

void LivePage::setCurrencyDisplay(CurrencyDisplay display)
{
    m_model->setCurrencyDisplay(display);
    m_detail->setCurrencyDisplay(display);
}

void LivePage::selectSession(quint64 id)
{
    const int row = m_model->rowOf(id);
    if (row < 0)
        return;
    const QModelIndex proxyIndex = m_proxy->mapFromSource(m_model->index(row, 0));
    if (!proxyIndex.isValid())
        return;
    m_table->selectionModel()->setCurrentIndex(proxyIndex, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(proxyIndex);
}

quint64 LivePage::selectedSession() const
{
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    return current.isValid() ? current.data(LiveSessionsModel::SessionIdRole).value<quint64>() : 0;
}

void LivePage::refresh()
{
    m_model->reload();
    refreshRemote();
    showDetail(m_table->selectionModel()->currentIndex());
}

void LivePage::updateCount()
{
    m_count->setText(tr("Sessions: %1").arg(m_proxy->rowCount()));
}

QByteArray LivePage::saveState() const
{
    QByteArray out;
    QDataStream stream(&out, QIODevice::WriteOnly);
    stream << quint32(1) << m_table->horizontalHeader()->saveState() << m_splitter->saveState()
           << m_detail->saveState() << m_showEnded->isChecked();
    return out;
}

void LivePage::restoreState(const QByteArray &state)
{
    QDataStream stream(state);
    quint32 version = 0;
    QByteArray header, splitter, detail;
    bool showEnded = true;
    stream >> version >> header >> splitter >> detail >> showEnded;
    if (stream.status() != QDataStream::Ok || version != 1)
        return;
    m_table->horizontalHeader()->restoreState(header);
    m_splitter->restoreState(splitter);
    m_detail->restoreState(detail);
    m_showEnded->setChecked(showEnded);
}

} // namespace RelayDesk::Ui
