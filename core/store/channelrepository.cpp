#include "channelrepository.h"

#include "database.h"
#include "secretbox.h"
#include "channeltype.h"
#include "userrepository.h"

#include "common/datadir.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QUrl>

namespace RelayDesk::Store {
namespace {

const QString kColumns = QStringLiteral(
    "id, name, type, base_url, secret, models, groups, model_mapping, priority, weight, status, used_quota, created_at");

// storedSecret: the secret as the column holds it (sealed).
template<typename Query> // QSqlQuery or Statement
void bindEditable(Query &q, const Channel &c, const QString &storedSecret)
{
    q.addBindValue(c.name);
    q.addBindValue(nn(c.type));
    q.addBindValue(c.baseUrl);
    q.addBindValue(nn(storedSecret));
    q.addBindValue(nn(c.models.join(u',')));
    q.addBindValue(nn(c.groups.join(u',')));
    q.addBindValue(QString::fromUtf8(QJsonDocument(c.modelMapping).toJson(QJsonDocument::Compact)));
    q.addBindValue(c.priority);
    q.addBindValue(c.weight);
    q.addBindValue(int(c.status));
}

const QString kSealedPattern = QStringLiteral("enc:v1:%");

} // namespace

ChannelRepository::ChannelRepository(const Database &db) : m_db(db) {}

ChannelRepository::~ChannelRepository() = default;

QString ChannelRepository::secretKeyFile(const Database &db)
{
    if (const QString given = qEnvironmentVariable(kSecretKeyFileEnv); !given.isEmpty())
        return QFileInfo(given).absoluteFilePath();
    const QString dir = db.backend() == Database::Backend::Sqlite ? QFileInfo(db.description()).absolutePath()
                                                                  : resolveDataDir();
    return QDir(dir).filePath(QStringLiteral("secret.key"));
}

bool ChannelRepository::hasSealedSecrets() const
{
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("SELECT 1 FROM channels WHERE secret LIKE ? LIMIT 1"));
    q.addBindValue(kSealedPattern);
    return q.exec() && q.next();
}

// The key is created at first use only where it is ours to create (beside the database, none given by the
// environment) and only while no secret is sealed yet: a lost key must stay an error, never be silently
// replaced by a new one that cannot open the existing secrets.
Result<const SecretBox *> ChannelRepository::secretBox(KeyUse use) const
{
    using R = Result<const SecretBox *>;
    if (m_box)
        return m_box.get();
    const QString file = secretKeyFile(m_db);
    const bool given = !qEnvironmentVariable(kSecretKeyFileEnv).isEmpty();
    if (!QFileInfo::exists(file)) {
        if (given)
            return R::failure(QStringLiteral("secret key file %1 (from %2) does not exist; create it once with "
                                             "`openssl rand -hex 32 > %1 && chmod 600 %1` and give every instance "
                                             "the same file").arg(file, QLatin1String(kSecretKeyFileEnv)));
        if (use == KeyUse::Read || hasSealedSecrets())
            return R::failure(QStringLiteral("secret key file %1 is missing but channel secrets were encrypted with "
                                             "it; restore it from a backup (or re-enter the channel keys)").arg(file));
        if (QString error; !ensureDataDir(QFileInfo(file).absolutePath(), &error))
            return R::failure(error);
    }
    auto loaded = SecretBox::load(file, given ? SecretBox::MustExist : SecretBox::CreateIfMissing);
    if (!loaded)
        return R::failure(loaded.error());
    m_box = std::make_unique<SecretBox>(std::move(loaded.value()));
    return m_box.get();
}

Result<QString> ChannelRepository::sealSecret(const QString &plain) const
{
    if (plain.isEmpty()) // nothing to hide; keeps "no key" visible as such
        return QString();
    const auto box = secretBox(KeyUse::Write);
    if (!box)
        return Result<QString>::failure(box.error());
    return (*box)->seal(plain);
}

Result<QString> ChannelRepository::openSecret(const QString &stored) const
{
    if (!SecretBox::isSealed(stored))
        return stored;
    const auto box = secretBox(KeyUse::Read);
    return box ? (*box)->open(stored) : Result<QString>::failure(box.error());
}

