#pragma once
// The one rule for where a channel's API lives. A channel's base URL may be given with or without `/v1` and
// with trailing slashes ("https://api.openai.com", "https://api.openai.com/v1/", "http://host/openai/v1"); every
// endpoint is <base without trailing slashes and without a final /v1>/v1/<path>.
#include <QtCore/QByteArray>
#include <QtCore/QString>
#include <QtCore/QUrl>

namespace RelayDesk::Relay {

// HTTP(S): e.g. upstreamApiUrl(base, u"chat/completions").
QUrl upstreamApiUrl(const QString &channelBaseUrl, QStringView pathAfterV1);
// The Realtime WebSocket: ws:// for http://, wss:// for https://, path …/v1/realtime, the client's query with
// `model` replaced by the channel's mapped model (first; none when it is empty: a transcription session).
QUrl upstreamRealtimeUrl(const QString &channelBaseUrl, const QByteArray &clientQuery, const QString &upstreamModel);

} // namespace RelayDesk::Relay
