#pragma once
// Builds a rank table blob (ranktable.h) from `.tiktoken` text. Used at build time by mkranks and at
// run time for extra encodings found in RELAYDESK_TIKTOKEN_DIR. Header-only and std-only so the host
// tool needs no Qt.
#include "tokenize/ranktable.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace RelayDesk::Tokenize::Detail {

inline bool decodeBase64(std::string_view in, std::string *out)
{
    auto value = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+') return 62;
        if (c == '/') return 63;
        return -1;
    };
    out->clear();
    uint32_t acc = 0;
    int bits = 0;
    size_t i = 0;
    for (; i < in.size() && in[i] != '='; ++i) {
        const int v = value(in[i]);
        if (v < 0)
            return false;
        acc = (acc << 6) | uint32_t(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out->push_back(char((acc >> bits) & 0xff));
        }
    }
    for (; i < in.size(); ++i)
        if (in[i] != '=')
            return false;
    return true;
}

inline size_t alignUp(size_t v) { return (v + 63) & ~size_t(63); }

// Returns the blob, or an empty string with *error set.
inline std::string buildRankTable(std::string_view text, std::string *error)
{
    std::vector<std::pair<std::string, uint32_t>> tokens;
    uint32_t maxRank = 0;
    size_t lineNo = 0;
    while (!text.empty()) {
        const size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        ++lineNo;
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (line.empty())
            continue;
        const size_t sp = line.find(' ');
        std::string bytes;
        if (sp == std::string_view::npos || !decodeBase64(line.substr(0, sp), &bytes) || bytes.empty()) {
            *error = "bad token at line " + std::to_string(lineNo);
            return {};
        }
        uint64_t rank = 0;
        const std::string_view digits = line.substr(sp + 1);
        if (digits.empty() || digits.size() > 9 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            *error = "bad rank at line " + std::to_string(lineNo);
            return {};
        }
        for (char c : digits)
            rank = rank * 10 + uint64_t(c - '0');
        if (bytes.size() > 255) {
            *error = "token longer than 255 bytes at line " + std::to_string(lineNo);
            return {};
        }
        maxRank = std::max(maxRank, uint32_t(rank));
        tokens.emplace_back(std::move(bytes), uint32_t(rank));
    }
    if (tokens.empty()) {
        *error = "no tokens";
        return {};
    }
    if (maxRank >= kMaxRanks) {
        *error = "too many ranks";
        return {};
    }
    const uint32_t rankCount = maxRank + 1;
    std::vector<const std::string *> byRank(rankCount, nullptr);
    for (const auto &[bytes, rank] : tokens) {
        if (byRank[rank]) {
            *error = "duplicate rank " + std::to_string(rank);
            return {};
        }
        byRank[rank] = &bytes;
    }
    // Load factor about 3/4 (2 MiB of slots for cl100k, 4 MiB for o200k). A probe reads the tags first
    // (one byte per slot), so a miss costs one 16-byte group there, however long the run of full slots.
    uint32_t slotCount = 1;
    while (slotCount < tokens.size() + tokens.size() / 4 + 1)   // at least one empty slot ends every probe
        slotCount <<= 1;

    RankTableHeader h{};
    std::memcpy(h.magic, kRankTableMagic, 8);
    h.rankCount = rankCount;
    h.slotCount = slotCount;
    h.offsetsAt = uint32_t(alignUp(sizeof h));
    h.slotsAt = uint32_t(alignUp(h.offsetsAt + 4 * (size_t(rankCount) + 1)));
    h.tagsAt = uint32_t(alignUp(h.slotsAt + sizeof(Slot) * size_t(slotCount)));
    h.pairsAt = uint32_t(alignUp(h.tagsAt + size_t(slotCount) + kTagGroup));
    h.bytesAt = uint32_t(alignUp(h.pairsAt + 4 * 65536));
    std::string bytesBlob;
    std::vector<uint32_t> offsets(rankCount + 1);
    for (uint32_t r = 0; r < rankCount; ++r) {
        offsets[r] = uint32_t(bytesBlob.size());
        if (byRank[r]) {
            bytesBlob += *byRank[r];
            h.maxTokenBytes = std::max<uint32_t>(h.maxTokenBytes, uint32_t(byRank[r]->size()));
        }
    }
    offsets[rankCount] = uint32_t(bytesBlob.size());
    h.bytesSize = uint32_t(bytesBlob.size());
    if (bytesBlob.size() >= kMaxBlobBytes) {
        *error = "token bytes too large";
        return {};
    }
    std::vector<uint32_t> pairs(65536, 0xFFFFFFFFu);
    uint32_t singles = 0;
    for (uint32_t r = 0; r < rankCount; ++r) {
        if (byRank[r] && byRank[r]->size() == 2)
            pairs[(uint32_t(uint8_t((*byRank[r])[0])) << 8) | uint8_t((*byRank[r])[1])] = r;
        if (byRank[r] && byRank[r]->size() == 1)
            ++singles;
    }
    h.allSingleBytes = singles == 256 ? 1 : 0;

    std::vector<Slot> slotArray(slotCount, Slot{0, 0});
    std::vector<uint8_t> tags(size_t(slotCount) + kTagGroup, 0);
    for (uint32_t r = 0; r < rankCount; ++r) {
        if (!byRank[r])
            continue;
        const std::string &b = *byRank[r];
        const KeyHash kh = keyHash(reinterpret_cast<const unsigned char *>(b.data()), b.size());
        size_t i = kh.hash & (slotCount - 1);
        while (slotArray[i].meta)
            i = (i + 1) & (slotCount - 1);
        slotArray[i] = Slot{kh.key, packSlot(kh.hash, r, uint32_t(b.size()), offsets[r])};
        tags[i] = slotTag(kh.hash);
    }
    for (uint32_t i = 0; i < kTagGroup; ++i)   // a group read at the end continues at the start
        tags[slotCount + i] = tags[i % slotCount];
    // Trailing padding: the lookup may load up to 8 bytes past the end of the last token.
    std::string blob(alignUp(h.bytesAt + bytesBlob.size() + 16), '\0');
    std::memcpy(blob.data(), &h, sizeof h);
    std::memcpy(blob.data() + h.offsetsAt, offsets.data(), 4 * offsets.size());
    std::memcpy(blob.data() + h.slotsAt, slotArray.data(), sizeof(Slot) * slotArray.size());
    std::memcpy(blob.data() + h.tagsAt, tags.data(), tags.size());
    std::memcpy(blob.data() + h.pairsAt, pairs.data(), 4 * pairs.size());
    std::memcpy(blob.data() + h.bytesAt, bytesBlob.data(), bytesBlob.size());
    return blob;
}

} // namespace RelayDesk::Tokenize::Detail
