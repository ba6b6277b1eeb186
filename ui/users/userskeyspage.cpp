#include "users/userskeyspage.h"

#include "users/keydialog.h"
#include "widgets/quotaedit.h"
#include "users/usersmodel.h"

#include "store/userrepository.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QDataStream>
#include <QDateTimeEdit>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace RelayDesk::Ui {

namespace {

QTableView *makeTable(QWidget *parent, QAbstractItemModel *model, const QString &name, int sortRole)
{
    auto *proxy = new QSortFilterProxyModel(parent);
    proxy->setSourceModel(model);
    proxy->setSortRole(sortRole);
    auto *t = new QTableView(parent);
    t->setObjectName(name);
    t->setModel(proxy);
    t->setSortingEnabled(true);
    t->sortByColumn(0, Qt::AscendingOrder);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->setSelectionMode(QAbstractItemView::SingleSelection);
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->setAlternatingRowColors(true);
    t->verticalHeader()->hide();
    t->verticalHeader()->setDefaultSectionSize(t->fontMetrics().height() + 6);
    t->horizontalHeader()->setStretchLastSection(true);
    t->horizontalHeader()->setSectionsMovable(true);
    return t;
}

qint64 selectedId(QTableView *table, int role)
{
    const QModelIndex i = table->selectionModel()->currentIndex();
    return i.isValid() ? i.siblingAtColumn(0).data(role).toLongLong() : 0;
}

QDialogButtonBox *okCancel(QDialog *d)
{
    auto *b = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, d);
    QObject::connect(b, &QDialogButtonBox::accepted, d, &QDialog::accept);
    QObject::connect(b, &QDialogButtonBox::rejected, d, &QDialog::reject);
    return b;
}

} // namespace

UsersKeysPage::UsersKeysPage(std::shared_ptr<Store::Database> db, QWidget *parent)
    : ConsolePage(parent)
    , m_db(std::move(db))
{
    m_users = new UsersModel(m_db, this);
    m_keys = new KeysModel(m_db, this);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("usersMessage"));
    m_message->setWordWrap(true);
    m_message->hide();

    auto *usersBox = new QWidget(this);
    auto *usersLayout = new QVBoxLayout(usersBox);
    usersLayout->setContentsMargins(0, 0, 0, 0);
    auto *userButtons = new QHBoxLayout;
    auto *usersTitle = new QLabel(tr("<b>Users</b>"), usersBox);
    auto *newUser = new QPushButton(tr("New user…"), usersBox);
    auto *editUser = new QPushButton(tr("Edit…"), usersBox);
    auto *topUp = new QPushButton(tr("Top up…"), usersBox);
    auto *toggleUser = new QPushButton(tr("Enable / disable"), usersBox);
    topUp->setToolTip(tr("Add balance; the top-up is recorded in the logs"));
    userButtons->addWidget(usersTitle);
    userButtons->addStretch();
    for (QPushButton *b : {newUser, editUser, topUp, toggleUser})
        userButtons->addWidget(b);
    m_userTable = makeTable(usersBox, m_users, QStringLiteral("usersTable"), UsersModel::SortRole);
    usersLayout->addLayout(userButtons);
    usersLayout->addWidget(m_userTable, 1);

    auto *keysBox = new QWidget(this);
    auto *keysLayout = new QVBoxLayout(keysBox);
    keysLayout->setContentsMargins(0, 0, 0, 0);
    auto *keyButtons = new QHBoxLayout;
    m_keysTitle = new QLabel(keysBox);
    auto *newKey = new QPushButton(tr("New key…"), keysBox);
    auto *keyQuota = new QPushButton(tr("Quota…"), keysBox);
    auto *toggleKey = new QPushButton(tr("Enable / disable"), keysBox);
    keyButtons->addWidget(m_keysTitle);
    keyButtons->addStretch();
    for (QPushButton *b : {newKey, keyQuota, toggleKey})
        keyButtons->addWidget(b);
    m_keyTable = makeTable(keysBox, m_keys, QStringLiteral("keysTable"), KeysModel::SortRole);
    keysLayout->addLayout(keyButtons);
    keysLayout->addWidget(m_keyTable, 1);

    m_splitter = new QSplitter(Qt::Vertical, this);
    m_splitter->addWidget(usersBox);
    m_splitter->addWidget(keysBox);
    layout->addWidget(m_message);
    layout->addWidget(m_splitter, 1);

    connect(newUser, &QPushButton::clicked, this, &UsersKeysPage::newUserDialog);
    connect(editUser, &QPushButton::clicked, this, &UsersKeysPage::editUserDialog);
    connect(m_userTable, &QTableView::doubleClicked, this, &UsersKeysPage::editUserDialog);
    connect(topUp, &QPushButton::clicked, this, &UsersKeysPage::topUpDialog);
    connect(toggleUser, &QPushButton::clicked, this, [this] {
        if (const Store::User *u = m_users->userAt(m_users->rowOf(selectedUser())))
            report(setUserEnabled(u->id, u->status != Store::RowStatus::Enabled));
    });
    connect(newKey, &QPushButton::clicked, this, &UsersKeysPage::newKeyDialog);
    connect(keyQuota, &QPushButton::clicked, this, &UsersKeysPage::keyQuotaDialog);
    connect(toggleKey, &QPushButton::clicked, this, [this] {
        if (const Store::ApiKey *k = m_keys->keyAt(m_keys->rowOf(selectedKey())))
            report(setKeyEnabled(k->id, k->status != Store::RowStatus::Enabled));
    });
    connect(m_userTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] {
        const qint64 id = selectedUser();
        m_keys->setUserFilter(id);
        const Store::User *u = m_users->userAt(m_users->rowOf(id));
        m_keysTitle->setText(u ? tr("<b>Keys of %1</b>").arg(u->name.toHtmlEscaped()) : tr("<b>All keys</b>"));
    });
    m_keysTitle->setText(tr("<b>All keys</b>"));
}

