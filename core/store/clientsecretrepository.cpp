#include "clientsecretrepository.h"

#include "database.h"
#include "secrettoken.h"

#include <QDateTime>
#include <QJsonDocument>

namespace RelayDesk::Store {

bool ClientSecretRepository::looksLikeSecret(const QString &text)
{
    return SecretToken::looksLike(text, kPrefix);
}

QString ClientSecretRepository::hashSecret(const QString &value)
{
    return SecretToken::hash(value);
}

Result<MintedClientSecret> ClientSecretRepository::mint(ClientSecret secret) const
{
    if (secret.createdAt == 0)
        secret.createdAt = QDateTime::currentMSecsSinceEpoch();
    MintedClientSecret out{SecretToken::generate(kPrefix), secret};
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("INSERT INTO client_secrets(secret_hash, key_id, user_id, session_json, created_at, "
                             "expires_at) VALUES (?, ?, ?, ?, ?, ?)"));
    q.addBindValue(hashSecret(out.value));
    q.addBindValue(secret.keyId);
    q.addBindValue(secret.userId);
    q.addBindValue(QString::fromUtf8(QJsonDocument(secret.session).toJson(QJsonDocument::Compact)));
    q.addBindValue(secret.createdAt);
    q.addBindValue(secret.expiresAt);
    QString error;
    if (!execQuery(q, &error, "insert client secret"))
        return Result<MintedClientSecret>::failure(error);
    return out;
}

std::optional<ClientSecret> ClientSecretRepository::find(const QString &value, qint64 nowMs) const
{
    if (!looksLikeSecret(value))
        return std::nullopt;
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("SELECT key_id, user_id, session_json, created_at, expires_at FROM client_secrets "
                             "WHERE secret_hash = ? AND expires_at > ?"));
    q.addBindValue(hashSecret(value));
    q.addBindValue(nowMs);
    if (!q.exec() || !q.next())
        return std::nullopt;
    ClientSecret s;
    s.keyId = q.value(0).toLongLong();
    s.userId = q.value(1).toLongLong();
    s.session = QJsonDocument::fromJson(q.value(2).toString().toUtf8()).object();
    s.createdAt = q.value(3).toLongLong();
    s.expiresAt = q.value(4).toLongLong();
    return s;
}

Result<qint64> ClientSecretRepository::prune(qint64 nowMs) const
{
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("DELETE FROM client_secrets WHERE expires_at <= ?"));
    q.addBindValue(nowMs);
    QString error;
    if (!execQuery(q, &error, "prune client secrets"))
        return Result<qint64>::failure(error);
    return qint64(q.numRowsAffected());
}

} // namespace RelayDesk::Store
