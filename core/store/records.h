#pragma once
// Plain value types stored by the repositories. Money is integer quota (500 000 = US$1).

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QtGlobal>

namespace RelayDesk::Store {


// Row status shared by users, keys and channels.
enum class RowStatus : int { Enabled = 1, Disabled = 2 };

struct User
{
    qint64 id = 0;
    QString name;
    QString group = QStringLiteral("default");
    qint64 quota = 0;        // balance; may be negative only after a settlement overage
    qint64 usedQuota = 0;
    qint64 requestCount = 0;
    RowStatus status = RowStatus::Enabled;
    qint64 createdAt = 0;    // unix seconds
};

struct ApiKey
{
    qint64 id = 0;
    qint64 userId = 0;
    QString name;
    QString keyHash;         // SHA-256 hex of the full key; the full key is never stored
    QString keyHint;         // "sk-ab…xyz"
    RowStatus status = RowStatus::Enabled;
    qint64 remainQuota = 0;  // ignored when unlimited
    bool unlimited = false;
    qint64 usedQuota = 0;
    qint64 expiresAt = 0;    // unix seconds; 0 = never
    QStringList modelLimits; // empty = every model
    QString group;           // empty = the user's group
    qint64 createdAt = 0;
};

struct Channel
{
    qint64 id = 0;
    QString name;
    QString type = QStringLiteral("openai");
    QString baseUrl;
    QString secret;          // upstream API key; never printed in full
    QStringList models;
    QStringList groups = {QStringLiteral("default")};
    QJsonObject modelMapping; // {"requested":"upstream"}
    int priority = 0;
    int weight = 1;
    RowStatus status = RowStatus::Enabled;
    qint64 usedQuota = 0;
    qint64 createdAt = 0;
};

// new-api compatible log types.
enum class LogType : int {
    Unknown = 0, Topup = 1, Consume = 2, Manage = 3, System = 4, Error = 5, Refund = 6
};

struct LogRecord
{
    qint64 id = 0;
    qint64 createdAt = 0;     // unix milliseconds; 0 = now at insert
    LogType type = LogType::Consume;
    qint64 userId = 0;
    qint64 keyId = 0;         // 0 = none
    qint64 channelId = 0;     // 0 = none
    QString model;            // the requested model name (the one priced)
    QString upstreamModel;
    qint64 promptTokens = 0;
    qint64 completionTokens = 0;
    qint64 quota = 0;         // for consume rows: exactly what the ledger debited net
    qint64 useMs = 0;
    bool isStream = false;
    QString requestId;
    QString content;
    QJsonObject other;        // new-api style details (ratios, usage breakdown, overage, recovered…)
    // More members of other_json, already written (JsonMembers): a metered call's details that nothing reads
    // before the row is written. Never a key that `other` has or is given later. Empty on rows read back.
    QByteArray otherMembers;
    qint64 priceSnapshotId = 0; // the PriceBook snapshot the charge used; 0 = none
};

struct Reservation
{
    enum class State : int { Open = 0, Settled = 1, Refunded = 2, Recovered = 3 };
    qint64 id = 0;
    QString requestId;
    qint64 userId = 0;
    qint64 keyId = 0;
    qint64 reserved = 0;  // total debited from balances so far (initial hold + every charge/extension)
    qint64 charged = 0;   // the part known to be consumed (sum of charge() amounts)
    State state = State::Open;
    QString kind;         // "chat", "realtime", …
    QString model;        // the requested model (for the log row if the reservation is recovered)
    qint64 finalQuota = 0;
    qint64 logId = 0;
    qint64 startedAt = 0; // unix milliseconds
    qint64 updatedAt = 0;
    QString instanceId;   // the process that owns it (empty: made outside a relaying process)
};

// A process that relays (console or relaydeskd serve). Its heartbeat is its lease on its reservations.
struct Instance
{
    QString id;
    QString hostname;
    QString machineId; // QSysInfo::machineUniqueId(): "same machine" for the liveness check by pid
    QString bootId;    // QSysInfo::bootUniqueId(): a pid is only meaningful within one boot
    qint64 pid = 0;
    QString version;
    QString address;   // where it listens, for the console
    qint64 startedAt = 0;   // unix milliseconds
    qint64 heartbeatAt = 0;
    qint64 stoppedAt = 0;   // 0 = running (or crashed)
    qint64 leaseMs = 30'000; // how long after its last heartbeat it counts as gone
    qint64 requestsTotal = 0;     // sessions it opened (every relayed call is one), as it last published
    qint64 requestRateMilli = 0;  // requests per second × 1000 over its last few seconds, as it last published
};

// One live session of some instance, as that instance last published it (the `live_sessions` table). Kind, state
// and media path are the monitor's names (Monitor::kindName, stateName, mediaPathName). Never a key: its hint only.
struct LiveSession
{
    QString instanceId;
    qint64 sessionId = 0;
    QString kind;
    QString model;
    QString channel;
    QString user;
    QString keyHint;
    QString state;
    QString mediaPath;
    qint64 startedAt = 0; // unix milliseconds
    qint64 updatedAt = 0;
    qint64 inputText = 0, inputAudio = 0, inputImage = 0;
    qint64 cachedText = 0, cachedAudio = 0, cachedImage = 0;
    qint64 outputText = 0, outputAudio = 0, outputReasoning = 0;
    qint64 reservedQuota = 0;
    qint64 chargedQuota = 0;
};

// One budget window of a user or a key: a `limits` row of kind "budget".
struct BudgetLimit
{
    qint64 id = 0;
    QString ownerKind;   // "user" | "key"
    qint64 ownerId = 0;
    QString window;      // "day", "week", "month" or "<N>h" (see BudgetWindow)
    qint64 cap = 0;      // quota per period
    qint64 createdAt = 0; // unix milliseconds
};

// A budget window as it stands at one moment.
struct BudgetState
{
    BudgetLimit limit;
    qint64 spent = 0;       // quota counted in the window now (may exceed cap after a settlement overage)
    qint64 periodStart = 0; // unix seconds: the calendar period's start, or the oldest hour a rolling window counts
    qint64 resetAt = 0;     // unix seconds: calendar: when the period rolls; rolling: when the asked-for spend (or,
                            // asking nothing, the oldest spend) leaves the window; 0 = nothing to wait for
};

// One rate limit of a user or a key: a `limits` row of kind rpm, tpm, rpd or concurrency (see RateLedger).
struct RateLimit
{
    qint64 id = 0;
    QString ownerKind;   // "user" | "key"
    qint64 ownerId = 0;
    QString kind;        // "rpm", "tpm", "rpd", "concurrency"
    qint64 cap = 0;      // requests, tokens or open reservations per window
    qint64 createdAt = 0; // unix milliseconds
};

// A rate limit as it stands at one moment.
struct RateState
{
    RateLimit limit;
    qint64 used = 0;        // counted in the current window (concurrency: open reservations now)
    qint64 periodStart = 0; // unix seconds: the minute's or day's start; 0 for concurrency
    qint64 resetAt = 0;     // unix seconds: when the window rolls over; 0 for concurrency (frees when one closes)
};

} // namespace RelayDesk::Store
