#pragma once

#include "ratio.h"

#include "store/result.h"

#include <QHash>
#include <QJsonObject>
#include <QMutex>
#include <QList>
#include <QStringList>

#include <array>
#include <memory>

namespace RelayDesk::Billing {

// The per-model maps of a price book. Names are the new-api option keys (AudioCacheRatio is ours).
enum class PriceMap {
    ModelRatio,
    CompletionRatio,
    CacheRatio,
    CreateCacheRatio,
    ImageRatio,
    AudioRatio,
    AudioCompletionRatio,
    AudioCacheRatio,
    ModelPrice, // USD per call
    // Ours: one-hour cache writes (Anthropic's ephemeral_1h_input_tokens) × input price; default 2 (Anthropic
    // lists 1h writes at 2× the input price, 5-minute writes — CreateCacheRatio — at 1.25×).
    CreateCacheRatio1h,
};
inline constexpr int kPriceMapCount = 10;
QString priceMapName(PriceMap map);
std::optional<PriceMap> priceMapFromName(const QString &name);

// Prices by unit — our option keys, not new-api's: MinutePrice (model → USD per minute of audio) and
// CharacterPrice (model → USD per 1M characters). ImagePrice (model → {"size|quality" | "size" | "default" →
// USD per image}) is a map of maps and has its own accessors.
enum class UnitPriceMap { MinutePrice, CharacterPrice };
QString unitPriceMapName(UnitPriceMap map);
inline const QString kImagePriceKey = QStringLiteral("ImagePrice");
// Whether `key` is an option key a price book reads (the PriceMap names, MinutePrice, CharacterPrice,
// ImagePrice, GroupRatio, GroupGroupRatio, ToolCallPrice): importers keep these and drop the rest.
bool isPriceBookKey(const QString &key);

struct PriceLookup
{
    enum class Match { None, Exact, DateStripped, Prefix };
    Match match = Match::None;
    Ratio value;
    QString key; // the configured key that matched, as written
    bool found() const { return match != Match::None; }
};

// One model's ImagePrice table, found with the same fallback as PriceLookup.
struct ImagePriceLookup
{
    PriceLookup::Match match = PriceLookup::Match::None;
    QHash<QString, Ratio> prices; // "size|quality" / "size" / "default" (lower case) → USD per image
    QString key;                  // the configured model key that matched, as written
    bool found() const { return match != PriceLookup::Match::None; }
};

// Everything needed to price one model for one (user group, using group): the resolved ratios,
// frozen. Missing per-model ratios default to 1 (no discount, no surcharge).
struct ModelPricing
{
    QString model;
    qint64 snapshotId = 0;
    bool fixedPrice = false; // ModelPrice applies: quota = price × 500 000 × group ratio per call
    Ratio modelPrice;        // USD per call (fixedPrice only)
    Ratio modelRatio;
    Ratio completionRatio = Ratio::fromInteger(1);
    Ratio cacheRatio = Ratio::fromInteger(1);
    Ratio createCacheRatio = Ratio::fromInteger(1);
    Ratio createCacheRatio1h = Ratio::fromInteger(2); // Usage::cacheWrite1h
    Ratio imageRatio = Ratio::fromInteger(1);
    Ratio audioRatio = Ratio::fromInteger(1);
    Ratio audioCompletionRatio = Ratio::fromInteger(1);
    Ratio audioCacheRatio = Ratio::fromInteger(1);
    Ratio groupRatio = Ratio::fromInteger(1);
    bool userGroupRatio = false; // GroupGroupRatio[userGroup][usingGroup] replaced GroupRatio[usingGroup]
    // Built-in tools billed per call (Responses `web_search_call`, `file_search_call`, …): USD per 1,000 calls,
    // by output item type (lower case). Shared by every model of the book (ToolCallPrice).
    QHash<QString, Ratio> toolCallPrices;
    // Prices by unit (Units), each absent when the book has none for the model: USD per minute of audio
    // (MinutePrice), USD per 1M characters (CharacterPrice), and USD per image by "size|quality", "size" or
    // "default" (ImagePrice; keys lower case).
    std::optional<Ratio> minutePrice;
    std::optional<Ratio> characterPrice;
    QHash<QString, Ratio> imagePrices;
    // The price of one image of `size` and `quality`: "size|quality", else "size", else "default".
    std::optional<Ratio> imagePrice(const QString &size, const QString &quality) const;
    bool hasUnitPrices() const { return minutePrice || characterPrice || !imagePrices.isEmpty(); }

    // new-api style log fields: model_ratio, completion_ratio, cache_ratio, …, group_ratio,
    // user_group_ratio (−1 when no override), model_price (−1 when ratio-priced).
    QJsonObject toJson() const;
    // toJson()'s members as compact JSON text without the braces (see JsonMembers), for a log row's other_json.
    QByteArray jsonMembers() const;

private:
    friend class PriceBook;
    QJsonObject buildJson() const;
    // toJson() as the book priced it (PriceBook::pricing fills it, once per model and groups: every logged request
    // asks for it). Empty for a pricing built by hand, which builds it on each call.
    QJsonObject m_json;
    QByteArray m_jsonMembers; // m_json written, as jsonMembers() answers; filled with it
};

// An immutable snapshot of every ratio map. Share it as std::shared_ptr<const PriceBook>; edits make a
// new book (PricingService swaps it atomically), so a request priced with one book keeps that book.
//
// Every per-model lookup falls back: exact name (case-insensitive) → the name without a date suffix
// (-2024-12-17, -20241022, -0613) → the longest configured `prefix*` rule.
class PriceBook final
{
public:
    // Validates the whole new-api option JSON (plus AudioCacheRatio); on any error returns the error
    // and no book. Keys starting with '_' (comments, dates) are ignored. Map values may also be given as
    // JSON strings holding the object (new-api stores options as strings).
    static Store::Result<std::shared_ptr<const PriceBook>> fromJson(const QJsonObject &json, qint64 snapshotId = 0);
    static std::shared_ptr<const PriceBook> empty();