Channel ChannelRepository::readChannel(const QSqlQuery &q) const
{
    Channel c;
    c.id = q.value(0).toLongLong();
    c.name = q.value(1).toString();
    c.type = q.value(2).toString();
    c.baseUrl = q.value(3).toString();
    c.secret = q.value(4).toString();
    c.models = q.value(5).toString().split(u',', Qt::SkipEmptyParts);
    c.groups = q.value(6).toString().split(u',', Qt::SkipEmptyParts);
    c.modelMapping = QJsonDocument::fromJson(q.value(7).toString().toUtf8()).object();
    c.priority = q.value(8).toInt();
    c.weight = q.value(9).toInt();
    c.status = RowStatus(q.value(10).toInt());
    c.usedQuota = q.value(11).toLongLong();
    c.createdAt = q.value(12).toLongLong();
    if (SecretBox::isSealed(c.secret)) {
        // Plaintext rows (before the upgrade on open) read as is; a sealed one opens or reads as empty,
        // never as the sealed text, which would go upstream as a key. Opening the database already
        // refused a key that cannot open the secrets, so this is a key file changed under a running process.
        auto opened = openSecret(c.secret);
        if (!opened)
            qWarning("channel %s: %s", qPrintable(c.name), qPrintable(opened.error()));
        c.secret = opened ? *opened : QString();
    }
    return c;
}

Status ChannelRepository::prepareSecretsOnOpen() const
{
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("SELECT name, secret FROM channels WHERE secret LIKE ? LIMIT 1"));
    q.addBindValue(kSealedPattern);
    if (q.exec() && q.next()) {
        const QString name = q.value(0).toString();
        const QString sealed = q.value(1).toString();
        q.finish();
        const auto box = secretBox(KeyUse::Read);
        if (!box)
            return Status::failure(box.error());
        if (const auto opened = (*box)->open(sealed); !opened)
            return Status::failure(QStringLiteral("channel %1: %2").arg(name, opened.error()));
    }
    const auto upgraded = encryptPlaintextSecrets();
    return upgraded ? Status() : Status::failure(upgraded.error());
}

Result<int> ChannelRepository::encryptPlaintextSecrets() const
{
    using R = Result<int>;
    QList<std::pair<qint64, QString>> plain;
    {
        QSqlQuery q = m_db.query();
        q.prepare(QStringLiteral("SELECT id, secret FROM channels WHERE secret <> '' AND secret NOT LIKE ?"));
        q.addBindValue(kSealedPattern);
        if (!q.exec())
            return R::failure(queryError(q, "find plaintext channel secrets"));
        while (q.next())
            plain.append({q.value(0).toLongLong(), q.value(1).toString()});
    }
    if (plain.isEmpty())
        return 0;
    Transaction tx(m_db);
    if (!tx.isActive())
        return R::failure(tx.error());
    int changed = 0;
    for (const auto &[id, secret] : std::as_const(plain)) {
        const auto sealed = sealSecret(secret);
        if (!sealed)
            return R::failure(sealed.error());
        QSqlQuery q = m_db.query();
        q.prepare(QStringLiteral("UPDATE channels SET secret = ? WHERE id = ? AND secret = ?"));
        q.addBindValue(*sealed);
        q.addBindValue(id);
        q.addBindValue(secret);
        QString error;
        if (!execQuery(q, &error, "encrypt channel secret"))
            return R::failure(error);
        changed += q.numRowsAffected() == 1 ? 1 : 0;
    }
    if (!tx.commit())
        return R::failure(tx.error());
    return changed;
}

