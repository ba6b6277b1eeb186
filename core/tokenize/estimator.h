#pragma once
// Heuristic token estimator for models without a known tokenizer (newapi-billing.md §3.3, exactly):
// per code point, whitespace / CJK / emoji / start of a letter or digit run / math symbol / '@' /
// URL delimiter / other symbol each add a provider-specific weight; the result is ceil(sum).
// Provider: the model name (lower-cased) contains "gemini" -> Gemini, else "claude" -> Claude, else OpenAI.
//
// Known weakness (newapi-billing.md §9.2 item 14): a whole run of non-CJK letters counts as ONE word,
// whatever its length, so scripts written without spaces or with long words are under-counted —
// Russian, Arabic and Thai by roughly 3-10x compared with the real tokenizers (e.g. "Привет мир" is
// 3 estimated vs 5 cl100k tokens; a Thai sentence without spaces is a single "word"). Counts for
// OpenAI models never use it (modelmap.h); for other providers it is only a pre-charge estimate that
// the upstream usage replaces.
#include <QStringView>

namespace RelayDesk::Tokenize {

enum class EstimatorProvider { OpenAI, Claude, Gemini };

EstimatorProvider estimatorProviderForModel(QStringView model);

// The raw weighted sum, in text order (bit-identical to the reference implementation).
double estimateWeightedSum(QStringView text, EstimatorProvider provider);
// ceil(sum); 0 for empty text.
qint64 estimateTokens(QStringView text, EstimatorProvider provider);

// Text tokens for a model: exact tiktoken count when the model maps to an encoding, else the estimator.
qint64 countTextTokens(QStringView text, QStringView model);

} // namespace RelayDesk::Tokenize
