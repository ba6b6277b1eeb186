#include "tokenize/encoding.h"

#include "tokenize/prebuilttables.h"
#include "tokenize/ranktablebuilder.h"
#include "tokenize/shorttable.h"
#include "tokenize/spanfilter.h"

#include <QByteArray>
#include <QFile>
#include <QString>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <queue>

extern "C" {
extern const unsigned char relaydesk_ranks_cl100k_base[];
extern const unsigned char relaydesk_ranks_o200k_base[];
extern const unsigned char relaydesk_ranks_p50k_base[];
extern const unsigned char relaydesk_ranks_r50k_base[];
extern const unsigned char relaydesk_ranks_cl100k_base_tables[];
extern const unsigned char relaydesk_ranks_o200k_base_tables[];
extern const unsigned char relaydesk_ranks_p50k_base_tables[];
extern const unsigned char relaydesk_ranks_r50k_base_tables[];
}

namespace RelayDesk::Tokenize {

using namespace Detail;

namespace {

constexpr uint32_t kNoRank = UINT32_MAX;
// Pieces of at least this many bytes are merged with the O(n log n) heap instead of the linear scan
// (tiktoken's quadratic loop is fine for short pieces and wins there on constant factors).
constexpr size_t kHeapThreshold = 64;
// Segments of a cut piece up to this many bytes are merged without the piece cache: a merge of a few
// bytes costs less than a likely miss on a 64-byte cache entry, and their entries would evict whole
// pieces. Mixed corpus, o200k, callgrind (1 MiB L2): L2 read misses -10.5 %, instructions +0.5 %.
constexpr size_t kUncachedSegment = 8;

std::atomic<uint32_t> g_nextEncodingId{1};

// Per-thread, direct-mapped cache of piece -> token count for pieces that needed merging.
// Bounded (fixed size), exact (stores the whole piece), lock-free (one per thread).
struct PieceCache {
    static constexpr size_t kEntries = 32768;   // 2 MiB per thread
    static constexpr size_t kMaxPiece = 48;
    struct Entry {
        uint64_t hash;
        uint32_t encodingId;
        uint16_t length;
        uint16_t count;
        unsigned char bytes[kMaxPiece];
    };
    static_assert(sizeof(Entry) == 64);
    std::array<Entry, kEntries> entries{};
};

// Heap-allocated on a thread's first count: a 2 MiB thread_local object would be reserved and zeroed
// in the static TLS block of every thread of the process, counting or not.
PieceCache &pieceCache()
{
    thread_local std::unique_ptr<PieceCache> cache;
    if (!cache) [[unlikely]]
        cache = std::make_unique<PieceCache>();
    return *cache;
}

struct Special {
    const char *text;
    uint32_t id;
};

const std::map<std::string, std::vector<Special>, std::less<>> &specialTokens()
{
    // tiktoken's ids (openai_public.py), not gpt-tokenizer's (which differ for o200k).
    static const std::map<std::string, std::vector<Special>, std::less<>> table = {
        {"cl100k_base", {{"<|endoftext|>", 100257}, {"<|fim_prefix|>", 100258}, {"<|fim_middle|>", 100259},
                         {"<|fim_suffix|>", 100260}, {"<|endofprompt|>", 100276}}},
        {"o200k_base", {{"<|endoftext|>", 199999}, {"<|endofprompt|>", 200018}}},
        {"p50k_base", {{"<|endoftext|>", 50256}}},
        {"r50k_base", {{"<|endoftext|>", 50256}}},
    };
    return table;
}

bool validEncodingName(std::string_view name)
{
    if (name.empty() || name.size() > 64 || name.front() == '.')
        return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
    });
}

PatternFamily familyForName(std::string_view name)
{
    if (name.starts_with("cl100k"))
        return PatternFamily::Cl100k;
    if (name.starts_with("p50k") || name.starts_with("r50k"))
        return PatternFamily::R50k;
    return PatternFamily::O200k;
}

} // namespace

