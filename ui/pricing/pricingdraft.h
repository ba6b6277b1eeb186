#pragma once

#include "billing/pricebook.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <array>
#include <optional>

namespace RelayDesk::Ui {

// The pricing editor's working copy of a PriceBook: plain decimal texts exactly as the admin typed them
// ("" = not set). It becomes a real PriceBook only through PriceBook::fromJson / PricingService, which
// validate everything again, so the editor can never publish something the core would not accept.
struct PriceDraft
{
    struct Row
    {
        QString model;                                        // as written; "prefix*" rules allowed
        std::array<QString, Billing::kPriceMapCount> values;  // indexed by Billing::PriceMap
    };
    struct Group
    {
        QString group;
        QString ratio;
    };
    struct Override
    {
        QString userGroup;
        QString usingGroup;
        QString ratio;
    };
    struct Tool
    {
        QString type;  // Responses output item type, lower case ("web_search_call")
        QString price; // US$ per 1,000 calls, decimal text
    };

    // Prices by unit of one model (MinutePrice, CharacterPrice): decimal texts, "" = none.
    struct UnitPrice
    {
        QString model;     // as written; "prefix*" rules allowed
        QString minute;    // US$ per minute of audio
        QString character; // US$ per 1M characters
    };
    // One ImagePrice entry: the price of one image of a model at a size and quality.
    struct ImagePrice
    {
        QString model;   // as written; "prefix*" rules allowed
        QString size;    // "1024x1024"; "" = any size (the model's "default" price)
        QString quality; // "hd"; "" = any quality (needs a size unless the size is "" too)
        QString price;   // US$ per image, decimal text
        // The ImagePrice key: "size|quality", "size" or "default".
        QString key() const;
    };

    QList<Row> rows;           // sorted by model name
    QList<Group> groups;       // GroupRatio
    QList<Override> overrides; // GroupGroupRatio[userGroup][usingGroup]
    QList<Tool> tools;         // ToolCallPrice, sorted by type
    QList<UnitPrice> units;    // MinutePrice and CharacterPrice, sorted by model
    QList<ImagePrice> images;  // ImagePrice, sorted by model, size, quality

    static PriceDraft fromBook(const Billing::PriceBook &book);
    // new-api option JSON with every map (plus GroupRatio, GroupGroupRatio, ToolCallPrice, MinutePrice,
    // CharacterPrice and ImagePrice).
    QJsonObject toJson() const;
    int indexOf(const QString &model) const; // case-insensitive; -1 when absent

    // "" when text is a valid ratio (finite, non-negative decimal), else why not, in plain words.
    static QString ratioError(const QString &text);
    // "" when text is a valid tool-call price (US$ per 1,000 calls: a finite, non-negative decimal), else why not.
    static QString toolPriceError(const QString &text);
    // "" when text is a valid price in US$ (finite, non-negative decimal; empty allowed when `optional`), else why not.
    static QString priceError(const QString &text, bool optional);
    // "" when name can key a per-model map (a model name or a "prefix*" rule), else why not.
    static QString modelNameError(const QString &name);
    // Quota of `usd` × `per` (e.g. one minute, 1,000 characters) before the group ratio; nullopt when not a price.
    static std::optional<double> quotaOf(const QString &usd, double per = 1.0);
    // The models the draft prices in any way (ratio, fixed price or unit prices), without prefix rules, sorted.
    QStringList pricedModels() const;
    // Quota one call of a tool priced `price` US$ per 1,000 calls costs before the group ratio (may be
    // fractional: the relay rounds once per call's total); nullopt when the text is not a price.
    static std::optional<double> quotaPerToolCall(const QString &price);
    // Unset ratios default to 1 except ModelRatio/ModelPrice (no default: the model has no price).
    static std::optional<double> effective(const Row &row, Billing::PriceMap map);
    // US$ per 1M tokens of what a map prices (ModelRatio: text input; CompletionRatio: text output; …),
    // before the group ratio. nullopt when the model has no ModelRatio or the map is ModelPrice.
    static std::optional<double> dollarsPerMillion(const Row &row, Billing::PriceMap map);
    // Shortest decimal text for a double (used when a price edit derives a ratio).
    static QString decimalText(double value);
};

} // namespace RelayDesk::Ui
