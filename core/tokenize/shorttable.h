#pragma once
// Every token of 3 or 4 bytes in small open-addressing tables (8-byte slots: the bytes and the rank), so
// that a 3- or 4-byte string is looked up without the main rank table. The merge loops ask for many
// such strings (a part and its neighbour after a first merge), and in the main table (4 MiB for o200k,
// load 0.76) a string that is no token probes several 16-byte slots; here one or two 8-byte slots of
// tables of 256 + 512 KiB (o200k; 128 + 256 KiB for cl100k). Mixed corpus, callgrind with a 1 MiB L2:
// 15 % fewer L2 read misses. Built at build time like the span filter (prebuilttables.h); a view at run time.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

namespace RelayDesk::Tokenize::Detail {

class ShortTable final {
public:
    static constexpr uint32_t kNone = UINT32_MAX;

    // tokens(r) gives rank r's bytes as {pointer, length}.
    template <class TokenBytes>
    ShortTable(uint32_t rankCount, TokenBytes &&tokens)
    {
        uint32_t counts[5] = {};
        for (uint32_t r = 0; r < rankCount; ++r) {
            const size_t n = tokens(r).second;
            if (n == 3 || n == 4)
                ++counts[n];
        }
        for (size_t n = 3; n <= 4; ++n) {
            uint32_t bits = 4;
            while ((uint64_t(1) << bits) * 3 < uint64_t(counts[n]) * 4)   // load factor <= 3/4
                ++bits;
            m_bits[n - 3] = bits;
        }
        m_owned.reset(new uint64_t[slotCount(0) + slotCount(1)]());
        m_slots[0] = m_owned.get();
        m_slots[1] = m_owned.get() + slotCount(0);
        for (uint32_t r = 0; r < rankCount; ++r) {
            const auto [t, n] = tokens(r);
            if (n != 3 && n != 4)
                continue;
            const uint32_t key = keyOf(t, n);
            uint64_t *table = m_owned.get() + (n == 3 ? 0 : slotCount(0));
            const uint32_t mask = (uint32_t(1) << m_bits[n - 3]) - 1;
            uint32_t i = index(key, m_bits[n - 3]);
            while (table[i] && uint32_t(table[i]) != key)
                i = (i + 1) & mask;
            if (!table[i])   // the lowest rank of a (never seen) duplicate wins, as in the main table
                table[i] = (uint64_t(r) + 1) << 32 | key;
        }
    }

    // A view of what a built table wrote with copyTo (8-byte aligned), which must outlive it.
    explicit ShortTable(const unsigned char *data)
    {
        std::memcpy(m_bits, data, sizeof m_bits);
        m_slots[0] = reinterpret_cast<const uint64_t *>(data + sizeof(uint64_t));
        m_slots[1] = m_slots[0] + slotCount(0);
    }
    // The size of the table written by copyTo: the two sizes (8 bytes), then the slots of both tables.
    size_t bytes() const { return sizeof(uint64_t) * (1 + slotCount(0) + slotCount(1)); }
    void copyTo(unsigned char *out) const
    {
        std::memcpy(out, m_bits, sizeof m_bits);
        std::memcpy(out + sizeof(uint64_t), m_slots[0], sizeof(uint64_t) * slotCount(0));
        std::memcpy(out + sizeof(uint64_t) * (1 + slotCount(0)), m_slots[1], sizeof(uint64_t) * slotCount(1));
    }

    // Rank of p[0..n) (n is 3 or 4), or kNone.
    uint32_t rank(const unsigned char *p, size_t n) const
    {
        const uint32_t key = keyOf(p, n);
        const uint64_t *table = m_slots[n - 3];
        const uint32_t mask = (uint32_t(1) << m_bits[n - 3]) - 1;
        for (uint32_t i = index(key, m_bits[n - 3]);; i = (i + 1) & mask) {
            const uint64_t s = table[i];
            if (!s)
                return kNone;
            if (uint32_t(s) == key)
                return uint32_t(s >> 32) - 1;
        }
    }

private:
    static uint32_t keyOf(const unsigned char *p, size_t n)
    {
        if (n == 4) {
            uint32_t k;
            std::memcpy(&k, p, 4);
            return k;
        }
        return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16;
    }
    static uint32_t index(uint32_t key, uint32_t bits)
    {
        return uint32_t((uint64_t(key) * 0x9e3779b97f4a7c15ull) >> (64 - bits));
    }

    size_t slotCount(size_t table) const { return size_t(1) << m_bits[table]; }

    uint32_t m_bits[2] = {};                  // log2 of the slot counts, 3- then 4-byte tokens
    std::unique_ptr<uint64_t[]> m_owned;      // the slots when built here, none for a view
    const uint64_t *m_slots[2] = {};
};

} // namespace RelayDesk::Tokenize::Detail
