#include "channels/channelspage.h"

#include "common/secretmask.h"
#include "relay/upstreamurl.h"
#include "store/channelrepository.h"

#include <QBrush>
#include <QCheckBox>
#include <QColor>
#include <QComboBox>
#include <QDateTime>
#include <QDataStream>
#include <QDialog>
#include <QDialogButtonBox>
#include <QElapsedTimer>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace RelayDesk::Ui {

using Store::Channel;
using Store::RowStatus;

ChannelsModel::ChannelsModel(std::shared_ptr<Store::Database> db, QObject *parent)
    : QAbstractTableModel(parent)
    , m_db(std::move(db))
{
    reload();
}

void ChannelsModel::reload()
{
    beginResetModel(); // a short list; a refresh is a re-read
    m_rows = m_db ? Store::ChannelRepository(*m_db).list() : QList<Channel>{};
    m_health.clear();
    if (m_db)
        for (const Store::ChannelHealth &h : Store::ChannelHealthRepository(*m_db).list())
            m_health.insert(h.channelId, h);
    endResetModel();
}

void ChannelsModel::setCurrencyDisplay(CurrencyDisplay display)
{
    m_currency = display;
    if (!m_rows.isEmpty())
        emit dataChanged(index(0, Used), index(int(m_rows.size()) - 1, Used));
}

const Channel *ChannelsModel::channelAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? &m_rows[row] : nullptr;
}

int ChannelsModel::rowOf(qint64 id) const
{
    for (int i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].id == id)
            return i;
    return -1;
}

Store::ChannelHealth ChannelsModel::healthOf(qint64 channelId) const
{
    Store::ChannelHealth h = m_health.value(channelId);
    h.channelId = channelId;
    return h;
}

QString ChannelsModel::healthText(const Store::ChannelHealth &health, qint64 nowMs)
{
    using State = Store::ChannelHealth::State;
    switch (health.state) {
    case State::Healthy:
        return tr("healthy");
    case State::Probing:
        return tr("probing");
    case State::Unhealthy:
        break;
    }
    const qint64 left = health.retryAtMs - nowMs;
    return left > 0 ? tr("unhealthy · retry in %1 s").arg((left + 999) / 1000) : tr("unhealthy · probe due");
}

QString ChannelsModel::maskSecret(const QString &secret)
{
    return RelayDesk::maskSecret(secret); // the one rule, shared with the CLI and the audit trail
}

int ChannelsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ChannelsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ChannelsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Channel &c = m_rows[index.row()];
    switch (role) {
    case IdRole:
        return c.id;
    case Qt::ForegroundRole:
        if (index.column() == Health && healthOf(c.id).state != Store::ChannelHealth::State::Healthy)
            return QBrush(QColor(0xb0, 0x3a, 0x2e));
        return c.status == RowStatus::Enabled ? QVariant() : QVariant(QBrush(QColor(0x8a, 0x8a, 0x8a)));
    case Qt::TextAlignmentRole:
        return (index.column() == Priority || index.column() == Weight || index.column() == Used || index.column() == Id)
                   ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::ToolTipRole:
        if (index.column() == Mapping && !c.modelMapping.isEmpty())
            return QString::fromUtf8(QJsonDocument(c.modelMapping).toJson(QJsonDocument::Indented));
        if (index.column() == Models)
            return c.models.join(QLatin1Char('\n'));
        if (index.column() == Health) {
            const Store::ChannelHealth h = healthOf(c.id);
            if (h.state == Store::ChannelHealth::State::Healthy)
                return {};
            return tr("%n consecutive failure(s); last: %1", nullptr, h.failures).arg(h.lastError);
        }
        return {};
    case SortRole:
        switch (index.column()) {
        case Id: return c.id;
        case Priority: return c.priority;
        case Weight: return c.weight;
        case Used: return c.usedQuota;
        default: break;
        }
        [[fallthrough]];
    case Qt::DisplayRole:
        switch (index.column()) {
        case Id: return QString::number(c.id);
        case Name: return c.name;
        case Type: return c.type;
        case BaseUrl: return c.baseUrl;
        case Secret: return maskSecret(c.secret);
        case Models: return c.models.join(QStringLiteral(", "));
        case Groups: return c.groups.join(QStringLiteral(", "));
        case Mapping: return c.modelMapping.isEmpty() ? QString() : tr("%1 mapped").arg(c.modelMapping.size());
        case Priority: return QString::number(c.priority);
        case Weight: return QString::number(c.weight);
        case Status: return c.status == RowStatus::Enabled ? tr("enabled") : tr("disabled");
        case Used: return formatQuota(c.usedQuota, m_currency);
        case Health: return healthText(healthOf(c.id), QDateTime::currentMSecsSinceEpoch());
        default: return {};
        }
    default:
        return {};
    }
}

