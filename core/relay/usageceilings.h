#pragma once
// How much usage one answer can plausibly have: a model's context window (input) and its output limit.
//
// Upstream usage is what the relay bills, but an upstream can be wrong or hostile (a Realtime upstream once
// reported 2^53 tokens in one response). Usage beyond the ceiling is not billed as reported: it is charged at
// most up to the call's reservation and the log row is marked `disputed`, for an operator to decide.
//
// Defaults by model prefix (documented in README.md, "Accounting"); the longest matching `prefix*` rule wins,
// `*` is the fallback. The environment variable RELAYDESK_USAGE_CEILINGS overrides or adds rules, as JSON:
//   {"gpt-4o*": {"context": 128000, "output": 16384}, "my-model": {"context": 32768, "output": 8192}}
#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtCore/QString>

#include <optional>

namespace RelayDesk::Relay {

class UsageCeilings final
{
public:
    struct Ceiling
    {
        qint64 context = 0; // input tokens of one request / response
        qint64 output = 0;  // output tokens of one choice
        QString rule;       // the rule that matched ("gpt-4o*", "*")

        // Whether reported input and output (over `choices` choices) fit under the ceiling.
        bool admits(qint64 input, qint64 output, qint64 choices = 1) const;
        QJsonObject toJson() const;
    };

    // The built-in table.
    static UsageCeilings defaults();
    // The defaults with `overrides` on top; nullopt (and *error) when a rule is malformed.
    static std::optional<UsageCeilings> withOverrides(const QJsonObject &overrides, QString *error = nullptr);
    // What the relays use: the defaults plus RELAYDESK_USAGE_CEILINGS (read once; a malformed value is
    // reported with qWarning and ignored).
    static const UsageCeilings &current();

    Ceiling forModel(const QString &model) const;

private:
    void set(const QString &rule, qint64 context, qint64 output);

    QList<Ceiling> m_rules; // exact names and prefixes (ending in '*')
};

} // namespace RelayDesk::Relay
