#include "tokenize/textcountcache.h"

#include "tokenize/encoding.h"

#include <QtCore/QHashFunctions>
#include <QtCore/QRandomGenerator>

#include <array>
#include <memory>

namespace RelayDesk::Tokenize {
namespace {

struct Slot
{
    std::uint64_t first = 0;
    std::uint64_t second = 0;
    const Encoding *encoding = nullptr; // null: empty
    std::uint32_t length = 0;           // UTF-16 code units
    std::uint32_t count = 0;
};
static_assert(sizeof(Slot) == 32);

struct Slots
{
    std::array<Slot, TextCountCache::kEntries> entries{};
    std::uint64_t hits = 0;
};

// Heap-allocated on a thread's first long text, as the piece cache is (encoding.cpp): never in every thread's TLS.
Slots &threadSlots()
{
    thread_local std::unique_ptr<Slots> cache;
    if (!cache) [[unlikely]]
        cache = std::make_unique<Slots>();
    return *cache;
}

struct Seeds
{
    std::size_t first;
    std::size_t second;
};

const Seeds &seeds()
{
    static const Seeds s{std::size_t(QRandomGenerator::system()->generate64()),
                         std::size_t(QRandomGenerator::system()->generate64())};
    return s;
}

} // namespace

std::size_t TextCountCache::count(const Encoding &enc, QStringView text)
{
    if (text.size() < kMinChars || text.size() > qsizetype(UINT32_MAX))
        return enc.count(text);
    const std::size_t bytes = std::size_t(text.size()) * sizeof(char16_t);
    const std::uint64_t first = qHashBits(text.data(), bytes, seeds().first);
    const std::uint64_t second = qHashBits(text.data(), bytes, seeds().second);
    Slots &cache = threadSlots();
    Slot &slot = cache.entries[first & (kEntries - 1)];
    if (slot.encoding == &enc && slot.length == std::uint32_t(text.size()) && slot.first == first &&
        slot.second == second) {
        ++cache.hits;
        return slot.count;
    }
    const std::size_t n = enc.count(text);
    if (n <= UINT32_MAX)
        slot = Slot{first, second, &enc, std::uint32_t(text.size()), std::uint32_t(n)};
    return n;
}

std::uint64_t TextCountCache::hits()
{
    return threadSlots().hits;
}

} // namespace RelayDesk::Tokenize
