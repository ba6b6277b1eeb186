#pragma once

#include "widgets/money.h"

#include "service/adminservice.h"

#include <QDialog>
#include <QFuture>

class QLabel;
class QPushButton;
class QTableView;

namespace RelayDesk::Ui {

class AlertListEdit;
class BudgetWindowsModel;
class IpListEdit;
class RateLimitsModel;

// The limits of one user or key (issue 16): rate limits (rpm, tpm, rpd, concurrency) with what each window counts
// now, budget windows with their spend, period and reset time, spend alerts, and the IP allow-list; the budget time zone in force
// is shown (it is edited in Limit settings). Every read and write goes through AdminService::async (never SQL on
// the GUI thread); Apply checks everything typed first (a bad window or CIDR is named, nothing is written), then
// writes what changed, each audited by the service. A failure is shown here and what was typed stays. A change of
// this user or key elsewhere (this console, another one, the CLI) reloads the dialog: the counts always move, the
// fields the user has edited keep their edits.
class LimitsDialog final : public QDialog
{
    Q_OBJECT

public:
    enum class Owner { User, Key };

    LimitsDialog(Service::AdminService *admin, Owner owner, qint64 ownerId, const QString &ownerName,
                 CurrencyDisplay display, QWidget *parent = nullptr);

    Owner owner() const { return m_owner; }
    qint64 ownerId() const { return m_ownerId; }
    RateLimitsModel *ratesModel() const { return m_rates; }
    BudgetWindowsModel *budgetsModel() const { return m_budgets; }
    IpListEdit *allowList() const { return m_allowList; }
    AlertListEdit *alerts() const { return m_alerts; }
    QString timeZone() const { return m_timeZone; }
    QString message() const; // the failure shown, empty when none
    bool isBusy() const { return m_busy > 0; }

    void setCurrencyDisplay(CurrencyDisplay display);
    // Reads the limits again (keeping unapplied edits).
    void reload();
    // Checks what was typed and writes what changed; the future finishes after the writes and the reload that
    // follows them (a failure is also shown in the dialog).
    QFuture<Store::Status> apply();

signals:
    // After each read was shown (the first load, a reload, the one after Apply).
    void loaded();

private:
    struct Snapshot
    {
        QString error;
        QList<Store::RateState> rates;
        QList<Store::BudgetState> budgets;
        QStringList allowList;
        QList<Store::AlertRule> alerts;
        QString timeZone;
    };
    struct Edits
    {
        Service::RateCaps rates;
        std::optional<Service::BudgetWindows> budgets;
        std::optional<QStringList> allowList;
        std::optional<Service::AlertRules> alerts;
    };
    static Snapshot read(Service::AdminService &s, Owner owner, qint64 id);
    static Store::Status write(Service::AdminService &s, Owner owner, qint64 id, const Edits &edits);
    void present(const Snapshot &snapshot, bool keepEdits);
    void showMessage(const QString &error);
    void addWindow();
    void removeWindow();
    void setBusy(bool busy);
    bool concerns(Store::ChangeKind kind, qint64 entityId) const;

    Service::AdminService *m_admin = nullptr;
    Owner m_owner;
    qint64 m_ownerId = 0;
    RateLimitsModel *m_rates = nullptr;
    BudgetWindowsModel *m_budgets = nullptr;
    QTableView *m_rateTable = nullptr;
    QTableView *m_budgetTable = nullptr;
    IpListEdit *m_allowList = nullptr;
    AlertListEdit *m_alerts = nullptr;
    QLabel *m_alertState = nullptr;
    CurrencyDisplay m_display;
    QLabel *m_zone = nullptr;
    QLabel *m_message = nullptr;
    QPushButton *m_apply = nullptr;
    QPushButton *m_ok = nullptr;
    QString m_timeZone;
    int m_busy = 0;
    bool m_reloadPending = false;
};

} // namespace RelayDesk::Ui