void UsersKeysPage::setInvalidation(std::function<void(qint64)> userChanged, std::function<void(qint64)> keyChanged)
{
    m_userChanged = std::move(userChanged);
    m_keyChanged = std::move(keyChanged);
}

qint64 UsersKeysPage::selectedUser() const
{
    return selectedId(m_userTable, UsersModel::IdRole);
}

qint64 UsersKeysPage::selectedKey() const
{
    return selectedId(m_keyTable, KeysModel::IdRole);
}

Store::Result<Store::User> UsersKeysPage::createUser(const QString &name, const QString &group, qint64 quota)
{
    if (!m_db)
        return Store::Result<Store::User>::failure(tr("No database is open."));
    if (!Store::UserRepository::isValidName(name.trimmed()))
        return Store::Result<Store::User>::failure(tr("\"%1\" is not a valid user name.").arg(name));
    auto created = Store::UserRepository(*m_db).create(name.trimmed(), group.trimmed().isEmpty() ? QStringLiteral("default") : group.trimmed(), quota);
    m_users->reload();
    return created;
}

Store::Status UsersKeysPage::editUser(qint64 userId, const QString &group, qint64 quota)
{
    if (!m_db)
        return Store::Status::failure(tr("No database is open."));
    const Store::UserRepository users(*m_db);
    const auto current = users.byId(userId);
    if (!current)
        return Store::Status::failure(tr("No user with id %1.").arg(userId));
    if (current->group != group.trimmed())
        if (auto s = users.setGroup(userId, group.trimmed()); !s)
            return s;
    if (current->quota != quota)
        if (auto s = users.setQuota(userId, quota); !s) // the store logs the change
            return s;
    m_users->reload();
    if (m_userChanged)
        m_userChanged(userId);
    return {};
}

Store::Status UsersKeysPage::topUp(qint64 userId, qint64 quota)
{
    if (!m_db)
        return Store::Status::failure(tr("No database is open."));
    if (quota <= 0)
        return Store::Status::failure(tr("A top-up must be more than zero."));
    const auto status = Store::UserRepository(*m_db).addQuota(userId, quota); // writes a top-up log row
    m_users->reload();
    if (status && m_userChanged)
        m_userChanged(userId);
    return status;
}

Store::Status UsersKeysPage::setUserEnabled(qint64 userId, bool enabled)
{
    if (!m_db)
        return Store::Status::failure(tr("No database is open."));
    const auto status = Store::UserRepository(*m_db).setStatus(userId, enabled ? Store::RowStatus::Enabled : Store::RowStatus::Disabled);
    m_users->reload();
    if (status && m_userChanged)
        m_userChanged(userId);
    return status;
}

