#include "compactjson.h"

#include <QtCore/QCborValue>
#include <QtCore/QLocale>
#include <QtCore/QStringView>

#include <charconv>
#include <cmath>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace RelayDesk {
namespace {

class Writer final
{
public:
    explicit Writer(QByteArray &out) : m_out(out) {}

    void object(const QJsonObject &o)
    {
        m_out += '{';
        bool first = true;
        for (auto it = o.constBegin(); it != o.constEnd(); ++it) {
            if (!first)
                m_out += ',';
            first = false;
            string(it.key());
            m_out += ':';
            value(it.value());
        }
        m_out += '}';
    }

    void array(const QJsonArray &a)
    {
        m_out += '[';
        bool first = true;
        for (const QJsonValue &v : a) {
            if (!first)
                m_out += ',';
            first = false;
            value(v);
        }
        m_out += ']';
    }

    void value(const QJsonValue &v)
    {
        switch (v.type()) {
        case QJsonValue::Bool: m_out += v.toBool() ? "true" : "false"; return;
        case QJsonValue::Double: number(v); return;
        case QJsonValue::String: string(v.toString()); return;
        case QJsonValue::Array: array(v.toArray()); return;
        case QJsonValue::Object: object(v.toObject()); return;
        case QJsonValue::Null:
        case QJsonValue::Undefined: m_out += "null"; return;
        }
    }

private:
    void number(const QJsonValue &v)
    {
        // QJsonValue tells an integer from a double only through its CBOR value; Qt writes the two differently
        // (1e17 as a double is "1e+17").
        const QCborValue c = QCborValue::fromJsonValue(v);
        if (c.isInteger()) {
            char digits[24];
            const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, c.toInteger());
            m_out.append(digits, end - digits);
            return;
        }
        const double d = c.toDouble();
        if (std::isfinite(d))
            m_out += QByteArray::number(d, 'g', QLocale::FloatingPointShortest);
        else
            m_out += "null"; // as Qt (RFC 4627 has no infinity or NaN)
    }

    void string(QStringView s)
    {
        m_out += '"';
        const char16_t *p = s.utf16();
        const char16_t *const end = p + s.size();
        while (p != end) {
            p = copyPlainAscii(p, end);
            if (p == end)
                break;
            if (*p < 0x80)
                escape(*p++);
            else
                p = utf8(p, end);
        }
        m_out += '"';
    }

    static bool plainAscii(char16_t c) { return c >= 0x20 && c < 0x80 && c != u'"' && c != u'\\'; }

    // Copies the run of ASCII that needs no escape at the start of [p, end), eight units at a time where SSE2 is
    // there (every x86-64); returns where the run stopped.
    const char16_t *copyPlainAscii(const char16_t *p, const char16_t *end)
    {
        const qsizetype start = m_out.size();
        m_out.resize(start + (end - p)); // the most the run can be; cut to size below
        char *const first = m_out.data() + start;
        char *dst = first;
#ifdef __SSE2__
        const __m128i notAscii = _mm_set1_epi16(short(0xff80));
        const __m128i space = _mm_set1_epi16(0x20);
        const __m128i quote = _mm_set1_epi16('"');
        const __m128i backslash = _mm_set1_epi16('\\');
        while (end - p >= 8) {
            const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
            const __m128i ascii = _mm_cmpeq_epi16(_mm_and_si128(v, notAscii), _mm_setzero_si128());
            const __m128i special = _mm_or_si128(_mm_cmplt_epi16(v, space),
                                                 _mm_or_si128(_mm_cmpeq_epi16(v, quote), _mm_cmpeq_epi16(v, backslash)));
            if (_mm_movemask_epi8(_mm_andnot_si128(special, ascii)) != 0xffff)
                break; // the loop below copies what is left of the run
            _mm_storel_epi64(reinterpret_cast<__m128i *>(dst), _mm_packus_epi16(v, v));
            p += 8;
            dst += 8;
        }
#endif
        while (p != end && plainAscii(*p))
            *dst++ = char(*p++);
        m_out.resize(start + (dst - first));
        return p;
    }

    void escape(char16_t c)
    {
        m_out += '\\';
        switch (c) {
        case u'"': m_out += '"'; return;
        case u'\\': m_out += '\\'; return;
        case u'\b': m_out += 'b'; return;
        case u'\f': m_out += 'f'; return;
        case u'\n': m_out += 'n'; return;
        case u'\r': m_out += 'r'; return;
        case u'\t': m_out += 't'; return;
        default: hex(c); return;
        }
    }

    void hex(char16_t u) // after the backslash: u and four lower-case hex digits, as Qt writes them
    {
        static constexpr char kDigits[] = "0123456789abcdef";
        const char chars[] = {'u', kDigits[(u >> 12) & 0xf], kDigits[(u >> 8) & 0xf], kDigits[(u >> 4) & 0xf],
                              kDigits[u & 0xf]};
        m_out.append(chars, 5);
    }

    // One non-ASCII character as UTF-8; a lone surrogate as \uxxxx (Qt's writer does the same). Returns the next.
    const char16_t *utf8(const char16_t *p, const char16_t *end)
    {
        const char16_t u = *p++;
        char bytes[4];
        if (u < 0x800) {
            bytes[0] = char(0xc0 | (u >> 6));
            bytes[1] = char(0x80 | (u & 0x3f));
            m_out.append(bytes, 2);
        } else if (!QChar::isSurrogate(u)) {
            bytes[0] = char(0xe0 | (u >> 12));
            bytes[1] = char(0x80 | ((u >> 6) & 0x3f));
            bytes[2] = char(0x80 | (u & 0x3f));
            m_out.append(bytes, 3);
        } else if (QChar::isHighSurrogate(u) && p != end && QChar::isLowSurrogate(*p)) {
            const char32_t c = QChar::surrogateToUcs4(u, *p++);
            bytes[0] = char(0xf0 | (c >> 18));
            bytes[1] = char(0x80 | ((c >> 12) & 0x3f));
            bytes[2] = char(0x80 | ((c >> 6) & 0x3f));
            bytes[3] = char(0x80 | (c & 0x3f));
            m_out.append(bytes, 4);
        } else {
            m_out += '\\';
            hex(u);
        }
        return p;
    }

    QByteArray &m_out;
};

} // namespace

QByteArray CompactJson::write(const QJsonObject &object)
{
    QByteArray out;
    Writer(out).object(object);
    return out;
}

QByteArray CompactJson::write(const QJsonObject &object, QByteArrayView moreMembers)
{
    QByteArray out = write(object);
    if (moreMembers.isEmpty())
        return out;
    out.chop(1); // the closing brace
    if (!object.isEmpty())
        out += ',';
    out += moreMembers;
    out += '}';
    return out;
}

QByteArray CompactJson::write(const QJsonArray &array)
{
    QByteArray out;
    Writer(out).array(array);
    return out;
}

void CompactJson::append(QByteArray &out, const QJsonValue &value)
{
    Writer(out).value(value);
}

QByteArray CompactJson::write(const QJsonDocument &document)
{
    if (document.isObject())
        return write(document.object());
    if (document.isArray())
        return write(document.array());
    return {}; // as Qt: an empty (null) document writes nothing
}

} // namespace RelayDesk
