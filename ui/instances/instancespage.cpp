#include "instances/instancespage.h"

#include "shell/deliverlater.h"
#include "instances/instancesmodel.h"

#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace RelayDesk::Ui {

InstancesPage::InstancesPage(Service::AdminService *admin, const QString &localInstance, QWidget *parent)
    : ConsolePage(parent)
    , m_admin(admin)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("instancesSummary"));
    layout->addWidget(m_summary);

    m_model = new InstancesModel(this);
    m_model->setLocalInstance(localInstance);
    auto *sorted = new QSortFilterProxyModel(this);
    sorted->setSourceModel(m_model);
    sorted->setSortRole(InstancesModel::SortRole);
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("instancesTable"));
    m_table->setModel(sorted);
    m_table->setSortingEnabled(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    layout->addWidget(m_table, 1);

    m_timer = new QTimer(this);
    m_timer->setInterval(1000);
    connect(m_timer, &QTimer::timeout, this, &InstancesPage::refresh);
    m_timer->start();
    refresh();
}

void InstancesPage::refresh()
{
    if (!m_admin || m_inFlight)
        return; // one read at a time: a slow database is asked again on the next tick
    m_inFlight = true;
    deliverLater(m_admin->async([](Service::AdminService &s) { return s.instances(); }),
                 this, [this](Store::Result<QList<Service::InstanceOverview>> instances) {
            m_inFlight = false;
            if (!instances) {
                m_summary->setText(tr("Cannot read the instances: %1").arg(instances.error()));
                return;
            }
            m_model->setInstances(*instances);
            int running = 0, sessions = 0;
            for (const Service::InstanceOverview &o : std::as_const(*instances)) {
                running += o.state == Service::InstanceOverview::State::Running ? 1 : 0;
                sessions += o.liveSessions;
            }
            m_summary->setText(tr("%1 running of %2 listed · %3 live sessions")
                                   .arg(running).arg(instances->size()).arg(sessions));
            emit loaded();
        });
}

QByteArray InstancesPage::saveState() const
{
    return m_table->horizontalHeader()->saveState();
}

void InstancesPage::restoreState(const QByteArray &state)
{
    m_table->horizontalHeader()->restoreState(state);
}

} // namespace RelayDesk::Ui