Encoding::Encoding(std::string name, PatternFamily family, const unsigned char *blob, std::string owned,
                   const unsigned char *tables)
    : m_name(std::move(name)), m_family(family), m_owned(std::move(owned)),
      m_id(g_nextEncodingId.fetch_add(1))
{
    if (!m_owned.empty())
        blob = reinterpret_cast<const unsigned char *>(m_owned.data());
    RankTableHeader h;
    std::memcpy(&h, blob, sizeof h);
    m_offsets = reinterpret_cast<const uint32_t *>(blob + h.offsetsAt);
    m_slots = reinterpret_cast<const Slot *>(blob + h.slotsAt);
    m_tags = blob + h.tagsAt;
    m_bytes = blob + h.bytesAt;
    m_mask = h.slotCount - 1;
    m_pairs = reinterpret_cast<const uint32_t *>(blob + h.pairsAt);
    m_allSingleBytes = h.allSingleBytes != 0;
    m_rankCount = h.rankCount;
    m_maxTokenBytes = h.maxTokenBytes;
    if (!tables) {
        m_ownedTables = buildPrebuiltTables(blob);
        tables = reinterpret_cast<const unsigned char *>(m_ownedTables.data());
    }
    const PrebuiltTables views = prebuiltTables(tables);
    m_short = std::make_unique<ShortTable>(views.shortTable);
    m_span = std::make_unique<SpanFilter>(views.spanFilter);
}

Encoding::~Encoding() = default;

const SpanFilter &Encoding::spanFilter() const
{
    return *m_span;
}

const Encoding *Encoding::byName(std::string_view name)
{
    struct Builtin {
        const char *name;
        PatternFamily family;
        const unsigned char *blob;
        const unsigned char *tables;
    };
    static const Builtin builtins[] = {
        {"cl100k_base", PatternFamily::Cl100k, relaydesk_ranks_cl100k_base, relaydesk_ranks_cl100k_base_tables},
        {"o200k_base", PatternFamily::O200k, relaydesk_ranks_o200k_base, relaydesk_ranks_o200k_base_tables},
        {"p50k_base", PatternFamily::R50k, relaydesk_ranks_p50k_base, relaydesk_ranks_p50k_base_tables},
        {"r50k_base", PatternFamily::R50k, relaydesk_ranks_r50k_base, relaydesk_ranks_r50k_base_tables},
    };
    // Each on its first use (its tables were built with it at build time: nothing to compute).
    static std::array<std::once_flag, 4> once;
    static std::array<std::unique_ptr<Encoding>, 4> loaded;
    for (size_t i = 0; i < 4; ++i) {
        if (name == builtins[i].name) {
            std::call_once(once[i], [i] {
                loaded[i] = std::make_unique<Encoding>(builtins[i].name, builtins[i].family, builtins[i].blob,
                                                       std::string(), builtins[i].tables);
            });
            return loaded[i].get();
        }
    }

    // Extra encodings from RELAYDESK_TIKTOKEN_DIR, loaded once (I/O only here, never while counting).
    static std::mutex mutex;
    static std::map<std::string, std::unique_ptr<Encoding>, std::less<>> extra;
    if (!validEncodingName(name))
        return nullptr;
    const QByteArray dir = qgetenv("RELAYDESK_TIKTOKEN_DIR");
    if (dir.isEmpty())
        return nullptr;
    std::lock_guard lock(mutex);
    if (auto it = extra.find(name); it != extra.end())
        return it->second.get();
    QFile file(QString::fromLocal8Bit(dir) + u'/' + QString::fromUtf8(name.data(), qsizetype(name.size())) + u".tiktoken");
    if (!file.open(QIODevice::ReadOnly))
        return nullptr;
    const QByteArray text = file.readAll();
    std::string error;
    std::string blob = buildRankTable(std::string_view(text.constData(), size_t(text.size())), &error);
    if (blob.empty())
        return nullptr;
    auto enc = std::make_unique<Encoding>(std::string(name), familyForName(name), nullptr, std::move(blob));
    const Encoding *result = enc.get();
    extra.emplace(std::string(name), std::move(enc));
    return result;
}

