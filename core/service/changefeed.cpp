#include "service/changefeed.h"

#include "store/database.h"

#include <QtCore/QLoggingCategory>
#include <QtSql/QSqlQuery>

#include <algorithm>

namespace RelayDesk::Service {

namespace {

constexpr int kSqlitePollMs = 250;
constexpr int kPostgresPollMs = 1000;
constexpr int kMaxPagesPerPoll = 20;     // 20 000 changes a tick at most; the rest come on the next one
constexpr qint64 kMaxHoleSpan = 10'000;  // a larger jump (a sequence skipping ahead) is not waited for

QString notifyChannel()
{
    return QString::fromLatin1(Store::ChangeRepository::kNotifyChannel);
}

} // namespace

ChangeFeed::ChangeFeed(std::shared_ptr<Store::Database> db, std::optional<qint64> from, ChangeFeedOptions options,
                       QObject *parent)
    : QObject(parent)
    , m_db(std::move(db))
    , m_options(options)
    , m_timer(this)
{
    if (from) {
        m_known = true;
        m_watermark = m_highest = m_prunedAt = *from;
    }
    if (m_options.pollMs <= 0)
        m_options.pollMs = m_db->isPostgres() ? kPostgresPollMs : kSqlitePollMs;
    m_timer.setInterval(m_options.pollMs);
    connect(&m_timer, &QTimer::timeout, this, &ChangeFeed::poll);
    m_clock.start();
}

ChangeFeed::~ChangeFeed()
{
    if (m_driver)
        disconnect(m_driver, nullptr, this, nullptr);
}

void ChangeFeed::start()
{
    if (m_started)
        return;
    m_started = true;
    ensureListening();
    if (!m_known)
        resolveStart();
    m_timer.start();
}

void ChangeFeed::stop()
{
    m_started = false;
    m_timer.stop();
    if (m_driver) {
        disconnect(m_driver, nullptr, this, nullptr);
        if (m_db->isAvailable())
            m_driver->unsubscribeFromNotification(notifyChannel());
        m_driver = nullptr;
    }
}

bool ChangeFeed::isListening() const
{
    return m_driver && m_driver->subscribedToNotifications().contains(notifyChannel());
}

void ChangeFeed::setAvailable(bool available)
{
    if (available == m_available)
        return;
    m_available = available;
    if (available)
        qInfo("change feed: the database answers again; catching up from version %lld",
              static_cast<long long>(m_watermark));
    else
        qWarning("change feed: the database does not answer; retrying every %d ms", m_options.pollMs);
}

// PostgreSQL: (re)subscribe on this thread's connection. A reconnect closes the old session, and with it the
// LISTEN: whatever was announced meanwhile is read by the next poll, which a fresh subscription forces.
void ChangeFeed::ensureListening()
{
    if (!m_options.listen || !m_db->isPostgres())
        return;
    const QSqlDatabase conn = m_db->connection();
    QSqlDriver *driver = conn.isOpen() ? conn.driver() : nullptr;
    if (!driver)
        return;
    if (driver != m_driver) {
        if (m_driver)
            disconnect(m_driver, nullptr, this, nullptr);
        m_driver = driver;
        connect(driver, &QSqlDriver::notification, this, [this](const QString &name) {
            if (name == notifyChannel())
                schedulePoll();
        });
    }
    if (driver->subscribedToNotifications().contains(notifyChannel()))
        return;
    if (driver->subscribeToNotification(notifyChannel()))
        schedulePoll(); // anything committed while we were not listening is read at once
}

// Queued: the driver emits from inside its socket handler; reading the table there would re-enter it. Several
// notifications before the poll runs make one read.
void ChangeFeed::schedulePoll()
{
    m_notified = true;
    if (m_pollQueued)
        return;
    m_pollQueued = true;
    QMetaObject::invokeMethod(this, &ChangeFeed::poll, Qt::QueuedConnection);
}

// Without a starting version: the latest one. If the store did not answer at start, what changed before it
// answered is unknown, so every kind is reported as changed.
bool ChangeFeed::resolveStart()
{
    const auto latest = Store::ChangeRepository(*m_db).latestVersion();
    if (!latest) {
        setAvailable(false);
        return false;
    }
    setAvailable(true);
    const bool missedSome = m_started && m_timer.isActive();
    m_known = true;
    m_watermark = m_highest = m_prunedAt = *latest;
    if (missedSome) {
        for (Store::ChangeKind kind : {Store::ChangeKind::Channel, Store::ChangeKind::Key, Store::ChangeKind::User,
                                       Store::ChangeKind::Pricing})
            Q_EMIT changed(kind, 0);
        Q_EMIT applied(m_highest);
    }
    return true;
}

// SQLite: PRAGMA data_version moves only when another connection committed (our own ledger writes do not
// count), so an idle tick never touches the table. PostgreSQL and a pending hole or notification: ask.
bool ChangeFeed::somethingNew()
{
    if (m_notified || !m_holes.isEmpty() || m_db->isPostgres())
        return true;
    QSqlQuery q = m_db->query();
    if (!q.exec(QStringLiteral("PRAGMA data_version")) || !q.next())
        return true; // cannot tell: ask the table
    const qint64 version = q.value(0).toLongLong();
    if (m_dataVersion && *m_dataVersion == version)
        return false;
    m_dataVersion = version;
    return true;
}

QList<Store::Change> ChangeFeed::readNew()
{
    const Store::ChangeRepository changes(*m_db);
    QList<Store::Change> fresh;
    qint64 from = m_watermark;
    for (int page = 0; page < kMaxPagesPerPoll; ++page) {
        const QList<Store::Change> rows = changes.since(from, m_options.pageSize);
        for (const Store::Change &c : rows)
            if (!m_seen.contains(c.version))
                fresh.append(c);
        if (rows.size() < m_options.pageSize)
            break;
        from = rows.last().version;
    }
    return fresh;
}

void ChangeFeed::poll()
{
    m_pollQueued = false;
    if (!m_started)
        return;
    ensureListening();
    if (!m_known && !resolveStart())
        return;
    const std::optional<qint64> before = m_dataVersion;
    if (!somethingNew())
        return;
    const auto latest = Store::ChangeRepository(*m_db).latestVersion();
    if (!latest) {
        m_dataVersion = before; // read again once it answers
        setAvailable(false);
        return;
    }
    setAvailable(true);
    if (*latest <= m_highest && m_holes.isEmpty() && !m_notified)
        return;
    const QList<Store::Change> fresh = readNew();
    const qint64 readUpTo = fresh.isEmpty() ? m_highest : std::max(m_highest, fresh.last().version);
    if (readUpTo < *latest)
        m_dataVersion = before; // the read failed or stopped at the page cap: the next tick reads on
    else
        m_notified = false;
    for (const Store::Change &c : fresh) {
        m_seen.insert(c.version);
        m_highest = std::max(m_highest, c.version);
    }
    advanceWatermark();
    if (!fresh.isEmpty())
        report(fresh);
}

// Versions below the highest seen that are still missing may belong to transactions that have not committed
// yet (PostgreSQL takes the version at insert): keep reading from below them until they appear or time out.
void ChangeFeed::advanceWatermark()
{
    const qint64 now = m_clock.elapsed();
    if (m_highest - m_watermark > kMaxHoleSpan) {
        m_holes.clear();
    } else {
        for (qint64 v = m_watermark + 1; v < m_highest; ++v)
            if (!m_seen.contains(v) && !m_holes.contains(v))
                m_holes.insert(v, now);
    }
    for (auto it = m_holes.begin(); it != m_holes.end();)
        it = (m_seen.contains(it.key()) || now - it.value() >= m_options.gapGraceMs) ? m_holes.erase(it) : std::next(it);
    m_watermark = m_holes.isEmpty() ? m_highest : m_holes.firstKey() - 1;
    for (auto it = m_seen.begin(); it != m_seen.end();)
        it = *it <= m_watermark ? m_seen.erase(it) : std::next(it);
}

// One signal per entity, ordered by its latest version; a whole-kind change stands for every entity of its kind.
void ChangeFeed::report(const QList<Store::Change> &fresh)
{
    QSet<Store::ChangeKind> whole;
    for (const Store::Change &c : fresh)
        if (c.entityId == 0)
            whole.insert(c.kind);
    QHash<QPair<int, qint64>, qint64> latest; // (kind, id) -> latest version
    for (const Store::Change &c : fresh) {
        const qint64 id = whole.contains(c.kind) ? 0 : c.entityId;
        latest.insert({int(c.kind), id}, c.version);
    }
    QList<QPair<qint64, QPair<int, qint64>>> ordered;
    for (auto it = latest.cbegin(); it != latest.cend(); ++it)
        ordered.append({it.value(), it.key()});
    std::sort(ordered.begin(), ordered.end());
    for (const auto &[version, entity] : std::as_const(ordered))
        Q_EMIT changed(Store::ChangeKind(entity.first), entity.second);
    Q_EMIT applied(m_highest);
    pruneIfDue();
}

void ChangeFeed::pruneIfDue()
{
    if (m_watermark - m_prunedAt < m_options.pruneEvery)
        return;
    if (const auto pruned = Store::ChangeRepository(*m_db).prune(m_options.keepRows); !pruned)
        qWarning("change feed: cannot prune: %s", qPrintable(pruned.error()));
    m_prunedAt = m_watermark;
}

} // namespace RelayDesk::Service
