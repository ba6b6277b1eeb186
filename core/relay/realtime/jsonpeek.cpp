#include "relay/realtime/jsonpeek.h"

#include <cstring>

namespace RelayDesk::Relay {

namespace {

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Returns the index just past the closing quote of the string starting at `open` (which holds '"'),
// or -1 when unterminated.
qsizetype skipString(QByteArrayView json, qsizetype open)
{
    const char *data = json.data();
    qsizetype i = open + 1;
    while (i < json.size()) {
        const void *hit = std::memchr(data + i, '"', size_t(json.size() - i));
        if (!hit)
            return -1;
        const qsizetype quote = static_cast<const char *>(hit) - data;
        qsizetype backslashes = 0;
        for (qsizetype j = quote - 1; j > open && data[j] == '\\'; --j)
            ++backslashes;
        if (backslashes % 2 == 0)
            return quote + 1;
        i = quote + 1;
    }
    return -1;
}

} // namespace

std::optional<QByteArrayView> peekTopLevelString(QByteArrayView json, QByteArrayView key)
{
    const char *data = json.data();
    const qsizetype n = json.size();
    qsizetype i = 0;
    while (i < n && isSpace(data[i]))
        ++i;
    if (i >= n || data[i] != '{')
        return std::nullopt;
    ++i;
    int depth = 1;
    bool expectKey = true; // at depth 1: the next string is a member name
    while (i < n && depth > 0) {
        const char c = data[i];
        if (c == '"') {
            const qsizetype end = skipString(json, i);
            if (end < 0)
                return std::nullopt;
            if (depth == 1 && expectKey) {
                const QByteArrayView name = json.sliced(i + 1, end - i - 2);
                qsizetype j = end;
                while (j < n && isSpace(data[j]))
                    ++j;
                if (j >= n || data[j] != ':')
                    return std::nullopt;
                ++j;
                while (j < n && isSpace(data[j]))
                    ++j;
                expectKey = false;
                if (name == key) {
                    if (j >= n || data[j] != '"')
                        return std::nullopt;
                    const qsizetype valueEnd = skipString(json, j);
                    if (valueEnd < 0)
                        return std::nullopt;
                    return json.sliced(j + 1, valueEnd - j - 2);
                }
                i = j;
                continue;
            }
            i = end;
            continue;
        }
        if (c == '{' || c == '[') {
            ++depth;
        } else if (c == '}' || c == ']') {
            --depth;
        } else if (c == ',' && depth == 1) {
            expectKey = true;
        }
        ++i;
    }
    return std::nullopt;
}

} // namespace RelayDesk::Relay
