#pragma once
// What a MeteredCall needs from the relay that starts it, and what it reports back: the relay thread's store,
// channel choice, live registry, upstream client, store lane and closing retry, the relay's settings, and
// where to say it is done. Owned by CallEngine, which outlives every call it starts.
#include "relay/upstreamclient.h"

#include <QtCore/QMetaType>
#include <QtCore/QString>

#include <functional>
#include <memory>

namespace RelayDesk::Store {
class Database;
class StoreLane;
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
    // How long an instance's heartbeat holds its reservations (InstanceKeeper): a background response of an
    // instance silent for longer is adopted by this one.
    qint64 instanceLeaseMs = 30'000;
    // The largest file a multipart upload (audio, an image to edit) may carry: OpenAI's 25 MB. The HTTP
    // server's body limit must leave room for it (HttpServer::Config::maxBodyBytes, 32 MB).
    qint64 maxUploadBytes = 25LL * 1024 * 1024;
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
    // Not over yet: the upstream keeps working without the client (a background response); the reservation
    // stays open and CallContext::defer follows it to its end (settled = false, nothing refunded).
    bool deferred = false;
};

// A call whose answer is not final when the client is done with it: its open reservation and what is needed to
// settle it later (see CallContext::defer).
struct DeferredCall
{
    qint64 reservationId = 0;
    qint64 reserved = 0;
    qint64 userId = 0;
    qint64 keyId = 0;
    QString requestId;
    QString requestPath;
    qint64 channelId = 0;
    QString model;
    QString objectId;      // what to poll (a response id)
    qint64 promptTokens = 0;
};

struct CallContext
{
    std::shared_ptr<Store::Database> db;
    ChannelSelector *channels = nullptr;
    Monitor::SessionRegistry *registry = nullptr; // optional
    UpstreamClient *upstream = nullptr;
    Store::StoreLane *lane = nullptr;             // the relay's writes, group-committed off the relay thread
    Billing::ClosingRetry *closings = nullptr;    // settlements/refunds waiting for the store to answer
    CallConfig config;
    // Takes over a call that is not over (optional: without it such a call settles on what was delivered).
    std::function<void(const DeferredCall &call)> defer;
    // The call settled or refunded (`call` may be null when it is already gone): the engine forgets it.
    std::function<void(MeteredCall *call, const CallResult &result)> done;
};

} // namespace RelayDesk::Relay

Q_DECLARE_METATYPE(RelayDesk::Relay::CallResult)
