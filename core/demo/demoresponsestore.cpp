#include "demo/demoresponsestore.h"

#include "demo/demoresponserun.h"

#include <QtCore/QJsonArray>

namespace RelayDesk::Relay {

DemoResponseStore::~DemoResponseStore()
{
    qDeleteAll(m_runs);
}

void DemoResponseStore::add(DemoResponseRun *run)
{
    run->setParent(nullptr); // the store owns it now, whatever created it
    m_runs.insert(run->id(), run);
}

DemoResponseRun *DemoResponseStore::find(const QString &responseId) const
{
    return m_runs.value(responseId);
}

bool DemoResponseStore::remove(const QString &responseId)
{
    DemoResponseRun *run = m_runs.take(responseId);
    if (!run)
        return false;
    run->stop();
    run->deleteLater(); // a sink may be inside one of its signals
    return true;
}

std::optional<QJsonObject> DemoResponseStore::findItem(const QString &itemId) const
{
    for (const DemoResponseRun *run : m_runs) {
        for (const QJsonArray &items : {run->inputItems(), run->snapshot().value(u"output").toArray()}) {
            for (const QJsonValue &v : items)
                if (v.toObject().value(u"id").toString() == itemId)
                    return v.toObject();
        }
    }
    return std::nullopt;
}

} // namespace RelayDesk::Relay
