#include "alertnotifier.h"

#include "shell/deliverlater.h"
#include "service/alertwatcher.h"

#include <QDateTime>
#include <QJsonObject>

#include <algorithm>

namespace RelayDesk::Ui {
namespace {

bool isBudget(const Store::AlertEvent &event)
{
    return event.payload.value(QLatin1StringView("type")).toString() ==
           QLatin1StringView(Service::AlertWatcher::kBudgetEvent);
}

// "user dora" / "key dora-ci (sk-ab…xyz)"
QString ownerText(const QJsonObject &owner)
{
    const QString name = owner.value(QLatin1StringView("name")).toString();
    if (owner.value(QLatin1StringView("kind")).toString() == u"key")
        return AlertNotifier::tr("key %1 (%2)").arg(name, owner.value(QLatin1StringView("key_hint")).toString());
    return AlertNotifier::tr("user %1").arg(name);
}

QString windowText(const QString &window)
{
    if (window == u"day")
        return AlertNotifier::tr("daily");
    if (window == u"week")
        return AlertNotifier::tr("weekly");
    if (window == u"month")
        return AlertNotifier::tr("monthly");
    return AlertNotifier::tr("rolling %1").arg(window);
}

} // namespace

AlertNotifier::AlertNotifier(Service::AdminService *admin, QObject *parent) : QObject(parent), m_admin(admin)
{
    connect(&m_timer, &QTimer::timeout, this, &AlertNotifier::poll);
}

void AlertNotifier::start(int pollMs)
{
    m_timer.setInterval(pollMs);
    m_timer.start();
    poll();
}

void AlertNotifier::poll()
{
    if (!m_admin || m_polling)
        return;
    m_polling = true;
    const qint64 after = m_lastSeen;
    const auto read = [after](Service::AdminService &s) {
        return after < 0 ? s.alertEvents(1) : s.alertEvents(100, after);
    };
    deliverLater(m_admin->async(read), this, [this, after](const QList<Store::AlertEvent> &events) {
        m_polling = false;
        qint64 newest = std::max<qint64>(m_lastSeen, 0);
        for (const Store::AlertEvent &e : events)
            newest = std::max(newest, e.id);
        if (after >= 0) // newest first: announce oldest first
            for (auto it = events.crbegin(); it != events.crend(); ++it)
                Q_EMIT alert(title(*it), message(*it, m_currency));
        m_lastSeen = newest;
    });
}

QString AlertNotifier::title(const Store::AlertEvent &event)
{
    return isBudget(event) ? tr("Budget alert") : tr("Low balance");
}

QString AlertNotifier::message(const Store::AlertEvent &event, CurrencyDisplay currency)
{
    const QJsonObject &p = event.payload;
    const QString owner = ownerText(p.value(QLatin1StringView("owner")).toObject());
    if (isBudget(event)) {
        const qint64 reset = p.value(QLatin1StringView("resets_at")).toInteger();
        const QString when = reset > 0 ? QDateTime::fromSecsSinceEpoch(reset).toString(QStringLiteral("yyyy-MM-dd HH:mm"))
                                       : QString();
        const QString spent = tr("%1 has spent %2 of its %3 budget of %4 (%5%, alert at %6%).")
                                  .arg(owner,
                                       formatQuota(p.value(QLatin1StringView("spent_quota")).toInteger(), currency),
                                       windowText(p.value(QLatin1StringView("window")).toString()),
                                       formatQuota(p.value(QLatin1StringView("cap_quota")).toInteger(), currency),
                                       QString::number(p.value(QLatin1StringView("spent_percent")).toDouble(), 'f', 0),
                                       QString::number(p.value(QLatin1StringView("threshold_percent")).toInteger()));
        return when.isEmpty() ? spent : spent + u' ' + tr("It resets %1.").arg(when);
    }
    return tr("%1 has %2 left, below the alert at %3.")
        .arg(owner, formatQuota(p.value(QLatin1StringView("balance_quota")).toInteger(), currency),
             formatQuota(p.value(QLatin1StringView("threshold_quota")).toInteger(), currency));
}

} // namespace RelayDesk::Ui
