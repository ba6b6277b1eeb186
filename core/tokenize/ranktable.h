#pragma once
// The pre-built, pre-hashed rank table format shared by the build-time converter
// (tools/tokenize/mkranks.cpp) and the library. A table is one contiguous little-endian blob:
//
//   RankTableHeader
//   uint32 offsets[rankCount + 1]   token bytes of rank r are bytes[offsets[r] .. offsets[r+1])
//                                   (empty for unused ranks, e.g. p50k's gap at 50256)
//   Slot   slots[slotCount]         open addressing, linear probing, load factor <= 4/5. A slot is
//                                   {key, meta}: meta = tag:12 | rank:20 | length:8 | offset:24 (high to
//                                   low bits), 0 = empty; key = the token bytes themselves (zero-padded)
//                                   for tokens of <= 8 bytes, else the 64-bit hash. So most lookups
//                                   (short strings) are decided in the slot, without touching the bytes.
//                                   The probe starts at keyHash & (slotCount - 1); tag = keyHash >> 52.
//   uint8  tags[slotCount + 16]     one byte per slot: 0 = empty, else slotTag(keyHash); the first 16
//                                   repeated after the end. A probe compares 16 tags at once and reads
//                                   only the slots whose tag matches: a string that is no token (most
//                                   merge-loop lookups) costs one line of this array (256 KiB for o200k)
//                                   instead of ~9.5 slots, ~3.1 lines, of the 4 MiB slot array.
//   uint32 pairs[65536]             rank of every 2-byte string (b0 << 8 | b1), or 0xFFFFFFFF
//   uint8  bytes[bytesSize]         followed by >= 16 zero bytes, so 8-byte loads never run past the blob
//
// Every section starts at a multiple of 64 bytes, so the blob can be used in place (embedded in
// .rodata or read from a file into an aligned buffer) without any parsing at start-up.
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace RelayDesk::Tokenize::Detail {

inline constexpr char kRankTableMagic[8] = {'R', 'D', 'T', 'K', 'R', 'N', 'K', '4'};
inline constexpr uint32_t kMaxRanks = 1u << 20;
inline constexpr uint32_t kMaxBlobBytes = 1u << 24;

struct Slot {
    uint64_t key;
    uint64_t meta;
};
static_assert(sizeof(Slot) == 16);

inline uint64_t packSlot(uint64_t hash, uint32_t rank, uint32_t length, uint32_t offset)
{
    return (hash >> 52 << 52) | (uint64_t(rank) << 32) | (uint64_t(length) << 24) | offset;
}
inline uint32_t slotRank(uint64_t s) { return uint32_t(s >> 32) & (kMaxRanks - 1); }
inline uint32_t slotLength(uint64_t s) { return uint32_t(s >> 24) & 0xFF; }
inline uint32_t slotOffset(uint64_t s) { return uint32_t(s) & (kMaxBlobBytes - 1); }
inline bool slotTagMatches(uint64_t s, uint64_t hash) { return (s >> 52) == (hash >> 52); }
// The byte in tags[] of an occupied slot: the hash's top 7 bits (the probe start uses the low bits).
inline uint8_t slotTag(uint64_t hash) { return uint8_t(0x80 | (hash >> 57)); }
inline constexpr uint32_t kTagGroup = 16;

struct RankTableHeader {
    char magic[8];
    uint32_t rankCount;     // highest rank + 1
    uint32_t slotCount;     // power of two
    uint32_t bytesSize;
    uint32_t offsetsAt;     // byte offsets of the sections from the start of the blob
    uint32_t slotsAt;
    uint32_t bytesAt;
    uint32_t maxTokenBytes;
    uint32_t pairsAt;
    uint32_t allSingleBytes;   // 1 when all 256 single bytes are tokens (true for OpenAI's encodings)
    uint32_t tagsAt;
    uint32_t reserved[4];
};
static_assert(sizeof(RankTableHeader) == 64);

inline uint64_t load64(const unsigned char *p) { uint64_t v; std::memcpy(&v, p, 8); return v; }
inline uint32_t load32(const unsigned char *p) { uint32_t v; std::memcpy(&v, p, 4); return v; }

inline uint64_t mix(uint64_t a, uint64_t b)
{
    const unsigned __int128 r = static_cast<unsigned __int128>(a) * b;
    return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

// Fast hash for short byte strings (almost all tokens are <= 16 bytes): two overlapping loads.
// The table layout depends on it, so it must never change without a new magic.
inline uint64_t hashBytes(const unsigned char *p, size_t n)
{
    constexpr uint64_t k0 = 0xa0761d6478bd642full, k1 = 0xe7037ed1a0b428dbull, k2 = 0x8ebc6af09c88c6e3ull;
    uint64_t a, b, seed = k0 ^ n;
    if (n <= 16) {
        if (n >= 8) {
            a = load64(p);
            b = load64(p + n - 8);
        } else if (n >= 4) {
            a = load32(p);
            b = load32(p + n - 4);
        } else if (n > 0) {
            a = (uint64_t(p[0]) << 16) | (uint64_t(p[n >> 1]) << 8) | p[n - 1];
            b = 0;
        } else {
            a = b = 0;
        }
    } else {
        size_t i = 0;
        for (; i + 16 < n; i += 16)
            seed = mix(load64(p + i) ^ k1, load64(p + i + 8) ^ seed);
        a = load64(p + n - 16);
        b = load64(p + n - 8);
    }
    return mix(k1 ^ n, mix(a ^ k1, b ^ seed) ^ k2);
}

// The first n <= 8 bytes as a little-endian integer, zero-padded, reading only [p, p + n).
inline uint64_t shortKey(const unsigned char *p, size_t n)
{
    if (n >= 4) {
        const uint64_t lo = load32(p), hi = load32(p + n - 4);
        return lo | (hi << (8 * (n - 4)));
    }
    uint64_t k = 0;
    for (size_t i = 0; i < n; ++i)
        k |= uint64_t(p[i]) << (8 * i);
    return k;
}

inline uint64_t shortHash(uint64_t key, size_t n)
{
    return mix(key ^ 0xe7037ed1a0b428dbull, 0xa0761d6478bd642full ^ (n << 56));
}

// The slot key and the probe hash of a byte string.
struct KeyHash {
    uint64_t key;
    uint64_t hash;
};

inline KeyHash keyHash(const unsigned char *p, size_t n)
{
    if (n <= 8) {
        const uint64_t k = shortKey(p, n);
        return {k, shortHash(k, n)};
    }
    const uint64_t h = hashBytes(p, n);
    return {h, h};
}

// Equality of an input string (readable only within [a, a + n)) and a token in the blob (padded).
inline bool equalBytes(const unsigned char *a, const unsigned char *b, size_t n)
{
    if (n >= 8) {
        if (n <= 16)
            return load64(a) == load64(b) && load64(a + n - 8) == load64(b + n - 8);
        return std::memcmp(a, b, n) == 0;
    }
    if (n >= 4)
        return load32(a) == load32(b) && load32(a + n - 4) == load32(b + n - 4);
    return a[0] == b[0] && a[n >> 1] == b[n >> 1] && a[n - 1] == b[n - 1];
}

} // namespace RelayDesk::Tokenize::Detail
