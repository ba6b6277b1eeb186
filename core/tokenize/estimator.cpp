#include "tokenize/estimator.h"

#include "tokenize/encoding.h"
#include "tokenize/modelmap.h"
#include "tokenize/textcountcache.h"
#include "tokenize/unicodeclass.h"

#include <QString>

#include <cmath>

namespace RelayDesk::Tokenize {

namespace {

struct Weights {
    double word, number, cjk, symbol, math, urlDelim, at, emoji, newline, space;
};

constexpr Weights kOpenAI{1.02, 1.55, 0.85, 0.4, 2.68, 1.0, 2.0, 2.12, 0.5, 0.42};
constexpr Weights kClaude{1.13, 1.63, 1.21, 0.4, 4.52, 1.26, 2.82, 2.6, 0.89, 0.39};
constexpr Weights kGemini{1.15, 2.8, 0.68, 0.38, 1.05, 1.2, 2.5, 1.08, 1.15, 0.2};

const Weights &weightsFor(EstimatorProvider p)
{
    switch (p) {
    case EstimatorProvider::Claude: return kClaude;
    case EstimatorProvider::Gemini: return kGemini;
    case EstimatorProvider::OpenAI: break;
    }
    return kOpenAI;
}

bool isCjk(char32_t c)
{
    return (Detail::classOf(c) & Detail::kHan) || (c >= 0x3040 && c <= 0x30FF) || (c >= 0xAC00 && c <= 0xD7A3);
}

bool isEmoji(char32_t c)
{
    return (c >= 0x1F300 && c <= 0x1F9FF) || (c >= 0x2600 && c <= 0x26FF) || (c >= 0x2700 && c <= 0x27BF)
        || (c >= 0x1FA00 && c <= 0x1FAFF);
}

bool isMathSymbol(char32_t c)
{
    static const std::u32string_view listed =
        U"∑∫∂√∞≤≥≠≈±×÷∈∉∋∌⊂⊃⊆⊇∪∩∧∨¬∀∃∄∅∆∇∝∟∠∡∢°′″‴⁺⁻⁼⁽⁾ⁿ₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎²³¹⁴⁵⁶⁷⁸⁹⁰";
    return listed.find(c) != std::u32string_view::npos || (c >= 0x2200 && c <= 0x22FF) || (c >= 0x2A00 && c <= 0x2AFF)
        || (c >= 0x1D400 && c <= 0x1D7FF);
}

bool isUrlDelimiter(char32_t c)
{
    return c == '/' || c == ':' || c == '?' || c == '&' || c == '=' || c == ';' || c == '#' || c == '%';
}

} // namespace

EstimatorProvider estimatorProviderForModel(QStringView model)
{
    if (model.contains(u"gemini", Qt::CaseInsensitive))
        return EstimatorProvider::Gemini;
    if (model.contains(u"claude", Qt::CaseInsensitive))
        return EstimatorProvider::Claude;
    return EstimatorProvider::OpenAI;
}

double estimateWeightedSum(QStringView text, EstimatorProvider provider)
{
    const Weights &w = weightsFor(provider);
    enum class Run { None, Letter, Digit } cur = Run::None;
    double sum = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        char32_t c = text[i].unicode();
        if (QChar::isHighSurrogate(c) && i + 1 < text.size() && text[i + 1].isLowSurrogate())
            c = QChar::surrogateToUcs4(char16_t(c), text[++i].unicode());
        else if (QChar::isSurrogate(c))
            c = 0xFFFD;
        const uint8_t cls = Detail::classOf(c);
        if (cls & Detail::kSpace) {   // Go unicode.IsSpace == White_Space
            sum += (c == '\n' || c == '\t') ? w.newline : w.space;
            cur = Run::None;
        } else if (isCjk(c)) {
            sum += w.cjk;
            cur = Run::None;
        } else if (isEmoji(c)) {
            sum += w.emoji;
            cur = Run::None;
        } else if (cls & (Detail::kLetter | Detail::kNumber)) {
            const Run kind = (cls & Detail::kNumber) ? Run::Digit : Run::Letter;
            if (cur != kind) {
                sum += kind == Run::Digit ? w.number : w.word;
                cur = kind;
            }
        } else {
            cur = Run::None;
            if (isMathSymbol(c))
                sum += w.math;
            else if (c == '@')
                sum += w.at;
            else if (isUrlDelimiter(c))
                sum += w.urlDelim;
            else
                sum += w.symbol;
        }
    }
    return sum;
}

qint64 estimateTokens(QStringView text, EstimatorProvider provider)
{
    if (text.isEmpty())
        return 0;
    return qint64(std::ceil(estimateWeightedSum(text, provider)));
}

qint64 countTextTokens(QStringView text, QStringView model)
{
    if (text.isEmpty())
        return 0;
    if (const Encoding *enc = encodingForModel(model))
        return qint64(TextCountCache::count(*enc, text));
    return estimateTokens(text, estimatorProviderForModel(model));
}

} // namespace RelayDesk::Tokenize