Status ChannelRepository::validate(const Channel &c)
{
    if (!UserRepository::isValidName(c.name))
        return Status::failure(QStringLiteral("invalid channel name '%1' (1-64 of A-Z a-z 0-9 _ . @ -)").arg(c.name));
    if (!ChannelType::isKnown(c.type))
        return Status::failure(QStringLiteral("unknown channel type '%1' (one of: %2)")
                                   .arg(c.type.left(64), ChannelType::known().join(QStringLiteral(", "))));
    const QUrl url(c.baseUrl, QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != u"http" && url.scheme() != u"https") || url.host().isEmpty())
        return Status::failure(QStringLiteral("invalid base URL '%1' (expected http(s)://host[:port][/path])").arg(c.baseUrl));
    if (c.models.isEmpty())
        return Status::failure(QStringLiteral("a channel needs at least one model"));
    for (const QString &m : c.models)
        if (m.trimmed().isEmpty() || m.contains(u','))
            return Status::failure(QStringLiteral("invalid model name '%1'").arg(m));
    for (const QString &g : c.groups)
        if (!UserRepository::isValidName(g))
            return Status::failure(QStringLiteral("invalid group name '%1'").arg(g));
    for (auto it = c.modelMapping.begin(); it != c.modelMapping.end(); ++it)
        if (!it.value().isString() || it.value().toString().isEmpty())
            return Status::failure(QStringLiteral("model mapping values must be non-empty strings"));
    if (c.weight < 0)
        return Status::failure(QStringLiteral("weight must not be negative"));
    return {};
}

Result<Channel> ChannelRepository::create(const Channel &channel) const
{
    if (Status valid = validate(channel); !valid)
        return Result<Channel>::failure(valid.error());
    if (byName(channel.name))
        return Result<Channel>::failure(QStringLiteral("a channel named '%1' already exists").arg(channel.name));
    Channel c = channel;
    c.createdAt = nowSecs();
    c.usedQuota = 0;
    const auto sealed = sealSecret(c.secret);
    if (!sealed)
        return Result<Channel>::failure(sealed.error());
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("INSERT INTO channels(name, type, base_url, secret, models, groups, model_mapping, "
                             "priority, weight, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"));
    bindEditable(q, c, *sealed);
    q.addBindValue(c.createdAt);
    QString error;
    if (!execQuery(q, &error, "create channel") || !q.next())
        return Result<Channel>::failure(error.isEmpty() ? QStringLiteral("create channel: no id returned") : error);
    c.id = q.value(0).toLongLong();
    return c;
}

Status ChannelRepository::update(const Channel &channel) const
{
    if (Status valid = validate(channel); !valid)
        return valid;
    const auto sealed = sealSecret(channel.secret);
    if (!sealed)
        return Status::failure(sealed.error());
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("UPDATE channels SET name = ?, type = ?, base_url = ?, secret = ?, models = ?, groups = ?, "
                             "model_mapping = ?, priority = ?, weight = ?, status = ? WHERE id = ?"));
    bindEditable(q, channel, *sealed);
    q.addBindValue(channel.id);
    QString error;
    if (!execQuery(q, &error, "update channel"))
        return Status::failure(error);
    return q.numRowsAffected() == 1 ? Status() : Status::failure(QStringLiteral("no channel with id %1").arg(channel.id));
}

Status ChannelRepository::setStatus(qint64 id, RowStatus status) const
{
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("UPDATE channels SET status = ? WHERE id = ?"));
    q.addBindValue(int(status));
    q.addBindValue(id);
    QString error;
    if (!execQuery(q, &error, "set channel status"))
        return Status::failure(error);
    return q.numRowsAffected() == 1 ? Status() : Status::failure(QStringLiteral("no channel with id %1").arg(id));
}

Status ChannelRepository::remove(qint64 id) const
{
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("DELETE FROM channels WHERE id = ?"));
    q.addBindValue(id);
    QString error;
    if (!execQuery(q, &error, "delete channel"))
        return Status::failure(error);
    return q.numRowsAffected() == 1 ? Status() : Status::failure(QStringLiteral("no channel with id %1").arg(id));
}

std::optional<Channel> ChannelRepository::byId(qint64 id) const
{
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM channels WHERE id = ?"));
    q.addBindValue(id);
    if (!q.exec() || !q.next())
        return std::nullopt;
    return readChannel(q);
}

std::optional<Channel> ChannelRepository::byName(const QString &name) const
{
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM channels WHERE name = ?"));
    q.addBindValue(name);
    if (!q.exec() || !q.next())
        return std::nullopt;
    return readChannel(q);
}

QList<Channel> ChannelRepository::list() const
{
    QList<Channel> channels;
    QSqlQuery q = m_db.query();
    if (q.exec(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM channels ORDER BY priority DESC, id")))
        while (q.next())
            channels << readChannel(q);
    return channels;
}

} // namespace RelayDesk::Store
