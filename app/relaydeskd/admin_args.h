#pragma once

#include <QHash>
#include <QSet>
#include <QStringList>

#include <optional>

namespace RelayDesk::Cli {

// A strict argument parser for `relaydeskd admin …`: declared options only, each at most once,
// values required where declared. Errors are messages for the user (exit code 2).
class AdminArgs
{
public:
    // valueOptions: "--name" style options that take a value; flags: options without one.
    AdminArgs(const QStringList &args, const QStringList &valueOptions, const QStringList &flags = {});

    bool ok() const { return m_error.isEmpty(); }
    const QString &error() const { return m_error; }
    const QStringList &positional() const { return m_positional; }

    bool has(const QString &option) const { return m_values.contains(option) || m_flags.contains(option); }
    QString value(const QString &option, const QString &fallback = {}) const { return m_values.value(option, fallback); }
    // A non-negative integer option; sets *error on a malformed value.
    std::optional<qint64> count(const QString &option, qint64 fallback, QString *error) const;
    // Requires exactly `n` positional arguments named `names` (for the message).
    bool expectPositional(const QStringList &names, QString *error) const;

    static std::optional<qint64> parseCount(const QString &text);
    static QStringList splitList(const QString &text); // "a, b,c" → {a,b,c}

private:
    QStringList m_positional;
    QHash<QString, QString> m_values;
    QSet<QString> m_flags;
    QString m_error;
};

} // namespace RelayDesk::Cli
