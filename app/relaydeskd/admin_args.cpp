#include "admin_args.h"

namespace RelayDesk::Cli {

AdminArgs::AdminArgs(const QStringList &args, const QStringList &valueOptions, const QStringList &flags)
{
    for (int i = 0; i < args.size(); ++i) {
        QString arg = args[i];
        if (!arg.startsWith(QStringLiteral("--")) || arg == u"--") {
            m_positional << arg;
            continue;
        }
        QString inlineValue;
        bool hasInline = false;
        if (const qsizetype eq = arg.indexOf(u'='); eq > 0) {
            inlineValue = arg.mid(eq + 1);
            arg = arg.left(eq);
            hasInline = true;
        }
        if (has(arg)) {
            m_error = QStringLiteral("option %1 given twice").arg(arg);
            return;
        }
        if (flags.contains(arg)) {
            if (hasInline) {
                m_error = QStringLiteral("option %1 takes no value").arg(arg);
                return;
            }
            m_flags.insert(arg);
        } else if (valueOptions.contains(arg)) {
            if (hasInline) {
                m_values.insert(arg, inlineValue);
            } else if (i + 1 < args.size()) {
                m_values.insert(arg, args[++i]);
            } else {
                m_error = QStringLiteral("option %1 needs a value").arg(arg);
                return;
            }
        } else {
            m_error = QStringLiteral("unknown option %1").arg(arg);
            return;
        }
    }
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
    if (!m_values.contains(option))
        return fallback;
    const auto v = parseCount(m_values.value(option));
    if (!v)
        *error = QStringLiteral("%1 must be a whole number ≥ 0 (got '%2')").arg(option, m_values.value(option));
    return v;
}

bool AdminArgs::expectPositional(const QStringList &names, QString *error) const
{
    if (m_positional.size() == names.size())
        return true;
    if (m_positional.size() < names.size())
        *error = QStringLiteral("missing %1").arg(names.mid(m_positional.size()).join(QStringLiteral(", ")));
    else
        *error = QStringLiteral("unexpected argument '%1'").arg(m_positional.value(names.size()));
    return false;
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
