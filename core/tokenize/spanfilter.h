#pragma once
// Which boundaries inside a pre-token no vocabulary token can span: there the piece splits into
// segments that byte-pair merging treats independently, which is exact. Every part BPE builds is a
// token, so a merge across boundary k would build a token covering bytes k-1 and k. Such a token,
// placed in the piece, either is the pair p[k-1..k+1), or starts with the 3 bytes p[k-1..k+2), or ends
// with the 3 bytes p[k-2..k+1), or contains the 4 bytes p[k-2..k+2). When none of these is the case,
// no merge ever crosses k; pairs across it never have a rank, so the global "lowest rank first" order
// merges each side exactly as it would alone. Long CJK, Thai or Devanagari pieces (one pre-token per
// sentence or word) fall apart into short segments that merge fast and repeat (the piece cache).
//
// The 3- and 4-byte windows of all tokens are kept in a blocked Bloom filter (two bits in one 64-byte
// line): a false positive only means "cannot cut here", never a wrong count. Between two non-ASCII
// bytes, where the 4-byte window is nearly always some token's (Thai: "a character ending in 0x81, then
// one in block U+0E00"), a second filter places the token one byte further on each side (spannable()).
// Only windows whose pair at the boundary is no 2-byte token go in (the others are never asked), and a
// 16 KiB table of two bits per pair (a 2-byte token; at the boundary's place in such a window) decides most
// boundaries without reading a filter line.
//
// The build runs the constructor that builds the filter (relaydesk_mkranks) and embeds its bits; at run
// time the filter is a view of them (prebuilttables.h), so counting does not spend ~50 M instructions and
// 392 KiB of fresh pages on it at its first merge.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

namespace RelayDesk::Tokenize::Detail {

class SpanFilter final {
public:
    // tokens(r) gives rank r's bytes as {pointer, length}; ranks without bytes have length 0.
    template <class TokenBytes>
    SpanFilter(uint32_t rankCount, TokenBytes &&tokens)
        : m_owned(new uint64_t[kPairWords + kWords + kWideWords]()), m_pairWords(m_owned.get()),
          m_words(m_owned.get() + kPairWords), m_wideWords(m_words + kWords)
    {
        uint64_t *pairs = m_owned.get();   // the 2-byte tokens first, then the pairs inside longer ones
        for (uint32_t r = 0; r < rankCount; ++r) {
            const auto [t, n] = tokens(r);
            if (n == 2)
                setPair(pairs, t, kPairToken);
        }
        // A window is only asked about at a boundary whose pair (the bytes either side) is no token
        // (spannable() answers the others at once), so only those windows go in: for o200k 21 % of
        // them, for cl100k 3 %, and the filters hold far fewer false positives.
        auto *words = const_cast<uint64_t *>(m_words);
        auto *wide = const_cast<uint64_t *>(m_wideWords);
        const auto add = [&](uint64_t *bits, size_t count, Kind kind, const unsigned char *w, size_t n, size_t pairAt) {
            if (pairBits(pairs, w + pairAt) & kPairToken)
                return;
            setPair(pairs, w + pairAt, kPairInWindow);
            insert(bits, count, window(kind, w, n));
        };
        for (uint32_t r = 0; r < rankCount; ++r) {
            const auto [t, n] = tokens(r);
            if (n < 3)
                continue;
            add(words, kWords, kPrefix, t, 3, 0);
            add(words, kWords, kSuffix, t + n - 3, 3, 1);
            for (size_t i = 0; i + 4 <= n; ++i)
                add(words, kWords, kInner, t + i, 4, 1);
            if (n < 4 || std::all_of(t, t + n, [](unsigned char b) { return b < 0x80; }))
                continue;
            // The wider shapes, for tokens that can span a boundary between two non-ASCII bytes.
            if (n == 4)
                add(wide, kWideWords, kExact4, t, 4, 1);
            if (n >= 5) {
                add(wide, kWideWords, kPrefix5, t, 5, 1);
                add(wide, kWideWords, kSuffix5, t + n - 5, 5, 2);
            }
            for (size_t i = 0; i + 6 <= n; ++i)
                add(wide, kWideWords, kInner6, t + i, 6, 2);
        }
    }

    // A view of bits a built filter wrote (kBytes at `bits`, 8-byte aligned), which must outlive it.
    explicit SpanFilter(const unsigned char *bits)
        : m_pairWords(reinterpret_cast<const uint64_t *>(bits)), m_words(m_pairWords + kPairWords),
          m_wideWords(m_words + kWords)
    {
    }
    // Its bits, kBytes of them: what the view constructor takes.
    const unsigned char *bits() const { return reinterpret_cast<const unsigned char *>(m_pairWords); }

