#pragma once

#include "pricebook.h"

#include "store/result.h"

#include <QHash>
#include <QMutex>
#include <QObject>

namespace RelayDesk::Store {
class Database;
}

namespace RelayDesk::Billing {

// Holds the current PriceBook and swaps it atomically on edit. Thread-safe: current() may be called from
// the relay thread while the console edits prices. Every successful edit is persisted (new-api option
// keys in `options`, and a price snapshot row whose id the new book carries) before it is published.
class PricingService final : public QObject
{
    Q_OBJECT

public:
    static constexpr qint64 kDefaultMaxTokens = 4096;
    static const QString kDefaultMaxTokensOption; // "RelayDeskReserveMaxTokens"

    explicit PricingService(const Store::Database &db, QObject *parent = nullptr);

    // Loads the book from the options table; a fresh database is seeded from the default price table.
    Store::Status load();
    // Re-reads the stored book after another process changed it (the change feed calls it on the relay
    // thread) and swaps it in: a call holds either the old or the new snapshot, never a mix. Never seeds or
    // writes defaults, and never waits on an edit of this process (that edit publishes its own book): then
    // it fails with `busy` and the caller retries.
    Store::Status reload(bool *busy = nullptr);
    // reload() that waits for an edit or reload of this process in progress instead of failing: for a worker
    // that must see its own write in force before it reports back (never the relay thread).
    Store::Status reloadWaiting();

    PriceBookPtr current() const;
    // Resolves the book a log row was charged with (cached after first use).
    PriceBookPtr snapshot(qint64 snapshotId) const;

    // Validates the whole edit; maps present in `edit` replace the current ones, others are kept.
    // On any error nothing changes (the previous book stays in force) and the error says why.
    Store::Status apply(const QJsonObject &edit);
    // Replaces every map (absent maps become empty).
    Store::Status replace(const QJsonObject &book);
    // new-api option JSON (or new-api's {"data":[{key,value}]} option list) from bytes; merges like apply().
    Store::Status importJson(const QByteArray &json);
    QJsonObject exportJson() const;

    // max_tokens assumed when a request does not give one (used for reservations).
    qint64 defaultMaxTokens() const;
    Store::Status setDefaultMaxTokens(qint64 tokens);

    // The built-in default price table (resources/pricing/default_prices.json).
    static QJsonObject defaultPrices();

signals:
    // Emitted after a new book is in force (queued connections receive the id only; call current()).
    void pricesChanged(qint64 snapshotId);

private:
    Store::Status publish(PriceBookPtr candidate);
    // Reads max_tokens and the stored pricing maps (empty when none are stored or the store does not answer).
    QJsonObject readStored();
    // Reads the stored book and installs it; call with m_editMutex held.
    Store::Status reloadLocked();
    // Parses `stored`, finds or records its snapshot row and swaps it in; call with m_editMutex held.
    Store::Status install(const QJsonObject &stored);

    const Store::Database &m_db;
    mutable QMutex m_mutex;  // guards m_current and m_snapshots
    QMutex m_editMutex;      // serialises edits (persist + swap)
    PriceBookPtr m_current;
    mutable QHash<qint64, PriceBookPtr> m_snapshots;
    qint64 m_defaultMaxTokens = kDefaultMaxTokens;
};

} // namespace RelayDesk::Billing
