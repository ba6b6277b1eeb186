#pragma once

#include "widgets/money.h"

#include "service/adminservice.h"

#include <QPlainTextEdit>

namespace RelayDesk::Ui {

// The spend alerts of a user or a key edited as text, one a line: "<window> <percent>%" fires when the budget
// window's spend reaches that share of its cap ("day 80%", "24h 100%"); "balance <amount>" fires when the balance
// falls below the amount (dollars "$5.00", or quota units when the page shows quota). validationError() names the
// first line that does not read; the service then checks the rest (the window must be one of the owner's).
class AlertListEdit final : public QPlainTextEdit
{
    Q_OBJECT

public:
    explicit AlertListEdit(QWidget *parent = nullptr);

    // The stored rules, shown in `display`; replaces the text and marks it unedited.
    void setRules(const QList<Store::AlertRule> &rules, CurrencyDisplay display);
    // Shows the same rules in another currency display (keeps an unapplied edit as typed).
    void setCurrencyDisplay(CurrencyDisplay display);
    // The rules typed (nullopt with *error "Line N: …" when a line does not read).
    std::optional<Service::AlertRules> rules(QString *error) const;
    QString validationError() const;
    bool isEdited() const { return toPlainText() != m_loadedText; }

    static QString lineOf(const Store::AlertRule &rule, CurrencyDisplay display);

private:
    QList<Store::AlertRule> m_loaded;
    QString m_loadedText;
    CurrencyDisplay m_display = CurrencyDisplay::Dollars;
};

} // namespace RelayDesk::Ui
