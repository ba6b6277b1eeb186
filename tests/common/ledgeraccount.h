#pragma once
// A user and an unlimited key of it, written straight to the database, for the ledger tests of limits (budgets,
// rates); and an ISO time as unix milliseconds, for their injected clocks.
#include "store/apikeyrepository.h"
#include "store/database.h"
#include "store/userrepository.h"

#include <QtCore/QDateTime>

namespace RelayDeskTest {

struct LedgerAccount
{
    qint64 userId = 0;
    qint64 keyId = 0;
    QString keyHint;
};

inline LedgerAccount makeLedgerAccount(const RelayDesk::Store::Database &db, const QString &name,
                                       qint64 userQuota = 100'000'000)
{
    using namespace RelayDesk;
    LedgerAccount a;
    auto user = Store::UserRepository(db).create(name, QStringLiteral("default"), userQuota);
    if (!user)
        qFatal("create user: %s", qPrintable(user.error()));
    a.userId = user->id;
    Store::NewApiKey spec;
    spec.userId = a.userId;
    spec.name = name + QStringLiteral("-key");
    spec.unlimited = true;
    auto key = Store::ApiKeyRepository(db).create(spec);
    if (!key)
        qFatal("create key: %s", qPrintable(key.error()));
    a.keyId = key->key.id;
    a.keyHint = key->key.keyHint;
    return a;
}

inline qint64 msAt(const QString &iso)
{
    return QDateTime::fromString(iso, Qt::ISODate).toMSecsSinceEpoch();
}

} // namespace RelayDeskTest
