#include "users/userskeyspage.h"

#include "shell/deliverlater.h"
#include "users/keydialog.h"
#include "users/limitsettingsdialog.h"
#include "widgets/quotaedit.h"
#include "users/keysmodel.h"
#include "users/usersmodel.h"

#include "billing/quotamath.h"
#include "service/consolequeries.h"

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
#include <QMenu>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
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

template<class T>
Store::Status statusOf(const Store::Result<T> &r)
{
    return r ? Store::Status{} : Store::Status::failure(r.error());
}
Store::Status statusOf(const Store::Status &s)
{
    return s;
}

} // namespace

UsersKeysPage::UsersKeysPage(Service::AdminService *admin, QWidget *parent)
    : ConsolePage(parent)
    , m_admin(admin)
{
    m_users = new UsersModel(this);
    m_keys = new KeysModel(this);

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
    auto *userLimits = new QPushButton(tr("Limits…"), usersBox);
    userLimits->setObjectName(QStringLiteral("userLimits"));
    userLimits->setToolTip(tr("Rate limits, budget windows and IP allow-list of the selected user"));
    auto *limitSettings = new QPushButton(tr("Limit settings…"), usersBox);
    limitSettings->setToolTip(tr("Budget time zone and trusted proxies"));
    topUp->setToolTip(tr("Add balance; the top-up is recorded in the logs"));
    userButtons->addWidget(usersTitle);
    userButtons->addStretch();
    for (QPushButton *b : {newUser, editUser, topUp, toggleUser, userLimits, limitSettings})
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
    auto *keyLimits = new QPushButton(tr("Limits…"), keysBox);
    keyLimits->setObjectName(QStringLiteral("keyLimits"));
    keyLimits->setToolTip(tr("Rate limits, budget windows and IP allow-list of the selected key"));
    keyButtons->addWidget(m_keysTitle);
    keyButtons->addStretch();
    for (QPushButton *b : {newKey, keyQuota, toggleKey, keyLimits})
        keyButtons->addWidget(b);
    m_keyTable = makeTable(keysBox, m_keys, QStringLiteral("keysTable"), KeysModel::SortRole);
    keysLayout->addLayout(keyButtons);
    keysLayout->addWidget(m_keyTable, 1);

    m_splitter = new QSplitter(Qt::Vertical, this);
    m_splitter->addWidget(usersBox);
    m_splitter->addWidget(keysBox);
    layout->addWidget(m_message);
    layout->addWidget(m_splitter, 1);
    setBusyWidget(m_splitter);

    connect(newUser, &QPushButton::clicked, this, &UsersKeysPage::newUserDialog);
    connect(editUser, &QPushButton::clicked, this, &UsersKeysPage::editUserDialog);
    connect(m_userTable, &QTableView::doubleClicked, this, &UsersKeysPage::editUserDialog);
    connect(topUp, &QPushButton::clicked, this, &UsersKeysPage::topUpDialog);
    connect(toggleUser, &QPushButton::clicked, this, [this] {
        if (const Store::User *u = m_users->userAt(m_users->rowOf(selectedUser())))
            setUserEnabled(u->id, u->status != Store::RowStatus::Enabled);
    });
    connect(newKey, &QPushButton::clicked, this, &UsersKeysPage::newKeyDialog);
    connect(keyQuota, &QPushButton::clicked, this, &UsersKeysPage::keyQuotaDialog);
    connect(toggleKey, &QPushButton::clicked, this, [this] {
        if (const Store::ApiKey *k = m_keys->keyAt(m_keys->rowOf(selectedKey())))
            setKeyEnabled(k->id, k->status != Store::RowStatus::Enabled);
    });
    connect(userLimits, &QPushButton::clicked, this, [this] { openLimits(LimitsDialog::Owner::User, selectedUser()); });
    connect(keyLimits, &QPushButton::clicked, this, [this] { openLimits(LimitsDialog::Owner::Key, selectedKey()); });
    connect(limitSettings, &QPushButton::clicked, this, &UsersKeysPage::limitSettingsDialog);
    for (const auto &entry : {std::pair{m_userTable, LimitsDialog::Owner::User}, std::pair{m_keyTable, LimitsDialog::Owner::Key}}) {
        QTableView *table = entry.first;
        const LimitsDialog::Owner owner = entry.second;
        table->setContextMenuPolicy(Qt::CustomContextMenu);
        connect(table, &QWidget::customContextMenuRequested, this,
                [this, table, owner](const QPoint &pos) { contextMenu(table, owner, pos); });
    }
    connect(m_userTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] {
        showKeysOf(selectedUser());
    });
    m_keysTitle->setText(tr("<b>All keys</b>"));
    refreshOnChanges(m_admin, {Store::ChangeKind::User, Store::ChangeKind::Key});
    refresh();
}

