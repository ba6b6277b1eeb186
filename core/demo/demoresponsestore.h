#pragma once
// The demo's stored responses (store: true, the default): id → the run that produced it, which keeps the
// response object, its input items and every event it emitted (for GET ?stream=true replay). In memory, on
// the demo thread; a response lives until DELETE or until the demo stops.
#include <QtCore/QHash>
#include <QtCore/QJsonObject>
#include <QtCore/QString>

#include <optional>

namespace RelayDesk::Relay {

class DemoResponseRun;

class DemoResponseStore final
{
public:
    DemoResponseStore() = default;
    ~DemoResponseStore();
    DemoResponseStore(const DemoResponseStore &) = delete;
    DemoResponseStore &operator=(const DemoResponseStore &) = delete;

    // Takes ownership of the run.
    void add(DemoResponseRun *run);
    DemoResponseRun *find(const QString &responseId) const;
    // Deletes the response (stopping it if still running). False when unknown.
    bool remove(const QString &responseId);
    // An input or output item of any stored response, by item id (for item_reference).
    std::optional<QJsonObject> findItem(const QString &itemId) const;

private:
    QHash<QString, DemoResponseRun *> m_runs;
};

} // namespace RelayDesk::Relay