    // A new book where every map present in `edit` replaces this book's map; others are kept.
    Store::Result<std::shared_ptr<const PriceBook>> withEdit(const QJsonObject &edit) const;
    std::shared_ptr<const PriceBook> withSnapshotId(qint64 snapshotId) const;

    // Canonical new-api option JSON (maps plus GroupRatio and GroupGroupRatio).
    QJsonObject toJson() const;
    qint64 snapshotId() const { return m_snapshotId; }

    PriceLookup lookup(PriceMap map, const QString &model) const;
    // GroupGroupRatio[userGroup][usingGroup] if present, else GroupRatio[usingGroup], else 1.
    Ratio groupRatio(const QString &userGroup, const QString &usingGroup, bool *userGroupOverride = nullptr) const;
    // The priced view of a model, or "model price not configured" when neither ModelPrice nor
    // ModelRatio nor a unit price (MinutePrice, CharacterPrice, ImagePrice) knows it (no silent default price).
    // A model with unit prices only gets modelRatio 0: its tokens cost nothing, its units are priced.
    Store::Result<ModelPricing> pricing(const QString &model, const QString &userGroup, const QString &usingGroup) const;
    // ToolCallPrice: USD per 1,000 calls of a built-in tool, by output item type ("web_search_call").
    const QHash<QString, Ratio> &toolCallPrices() const { return m_toolCallPrices; }
    // Every key configured in ModelRatio, ModelPrice, MinutePrice, CharacterPrice or ImagePrice, sorted.
    QStringList models() const;
    // The raw entries of one map (key as written → ratio).
    QList<std::pair<QString, Ratio>> entries(PriceMap map) const;

    // MinutePrice / CharacterPrice with the same fallback as the ratio maps.
    PriceLookup lookup(UnitPriceMap map, const QString &model) const;
    QList<std::pair<QString, Ratio>> entries(UnitPriceMap map) const;
    // ImagePrice: the table of the model (same fallback), and every table by model key as written, sorted.
    ImagePriceLookup imagePrices(const QString &model) const;
    QList<std::pair<QString, QHash<QString, Ratio>>> imagePriceEntries() const;
    // The ImagePrice key for a size and quality: "1024x1024|hd", "1024x1024" (no quality) or "default" (neither).
    // Sizes are WxH (1–99999 each), qualities lower-case words (standard, hd, low, medium, high, …); a quality
    // without a size is refused. Case and surrounding spaces are normalised.
    static Store::Result<QString> imagePriceKey(const QString &size, const QString &quality);

    static QString stripDateSuffix(const QString &model);

    static constexpr int kPricingMemoCapacity = 512; // pricing()'s answers kept per book (see PricingMemo)

private:
    template <typename T>
    struct ModelMapOf
    {
        QHash<QString, std::pair<QString, T>> exact;    // lower-case key → (key as written, value)
        QList<std::pair<QString, std::pair<QString, T>>> prefixes; // lower-case prefix, longest first
    };
    using ModelMap = ModelMapOf<Ratio>;
    using ImageMap = ModelMapOf<QHash<QString, Ratio>>;
    static Store::Status parseMap(const QJsonValue &value, const QString &mapName, ModelMap *out);
    static Store::Status parseImageMap(const QJsonValue &value, ImageMap *out);

    std::array<ModelMap, kPriceMapCount> m_maps;
    std::array<ModelMap, 2> m_unitMaps; // indexed by UnitPriceMap
    ImageMap m_imageMap;
    QHash<QString, Ratio> m_groupRatio;                    // lower-case group → ratio
    QHash<QString, QHash<QString, Ratio>> m_groupGroupRatio; // lower-case user group → using group → ratio
    QHash<QString, Ratio> m_toolCallPrices;                // lower-case tool item type → USD per 1,000 calls
    QJsonObject m_json; // canonical form
    qint64 m_snapshotId = 0;

    // pricing()'s answers, by model and groups: the relay asks for every request, each answer is ~15 map lookups
    // with their fallbacks, and a book is immutable. A copy of the book starts empty (it may get another snapshot
    // id); full (kPricingMemoCapacity answers) it starts over, so a client sending random names cannot grow it.
    class PricingMemo
    {
    public:
        PricingMemo() = default;
        PricingMemo(const PricingMemo &) {}
        PricingMemo &operator=(const PricingMemo &) = delete;
        std::optional<ModelPricing> find(const QString &key) const;
        void insert(const QString &key, const ModelPricing &pricing) const;

    private:
        mutable QMutex m_mutex;
        mutable QHash<QString, ModelPricing> m_entries;
    };
    Store::Result<ModelPricing> resolvePricing(const QString &model, const QString &userGroup,
                                               const QString &usingGroup) const;
    PricingMemo m_pricingMemo;
};

using PriceBookPtr = std::shared_ptr<const PriceBook>;

} // namespace RelayDesk::Billing
