#pragma once

#include "shell/consolepage.h"
#include "users/limitsdialog.h"

#include "service/adminservice.h"

#include <QFuture>

class QLabel;
class QSplitter;
class QTableView;

namespace RelayDesk::Ui {

class KeysModel;
class UsersModel;

// Users & Keys: users (group, balance in $ and quota units, enable/disable, top-ups — recorded as log
// rows by the store) and their API keys (created with quota or unlimited, model limits, group, expiry;
// the full key is shown once with a Copy button, afterwards only its hint; enable/disable; quota) and the limits
// of either (LimitsDialog: rate limits, budget windows, IP allow-list; Limit settings: time zone, trusted proxies).
// Every read and write goes through Service::AdminService on its worker thread (audited, actor "console");
// the page refreshes when the service reports a change of a user or a key, from this page or elsewhere.
class UsersKeysPage final : public ConsolePage
{
    Q_OBJECT

public:
    explicit UsersKeysPage(Service::AdminService *admin, QWidget *parent = nullptr);

    UsersModel *usersModel() const { return m_users; }
    KeysModel *keysModel() const { return m_keys; }

    // The operations behind the buttons (the dialogs collect the values). Each runs on the service's worker;
    // the future finishes after the write (the page reports a failure itself and reloads on changed()).
    QFuture<Store::Result<Store::User>> createUser(const QString &name, const QString &group, qint64 quota);
    QFuture<Store::Status> editUser(qint64 userId, const QString &group, qint64 quota);
    QFuture<Store::Status> topUp(qint64 userId, qint64 quota);
    QFuture<Store::Status> setUserEnabled(qint64 userId, bool enabled);
    QFuture<Store::Result<Store::CreatedApiKey>> createKey(const Store::NewApiKey &spec);
    QFuture<Store::Status> setKeyEnabled(qint64 keyId, bool enabled);
    QFuture<Store::Status> setKeyQuota(qint64 keyId, qint64 quota, bool unlimited);
    // Shows the keys of one user (0 = every user's); loads them.
    void showKeysOf(qint64 userId);
    qint64 selectedUser() const;
    qint64 selectedKey() const;
    // Opens (non-modal, deleted on close) the limits of a user or a key; nullptr when there is no such row.
    LimitsDialog *openLimits(LimitsDialog::Owner owner, qint64 id);

    void refresh() override;
    void setCurrencyDisplay(CurrencyDisplay display) override;
    QByteArray saveState() const override;
    void restoreState(const QByteArray &state) override;

private:
    template<class T, class Write>
    QFuture<T> edit(Write write);
    void loadKeys();
    void newUserDialog();
    void editUserDialog();
    void topUpDialog();
    void newKeyDialog();
    void keyQuotaDialog();
    void limitSettingsDialog();
    void contextMenu(QTableView *table, LimitsDialog::Owner owner, const QPoint &pos);
    void report(const Store::Status &status);
    void showNewKey(const Store::CreatedApiKey &created);

    Service::AdminService *m_admin = nullptr;
    UsersModel *m_users = nullptr;
    KeysModel *m_keys = nullptr;
    QTableView *m_userTable = nullptr;
    QTableView *m_keyTable = nullptr;
    QSplitter *m_splitter = nullptr;
    QLabel *m_message = nullptr;
    QLabel *m_keysTitle = nullptr;
    CurrencyDisplay m_currency = CurrencyDisplay::Dollars;
};

} // namespace RelayDesk::Ui
