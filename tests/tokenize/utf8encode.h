#pragma once
// One code point as UTF-8, encoded by hand for the tokenizer tests (QString::fromUcs4 would drop U+FEFF as a
// byte-order mark). Surrogates are encoded as their three bytes, as a test of invalid input needs.
#include <cstdint>
#include <string>

namespace RelayDeskTest {

inline std::string utf8Encode(uint32_t cp)
{
    std::string c;
    if (cp < 0x80) {
        c += char(cp);
    } else if (cp < 0x800) {
        c += char(0xC0 | (cp >> 6));
        c += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        c += char(0xE0 | (cp >> 12));
        c += char(0x80 | ((cp >> 6) & 0x3F));
        c += char(0x80 | (cp & 0x3F));
    } else {
        c += char(0xF0 | (cp >> 18));
        c += char(0x80 | ((cp >> 12) & 0x3F));
        c += char(0x80 | ((cp >> 6) & 0x3F));
        c += char(0x80 | (cp & 0x3F));
    }
    return c;
}

} // namespace RelayDeskTest
