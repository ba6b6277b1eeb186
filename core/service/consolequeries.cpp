#include "consolequeries.h"

#include "store/apikeyrepository.h"
#include "store/channelrepository.h"
#include "store/database.h"
#include "store/logrepository.h"
#include "store/userrepository.h"

#include <QDateTime>
#include <QIODevice>
#include <QJsonDocument>

namespace RelayDesk::Service::ConsoleQueries {

namespace {

QString csvField(const QString &s)
{
    if (!s.contains(QLatin1Char(',')) && !s.contains(QLatin1Char('"')) && !s.contains(QLatin1Char('\n')) && !s.contains(QLatin1Char('\r')))
        return s;
    QString quoted = s;
    quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

QString csvLine(const Store::LogRecord &r)
{
    return QStringList{QString::number(r.id),
                       QDateTime::fromMSecsSinceEpoch(r.createdAt).toUTC().toString(Qt::ISODateWithMs),
                       QString::number(int(r.type)), QString::number(r.userId), QString::number(r.keyId),
                       QString::number(r.channelId), csvField(r.model), csvField(r.upstreamModel),
                       QString::number(r.promptTokens), QString::number(r.completionTokens), QString::number(r.quota),
                       QString::number(r.useMs), r.isStream ? QStringLiteral("1") : QStringLiteral("0"),
                       csvField(r.requestId), csvField(r.content),
                       csvField(QString::fromUtf8(QJsonDocument(r.other).toJson(QJsonDocument::Compact)))}
               .join(QLatin1Char(','))
           + QLatin1Char('\n');
}

} // namespace

Names names(const AdminService &admin)
{
    Names n;
    for (const Store::User &u : admin.users())
        n.users.insert(u.id, u.name);
    for (const Store::ApiKey &k : allKeys(admin))
        n.keys.insert(k.id, k.name);
    for (const Store::Channel &c : admin.channels())
        n.channels.insert(c.id, c.name);
    return n;
}

QList<Store::ApiKey> allKeys(const AdminService &admin)
{
    QList<Store::ApiKey> all;
    const Store::ApiKeyRepository repo(*admin.database());
    constexpr int kPage = 1000;
    for (int offset = 0;; offset += kPage) {
        const QList<Store::ApiKey> page = repo.list(kPage, offset);
        all += page;
        if (page.size() < kPage)
            return all;
    }
}

qint64 logCount(const AdminService &admin, const Store::LogFilter &filter)
{
    return Store::LogRepository(*admin.database()).count(filter);
}

qint64 quotaSum(const AdminService &admin, const Store::LogFilter &filter)
{
    return Store::LogRepository(*admin.database()).sumQuota(filter);
}

bool isValidUserName(const QString &name)
{
    return Store::UserRepository::isValidName(name);
}

Store::Status validateChannel(const Store::Channel &channel)
{
    return Store::ChannelRepository::validate(channel);
}

Store::Result<qint64> exportLogsCsv(const AdminService &admin, const Store::LogFilter &filter, QIODevice *out,
                                    const std::function<bool(qint64, qint64)> &progress)
{
    using R = Store::Result<qint64>;
    const Store::LogRepository repo(*admin.database());
    const qint64 total = repo.count(filter);
    auto write = [out](const QString &text) { return out->write(text.toUtf8()) >= 0; };
    if (!write(QStringLiteral("id,created_at,type,user_id,key_id,channel_id,model,upstream_model,prompt_tokens,"
                              "completion_tokens,quota,use_ms,is_stream,request_id,content,other\n")))
        return R::failure(out->errorString());
    qint64 done = 0;
    std::optional<Store::LogCursor> cursor;
    do {
        const Store::LogPage page = repo.page(filter, 2000, cursor);
        QString chunk;
        for (const Store::LogRecord &r : page.rows)
            chunk += csvLine(r);
        if (!write(chunk))
            return R::failure(out->errorString());
        done += page.rows.size();
        cursor = page.next;
        if (progress && !progress(done, total))
            return R::failure(QStringLiteral("export cancelled"));
    } while (cursor);
    return done;
}

} // namespace RelayDesk::Service::ConsoleQueries
