#pragma once

#include "records.h"
#include "result.h"

#include <QList>
#include <QSqlQuery>

#include <memory>

namespace RelayDesk::Store {

class Database;
class SecretBox;

// Channels, with their upstream secrets encrypted at rest (SecretBox, "enc:v1:…" in the secret column):
// sealed on write, opened on read. The key file is $RELAYDESK_SECRET_KEY_FILE when set (it must exist:
// instances sharing a PostgreSQL database must share it), else secret.key beside the SQLite database, or in
// the default data dir for PostgreSQL (created at first use, mode 0600).
class ChannelRepository final
{
public:
    static constexpr const char *kSecretKeyFileEnv = "RELAYDESK_SECRET_KEY_FILE";

    explicit ChannelRepository(const Database &db);
    ~ChannelRepository();

    Result<Channel> create(const Channel &channel) const;
    Status update(const Channel &channel) const; // by id; every column but used_quota/created_at
    Status setStatus(qint64 id, RowStatus status) const;
    Status remove(qint64 id) const;
    std::optional<Channel> byId(qint64 id) const;
    std::optional<Channel> byName(const QString &name) const;
    QList<Channel> list() const;

    // Checks a channel before it is written: name, http(s) base URL, at least one model, weight ≥ 0.
    static Status validate(const Channel &channel);

    // Run when a database is opened: checks that the key file opens the stored secrets (a wrong or missing
    // key is an error naming the key file), then encrypts the plaintext secrets older versions wrote.
    Status prepareSecretsOnOpen() const;
    // Encrypts plaintext secrets; returns how many rows this call changed. Idempotent, and safe when several
    // processes run it at once: each UPDATE only applies while the row still holds the plaintext it read.
    Result<int> encryptPlaintextSecrets() const;

    static QString secretKeyFile(const Database &db);

    // The same sealing for the store's other secrets (the alert webhook's signing secret): empty stays empty.
    Result<QString> sealSecret(const QString &plain) const;
    // A sealed value opened (a plaintext one as it is).
    Result<QString> openSecret(const QString &stored) const;

private:
    enum class KeyUse { Read, Write };
    Result<const SecretBox *> secretBox(KeyUse use) const;
    Channel readChannel(const QSqlQuery &q) const;
    bool hasSealedSecrets() const;

    const Database &m_db;
    mutable std::unique_ptr<SecretBox> m_box; // loaded at first use
};

} // namespace RelayDesk::Store
