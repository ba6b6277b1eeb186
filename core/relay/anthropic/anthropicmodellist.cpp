#include "relay/anthropic/anthropicmodellist.h"

#include "http/httprequest.h"

#include <QtCore/QDate>
#include <QtCore/QJsonArray>
#include <QtCore/QRegularExpression>

#include <algorithm>

namespace RelayDesk::Relay {

namespace {

// A trailing -YYYYMMDD snapshot date (claude-sonnet-4-5-20250929), if it is a real date.
QDate snapshotDate(const QString &id)
{
    static const QRegularExpression dated(QStringLiteral("-(\\d{8})$"));
    const auto m = dated.match(id);
    return m.hasMatch() ? QDate::fromString(m.captured(1), QStringLiteral("yyyyMMdd")) : QDate();
}

std::variant<int, OpenAiError> readLimit(const HttpRequest &request)
{
    const QString text = request.queryItem(QStringLiteral("limit"));
    if (text.isNull())
        return AnthropicModelList::kDefaultLimit;
    bool ok = false;
    const int limit = text.toInt(&ok);
    if (!ok || limit < 1 || limit > AnthropicModelList::kMaxLimit)
        return OpenAiError::invalidRequest(QStringLiteral("limit: Input should be an integer from 1 to %1")
                                               .arg(AnthropicModelList::kMaxLimit));
    return limit;
}

} // namespace

QString AnthropicModelList::displayName(const QString &id)
{
    if (!id.startsWith(QLatin1StringView("claude-")))
        return id;
    QString name = id;
    if (snapshotDate(id).isValid())
        name.chop(9);
    QStringList words;
    bool lastNumeric = false;
    for (const QString &part : name.split(u'-', Qt::SkipEmptyParts)) {
        bool numeric = false;
        part.toUInt(&numeric);
        if (numeric && lastNumeric)
            words.last() += u'.' + part; // 4-5 → 4.5
        else
            words.append(numeric ? part : part.left(1).toUpper() + part.mid(1));
        lastNumeric = numeric;
    }
    return words.join(u' ');
}

QString AnthropicModelList::createdAt(const QString &id)
{
    const QDate date = snapshotDate(id);
    return date.isValid() ? date.toString(Qt::ISODate) + QStringLiteral("T00:00:00Z")
                          : QStringLiteral("1970-01-01T00:00:00Z");
}

QJsonObject AnthropicModelList::model(const QString &id)
{
    return QJsonObject{{QStringLiteral("type"), QStringLiteral("model")},
                       {QStringLiteral("id"), id},
                       {QStringLiteral("display_name"), displayName(id)},
                       {QStringLiteral("created_at"), createdAt(id)}};
}

std::variant<QJsonObject, OpenAiError> AnthropicModelList::page(QStringList models, const HttpRequest &request)
{
    const auto limit = readLimit(request);
    if (const auto *error = std::get_if<OpenAiError>(&limit))
        return *error;
    const int n = std::get<int>(limit);
    const QString after = request.queryItem(QStringLiteral("after_id"));
    const QString before = request.queryItem(QStringLiteral("before_id"));
    if (!after.isEmpty() && !before.isEmpty())
        return OpenAiError::invalidRequest(QStringLiteral("after_id and before_id cannot be used together"));

    models.sort();
    models.removeDuplicates();
    // The models on the cursor's side, then the n nearest the cursor.
    qsizetype from = 0;
    qsizetype to = models.size();
    if (!after.isEmpty())
        from = std::upper_bound(models.cbegin(), models.cend(), after) - models.cbegin();
    if (!before.isEmpty())
        to = std::lower_bound(models.cbegin(), models.cend(), before) - models.cbegin();
    const bool hasMore = to - from > n;
    if (hasMore) {
        if (!before.isEmpty())
            from = to - n;
        else
            to = from + n;
    }
    QJsonArray data;
    for (qsizetype i = from; i < to; ++i)
        data.append(model(models.at(i)));
    const bool empty = from >= to;
    return QJsonObject{{QStringLiteral("data"), data},
                       {QStringLiteral("has_more"), hasMore},
                       {QStringLiteral("first_id"), empty ? QJsonValue() : QJsonValue(models.at(from))},
                       {QStringLiteral("last_id"), empty ? QJsonValue() : QJsonValue(models.at(to - 1))}};
}

} // namespace RelayDesk::Relay
