// libFuzzer target for the chat-request side of the relay: the request body → prompt estimate path
// (JSON parsing — FastJson checked against QJsonDocument::fromJson on every input: the same document or the same
// error —, message/tool walking, data: URL images and input_audio through the media rules) and the
// upstream side (SSE framing split at arbitrary points → chunk JSON → usage parsing → local text counts).
// The first byte picks the path; the rest is the input.
#include "common/fastjson.h"
#include "relay/chat/chatrelaytokens.h"
#include "relay/sseparser.h"
#include "relay/usageparser.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>

#include <cstddef>
#include <cstdint>

namespace {

const QStringList &models()
{
    // Tile rule, patch rule, Claude/Gemini estimators and an unknown model.
    static const QStringList list{QStringLiteral("gpt-4o"), QStringLiteral("gpt-4.1-mini"),
                                  QStringLiteral("claude-3-5-sonnet"), QStringLiteral("gemini-2.5-pro"),
                                  QStringLiteral("mystery-model")};
    return list;
}

void fuzzRequest(const QByteArray &body)
{
    QJsonParseError qtError, fastError;
    const QJsonDocument document = RelayDesk::FastJson::parseWithSimdjson(body, &fastError);
    const QJsonDocument qt = QJsonDocument::fromJson(body, &qtError);
    if (fastError.error != qtError.error || document != qt)
        __builtin_trap(); // FastJson must read every body as Qt does
    if (!document.isObject())
        return;
    for (const QString &model : models())
        (void)RelayDesk::Relay::ChatRelayTokens::estimatePrompt(document.object(), model);
}

void fuzzStream(const QByteArray &stream)
{
    RelayDesk::Relay::SseParser parser;
    // Split at varying points: every byte of the stream decides the next chunk length.
    qsizetype at = 0;
    while (at < stream.size()) {
        const qsizetype length = 1 + (static_cast<unsigned char>(stream.at(at)) % 64);
        for (const auto &event : parser.feed(QByteArrayView(stream).sliced(at, std::min(length, stream.size() - at)))) {
            const QJsonDocument chunk = QJsonDocument::fromJson(event.data);
            if (!chunk.isObject())
                continue;
            (void)RelayDesk::Relay::UsageParser::parse(chunk.object().value(QStringLiteral("usage")));
            for (const QJsonValue &choice : chunk.object().value(QStringLiteral("choices")).toArray()) {
                const QString content =
                    choice.toObject().value(QStringLiteral("delta")).toObject().value(QStringLiteral("content")).toString();
                (void)RelayDesk::Relay::ChatRelayTokens::countText(content, models().at(0));
            }
        }
        at += length;
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int argc = 1;
    static char name[] = "fuzz_chat_request";
    static char *argv[] = {name, nullptr};
    static QCoreApplication app(argc, argv); // image plugins are found through the application
    if (size == 0)
        return 0;
    const QByteArray input(reinterpret_cast<const char *>(data) + 1, qsizetype(size - 1));
    if (data[0] % 2 == 0)
        fuzzRequest(input);
    else
        fuzzStream(input);
    return 0;
}
