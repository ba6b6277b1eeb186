#include "pricingservice.h"

#include "store/database.h"
#include "store/optionrepository.h"

#include <QFile>
#include <QJsonDocument>

#include <mutex>

namespace RelayDesk::Billing {

using Store::Status;

const QString PricingService::kDefaultMaxTokensOption = QStringLiteral("RelayDeskReserveMaxTokens");

namespace {

QString compact(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

// The option rows for a book: one new-api option key per map, each value a JSON string.
QHash<QString, QString> optionRows(const PriceBook &book)
{
    QHash<QString, QString> rows;
    const QJsonObject json = book.toJson();
    for (auto it = json.begin(); it != json.end(); ++it)
        rows.insert(it.key(), compact(it.value().toObject()));
    return rows;
}

bool isPricingOption(const QString &key)
{
    return isPriceBookKey(key);
}

} // namespace

PricingService::PricingService(const Store::Database &db, QObject *parent)
    : QObject(parent), m_db(db), m_current(PriceBook::empty())
{
}

QJsonObject PricingService::defaultPrices()
{
    QFile file(QStringLiteral(":/relaydesk/pricing/default_prices.json"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

QJsonObject PricingService::readStored()
{
    const auto all = Store::OptionRepository(m_db).all();
    bool ok = false;
    if (const qint64 tokens = all.value(kDefaultMaxTokensOption).toLongLong(&ok); ok && tokens > 0) {
        QMutexLocker lock(&m_mutex);
        m_defaultMaxTokens = tokens;
    }
    QJsonObject stored;
    for (auto it = all.begin(); it != all.end(); ++it)
        if (isPricingOption(it.key()))
            stored.insert(it.key(), it.value()); // strings; PriceBook parses them
    return stored;
}

Status PricingService::install(const QJsonObject &stored)
{
    auto book = PriceBook::fromJson(stored);
    if (!book)
        return Status::failure(QStringLiteral("stored prices are invalid: ") + book.error());
    // Reuse the latest snapshot when it describes this very book; otherwise record a new one.
    Store::OptionRepository options(m_db);
    const QString json = compact(book.value()->toJson());
    qint64 id = 0;
    if (const auto latest = options.latestSnapshot(); latest && latest->second == json) {
        id = latest->first;
    } else {
        auto inserted = options.insertSnapshot(json);
        if (!inserted)
            return Status::failure(inserted.error());
        id = *inserted;
    }
    PriceBookPtr loaded = book.value()->withSnapshotId(id);
    {
        QMutexLocker lock(&m_mutex);
        if (m_current && m_current->snapshotId() == id)
            return {}; // already in force (this process published it)
        m_current = loaded;
        m_snapshots.insert(id, loaded);
    }
    emit pricesChanged(id);
    return {};
}

Status PricingService::load()
{
    QMutexLocker edit(&m_editMutex);
    const QJsonObject stored = readStored();
    if (stored.isEmpty()) {
        const QJsonObject defaults = defaultPrices();
        if (defaults.isEmpty())
            return Status::failure(QStringLiteral("the built-in default price table is missing"));
        auto book = PriceBook::fromJson(defaults);
        if (!book)
            return Status::failure(QStringLiteral("built-in default price table: ") + book.error());
        edit.unlock();
        return replace(book.value()->toJson());
    }
    return install(stored);
}

Status PricingService::reload(bool *busy)
{
    std::unique_lock<QMutex> edit(m_editMutex, std::try_to_lock);
    if (busy)
        *busy = !edit.owns_lock();
    if (!edit.owns_lock())
        return Status::failure(QStringLiteral("busy: an edit of this process is being published"));
    return reloadLocked();
}

Status PricingService::reloadWaiting()
{
    QMutexLocker edit(&m_editMutex);
    return reloadLocked();
}

Status PricingService::reloadLocked()
{
    const QJsonObject stored = readStored();
    if (stored.isEmpty()) // the store did not answer (a book once loaded is never empty): keep the current one
        return Status::failure(QStringLiteral("cannot read the stored prices"));
    return install(stored);
}

PriceBookPtr PricingService::current() const
{
    QMutexLocker lock(&m_mutex);
    return m_current;
}

PriceBookPtr PricingService::snapshot(qint64 snapshotId) const
{
    {
        QMutexLocker lock(&m_mutex);
        if (auto it = m_snapshots.constFind(snapshotId); it != m_snapshots.cend())
            return *it;
    }
    const auto json = Store::OptionRepository(m_db).snapshot(snapshotId);
    if (!json)
        return nullptr;
    auto book = PriceBook::fromJson(QJsonDocument::fromJson(json->toUtf8()).object(), snapshotId);
    if (!book)
        return nullptr;
    QMutexLocker lock(&m_mutex);
    m_snapshots.insert(snapshotId, book.value());
    return book.value();
}

Status PricingService::publish(PriceBookPtr candidate)
{
    const QString json = compact(candidate->toJson());
    auto id = Store::OptionRepository(m_db).saveSnapshot(optionRows(*candidate), json);
    if (!id)
        return Status::failure(QStringLiteral("cannot save prices: ") + id.error());
    PriceBookPtr published = candidate->withSnapshotId(*id);
    {
        QMutexLocker lock(&m_mutex);
        m_current = published;
        m_snapshots.insert(*id, published);
    }
    emit pricesChanged(*id);
    return {};
}

Status PricingService::apply(const QJsonObject &edit)
{
    QMutexLocker lock(&m_editMutex);
    auto candidate = current()->withEdit(edit);
    if (!candidate)
        return Status::failure(candidate.error());
    return publish(candidate.value());
}

Status PricingService::replace(const QJsonObject &book)
{
    QMutexLocker lock(&m_editMutex);
    auto candidate = PriceBook::fromJson(book);
    if (!candidate)
        return Status::failure(candidate.error());
    return publish(candidate.value());
}

Status PricingService::importJson(const QByteArray &json)
{
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &err);
    if (err.error != QJsonParseError::NoError)
        return Status::failure(QStringLiteral("not valid JSON: %1 at offset %2").arg(err.errorString()).arg(err.offset));
    if (!doc.isObject())
        return Status::failure(QStringLiteral("expected a JSON object of pricing maps"));
    return apply(doc.object());
}

QJsonObject PricingService::exportJson() const
{
    return current()->toJson();
}

qint64 PricingService::defaultMaxTokens() const
{
    QMutexLocker lock(&m_mutex);
    return m_defaultMaxTokens;
}

Status PricingService::setDefaultMaxTokens(qint64 tokens)
{
    if (tokens <= 0)
        return Status::failure(QStringLiteral("default max_tokens must be positive"));
    if (Status s = Store::OptionRepository(m_db).set(kDefaultMaxTokensOption, QString::number(tokens)); !s)
        return s;
    QMutexLocker lock(&m_mutex);
    m_defaultMaxTokens = tokens;
    return {};
}

} // namespace RelayDesk::Billing
