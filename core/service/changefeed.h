#pragma once
// Watches the `changes` table (Store::ChangeRepository) so a running relay applies admin edits made by any
// process: the CLI, a second console, another relay on the same PostgreSQL. It lives on the thread whose
// connection it reads (the relay thread in Runtime) and remembers the versions it has applied.
//
// SQLite: a cheap poll (every 250 ms). `PRAGMA data_version` changes only when another connection committed, so
// an idle tick costs one pragma and no read of the table.
// PostgreSQL: LISTEN relaydesk_changes on this thread's connection (NOTIFY is sent at commit), plus a poll every
// second as the fallback: notifications are lost while the connection is down and are re-subscribed after a
// reconnect.
//
// What came since is read with since() and reported coalesced: one changed(kind, id) per entity, ordered by the
// entity's latest version; an id of 0 (the whole kind) stands for every entity of that kind. On PostgreSQL a
// version is taken at insert but becomes visible at commit, so a lower version can appear after a higher one:
// a hole below the highest version seen is re-read until it fills or `gapGraceMs` passes (a rolled-back write
// leaves a hole forever). A store that does not answer costs a failed tick, one warning, and a retry.
#include "store/changerepository.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QHash>
#include <QtCore/QMap>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QSet>
#include <QtCore/QTimer>
#include <QtSql/QSqlDriver>

#include <memory>
#include <optional>

namespace RelayDesk::Store { class Database; }

namespace RelayDesk::Service {

struct ChangeFeedOptions
{
    int pollMs = 0;              // 0 = 250 ms on SQLite, 1000 ms (the fallback) on PostgreSQL
    bool listen = true;          // PostgreSQL LISTEN/NOTIFY
    qint64 gapGraceMs = 10'000;  // how long a hole below the highest seen version is waited for
    int pageSize = 1000;         // rows per since() read
    // Housekeeping: once this many versions were applied since the last pruning, the table is cut to its newest
    // keepRows rows (every instance may do it; the deletes are idempotent). A peer more than keepRows versions
    // behind would miss changes, which is why keepRows is far above what one poll reads.
    int pruneEvery = 1000;
    int keepRows = 10000;
};

class ChangeFeed final : public QObject
{
    Q_OBJECT

public:
    // `from`: the version whose state the caller has already loaded (read it before loading). Without one,
    // start() takes the latest; when the store does not answer then, the first answer reports every kind.
    explicit ChangeFeed(std::shared_ptr<Store::Database> db, std::optional<qint64> from = std::nullopt,
                        ChangeFeedOptions options = {}, QObject *parent = nullptr);
    ~ChangeFeed() override;

    void start();
    void stop();
    // One poll now (the timer and notifications call it).
    void poll();

    // Every version up to this one has been reported (or given up as a hole).
    qint64 appliedVersion() const { return m_watermark; }
    bool isListening() const;

Q_SIGNALS:
    // One per changed entity (entityId 0 = every entity of the kind), after the change committed.
    void changed(RelayDesk::Store::ChangeKind kind, qint64 entityId);
    // After the changed() signals of one poll; `version` is the highest version reported so far.
    void applied(qint64 version);

private:
    bool somethingNew();
    bool resolveStart();
    QList<Store::Change> readNew();
    void advanceWatermark();
    void pruneIfDue();
    void report(const QList<Store::Change> &fresh);
    void ensureListening();
    void schedulePoll();
    void setAvailable(bool available);

    std::shared_ptr<Store::Database> m_db;
    ChangeFeedOptions m_options;
    QTimer m_timer;
    bool m_started = false;
    bool m_known = false;           // m_watermark is a version we loaded, not a guess
    qint64 m_watermark = 0;         // all versions <= this are handled
    qint64 m_highest = 0;           // the highest version reported
    QSet<qint64> m_seen;            // reported versions above the watermark
    QMap<qint64, qint64> m_holes;   // missing version above the watermark -> when first missed (ms)
    QElapsedTimer m_clock;
    std::optional<qint64> m_dataVersion; // SQLite: PRAGMA data_version at the last read
    QPointer<QSqlDriver> m_driver;  // PostgreSQL: the driver we subscribed on
    bool m_notified = false;        // a notification arrived since the last read
    bool m_pollQueued = false;
    bool m_available = true;
    qint64 m_prunedAt = 0;          // the watermark at the last pruning
};

} // namespace RelayDesk::Service
