#pragma once
// A fresh, migrated SQLite database in a temporary data dir, removed at scope exit.

#include "store/database.h"

#include <QTemporaryDir>

namespace RelayDesk::Testing {

class TempDatabase
{
public:
    TempDatabase()
    {
        if (!m_dir.isValid()) {
            m_error = QStringLiteral("cannot create a temporary directory");
            return;
        }
        auto opened = Store::Database::openDataDir(m_dir.path());
        if (opened)
            m_db = opened.value();
        else
            m_error = opened.error();
    }

    bool isValid() const { return m_db != nullptr; }
    const QString &error() const { return m_error; }
    QString dataDir() const { return m_dir.path(); }
    Store::Database &db() const { return *m_db; }
    std::shared_ptr<Store::Database> shared() const { return m_db; }
    // Closes the database (e.g. to reopen it as another process would).
    void close() { m_db.reset(); }

private:
    QTemporaryDir m_dir;
    std::shared_ptr<Store::Database> m_db;
    QString m_error;
};

} // namespace RelayDesk::Testing
