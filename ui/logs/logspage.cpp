#include "logs/logspage.h"

#include "logs/csvexport.h"
#include "logs/logsmodel.h"

#include "service/consolequeries.h"

#include <QComboBox>
#include <QCompleter>
#include <QDataStream>
#include <QDateTimeEdit>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressDialog>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>
#include <QPointer>

namespace RelayDesk::Ui {

namespace {
enum Range { LastHour, LastDay, LastWeek, LastMonth, AllTime, Custom };
} // namespace

LogsPage::LogsPage(Service::AdminService *admin, QWidget *parent)
    : ConsolePage(parent)
    , m_admin(admin)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);

    auto *filters = new QHBoxLayout;
    m_range = new QComboBox(this);
    m_range->addItem(tr("Last hour"), LastHour);
    m_range->addItem(tr("Last 24 hours"), LastDay);
    m_range->addItem(tr("Last 7 days"), LastWeek);
    m_range->addItem(tr("Last 30 days"), LastMonth);
    m_range->addItem(tr("All time"), AllTime);
    m_range->addItem(tr("Custom range"), Custom);
    m_range->setCurrentIndex(AllTime);
    m_from = new QDateTimeEdit(QDateTime::currentDateTime().addDays(-1), this);
    m_to = new QDateTimeEdit(QDateTime::currentDateTime().addSecs(3600), this);
    for (QDateTimeEdit *e : {m_from, m_to}) {
        e->setCalendarPopup(true);
        e->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
        e->setVisible(false);
    }
    m_user = new QComboBox(this);
    m_key = new QComboBox(this);
    m_channel = new QComboBox(this);
    m_type = new QComboBox(this);
    m_user->setObjectName(QStringLiteral("logUser"));
    m_type->setObjectName(QStringLiteral("logType"));
    m_type->addItem(tr("All types"), -1);
    for (auto t : {Store::LogType::Consume, Store::LogType::Topup, Store::LogType::Refund, Store::LogType::Manage,
                   Store::LogType::System, Store::LogType::Error})
        m_type->addItem(LogsModel::typeName(t), int(t));
    m_endpoint = new QComboBox(this);
    m_endpoint->setObjectName(QStringLiteral("logEndpoint"));
    m_endpoint->setToolTip(tr("Only calls of one endpoint (chat, embeddings, transcription, speech, images, …)"));
    m_endpoint->addItem(tr("All endpoints"), QString());
    for (Monitor::EndpointKind kind : Monitor::allEndpointKinds())
        m_endpoint->addItem(Monitor::endpointKindName(kind), Monitor::endpointKindId(kind));
    m_modelFilter = new QLineEdit(this);
    m_modelFilter->setObjectName(QStringLiteral("logModel"));
    m_modelFilter->setPlaceholderText(tr("Model (exact)"));
    m_modelFilter->setClearButtonEnabled(true);
    m_modelFilter->setMaximumWidth(200);
    auto *exportButton = new QPushButton(tr("Export CSV…"), this);
    filters->addWidget(m_range);
    filters->addWidget(m_from);
    filters->addWidget(m_to);
    filters->addWidget(new QLabel(tr("User:"), this));
    filters->addWidget(m_user);
    filters->addWidget(new QLabel(tr("Key:"), this));
    filters->addWidget(m_key);
    filters->addWidget(new QLabel(tr("Channel:"), this));
    filters->addWidget(m_channel);
    filters->addWidget(m_type);
    filters->addWidget(m_endpoint);
    filters->addWidget(m_modelFilter);
    filters->addStretch();
    filters->addWidget(exportButton);
    layout->addLayout(filters);

    m_model = new LogsModel(m_admin, this);
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("logsTable"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setSectionsMovable(true);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setColumnWidth(LogsModel::Time, 150);
    m_table->setColumnWidth(LogsModel::Model, 170);
    m_table->setColumnWidth(LogsModel::Endpoint, 110);

    m_detail = new QPlainTextEdit(this);
    m_detail->setObjectName(QStringLiteral("logDetail"));
    m_detail->setReadOnly(true);
    m_detail->setPlaceholderText(tr("Select a log row to see its details."));
    QFont mono(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::TypeWriter);
    m_detail->setFont(mono);

    m_splitter = new QSplitter(Qt::Horizontal, this);
    m_splitter->addWidget(m_table);
    m_splitter->addWidget(m_detail);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 1);
    layout->addWidget(m_splitter, 1);

    auto *pager = new QHBoxLayout;
    m_first = new QPushButton(tr("First"), this);
    m_prev = new QPushButton(tr("‹ Newer"), this);
    m_next = new QPushButton(tr("Older ›"), this);
    m_prev->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Left));
    m_next->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Right));
    m_pageLabel = new QLabel(this);
    m_pageLabel->setObjectName(QStringLiteral("logPageLabel"));
    m_pageSize = new QComboBox(this);
    for (int n : {50, 100, 200, 500, 1000})
        m_pageSize->addItem(tr("%1 per page").arg(n), n);
    m_pageSize->setCurrentIndex(2);
    pager->addWidget(m_first);
    pager->addWidget(m_prev);
    pager->addWidget(m_next);
    pager->addWidget(m_pageLabel, 1);
    pager->addWidget(m_pageSize);
    layout->addLayout(pager);

    reloadFilterChoices();

    connect(m_range, &QComboBox::currentIndexChanged, this, [this] {
        const bool custom = m_range->currentData().toInt() == Custom;
        m_from->setVisible(custom);
        m_to->setVisible(custom);
        applyFilter();
    });
    for (QDateTimeEdit *e : {m_from, m_to})
        connect(e, &QDateTimeEdit::dateTimeChanged, this, &LogsPage::applyFilter);
    for (QComboBox *c : {m_user, m_key, m_channel, m_type, m_endpoint})
        connect(c, &QComboBox::currentIndexChanged, this, &LogsPage::applyFilter);
    connect(m_modelFilter, &QLineEdit::editingFinished, this, &LogsPage::applyFilter);
    connect(m_pageSize, &QComboBox::currentIndexChanged, this, [this] { m_model->setPageSize(m_pageSize->currentData().toInt()); });
    connect(m_first, &QPushButton::clicked, m_model, &LogsModel::firstPage);
    connect(m_prev, &QPushButton::clicked, m_model, &LogsModel::previousPage);
    connect(m_next, &QPushButton::clicked, m_model, &LogsModel::nextPage);
    connect(m_model, &LogsModel::pageChanged, this, &LogsPage::updatePager);
    connect(m_model, &LogsModel::totalCountChanged, this, &LogsPage::updatePager);
    connect(m_model, &LogsModel::loadingChanged, this, [this](bool loading) {
        if (loading)
            beginLoading();
        else
            endLoading();
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex &current) {
        const Store::LogRecord *r = m_model->recordAt(current.row());
        m_detail->setPlainText(r ? m_model->describe(*r) : QString());
    });
    connect(m_model, &QAbstractItemModel::modelReset, m_detail, &QPlainTextEdit::clear);
    connect(exportButton, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getSaveFileName(this, tr("Export logs"), QStringLiteral("relaydesk-logs.csv"), tr("CSV files (*.csv)"));
        if (file.isEmpty())
            return;
        exportCsv(file);
    });
    connect(this, &LogsPage::exportFinished, this, [this](bool ok, const QString &error) {
        if (!ok && isVisible())
            QMessageBox::warning(this, tr("Export logs"), error);
    });
    // Names in the filters and the table.
    refreshOnChanges(m_admin, {Store::ChangeKind::User, Store::ChangeKind::Key, Store::ChangeKind::Channel});
    {
        const QSignalBlocker block(m_pageSize); // one first read, by refresh() below
        m_model->setPageSize(m_pageSize->currentData().toInt());
    }
    refresh();
}