Store::Result<Store::CreatedApiKey> UsersKeysPage::createKey(const Store::NewApiKey &spec)
{
    if (!m_db)
        return Store::Result<Store::CreatedApiKey>::failure(tr("No database is open."));
    auto created = Store::ApiKeyRepository(*m_db).create(spec);
    m_keys->reload();
    return created;
}

Store::Status UsersKeysPage::setKeyEnabled(qint64 keyId, bool enabled)
{
    if (!m_db)
        return Store::Status::failure(tr("No database is open."));
    const auto status = Store::ApiKeyRepository(*m_db).setStatus(keyId, enabled ? Store::RowStatus::Enabled : Store::RowStatus::Disabled);
    m_keys->reload();
    if (status && m_keyChanged)
        m_keyChanged(keyId);
    return status;
}

Store::Status UsersKeysPage::setKeyQuota(qint64 keyId, qint64 quota, bool unlimited)
{
    if (!m_db)
        return Store::Status::failure(tr("No database is open."));
    const auto status = Store::ApiKeyRepository(*m_db).setRemainQuota(keyId, quota, unlimited);
    m_keys->reload();
    if (status && m_keyChanged)
        m_keyChanged(keyId);
    return status;
}

void UsersKeysPage::report(const Store::Status &status)
{
    if (status) {
        m_message->hide();
        return;
    }
    m_message->setText(status.error());
    m_message->setStyleSheet(QStringLiteral("QLabel { background: #fdecea; color: #8a1f11; padding: 4px; border-radius: 3px; }"));
    m_message->show();
}

void UsersKeysPage::newUserDialog()
{
    QDialog d(this);
    d.setWindowTitle(tr("New user"));
    auto *form = new QFormLayout(&d);
    auto *name = new QLineEdit(&d);
    auto *group = new QLineEdit(QStringLiteral("default"), &d);
    auto *quota = new QuotaEdit(&d);
    form->addRow(tr("Name:"), name);
    form->addRow(tr("Group:"), group);
    form->addRow(tr("Starting balance:"), quota);
    form->addRow(okCancel(&d));
    if (d.exec() != QDialog::Accepted)
        return;
    const auto created = createUser(name->text(), group->text(), quota->quota());
    report(created ? Store::Status{} : Store::Status::failure(created.error()));
}

void UsersKeysPage::editUserDialog()
{
    const Store::User *u = m_users->userAt(m_users->rowOf(selectedUser()));
    if (!u)
        return;
    const Store::User user = *u;
    QDialog d(this);
    d.setWindowTitle(tr("Edit %1").arg(user.name));
    auto *form = new QFormLayout(&d);
    auto *group = new QLineEdit(user.group, &d);
    auto *quota = new QuotaEdit(&d);
    quota->setQuota(user.quota);
    form->addRow(tr("Group:"), group);
    form->addRow(tr("Balance:"), quota);
    form->addRow(new QLabel(tr("Setting the balance is logged as a manage entry; use Top up to add funds."), &d));
    form->addRow(okCancel(&d));
    if (d.exec() == QDialog::Accepted)
        report(editUser(user.id, group->text(), quota->quota()));
}

void UsersKeysPage::topUpDialog()
{
    const qint64 id = selectedUser();
    if (!id)
        return;
    QDialog d(this);
    d.setWindowTitle(tr("Top up"));
    auto *form = new QFormLayout(&d);
    auto *quota = new QuotaEdit(&d);
    quota->setQuota(5 * kQuotaPerDollar);
    form->addRow(tr("Amount:"), quota);
    form->addRow(okCancel(&d));
    if (d.exec() == QDialog::Accepted)
        report(topUp(id, quota->quota()));
}