QVariant ChannelsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::ToolTipRole) {
        if (section == Priority)
            return tr("Higher priority channels are used first; lower ones only when they fail");
        if (section == Weight)
            return tr("Among channels of the same priority, traffic is shared in proportion to weight");
        if (section == Health)
            return tr("A failing channel is skipped for a back-off (5 s doubling to 5 min; auth failures 1 min to 30 min), "
                      "then one call probes it");
        return {};
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Id: return tr("ID");
    case Name: return tr("Name");
    case Type: return tr("Type");
    case BaseUrl: return tr("Base URL");
    case Secret: return tr("Secret");
    case Models: return tr("Models");
    case Groups: return tr("Groups");
    case Mapping: return tr("Model mapping");
    case Priority: return tr("Priority");
    case Weight: return tr("Weight");
    case Status: return tr("Status");
    case Used: return tr("Used");
    case Health: return tr("Health");
    default: return {};
    }
}

ChannelTester httpChannelTester()
{
    return [](const Channel &channel, QObject *context, std::function<void(bool, QString)> done) {
        auto *nam = new QNetworkAccessManager(context);
        QString model = channel.models.value(0);
        model = channel.modelMapping.value(model).toString(model);
        QNetworkRequest request(Relay::upstreamApiUrl(channel.baseUrl, u"chat/completions"));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        request.setRawHeader("Authorization", "Bearer " + channel.secret.toUtf8());
        request.setTransferTimeout(15000);
        const QJsonObject body{{QStringLiteral("model"), model},
                               {QStringLiteral("max_tokens"), 1},
                               {QStringLiteral("messages"), QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                                                                                    {QStringLiteral("content"), QStringLiteral("ping")}}}}};
        auto *timer = new QElapsedTimer;
        timer->start();
        QNetworkReply *reply = nam->post(request, QJsonDocument(body).toJson(QJsonDocument::Compact));
        QObject::connect(reply, &QNetworkReply::finished, context, [reply, nam, timer, done, model] {
            const qint64 ms = timer->elapsed();
            delete timer;
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            const QByteArray bytes = reply->readAll();
            if (reply->error() == QNetworkReply::NoError && status / 100 == 2) {
                done(true, ChannelsPage::tr("OK · %1 · %2 ms").arg(model).arg(ms));
            } else {
                QString message = QJsonDocument::fromJson(bytes).object().value(QStringLiteral("error")).toObject()
                                      .value(QStringLiteral("message")).toString();
                if (message.isEmpty())
                    message = reply->errorString();
                done(false, ChannelsPage::tr("Failed (HTTP %1, %2 ms): %3").arg(status).arg(ms).arg(message));
            }
            reply->deleteLater();
            nam->deleteLater();
        });
    };
}