void UsersKeysPage::showKeysOf(qint64 userId)
{
    const Store::User *u = m_users->userAt(m_users->rowOf(userId));
    m_keysTitle->setText(u ? tr("<b>Keys of %1</b>").arg(u->name.toHtmlEscaped()) : tr("<b>All keys</b>"));
    m_keys->setKeys(userId, {}, {});
    loadKeys();
}

void UsersKeysPage::loadKeys()
{
    const qint64 userId = m_keys->userFilter();
    struct Loaded
    {
        QList<Store::ApiKey> keys;
        QHash<qint64, QString> names;
        QHash<qint64, LimitCaps> limits;
    };
    query(m_admin, [userId](Service::AdminService &s) {
        Loaded l;
        l.keys = userId ? s.keys(userId) : Service::ConsoleQueries::allKeys(s);
        for (const Store::User &u : s.users())
            l.names.insert(u.id, u.name);
        for (const Store::ApiKey &k : l.keys)
            l.limits.insert(k.id, LimitCaps::ofKey(s, k.id));
        return l;
    }, [this, userId](Loaded l) {
        if (userId != m_keys->userFilter()) // the user shown was changed meanwhile
            return;
        m_keys->setKeys(userId, std::move(l.keys), std::move(l.names));
        m_keys->setLimits(std::move(l.limits));
    });
}

template<class T, class Write>
QFuture<T> UsersKeysPage::edit(Write write)
{
    if (!m_admin) // tr() qualified: inside this template lupdate would file a bare one under the wrong context
        return QtFuture::makeReadyFuture(T::failure(RelayDesk::Ui::UsersKeysPage::tr("No database is open.")));
    beginLoading();
    QFuture<T> done = m_admin->async(std::move(write));
    deliverLater(done, this, [this](T result) {
        endLoading();
        report(statusOf(result));
    });
    return done;
}

qint64 UsersKeysPage::selectedUser() const
{
    return selectedId(m_userTable, UsersModel::IdRole);
}

qint64 UsersKeysPage::selectedKey() const
{
    return selectedId(m_keyTable, KeysModel::IdRole);
}

QFuture<Store::Result<Store::User>> UsersKeysPage::createUser(const QString &name, const QString &group, qint64 quota)
{
    using R = Store::Result<Store::User>;
    if (!Service::ConsoleQueries::isValidUserName(name.trimmed()))
        return QtFuture::makeReadyFuture(R::failure(tr("\"%1\" is not a valid user name.").arg(name)));
    const QString g = group.trimmed().isEmpty() ? QStringLiteral("default") : group.trimmed();
    return edit<R>([name = name.trimmed(), g, quota](Service::AdminService &s) { return s.addUser(name, g, quota); });
}

QFuture<Store::Status> UsersKeysPage::editUser(qint64 userId, const QString &group, qint64 quota)
{
    return edit<Store::Status>([userId, group = group.trimmed(), quota](Service::AdminService &s) -> Store::Status {
        const auto current = s.user(userId);
        if (!current)
            return Store::Status::failure(tr("No user with id %1.").arg(userId));
        if (current->group != group)
            if (const auto r = s.setUserGroup(userId, group); !r)
                return Store::Status::failure(r.error());
        if (current->quota != quota)
            if (const auto r = s.setUserQuota(userId, quota); !r) // the service logs the change
                return Store::Status::failure(r.error());
        return {};
    });
}

QFuture<Store::Status> UsersKeysPage::topUp(qint64 userId, qint64 quota)
{
    if (quota <= 0)
        return QtFuture::makeReadyFuture(Store::Status::failure(tr("A top-up must be more than zero.")));
    return edit<Store::Status>([userId, quota](Service::AdminService &s) { return statusOf(s.addUserQuota(userId, quota)); });
}

