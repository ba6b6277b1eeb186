#include "alertservice.h"

#include "billing/spendnotifier.h"

#include <QtCore/QMetaObject>

namespace RelayDesk::Service {

AlertService::AlertService(std::shared_ptr<Store::Database> db, QObject *parent)
    : AlertService(std::move(db), Options(), parent)
{
}

AlertService::AlertService(std::shared_ptr<Store::Database> db, Options options, QObject *parent)
    : QObject(parent), m_db(std::move(db)), m_options(options)
{
    qRegisterMetaType<Store::AlertEvent>();
    m_thread.setObjectName(QStringLiteral("alerts"));
}

AlertService::~AlertService()
{
    stop();
}

void AlertService::start()
{
    if (m_thread.isRunning())
        return;
    m_watcher = new AlertWatcher(m_db, m_options.watcher);
    m_webhook = new AlertWebhook(m_db, m_options.webhook);
    m_watcher->moveToThread(&m_thread);
    m_webhook->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_watcher, &QObject::deleteLater);
    connect(&m_thread, &QThread::finished, m_webhook, &QObject::deleteLater);
    connect(m_watcher, &AlertWatcher::fired, this, &AlertService::fired);
    // A fired event goes out at once rather than at the next poll.
    connect(m_watcher, &AlertWatcher::fired, m_webhook, &AlertWebhook::deliverDue);
    connect(m_watcher, &AlertWatcher::failed, this, [](const QString &message) {
        qWarning("spend alerts: %s", qPrintable(message));
    });
    m_watcher->follow(Billing::SpendNotifier::global()); // before start() returns: no spend after it is missed
    m_thread.start();
    QMetaObject::invokeMethod(m_watcher, &AlertWatcher::startSweep);
    QMetaObject::invokeMethod(m_webhook, &AlertWebhook::start);
}

void AlertService::stop()
{
    if (!m_thread.isRunning())
        return;
    m_thread.quit();
    m_thread.wait();
    m_watcher = nullptr; // deleted by deleteLater as the thread finished
    m_webhook = nullptr;
}

} // namespace RelayDesk::Service
