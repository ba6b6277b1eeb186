#pragma once
// The relay as the end-to-end tests run it: a Runtime on a fresh data dir, an ephemeral port, the demo upstream
// pacing at 1 ms, and every finished call recorded (tests wait on `results` before reading the database).
#include "relay/callcontext.h"
#include "service/runtime.h"

#include <QtCore/QList>

#include <memory>

namespace RelayDeskTest {

inline RelayDesk::Service::RuntimeConfig fastDemoConfig(const QString &dataDir)
{
    RelayDesk::Service::RuntimeConfig config;
    config.dataDir = dataDir;
    config.listenPort = 0;
    config.demo = true;
    config.demoOptions.chunkDelayMs = 1;
    config.demoOptions.firstChunkDelayMs = 1;
    return config;
}

// A Runtime whose finished calls land in `results` (on the test's thread).
inline std::unique_ptr<RelayDesk::Service::Runtime> recordingRuntime(QObject *context,
                                                                     QList<RelayDesk::Relay::CallResult> *results)
{
    auto runtime = std::make_unique<RelayDesk::Service::Runtime>();
    QObject::connect(runtime.get(), &RelayDesk::Service::Runtime::callFinished, context,
                     [results](const RelayDesk::Relay::CallResult &r) { results->append(r); });
    return runtime;
}

} // namespace RelayDeskTest
