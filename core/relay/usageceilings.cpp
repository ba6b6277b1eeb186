#include "relay/usageceilings.h"

#include "relay/jsoncount.h"

#include <QtCore/QJsonDocument>

#include <algorithm>

namespace RelayDesk::Relay {

namespace {

// Generous on purpose: a ceiling flags absurd figures, it never second-guesses an honest large answer.
struct DefaultRule
{
    const char *rule;
    qint64 context;
    qint64 output;
};
constexpr DefaultRule kDefaults[] = {
    {"*", 2'000'000, 200'000}, // unknown models
    {"gpt-3.5*", 16'385, 4'096},
    {"gpt-4*", 128'000, 16'384},
    {"gpt-4.1*", 1'047'576, 32'768},
    {"gpt-5*", 400'000, 128'000},
    {"o1*", 200'000, 100'000},
    {"o3*", 200'000, 100'000},
    {"o4*", 200'000, 100'000},
    {"gpt-realtime*", 128'000, 4'096},
    {"gpt-4o-realtime*", 128'000, 4'096},
    {"gpt-4o-mini-realtime*", 128'000, 4'096},
    {"claude*", 200'000, 128'000},
    // Sonnet 4 and 4.5 take 1M tokens of context with the anthropic-beta context-1m header, which /v1/messages
    // passes through; the prompt counted is input + cache reads + cache writes.
    {"claude-sonnet-4*", 1'000'000, 128'000},
    {"gemini*", 2'097'152, 65'536},
    {"deepseek*", 128'000, 65'536},
};

bool matches(const QString &rule, const QString &model)
{
    if (rule.endsWith(u'*'))
        return model.startsWith(QStringView(rule).chopped(1), Qt::CaseInsensitive);
    return model.compare(rule, Qt::CaseInsensitive) == 0;
}

} // namespace

bool UsageCeilings::Ceiling::admits(qint64 input, qint64 out, qint64 choices) const
{
    // Every figure is a checked count (≤ 2^53) and choices ≤ 128, so the product cannot overflow.
    return input >= 0 && out >= 0 && input <= context && out <= output * std::max<qint64>(1, choices);
}

QJsonObject UsageCeilings::Ceiling::toJson() const
{
    return {{QStringLiteral("rule"), rule}, {QStringLiteral("context"), context}, {QStringLiteral("output"), output}};
}

UsageCeilings UsageCeilings::defaults()
{
    UsageCeilings table;
    for (const DefaultRule &r : kDefaults)
        table.set(QString::fromLatin1(r.rule), r.context, r.output);
    return table;
}

std::optional<UsageCeilings> UsageCeilings::withOverrides(const QJsonObject &overrides, QString *error)
{
    UsageCeilings table = defaults();
    for (auto it = overrides.begin(); it != overrides.end(); ++it) {
        const QJsonObject rule = it.value().toObject();
        const auto context = jsonCount(rule.value(QLatin1StringView("context")));
        const auto output = jsonCount(rule.value(QLatin1StringView("output")));
        if (it.key().isEmpty() || !context || !output || *context == 0 || *output == 0) {
            if (error)
                *error = QStringLiteral("usage ceiling '%1' needs positive integer \"context\" and \"output\"")
                             .arg(it.key());
            return std::nullopt;
        }
        table.set(it.key(), *context, *output);
    }
    return table;
}

const UsageCeilings &UsageCeilings::current()
{
    static const UsageCeilings table = [] {
        const QByteArray env = qgetenv("RELAYDESK_USAGE_CEILINGS");
        if (env.trimmed().isEmpty())
            return defaults();
        QString error;
        const QJsonDocument doc = QJsonDocument::fromJson(env);
        auto parsed = doc.isObject() ? withOverrides(doc.object(), &error) : std::nullopt;
        if (!parsed) {
            qWarning("RELAYDESK_USAGE_CEILINGS ignored: %s",
                     qPrintable(error.isEmpty() ? QStringLiteral("not a JSON object") : error));
            return defaults();
        }
        return *parsed;
    }();
    return table;
}

UsageCeilings::Ceiling UsageCeilings::forModel(const QString &model) const
{
    // An exact name beats any prefix; among prefixes the longest wins.
    const Ceiling *best = nullptr;
    for (const Ceiling &c : m_rules) {
        if (!matches(c.rule, model))
            continue;
        const bool exact = !c.rule.endsWith(u'*');
        const bool bestExact = best && !best->rule.endsWith(u'*');
        if (!best || (exact && !bestExact) || (exact == bestExact && c.rule.size() > best->rule.size()))
            best = &c;
    }
    return best ? *best : Ceiling{};
}

void UsageCeilings::set(const QString &rule, qint64 context, qint64 output)
{
    for (Ceiling &c : m_rules) {
        if (c.rule.compare(rule, Qt::CaseInsensitive) == 0) {
            c.context = context;
            c.output = output;
            return;
        }
    }
    m_rules.append(Ceiling{context, output, rule});
}

} // namespace RelayDesk::Relay
