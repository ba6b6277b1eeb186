#pragma once
// Exact tiktoken-compatible BPE token counting.
//
//   const Encoding *enc = Encoding::byName("o200k_base");      // or encodingForModel("gpt-4o")
//   size_t n = enc->count(utf8);                                // == tiktoken encode_ordinary(...).length
//
// Counts are identical to OpenAI's tiktoken `encode_ordinary` (oracle: npm tiktoken@1.0.22): special-token
// text such as "<|endoftext|>" is counted as ordinary text, never as a special token.
//
// Rank data for cl100k_base, o200k_base, p50k_base and r50k_base is embedded in the binary, pre-hashed
// (no parsing at start-up). More encodings are read on first use from `<name>.tiktoken` in the directory
// named by RELAYDESK_TIKTOKEN_DIR; their pre-tokenizer is chosen by name (cl100k*, p50k*/r50k*, else o200k).
//
// Thread-safety: Encoding objects are immutable and live until exit; all member functions may be called
// from any thread concurrently. The piece cache is per thread.
#include "tokenize/pretokenizer.h"

#include <QStringView>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace RelayDesk::Tokenize {

namespace Detail { struct RankTableHeader; struct Slot; class SpanFilter; class ShortTable; }

class Encoding final {
public:
    // nullptr when `name` is neither built in nor a valid `<name>.tiktoken` in RELAYDESK_TIKTOKEN_DIR.
    static const Encoding *byName(std::string_view name);
    static std::vector<std::string> builtinNames();

    std::string_view name() const { return m_name; }
    PatternFamily family() const { return m_family; }
    uint32_t rankCount() const { return m_rankCount; }

    // Token count of UTF-8 text (encode_ordinary semantics). Invalid UTF-8 bytes count like
    // single punctuation characters.
    size_t count(std::string_view utf8) const;
    size_t count(QStringView text) const;

    std::vector<uint32_t> encode(std::string_view utf8) const;
    // Concatenated token bytes; ids that are not mergeable ranks are skipped.
    std::string decode(const std::vector<uint32_t> &tokens) const;
    // tiktoken's special-token ids for the built-in encodings (e.g. o200k "<|endoftext|>" = 199999).
    std::optional<uint32_t> specialTokenId(std::string_view text) const;
    // Rank of a whole byte string, if it is one token.
    std::optional<uint32_t> rankOf(std::string_view bytes) const;

    // Pre-tokenizer pieces (for tests and diagnostics).
    std::vector<std::string_view> pieces(std::string_view utf8) const;

    // `tables`: the short tables and span filter built with the rank table (prebuilttables.h); when null
    // (an encoding loaded at run time), they are built here.
    Encoding(std::string name, PatternFamily family, const unsigned char *blob, std::string owned = {},
             const unsigned char *tables = nullptr);
    ~Encoding();
    Encoding(const Encoding &) = delete;
    Encoding &operator=(const Encoding &) = delete;

private:
    uint32_t lookup(const unsigned char *p, size_t n) const;
    uint32_t lookupHashed(const unsigned char *p, size_t n, uint64_t key, uint64_t hash) const;
    size_t countSplit(const unsigned char *p, size_t n) const;
    size_t countSegment(const unsigned char *p, size_t n) const;
    size_t countMerged(const unsigned char *p, size_t n, uint64_t hash, bool split) const;
    const Detail::SpanFilter &spanFilter() const;
    size_t mergeLinear(const unsigned char *p, size_t n, std::vector<uint32_t> *out) const;
    // The rank of the 2-byte string at p (kNoRank when it is no token): one load from m_pairs.
    uint32_t pairRank(const unsigned char *p) const { return m_pairs[(uint32_t(p[0]) << 8) | p[1]]; }
    size_t countShortNonToken(const unsigned char *p, size_t n) const;
    size_t mergeHeap(const unsigned char *p, size_t n, std::vector<uint32_t> *out) const;
    size_t merge(const unsigned char *p, size_t n, std::vector<uint32_t> *out) const;

    std::string m_name;
    PatternFamily m_family;
    std::string m_owned;   // blob storage for encodings loaded at run time
    const uint32_t *m_offsets = nullptr;
    const Detail::Slot *m_slots = nullptr;
    const uint8_t *m_tags = nullptr;     // one byte per slot (ranktable.h)
    const unsigned char *m_bytes = nullptr;
    const uint32_t *m_pairs = nullptr;   // rank of each 2-byte string
    bool m_allSingleBytes = false;
    uint32_t m_mask = 0;
    uint32_t m_rankCount = 0;
    uint32_t m_maxTokenBytes = 0;
    uint32_t m_id = 0;     // distinguishes encodings in the per-thread piece cache
    std::string m_ownedTables;   // the tables of an encoding loaded at run time
    std::unique_ptr<Detail::ShortTable> m_short;   // the 3- and 4-byte tokens (shorttable.h)
    std::unique_ptr<Detail::SpanFilter> m_span;    // views of the tables (prebuilttables.h)
};

} // namespace RelayDesk::Tokenize
