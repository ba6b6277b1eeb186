#include "jsonl_text.h"

#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace RelayDesk::Cli {

namespace {

using Ptr = const unsigned char *;

constexpr int kMaxDepth = 64;
constexpr size_t kMaxNumberChars = 15;   // no rounding or overflow question for Qt's toDouble

// A byte of w may be '"', '\\', a control character or non-ASCII (false positives only stop the
// word-at-a-time skip early; the byte loop decides).
inline bool maybeSpecial(uint64_t w)
{
    constexpr uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    auto zeroByte = [](uint64_t x) { return (x - ones) & ~x; };
    return ((zeroByte(w ^ (ones * '"')) | zeroByte(w ^ (ones * '\\')) | ((w - ones * 0x20) & ~w) | w) & highs) != 0;
}

// The same for a line already known to be valid UTF-8 (simdjson::validate_utf8): non-ASCII bytes only
// stop the skip at the lead bytes of possible noncharacters (0xEF for U+FDD0..U+FDEF and U+FFFE/F,
// 0xF0..0xF4 for U+xFFFE/F), so runs of CJK, Cyrillic or Thai text are skipped 8 bytes at a time.
inline bool maybeSpecialInValidUtf8(uint64_t w)
{
    constexpr uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    auto zeroByte = [](uint64_t x) { return (x - ones) & ~x; };
    const uint64_t control = (w - ones * 0x20) & ~w;   // flags bytes < 0x20 (never one >= 0x80)
    return ((zeroByte(w ^ (ones * '"')) | zeroByte(w ^ (ones * '\\')) | control | zeroByte(w ^ (ones * 0xEF))
             | zeroByte((w & (ones * 0xF8)) ^ (ones * 0xF0))) & highs) != 0;
}

// Bytes to step over at p (p[0] >= 0x80) in a valid UTF-8 line; 0 at a noncharacter. The word skip may
// stop inside a sequence, so only the lead bytes of possible noncharacters are decoded; any other byte
// (continuation or lead) is stepped over alone.
inline size_t validUtf8Step(Ptr p)
{
    const unsigned char b0 = p[0];
    if (b0 != 0xEF && b0 < 0xF0)
        return 1;
    if (b0 == 0xEF) {
        if ((p[1] == 0xB7 && p[2] >= 0x90 && p[2] <= 0xAF) || (p[1] == 0xBF && p[2] >= 0xBE))
            return 0;
        return 3;
    }
    return (p[1] & 0x0F) == 0x0F && p[2] == 0xBF && p[3] >= 0xBE ? 0 : 4;
}

// Length of the strictly valid UTF-8 sequence at p (p[0] >= 0x80), 0 when invalid or a noncharacter
// (U+FDD0..U+FDEF, U+xxFFFE/F: left to Qt's parser).
inline size_t utf8Length(Ptr p, Ptr end)
{
    const unsigned char b0 = p[0];
    const size_t avail = size_t(end - p);
    auto cont = [&](size_t i, unsigned char lo = 0x80, unsigned char hi = 0xBF) { return i < avail && p[i] >= lo && p[i] <= hi; };
    if (b0 >= 0xC2 && b0 <= 0xDF)
        return cont(1) ? 2 : 0;
    if (b0 >= 0xE0 && b0 <= 0xEF) {
        const bool ok = b0 == 0xE0 ? cont(1, 0xA0) : b0 == 0xED ? cont(1, 0x80, 0x9F) : cont(1);
        if (!ok || !cont(2))
            return 0;
        if (b0 == 0xEF && ((p[1] == 0xB7 && p[2] >= 0x90 && p[2] <= 0xAF) || (p[1] == 0xBF && p[2] >= 0xBE)))
            return 0;
        return 3;
    }
    if (b0 >= 0xF0 && b0 <= 0xF4) {
        const bool ok = b0 == 0xF0 ? cont(1, 0x90) : b0 == 0xF4 ? cont(1, 0x80, 0x8F) : cont(1);
        if (!ok || !cont(2) || !cont(3))
            return 0;
        if ((p[1] & 0x0F) == 0x0F && p[2] == 0xBF && p[3] >= 0xBE)
            return 0;
        return 4;
    }
    return 0;
}

inline int hexValue(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

void appendUtf8(std::string *out, uint32_t cp)
{
    if (cp < 0x80) {
        out->push_back(char(cp));
    } else if (cp < 0x800) {
        out->push_back(char(0xC0 | (cp >> 6)));
        out->push_back(char(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out->push_back(char(0xE0 | (cp >> 12)));
        out->push_back(char(0x80 | ((cp >> 6) & 0x3F)));
        out->push_back(char(0x80 | (cp & 0x3F)));
    } else {
        out->push_back(char(0xF0 | (cp >> 18)));
        out->push_back(char(0x80 | ((cp >> 12) & 0x3F)));
        out->push_back(char(0x80 | ((cp >> 6) & 0x3F)));
        out->push_back(char(0x80 | (cp & 0x3F)));
    }
}

class Scanner final {
public:
    // `validUtf8`: [begin, end) is known to be valid UTF-8, so strings skip the per-sequence checks.
    Scanner(Ptr begin, Ptr end, bool validUtf8) : m_p(begin), m_end(end), m_validUtf8(validUtf8) {}

    std::optional<std::string_view> topLevelText(std::string *scratch);

private:
    void skipSpace()
    {
        while (m_p < m_end && (*m_p == ' ' || *m_p == '\t' || *m_p == '\n' || *m_p == '\r'))
            ++m_p;
    }
    bool consume(unsigned char c)
    {
        skipSpace();
        if (m_p == m_end || *m_p != c)
            return false;
        ++m_p;
        return true;
    }
    bool string(std::string *unescaped, bool *escaped);
    bool unicodeEscape(std::string *unescaped);
    bool number();
    bool literal(const char *word);
    bool value(int depth);
    bool container(int depth, unsigned char close);

    Ptr m_p;
    Ptr m_end;
    bool m_validUtf8;
};

// \uXXXX (the "\u" already read), with surrogate pairs; a lone surrogate is left to Qt.
bool Scanner::unicodeEscape(std::string *unescaped)
{
    auto hex4 = [this](uint32_t *v) {
        if (m_end - m_p < 4)
            return false;
        *v = 0;
        for (int i = 0; i < 4; ++i) {
            const int h = hexValue(m_p[i]);
            if (h < 0)
                return false;
            *v = (*v << 4) | uint32_t(h);
        }
        m_p += 4;
        return true;
    };
    uint32_t cp;
    if (!hex4(&cp) || (cp >= 0xDC00 && cp <= 0xDFFF))
        return false;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        uint32_t low;
        if (m_end - m_p < 2 || m_p[0] != '\\' || m_p[1] != 'u')
            return false;
        m_p += 2;
        if (!hex4(&low) || low < 0xDC00 || low > 0xDFFF)
            return false;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    if (unescaped)
        appendUtf8(unescaped, cp);
    return true;
}

// A string after its opening quote. Unescaped text goes to *unescaped when given (raw spans are
// appended only once an escape shows up; *escaped tells whether one did).
bool Scanner::string(std::string *unescaped, bool *escaped)
{
    const Ptr begin = m_p;
    Ptr copiedUpTo = begin;
    *escaped = false;
    for (;;) {
        while (m_end - m_p >= 8) {
            uint64_t w;
            std::memcpy(&w, m_p, 8);
            if (m_validUtf8 ? maybeSpecialInValidUtf8(w) : maybeSpecial(w))
                break;
            m_p += 8;
        }
        if (m_p == m_end)
            return false;
        const unsigned char c = *m_p;
        if (c == '"') {
            if (unescaped && *escaped)
                unescaped->append(reinterpret_cast<const char *>(copiedUpTo), size_t(m_p - copiedUpTo));
            ++m_p;
            return true;
        }
        if (c < 0x20)
            return false;
        if (c < 0x80) {
            if (c != '\\') {
                ++m_p;
                continue;
            }
            if (unescaped) {
                if (!*escaped)
                    unescaped->clear();
                unescaped->append(reinterpret_cast<const char *>(copiedUpTo), size_t(m_p - copiedUpTo));
            }
            *escaped = true;
            if (m_end - m_p < 2)
                return false;
            const unsigned char e = m_p[1];
            m_p += 2;
            static constexpr char kSimple[] = "\"\\/bfnrt";
            static constexpr char kValue[] = "\"\\/\b\f\n\r\t";
            if (const char *s = e ? std::strchr(kSimple, e) : nullptr) {
                if (unescaped)
                    unescaped->push_back(kValue[s - kSimple]);
            } else if (e != 'u' || !unicodeEscape(unescaped)) {
                return false;
            }
            copiedUpTo = m_p;
            continue;
        }
        const size_t len = m_validUtf8 ? validUtf8Step(m_p) : utf8Length(m_p, m_end);
        if (!len)
            return false;
        m_p += len;
    }
}

// -?(0|[1-9][0-9]*)(\.[0-9]+)?  — exponents and long numbers are left to Qt.
bool Scanner::number()
{
    const Ptr start = m_p;
    auto digit = [this] { return m_p < m_end && *m_p >= '0' && *m_p <= '9'; };
    if (m_p < m_end && *m_p == '-')
        ++m_p;
    if (!digit())
        return false;
    if (*m_p++ != '0')
        while (digit())
            ++m_p;
    if (m_p < m_end && *m_p == '.') {
        ++m_p;
        if (!digit())
            return false;
        while (digit())
            ++m_p;
    }
    return size_t(m_p - start) <= kMaxNumberChars;
}

bool Scanner::literal(const char *word)
{
    const size_t n = std::strlen(word);
    if (size_t(m_end - m_p) < n || std::memcmp(m_p, word, n) != 0)
        return false;
    m_p += n;
    return true;
}

bool Scanner::value(int depth)
{
    skipSpace();
    if (m_p == m_end)
        return false;
    bool escaped;
    switch (*m_p) {
    case '"': ++m_p; return string(nullptr, &escaped);
    case '{': ++m_p; return container(depth + 1, '}');
    case '[': ++m_p; return container(depth + 1, ']');
    case 't': return literal("true");
    case 'f': return literal("false");
    case 'n': return literal("null");
    default: return number();
    }
}

// The members of a nested object or the elements of an array, after the opening bracket.
bool Scanner::container(int depth, unsigned char close)
{
    if (depth > kMaxDepth)
        return false;
    if (consume(close))
        return true;
    for (;;) {
        if (close == '}') {
            bool escaped;
            if (!consume('"') || !string(nullptr, &escaped) || !consume(':'))
                return false;
        }
        if (!value(depth))
            return false;
        if (consume(close))
            return true;
        if (!consume(','))
            return false;
    }
}

std::optional<std::string_view> Scanner::topLevelText(std::string *scratch)
{
    if (!consume('{'))
        return std::nullopt;
    std::optional<std::string_view> text;
    if (!consume('}')) {
        for (;;) {
            if (!consume('"'))
                return std::nullopt;
            const Ptr key = m_p;
            bool escaped;
            if (!string(nullptr, &escaped) || escaped)
                return std::nullopt;
            const bool isText = m_p - key == 5 && std::memcmp(key, "text", 4) == 0;
            if (!consume(':'))
                return std::nullopt;
            if (isText) {
                if (text)
                    return std::nullopt;   // a duplicate: which one Qt keeps is Qt's business
                skipSpace();
                if (m_p == m_end || *m_p != '"')
                    return std::nullopt;
                const Ptr begin = ++m_p;
                if (!string(scratch, &escaped))
                    return std::nullopt;
                text = escaped ? std::string_view(*scratch)
                               : std::string_view(reinterpret_cast<const char *>(begin), size_t(m_p - 1 - begin));
            } else if (!value(1)) {
                return std::nullopt;
            }
            if (consume('}'))
                break;
            if (!consume(','))
                return std::nullopt;
        }
    }
    skipSpace();
    if (m_p != m_end)
        return std::nullopt;
    return text;
}

// Might the 32 bytes at p hold the lead byte of a noncharacter (0xEF, 0xF0..0xF7)? A fixed-length
// reduction the compiler turns into a few SIMD instructions.
inline bool mayHoldNoncharacterLead(Ptr p)
{
    unsigned char hit = 0;
    for (int i = 0; i < 32; ++i)
        hit |= static_cast<unsigned char>((p[i] == 0xEF) | ((p[i] & 0xF8) == 0xF0));
    return hit != 0;
}

// Does the valid UTF-8 text hold a raw noncharacter (left to Qt's parser, as the scanner does)? Lead
// bytes 0xEF and 0xF0..0xF4 are never continuation bytes, so the 32- and 8-byte skips cannot misalign.
bool hasNoncharacter(Ptr p, Ptr end)
{
    constexpr uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    auto zeroByte = [](uint64_t x) { return (x - ones) & ~x; };
    while (p < end) {
        if (end - p >= 32 && !mayHoldNoncharacterLead(p)) {
            p += 32;
            continue;
        }
        // A block that may hold one: 8 bytes, then single bytes at a time, to the end of the block.
        for (const Ptr stop = p + std::min<ptrdiff_t>(32, end - p); p < stop;) {
            if (stop - p >= 8) {
                uint64_t w;
                std::memcpy(&w, p, 8);
                if (!((zeroByte(w ^ (ones * 0xEF)) | zeroByte((w & (ones * 0xF8)) ^ (ones * 0xF0))) & highs)) {
                    p += 8;
                    continue;
                }
            }
            if (*p >= 0x80 && validUtf8Step(p) == 0)
                return true;
            ++p;
        }
    }
    return false;
}

// A double that reads as zero may be a literal too small for a double (1e-400), which simdjson reads as
// zero and Qt refuses (core/common/fastjson.h): such a line is left to the scanner and Qt.
bool hasZeroDouble(simdjson::dom::element e)
{
    switch (e.type()) {
    case simdjson::dom::element_type::DOUBLE:
        return e.get_double().value_unsafe() == 0.0;
    case simdjson::dom::element_type::ARRAY: {
        const simdjson::dom::array a = e.get_array().value_unsafe();   // a named copy: the result is a temporary
        return std::any_of(a.begin(), a.end(), [](simdjson::dom::element v) { return hasZeroDouble(v); });
    }
    case simdjson::dom::element_type::OBJECT: {
        const simdjson::dom::object o = e.get_object().value_unsafe();
        return std::any_of(o.begin(), o.end(), [](const simdjson::dom::key_value_pair &m) { return hasZeroDouble(m.value); });
    }
    default:
        return false;
    }
}

// simdjson's DOM parser (SIMD validation and unescaping) for the lines it can decide: an object it
// accepts with at most kMaxDepth levels, exactly one top-level "text" member (keys compared unescaped,
// as Qt does) holding a string, no raw noncharacter and no double that reads as zero. simdjson refuses
// what Qt refuses among these (raw control characters, invalid UTF-8, lone surrogates, numbers out of
// range, trailing content); what it does not decide goes to the scanner below, then to Qt.
std::optional<std::string_view> simdjsonText(Ptr p, Ptr end, size_t readableAfter)
{
    thread_local simdjson::dom::parser parser;
    const size_t n = size_t(end - p);
    if (parser.capacity() < n) {   // allocated here, never by parse(), so the depth limit is always ours
        if (parser.allocate(std::max<size_t>(n, 1 << 16), kMaxDepth) != simdjson::SUCCESS)
            return std::nullopt;
    }
    simdjson::dom::element root;
    const bool copyToPad = readableAfter < simdjson::SIMDJSON_PADDING;
    if (parser.parse(reinterpret_cast<const char *>(p), n, copyToPad).get(root) != simdjson::SUCCESS)
        return std::nullopt;
    simdjson::dom::object object;
    if (root.get_object().get(object) != simdjson::SUCCESS)
        return std::nullopt;
    std::optional<std::string_view> text;
    for (const simdjson::dom::key_value_pair m : object) {
        if (m.key != "text")
            continue;
        std::string_view s;
        if (text || m.value.get_string().get(s) != simdjson::SUCCESS)
            return std::nullopt;
        text = s;
    }
    if (!text || hasZeroDouble(root) || hasNoncharacter(p, end))
        return std::nullopt;
    return text;   // in the parser's string buffer, which the next line reuses
}

} // namespace

std::optional<std::string_view> jsonlText(std::string_view line, std::string *scratch, size_t readableAfter)
{
    auto p = reinterpret_cast<Ptr>(line.data());
    const Ptr end = p + line.size();
    if (end - p >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
        p += 3;   // a leading BOM, as the general path strips it
    if (std::optional<std::string_view> text = simdjsonText(p, end, readableAfter))
        return text;
    // One SIMD pass over the line (simdjson) spares the string scanner validating each multi-byte sequence;
    // an invalid line is scanned the strict way and so still left to Qt where it must be.
    const bool validUtf8 = simdjson::validate_utf8(reinterpret_cast<const char *>(p), size_t(end - p));
    return Scanner(p, end, validUtf8).topLevelText(scratch);
}

} // namespace RelayDesk::Cli
