#pragma once
// Token counting for the chat relay: the admission estimate of a Chat Completions request, and the local
// count of a completion when the upstream reports no usage. Exact tiktoken counts for OpenAI models, the
// estimator otherwise (tokenize/estimator.h). Pure functions, any thread.
#include "billing/usage.h"

#include <QtCore/QJsonObject>
#include <QtCore/QString>

namespace RelayDesk::Relay {

struct PromptEstimate
{
    qint64 textTokens = 0;  // text incl. the chat-format overhead and flat file parts
    qint64 imageTokens = 0; // image parts
    qint64 audioTokens = 0; // input_audio parts (an uploaded audio file)
    Billing::Units units;   // what the request asks for by unit: its audio's length, characters, images
    qint64 total() const { return textTokens + imageTokens + audioTokens; }
};

class ChatRelayTokens final
{
public:
    // The admission estimate (tokenize/chatestimate.h: exact tiktoken text incl. tool calls and tool
    // schemas, chat-format overhead, image tiles from data: URLs, audio by duration).
    static PromptEstimate estimatePrompt(const QJsonObject &request, const QString &model);
    // Tokens of text produced for `model`.
    static qint64 countText(QStringView text, const QString &model);
};

} // namespace RelayDesk::Relay
