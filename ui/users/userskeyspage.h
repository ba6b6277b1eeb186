#pragma once

#include "shell/consolepage.h"

#include "store/apikeyrepository.h"
#include "store/records.h"
#include "store/result.h"

#include <functional>
#include <memory>

class QLabel;
class QSplitter;
class QTableView;

namespace RelayDesk::Store { class Database; }

namespace RelayDesk::Ui {

class KeysModel;
class UsersModel;

// Users & Keys: users (group, balance in $ and quota units, enable/disable, top-ups — recorded as log
// rows by the store) and their API keys (created with quota or unlimited, model limits, group, expiry;
// the full key is shown once with a Copy button, afterwards only its hint; enable/disable; quota).
// Every change goes through the store repositories.
class UsersKeysPage final : public ConsolePage
{
    Q_OBJECT

public:
    explicit UsersKeysPage(std::shared_ptr<Store::Database> db, QWidget *parent = nullptr);

    // Hooks run after an edit (e.g. Service::Runtime::invalidateUser / invalidateKey).
    void setInvalidation(std::function<void(qint64 userId)> userChanged, std::function<void(qint64 keyId)> keyChanged);

    UsersModel *usersModel() const { return m_users; }
    KeysModel *keysModel() const { return m_keys; }

    // The operations behind the buttons (the dialogs collect the values).
    Store::Result<Store::User> createUser(const QString &name, const QString &group, qint64 quota);
    Store::Status editUser(qint64 userId, const QString &group, qint64 quota);
    Store::Status topUp(qint64 userId, qint64 quota);
    Store::Status setUserEnabled(qint64 userId, bool enabled);
    Store::Result<Store::CreatedApiKey> createKey(const Store::NewApiKey &spec);
    Store::Status setKeyEnabled(qint64 keyId, bool enabled);
    Store::Status setKeyQuota(qint64 keyId, qint64 quota, bool unlimited);
    qint64 selectedUser() const;
    qint64 selectedKey() const;

    void refresh() override;
    void setCurrencyDisplay(CurrencyDisplay display) override;
    QByteArray saveState() const override;
    void restoreState(const QByteArray &state) override;

private:
    void newUserDialog();
    void editUserDialog();
    void topUpDialog();
    void newKeyDialog();
    void keyQuotaDialog();
    void report(const Store::Status &status);
    void showNewKey(const Store::CreatedApiKey &created);

    std::shared_ptr<Store::Database> m_db;
    std::function<void(qint64)> m_userChanged;
    std::function<void(qint64)> m_keyChanged;
    UsersModel *m_users = nullptr;
    KeysModel *m_keys = nullptr;
    QTableView *m_userTable = nullptr;
    QTableView *m_keyTable = nullptr;
    QSplitter *m_splitter = nullptr;
    QLabel *m_message = nullptr;
    QLabel *m_keysTitle = nullptr;
};

} // namespace RelayDesk::Ui
