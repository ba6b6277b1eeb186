#include "admin_args.h"

#include <QSet>

namespace RelayDesk::Cli {

const QStringList AdminArgs::kDatabaseOptions = {QStringLiteral("data"), QStringLiteral("db"), QStringLiteral("db-file")};

AdminArgs::AdminArgs(const QStringList &args, const Spec &spec)
{
    // "-x" is the unknown long option x, never a bundle of short ones: every admin option is long.
    m_parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    m_parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsOptions);
    for (const QString &name : kDatabaseOptions + spec.valueOptions)
        m_parser.addOption(QCommandLineOption(name, QString(), QStringLiteral("value")));
    for (const QString &name : spec.flags)
        m_parser.addOption(QCommandLineOption(name));
    // QCommandLineParser skips the first argument (the program name).
    if (!m_parser.parse(QStringList{QStringLiteral("relaydeskd admin")} + args)) {
        m_error = m_parser.errorText();
        return;
    }
    m_positional = m_parser.positionalArguments();
    m_error = check(spec);
}

QString AdminArgs::check(const Spec &spec) const
{
    QSet<QString> seen;
    for (const QString &name : m_parser.optionNames()) {
        if (seen.contains(name) && !spec.repeatable.contains(name))
            return QStringLiteral("option --%1 given twice").arg(name);
        seen.insert(name);
    }
    if (m_positional.size() < spec.positional.size())
        return QStringLiteral("missing %1").arg(spec.positional.mid(m_positional.size()).join(QStringLiteral(", ")));
    if (m_positional.size() > spec.positional.size())
        return QStringLiteral("unexpected argument '%1'").arg(m_positional.value(spec.positional.size()));
    return {};
}

QString AdminArgs::value(const QString &option, const QString &fallback) const
{
    return m_parser.isSet(option) ? m_parser.value(option) : fallback;
}

std::optional<qint64> AdminArgs::parseCount(const QString &text)
{
    bool ok = false;
    const qint64 v = text.trimmed().toLongLong(&ok);
    if (!ok || v < 0)
        return std::nullopt;
    return v;
}

std::optional<qint64> AdminArgs::count(const QString &option, qint64 fallback, QString *error) const
{
    if (!has(option))
        return fallback;
    const auto v = parseCount(value(option));
    if (!v)
        *error = QStringLiteral("--%1 must be a whole number ≥ 0 (got '%2')").arg(option, value(option));
    return v;
}

QStringList AdminArgs::splitList(const QString &text)
{
    QStringList items;
    for (const QString &part : text.split(u',', Qt::SkipEmptyParts)) {
        const QString item = part.trimmed();
        if (!item.isEmpty())
            items << item;
    }
    return items;
}

} // namespace RelayDesk::Cli