void UsersKeysPage::newKeyDialog()
{
    const qint64 userId = selectedUser();
    if (!userId) {
        report(Store::Status::failure(tr("Select the user the key belongs to first.")));
        return;
    }
    QDialog d(this);
    d.setWindowTitle(tr("New key"));
    auto *form = new QFormLayout(&d);
    auto *name = new QLineEdit(&d);
    auto *unlimited = new QCheckBox(tr("Unlimited (the user's balance still applies)"), &d);
    auto *quota = new QuotaEdit(&d);
    quota->setQuota(10 * kQuotaPerDollar);
    auto *models = new QLineEdit(&d);
    models->setPlaceholderText(tr("all models; or e.g. gpt-4o-mini, gpt-realtime"));
    auto *group = new QLineEdit(&d);
    group->setPlaceholderText(tr("the user's group"));
    auto *expires = new QCheckBox(tr("Expires"), &d);
    auto *expiry = new QDateTimeEdit(QDateTime::currentDateTime().addDays(30), &d);
    expiry->setCalendarPopup(true);
    expiry->setEnabled(false);
    connect(expires, &QCheckBox::toggled, expiry, &QWidget::setEnabled);
    connect(unlimited, &QCheckBox::toggled, quota, &QWidget::setDisabled);
    auto *expiryRow = new QHBoxLayout;
    expiryRow->addWidget(expires);
    expiryRow->addWidget(expiry, 1);
    form->addRow(tr("Name:"), name);
    form->addRow(tr("Quota:"), quota);
    form->addRow(QString(), unlimited);
    form->addRow(tr("Model limits:"), models);
    form->addRow(tr("Group:"), group);
    form->addRow(tr("Expiry:"), expiryRow);
    form->addRow(okCancel(&d));
    if (d.exec() != QDialog::Accepted)
        return;
    Store::NewApiKey spec;
    spec.userId = userId;
    spec.name = name->text().trimmed();
    spec.quota = quota->quota();
    spec.unlimited = unlimited->isChecked();
    for (const QString &m : models->text().split(QLatin1Char(','), Qt::SkipEmptyParts))
        spec.modelLimits << m.trimmed();
    spec.group = group->text().trimmed();
    spec.expiresAt = expires->isChecked() ? expiry->dateTime().toSecsSinceEpoch() : 0;
    const auto created = createKey(spec);
    if (!created) {
        report(Store::Status::failure(created.error()));
        return;
    }
    report({});
    showNewKey(created.value());
}

void UsersKeysPage::showNewKey(const Store::CreatedApiKey &created)
{
    showKeyOnce(this, tr("New key: %1").arg(created.key.name), created.plainKey, created.key.keyHint);
}

void UsersKeysPage::keyQuotaDialog()
{
    const Store::ApiKey *k = m_keys->keyAt(m_keys->rowOf(selectedKey()));
    if (!k)
        return;
    const Store::ApiKey key = *k;
    QDialog d(this);
    d.setWindowTitle(tr("Quota of %1").arg(key.name));
    auto *form = new QFormLayout(&d);
    auto *quota = new QuotaEdit(&d);
    quota->setQuota(key.remainQuota);
    auto *unlimited = new QCheckBox(tr("Unlimited"), &d);
    unlimited->setChecked(key.unlimited);
    quota->setDisabled(key.unlimited);
    connect(unlimited, &QCheckBox::toggled, quota, &QWidget::setDisabled);
    form->addRow(tr("Remaining:"), quota);
    form->addRow(QString(), unlimited);
    form->addRow(okCancel(&d));
    if (d.exec() == QDialog::Accepted)
        report(setKeyQuota(key.id, quota->quota(), unlimited->isChecked()));
}

void UsersKeysPage::refresh()
{
    m_users->reload();
    m_keys->reload();
}

void UsersKeysPage::setCurrencyDisplay(CurrencyDisplay display)
{
    m_users->setCurrencyDisplay(display);
    m_keys->setCurrencyDisplay(display);
}

QByteArray UsersKeysPage::saveState() const
{
    QByteArray out;
    QDataStream s(&out, QIODevice::WriteOnly);
    s << quint32(1) << m_userTable->horizontalHeader()->saveState() << m_keyTable->horizontalHeader()->saveState()
      << m_splitter->saveState();
    return out;
}

void UsersKeysPage::restoreState(const QByteArray &state)
{
    QDataStream s(state);
    quint32 version = 0;
    QByteArray users, keys, splitter;
    s >> version >> users >> keys >> splitter;
    if (s.status() != QDataStream::Ok || version != 1)
        return;
    m_userTable->horizontalHeader()->restoreState(users);
    m_keyTable->horizontalHeader()->restoreState(keys);
    m_splitter->restoreState(splitter);
}

} // namespace RelayDesk::Ui
