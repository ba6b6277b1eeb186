#include "users/alertlistedit.h"

#include "billing/quotamath.h"

#include <QRegularExpression>

namespace RelayDesk::Ui {

AlertListEdit::AlertListEdit(QWidget *parent) : QPlainTextEdit(parent)
{
    setPlaceholderText(tr("One alert a line, e.g.\nday 80%\n24h 100%\nbalance $5.00"));
    setTabChangesFocus(true);
}

QString AlertListEdit::lineOf(const Store::AlertRule &rule, CurrencyDisplay display)
{
    if (rule.kind == QLatin1String(Store::AlertRepository::kBudget))
        return QStringLiteral("%1 %2%").arg(rule.window).arg(rule.threshold);
    // Plain numbers (no grouping; dollars to the quota: 6 decimals, trailing zeros after the cents dropped), so the
    // line reads back to the same rule.
    if (display == CurrencyDisplay::QuotaUnits)
        return QStringLiteral("balance ") + QString::number(rule.threshold);
    QString dollars = QString::number(double(rule.threshold) / double(Billing::QuotaMath::kQuotaPerUnit), 'f', 6);
    while (dollars.endsWith(u'0') && dollars.indexOf(u'.') < dollars.size() - 3)
        dollars.chop(1);
    return QStringLiteral("balance $") + dollars;
}

void AlertListEdit::setRules(const QList<Store::AlertRule> &rules, CurrencyDisplay display)
{
    m_loaded = rules;
    m_display = display;
    QStringList lines;
    for (const Store::AlertRule &r : rules)
        lines << lineOf(r, display);
    m_loadedText = lines.join(u'\n');
    setPlainText(m_loadedText);
}

void AlertListEdit::setCurrencyDisplay(CurrencyDisplay display)
{
    const bool edited = isEdited();
    m_display = display;
    if (!edited)
        setRules(m_loaded, display);
}

std::optional<Service::AlertRules> AlertListEdit::rules(QString *error) const
{
    static const QRegularExpression budget(QStringLiteral("^(\\S+)\\s+(\\d{1,4})\\s*%$"));
    static const QRegularExpression balance(QStringLiteral("^balance\\s+(\\S+)$"),
                                            QRegularExpression::CaseInsensitiveOption);
    Service::AlertRules out;
    const QStringList lines = toPlainText().split(u'\n');
    for (int i = 0; i < lines.size(); ++i) {
        const QString line = lines.at(i).trimmed();
        if (line.isEmpty())
            continue;
        if (const auto m = balance.match(line); m.hasMatch()) {
            const QString amount = m.captured(1);
            qint64 quota = 0;
            bool ok = false;
            if (amount.startsWith(u'$'))
                ok = parseDollars(amount, &quota);
            else
                quota = amount.toLongLong(&ok);
            if (ok && quota > 0) {
                out.append({QString::fromLatin1(Store::AlertRepository::kBalance), QString(), quota});
                continue;
            }
            *error = tr("Line %1: “%2” is not an amount above zero ($5.00, or quota units).").arg(i + 1).arg(amount);
            return std::nullopt;
        }
        if (const auto m = budget.match(line); m.hasMatch()) {
            out.append({QString::fromLatin1(Store::AlertRepository::kBudget), m.captured(1).toLower(),
                        m.captured(2).toLongLong()});
            continue;
        }
        *error = tr("Line %1: “%2” is neither “<window> <percent>%” nor “balance <amount>”.").arg(i + 1).arg(line);
        return std::nullopt;
    }
    return out;
}

QString AlertListEdit::validationError() const
{
    QString error;
    rules(&error);
    return error;
}

} // namespace RelayDesk::Ui
