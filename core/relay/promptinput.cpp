#include "relay/promptinput.h"

#include "relay/chat/chatrelaytokens.h"
#include "relay/jsoncount.h"

#include <QtCore/QJsonArray>

namespace RelayDesk::Relay {

namespace {

constexpr qint64 kMaxTokenId = 2147483647;

OpenAiError invalid(const QByteArray &param, const QString &message)
{
    return OpenAiError::invalidRequest(message, "invalid_value", param);
}

// A token-id array: its length, or -1 when an element is not a token id.
qint64 tokenArrayLength(const QJsonArray &array)
{
    for (const QJsonValue &v : array)
        if (!jsonCount(v, kMaxTokenId))
            return -1;
    return array.size();
}

} // namespace

std::variant<PromptInput, OpenAiError> PromptInput::read(const QJsonValue &value, const QByteArray &param,
                                                        Limits limits)
{
    const QString name = QString::fromLatin1(param);
    const QString shapes = QStringLiteral("Invalid '%1': expected a string, an array of strings, an array of "
                                          "token ids or an array of token-id arrays.").arg(name);
    PromptInput out;
    if (value.isUndefined() || value.isNull())
        return OpenAiError::invalidRequest(QStringLiteral("'%1' is a required property").arg(name),
                                           "missing_required_parameter", param);
    if (value.isString()) {
        if (value.toString().isEmpty() && !limits.allowEmpty)
            return invalid(param, QStringLiteral("Invalid '%1': the string must not be empty.").arg(name));
        out.items.append(Item{value.toString()});
        return out;
    }
    if (!value.isArray())
        return invalid(param, shapes);
    const QJsonArray array = value.toArray();
    if (array.isEmpty())
        return invalid(param, QStringLiteral("Invalid '%1': the array must not be empty.").arg(name));
    if (array.first().isDouble()) { // one prompt given as token ids
        const qint64 length = tokenArrayLength(array);
        if (length < 0)
            return invalid(param, QStringLiteral("Invalid '%1': token ids must be integers from 0 to %2.")
                                      .arg(name).arg(kMaxTokenId));
        out.items.append(Item{{}, length});
        return out;
    }
    if (array.size() > limits.maxItems)
        return invalid(param, QStringLiteral("Invalid '%1': at most %2 inputs per request, got %3.")
                                  .arg(name).arg(limits.maxItems).arg(array.size()));
    const bool strings = array.first().isString();
    out.items.reserve(array.size());
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QJsonValue &v = array.at(i);
        if (strings && v.isString()) {
            if (v.toString().isEmpty() && !limits.allowEmpty)
                return invalid(param, QStringLiteral("Invalid '%1[%2]': the string must not be empty.").arg(name).arg(i));
            out.items.append(Item{v.toString()});
        } else if (!strings && v.isArray()) {
            const QJsonArray ids = v.toArray();
            const qint64 length = tokenArrayLength(ids);
            if (length < 0)
                return invalid(param, QStringLiteral("Invalid '%1[%2]': token ids must be integers from 0 to %3.")
                                          .arg(name).arg(i).arg(kMaxTokenId));
            if (length == 0 && !limits.allowEmpty)
                return invalid(param, QStringLiteral("Invalid '%1[%2]': the array must not be empty.").arg(name).arg(i));
            out.items.append(Item{{}, length});
        } else {
            return invalid(param, shapes);
        }
    }
    return out;
}

QList<qint64> PromptInput::tokenCounts(const QString &model) const
{
    QList<qint64> counts;
    counts.reserve(items.size());
    for (const Item &item : items)
        counts.append(item.isTokens() ? item.tokenIds : ChatRelayTokens::countText(item.text, model));
    return counts;
}

} // namespace RelayDesk::Relay
