#include "commitbatch.h"

#include "database.h"
#include "metrics/relaymetrics.h"

#include <QtCore/QDebug>
#include <QtCore/QElapsedTimer>

namespace RelayDesk::Store {

CommitBatch::CommitBatch(std::shared_ptr<Database> db, QObject *parent)
    : QObject(parent)
    , m_db(std::move(db))
{
}

CommitBatch::~CommitBatch()
{
    commit();
}

void CommitBatch::join()
{
    if (!m_db || m_db->backend() != Database::Backend::Sqlite || m_db->inBatch())
        return;
    QString error;
    if (!m_db->beginBatch(&error)) {
        qWarning("ledger: cannot open a commit batch (%s); committing one by one", qPrintable(error));
        return;
    }
    if (!std::exchange(m_scheduled, true)) {
        // Queued: runs after the events already pending in this pass, so their writes share the commit.
        QMetaObject::invokeMethod(this, [this] {
            m_scheduled = false;
            commit();
        }, Qt::QueuedConnection);
    }
}

bool CommitBatch::isOpen() const
{
    return m_db && m_db->inBatch();
}

void CommitBatch::afterCommit(std::function<void(bool)> then)
{
    if (!isOpen())
        return then(true);
    m_continuations.push_back(std::move(then));
}

bool CommitBatch::commit()
{
    bool committed = true;
    if (isOpen()) {
        QString error;
        QElapsedTimer took;
        took.start();
        committed = m_db->commitBatch(&error);
        if (committed) {
            ++m_batches;
            Metrics::RelayMetrics::global().ledgerCommitted(took.nsecsElapsed() / 1e9);
        } else {
            qWarning("ledger: commit of a batch failed (%s); its writes were rolled back", qPrintable(error));
        }
    }
    // Continuations may open the next batch; they belong to this one only.
    const auto continuations = std::exchange(m_continuations, {});
    for (const auto &then : continuations)
        then(committed);
    return committed;
}

} // namespace RelayDesk::Store
