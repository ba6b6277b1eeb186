#pragma once
// Realtime's ephemeral client secrets (`ek_…`): what a backend mints with its `sk-` key for a browser or phone app
// that must not hold that key. The relay mints its own — nothing is asked of the upstream — and keeps only the
// secret's SHA-256 (like keys), the parent key and user it bills, the session configuration it was minted with, and
// when it expires. A secret may open sessions until it expires; lookups ignore expired rows.
#include "result.h"

#include <QJsonObject>
#include <QString>

#include <optional>

namespace RelayDesk::Store {

class Database;

struct ClientSecret
{
    qint64 keyId = 0;
    qint64 userId = 0;
    QJsonObject session;  // the configuration to apply to each session the secret opens
    qint64 createdAt = 0; // unix ms
    qint64 expiresAt = 0; // unix ms
};

struct MintedClientSecret
{
    QString value; // "ek_" + 48 characters from the OS CSPRNG (SecretToken); shown once, never stored
    ClientSecret secret;
};

class ClientSecretRepository final
{
public:
    explicit ClientSecretRepository(const Database &db) : m_db(db) {}

    static constexpr QLatin1StringView kPrefix{"ek_"};
    static bool looksLikeSecret(const QString &text);
    static QString hashSecret(const QString &value);

    // Mints and stores a secret for `secret` (keyId, userId, session, expiresAt; createdAt 0 = now).
    Result<MintedClientSecret> mint(ClientSecret secret) const;
    // The unexpired secret `value` at `nowMs`.
    std::optional<ClientSecret> find(const QString &value, qint64 nowMs) const;
    // Deletes the secrets expired at `nowMs`; returns how many.
    Result<qint64> prune(qint64 nowMs) const;

private:
    const Database &m_db;
};

} // namespace RelayDesk::Store
