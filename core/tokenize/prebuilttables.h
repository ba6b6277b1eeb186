#pragma once
// The tables an encoding derives from its ranks — the 3- and 4-byte token tables (shorttable.h) and the
// span filter (spanfilter.h) — built once by the build (relaydesk_mkranks writes them beside the rank table,
// both embedded into relaydesk_tokenize) instead of by every process on first use: `relaydeskd count` spent
// 1–2 ms on the short tables and up to ~18 ms (o200k, a first non-ASCII piece) on the span filter and the
// pages it wrote, where reading the built ones costs a few page faults (issue 18). Encodings loaded at run
// time (RELAYDESK_TIKTOKEN_DIR) build the same bytes when loaded.
//
// Layout: the short tables (ShortTable::copyTo), zero padding to a multiple of 64, the span filter's bits.
#include "tokenize/ranktable.h"
#include "tokenize/shorttable.h"
#include "tokenize/spanfilter.h"

#include <cstring>
#include <string>
#include <utility>

namespace RelayDesk::Tokenize::Detail {

struct PrebuiltTables {
    const unsigned char *shortTable;   // for ShortTable's view constructor
    const unsigned char *spanFilter;   // for SpanFilter's
};

inline size_t prebuiltSpanFilterAt(size_t shortTableBytes) { return (shortTableBytes + 63) / 64 * 64; }

// Where each table starts in `blob` (64-byte aligned, as written by buildPrebuiltTables).
inline PrebuiltTables prebuiltTables(const unsigned char *blob)
{
    return {blob, blob + prebuiltSpanFilterAt(ShortTable(blob).bytes())};
}

// The tables of the rank table `rankBlob` (ranktable.h), laid out as above.
inline std::string buildPrebuiltTables(const unsigned char *rankBlob)
{
    RankTableHeader h;
    std::memcpy(&h, rankBlob, sizeof h);
    const auto *offsets = reinterpret_cast<const uint32_t *>(rankBlob + h.offsetsAt);
    const unsigned char *bytes = rankBlob + h.bytesAt;
    const auto tokens = [offsets, bytes](uint32_t r) {
        return std::pair<const unsigned char *, size_t>(bytes + offsets[r], offsets[r + 1] - offsets[r]);
    };
    const ShortTable shortTable(h.rankCount, tokens);
    const SpanFilter spanFilter(h.rankCount, tokens);
    const size_t spanAt = prebuiltSpanFilterAt(shortTable.bytes());
    std::string out(spanAt + SpanFilter::kBytes, '\0');
    shortTable.copyTo(reinterpret_cast<unsigned char *>(out.data()));
    std::memcpy(out.data() + spanAt, spanFilter.bits(), SpanFilter::kBytes);
    return out;
}

} // namespace RelayDesk::Tokenize::Detail
