#include "pricing/pricingdraft.h"

#include "billing/quotamath.h"
#include "billing/ratio.h"

#include <QJsonArray>
#include <QRegularExpression>

#include <cmath>

namespace RelayDesk::Ui {

using Billing::PriceMap;

PriceDraft PriceDraft::fromBook(const Billing::PriceBook &book)
{
    PriceDraft draft;
    QHash<QString, int> rowOf; // lower-case model → index
    for (int m = 0; m < Billing::kPriceMapCount; ++m) {
        for (const auto &[key, ratio] : book.entries(PriceMap(m))) {
            const QString lower = key.toLower();
            int idx = rowOf.value(lower, -1);
            if (idx < 0) {
                idx = int(draft.rows.size());
                rowOf.insert(lower, idx);
                draft.rows.append(Row{key, {}});
            }
            draft.rows[idx].values[size_t(m)] = ratio.text();
        }
    }
    std::sort(draft.rows.begin(), draft.rows.end(), [](const Row &a, const Row &b) {
        return a.model.compare(b.model, Qt::CaseInsensitive) < 0;
    });
    const QJsonObject json = book.toJson();
    const QJsonObject groups = json.value(QStringLiteral("GroupRatio")).toObject();
    for (auto it = groups.begin(); it != groups.end(); ++it) {
        const auto ratio = Billing::Ratio::fromJson(it.value());
        draft.groups.append({it.key(), ratio ? ratio->text() : it.value().toVariant().toString()});
    }
    const QJsonObject gg = json.value(QStringLiteral("GroupGroupRatio")).toObject();
    for (auto u = gg.begin(); u != gg.end(); ++u) {
        const QJsonObject inner = u.value().toObject();
        for (auto g = inner.begin(); g != inner.end(); ++g) {
            const auto ratio = Billing::Ratio::fromJson(g.value());
            draft.overrides.append({u.key(), g.key(), ratio ? ratio->text() : g.value().toVariant().toString()});
        }
    }
    for (auto t = book.toolCallPrices().cbegin(); t != book.toolCallPrices().cend(); ++t)
        draft.tools.append({t.key(), t.value().text()});
    std::sort(draft.tools.begin(), draft.tools.end(), [](const Tool &a, const Tool &b) { return a.type < b.type; });
    QHash<QString, int> unitOf; // lower-case model → index
    for (const auto unit : {Billing::UnitPriceMap::MinutePrice, Billing::UnitPriceMap::CharacterPrice}) {
        for (const auto &[key, price] : book.entries(unit)) {
            int idx = unitOf.value(key.toLower(), -1);
            if (idx < 0) {
                idx = int(draft.units.size());
                unitOf.insert(key.toLower(), idx);
                draft.units.append({key, {}, {}});
            }
            (unit == Billing::UnitPriceMap::MinutePrice ? draft.units[idx].minute : draft.units[idx].character) = price.text();
        }
    }
    std::sort(draft.units.begin(), draft.units.end(), [](const UnitPrice &a, const UnitPrice &b) {
        return a.model.compare(b.model, Qt::CaseInsensitive) < 0;
    });
    for (const auto &[model, prices] : book.imagePriceEntries()) {
        for (auto it = prices.cbegin(); it != prices.cend(); ++it) {
            const QString &key = it.key();
            const bool isDefault = key == QLatin1String("default");
            draft.images.append({model, isDefault ? QString() : key.section(u'|', 0, 0),
                                 isDefault ? QString() : key.section(u'|', 1), it.value().text()});
        }
    }
    std::sort(draft.images.begin(), draft.images.end(), [](const ImagePrice &a, const ImagePrice &b) {
        const int byModel = a.model.compare(b.model, Qt::CaseInsensitive);
        return byModel != 0 ? byModel < 0 : std::pair(a.size, a.quality) < std::pair(b.size, b.quality);
    });
    return draft;
}

QJsonObject PriceDraft::toJson() const
{
    QJsonObject json;
    for (int m = 0; m < Billing::kPriceMapCount; ++m) {
        QJsonObject map;
        for (const Row &row : rows) {
            const QString &text = row.values[size_t(m)];
            if (text.isEmpty())
                continue;
            // Ratio::parse keeps the exact decimal; its JSON form round-trips to the same text.
            const auto ratio = Billing::Ratio::parse(text);
            map.insert(row.model, ratio ? ratio->toJson() : QJsonValue(text));
        }
        json.insert(Billing::priceMapName(PriceMap(m)), map);
    }
    QJsonObject groupJson;
    for (const Group &g : groups) {
        const auto ratio = Billing::Ratio::parse(g.ratio);
        groupJson.insert(g.group, ratio ? ratio->toJson() : QJsonValue(g.ratio));
    }
    json.insert(QStringLiteral("GroupRatio"), groupJson);
    QJsonObject gg;
    for (const Override &o : overrides) {
        QJsonObject inner = gg.value(o.userGroup).toObject();
        const auto ratio = Billing::Ratio::parse(o.ratio);
        inner.insert(o.usingGroup, ratio ? ratio->toJson() : QJsonValue(o.ratio));
        gg.insert(o.userGroup, inner);
    }
    json.insert(QStringLiteral("GroupGroupRatio"), gg);
    QJsonObject toolJson;
    for (const Tool &t : this->tools) {
        const auto price = Billing::Ratio::parse(t.price);
        toolJson.insert(t.type, price ? price->toJson() : QJsonValue(t.price));
    }
    json.insert(QStringLiteral("ToolCallPrice"), toolJson);
    auto decimal = [](const QString &text) {
        const auto price = Billing::Ratio::parse(text);
        return price ? price->toJson() : QJsonValue(text);
    };
    QJsonObject minutes, characters;
    for (const UnitPrice &u : units) {
        if (!u.minute.isEmpty())
            minutes.insert(u.model, decimal(u.minute));
        if (!u.character.isEmpty())
            characters.insert(u.model, decimal(u.character));
    }
    json.insert(Billing::unitPriceMapName(Billing::UnitPriceMap::MinutePrice), minutes);
    json.insert(Billing::unitPriceMapName(Billing::UnitPriceMap::CharacterPrice), characters);
    QJsonObject imageJson;
    for (const ImagePrice &i : images) {
        QJsonObject table = imageJson.value(i.model).toObject();
        table.insert(i.key(), decimal(i.price));
        imageJson.insert(i.model, table);
    }
    json.insert(Billing::kImagePriceKey, imageJson);
    return json;
}

QString PriceDraft::ImagePrice::key() const
{
    if (size.isEmpty() && quality.isEmpty())
        return QStringLiteral("default");
    return quality.isEmpty() ? size : size + u'|' + quality;
}

QString PriceDraft::priceError(const QString &text, bool optional)
{
    const QString t = text.trimmed();
    if (t.isEmpty())
        return optional ? QString() : QObject::tr("Enter a price in US$ (0 = free).");
    const auto price = Billing::Ratio::parse(t);
    if (!price)
        return QObject::tr("\"%1\" is not a number; use digits with an optional decimal point, e.g. 0.075.").arg(t);
    if (price->toDouble() < 0 || t.startsWith(QLatin1Char('-')))
        return QObject::tr("A price cannot be negative.");
    if (!std::isfinite(price->toDouble()) || price->toDouble() > 1e9)
        return QObject::tr("%1 is too large to be a price.").arg(t);
    return {};
}

QString PriceDraft::modelNameError(const QString &name)
{
    static const QRegularExpression valid(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._:/@+-]*\\*?$"));
    if (name.trimmed().isEmpty())
        return QObject::tr("Enter a model name.");
    if (name.trimmed().size() > 200 || !valid.match(name.trimmed()).hasMatch())
        return QObject::tr("\"%1\" is not a model name: use letters, digits and . _ - : / @ +, optionally ending in * "
                           "for a prefix rule.").arg(name.trimmed());
    return {};
}

std::optional<double> PriceDraft::quotaOf(const QString &usd, double per)
{
    const auto p = Billing::Ratio::parse(usd.trimmed());
    if (!p)
        return std::nullopt;
    return p->toDouble() * per * double(Billing::QuotaMath::kQuotaPerUnit);
}

QStringList PriceDraft::pricedModels() const
{
    QStringList names;
    for (const Row &row : rows)
        names << row.model;
    for (const UnitPrice &u : units)
        names << u.model;
    for (const ImagePrice &i : images)
        names << i.model;
    names.removeIf([](const QString &n) { return n.endsWith(u'*'); });
    names.sort(Qt::CaseInsensitive);
    names.removeDuplicates();
    return names;
}

int PriceDraft::indexOf(const QString &model) const
{
    for (int i = 0; i < rows.size(); ++i)
        if (rows[i].model.compare(model, Qt::CaseInsensitive) == 0)
            return i;
    return -1;
}

QString PriceDraft::ratioError(const QString &text)
{
    const QString t = text.trimmed();
    if (t.isEmpty())
        return {};
    const auto ratio = Billing::Ratio::parse(t);
    if (!ratio)
        return QObject::tr("\"%1\" is not a number; use digits with an optional decimal point, e.g. 0.075.").arg(t);
    if (ratio->toDouble() < 0 || t.startsWith(QLatin1Char('-')))
        return QObject::tr("A ratio cannot be negative.");
    if (!std::isfinite(ratio->toDouble()) || ratio->toDouble() > 1e9)
        return QObject::tr("%1 is too large to be a price ratio.").arg(t);
    return {};
}

QString PriceDraft::toolPriceError(const QString &text)
{
    const QString t = text.trimmed();
    if (t.isEmpty())
        return QObject::tr("Enter a price in US$ per 1,000 calls (0 = free).");
    const auto price = Billing::Ratio::parse(t);
    if (!price)
        return QObject::tr("\"%1\" is not a number; use digits with an optional decimal point, e.g. 0.075.").arg(t);
    if (price->toDouble() < 0 || t.startsWith(QLatin1Char('-')))
        return QObject::tr("A price cannot be negative.");
    if (!std::isfinite(price->toDouble()) || price->toDouble() > 1e9)
        return QObject::tr("%1 is too large to be a price.").arg(t);
    return {};
}

std::optional<double> PriceDraft::quotaPerToolCall(const QString &price)
{
    const auto p = Billing::Ratio::parse(price.trimmed());
    if (!p)
        return std::nullopt;
    return p->toDouble() * double(Billing::QuotaMath::kQuotaPerUnit) / 1000.0;
}

std::optional<double> PriceDraft::effective(const Row &row, PriceMap map)
{
    const QString &text = row.values[size_t(map)];
    if (text.isEmpty()) {
        if (map == PriceMap::ModelRatio || map == PriceMap::ModelPrice)
            return std::nullopt;
        return map == PriceMap::CreateCacheRatio1h ? 2.0 : 1.0; // ModelPricing's defaults
    }
    const auto ratio = Billing::Ratio::parse(text);
    return ratio ? std::optional<double>(ratio->toDouble()) : std::nullopt;
}

std::optional<double> PriceDraft::dollarsPerMillion(const Row &row, PriceMap map)
{
    const auto mr = effective(row, PriceMap::ModelRatio);
    if (!mr || map == PriceMap::ModelPrice)
        return std::nullopt;
    const double base = *mr * 2.0; // ratio 1 = US$2 per 1M tokens
    auto r = [&row](PriceMap m) { return effective(row, m).value_or(1.0); };
    switch (map) {
    case PriceMap::ModelRatio: return base;
    case PriceMap::CompletionRatio: return base * r(PriceMap::CompletionRatio);
    case PriceMap::CacheRatio: return base * r(PriceMap::CacheRatio);
    case PriceMap::CreateCacheRatio: return base * r(PriceMap::CreateCacheRatio);
    case PriceMap::CreateCacheRatio1h: return base * r(PriceMap::CreateCacheRatio1h);
    case PriceMap::ImageRatio: return base * r(PriceMap::ImageRatio);
    case PriceMap::AudioRatio: return base * r(PriceMap::AudioRatio);
    case PriceMap::AudioCompletionRatio: return base * r(PriceMap::AudioRatio) * r(PriceMap::AudioCompletionRatio);
    case PriceMap::AudioCacheRatio: return base * r(PriceMap::AudioRatio) * r(PriceMap::AudioCacheRatio);
    case PriceMap::ModelPrice: return std::nullopt;
    }
    return std::nullopt;
}

QString PriceDraft::decimalText(double value)
{
    if (value == 0)
        return QStringLiteral("0");
    // 12 significant digits, trailing zeros trimmed: 0.075000000000 → 0.075.
    QString text = QString::number(value, 'f', std::max(0, 11 - int(std::floor(std::log10(std::abs(value))))));
    if (text.contains(QLatin1Char('.'))) {
        while (text.endsWith(QLatin1Char('0')))
            text.chop(1);
        if (text.endsWith(QLatin1Char('.')))
            text.chop(1);
    }
    return text;
}

} // namespace RelayDesk::Ui