std::vector<std::string> Encoding::builtinNames()
{
    return {"cl100k_base", "o200k_base", "p50k_base", "r50k_base"};
}

inline uint32_t Encoding::lookupHashed(const unsigned char *p, size_t n, uint64_t key, uint64_t h) const
{
    if (n == 3 || n == 4)
        return m_short->rank(p, n);
    // 16 tags at a time: only slots whose tag matches are read, and the first empty tag ends the probe.
    const uint8_t tag = slotTag(h);
    for (uint32_t i = uint32_t(h) & m_mask;; i = (i + kTagGroup) & m_mask) {
        uint32_t match, empty;
#if defined(__SSE2__)
        const __m128i group = _mm_loadu_si128(reinterpret_cast<const __m128i *>(m_tags + i));
        match = uint32_t(_mm_movemask_epi8(_mm_cmpeq_epi8(group, _mm_set1_epi8(char(tag)))));
        empty = uint32_t(_mm_movemask_epi8(_mm_cmpeq_epi8(group, _mm_setzero_si128())));
#else
        match = empty = 0;
        for (uint32_t j = 0; j < kTagGroup; ++j) {
            match |= uint32_t(m_tags[i + j] == tag) << j;
            empty |= uint32_t(m_tags[i + j] == 0) << j;
        }
#endif
        if (empty)
            match &= (empty & (0 - empty)) - 1;   // only the slots before the first empty one
        for (; match; match &= match - 1) {
            const Slot s = m_slots[(i + uint32_t(__builtin_ctz(match))) & m_mask];
            if (s.key == key && slotLength(s.meta) == n) {
                if (n <= 8 || (slotTagMatches(s.meta, h) && equalBytes(p, m_bytes + slotOffset(s.meta), n)))
                    return slotRank(s.meta);
            }
        }
        if (empty)
            return kNoRank;
    }
}

inline uint32_t Encoding::lookup(const unsigned char *p, size_t n) const
{
    if (n > m_maxTokenBytes)
        return kNoRank;
    if (n == 2)
        return pairRank(p);
    if (n == 3 || n == 4)
        return m_short->rank(p, n);
    const KeyHash kh = keyHash(p, n);
    return lookupHashed(p, n, kh.key, kh.hash);
}

std::optional<uint32_t> Encoding::rankOf(std::string_view bytes) const
{
    if (bytes.empty())
        return std::nullopt;
    const uint32_t r = lookup(reinterpret_cast<const unsigned char *>(bytes.data()), bytes.size());
    return r == kNoRank ? std::nullopt : std::optional<uint32_t>(r);
}

// tiktoken's byte_pair_merge: repeatedly merge the adjacent pair whose concatenation has the lowest
// rank (leftmost on ties). Returns the number of tokens; appends them to *out when given.
size_t Encoding::mergeLinear(const unsigned char *p, size_t n, std::vector<uint32_t> *out) const
{
    // Parts as two parallel arrays; ranks[i] is the rank of parts i and i+1 merged. The minimum is found
    // with a branch-free (vectorizable) reduction, then its first occurrence: that is the leftmost
    // lowest-rank pair, exactly tiktoken's choice.
    uint32_t starts[kHeapThreshold + 1];
    uint32_t ranks[kHeapThreshold + 1];
    size_t len = n + 1;
    for (size_t i = 0; i + 1 < n; ++i) {
        starts[i] = uint32_t(i);
        ranks[i] = pairRank(p + i);
    }
    starts[n - 1] = uint32_t(n - 1);
    ranks[n - 1] = kNoRank;
    starts[n] = uint32_t(n);
    ranks[n] = kNoRank;
    auto rankAt = [&](size_t i) -> uint32_t {   // rank of parts[i] .. parts[i+3] (pair after a merge at i)
        return i + 3 < len ? lookup(p + starts[i], starts[i + 3] - starts[i]) : kNoRank;
    };
    while (len > 1) {
        uint32_t best = kNoRank;
        for (size_t i = 0; i + 1 < len; ++i)
            best = std::min(best, ranks[i]);
        if (best == kNoRank)
            break;
        size_t at = 0;
        while (ranks[at] != best)
            ++at;
        if (at > 0)
            ranks[at - 1] = rankAt(at - 1);
        ranks[at] = rankAt(at);
        std::memmove(starts + at + 1, starts + at + 2, (len - at - 2) * sizeof(uint32_t));
        std::memmove(ranks + at + 1, ranks + at + 2, (len - at - 2) * sizeof(uint32_t));
        --len;
    }
    if (out) {
        for (size_t i = 0; i + 1 < len; ++i)
            out->push_back(lookup(p + starts[i], starts[i + 1] - starts[i]));
    }
    return len - 1;
}