void LogsPage::reloadFilterChoices()
{
    struct Choices
    {
        QList<Store::User> users;
        QList<Store::ApiKey> keys;
        QList<Store::Channel> channels;
    };
    query(m_admin, [](Service::AdminService &s) {
        return Choices{s.users(), Service::ConsoleQueries::allKeys(s), s.channels()};
    }, [this](const Choices &c) {
        const QSignalBlocker b1(m_user), b2(m_key), b3(m_channel);
        const QVariant user = m_user->currentData(), key = m_key->currentData(), channel = m_channel->currentData();
        m_user->clear();
        m_key->clear();
        m_channel->clear();
        m_user->addItem(tr("Any"), QVariant());
        m_key->addItem(tr("Any"), QVariant());
        m_channel->addItem(tr("Any"), QVariant());
        for (const auto &u : c.users)
            m_user->addItem(u.name, u.id);
        for (const auto &k : c.keys)
            m_key->addItem(QStringLiteral("%1 (%2)").arg(k.name, k.keyHint), k.id);
        for (const auto &ch : c.channels)
            m_channel->addItem(ch.name, ch.id);
        m_user->setCurrentIndex(std::max(0, m_user->findData(user)));
        m_key->setCurrentIndex(std::max(0, m_key->findData(key)));
        m_channel->setCurrentIndex(std::max(0, m_channel->findData(channel)));
    });
}

