#pragma once
// What an upstream's count_tokens said about a prompt, kept for the /v1/messages call that usually follows with the
// same content (Claude Code counts, then sends): the caller's key id and a SHA-256 of the prompt → the upstream's
// input_tokens. MessagesEndpoint sizes that call's hold with it (MessagesAdapter::setCountedInput says how).
//
// Bounded: at most `capacity` entries, each forgotten `ttlMs` after it was stored; when full, the oldest goes
// first (counting the same prompt again stores it anew). Keyed by the key id as well as the prompt, so one
// caller's count never sizes another caller's hold.
//
// Relay-thread only, like the endpoint that owns it: count_tokens replies (UpstreamForward's completion) and
// /v1/messages calls are all handled on the relay server thread, so there is no lock.
#include <QtCore/QByteArray>
#include <QtCore/QElapsedTimer>
#include <QtCore/QHash>
#include <QtCore/QJsonObject>

#include <functional>
#include <list>
#include <optional>

namespace RelayDesk::Relay {

class TokenCountCache final
{
public:
    static constexpr int kDefaultCapacity = 4096;
    static constexpr qint64 kDefaultTtlMs = 5 * 60 * 1000;
    // Milliseconds on a monotonic clock (tests pass their own).
    using Clock = std::function<qint64()>;

    explicit TokenCountCache(int capacity = kDefaultCapacity, qint64 ttlMs = kDefaultTtlMs, Clock clock = {});

    // SHA-256 of the canonical compact JSON of what the count depends on: model, system, messages, tools,
    // tool_choice and thinking (absent fields left out; QJsonObject orders keys, so equal content hashes alike
    // whatever order the client wrote it in). max_tokens, stream, metadata and the like do not count.
    static QByteArray promptHash(const QJsonObject &request);
    // The input_tokens of a count_tokens reply: status 200 and {"input_tokens": n} with n a count from 0 to
    // `max`; nullopt for anything else (an error, a body that is not JSON, a string, a fraction, too large).
    static std::optional<qint64> readCount(int status, const QByteArray &body, qint64 max);

    void remember(qint64 keyId, const QByteArray &promptHash, qint64 inputTokens);
    // The count stored for this caller and prompt, unless it expired or was evicted.
    std::optional<qint64> recall(qint64 keyId, const QByteArray &promptHash);
    int size() const { return int(m_index.size()); }

private:
    struct Entry
    {
        QByteArray key;
        qint64 inputTokens = 0;
        qint64 storedAtMs = 0;
    };
    static QByteArray entryKey(qint64 keyId, const QByteArray &promptHash);
    qint64 now() const;
    // Drops the expired entries: they are the oldest, at the front.
    void prune(qint64 nowMs);
    void erase(std::list<Entry>::iterator it);

    int m_capacity;
    qint64 m_ttlMs;
    Clock m_clock;
    QElapsedTimer m_elapsed;
    std::list<Entry> m_entries; // in the order stored
    QHash<QByteArray, std::list<Entry>::iterator> m_index;
};

} // namespace RelayDesk::Relay