// mergeLinear for a string of 3 or 4 bytes that is not itself a token (most such calls: whole pieces and
// segments like a rare CJK character or an emoji), its few steps written out. The first merge joins the
// lowest-ranked pair (leftmost on ties); a second needs any pair of the parts left to be a token; a
// third would rebuild the whole string, which is none. So 3 bytes give 3 or 2 tokens, 4 bytes 4, 3 or 2.
size_t Encoding::countShortNonToken(const unsigned char *p, size_t n) const
{
    const uint32_t r01 = pairRank(p), r12 = pairRank(p + 1);
    if (n == 3)
        return r01 == kNoRank && r12 == kNoRank ? 3 : 2;
    const uint32_t r23 = pairRank(p + 2);
    if (r01 == kNoRank && r12 == kNoRank && r23 == kNoRank)
        return 4;
    const auto token3 = [this](const unsigned char *q) { return m_short->rank(q, 3) != kNoRank; };
    bool second;
    if (r01 <= r12 && r01 <= r23)        // [01][2][3]: then [01][2] or [2][3]
        second = r23 != kNoRank || token3(p);
    else if (r12 <= r23)                 // [0][12][3]: then [0][12] or [12][3]
        second = token3(p) || token3(p + 1);
    else                                 // [0][1][23]: then [0][1] or [1][23]
        second = r01 != kNoRank || token3(p + 1);
    return second ? 2 : 3;
}

// The same rule with a doubly linked list and a binary min-heap keyed by (rank, position): O(n log n),
// so megabytes of one repeated character stay fast. A heap entry is stale when its node is gone or
// the node's pair rank changed; since ranks are unique per byte string and a node's pair only grows,
// a stale entry can never look current again. Buffers are per thread and reused (no allocation).
size_t Encoding::mergeHeap(const unsigned char *p, size_t n, std::vector<uint32_t> *out) const
{
    struct Buffers {
        std::vector<uint32_t> next, prev, rank;
        std::vector<uint64_t> heap;
    };
    thread_local Buffers b;
    b.next.resize(n + 1);
    b.prev.resize(n + 1);
    b.rank.assign(n + 1, kNoRank);
    b.heap.clear();
    uint32_t *next = b.next.data(), *prev = b.prev.data(), *rank = b.rank.data();
    for (size_t i = 0; i <= n; ++i) {
        next[i] = uint32_t(i + 1);
        prev[i] = uint32_t(i ? i - 1 : 0);
    }
    const auto key = [](uint32_t r, uint32_t pos) { return (uint64_t(r) << 32) | pos; };
    const auto greater = std::greater<uint64_t>();
    // Node i is the part starting at byte i (alive while rank/next say so); node n is the end sentinel.
    auto nodePairRank = [&](uint32_t i) -> uint32_t { // node i joined with the node after it
        const uint32_t j = next[i];
        return j >= n ? kNoRank : lookup(p + i, next[j] - i);
    };
    for (uint32_t i = 0; i + 1 < n; ++i) {
        rank[i] = pairRank(p + i);
        if (rank[i] != kNoRank)
            b.heap.push_back(key(rank[i], i));
    }
    std::make_heap(b.heap.begin(), b.heap.end(), greater);
    size_t parts = n;
    while (!b.heap.empty()) {
        std::pop_heap(b.heap.begin(), b.heap.end(), greater);
        const uint64_t top = b.heap.back();
        b.heap.pop_back();
        const uint32_t i = uint32_t(top);
        if (rank[i] != uint32_t(top >> 32))
            continue;   // stale (merged away nodes have rank kNoRank)
        const uint32_t j = next[i];
        rank[j] = kNoRank;
        next[i] = next[j];
        prev[next[j]] = i;
        --parts;
        rank[i] = nodePairRank(i);
        if (rank[i] != kNoRank) {
            b.heap.push_back(key(rank[i], i));
            std::push_heap(b.heap.begin(), b.heap.end(), greater);
        }
        if (i > 0) {
            const uint32_t h = prev[i];
            rank[h] = nodePairRank(h);
            if (rank[h] != kNoRank) {
                b.heap.push_back(key(rank[h], h));
                std::push_heap(b.heap.begin(), b.heap.end(), greater);
            }
        }
    }
    if (out) {
        for (uint32_t i = 0; i < n; i = next[i])
            out->push_back(lookup(p + i, next[i] - i));
    }
    return parts;
}