Store::LogFilter LogsPage::currentFilter() const
{
    Store::LogFilter f;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 hour = 3600 * 1000;
    switch (m_range->currentData().toInt()) {
    case LastHour: f.fromMs = now - hour; break;
    case LastDay: f.fromMs = now - 24 * hour; break;
    case LastWeek: f.fromMs = now - 7 * 24 * hour; break;
    case LastMonth: f.fromMs = now - 30 * 24 * hour; break;
    case Custom:
        f.fromMs = m_from->dateTime().toMSecsSinceEpoch();
        f.toMs = m_to->dateTime().toMSecsSinceEpoch();
        break;
    default: break;
    }
    if (m_user->currentData().isValid())
        f.userId = m_user->currentData().toLongLong();
    if (m_key->currentData().isValid())
        f.keyId = m_key->currentData().toLongLong();
    if (m_channel->currentData().isValid())
        f.channelId = m_channel->currentData().toLongLong();
    if (m_type->currentData().toInt() >= 0)
        f.type = Store::LogType(m_type->currentData().toInt());
    f.model = m_modelFilter->text().trimmed();
    LogsModel::setEndpointKind(f, Monitor::endpointKindFromId(m_endpoint->currentData().toString()));
    return f;
}

void LogsPage::applyFilter()
{
    m_model->setFilter(currentFilter());
}

void LogsPage::updatePager()
{
    const std::optional<qint64> total = m_model->totalCount();
    const qint64 first = qint64(m_model->pageNumber() - 1) * m_model->pageSize() + (m_model->rowCount() ? 1 : 0);
    const qint64 last = first + m_model->rowCount() - (m_model->rowCount() ? 1 : 0);
    m_pageLabel->setText(tr("Page %1 · rows %2–%3 of %4").arg(m_model->pageNumber()).arg(QLocale().toString(first), QLocale().toString(last),
                                                                                          total ? QLocale().toString(*total) : tr("…")));
    m_first->setEnabled(m_model->hasPreviousPage());
    m_prev->setEnabled(m_model->hasPreviousPage());
    m_next->setEnabled(m_model->hasNextPage());
}

bool LogsPage::exportCsv(const QString &fileName)
{
    if (!m_admin || m_export)
        return false;
    m_export = CsvExport::start(m_admin, currentFilter(), fileName);
    auto *progress = new QProgressDialog(tr("Exporting logs…"), tr("Cancel"), 0, 1000, this);
    progress->setAttribute(Qt::WA_DeleteOnClose);
    progress->setMinimumDuration(300);
    progress->setAutoClose(false);
    progress->setAutoReset(false);
    m_progress = progress;
    connect(progress, &QProgressDialog::canceled, this, [job = std::weak_ptr<CsvExport>(m_export)] {
        if (const auto j = job.lock())
            j->cancel();
    });
    connect(m_export.get(), &CsvExport::progress, this, [this](qint64 done, qint64 total) {
        if (m_progress)
            m_progress->setValue(total > 0 ? int(done * 1000 / total) : 1000);
        emit exportProgress(done, total);
    });
    connect(m_export.get(), &CsvExport::finished, this, [this](bool ok, const QString &error, qint64 rows) {
        m_export.reset();
        if (m_progress)
            m_progress->close();
        emit exportFinished(ok, error, rows);
    });
    return true;
}

void LogsPage::refresh()
{
    m_model->reloadNames();
    reloadFilterChoices();
    applyFilter();
}

void LogsPage::setCurrencyDisplay(CurrencyDisplay display)
{
    m_model->setCurrencyDisplay(display);
}

QByteArray LogsPage::saveState() const
{
    QByteArray out;
    QDataStream s(&out, QIODevice::WriteOnly);
    s << quint32(1) << m_table->horizontalHeader()->saveState() << m_splitter->saveState() << m_pageSize->currentIndex();
    return out;
}

void LogsPage::restoreState(const QByteArray &state)
{
    QDataStream s(state);
    quint32 version = 0;
    QByteArray header, splitter;
    int pageSize = 2;
    s >> version >> header >> splitter >> pageSize;
    if (s.status() != QDataStream::Ok || version != 1)
        return;
    m_table->horizontalHeader()->restoreState(header);
    m_splitter->restoreState(splitter);
    m_pageSize->setCurrentIndex(qBound(0, pageSize, m_pageSize->count() - 1));
}

} // namespace RelayDesk::Ui
