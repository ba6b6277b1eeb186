#include "users/limitsdialog.h"

#include "shell/deliverlater.h"
#include "users/alertlistedit.h"
#include "users/budgetwindowsmodel.h"
#include "users/iplistedit.h"
#include "users/ratelimitsmodel.h"

#include <QDialogButtonBox>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace RelayDesk::Ui {

namespace {
QTableView *makeTable(QWidget *parent, QAbstractItemModel *model, const QString &name)
{
    auto *t = new QTableView(parent);
    t->setObjectName(name);
    t->setModel(model);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->setSelectionMode(QAbstractItemView::SingleSelection);
    t->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed
                       | QAbstractItemView::AnyKeyPressed);
    t->verticalHeader()->hide();
    t->verticalHeader()->setDefaultSectionSize(t->fontMetrics().height() + 6);
    t->horizontalHeader()->setStretchLastSection(true);
    t->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    return t;
}

template<class T>
QString errorOf(const Store::Result<T> &r)
{
    return r ? QString() : r.error();
}
} // namespace

LimitsDialog::LimitsDialog(Service::AdminService *admin, Owner owner, qint64 ownerId, const QString &ownerName,
                           CurrencyDisplay display, QWidget *parent)
    : QDialog(parent)
    , m_admin(admin)
    , m_owner(owner)
    , m_ownerId(ownerId)
    , m_display(display)
{
    setObjectName(QStringLiteral("limitsDialog"));
    setWindowTitle(owner == Owner::User ? tr("Limits of user %1").arg(ownerName) : tr("Limits of key %1").arg(ownerName));
    m_rates = new RateLimitsModel(this);
    m_budgets = new BudgetWindowsModel(this);
    m_budgets->setCurrencyDisplay(display);

    auto *layout = new QVBoxLayout(this);
    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("limitsMessage"));
    m_message->setWordWrap(true);
    m_message->setStyleSheet(QStringLiteral("QLabel { background: #fdecea; color: #8a1f11; padding: 4px; border-radius: 3px; }"));
    m_message->hide();

    auto *ratesBox = new QGroupBox(tr("Rate limits"), this);
    auto *ratesLayout = new QVBoxLayout(ratesBox);
    m_rateTable = makeTable(ratesBox, m_rates, QStringLiteral("rateTable"));
    // Four fixed rows: shown whole, never scrolled.
    m_rateTable->setFixedHeight(m_rateTable->horizontalHeader()->sizeHint().height()
                                + m_rates->rowCount() * m_rateTable->verticalHeader()->defaultSectionSize()
                                + 2 * m_rateTable->frameWidth());
    m_rateTable->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    ratesLayout->addWidget(m_rateTable);

    auto *budgetsBox = new QGroupBox(tr("Budget windows"), this);
    auto *budgetsLayout = new QVBoxLayout(budgetsBox);
    m_budgetTable = makeTable(budgetsBox, m_budgets, QStringLiteral("budgetTable"));
    auto *add = new QPushButton(tr("Add window"), budgetsBox);
    auto *remove = new QPushButton(tr("Remove window"), budgetsBox);
    m_zone = new QLabel(budgetsBox);
    m_zone->setObjectName(QStringLiteral("budgetTimeZone"));
    m_zone->setWordWrap(true);
    auto *budgetButtons = new QHBoxLayout;
    budgetButtons->addWidget(m_zone, 1);
    budgetButtons->addWidget(add);
    budgetButtons->addWidget(remove);
    budgetsLayout->addWidget(m_budgetTable);
    budgetsLayout->addLayout(budgetButtons);

    auto *ipsBox = new QGroupBox(tr("IP allow-list"), this);
    auto *ipsLayout = new QVBoxLayout(ipsBox);
    m_allowList = new IpListEdit(ipsBox);
    m_allowList->setObjectName(QStringLiteral("allowList"));
    ipsLayout->addWidget(new QLabel(tr("Requests are refused (403) from addresses outside the list; empty allows every address."), ipsBox));
    ipsLayout->addWidget(m_allowList);

    auto *alertsBox = new QGroupBox(tr("Spend alerts"), this);
    auto *alertsLayout = new QVBoxLayout(alertsBox);
    alertsLayout->addWidget(new QLabel(tr("Each fires once per crossing: a window's alert once per period, a balance "
                                          "alert again after a top-up. Shown here as a notification and posted to "
                                          "the alert webhook (relaydeskd admin alert-webhook)."),
                                       alertsBox));
    m_alerts = new AlertListEdit(alertsBox);
    m_alerts->setObjectName(QStringLiteral("alertList"));
    m_alerts->setMaximumHeight(m_alerts->fontMetrics().height() * 5 + 12);
    m_alertState = new QLabel(alertsBox);
    m_alertState->setObjectName(QStringLiteral("alertState"));
    m_alertState->setWordWrap(true);
    alertsLayout->addWidget(m_alerts);
    alertsLayout->addWidget(m_alertState);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Apply | QDialogButtonBox::Close, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_apply = buttons->button(QDialogButtonBox::Apply);
    layout->addWidget(m_message);
    layout->addWidget(ratesBox);
    layout->addWidget(budgetsBox, 1);
    layout->addWidget(alertsBox);
    layout->addWidget(ipsBox);
    layout->addWidget(buttons);
    resize(720, 760);

    connect(add, &QPushButton::clicked, this, &LimitsDialog::addWindow);
    connect(remove, &QPushButton::clicked, this, &LimitsDialog::removeWindow);
    connect(m_apply, &QPushButton::clicked, this, [this] { apply(); });
    connect(m_ok, &QPushButton::clicked, this, [this] {
        apply().then(this, [this](const Store::Status &status) {
            if (status)
                accept();
        });
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    if (m_admin)
        connect(m_admin, &Service::AdminService::changed, this, [this](Store::ChangeKind kind, qint64 id) {
            if (!concerns(kind, id) || m_reloadPending)
                return;
            m_reloadPending = true; // one reload however many edits arrive together
            QTimer::singleShot(0, this, [this] {
                m_reloadPending = false;
                reload();
            });
        });
    reload();
}

bool LimitsDialog::concerns(Store::ChangeKind kind, qint64 entityId) const
{
    // The time zone and trusted proxies are announced as a change of every user (entity 0): they move key windows too.
    if (kind == Store::ChangeKind::User && entityId == 0)
        return true;
    const auto mine = m_owner == Owner::User ? Store::ChangeKind::User : Store::ChangeKind::Key;
    return kind == mine && (entityId == m_ownerId || entityId == 0);
}

QString LimitsDialog::message() const
{
    return m_message->isHidden() ? QString() : m_message->text();
}

void LimitsDialog::setCurrencyDisplay(CurrencyDisplay display)
{
    m_display = display;
    m_budgets->setCurrencyDisplay(display);
    m_alerts->setCurrencyDisplay(display);
}

LimitsDialog::Snapshot LimitsDialog::read(Service::AdminService &s, Owner owner, qint64 id)
{
    Snapshot snap;
    const bool user = owner == Owner::User;
    const auto rates = user ? s.userRates(id) : s.keyRates(id);
    const auto budgets = user ? s.userBudgets(id) : s.keyBudgets(id);
    snap.error = rates ? errorOf(budgets) : rates.error();
    if (rates)
        snap.rates = rates.value();
    if (budgets)
        snap.budgets = budgets.value();
    snap.allowList = user ? s.userAllowedIps(id) : s.keyAllowedIps(id);
    snap.alerts = user ? s.userAlerts(id) : s.keyAlerts(id);
    snap.timeZone = s.budgetTimeZone();
    return snap;
}

Store::Status LimitsDialog::write(Service::AdminService &s, Owner owner, qint64 id, const Edits &edits)
{
    const bool user = owner == Owner::User;
    // One write per part, each audited; the first failure stops the rest (what was written stays written, and the
    // reload after it shows which part that was).
    if (!edits.rates.isEmpty())
        if (const auto r = user ? s.setUserRates(id, edits.rates) : s.setKeyRates(id, edits.rates); !r)
            return Store::Status::failure(r.error());
    if (edits.budgets)
        if (const auto r = user ? s.setUserBudgets(id, *edits.budgets) : s.setKeyBudgets(id, *edits.budgets); !r)
            return Store::Status::failure(r.error());
    if (edits.allowList)
        if (const auto r = user ? s.setUserAllowedIps(id, *edits.allowList) : s.setKeyAllowedIps(id, *edits.allowList); !r)
            return Store::Status::failure(r.error());
    // After the budgets: an alert may name a window added by the same Apply.
    if (edits.alerts)
        if (const auto r = user ? s.setUserAlerts(id, *edits.alerts) : s.setKeyAlerts(id, *edits.alerts); !r)
            return Store::Status::failure(r.error());
    return {};
}

void LimitsDialog::reload()
{
    if (!m_admin)
        return;
    setBusy(true);
    deliverLater(m_admin->async([owner = m_owner, id = m_ownerId](Service::AdminService &s) { return read(s, owner, id); }),
                 this, [this](const Snapshot &snapshot) {
                     setBusy(false);
                     present(snapshot, true);
                 });
}

QFuture<Store::Status> LimitsDialog::apply()
{
    QString error = m_budgets->validationError();
    if (error.isEmpty())
        error = m_allowList->validationError();
    if (error.isEmpty())
        error = m_alerts->validationError();
    if (error.isEmpty() && !m_admin)
        error = tr("No database is open.");
    if (!error.isEmpty()) {
        showMessage(error);
        return QtFuture::makeReadyFuture(Store::Status::failure(error));
    }
    Edits edits;
    edits.rates = m_rates->changedCaps();
    if (m_budgets->isEdited())
        edits.budgets = m_budgets->windows();
    if (m_allowList->isEdited())
        edits.allowList = m_allowList->entries();
    if (m_alerts->isEdited())
        edits.alerts = m_alerts->rules(&error);
    struct Outcome
    {
        Store::Status status;
        Snapshot snapshot;
    };
    setBusy(true);
    QFuture<Outcome> done = m_admin->async([owner = m_owner, id = m_ownerId, edits](Service::AdminService &s) {
        Outcome o;
        o.status = write(s, owner, id, edits);
        o.snapshot = read(s, owner, id);
        return o;
    });
    return done.then(this, [this](const Outcome &o) {
        setBusy(false);
        present(o.snapshot, !o.status); // applied: show the store; failed: keep every edit
        showMessage(o.status ? QString() : o.status.error());
        return o.status;
    });
}

void LimitsDialog::present(const Snapshot &snapshot, bool keepEdits)
{
    if (!snapshot.error.isEmpty()) {
        showMessage(snapshot.error);
        emit loaded();
        return;
    }
    m_rates->setStates(snapshot.rates, keepEdits);
    m_budgets->setStates(snapshot.budgets, keepEdits);
    if (!keepEdits || !m_allowList->isEdited())
        m_allowList->setEntries(snapshot.allowList);
    if (!keepEdits || !m_alerts->isEdited())
        m_alerts->setRules(snapshot.alerts, m_display);
    QStringList fired;
    for (const Store::AlertRule &rule : snapshot.alerts)
        if (rule.firedPeriod != 0)
            fired << AlertListEdit::lineOf(rule, m_display);
    m_alertState->setText(fired.isEmpty() ? tr("No alert has fired in its current period.")
                                          : tr("Fired and waiting for the next period or a top-up: %1").arg(fired.join(QStringLiteral(", "))));
    m_timeZone = snapshot.timeZone;
    m_zone->setText(tr("Calendar windows count in %1 (Limit settings on the Users & Keys page).").arg(m_timeZone));
    emit loaded();
}

void LimitsDialog::showMessage(const QString &error)
{
    m_message->setText(error);
    m_message->setVisible(!error.isEmpty());
}

void LimitsDialog::addWindow()
{
    const int row = m_budgets->addWindow(QStringLiteral("day"), 0);
    const QModelIndex name = m_budgets->index(row, BudgetWindowsModel::Window);
    m_budgetTable->setCurrentIndex(name);
    m_budgetTable->edit(name);
}

void LimitsDialog::removeWindow()
{
    const QModelIndex current = m_budgetTable->currentIndex();
    if (current.isValid())
        m_budgets->removeWindow(current.row());
}

void LimitsDialog::setBusy(bool busy)
{
    m_busy += busy ? 1 : -1;
    m_apply->setEnabled(m_busy == 0);
    m_ok->setEnabled(m_busy == 0);
}

} // namespace RelayDesk::Ui
