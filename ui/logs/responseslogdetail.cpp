#include "logs/responseslogdetail.h"

#include "widgets/money.h"

#include <algorithm>

namespace RelayDesk::Ui {

namespace {

const QLatin1StringView kResponsesPath("/v1/responses");

qint64 integerAt(const QJsonObject &o, QLatin1StringView key)
{
    return o.value(key).toInteger();
}

} // namespace

bool ResponsesLogDetail::applies(const QJsonObject &other)
{
    const QString path = other.value(QLatin1StringView("request_path")).toString();
    return path == kResponsesPath || path.startsWith(kResponsesPath + QLatin1Char('/'));
}

QStringList ResponsesLogDetail::lines(const QJsonObject &other)
{
    if (!applies(other))
        return {};
    QStringList out;
    const QString path = other.value(QLatin1StringView("request_path")).toString();
    out << tr("Responses API endpoint: %1").arg(path);
    const QString id = other.value(QLatin1StringView("response_id")).toString();
    out << tr("Response ID: %1").arg(id.isEmpty() ? tr("(none reported)") : id);
    const QString status = other.value(QLatin1StringView("response_status")).toString();
    out << tr("Response status: %1").arg(status.isEmpty() ? tr("(none reported)") : status);
    out << tr("Cached tokens: %1 · cache write: %2 · reasoning: %3")
               .arg(formatTokens(integerAt(other, QLatin1StringView("cache_tokens"))),
                    formatTokens(integerAt(other, QLatin1StringView("cache_write_tokens"))),
                    formatTokens(integerAt(other, QLatin1StringView("reasoning_tokens"))));

    const QJsonObject calls = other.value(QLatin1StringView("tool_calls")).toObject();
    if (calls.isEmpty()) {
        out << tr("Built-in tool calls: none");
        return out;
    }
    QStringList types = calls.keys();
    std::sort(types.begin(), types.end());
    qint64 total = 0;
    QStringList parts;
    for (const QString &type : std::as_const(types)) {
        const qint64 n = calls.value(type).toInteger();
        total += n;
        parts << tr("%1 × %2").arg(type, formatTokens(n));
    }
    const qint64 quota = integerAt(other, QLatin1StringView("tool_quota"));
    out << tr("Built-in tool calls: %1 (%2 in all)").arg(parts.join(QStringLiteral(", ")), formatTokens(total));
    out << tr("Tool-call charge: %1 (%2 quota), included in the charge above")
               .arg(formatQuota(quota, CurrencyDisplay::Dollars), formatTokens(quota));
    return out;
}

} // namespace RelayDesk::Ui
