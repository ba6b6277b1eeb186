#pragma once
// Token counts of long texts counted lately, per thread. Agents and chat apps resend the whole conversation on
// every turn, so most of a long prompt's text was counted on an earlier request: a 400 KB context costs
// milliseconds to count again and microseconds to recognise.
//
// Keyed by the encoding, the length and two 64-bit hashes of the text's UTF-16 code units, each with its own seed
// drawn at random per process: a false hit needs both to collide at once, which a client cannot aim for without
// the seeds. Texts shorter than kMinChars are counted directly (hashing them costs about what counting does).
// Bounded: kEntries direct-mapped slots per thread (a newer text takes an older one's slot), 32 bytes each.
#include <QtCore/QStringView>

#include <cstddef>
#include <cstdint>

namespace RelayDesk::Tokenize {

class Encoding;

class TextCountCache final
{
public:
    static constexpr qsizetype kMinChars = 1024;
    static constexpr std::size_t kEntries = 4096;

    // enc.count(text), from the cache when this thread counted the same text with the same encoding lately.
    static std::size_t count(const Encoding &enc, QStringView text);

    // This thread's hits so far (tests and diagnostics).
    static std::uint64_t hits();
};

} // namespace RelayDesk::Tokenize