ChannelsPage::ChannelsPage(std::shared_ptr<Store::Database> db, ChannelTester tester, QWidget *parent)
    : ConsolePage(parent)
    , m_db(std::move(db))
    , m_tester(std::move(tester))
{
    m_model = new ChannelsModel(m_db, this);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto *buttons = new QHBoxLayout;
    auto *add = new QPushButton(tr("Add channel…"), this);
    auto *edit = new QPushButton(tr("Edit…"), this);
    auto *toggle = new QPushButton(tr("Enable / disable"), this);
    auto *remove = new QPushButton(tr("Remove"), this);
    auto *test = new QPushButton(tr("Test"), this);
    test->setObjectName(QStringLiteral("testChannel"));
    test->setToolTip(tr("Send a minimal chat request (max_tokens 1) through this channel and show the latency or the error"));
    test->setEnabled(bool(m_tester));
    for (QPushButton *b : {add, edit, toggle, remove, test})
        buttons->addWidget(b);
    buttons->addStretch();
    layout->addLayout(buttons);
    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("channelsMessage"));
    m_message->setWordWrap(true);
    m_message->hide();
    layout->addWidget(m_message);

    auto *proxy = new QSortFilterProxyModel(this);
    proxy->setSourceModel(m_model);
    proxy->setSortRole(ChannelsModel::SortRole);
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("channelsTable"));
    m_table->setModel(proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(ChannelsModel::Priority, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionsMovable(true);
    m_table->setColumnWidth(ChannelsModel::BaseUrl, 220);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->setColumnWidth(ChannelsModel::Models, 260);
    layout->addWidget(m_table, 1);

    connect(add, &QPushButton::clicked, this, [this] { editDialog(true); });
    connect(edit, &QPushButton::clicked, this, [this] { editDialog(false); });
    connect(m_table, &QTableView::doubleClicked, this, [this] { editDialog(false); });
    connect(toggle, &QPushButton::clicked, this, [this] {
        if (const Channel *c = m_model->channelAt(m_model->rowOf(selectedChannel()))) {
            const auto s = setEnabled(c->id, c->status != RowStatus::Enabled);
            if (!s)
                report(s.error(), true);
        }
    });
    connect(remove, &QPushButton::clicked, this, [this] {
        const Channel *c = m_model->channelAt(m_model->rowOf(selectedChannel()));
        if (!c || QMessageBox::question(this, tr("Remove channel"), tr("Remove channel %1?").arg(c->name)) != QMessageBox::Yes)
            return;
        const auto s = this->remove(c->id);
        if (!s)
            report(s.error(), true);
    });
    connect(test, &QPushButton::clicked, this, [this] {
        const Channel *c = m_model->channelAt(m_model->rowOf(selectedChannel()));
        if (!c || !m_tester)
            return;
        report(tr("Testing %1…").arg(c->name), false);
        const QString name = c->name;
        m_tester(*c, this, [this, name](bool ok, const QString &message) { report(name + QStringLiteral(": ") + message, !ok); });
    });
}

qint64 ChannelsPage::selectedChannel() const
{
    const QModelIndex i = m_table->selectionModel()->currentIndex();
    return i.isValid() ? i.siblingAtColumn(0).data(ChannelsModel::IdRole).toLongLong() : 0;
}

QString ChannelsPage::mappingError(const QString &json)
{
    if (json.trimmed().isEmpty())
        return {};
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(json.toUtf8(), &pe);
    if (pe.error != QJsonParseError::NoError)
        return tr("Not valid JSON: %1 (at character %2).").arg(pe.errorString()).arg(pe.offset);
    if (!doc.isObject())
        return tr("The mapping must be a JSON object, e.g. {\"gpt-4o\": \"gpt-4o-2024-08-06\"}.");
    const QJsonObject o = doc.object();
    for (auto it = o.begin(); it != o.end(); ++it)
        if (!it.value().isString() || it.value().toString().trimmed().isEmpty())
            return tr("\"%1\" must map to a model name (a non-empty string).").arg(it.key());
    return {};
}

Store::Result<Channel> ChannelsPage::save(const Channel &channel)
{
    using R = Store::Result<Channel>;
    if (!m_db)
        return R::failure(tr("No database is open."));
    if (const auto v = Store::ChannelRepository::validate(channel); !v)
        return R::failure(v.error());
    const Store::ChannelRepository repo(*m_db);
    R result = R::failure(QString());
    if (channel.id == 0) {
        result = repo.create(channel);
    } else if (const auto s = repo.update(channel); s) {
        result = R(channel);
    } else {
        result = R::failure(s.error());
    }
    m_model->reload();
    if (result.ok() && m_changed)
        m_changed();
    return result;
}

Store::Status ChannelsPage::setEnabled(qint64 id, bool enabled)
{
    if (!m_db)
        return Store::Status::failure(tr("No database is open."));
    const auto s = Store::ChannelRepository(*m_db).setStatus(id, enabled ? RowStatus::Enabled : RowStatus::Disabled);
    m_model->reload();
    if (s && m_changed)
        m_changed();
    return s;
}

Store::Status ChannelsPage::remove(qint64 id)
{
    if (!m_db)
        return Store::Status::failure(tr("No database is open."));
    const auto s = Store::ChannelRepository(*m_db).remove(id);
    m_model->reload();
    if (s && m_changed)
        m_changed();
    return s;
}

void ChannelsPage::editDialog(bool create)
{
    Channel channel;
    if (!create) {
        const Channel *c = m_model->channelAt(m_model->rowOf(selectedChannel()));
        if (!c)
            return;
        channel = *c;
    }
    QDialog d(this);
    d.setWindowTitle(create ? tr("Add channel") : tr("Edit %1").arg(channel.name));
    auto *form = new QFormLayout(&d);
    auto *name = new QLineEdit(channel.name, &d);
    auto *type = new QComboBox(&d);
    type->setEditable(true);
    type->addItems({QStringLiteral("openai"), QStringLiteral("azure"), QStringLiteral("demo")});
    type->setCurrentText(channel.type);
    auto *url = new QLineEdit(channel.baseUrl, &d);
    url->setPlaceholderText(QStringLiteral("https://api.openai.com"));
    auto *secret = new QLineEdit(channel.secret, &d);
    secret->setEchoMode(QLineEdit::Password);
    auto *show = new QCheckBox(tr("Show"), &d);
    connect(show, &QCheckBox::toggled, secret, [secret](bool on) { secret->setEchoMode(on ? QLineEdit::Normal : QLineEdit::Password); });
    auto *secretRow = new QHBoxLayout;
    secretRow->addWidget(secret, 1);
    secretRow->addWidget(show);
    auto *models = new QLineEdit(channel.models.join(QStringLiteral(", ")), &d);
    auto *groups = new QLineEdit(channel.groups.join(QStringLiteral(", ")), &d);
    auto *mapping = new QPlainTextEdit(channel.modelMapping.isEmpty() ? QString() : QString::fromUtf8(QJsonDocument(channel.modelMapping).toJson(QJsonDocument::Indented)), &d);
    mapping->setPlaceholderText(QStringLiteral("{\"gpt-4o\": \"gpt-4o-2024-08-06\"}"));
    mapping->setMaximumHeight(110);
    auto *priority = new QSpinBox(&d);
    priority->setRange(-1000, 1000);
    priority->setValue(channel.priority);
    auto *weight = new QSpinBox(&d);
    weight->setRange(0, 10000);
    weight->setValue(channel.weight);
    auto *enabled = new QCheckBox(tr("Enabled"), &d);
    enabled->setChecked(channel.status == RowStatus::Enabled);
    auto *error = new QLabel(&d);
    error->setStyleSheet(QStringLiteral("color: #b03a2e"));
    error->setWordWrap(true);
    form->addRow(tr("Name:"), name);
    form->addRow(tr("Type:"), type);
    form->addRow(tr("Base URL:"), url);
    form->addRow(tr("Secret:"), secretRow);
    form->addRow(tr("Models:"), models);
    form->addRow(tr("Groups:"), groups);
    form->addRow(tr("Model mapping (JSON):"), mapping);
    form->addRow(tr("Priority:"), priority);
    form->addRow(tr("Weight:"), weight);
    form->addRow(QString(), enabled);
    form->addRow(error);
    auto *box = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &d);
    form->addRow(box);
    auto build = [&] {
        Channel c = channel;
        c.name = name->text().trimmed();
        c.type = type->currentText().trimmed();
        c.baseUrl = url->text().trimmed();
        c.secret = secret->text().trimmed();
        c.models.clear();
        for (const QString &m : models->text().split(QLatin1Char(','), Qt::SkipEmptyParts))
            c.models << m.trimmed();
        c.groups.clear();
        for (const QString &g : groups->text().split(QLatin1Char(','), Qt::SkipEmptyParts))
            c.groups << g.trimmed();
        c.modelMapping = QJsonDocument::fromJson(mapping->toPlainText().toUtf8()).object();
        c.priority = priority->value();
        c.weight = weight->value();
        c.status = enabled->isChecked() ? RowStatus::Enabled : RowStatus::Disabled;
        return c;
    };
    // Live validation: OK stays disabled while the mapping is not valid JSON.
    auto revalidate = [&] {
        QString why = mappingError(mapping->toPlainText());
        if (why.isEmpty())
            if (const auto v = Store::ChannelRepository::validate(build()); !v)
                why = v.error();
        error->setText(why);
        box->button(QDialogButtonBox::Ok)->setEnabled(why.isEmpty());
    };
    for (QLineEdit *e : {name, url, secret, models, groups})
        connect(e, &QLineEdit::textChanged, &d, revalidate);
    connect(mapping, &QPlainTextEdit::textChanged, &d, revalidate);
    connect(weight, &QSpinBox::valueChanged, &d, revalidate);
    connect(box, &QDialogButtonBox::accepted, &d, [&] {
        const auto saved = save(build());
        if (saved)
            d.accept();
        else
            error->setText(saved.error());
    });
    connect(box, &QDialogButtonBox::rejected, &d, &QDialog::reject);
    revalidate();
    d.resize(560, d.sizeHint().height());
    d.exec();
}

void ChannelsPage::report(const QString &text, bool error)
{
    m_message->setText(text);
    m_message->setStyleSheet(error ? QStringLiteral("QLabel { background: #fdecea; color: #8a1f11; padding: 4px; border-radius: 3px; }")
                                   : QStringLiteral("QLabel { background: #e8f5e9; color: #1b5e20; padding: 4px; border-radius: 3px; }"));
    m_message->show();
}

void ChannelsPage::refresh()
{
    m_model->reload();
}

void ChannelsPage::setCurrencyDisplay(CurrencyDisplay display)
{
    m_model->setCurrencyDisplay(display);
}

QByteArray ChannelsPage::saveState() const
{
    return m_table->horizontalHeader()->saveState();
}

void ChannelsPage::restoreState(const QByteArray &state)
{
    if (!state.isEmpty())
        m_table->horizontalHeader()->restoreState(state);
}

} // namespace RelayDesk::Ui
