#pragma once
// Hand-written pre-tokenizers, one per tiktoken pattern family. Each reproduces the leftmost-first,
// backtracking semantics of the pattern tiktoken (Rust fancy-regex, Unicode 16) uses, alternative by
// alternative; the comments name the alternative each branch implements.
//
// cl100k_base: (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*
//              |\s*[\r\n]+|\s+(?!\S)|\s+
// o200k_base:  [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//              |[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//              |\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
// r50k/p50k:   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//
// Input is UTF-8; a byte that is not part of a valid sequence is treated as one punctuation character.
#include "tokenize/unicodeclass.h"

#include <array>

namespace RelayDesk::Tokenize {

enum class PatternFamily { Cl100k, O200k, R50k };

namespace Detail {

using Ptr = const unsigned char *;

// (?i:'s|'t|'re|'ve|'m|'ll|'d) (case-insensitive: Unicode simple folding adds only U+017F 'ſ' for s),
// or the case-sensitive r50k form. Returns the match length in bytes, 0 if none.
inline size_t contractionAt(Ptr q, Ptr end, bool foldCase)
{
    if (end - q < 2 || q[0] != '\'')
        return 0;
    auto lower = [foldCase](unsigned char b) -> unsigned char {
        return foldCase && b >= 'A' && b <= 'Z' ? b + 32 : b;
    };
    const unsigned char a = lower(q[1]);
    switch (a) {
    case 's': case 't': case 'm': case 'd':
        return 2;
    case 'r': case 'v': case 'l': {
        if (end - q < 3)
            return 0;
        const unsigned char b = lower(q[2]);
        return ((a == 'l' && b == 'l') || (a != 'l' && b == 'e')) ? 3 : 0;
    }
    default:
        break;
    }
    if (foldCase && a == 0xC5 && end - q >= 3 && q[2] == 0xBF)   // 'ſ
        return 3;
    return 0;
}

inline Ptr skipClass(Ptr q, Ptr end, uint8_t mask)
{
    while (q < end) {
        if (*q < 0x80) {
            if (!(kUnicodeStage2[*q] & mask))
                break;
            ++q;
            continue;
        }
        const CodePoint c = decodeAt(q, end);
        if (!(c.cls & mask))
            break;
        q += c.len;
    }
    return q;
}

inline bool isPunct(const CodePoint &c) { return !(c.cls & (kLetter | kNumber | kSpace)); }
inline bool isNewline(uint32_t cp) { return cp == '\r' || cp == '\n'; }

inline Ptr skipPunct(Ptr q, Ptr end)
{
    while (q < end) {
        const CodePoint c = decodeAt(q, end);
        if (!isPunct(c))
            break;
        q += c.len;
    }
    return q;
}

// \s*[\r\n]+ | \s+(?!\S) | \s+  starting at whitespace p (first code point c).
inline Ptr whitespaceEnd(Ptr p, Ptr end, const CodePoint &c, bool newlineAlternative)
{
    Ptr q = p;
    Ptr lastNewline = nullptr;
    Ptr lastStart = p;
    while (q < end) {
        const CodePoint d = decodeAt(q, end);
        if (!(d.cls & kSpace))
            break;
        if (isNewline(d.cp))
            lastNewline = q;
        lastStart = q;
        q += d.len;
    }
    if (newlineAlternative && lastNewline)
        return lastNewline + 1;              // \s*[\r\n]+ : up to the last newline of the run
    if (q == end)
        return q;                            // \s+(?!\S) at the end of the text
    if (lastStart > p)
        return lastStart;                    // \s+(?!\S) : all but the last whitespace
    return p + c.len;                        // \s+ : a single whitespace before a non-space
}

// ` ?[^\s\p{L}\p{N}]+` + tail. Returns nullptr when the alternative does not match at p.
inline Ptr punctEnd(Ptr p, Ptr end, const CodePoint &c, bool slashTail)
{
    Ptr s = p;
    CodePoint e = c;
    if (c.cp == ' ' && p + 1 < end) {
        const CodePoint d = decodeAt(p + 1, end);
        if (isPunct(d)) {
            s = p + 1;
            e = d;
        }
    }
    if (!isPunct(e))
        return nullptr;
    Ptr q = skipPunct(s + e.len, end);
    while (q < end && (*q == '\r' || *q == '\n' || (slashTail && *q == '/')))
        ++q;
    return q;
}

inline Ptr digitsEnd(Ptr p, Ptr end, const CodePoint &c, int maxDigits)
{
    Ptr q = p + c.len;
    for (int i = 1; i < maxDigits && q < end; ++i) {
        const CodePoint d = decodeAt(q, end);
        if (!(d.cls & kNumber))
            break;
        q += d.len;
    }
    return q;
}

// ASCII fast paths for the most common pieces: an optional one-byte prefix (not a letter, digit, CR or
// LF) and a run of ASCII letters ending in ASCII (or at the end). They return nullptr whenever a
// non-ASCII byte could change the match, and the general code handles the piece from its start.
constexpr bool asciiLetter(unsigned char b) { return uint8_t((b | 0x20) - 'a') < 26; }
constexpr bool asciiDigit(unsigned char b) { return uint8_t(b - '0') < 10; }
// [^\r\n\p{L}\p{N}] for one byte below 0x80. Asked for nearly every piece, so answered from a table built
// from this rule at compile time: one load instead of five tests (mixed corpus, callgrind: -1.7 % instructions
// for o200k, -0.5 % for cl100k).
constexpr bool asciiPrefixRule(unsigned char b)
{
    return b < 0x80 && !asciiLetter(b) && !asciiDigit(b) && b != '\r' && b != '\n';
}
inline constexpr auto kAsciiPrefix = [] {
    std::array<bool, 256> table{};
    for (unsigned b = 0; b < 256; ++b)
        table[b] = asciiPrefixRule(static_cast<unsigned char>(b));
    return table;
}();
inline bool asciiPrefix(unsigned char b) { return kAsciiPrefix[b]; }

[[gnu::always_inline]] inline Ptr asciiWordCl100k(Ptr p, Ptr end)
{
    Ptr q = p;
    if (asciiPrefix(*q) && *q != '\'')
        ++q;
    if (q == end || !asciiLetter(*q))
        return nullptr;
    while (q < end && asciiLetter(*q))
        ++q;
    if (q < end && *q >= 0x80)
        return nullptr;
    return q;
}

[[gnu::always_inline]] inline Ptr asciiWordO200k(Ptr p, Ptr end)
{
    Ptr q = p;
    if (asciiPrefix(*q))
        ++q;
    Ptr u = q;
    while (u < end && uint8_t(*u - 'A') < 26)
        ++u;
    Ptr w = u;
    while (w < end && uint8_t(*w - 'a') < 26)
        ++w;
    if (w == q || (w < end && *w >= 0x80))
        return nullptr;
    // Upper-case letters then lower-case ones (alternative 1), or only upper-case ones (alternative 2:
    // ASCII capitals are not in [\p{Ll}\p{Lm}\p{Lo}\p{M}], so alternative 1 cannot match them alone).
    return w + contractionAt(w, end, true);
}

// ASCII fast paths for the other common pieces (whitespace, punctuation, digits), for both cl100k and
// o200k: nullptr whenever the general code must decide (a non-ASCII byte could change the match, or an
// earlier alternative of the pattern could apply). `slashTail`: o200k's [\r\n/]* after punctuation.
inline bool asciiSpace(unsigned char b) { return b < 0x80 && (kUnicodeStage2[b] & kSpace); }

inline Ptr asciiOther(Ptr p, Ptr end, bool slashTail)
{
    const unsigned char b = *p;
    if (b >= 0x80)
        return nullptr;
    if (asciiDigit(b)) {   // \p{N}{1,3}
        Ptr q = p + 1;
        while (q < end && q - p < 3 && asciiDigit(*q))
            ++q;
        return q - p < 3 && q < end && *q >= 0x80 ? nullptr : q;
    }
    if (asciiSpace(b)) {
        Ptr q = p + 1;
        Ptr lastNewline = b == '\r' || b == '\n' ? p : nullptr;
        while (q < end && asciiSpace(*q)) {
            if (*q == '\r' || *q == '\n')
                lastNewline = q;
            ++q;
        }
        if (q < end && *q >= 0x80)
            return nullptr;   // a non-ASCII space may continue the run, a non-ASCII letter may follow
        // One whitespace before a letter may be a word's prefix; a space before punctuation belongs to it.
        if (q - p == 1 && q < end && (asciiLetter(*q) || (b == ' ' && !asciiDigit(*q))))
            return nullptr;
        if (lastNewline)
            return lastNewline + 1;            // \s*[\r\n]+
        if (q == end)
            return q;                          // \s+(?!\S) at the end
        return q - p > 1 ? q - 1 : q;          // \s+(?!\S), else \s+
    }
    // Punctuation: unless a letter follows (a word's prefix), ` ?[^\s\p{L}\p{N}]+` and its tail.
    if (asciiLetter(b) || b == '\'')
        return nullptr;
    Ptr q = p + 1;
    while (q < end && *q < 0x80 && !asciiLetter(*q) && !asciiDigit(*q) && !asciiSpace(*q))
        ++q;
    if (q < end && (*q >= 0x80 || (q == p + 1 && asciiLetter(*q))))
        return nullptr;
    while (q < end && (*q == '\r' || *q == '\n' || (slashTail && *q == '/')))
        ++q;
    return q;
}

// Everything but the ASCII word (asciiWordCl100k, tried first and inline by nextCl100k).
[[gnu::noinline]] inline Ptr nextCl100kOther(Ptr p, Ptr end)
{
    if (Ptr q = asciiOther(p, end, false))
        return q;
    const CodePoint c = decodeAt(p, end);
    if (c.cp == '\'') {
        if (const size_t k = contractionAt(p, end, true))
            return p + k;
    }
    if (c.cls & kLetter)
        return skipClass(p + c.len, end, kLetter);
    if (!(c.cls & (kLetter | kNumber)) && !isNewline(c.cp) && p + c.len < end) {
        const CodePoint d = decodeAt(p + c.len, end);   // [^\r\n\p{L}\p{N}]\p{L}+
        if (d.cls & kLetter)
            return skipClass(p + c.len + d.len, end, kLetter);
    }
    if (c.cls & kNumber)
        return digitsEnd(p, end, c, 3);
    if (Ptr q = punctEnd(p, end, c, false))
        return q;
    return whitespaceEnd(p, end, c, true);
}

// o200k's first two alternatives. `prefixOk`: c may serve as [^\r\n\p{L}\p{N}].
inline Ptr o200kWordEnd(Ptr p, Ptr end, const CodePoint &c, bool prefixOk)
{
    // Alternative 1: P? U* W+ C?  (U* backtracks until W+ can match; P? is tried first with, then without)
    for (int take = prefixOk ? 1 : 0; take >= 0; --take) {
        Ptr q = take ? p + c.len : p;
        Ptr lastLowerEnd = nullptr;
        CodePoint d{kInvalid, 0, 0};
        while (q < end) {
            d = decodeAt(q, end);
            if (!(d.cls & kUpperIsh))
                break;
            if (d.cls & kLowerIsh)
                lastLowerEnd = q + d.len;
            q += d.len;
        }
        Ptr e;
        if (q < end && (d.cls & kLowerIsh))
            e = skipClass(q + d.len, end, kLowerIsh);
        else if (lastLowerEnd)
            e = lastLowerEnd;
        else
            continue;
        return e + contractionAt(e, end, true);
    }
    // Alternative 2: P? U+ W* C?
    for (int take = prefixOk ? 1 : 0; take >= 0; --take) {
        const Ptr s = take ? p + c.len : p;
        const Ptr q = skipClass(s, end, kUpperIsh);
        if (q == s)
            continue;
        const Ptr e = skipClass(q, end, kLowerIsh);
        return e + contractionAt(e, end, true);
    }
    return nullptr;
}

// Everything but the ASCII word (asciiWordO200k, tried first and inline by nextO200k).
[[gnu::noinline]] inline Ptr nextO200kOther(Ptr p, Ptr end)
{
    if (Ptr q = asciiOther(p, end, true))
        return q;
    const CodePoint c = decodeAt(p, end);
    const bool prefixOk = !(c.cls & (kLetter | kNumber)) && !isNewline(c.cp);
    if (prefixOk || (c.cls & (kUpperIsh | kLowerIsh))) {
        if (Ptr q = o200kWordEnd(p, end, c, prefixOk))
            return q;
    }
    if (c.cls & kNumber)
        return digitsEnd(p, end, c, 3);
    if (Ptr q = punctEnd(p, end, c, true))
        return q;
    return whitespaceEnd(p, end, c, true);
}

// The most common piece, an ASCII word, inline in the caller's loop; the rest out of line.
[[gnu::always_inline]] inline Ptr nextCl100k(Ptr p, Ptr end)
{
    if (Ptr q = asciiWordCl100k(p, end))
        return q;
    return nextCl100kOther(p, end);
}

[[gnu::always_inline]] inline Ptr nextO200k(Ptr p, Ptr end)
{
    if (Ptr q = asciiWordO200k(p, end))
        return q;
    return nextO200kOther(p, end);
}

inline Ptr nextR50k(Ptr p, Ptr end)
{
    const CodePoint c = decodeAt(p, end);
    if (c.cp == '\'') {
        if (const size_t k = contractionAt(p, end, false))
            return p + k;
    }
    //  ?\p{L}+ |  ?\p{N}+ |  ?[^\s\p{L}\p{N}]+
    Ptr s = p;
    CodePoint e = c;
    if (c.cp == ' ' && p + 1 < end) {
        s = p + 1;
        e = decodeAt(s, end);
    }
    for (int pass = 0; pass < 2; ++pass) {
        if (e.cls & kLetter)
            return skipClass(s + e.len, end, kLetter);
        if (e.cls & kNumber)
            return skipClass(s + e.len, end, kNumber);
        if (isPunct(e))
            return skipPunct(s + e.len, end);
        s = p;   // without the optional space
        e = c;
    }
    return whitespaceEnd(p, end, c, false);
}

} // namespace Detail

// Calls onPiece(const unsigned char *piece, size_t length) for each pre-token of `text`, in order.
template <class Emit>
inline void forEachPiece(PatternFamily family, const unsigned char *text, size_t size, Emit &&onPiece)
{
    const unsigned char *p = text;
    const unsigned char *const end = text + size;
    switch (family) {
    case PatternFamily::Cl100k:
        while (p < end) { const auto *q = Detail::nextCl100k(p, end); onPiece(p, size_t(q - p)); p = q; }
        break;
    case PatternFamily::O200k:
        while (p < end) { const auto *q = Detail::nextO200k(p, end); onPiece(p, size_t(q - p)); p = q; }
        break;
    case PatternFamily::R50k:
        while (p < end) { const auto *q = Detail::nextR50k(p, end); onPiece(p, size_t(q - p)); p = q; }
        break;
    }
}

} // namespace RelayDesk::Tokenize
