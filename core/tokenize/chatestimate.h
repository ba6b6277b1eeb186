#pragma once
// Prompt-token estimate for a /v1/chat/completions request body, used by the relay to pre-charge.
//
// Text: each piece of text is counted on its own with the model's tokenizer (exact tiktoken for OpenAI
// models, the estimator otherwise): message content (string or text parts), `name`, assistant
// `tool_calls` (function name and arguments) and legacy `function_call`, tool results (role "tool" /
// "function" content), `refusal`, and every entry of `tools` / `functions` as compact JSON. Role strings
// are not content and are not counted as text.
// Overhead (OpenAI's chat format): 3 per message, 1 per `name`, 3 to prime the reply.
// Media: image_url parts by imagetokens.h (data: URLs measured; remote URLs get the flat 3 x base
// unless ChatEstimateOptions::remoteImageSize is given); input_audio parts by duration (mediaduration.h, libavformat) at 1 token / 100 ms, or
// the flat 256 when the duration cannot be read; file parts 4096, video_url 8192, unknown parts 4096
// (newapi-billing.md §4.2).
#include "tokenize/imagetokens.h"

#include <QJsonObject>
#include <QStringView>

namespace RelayDesk::Tokenize {

struct ChatTokenEstimate {
    qint64 textTokens = 0;
    qint64 imageTokens = 0;
    qint64 audioTokens = 0;
    qint64 fileTokens = 0;       // file, video and unknown parts (flat)
    qint64 overheadTokens = 0;   // per message, per name, reply priming
    qint64 total = 0;
    bool exactText = false;      // text counted with tiktoken (else the estimator)
    int messages = 0;
    int images = 0;
    int audioParts = 0;
};

struct ChatEstimateOptions {
    // Optional: measures remote image URLs (see imagetokens.h). Empty: remote images are flat.
    RemoteImageSizer remoteImageSize;
};

ChatTokenEstimate estimateChatRequest(const QJsonObject &body, QStringView model, const ChatEstimateOptions &options = {});

} // namespace RelayDesk::Tokenize
