#pragma once
// Token counting for the Responses API: the admission estimate of a create request (what the request itself
// sends — the context the server adds from previous_response_id, conversation or a stored prompt is invisible
// here, so this is a lower bound and settlement decides), and the local count of delivered output.
//
// The request is read as the chat estimate reads messages (tokenize/chatestimate.h, same text, image, audio
// and file rules): `instructions` as a system message; `input` as a string or items — messages with
// input_text/output_text/refusal, input_image (tiles/patches from a data: URL, else flat), input_file (flat),
// input_audio; function_call (name + arguments) and function_call_output; reasoning summaries; custom tool
// calls and their outputs; any other item counted as its compact JSON; item_reference adds nothing (the
// server has it). `tools` count as compact JSON.
#include "relay/chat/chatrelaytokens.h"

#include <QtCore/QJsonObject>

namespace RelayDesk::Relay {

class ResponsesTokens final
{
public:
    static PromptEstimate estimatePrompt(const QJsonObject &request, const QString &model);
    // The request rewritten as the Chat Completions body the chat estimator reads.
    static QJsonObject asChatRequest(const QJsonObject &request);
};

} // namespace RelayDesk::Relay
