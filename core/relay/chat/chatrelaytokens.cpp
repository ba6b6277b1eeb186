#include "relay/chat/chatrelaytokens.h"

#include "tokenize/chatestimate.h"
#include "tokenize/estimator.h"

namespace RelayDesk::Relay {

qint64 ChatRelayTokens::countText(QStringView text, const QString &model)
{
    return text.isEmpty() ? 0 : Tokenize::countTextTokens(text, model);
}

PromptEstimate ChatRelayTokens::estimatePrompt(const QJsonObject &request, const QString &model)
{
    const Tokenize::ChatTokenEstimate e = Tokenize::estimateChatRequest(request, model);
    PromptEstimate out;
    // Flat file/video parts and the chat-format overhead are billed like text input.
    out.textTokens = e.textTokens + e.overheadTokens + e.fileTokens;
    out.imageTokens = e.imageTokens;
    out.audioTokens = e.audioTokens;
    return out;
}

} // namespace RelayDesk::Relay
