#pragma once
// Removes a channel's secret from text an upstream wrote (error bodies, Realtime error events, close reasons,
// Qt/curl error strings) before it reaches a client, a log row or the channel_health table. Upstreams echo
// keys in auth errors ("Incorrect API key provided: sk-proj-****WXYZ"), so besides the whole secret this also
// removes API-key-shaped tokens, masked fragments and any long piece of the secret.
#include <QtCore/QByteArray>
#include <QtCore/QString>

namespace RelayDesk::Relay {

class SecretScrubber final
{
public:
    static constexpr QLatin1StringView kRedacted{"[redacted]"};

    static QString scrub(const QString &text, const QString &secret);
    static QByteArray scrub(const QByteArray &text, const QByteArray &secret);
};

} // namespace RelayDesk::Relay
