#pragma once
// Model name -> tiktoken encoding, case-insensitively, for today's OpenAI models:
//   o200k_base  gpt-4o*, gpt-4.1*, gpt-4.5*, gpt-5*, o1*, o3*, o4*, chatgpt-4o*, gpt-realtime*,
//               gpt-4o-*realtime*, gpt-image-1*
//   cl100k_base gpt-4 / gpt-4-* (not 4o/4.1/4.5), gpt-3.5*, gpt-35-turbo* (Azure), text-embedding-3*,
//               text-embedding-ada-002, davinci-002, babbage-002
// Fine-tuned names "ft:<base>:<org>:<suffix>:<id>" map by their base. Anything else returns nullptr:
// the caller uses the estimator (estimator.h).
#include <QStringView>

namespace RelayDesk::Tokenize {

class Encoding;

const Encoding *encodingForModel(QStringView model);

} // namespace RelayDesk::Tokenize