    // May a token span boundary k (0 < k < n) of piece p[0..n)?
    bool spannable(const unsigned char *p, size_t n, size_t k) const
    {
        const uint64_t pair = pairBits(m_pairWords, p + k - 1);
        if (pair & kPairToken)   // p[k-1..k+1) is a token
            return true;
        if (!(pair & kPairInWindow))   // no token holds these two bytes (most boundaries of cl100k)
            return false;
        if (k + 2 <= n && contains(window(kPrefix, p + k - 1, 3)))
            return true;
        if (k >= 2 && contains(window(kSuffix, p + k - 2, 3)))
            return true;
        if (k < 2 || k + 2 > n || !contains(window(kInner, p + k - 2, 4)))
            return false;
        if (p[k - 1] < 0x80 || p[k] < 0x80)
            return true;
        // Between two non-ASCII bytes the 4-byte window says little (in Thai, "a character ending in
        // 0x81 and then one in block 0x0E00"), so the token is placed more precisely: it starts at k-2
        // or earlier and ends at k+2 or later, i.e. it is exactly p[k-2..k+2), or starts at k-2 and
        // covers p[k-2..k+3), or ends at k+2 and covers p[k-3..k+2), or covers p[k-3..k+3).
        // Most often true first: a token of whole characters around the boundary.
        if (k >= 3 && k + 3 <= n && containsWide(window(kInner6, p + k - 3, 6)))
            return true;
        if (k + 3 <= n && containsWide(window(kPrefix5, p + k - 2, 5)))
            return true;
        if (k >= 3 && containsWide(window(kSuffix5, p + k - 3, 5)))
            return true;
        return containsWide(window(kExact4, p + k - 2, 4));
    }

private:
    // 256 KiB. Of o200k's ~1.2 M windows only ~250 k can be asked about (cl100k: 15 k of 540 k), so
    // the filter holds fewer bits set than the 512 KiB one holding all of them did; measured (callgrind,
    // 1 MiB L2 simulated, and timed), 256 KiB missed L2 12 % less often than 512 KiB for 0.7 % more
    // instructions (o200k) and was fastest; 128 KiB cost o200k 1.2 % more instructions and was no faster.
    static constexpr size_t kBits = size_t(1) << 21;
    static constexpr size_t kWords = kBits / 64;
    // The wide shapes (windows of tokens holding a non-ASCII byte only), asked only where the
    // 4-byte window said "maybe" between two non-ASCII bytes. 128 KiB (~206 k windows for o200k),
    // halved with the narrow one.
    static constexpr size_t kWideBits = size_t(1) << 20;
    static constexpr size_t kWideWords = kWideBits / 64;

    // Two bits per byte pair (16 KiB): the pair is a 2-byte token, or it is none but lies at the boundary's
    // place in a window above (5 786 pairs for o200k, 2 781 for cl100k): a token spanning a boundary holds its
    // pair there, so a boundary whose pair is neither is cut without touching the filters. One load answers
    // both, from a table small enough for L1 (the 256 KiB pair ranks are not).
    static constexpr size_t kPairWords = 65536 * 2 / 64;
    enum PairBit : uint64_t { kPairToken = 1, kPairInWindow = 2 };

public:
    static constexpr size_t kBytes = (kPairWords + kWords + kWideWords) * sizeof(uint64_t);   // what bits() holds

private:
    enum Kind : uint64_t { kPrefix = 1, kSuffix = 2, kInner = 3, kExact4 = 4, kPrefix5 = 5, kSuffix5 = 6, kInner6 = 7 };

    static uint64_t window(Kind kind, const unsigned char *p, size_t n)
    {
        uint64_t v = 0;
        std::memcpy(&v, p, n);
        const unsigned __int128 r = static_cast<unsigned __int128>(v ^ (uint64_t(kind) << 40) ^ 0x9e3779b97f4a7c15ull)
            * 0xd6e8feb86659fd93ull;
        return uint64_t(r) ^ uint64_t(r >> 64);
    }
    // Line (8 words) from the high bits, two bit positions within it from the low 18 bits.
    static size_t line(uint64_t h, size_t words) { return size_t(h >> 40) & (words / 8 - 1); }
    static uint64_t bitA(uint64_t h) { return uint64_t(1) << (h & 63); }
    static uint64_t bitB(uint64_t h) { return uint64_t(1) << ((h >> 9) & 63); }
    static size_t wordA(uint64_t h) { return (h >> 6) & 7; }
    static size_t wordB(uint64_t h) { return (h >> 15) & 7; }

    static void insert(uint64_t *words, size_t count, uint64_t h)
    {
        uint64_t *l = words + line(h, count) * 8;
        l[wordA(h)] |= bitA(h);
        l[wordB(h)] |= bitB(h);
    }
    static bool contains(const uint64_t *words, size_t count, uint64_t h)
    {
        const uint64_t *l = words + line(h, count) * 8;
        return (l[wordA(h)] & bitA(h)) && (l[wordB(h)] & bitB(h));
    }
    static uint32_t pairIndex(const unsigned char *p) { return uint32_t(p[0]) << 8 | p[1]; }
    static void setPair(uint64_t *pairs, const unsigned char *p, PairBit bit)
    {
        pairs[pairIndex(p) / 32] |= uint64_t(bit) << (pairIndex(p) % 32 * 2);
    }
    static uint64_t pairBits(const uint64_t *pairs, const unsigned char *p) { return pairs[pairIndex(p) / 32] >> (pairIndex(p) % 32 * 2) & 3; }
    bool contains(uint64_t h) const { return contains(m_words, kWords, h); }
    bool containsWide(uint64_t h) const { return contains(m_wideWords, kWideWords, h); }

    std::unique_ptr<uint64_t[]> m_owned;   // the bits when built here, none for a view
    const uint64_t *m_pairWords;           // kPairWords, then
    const uint64_t *m_words;               // kWords, then
    const uint64_t *m_wideWords;           // kWideWords
};

} // namespace RelayDesk::Tokenize::Detail
