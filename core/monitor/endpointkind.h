#pragma once
// The one mapping from a relay request path to the endpoint family the console shows (live view, logs,
// dashboard): every metered log row carries other.request_path, and the live view's SessionKind names the same
// families, so both read through here.
#include "monitor/sessionregistry.h"

#include <QString>
#include <QStringList>
#include <QStringView>

#include <optional>

namespace RelayDesk::Monitor {

// Transcription covers /v1/audio/transcriptions and /v1/audio/translations; Image covers generations, edits and
// variations; Responses covers /v1/responses and /v1/responses/compact; Messages is Anthropic's /v1/messages. Other: anything else (or no path).
enum class EndpointKind { Chat, Responses, Realtime, Embeddings, Completion, Moderation, Transcription, Speech, Image,
                          Messages, Other };

// Every kind, in display order (Other last).
QList<EndpointKind> allEndpointKinds();

// The path without its query string or fragment ("/v1/realtime?model=x" → "/v1/realtime"): the form the logs
// store and the mapping compare. Bounded: a path longer than kMaxRequestPathLength is cut there.
inline constexpr qsizetype kMaxRequestPathLength = 256;
QString normalizedRequestPath(QStringView path);

// Exact match on the normalized path (paths are case-sensitive, as the relay routes them); unknown → Other.
EndpointKind endpointKindForPath(QStringView path);
// The request paths the relay logs for a kind (empty for Other: it is whatever is not listed).
QStringList endpointPaths(EndpointKind kind);
// Every listed path of every kind (what Other excludes).
QStringList knownEndpointPaths();

// Stable lower-case identifier ("chat", "transcription", …) for settings, CSV and tests; and back (nullopt for an
// unknown id).
QString endpointKindId(EndpointKind kind);
std::optional<EndpointKind> endpointKindFromId(QStringView id);
// Display name, translated through QCoreApplication::translate in the context "RelayDesk::Monitor::EndpointKind"
// (the console's catalogue carries it): "Chat", "Embeddings", "Transcription", "Speech", "Image", …
QString endpointKindName(EndpointKind kind);

// The endpoint family of a live session's kind (Http = a chat call; both Responses kinds = Responses).
EndpointKind endpointKindForSession(SessionKind kind);

} // namespace RelayDesk::Monitor
