#pragma once
// What an Anthropic channel's upstream request carries besides the body: `x-api-key: <channel secret>` (no
// Bearer), `anthropic-version` (the client's, else 2023-06-01) and the client's other `anthropic-*` headers
// (anthropic-beta, …) passed through. Read from the client's request once, applied per channel tried.
#include "relay/upstreamclient.h"
#include "store/records.h"

#include <QtCore/QByteArray>
#include <QtCore/QList>

namespace RelayDesk::Relay {

struct HttpRequest;

class AnthropicHeaders final
{
public:
    static inline const QByteArray kDefaultVersion = QByteArrayLiteral("2023-06-01");
    // Bounds on what is passed through: a client cannot make the relay send an unbounded header block.
    static constexpr int kMaxHeaders = 16;
    static constexpr int kMaxValueBytes = 4096;

    AnthropicHeaders() = default;
    // The client's anthropic-* headers (names lower-cased; beyond the bounds: dropped).
    static AnthropicHeaders fromRequest(const HttpRequest &request);

    // Adds the channel's x-api-key, anthropic-version and the passed-through headers to `body`. Returns the
    // bearer token to send: none.
    QByteArray apply(const Store::Channel &channel, UpstreamBody &body) const;
    const QList<std::pair<QByteArray, QByteArray>> &passedThrough() const { return m_headers; }

private:
    QList<std::pair<QByteArray, QByteArray>> m_headers;
};

} // namespace RelayDesk::Relay
