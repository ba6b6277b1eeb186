#include "demoseed.h"

#include "store/database.h"

#include "store/apikeyrepository.h"
#include "store/channelrepository.h"
#include "store/logrepository.h"
#include "store/userrepository.h"

#include <QDateTime>
#include <QJsonObject>
#include <QRandomGenerator>

namespace RelayDesk::Service {

using namespace Store;

Status seedDemoStore(const Database &db, int logRows, int days, quint32 seed, bool routableChannels)
{
    QRandomGenerator rng(seed);
    const UserRepository users(db);
    const ApiKeyRepository keys(db);
    const ChannelRepository channels(db);
    const LogRepository logs(db);

    struct DemoUser { const char *name; const char *group; qint64 quota; };
    const DemoUser demoUsers[] = {{"alice", "default", 25'000'000}, {"bob", "default", 4'000'000},
                                  {"carol", "vip", 120'000'000},   {"dev-team", "default", 60'000'000},
                                  {"wangwei", "vip", 9'000'000},   {"support-bot", "svip", 300'000'000}};
    QList<qint64> userIds, keyIds;
    for (const DemoUser &u : demoUsers) {
        auto created = users.create(QString::fromUtf8(u.name), QString::fromLatin1(u.group), u.quota);
        if (!created)
            return Status::failure(created.error());
        userIds << created->id;
        NewApiKey spec;
        spec.userId = created->id;
        spec.name = QString::fromUtf8(u.name) + QStringLiteral("-laptop");
        spec.quota = u.quota / 2;
        spec.unlimited = rng.bounded(3) == 0;
        if (rng.bounded(2))
            spec.modelLimits = {QStringLiteral("gpt-4o-mini"), QStringLiteral("gpt-realtime")};
        auto key = keys.create(spec);
        if (!key)
            return Status::failure(key.error());
        keyIds << key->key.id;
    }

    QList<qint64> channelIds;
    {
        Channel c;
        c.name = QStringLiteral("openai-main");
        c.baseUrl = QStringLiteral("https://api.openai.com");
        c.secret = QStringLiteral("sk-demo-upstream-secret-0001");
        c.models = {QStringLiteral("gpt-4o"), QStringLiteral("gpt-4o-mini"), QStringLiteral("gpt-realtime"), QStringLiteral("o4-mini")};
        c.groups = routableChannels ? QStringList{QStringLiteral("default"), QStringLiteral("vip"), QStringLiteral("svip")}
                                    : QStringList{QStringLiteral("vip"), QStringLiteral("svip")};
        c.priority = 10;
        c.weight = 3;
        auto a = channels.create(c);
        if (!a)
            return Status::failure(a.error());
        channelIds << a->id;
        c.name = QStringLiteral("openai-backup");
        c.secret = QStringLiteral("sk-demo-upstream-secret-0002");
        c.priority = 0;
        c.weight = 1;
        c.modelMapping = QJsonObject{{QStringLiteral("gpt-4o-mini"), QStringLiteral("gpt-4o-mini-2024-07-18")}};
        auto b = channels.create(c);
        if (!b)
            return Status::failure(b.error());
        channelIds << b->id;
        c.name = QStringLiteral("demo-offline");
        c.type = QStringLiteral("demo");
        c.baseUrl = QStringLiteral("http://127.0.0.1:1");
        c.secret = QStringLiteral("demo");
        c.models = {QStringLiteral("gpt-4o-mini"), QStringLiteral("gpt-realtime")};
        c.modelMapping = {};
        c.status = RowStatus::Disabled;
        auto d = channels.create(c);
        if (!d)
            return Status::failure(d.error());
        channelIds << d->id;
    }

    struct DemoModel { const char *name; double inPerToken; double outPerToken; bool realtime; };
    const DemoModel models[] = {{"gpt-4o-mini", 0.075, 0.3, false}, {"gpt-4o", 1.25, 5, false},
                                {"o4-mini", 0.55, 2.2, false},      {"gpt-realtime", 2, 8, true}};
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 span = qint64(days) * 24 * 3600 * 1000;
    for (int i = 0; i < logRows; ++i) {
        const DemoModel &m = models[rng.bounded(int(std::size(models)))];
        const int u = int(rng.bounded(int(userIds.size())));
        LogRecord r;
        r.createdAt = now - span + qint64(double(span) * (double(i) + rng.generateDouble()) / double(logRows));
        r.type = rng.bounded(40) == 0 ? LogType::Error : LogType::Consume;
        r.userId = userIds[u];
        r.keyId = keyIds[u];
        r.channelId = channelIds[rng.bounded(2)];
        r.model = QString::fromLatin1(m.name);
        r.upstreamModel = r.model;
        r.isStream = rng.bounded(2) == 0;
        r.useMs = 200 + rng.bounded(m.realtime ? 90000 : 6000);
        r.requestId = QStringLiteral("req_demo_%1").arg(i);
        QJsonObject usage;
        if (m.realtime) {
            const qint64 audioIn = 200 + rng.bounded(4000), audioOut = 300 + rng.bounded(6000);
            const qint64 textIn = 100 + rng.bounded(2000), textOut = 50 + rng.bounded(500);
            r.promptTokens = audioIn + textIn;
            r.completionTokens = audioOut + textOut;
            r.quota = qint64(double(textIn) * 2 + double(audioIn) * 16 + double(textOut) * 8 + double(audioOut) * 32);
            usage = {{QStringLiteral("text_input"), textIn}, {QStringLiteral("audio_input"), audioIn},
                     {QStringLiteral("text_output"), textOut}, {QStringLiteral("audio_output"), audioOut}};
        } else {
            r.promptTokens = 50 + rng.bounded(4000);
            r.completionTokens = 10 + rng.bounded(1200);
            r.quota = qint64(double(r.promptTokens) * m.inPerToken + double(r.completionTokens) * m.outPerToken);
            usage = {{QStringLiteral("text_input"), r.promptTokens}, {QStringLiteral("text_output"), r.completionTokens}};
        }
        if (r.type == LogType::Error) {
            r.quota = 0;
            r.content = QStringLiteral("upstream returned 429: rate limit reached");
        }
        r.other = {{QStringLiteral("model_ratio"), m.inPerToken}, {QStringLiteral("completion_ratio"), m.outPerToken / m.inPerToken},
                   {QStringLiteral("group_ratio"), 1}, {QStringLiteral("usage"), usage},
                   {QStringLiteral("frt"), qint64(150 + rng.bounded(900))}};
        auto inserted = logs.insert(r);
        if (!inserted)
            return Status::failure(inserted.error());
    }
    return {};
}

Result<std::shared_ptr<Database>> openDemoDatabase(const QString &dir)
{
    return Database::openDataDir(dir);
}

} // namespace RelayDesk::Service
