#pragma once
// A Chat Completions request turned into a request of Anthropic's Messages API, for a model that only channels of
// type anthropic serve. Each field converts or is refused with a 400 that names it — never dropped silently, since
// a client that asked for something must not get an answer made without it. A field whose value asks for nothing
// (null, n = 1, logprobs false, penalties 0, store false, an empty logit_bias …) is accepted.
//
//   system / developer messages → `system` (text blocks, in the order given: Claude takes no system turn
//                                 inside the conversation, so they are gathered at the top)
//   user content: text → text; image_url (a data: URL → base64 source, http(s) → url source; jpeg, png, gif,
//                 webp); file with PDF file_data → document. input_audio and file ids are refused.
//   assistant content → text; tool_calls → tool_use blocks (arguments must be a JSON object)
//   tool messages → tool_result blocks in a user turn (consecutive turns of one role are merged into one)
//   tools (type function) → name, description, input_schema, strict; tool_choice auto|none|required|{function};
//   parallel_tool_calls false → disable_parallel_tool_use
//   max_tokens / max_completion_tokens → max_tokens (Claude requires one: defaultMaxTokens() when absent)
//   stop → stop_sequences; temperature, top_p, top_k → the same; stream → stream; user → metadata.user_id
#include "http/openaierror.h"

#include <QtCore/QJsonObject>

#include <variant>

namespace RelayDesk::Relay {

class ChatToMessages final
{
public:
    // The Messages request for `chat`, with `maxTokens` as its max_tokens (the hold's limit: the request's,
    // else defaultMaxTokens()), or the 400 to answer.
    static std::variant<QJsonObject, OpenAiError> convert(const QJsonObject &chat, qint64 maxTokens);

    // The max_tokens sent when a chat request gives none: the largest output every model of the family
    // accepts (Claude 3: 4,096; Claude 3.5: 8,192; Claude 3.7 and later: 32,000, Opus 4's limit), so that no
    // model refuses it and long answers are not cut short.
    static qint64 defaultMaxTokens(const QString &model);
};

} // namespace RelayDesk::Relay
