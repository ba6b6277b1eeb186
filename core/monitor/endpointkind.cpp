#include "monitor/endpointkind.h"

#include <QCoreApplication>

#include <algorithm>
#include <array>

namespace RelayDesk::Monitor {

namespace {

struct KnownPath
{
    QLatin1StringView path;
    EndpointKind kind;
};

// The metered routes of the relay and the path each logs (meteredcall.cpp and realtime/ write these).
constexpr std::array kKnownPaths{
    KnownPath{QLatin1StringView("/v1/chat/completions"), EndpointKind::Chat},
    KnownPath{QLatin1StringView("/v1/responses"), EndpointKind::Responses},
    KnownPath{QLatin1StringView("/v1/responses/compact"), EndpointKind::Responses},
    KnownPath{QLatin1StringView("/v1/realtime"), EndpointKind::Realtime},
    KnownPath{QLatin1StringView("/v1/embeddings"), EndpointKind::Embeddings},
    KnownPath{QLatin1StringView("/v1/completions"), EndpointKind::Completion},
    KnownPath{QLatin1StringView("/v1/moderations"), EndpointKind::Moderation},
    KnownPath{QLatin1StringView("/v1/audio/transcriptions"), EndpointKind::Transcription},
    KnownPath{QLatin1StringView("/v1/audio/translations"), EndpointKind::Transcription},
    KnownPath{QLatin1StringView("/v1/audio/speech"), EndpointKind::Speech},
    KnownPath{QLatin1StringView("/v1/images/generations"), EndpointKind::Image},
    KnownPath{QLatin1StringView("/v1/images/edits"), EndpointKind::Image},
    KnownPath{QLatin1StringView("/v1/images/variations"), EndpointKind::Image},
    KnownPath{QLatin1StringView("/v1/messages"), EndpointKind::Messages},
};

struct KindText
{
    EndpointKind kind;
    QLatin1StringView id;
    const char *name;
};

constexpr std::array kKinds{
    KindText{EndpointKind::Chat, QLatin1StringView("chat"), QT_TRANSLATE_NOOP("RelayDesk::Monitor::EndpointKind", "Chat")},
    KindText{EndpointKind::Responses, QLatin1StringView("responses"),
             QT_TRANSLATE_NOOP("RelayDesk::Monitor::EndpointKind", "Responses")},
    KindText{EndpointKind::Realtime, QLatin1StringView("realtime"),
             QT_TRANSLATE_NOOP("RelayDesk::Monitor::EndpointKind", "Realtime")},
    KindText{EndpointKind::Embeddings, QLatin1StringView("embeddings"),
             QT_TRANSLATE_NOOP("RelayDesk::Monitor::EndpointKind", "Embeddings")},
    KindText{EndpointKind::Completion, QLatin1StringView("completion"),
             QT_TRANSLATE_NOOP("RelayDesk::Monitor::EndpointKind", "Completion")},
    KindText{EndpointKind::Moderation, QLatin1StringView("moderation"),
             QT_TRANSLATE_NOOP("RelayDesk::Monitor::EndpointKind", "Moderation")},
    KindText{EndpointKind::Transcription, QLatin1StringView("transcription"),
             QT_TRANSLATE_NOOP("RelayDesk::Monitor::EndpointKind", "Transcription")},
    KindText{EndpointKind::Speech, QLatin1StringView("speech"),
             QT_TRANSLATE_NOOP("RelayDesk::Monitor::EndpointKind", "Speech")},
    KindText{EndpointKind::Image, QLatin1StringView("image"),
             QT_TRANSLATE_NOOP("RelayDesk::Monitor::EndpointKind", "Image")},
    KindText{EndpointKind::Messages, QLatin1StringView("messages"),
             QT_TRANSLATE_NOOP("RelayDesk::Monitor::EndpointKind", "Messages")},
    KindText{EndpointKind::Other, QLatin1StringView("other"),
             QT_TRANSLATE_NOOP("RelayDesk::Monitor::EndpointKind", "Other")},
};

const KindText &textOf(EndpointKind kind)
{
    for (const KindText &t : kKinds)
        if (t.kind == kind)
            return t;
    return kKinds.back();
}

} // namespace

QList<EndpointKind> allEndpointKinds()
{
    QList<EndpointKind> kinds;
    for (const KindText &t : kKinds)
        kinds << t.kind;
    return kinds;
}

QString normalizedRequestPath(QStringView path)
{
    qsizetype end = path.size();
    for (QChar stop : {QLatin1Char('?'), QLatin1Char('#')})
        if (const qsizetype at = path.indexOf(stop); at >= 0 && at < end)
            end = at;
    return path.first(std::min(end, kMaxRequestPathLength)).toString();
}

EndpointKind endpointKindForPath(QStringView path)
{
    const QString normal = normalizedRequestPath(path);
    for (const KnownPath &known : kKnownPaths)
        if (normal == known.path)
            return known.kind;
    return EndpointKind::Other;
}

QStringList endpointPaths(EndpointKind kind)
{
    QStringList paths;
    for (const KnownPath &known : kKnownPaths)
        if (known.kind == kind)
            paths << QString(known.path);
    return paths;
}

QStringList knownEndpointPaths()
{
    QStringList paths;
    for (const KnownPath &known : kKnownPaths)
        paths << QString(known.path);
    return paths;
}

QString endpointKindId(EndpointKind kind)
{
    return QString(textOf(kind).id);
}

std::optional<EndpointKind> endpointKindFromId(QStringView id)
{
    for (const KindText &t : kKinds)
        if (id == t.id)
            return t.kind;
    return std::nullopt;
}

QString endpointKindName(EndpointKind kind)
{
    return QCoreApplication::translate("RelayDesk::Monitor::EndpointKind", textOf(kind).name);
}

EndpointKind endpointKindForSession(SessionKind kind)
{
    switch (kind) {
    case SessionKind::Http: return EndpointKind::Chat;
    case SessionKind::Realtime: return EndpointKind::Realtime;
    case SessionKind::Responses:
    case SessionKind::ResponsesWebSocket: return EndpointKind::Responses;
    case SessionKind::Embeddings: return EndpointKind::Embeddings;
    case SessionKind::Completion: return EndpointKind::Completion;
    case SessionKind::Moderation: return EndpointKind::Moderation;
    case SessionKind::Transcription: return EndpointKind::Transcription;
    case SessionKind::Speech: return EndpointKind::Speech;
    case SessionKind::Image: return EndpointKind::Image;
    case SessionKind::Messages: return EndpointKind::Messages;
    }
    return EndpointKind::Other;
}

} // namespace RelayDesk::Monitor
