#pragma once
// What a MeteredCall needs from the relay that starts it, and what it reports back: the relay thread's store,
// channel choice, live registry, upstream client, group commit and closing retry, the relay's settings, and
// where to say it is done. Owned by CallEngine, which outlives every call it starts.
#include "relay/upstreamclient.h"

#include <QtCore/QMetaType>
#include <QtCore/QString>

#include <functional>
#include <memory>

namespace RelayDesk::Store {
class CommitBatch;
class Database;
}
namespace RelayDesk::Monitor { class SessionRegistry; }
namespace RelayDesk::Billing { class ClosingRetry; }

namespace RelayDesk::Relay {

class ChannelSelector;
class MeteredCall;

struct CallConfig
{
    // Completion tokens reserved when the request sets no output cap (max_tokens, max_output_tokens, …).
    qint64 defaultMaxTokens = 4096;
    // Extra attempts on another channel (connect error, 5xx, 429, 401/403 before the first byte to the client).
    int retries = 1;
    UpstreamClient::Options upstream;
};

// What a finished call did, for tests, benches and the console's counters.
struct CallResult
{
    QString requestId;
    QString endReason;     // done | eof | client_gone | upstream_error | upstream_timeout | shutdown | refunded:<why>
    bool settled = false;  // false = refunded (or refused before reserving)
    qint64 reserved = 0;
    qint64 quota = 0;      // settled quota (0 when refunded)
    int httpStatus = 0;
    QString requestPath;   // /v1/chat/completions, /v1/responses, …
};

struct CallContext
{
    std::shared_ptr<Store::Database> db;
    ChannelSelector *channels = nullptr;
    Monitor::SessionRegistry *registry = nullptr; // optional
    UpstreamClient *upstream = nullptr;
    Store::CommitBatch *commits = nullptr;        // group commit of the relay thread's ledger writes
    Billing::ClosingRetry *closings = nullptr;    // settlements/refunds waiting for the store to answer
    CallConfig config;
    // The call settled or refunded (`call` may be null when it is already gone): the engine forgets it.
    std::function<void(MeteredCall *call, const CallResult &result)> done;
};

} // namespace RelayDesk::Relay

Q_DECLARE_METATYPE(RelayDesk::Relay::CallResult)
