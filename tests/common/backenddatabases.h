#pragma once
// A database of the backend a data row names — "sqlite": a temporary file; "postgres": a fresh database in one
// throwaway cluster shared by the test object's rows — for the tests that run one scenario on both:
//   const auto opened = m_databases.open(backend);
//   if (!opened.skip.isEmpty()) QSKIP(qPrintable(opened.skip));
//   QVERIFY2(opened.db, qPrintable(opened.error));
#include "pgcluster.h"
#include "tempdatabase.h"

#include <memory>
#include <vector>

namespace RelayDesk::Testing {

class BackendDatabases final
{
public:
    struct Opened
    {
        std::shared_ptr<Store::Database> db; // null with `skip` or `error` set
        QString skip;  // PostgreSQL is not installed here
        QString error;
    };

    Opened open(const QString &backend)
    {
        Opened o;
        if (backend == u"sqlite") {
            m_sqlite.push_back(std::make_unique<TempDatabase>());
            if (m_sqlite.back()->isValid())
                o.db = m_sqlite.back()->shared();
            else
                o.error = m_sqlite.back()->error();
            return o;
        }
        const PgDatabase pg = createPgDatabase(m_pg);
        o.skip = pg.skip;
        o.error = pg.error;
        if (pg.url.isEmpty())
            return o;
        auto opened = Store::Database::openUrl(pg.url);
        if (opened)
            o.db = opened.value();
        else
            o.error = opened.error();
        return o;
    }

    // Drops every database and stops the cluster (cleanupTestCase: while the application still runs).
    void reset()
    {
        m_sqlite.clear();
        m_pg.reset();
    }

private:
    std::vector<std::unique_ptr<TempDatabase>> m_sqlite;
    std::unique_ptr<PgCluster> m_pg;
};

} // namespace RelayDesk::Testing
