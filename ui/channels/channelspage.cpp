#include "channels/channelspage.h"

#include "shell/deliverlater.h"
#include "channels/channelsmodel.h"

#include "relay/upstreamurl.h"
#include "service/consolequeries.h"

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
#include <QPointer>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace RelayDesk::Ui {

using Store::Channel;
using Store::RowStatus;

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

ChannelsPage::ChannelsPage(Service::AdminService *admin, ChannelTester tester, QWidget *parent)
    : ConsolePage(parent)
    , m_admin(admin)
    , m_tester(std::move(tester))
{
    m_model = new ChannelsModel(this);
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
    setBusyWidget(m_table);

    connect(add, &QPushButton::clicked, this, [this] { editDialog(true); });
    connect(edit, &QPushButton::clicked, this, [this] { editDialog(false); });
    connect(m_table, &QTableView::doubleClicked, this, [this] { editDialog(false); });
    connect(toggle, &QPushButton::clicked, this, [this] {
        if (const Channel *c = m_model->channelAt(m_model->rowOf(selectedChannel())))
            setEnabled(c->id, c->status != RowStatus::Enabled); // reports a failure itself
    });
    connect(remove, &QPushButton::clicked, this, [this] {
        const Channel *c = m_model->channelAt(m_model->rowOf(selectedChannel()));
        if (!c || QMessageBox::question(this, tr("Remove channel"), tr("Remove channel %1?").arg(c->name)) != QMessageBox::Yes)
            return;
        this->remove(c->id);
    });
    connect(test, &QPushButton::clicked, this, [this] {
        const Channel *c = m_model->channelAt(m_model->rowOf(selectedChannel()));
        if (!c || !m_tester)
            return;
        report(tr("Testing %1…").arg(c->name), false);
        const QString name = c->name;
        m_tester(*c, this, [this, name](bool ok, const QString &message) { report(name + QStringLiteral(": ") + message, !ok); });
    });
    refreshOnChanges(m_admin, {Store::ChangeKind::Channel});
    refresh();
}

template<class T, class Write>
QFuture<T> ChannelsPage::edit(Write write)
{
    if (!m_admin) // tr() qualified: inside this template lupdate would file a bare one under the wrong context
        return QtFuture::makeReadyFuture(T::failure(RelayDesk::Ui::ChannelsPage::tr("No database is open.")));
    beginLoading();
    QFuture<T> done = m_admin->async(std::move(write));
    deliverLater(done, this, [this](const T &result) {
        endLoading();
        if (!result)
            report(result.error(), true);
    });
    return done;
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

QFuture<Store::Result<Channel>> ChannelsPage::save(const Channel &channel)
{
    using R = Store::Result<Channel>;
    if (const auto v = Service::ConsoleQueries::validateChannel(channel); !v)
        return QtFuture::makeReadyFuture(R::failure(v.error()));
    return edit<R>([channel](Service::AdminService &s) -> R {
        if (channel.id == 0)
            return s.addChannel(channel);
        const auto before = s.channel(channel.id);
        if (!before)
            return R::failure(tr("No channel with id %1.").arg(channel.id));
        if (before->name != channel.name || before->type != channel.type)
            return R::failure(tr("A channel's name and type cannot be changed; add a new channel instead."));
        Service::ChannelEdit change;
        change.baseUrl = channel.baseUrl;
        change.secret = channel.secret;
        change.models = channel.models;
        change.groups = channel.groups;
        change.priority = channel.priority;
        change.weight = channel.weight;
        change.modelMapping = channel.modelMapping;
        R edited = s.editChannel(channel.id, change);
        if (edited && edited->status != channel.status)
            edited = s.setChannelStatus(channel.id, channel.status);
        return edited;
    });
}

QFuture<Store::Status> ChannelsPage::setEnabled(qint64 id, bool enabled)
{
    const auto status = enabled ? RowStatus::Enabled : RowStatus::Disabled;
    return edit<Store::Status>([id, status](Service::AdminService &s) {
        const auto r = s.setChannelStatus(id, status);
        return r ? Store::Status{} : Store::Status::failure(r.error());
    });
}

QFuture<Store::Status> ChannelsPage::remove(qint64 id)
{
    return edit<Store::Status>([id](Service::AdminService &s) {
        const auto r = s.removeChannel(id);
        return r ? Store::Status{} : Store::Status::failure(r.error());
    });
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
    // The wire the upstream speaks: OpenAI's API (openai, azure, demo) or Anthropic's Messages API (anthropic).
    type->addItems({QStringLiteral("openai"), QStringLiteral("anthropic"), QStringLiteral("azure"), QStringLiteral("demo")});
    if (!channel.type.isEmpty() && type->findText(channel.type) < 0)
        type->addItem(channel.type); // an older row's type is shown and kept as it is
    type->setCurrentText(channel.type);
    name->setReadOnly(!create); // a channel is known by its name (CLI, logs): it is not renamed
    type->setEnabled(create);
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
            if (const auto v = Service::ConsoleQueries::validateChannel(build()); !v)
                why = v.error();
        error->setText(why);
        box->button(QDialogButtonBox::Ok)->setEnabled(why.isEmpty());
    };
    for (QLineEdit *e : {name, url, secret, models, groups})
        connect(e, &QLineEdit::textChanged, &d, revalidate);
    connect(mapping, &QPlainTextEdit::textChanged, &d, revalidate);
    connect(weight, &QSpinBox::valueChanged, &d, revalidate);
    connect(box, &QDialogButtonBox::accepted, &d, [&] {
        box->setEnabled(false); // while the write runs on the service's worker
        QPointer<QDialog> dialog(&d);
        QPointer<QLabel> errorLabel(error);
        QPointer<QDialogButtonBox> buttons(box);
        save(build()).then(this, [dialog, errorLabel, buttons](const Store::Result<Channel> &saved) {
            if (!dialog)
                return;
            buttons->setEnabled(true);
            if (saved)
                dialog->accept();
            else
                errorLabel->setText(saved.error());
        });
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
    struct Loaded
    {
        QList<Channel> channels;
        QList<Store::ChannelHealth> health;
    };
    query(m_admin, [](Service::AdminService &s) { return Loaded{s.channels(), s.channelHealth()}; },
          [this](Loaded l) {
              const qint64 selected = selectedChannel();
              m_model->setChannels(std::move(l.channels), l.health);
              if (const int row = m_model->rowOf(selected); row >= 0) { // a reset loses the selection: put it back
                  auto *proxy = static_cast<QSortFilterProxyModel *>(m_table->model());
                  m_table->selectRow(proxy->mapFromSource(m_model->index(row, 0)).row());
              }
          });
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
