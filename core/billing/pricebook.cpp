#include "pricebook.h"

#include "common/compactjson.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <algorithm>

namespace RelayDesk::Billing {
namespace {

using Store::Result;
using Store::Status;

constexpr std::array<const char *, kPriceMapCount> kMapNames = {
    "ModelRatio", "CompletionRatio", "CacheRatio", "CreateCacheRatio", "ImageRatio",
    "AudioRatio", "AudioCompletionRatio", "AudioCacheRatio", "ModelPrice",
    "CreateCacheRatio1h",
};
const QString kGroupRatio = QStringLiteral("GroupRatio");
const QString kGroupGroupRatio = QStringLiteral("GroupGroupRatio");
const QString kToolCallPrice = QStringLiteral("ToolCallPrice");
constexpr std::array<const char *, 2> kUnitMapNames = {"MinutePrice", "CharacterPrice"};
// Bounds of one ImagePrice table: sizes × qualities of every image model fit many times over.
constexpr int kMaxImagePriceKeys = 100;

int rank(PriceLookup::Match m)
{
    switch (m) {
    case PriceLookup::Match::Exact: return 3;
    case PriceLookup::Match::DateStripped: return 2;
    case PriceLookup::Match::Prefix: return 1;
    case PriceLookup::Match::None: return 0;
    }
    return 0;
}

// new-api stores each option as a JSON string; accept both the string and the object.
Result<QJsonObject> objectValue(const QJsonValue &value, const QString &what)
{
    if (value.isObject())
        return value.toObject();
    if (value.isString()) {
        QJsonParseError err;
        const QJsonDocument doc = QJsonDocument::fromJson(value.toString().toUtf8(), &err);
        if (err.error == QJsonParseError::NoError && doc.isObject())
            return doc.object();
        return Result<QJsonObject>::failure(QStringLiteral("%1: the string is not a JSON object").arg(what));
    }
    return Result<QJsonObject>::failure(QStringLiteral("%1 must be a JSON object").arg(what));
}

Result<Ratio> ratioValue(const QJsonValue &value, const QString &where)
{
    if (!value.isDouble())
        return Result<Ratio>::failure(QStringLiteral("%1: value must be a number").arg(where));
    const auto r = Ratio::fromJson(value);
    if (!r)
        return Result<Ratio>::failure(QStringLiteral("%1: value must be finite and not negative").arg(where));
    return *r;
}

Status validKey(const QString &key, const QString &where)
{
    if (key.trimmed().isEmpty() || key.trimmed() != key)
        return Status::failure(QStringLiteral("%1: empty key or key with surrounding spaces").arg(where));
    if (key.size() > 200)
        return Status::failure(QStringLiteral("%1: key too long").arg(where));
    return {};
}

// new-api's /api/option/ answer: {"data":[{"key":"ModelRatio","value":"{…}"}, …]} → {"ModelRatio":"{…}"}.
QJsonObject flattenOptionList(const QJsonObject &json)
{
    if (!json.value(QStringLiteral("data")).isArray())
        return json;
    QJsonObject flat;
    for (const QJsonValue &row : json.value(QStringLiteral("data")).toArray()) {
        const QString key = row.toObject().value(QStringLiteral("key")).toString();
        if (isPriceBookKey(key))
            flat.insert(key, row.toObject().value(QStringLiteral("value")));
    }
    return flat;
}

// Adds one model key of a per-model map (exact name or `prefix*`), refusing case-insensitive duplicates.
template <typename Map, typename T>
Status insertModelKey(Map *out, const QString &key, T value, const QString &where)
{
    const QString lower = key.toLower();
    if (lower.endsWith(u'*')) {
        const QString prefix = lower.chopped(1);
        for (const auto &p : std::as_const(out->prefixes))
            if (p.first == prefix)
                return Status::failure(QStringLiteral("%1: duplicate key (keys are case-insensitive)").arg(where));
        out->prefixes.append({prefix, {key, std::move(value)}});
    } else {
        if (out->exact.contains(lower))
            return Status::failure(QStringLiteral("%1: duplicate key (keys are case-insensitive)").arg(where));
        out->exact.insert(lower, {key, std::move(value)});
    }
    return {};
}

template <typename Map>
void sortPrefixes(Map *out)
{
    std::stable_sort(out->prefixes.begin(), out->prefixes.end(),
                     [](const auto &a, const auto &b) { return a.first.size() > b.first.size(); });
}

// exact name (case-insensitive) → the name without a date suffix → the longest `prefix*` rule.
template <typename Map>
auto findModel(const Map &m, const QString &model) -> std::pair<PriceLookup::Match, decltype(&m.exact.cbegin().value())>
{
    using M = PriceLookup::Match;
    const QString lower = model.trimmed().toLower();
    if (lower.isEmpty())
        return {M::None, nullptr};
    if (auto it = m.exact.constFind(lower); it != m.exact.cend())
        return {M::Exact, &it.value()};
    const QString stripped = PriceBook::stripDateSuffix(lower);
    if (stripped != lower)
        if (auto it = m.exact.constFind(stripped); it != m.exact.cend())
            return {M::DateStripped, &it.value()};
    for (const auto &entry : m.prefixes) // longest first
        if (lower.startsWith(entry.first))
            return {M::Prefix, &entry.second};
    return {M::None, nullptr};
}

template <typename Map>
auto sortedEntries(const Map &m)
{
    QList<std::remove_cvref_t<decltype(m.exact.cbegin().value())>> list;
    for (const auto &entry : m.exact)
        list.append(entry);
    for (const auto &p : m.prefixes)
        list.append(p.second);
    std::sort(list.begin(), list.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    return list;
}

} // namespace

QString priceMapName(PriceMap map)
{
    return QString::fromLatin1(kMapNames[size_t(map)]);
}

QString unitPriceMapName(UnitPriceMap map)
{
    return QString::fromLatin1(kUnitMapNames[size_t(map)]);
}

bool isPriceBookKey(const QString &key)
{
    return priceMapFromName(key) || key == QLatin1String(kUnitMapNames[0]) || key == QLatin1String(kUnitMapNames[1]) ||
           key == kImagePriceKey || key == kGroupRatio || key == kGroupGroupRatio || key == kToolCallPrice;
}

std::optional<PriceMap> priceMapFromName(const QString &name)
{
    for (int i = 0; i < kPriceMapCount; ++i)
        if (name == QLatin1String(kMapNames[size_t(i)]))
            return PriceMap(i);
    return std::nullopt;
}

QString PriceBook::stripDateSuffix(const QString &model)
{
    // -2024-12-17, -20241022, or an MMDD snapshot such as -0613.
    static const QRegularExpression re(QStringLiteral(
        "-(?:\\d{4}-\\d{2}-\\d{2}|(?:19|20)\\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\\d|3[01])|(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\\d|3[01]))$"));
    const auto m = re.match(model);
    return m.hasMatch() ? model.left(m.capturedStart()) : model;
}

Status PriceBook::parseMap(const QJsonValue &value, const QString &mapName, ModelMap *out)
{
    auto object = objectValue(value, mapName);
    if (!object)
        return Status::failure(object.error());
    // Our unit maps ignore `_comment` keys like ToolCallPrice; new-api's maps keep their historic strictness.
    const bool ours = !priceMapFromName(mapName);
    for (auto it = object->begin(); it != object->end(); ++it) {
        if (ours && it.key().startsWith(u'_'))
            continue;
        const QString where = QStringLiteral("%1[\"%2\"]").arg(mapName, it.key());
        if (Status s = validKey(it.key(), where); !s)
            return s;
        auto ratio = ratioValue(it.value(), where);
        if (!ratio)
            return Status::failure(ratio.error());
        if (Status s = insertModelKey(out, it.key(), *ratio, where); !s)
            return s;
    }
    sortPrefixes(out);
    return {};
}

Result<QString> PriceBook::imagePriceKey(const QString &size, const QString &quality)
{
    static const QRegularExpression sizeRe(QStringLiteral("^[1-9]\\d{0,4}x[1-9]\\d{0,4}$"));
    static const QRegularExpression qualityRe(QStringLiteral("^[a-z]{1,32}$"));
    const QString s = size.trimmed().toLower();
    const QString q = quality.trimmed().toLower();
    if (s.isEmpty() && q.isEmpty())
        return QStringLiteral("default");
    if (s.isEmpty())
        return Result<QString>::failure(QStringLiteral("a quality (\"%1\") needs a size").arg(quality));
    if (!sizeRe.match(s).hasMatch())
        return Result<QString>::failure(
            QStringLiteral("size \"%1\" is not WIDTHxHEIGHT (such as 1024x1024)").arg(size));
    if (q.isEmpty())
        return s;
    if (!qualityRe.match(q).hasMatch())
        return Result<QString>::failure(
            QStringLiteral("quality \"%1\" is not a lower-case word (such as standard or hd)").arg(quality));
    return QString(s + u'|' + q);
}

Status PriceBook::parseImageMap(const QJsonValue &value, ImageMap *out)
{
    auto object = objectValue(value, kImagePriceKey);
    if (!object)
        return Status::failure(object.error());
    for (auto it = object->begin(); it != object->end(); ++it) {
        if (it.key().startsWith(u'_'))
            continue;
        const QString where = QStringLiteral("ImagePrice[\"%1\"]").arg(it.key());
        if (Status s = validKey(it.key(), where); !s)
            return s;
        auto table = objectValue(it.value(), where);
        if (!table)
            return Status::failure(table.error());
        if (table->size() > kMaxImagePriceKeys)
            return Status::failure(QStringLiteral("%1: more than %2 prices").arg(where).arg(kMaxImagePriceKeys));
        QHash<QString, Ratio> prices;
        for (auto p = table->begin(); p != table->end(); ++p) {
            if (p.key().startsWith(u'_'))
                continue;
            const QString at = QStringLiteral("%1[\"%2\"]").arg(where, p.key());
            // The written key must already be canonical: "WxH|quality", "WxH" or "default", lower case.
            const qsizetype bar = p.key().indexOf(u'|');
            const bool isDefault = p.key() == QLatin1String("default");
            auto key = isDefault ? Result<QString>(p.key())
                                 : imagePriceKey(bar < 0 ? p.key() : p.key().left(bar),
                                                 bar < 0 ? QString() : p.key().mid(bar + 1));
            if (!key)
                return Status::failure(QStringLiteral("%1: %2").arg(at, key.error()));
            if (*key != p.key()) // upper case, spaces, "1024x1024|" or a stray "|"
                return Status::failure(QStringLiteral("%1: key must be \"WIDTHxHEIGHT|quality\", \"WIDTHxHEIGHT\" or "
                                                      "\"default\", in lower case").arg(at));
            auto price = ratioValue(p.value(), at);
            if (!price)
                return Status::failure(price.error());
            prices.insert(*key, *price);
        }
        if (Status s = insertModelKey(out, it.key(), std::move(prices), where); !s)
            return s;
    }
    sortPrefixes(out);
    return {};
}

Result<std::shared_ptr<const PriceBook>> PriceBook::fromJson(const QJsonObject &input, qint64 snapshotId)
{
    using R = Result<std::shared_ptr<const PriceBook>>;
    const QJsonObject json = flattenOptionList(input);
    auto book = std::make_shared<PriceBook>();
    book->m_snapshotId = snapshotId;
    for (auto it = json.begin(); it != json.end(); ++it) {
        const QString &key = it.key();
        if (key.startsWith(u'_'))
            continue; // comments, "_dates"
        if (const auto map = priceMapFromName(key)) {
            if (Status s = parseMap(it.value(), key, &book->m_maps[size_t(*map)]); !s)
                return R::failure(s.error());
        } else if (key == unitPriceMapName(UnitPriceMap::MinutePrice) ||
                   key == unitPriceMapName(UnitPriceMap::CharacterPrice)) {
            const auto unit = key == unitPriceMapName(UnitPriceMap::MinutePrice) ? UnitPriceMap::MinutePrice
                                                                                 : UnitPriceMap::CharacterPrice;
            if (Status s = parseMap(it.value(), key, &book->m_unitMaps[size_t(unit)]); !s)
                return R::failure(s.error());
        } else if (key == kImagePriceKey) {
            if (Status s = parseImageMap(it.value(), &book->m_imageMap); !s)
                return R::failure(s.error());
        } else if (key == kGroupRatio) {
            auto object = objectValue(it.value(), key);
            if (!object)
                return R::failure(object.error());
            for (auto g = object->begin(); g != object->end(); ++g) {
                const QString where = QStringLiteral("GroupRatio[\"%1\"]").arg(g.key());
                if (Status s = validKey(g.key(), where); !s)
                    return R::failure(s.error());
                auto ratio = ratioValue(g.value(), where);
                if (!ratio)
                    return R::failure(ratio.error());
                book->m_groupRatio.insert(g.key().toLower(), *ratio);
            }
        } else if (key == kToolCallPrice) {
            auto object = objectValue(it.value(), key);
            if (!object)
                return R::failure(object.error());
            for (auto t = object->begin(); t != object->end(); ++t) {
                if (t.key().startsWith(QLatin1Char('_')))
                    continue; // a comment
                const QString where = QStringLiteral("ToolCallPrice[\"%1\"]").arg(t.key());
                if (Status s = validKey(t.key(), where); !s)
                    return R::failure(s.error());
                auto price = ratioValue(t.value(), where);
                if (!price)
                    return R::failure(price.error());
                book->m_toolCallPrices.insert(t.key().toLower(), *price);
            }
        } else if (key == kGroupGroupRatio) {
            auto object = objectValue(it.value(), key);
            if (!object)
                return R::failure(object.error());
            for (auto u = object->begin(); u != object->end(); ++u) {
                if (!u.value().isObject())
                    return R::failure(QStringLiteral("GroupGroupRatio[\"%1\"] must be an object of group ratios").arg(u.key()));
                QHash<QString, Ratio> inner;
                const QJsonObject innerJson = u.value().toObject();
                for (auto g = innerJson.begin(); g != innerJson.end(); ++g) {
                    const QString where = QStringLiteral("GroupGroupRatio[\"%1\"][\"%2\"]").arg(u.key(), g.key());
                    if (Status s = validKey(g.key(), where); !s)
                        return R::failure(s.error());
                    auto ratio = ratioValue(g.value(), where);
                    if (!ratio)
                        return R::failure(ratio.error());
                    inner.insert(g.key().toLower(), *ratio);
                }
                book->m_groupGroupRatio.insert(u.key().toLower(), inner);
            }
        } else {
            return R::failure(QStringLiteral("unknown pricing key '%1' (known: %2, MinutePrice, CharacterPrice, ImagePrice, GroupRatio, "
                                                 "GroupGroupRatio, ToolCallPrice)")
                                  .arg(key, QStringList(kMapNames.begin(), kMapNames.end()).join(QStringLiteral(", "))));
        }
    }

    // Canonical JSON: every map present, values as shortest round-trip numbers.
    for (int i = 0; i < kPriceMapCount; ++i) {
        QJsonObject map;
        for (const auto &[name, ratio] : book->entries(PriceMap(i)))
            map.insert(name, ratio.toJson());
        book->m_json.insert(priceMapName(PriceMap(i)), map);
    }
    for (const UnitPriceMap unit : {UnitPriceMap::MinutePrice, UnitPriceMap::CharacterPrice}) {
        QJsonObject map;
        for (const auto &[name, price] : book->entries(unit))
            map.insert(name, price.toJson());
        book->m_json.insert(unitPriceMapName(unit), map);
    }
    QJsonObject images;
    for (const auto &[name, prices] : book->imagePriceEntries()) {
        QJsonObject table;
        for (auto p = prices.cbegin(); p != prices.cend(); ++p)
            table.insert(p.key(), p.value().toJson());
        images.insert(name, table);
    }
    book->m_json.insert(kImagePriceKey, images);
    const QJsonObject groups = json.contains(kGroupRatio) ? *objectValue(json.value(kGroupRatio), kGroupRatio) : QJsonObject();
    QJsonObject canonicalGroups;
    for (auto g = groups.begin(); g != groups.end(); ++g)
        canonicalGroups.insert(g.key(), book->m_groupRatio.value(g.key().toLower()).toJson());
    book->m_json.insert(kGroupRatio, canonicalGroups);
    const QJsonObject gg = json.contains(kGroupGroupRatio) ? *objectValue(json.value(kGroupGroupRatio), kGroupGroupRatio) : QJsonObject();
    QJsonObject canonicalGg;
    for (auto u = gg.begin(); u != gg.end(); ++u) {
        QJsonObject inner;
        const QJsonObject innerJson = u.value().toObject();
        for (auto g = innerJson.begin(); g != innerJson.end(); ++g)
            inner.insert(g.key(), book->m_groupGroupRatio.value(u.key().toLower()).value(g.key().toLower()).toJson());
        canonicalGg.insert(u.key(), inner);
    }
    book->m_json.insert(kGroupGroupRatio, canonicalGg);
    QJsonObject canonicalTools;
    for (auto t = book->m_toolCallPrices.cbegin(); t != book->m_toolCallPrices.cend(); ++t)
        canonicalTools.insert(t.key(), t.value().toJson());
    book->m_json.insert(kToolCallPrice, canonicalTools);
    return std::shared_ptr<const PriceBook>(std::move(book));
}

std::shared_ptr<const PriceBook> PriceBook::empty()
{
    return *fromJson(QJsonObject());
}

Result<std::shared_ptr<const PriceBook>> PriceBook::withEdit(const QJsonObject &edit) const
{
    QJsonObject merged = m_json;
    const QJsonObject flat = flattenOptionList(edit);
    for (auto it = flat.begin(); it != flat.end(); ++it)
        merged.insert(it.key(), it.value());
    return fromJson(merged, 0);
}

std::shared_ptr<const PriceBook> PriceBook::withSnapshotId(qint64 snapshotId) const
{
    auto copy = std::make_shared<PriceBook>(*this);
    copy->m_snapshotId = snapshotId;
    return copy;
}

QJsonObject PriceBook::toJson() const
{
    return m_json;
}

QList<std::pair<QString, Ratio>> PriceBook::entries(PriceMap map) const
{
    return sortedEntries(m_maps[size_t(map)]);
}

QList<std::pair<QString, Ratio>> PriceBook::entries(UnitPriceMap map) const
{
    return sortedEntries(m_unitMaps[size_t(map)]);
}

QList<std::pair<QString, QHash<QString, Ratio>>> PriceBook::imagePriceEntries() const
{
    return sortedEntries(m_imageMap);
}

namespace {

template <typename Map>
PriceLookup ratioLookup(const Map &m, const QString &model)
{
    PriceLookup result;
    const auto [match, entry] = findModel(m, model);
    result.match = match;
    if (entry) {
        result.key = entry->first;
        result.value = entry->second;
    }
    return result;
}

} // namespace

PriceLookup PriceBook::lookup(PriceMap map, const QString &model) const
{
    return ratioLookup(m_maps[size_t(map)], model);
}

PriceLookup PriceBook::lookup(UnitPriceMap map, const QString &model) const
{
    return ratioLookup(m_unitMaps[size_t(map)], model);
}

ImagePriceLookup PriceBook::imagePrices(const QString &model) const
{
    ImagePriceLookup result;
    const auto [match, entry] = findModel(m_imageMap, model);
    result.match = match;
    if (entry) {
        result.key = entry->first;
        result.prices = entry->second;
    }
    return result;
}

Ratio PriceBook::groupRatio(const QString &userGroup, const QString &usingGroup, bool *userGroupOverride) const
{
    if (userGroupOverride)
        *userGroupOverride = false;
    const QString user = userGroup.toLower();
    const QString using_ = usingGroup.toLower();
    if (auto u = m_groupGroupRatio.constFind(user); u != m_groupGroupRatio.cend()) {
        if (auto g = u->constFind(using_); g != u->cend()) {
            if (userGroupOverride)
                *userGroupOverride = true;
            return *g;
        }
    }
    return m_groupRatio.value(using_, Ratio::fromInteger(1));
}

Result<ModelPricing> PriceBook::pricing(const QString &model, const QString &userGroup, const QString &usingGroup) const
{
    const QString key = model + QChar(0) + userGroup + QChar(0) + usingGroup;
    if (std::optional<ModelPricing> known = m_pricingMemo.find(key))
        return *std::move(known);
    Result<ModelPricing> priced = resolvePricing(model, userGroup, usingGroup);
    if (priced) {
        priced->m_json = priced->buildJson();
        priced->m_jsonMembers = priced->jsonMembers();
        m_pricingMemo.insert(key, *priced);
    }
    return priced;
}

std::optional<ModelPricing> PriceBook::PricingMemo::find(const QString &key) const
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_entries.constFind(key);
    return it == m_entries.cend() ? std::nullopt : std::optional<ModelPricing>(*it);
}

void PriceBook::PricingMemo::insert(const QString &key, const ModelPricing &pricing) const
{
    QMutexLocker lock(&m_mutex);
    if (m_entries.size() >= kPricingMemoCapacity)
        m_entries.clear();
    m_entries.insert(key, pricing);
}

Result<ModelPricing> PriceBook::resolvePricing(const QString &model, const QString &userGroup,
                                               const QString &usingGroup) const
{
    const PriceLookup price = lookup(PriceMap::ModelPrice, model);
    const PriceLookup ratio = lookup(PriceMap::ModelRatio, model);
    const PriceLookup minute = lookup(UnitPriceMap::MinutePrice, model);
    const PriceLookup character = lookup(UnitPriceMap::CharacterPrice, model);
    const ImagePriceLookup images = imagePrices(model);
    const bool unitPriced = minute.found() || character.found() || images.found();
    if (!price.found() && !ratio.found() && !unitPriced)
        return Result<ModelPricing>::failure(QStringLiteral("model price not configured: %1").arg(model));
    ModelPricing p;
    p.model = model;
    p.snapshotId = m_snapshotId;
    // The closer match wins; on a tie a fixed per-call price wins (as in new-api).
    p.fixedPrice = price.found() && rank(price.match) >= rank(ratio.match);
    if (p.fixedPrice)
        p.modelPrice = price.value;
    else
        p.modelRatio = ratio.value;
    auto take = [&](PriceMap map, Ratio *target) {
        const PriceLookup l = lookup(map, model);
        if (l.found())
            *target = l.value;
    };
    take(PriceMap::CompletionRatio, &p.completionRatio);
    take(PriceMap::CacheRatio, &p.cacheRatio);
    take(PriceMap::CreateCacheRatio, &p.createCacheRatio);
    take(PriceMap::CreateCacheRatio1h, &p.createCacheRatio1h);
    take(PriceMap::ImageRatio, &p.imageRatio);
    take(PriceMap::AudioRatio, &p.audioRatio);
    take(PriceMap::AudioCompletionRatio, &p.audioCompletionRatio);
    take(PriceMap::AudioCacheRatio, &p.audioCacheRatio);
    p.groupRatio = groupRatio(userGroup, usingGroup.isEmpty() ? userGroup : usingGroup, &p.userGroupRatio);
    p.toolCallPrices = m_toolCallPrices;
    // Unit prices only (whisper-1, tts-1, dall-e-3): modelRatio stays 0, so tokens are free and units priced.
    if (minute.found())
        p.minutePrice = minute.value;
    if (character.found())
        p.characterPrice = character.value;
    p.imagePrices = images.prices;
    return p;
}

QStringList PriceBook::models() const
{
    QStringList names;
    for (PriceMap map : {PriceMap::ModelRatio, PriceMap::ModelPrice})
        for (const auto &[name, ratio] : entries(map))
            names << name;
    for (UnitPriceMap map : {UnitPriceMap::MinutePrice, UnitPriceMap::CharacterPrice})
        for (const auto &[name, price] : entries(map))
            names << name;
    for (const auto &[name, prices] : imagePriceEntries())
        names << name;
    names.removeDuplicates();
    names.sort();
    return names;
}

std::optional<Ratio> ModelPricing::imagePrice(const QString &size, const QString &quality) const
{
    const QString s = size.trimmed().toLower();
    const QString q = quality.trimmed().toLower();
    for (const QString &key : {QString(s + u'|' + q), s, QStringLiteral("default")}) {
        const auto it = imagePrices.constFind(key);
        if (it != imagePrices.cend())
            return *it;
    }
    return std::nullopt;
}

QJsonObject ModelPricing::toJson() const
{
    return m_json.isEmpty() ? buildJson() : m_json;
}

QByteArray ModelPricing::jsonMembers() const
{
    if (!m_jsonMembers.isEmpty())
        return m_jsonMembers;
    const QByteArray object = CompactJson::write(toJson());
    return object.mid(1, object.size() - 2);
}

QJsonObject ModelPricing::buildJson() const
{
    return {
        {QStringLiteral("model_ratio"), modelRatio.toJson()},
        {QStringLiteral("completion_ratio"), completionRatio.toJson()},
        {QStringLiteral("cache_ratio"), cacheRatio.toJson()},
        {QStringLiteral("create_cache_ratio"), createCacheRatio.toJson()},
        {QStringLiteral("create_cache_ratio_1h"), createCacheRatio1h.toJson()},
        {QStringLiteral("image_ratio"), imageRatio.toJson()},
        {QStringLiteral("audio_ratio"), audioRatio.toJson()},
        {QStringLiteral("audio_completion_ratio"), audioCompletionRatio.toJson()},
        {QStringLiteral("audio_cache_ratio"), audioCacheRatio.toJson()},
        {QStringLiteral("group_ratio"), groupRatio.toJson()},
        {QStringLiteral("user_group_ratio"), userGroupRatio ? groupRatio.toJson() : QJsonValue(-1)},
        {QStringLiteral("model_price"), fixedPrice ? modelPrice.toJson() : QJsonValue(-1)},
        {QStringLiteral("price_snapshot_id"), snapshotId},
    };
}

} // namespace RelayDesk::Billing