size_t Encoding::merge(const unsigned char *p, size_t n, std::vector<uint32_t> *out) const
{
    return n < kHeapThreshold ? mergeLinear(p, n, out) : mergeHeap(p, n, out);
}

// A piece that is not one token: cut it where no token can span (spanfilter.h) and count the segments.
// Cuts are only tried before the first byte of a character: inside one, merges almost always happen.
size_t Encoding::countSplit(const unsigned char *p, size_t n) const
{
    const SpanFilter &filter = spanFilter();
    size_t total = 0;
    size_t start = 0;
    for (size_t k = 1; k < n; ++k) {
        if ((p[k] & 0xC0) == 0x80)
            continue;
        if (filter.spannable(p, n, k))
            continue;
        total += countSegment(p + start, k - start);
        start = k;
    }
    if (start == 0)
        return merge(p, n, nullptr);
    return total + countSegment(p + start, n - start);
}

// A segment of a cut piece: like a piece, but never cut again.
size_t Encoding::countSegment(const unsigned char *p, size_t n) const
{
    if (n == 1)
        return 1;
    if (n == 2)
        return pairRank(p) == kNoRank ? 2 : 1;
    const KeyHash kh = keyHash(p, n);
    if (n <= m_maxTokenBytes && lookupHashed(p, n, kh.key, kh.hash) != kNoRank)
        return 1;
    if (n <= 4)
        return countShortNonToken(p, n);
    if (n <= kUncachedSegment)
        return mergeLinear(p, n, nullptr);
    return countMerged(p, n, kh.hash, false);
}

// Token count of a string that is not one token, through the per-thread piece cache (a repeated piece
// skips the cutting too). `split`: it may be cut first (a whole piece; segments are not cut again).
size_t Encoding::countMerged(const unsigned char *p, size_t n, uint64_t h, bool split) const
{
    if (n > PieceCache::kMaxPiece)
        return split ? countSplit(p, n) : merge(p, n, nullptr);
    PieceCache::Entry &e = pieceCache().entries[(h >> 20) & (PieceCache::kEntries - 1)];
    if (e.hash == h && e.encodingId == m_id && e.length == n && equalBytes(p, e.bytes, n))
        return e.count;
    const size_t c = split ? countSplit(p, n) : merge(p, n, nullptr);
    e.hash = h;
    e.encodingId = m_id;
    e.length = uint16_t(n);
    e.count = uint16_t(c);
    std::memcpy(e.bytes, p, n);
    return c;
}