QFuture<Store::Status> UsersKeysPage::setUserEnabled(qint64 userId, bool enabled)
{
    const auto status = enabled ? Store::RowStatus::Enabled : Store::RowStatus::Disabled;
    return edit<Store::Status>([userId, status](Service::AdminService &s) { return statusOf(s.setUserStatus(userId, status)); });
}

QFuture<Store::Result<Store::CreatedApiKey>> UsersKeysPage::createKey(const Store::NewApiKey &spec)
{
    return edit<Store::Result<Store::CreatedApiKey>>([spec](Service::AdminService &s) { return s.addKey(spec); });
}

QFuture<Store::Status> UsersKeysPage::setKeyEnabled(qint64 keyId, bool enabled)
{
    const auto status = enabled ? Store::RowStatus::Enabled : Store::RowStatus::Disabled;
    return edit<Store::Status>([keyId, status](Service::AdminService &s) { return statusOf(s.setKeyStatus(keyId, status)); });
}

QFuture<Store::Status> UsersKeysPage::setKeyQuota(qint64 keyId, qint64 quota, bool unlimited)
{
    Service::KeyEdit change;
    if (unlimited)
        change.unlimited = true;
    else
        change.quota = quota;
    return edit<Store::Status>([keyId, change](Service::AdminService &s) { return statusOf(s.editKey(keyId, change)); });
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
    createUser(name->text(), group->text(), quota->quota()); // reports a failure itself
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
        editUser(user.id, group->text(), quota->quota());
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
    quota->setQuota(5 * Billing::QuotaMath::kQuotaPerUnit);
    form->addRow(tr("Amount:"), quota);
    form->addRow(okCancel(&d));
    if (d.exec() == QDialog::Accepted)
        topUp(id, quota->quota());
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
    quota->setQuota(10 * Billing::QuotaMath::kQuotaPerUnit);
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
    createKey(spec).then(this, [this](const Store::Result<Store::CreatedApiKey> &created) {
        if (created)
            showNewKey(created.value()); // the only time the full key exists
    });
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
        setKeyQuota(key.id, quota->quota(), unlimited->isChecked());
}

LimitsDialog *UsersKeysPage::openLimits(LimitsDialog::Owner owner, qint64 id)
{
    QString name;
    if (owner == LimitsDialog::Owner::User) {
        if (const Store::User *u = m_users->userAt(m_users->rowOf(id)))
            name = u->name;
    } else if (const Store::ApiKey *k = m_keys->keyAt(m_keys->rowOf(id))) {
        name = k->name;
    }
    if (name.isEmpty()) {
        report(Store::Status::failure(owner == LimitsDialog::Owner::User ? tr("Select a user first.") : tr("Select a key first.")));
        return nullptr;
    }
    auto *dialog = new LimitsDialog(m_admin, owner, id, name, m_currency, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show(); // not modal: the page (and other limits) stay usable while it is open
    return dialog;
}

void UsersKeysPage::contextMenu(QTableView *table, LimitsDialog::Owner owner, const QPoint &pos)
{
    const QModelIndex at = table->indexAt(pos);
    if (!at.isValid())
        return;
    table->setCurrentIndex(at);
    const qint64 id = owner == LimitsDialog::Owner::User ? selectedUser() : selectedKey();
    QMenu menu(this);
    connect(menu.addAction(tr("Limits…")), &QAction::triggered, this, [this, owner, id] { openLimits(owner, id); });
    menu.exec(table->viewport()->mapToGlobal(pos));
}

void UsersKeysPage::limitSettingsDialog()
{
    LimitSettingsDialog d(m_admin, this);
    d.exec();
}

void UsersKeysPage::refresh()
{
    struct Loaded
    {
        QList<Store::User> users;
        QHash<qint64, LimitCaps> limits;
    };
    query(m_admin, [](Service::AdminService &s) {
        Loaded l{s.users(), {}};
        for (const Store::User &u : l.users)
            l.limits.insert(u.id, LimitCaps::ofUser(s, u.id));
        return l;
    }, [this](Loaded l) {
        m_users->setUsers(std::move(l.users));
        m_users->setLimits(std::move(l.limits));
    });
    loadKeys();
}

void UsersKeysPage::setCurrencyDisplay(CurrencyDisplay display)
{
    m_currency = display;
    m_users->setCurrencyDisplay(display);
    m_keys->setCurrencyDisplay(display);
    for (LimitsDialog *dialog : findChildren<LimitsDialog *>())
        dialog->setCurrencyDisplay(display);
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
