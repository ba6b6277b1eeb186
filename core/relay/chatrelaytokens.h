#pragma once
// Token counting for the chat relay: the admission estimate of a Chat Completions request, and the local
// count of a completion when the upstream reports no usage. Exact tiktoken counts for OpenAI models, the
// estimator otherwise (tokenize/estimator.h). Pure functions, any thread.
#include <QtCore/QJsonObject>
#include <QtCore/QString>

namespace RelayDesk::Relay {

struct PromptEstimate
{
    qint64 textTokens = 0;  // text incl. the per-message/tool overheads
    qint64 imageTokens = 0; // image parts
    qint64 audioTokens = 0; // input_audio parts (rough: unknown duration)
    qint64 total() const { return textTokens + imageTokens + audioTokens; }
};

class ChatRelayTokens final
{
public:
    // new-api's EstimateRequestToken for chat (newapi-billing.md §3.4), with the real tokenizer, plus what
    // it misses (§9.2 item 13): assistant tool_calls (names and arguments) are counted too.
    static PromptEstimate estimatePrompt(const QJsonObject &request, const QString &model);
    // Tokens of text produced for `model`.
    static qint64 countText(QStringView text, const QString &model);
    // Image tokens of one image_url part for an OpenAI vision model without its pixel size:
    // "low" detail 85, otherwise 765 (a 512×512 tile pair + base; the size is not fetched).
    static qint64 imageTokens(const QJsonObject &imagePart);
};

} // namespace RelayDesk::Relay
