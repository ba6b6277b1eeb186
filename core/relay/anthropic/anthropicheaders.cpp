#include "relay/anthropic/anthropicheaders.h"

#include "http/httprequest.h"

namespace RelayDesk::Relay {

AnthropicHeaders AnthropicHeaders::fromRequest(const HttpRequest &request)
{
    AnthropicHeaders out;
    for (const HttpHeaders::Field &field : request.headers.fields()) {
        const QByteArray name = field.first.trimmed().toLower();
        if (!name.startsWith("anthropic-") || field.second.size() > kMaxValueBytes)
            continue;
        if (out.m_headers.size() >= kMaxHeaders)
            break;
        out.m_headers.append({name, field.second.trimmed()});
    }
    return out;
}

QByteArray AnthropicHeaders::apply(const Store::Channel &channel, UpstreamBody &body) const
{
    body.headers.append({QByteArrayLiteral("x-api-key"), channel.secret.toUtf8()});
    bool version = false;
    for (const auto &header : m_headers) {
        version = version || header.first == "anthropic-version";
        body.headers.append(header);
    }
    if (!version)
        body.headers.append({QByteArrayLiteral("anthropic-version"), kDefaultVersion});
    return {};
}

} // namespace RelayDesk::Relay
