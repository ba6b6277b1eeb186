#pragma once

#include <QCommandLineParser>
#include <QStringList>

#include <optional>

namespace RelayDesk::Cli {

// The one parser for every `relaydeskd admin …` sub-command, on QCommandLineParser: so `--opt=value` and
// `--opt value` work everywhere, and the database options (--data, --db, --db-file) are accepted by every
// sub-command, anywhere on the line. Strict: declared options only, each at most once, values where
// declared, exactly the declared positional arguments. Errors are messages for the user (exit code 2).
class AdminArgs final
{
public:
    // What one sub-command accepts. Option names are given without dashes ("quota").
    struct Spec
    {
        QStringList positional;   // names, for the message when one is missing
        QStringList valueOptions; // --name VALUE
        QStringList flags;        // --name
        QStringList repeatable;   // value options that may be given more than once (--budget day=5 --budget week=20)
    };

    static const QStringList kDatabaseOptions; // data, db, db-file

    // args: the sub-command's arguments (after its words, e.g. after "user add").
    AdminArgs(const QStringList &args, const Spec &spec);

    bool ok() const { return m_error.isEmpty(); }
    const QString &error() const { return m_error; }
    const QStringList &positional() const { return m_positional; }

    bool has(const QString &option) const { return m_parser.isSet(option); }
    QString value(const QString &option, const QString &fallback = {}) const;
    QStringList values(const QString &option) const { return m_parser.values(option); } // each time given, in order
    // A whole number ≥ 0; nullopt (with *error set) when malformed, fallback when absent.
    std::optional<qint64> count(const QString &option, qint64 fallback, QString *error) const;

    static std::optional<qint64> parseCount(const QString &text);
    static QStringList splitList(const QString &text); // "a, b,c" → {a,b,c}

private:
    QString check(const Spec &spec) const;

    QCommandLineParser m_parser;
    QStringList m_positional;
    QString m_error;
};

} // namespace RelayDesk::Cli