// Counting is bound by memory latency: the rank table (4-8 MiB) and the piece cache are read at random.
// So pieces are collected in small batches: the probe's tags and home slot are prefetched when the piece is
// found, the lookups run a batch later (the pre-tokenizer's work overlaps the loads), and the cache
// entries of the pieces that are not one token are prefetched before they are merged.
size_t Encoding::count(std::string_view utf8) const
{
    struct Pending {
        const unsigned char *p;
        size_t n;
        uint64_t hash;
        uint64_t key;
    };
    constexpr size_t kBatch = 16;
    Pending batch[kBatch];
    size_t filled = 0;
    size_t total = 0;
    auto flush = [&] {
        size_t misses = 0;
        for (size_t i = 0; i < filled; ++i) {
            const Pending &q = batch[i];
            if (q.n <= m_maxTokenBytes && lookupHashed(q.p, q.n, q.key, q.hash) != kNoRank) {
                ++total;
                continue;
            }
            if (q.n <= PieceCache::kMaxPiece)
                __builtin_prefetch(&pieceCache().entries[(q.hash >> 20) & (PieceCache::kEntries - 1)]);
            batch[misses++] = q;
        }
        for (size_t i = 0; i < misses; ++i)
            total += countMerged(batch[i].p, batch[i].n, batch[i].hash, true);
        filled = 0;
    };
    forEachPiece(m_family, reinterpret_cast<const unsigned char *>(utf8.data()), utf8.size(),
                 [&](const unsigned char *p, size_t n) {
                     if (m_allSingleBytes && n <= 2) {
                         total += n == 1 || pairRank(p) != kNoRank ? 1 : 2;
                         return;
                     }
                     // 3 and 4 bytes: the short-token tables are small enough to answer at once, and a
                     // piece that is no token merges in a few pair lookups, cheaper than the cache.
                     if (n == 3 || n == 4) {
                         total += m_short->rank(p, n) != kNoRank ? 1 : countShortNonToken(p, n);
                         return;
                     }
                     const KeyHash kh = keyHash(p, n);
                     __builtin_prefetch(&m_tags[uint32_t(kh.hash) & m_mask]);
                     __builtin_prefetch(&m_slots[uint32_t(kh.hash) & m_mask]);
                     batch[filled++] = {p, n, kh.hash, kh.key};
                     if (filled == kBatch)
                         flush();
                 });
    flush();
    return total;
}

size_t Encoding::count(QStringView text) const
{
    const QByteArray utf8 = text.toUtf8();
    return count(std::string_view(utf8.constData(), size_t(utf8.size())));
}

std::vector<uint32_t> Encoding::encode(std::string_view utf8) const
{
    std::vector<uint32_t> out;
    forEachPiece(m_family, reinterpret_cast<const unsigned char *>(utf8.data()), utf8.size(),
                 [&](const unsigned char *p, size_t n) {
                     const uint32_t r = lookup(p, n);
                     if (r != kNoRank)
                         out.push_back(r);
                     else
                         merge(p, n, &out);
                 });
    return out;
}

std::string Encoding::decode(const std::vector<uint32_t> &tokens) const
{
    std::string out;
    for (uint32_t t : tokens) {
        if (t < m_rankCount)
            out.append(reinterpret_cast<const char *>(m_bytes + m_offsets[t]), m_offsets[t + 1] - m_offsets[t]);
    }
    return out;
}

std::optional<uint32_t> Encoding::specialTokenId(std::string_view text) const
{
    const auto &table = specialTokens();
    if (auto it = table.find(m_name); it != table.end()) {
        for (const Special &s : it->second)
            if (text == s.text)
                return s.id;
    }
    return std::nullopt;
}

std::vector<std::string_view> Encoding::pieces(std::string_view utf8) const
{
    std::vector<std::string_view> out;
    forEachPiece(m_family, reinterpret_cast<const unsigned char *>(utf8.data()), utf8.size(),
                 [&](const unsigned char *p, size_t n) { out.emplace_back(reinterpret_cast<const char *>(p), n); });
    return out;
}

} // namespace RelayDesk::Tokenize
