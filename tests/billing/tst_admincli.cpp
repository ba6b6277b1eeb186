// `relaydeskd admin …` end to end: the real binary against a temporary data dir.
#include "relaydeskdrun.h"

#include "billing/ledger.h"
#include "store/apikeyrepository.h"
#include "store/changerepository.h"
#include "store/channelhealthrepository.h"
#include "store/channelrepository.h"
#include "store/database.h"
#include "store/userrepository.h"

#include <QDir>
#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace RelayDesk;

using Run = RelayDeskTest::DaemonRun;

class TestAdminCli final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_tmp;

    QString dataDir(const QString &name) const { return m_tmp.filePath(name); }

    static Run admin(const QString &data, const QStringList &args, const QByteArray &stdinData = {})
    {
        QProcess p;
        p.start(QDir(qEnvironmentVariable("RELAYDESK_BIN_DIR")).filePath(QStringLiteral("relaydeskd")),
                QStringList{QStringLiteral("admin")} + args + QStringList{QStringLiteral("--data"), data});
        if (!stdinData.isEmpty())
            p.write(stdinData);
        p.closeWriteChannel();
        Run r;
        if (!p.waitForFinished(60000) || p.exitStatus() != QProcess::NormalExit)
            return r;
        r.exitCode = p.exitCode();
        r.out = p.readAllStandardOutput();
        r.err = p.readAllStandardError();
        return r;
    }

    static QByteArray allFileBytes(const QString &dir)
    {
        QByteArray all;
        QDirIterator it(dir, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            QFile f(it.next());
            if (f.open(QIODevice::ReadOnly))
                all += f.readAll();
        }
        return all;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        QVERIFY2(QFileInfo::exists(QDir(qEnvironmentVariable("RELAYDESK_BIN_DIR")).filePath(QStringLiteral("relaydeskd"))),
                 "relaydeskd not built (RELAYDESK_BIN_DIR)");
    }

    void usersAddShowSetQuota()
    {
        const QString d = dataDir(QStringLiteral("users"));
        Run r = admin(d, {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("alice"), QStringLiteral("--group"),
                          QStringLiteral("vip"), QStringLiteral("--quota"), QStringLiteral("1000000")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(QFileInfo::exists(QDir(d).filePath(QStringLiteral("relaydesk.sqlite"))));
        r = admin(d, {QStringLiteral("user"), QStringLiteral("show"), QStringLiteral("alice")});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject u = r.json();
        QCOMPARE(u.value(QStringLiteral("name")).toString(), QStringLiteral("alice"));
        QCOMPARE(u.value(QStringLiteral("group")).toString(), QStringLiteral("vip"));
        QCOMPARE(u.value(QStringLiteral("quota")).toInteger(), qint64(1000000));
        QCOMPARE(u.value(QStringLiteral("used_quota")).toInteger(), qint64(0));
        QCOMPARE(u.value(QStringLiteral("request_count")).toInteger(), qint64(0));

        r = admin(d, {QStringLiteral("user"), QStringLiteral("set-quota"), QStringLiteral("alice"), QStringLiteral("250")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.json().value(QStringLiteral("quota")).toInteger(), qint64(250));
        r = admin(d, {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("alice")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("already exists"));
        r = admin(d, {QStringLiteral("user"), QStringLiteral("show"), QStringLiteral("nobody")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.out.isEmpty());
    }

    void keysAreShownOnceAndNeverStored()
    {
        const QString d = dataDir(QStringLiteral("keys"));
        QCOMPARE(admin(d, {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("bob")}).exitCode, 0);
        Run r = admin(d, {QStringLiteral("key"), QStringLiteral("add"), QStringLiteral("--user"), QStringLiteral("bob"),
                          QStringLiteral("--name"), QStringLiteral("bob-ci"), QStringLiteral("--quota"), QStringLiteral("5000"),
                          QStringLiteral("--models"), QStringLiteral("gpt-4o, gpt-4o-mini")});
        QCOMPARE(r.exitCode, 0);
        const QString key = r.json().value(QStringLiteral("key")).toString();
        QVERIFY2(QRegularExpression(QStringLiteral("^sk-[0-9A-Za-z]{48}$")).match(key).hasMatch(), qPrintable(key));
        QCOMPARE(r.json().value(QStringLiteral("name")).toString(), QStringLiteral("bob-ci"));
        QCOMPARE(r.json().value(QStringLiteral("models")).toArray().size(), 2);

        r = admin(d, {QStringLiteral("key"), QStringLiteral("show"), QStringLiteral("bob-ci")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(!r.out.contains(key.mid(3).toLatin1()));
        QCOMPARE(r.json().value(QStringLiteral("hint")).toString(), key.left(5) + QStringLiteral("…") + key.right(3));
        QCOMPARE(r.json().value(QStringLiteral("quota")).toInteger(), qint64(5000));
        QVERIFY(!allFileBytes(d).contains(key.mid(3).toLatin1())); // only the hash is on disk

        r = admin(d, {QStringLiteral("key"), QStringLiteral("disable"), QStringLiteral("bob-ci")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.json().value(QStringLiteral("status")).toString(), QStringLiteral("disabled"));

        r = admin(d, {QStringLiteral("key"), QStringLiteral("add"), QStringLiteral("--user"), QStringLiteral("bob"),
                      QStringLiteral("--unlimited")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.json().value(QStringLiteral("unlimited")).toBool());
        QVERIFY(!r.json().value(QStringLiteral("name")).toString().isEmpty());
    }

    void channels()
    {
        const QString d = dataDir(QStringLiteral("channels"));
        Run r = admin(d, {QStringLiteral("channel"), QStringLiteral("add"), QStringLiteral("--name"), QStringLiteral("oa"),
                          QStringLiteral("--base-url"), QStringLiteral("https://api.openai.com"), QStringLiteral("--key"),
                          QStringLiteral("sk-upstream-secret-value"), QStringLiteral("--models"),
                          QStringLiteral("gpt-4o,gpt-realtime"), QStringLiteral("--groups"), QStringLiteral("default,vip"),
                          QStringLiteral("--priority"), QStringLiteral("3"), QStringLiteral("--weight"), QStringLiteral("2"),
                          QStringLiteral("--model-mapping"), QStringLiteral("{\"gpt-4o\":\"gpt-4o-2024-11-20\"}")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(!r.out.contains("secret-value"));
        r = admin(d, {QStringLiteral("channel"), QStringLiteral("add"), QStringLiteral("--name"), QStringLiteral("bad"),
                      QStringLiteral("--base-url"), QStringLiteral("not a url"), QStringLiteral("--key"), QStringLiteral("k"),
                      QStringLiteral("--models"), QStringLiteral("m")});
        QCOMPARE(r.exitCode, 2);
        // A channel of type anthropic (Anthropic's Messages API); a typo in the type is refused, not routed as OpenAI.
        r = admin(d, {QStringLiteral("channel"), QStringLiteral("add"), QStringLiteral("--type"), QStringLiteral("anthropic"),
                      QStringLiteral("--name"), QStringLiteral("claude"), QStringLiteral("--base-url"),
                      QStringLiteral("https://api.anthropic.com"), QStringLiteral("--key"), QStringLiteral("sk-ant-k"),
                      QStringLiteral("--models"), QStringLiteral("claude-sonnet-4-5")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.json().value(QStringLiteral("type")).toString(), QStringLiteral("anthropic"));
        r = admin(d, {QStringLiteral("channel"), QStringLiteral("add"), QStringLiteral("--type"), QStringLiteral("antropic"),
                      QStringLiteral("--name"), QStringLiteral("typo"), QStringLiteral("--base-url"),
                      QStringLiteral("https://api.anthropic.com"), QStringLiteral("--key"), QStringLiteral("k"),
                      QStringLiteral("--models"), QStringLiteral("m")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("unknown channel type 'antropic'"));
        r = admin(d, {QStringLiteral("channel"), QStringLiteral("list")});
        QCOMPARE(r.exitCode, 0);
        const QJsonArray list = r.array();
        QCOMPARE(list.size(), 2);
        QCOMPARE(list[0].toObject().value(QStringLiteral("type")).toString(), QStringLiteral("openai"));
        QCOMPARE(list[1].toObject().value(QStringLiteral("type")).toString(), QStringLiteral("anthropic"));
        const QJsonObject c = list[0].toObject();
        QCOMPARE(c.value(QStringLiteral("name")).toString(), QStringLiteral("oa"));
        QCOMPARE(c.value(QStringLiteral("priority")).toInt(), 3);
        QCOMPARE(c.value(QStringLiteral("weight")).toInt(), 2);
        QCOMPARE(c.value(QStringLiteral("groups")).toArray().size(), 2);
        QCOMPARE(c.value(QStringLiteral("model_mapping")).toObject().value(QStringLiteral("gpt-4o")).toString(),
                 QStringLiteral("gpt-4o-2024-11-20"));
    }

    // `channel list` shows each channel's health as the relaying process recorded it (issue 10, item 7).
    void channelHealthIsListed()
    {
        const QString d = dataDir(QStringLiteral("health"));
        for (const char *name : {"up", "down"}) {
            Run r = admin(d, {QStringLiteral("channel"), QStringLiteral("add"), QStringLiteral("--name"), QLatin1String(name),
                              QStringLiteral("--base-url"), QStringLiteral("https://api.example.com"), QStringLiteral("--key"),
                              QStringLiteral("sk-upstream-secret-value"), QStringLiteral("--models"), QStringLiteral("m")});
            QCOMPARE(r.exitCode, 0);
        }
        const qint64 retryAt = QDateTime::currentMSecsSinceEpoch() + 60'000;
        {
            auto db = Store::Database::openDataDir(d);
            QVERIFY2(db, qPrintable(db.error()));
            Store::ChannelHealth h;
            h.channelId = Store::ChannelRepository(*db.value()).byName(QStringLiteral("down"))->id;
            h.state = Store::ChannelHealth::State::Unhealthy;
            h.failures = 2;
            h.retryAtMs = retryAt;
            h.lastError = QStringLiteral("HTTP 401: Incorrect API key provided: [redacted]");
            QVERIFY(Store::ChannelHealthRepository(*db.value()).save(h));
        }
        const Run r = admin(d, {QStringLiteral("channel"), QStringLiteral("list")});
        QCOMPARE(r.exitCode, 0);
        QHash<QString, QJsonObject> health;
        for (const QJsonValue &c : r.array())
            health.insert(c.toObject().value(QStringLiteral("name")).toString(),
                          c.toObject().value(QStringLiteral("health")).toObject());
        QCOMPARE(health.value(QStringLiteral("up")).value(QStringLiteral("state")).toString(), QStringLiteral("healthy"));
        const QJsonObject down = health.value(QStringLiteral("down"));
        QCOMPARE(down.value(QStringLiteral("state")).toString(), QStringLiteral("unhealthy"));
        QCOMPARE(down.value(QStringLiteral("failures")).toInt(), 2);
        QCOMPARE(down.value(QStringLiteral("retry_at_ms")).toInteger(), retryAt);
        QCOMPARE(down.value(QStringLiteral("skipped")).toBool(), true);
        QVERIFY(down.value(QStringLiteral("last_error")).toString().startsWith(QStringLiteral("HTTP 401")));
        QVERIFY(!r.out.contains("secret-value"));
    }

    void quotes_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<qint64>("quota");
        QTest::addColumn<double>("usd");
        // §2.9#1 and #2 with the default table's gpt-4o (MR 1.25, CR 4, CacheRatio 0.5).
        QTest::newRow("gpt-4o") << QStringList{"--model", "gpt-4o", "--prompt", "1000", "--completion", "500"}
                                << qint64(3750) << 0.0075;
        QTest::newRow("gpt-4o cached") << QStringList{"--model", "gpt-4o-2024-08-06", "--prompt", "1000", "--cached", "200",
                                                      "--completion", "500"} << qint64(3625) << 0.00725;
        QTest::newRow("gpt-realtime 1M audio out = $64") << QStringList{"--model", "gpt-realtime", "--audio-out", "1000000"}
                                                         << qint64(32000000) << 64.0;
        QTest::newRow("svip group (ratio 1 by default)") << QStringList{"--model", "gpt-4o", "--group", "svip", "--prompt", "1000"}
                                                         << qint64(1250) << 0.0025;
        // Issue 13: units at the default table's MinutePrice, CharacterPrice and ImagePrice.
        QTest::newRow("whisper-1 90.5 s") << QStringList{"--model", "whisper-1", "--seconds", "90.5"} << qint64(4525) << 0.00905;
        QTest::newRow("whisper-1 --seconds=905") << QStringList{"--model", "whisper-1", "--seconds=905"} << qint64(45250) << 0.0905;
        QTest::newRow("tts-1 1000 chars") << QStringList{"--model", "tts-1", "--chars", "1000"} << qint64(7500) << 0.015;
        QTest::newRow("tts-1-hd 1000 chars") << QStringList{"--model", "tts-1-hd", "--chars", "1000"} << qint64(15000) << 0.03;
        QTest::newRow("dall-e-3 2 x 1024x1792 hd") << QStringList{"--model", "dall-e-3", "--images", "2", "--size", "1024x1792",
                                                                  "--quality", "hd"} << qint64(120000) << 0.24;
        QTest::newRow("dall-e-3 default image") << QStringList{"--model", "dall-e-3", "--images", "1"} << qint64(20000) << 0.04;
        QTest::newRow("dall-e-2 3 x 512x512") << QStringList{"--model", "dall-e-2", "--images", "3", "--size", "512x512"}
                                              << qint64(27000) << 0.054;
        QTest::newRow("gpt-4o-mini-tts tokens") << QStringList{"--model", "gpt-4o-mini-tts", "--prompt", "1000", "--audio-out", "1000"}
                                                << qint64(6300) << 0.0126;
    }

    void quotes()
    {
        QFETCH(QStringList, args);
        QFETCH(qint64, quota);
        QFETCH(double, usd);
        const Run r = admin(dataDir(QStringLiteral("quotes")), QStringList{QStringLiteral("quote")} + args);
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.json().value(QStringLiteral("quota")).toInteger(), quota);
        QCOMPARE(r.json().value(QStringLiteral("usd")).toDouble(), usd);
        QVERIFY(r.json().value(QStringLiteral("ratios")).toObject().contains(QStringLiteral("model_ratio")));
    }

    void quoteShowsUnitsAndTheirCost()
    {
        const QString d = dataDir(QStringLiteral("quote-units"));
        // Tokens and units together on one model: the parts add up to the quote.
        QFile prices(m_tmp.filePath(QStringLiteral("units.json")));
        QVERIFY(prices.open(QIODevice::WriteOnly));
        prices.write("{\"ModelRatio\":{\"mixed\":1},\"MinutePrice\":{\"mixed\":0.006},"
                     "\"ImagePrice\":{\"mixed\":{\"512x512|low\":0.01}}}");
        prices.close();
        QCOMPARE(admin(d, {QStringLiteral("pricing"), QStringLiteral("import"), prices.fileName()}).exitCode, 0);
        const Run r = admin(d, {QStringLiteral("quote"), QStringLiteral("--model"), QStringLiteral("mixed"),
                                QStringLiteral("--prompt"), QStringLiteral("100"), QStringLiteral("--seconds"), QStringLiteral("60"),
                                QStringLiteral("--images"), QStringLiteral("2"), QStringLiteral("--size"), QStringLiteral("512X512"),
                                QStringLiteral("--quality"), QStringLiteral("Low"), QStringLiteral("--chars"), QStringLiteral("5")});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject q = r.json();
        QCOMPARE(q.value(QStringLiteral("quota")).toInteger(), qint64(100 + 3000 + 10000));
        const QJsonObject units = q.value(QStringLiteral("units")).toObject();
        QCOMPARE(units.value(QStringLiteral("audio_seconds")).toDouble(), 60.0);
        QCOMPARE(units.value(QStringLiteral("characters")).toInteger(), qint64(5));
        QCOMPARE(units.value(QStringLiteral("images")).toInteger(), qint64(2));
        QCOMPARE(units.value(QStringLiteral("image_size")).toString(), QStringLiteral("512x512"));
        QCOMPARE(units.value(QStringLiteral("image_quality")).toString(), QStringLiteral("low"));
        const QJsonObject cost = q.value(QStringLiteral("units_cost")).toObject();
        QCOMPARE(cost.value(QStringLiteral("exact")).toString(), QStringLiteral("13000"));
        QCOMPARE(cost.value(QStringLiteral("audio")).toObject().value(QStringLiteral("exact")).toString(), QStringLiteral("3000"));
        QCOMPARE(cost.value(QStringLiteral("audio")).toObject().value(QStringLiteral("price")).toDouble(), 0.006);
        QCOMPARE(cost.value(QStringLiteral("images")).toObject().value(QStringLiteral("usd")).toDouble(), 0.02);
        // Characters have no price for this model: said, and free.
        QCOMPARE(cost.value(QStringLiteral("unpriced")).toArray(), QJsonArray{QStringLiteral("characters")});
        QCOMPARE(q.value(QStringLiteral("tokens_cost")).toObject().value(QStringLiteral("exact")).toString(), QStringLiteral("100"));
        QCOMPARE(q.value(QStringLiteral("unit_prices")).toObject().value(QStringLiteral("minute_price")).toDouble(), 0.006);
        // A quote without units prints no units parts (the existing shape).
        const Run plain = admin(d, {QStringLiteral("quote"), QStringLiteral("--model"), QStringLiteral("mixed"),
                                    QStringLiteral("--prompt"), QStringLiteral("100")});
        QCOMPARE(plain.exitCode, 0);
        QVERIFY(!plain.json().contains(QStringLiteral("units")));
        QVERIFY(!plain.json().contains(QStringLiteral("units_cost")));
    }

    void pricingImportExport()
    {
        const QString d = dataDir(QStringLiteral("pricing"));
        const Run exported = admin(d, {QStringLiteral("pricing"), QStringLiteral("export")});
        QCOMPARE(exported.exitCode, 0);
        QVERIFY(exported.json().value(QStringLiteral("ModelRatio")).toObject().contains(QStringLiteral("gpt-4o")));

        QFile bad(m_tmp.filePath(QStringLiteral("bad.json")));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("{\"ModelRatio\":{\"gpt-4o\":1},\"CompletionRatio\":{\"gpt-4o\":\"four\"}}");
        bad.close();
        Run r = admin(d, {QStringLiteral("pricing"), QStringLiteral("import"), bad.fileName()});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("CompletionRatio"));
        QCOMPARE(admin(d, {QStringLiteral("pricing"), QStringLiteral("export")}).out, exported.out); // unchanged

        r = admin(d, {QStringLiteral("pricing"), QStringLiteral("import"), QStringLiteral("-")},
                  "{\"ModelRatio\":\"{\\\"my-model\\\":3}\",\"CompletionRatio\":{\"my-model\":2}}");
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.json().value(QStringLiteral("ok")).toBool());
        r = admin(d, {QStringLiteral("quote"), QStringLiteral("--model"), QStringLiteral("my-model"), QStringLiteral("--prompt"),
                      QStringLiteral("10"), QStringLiteral("--completion"), QStringLiteral("10")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.json().value(QStringLiteral("quota")).toInteger(), qint64(90));

        // Round trip: what export prints, import accepts, and the book stays the same.
        QFile round(m_tmp.filePath(QStringLiteral("round.json")));
        QVERIFY(round.open(QIODevice::WriteOnly));
        const QByteArray now = admin(d, {QStringLiteral("pricing"), QStringLiteral("export")}).out;
        round.write(now);
        round.close();
        QCOMPARE(admin(d, {QStringLiteral("pricing"), QStringLiteral("import"), round.fileName()}).exitCode, 0);
        QCOMPARE(admin(d, {QStringLiteral("pricing"), QStringLiteral("export")}).out, now);
    }

    void logsOneObjectPerLine()
    {
        const QString d = dataDir(QStringLiteral("logs"));
        QCOMPARE(admin(d, {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("carol"), QStringLiteral("--quota"),
                           QStringLiteral("100000")}).exitCode, 0);
        QCOMPARE(admin(d, {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("dave"), QStringLiteral("--quota"),
                           QStringLiteral("100000")}).exitCode, 0);
        {
            // Three settled requests for carol, one for dave, written by the real ledger.
            auto db = Store::Database::openDataDir(d);
            QVERIFY(db);
            Billing::Ledger ledger(*db.value());
            Store::UserRepository users(*db.value());
            const qint64 carol = users.byName(QStringLiteral("carol"))->id;
            const qint64 dave = users.byName(QStringLiteral("dave"))->id;
            for (qint64 user : {carol, carol, carol, dave}) {
                const auto r = ledger.reserve(user, 0, 500, {});
                QVERIFY(r);
                Store::LogRecord log;
                log.model = QStringLiteral("gpt-4o");
                QVERIFY(ledger.settle(r.reservation.id, 321, log));
            }
        }
        Run r = admin(d, {QStringLiteral("logs"), QStringLiteral("--user"), QStringLiteral("carol")});
        QCOMPARE(r.exitCode, 0);
        const QList<QByteArray> lines = r.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 3);
        for (const QByteArray &line : lines) {
            QJsonParseError err;
            const QJsonDocument doc = QJsonDocument::fromJson(line, &err);
            QCOMPARE(err.error, QJsonParseError::NoError);
            QCOMPARE(doc.object().value(QStringLiteral("user")).toString(), QStringLiteral("carol"));
            QCOMPARE(doc.object().value(QStringLiteral("quota")).toInteger(), qint64(321));
            QCOMPARE(doc.object().value(QStringLiteral("type")).toString(), QStringLiteral("consume"));
        }
        r = admin(d, {QStringLiteral("logs"), QStringLiteral("--limit"), QStringLiteral("2")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out.trimmed().split('\n').size(), 2);
        QCOMPARE(admin(d, {QStringLiteral("user"), QStringLiteral("show"), QStringLiteral("carol")})
                     .json().value(QStringLiteral("request_count")).toInteger(), qint64(3));
    }

    void badArgumentsExit2AndWriteNothing_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("no command") << QStringList{};
        QTest::newRow("unknown command") << QStringList{"frobnicate"};
        QTest::newRow("unknown sub-command") << QStringList{"user", "delete", "x"};
        QTest::newRow("unknown option") << QStringList{"user", "add", "x", "--colour", "red"};
        QTest::newRow("missing value") << QStringList{"user", "add", "x", "--quota"};
        QTest::newRow("bad quota") << QStringList{"user", "add", "x", "--quota", "12abc"};
        QTest::newRow("negative quota") << QStringList{"user", "add", "x", "--quota", "-1"};
        QTest::newRow("bad name") << QStringList{"user", "add", "x y"};
        QTest::newRow("extra positional") << QStringList{"user", "show", "a", "b"};
        QTest::newRow("option twice") << QStringList{"user", "add", "x", "--quota", "1", "--quota", "2"};
        QTest::newRow("key without user") << QStringList{"key", "add", "--name", "k"};
        QTest::newRow("quota and unlimited") << QStringList{"key", "add", "--user", "u", "--quota", "5", "--unlimited"};
        QTest::newRow("channel without models") << QStringList{"channel", "add", "--name", "c", "--base-url",
                                                               "https://x.example", "--key", "k"};
        QTest::newRow("channel bad mapping") << QStringList{"channel", "add", "--name", "c", "--base-url", "https://x.example",
                                                            "--key", "k", "--models", "m", "--model-mapping", "[1]"};
        QTest::newRow("quote without model") << QStringList{"quote", "--prompt", "5"};
        QTest::newRow("quote cached > prompt") << QStringList{"quote", "--model", "gpt-4o", "--prompt", "5", "--cached", "6"};
        QTest::newRow("quote negative seconds") << QStringList{"quote", "--model", "whisper-1", "--seconds", "-1"};
        QTest::newRow("quote sub-millisecond seconds") << QStringList{"quote", "--model", "whisper-1", "--seconds", "1.2345"};
        QTest::newRow("quote seconds not a number") << QStringList{"quote", "--model", "whisper-1", "--seconds", "1e3"};
        QTest::newRow("quote seconds too many") << QStringList{"quote", "--model", "whisper-1", "--seconds", "99999999999"};
        QTest::newRow("quote bad chars") << QStringList{"quote", "--model", "tts-1", "--chars", "12k"};
        QTest::newRow("quote negative images") << QStringList{"quote", "--model", "dall-e-3", "--images", "-2"};
        QTest::newRow("quote size without images") << QStringList{"quote", "--model", "dall-e-3", "--size", "1024x1024"};
        QTest::newRow("quote quality without size") << QStringList{"quote", "--model", "dall-e-3", "--images", "1", "--quality", "hd"};
        QTest::newRow("quote bad size") << QStringList{"quote", "--model", "dall-e-3", "--images", "1", "--size", "huge"};
        QTest::newRow("quote bad quality") << QStringList{"quote", "--model", "dall-e-3", "--images", "1", "--size", "1024x1024",
                                                          "--quality", "h-d"};
        QTest::newRow("logs limit 0") << QStringList{"logs", "--limit", "0"};
        QTest::newRow("pricing import missing file") << QStringList{"pricing", "import", "/nonexistent/prices.json"};
        QTest::newRow("data and db") << QStringList{"user", "list", "--db", "postgres://u@127.0.0.1:1/x"};
        // The commands of issue 11: every form error is caught before the database is opened.
        QTest::newRow("channel set without options") << QStringList{"channel", "set", "oa"};
        QTest::newRow("channel set without name") << QStringList{"channel", "set", "--weight", "2"};
        QTest::newRow("channel set negative weight") << QStringList{"channel", "set", "oa", "--weight", "-1"};
        QTest::newRow("channel set bad priority") << QStringList{"channel", "set", "oa", "--priority=high"};
        QTest::newRow("channel set bad mapping") << QStringList{"channel", "set", "oa", "--model-mapping", "{"};
        QTest::newRow("channel set empty key") << QStringList{"channel", "set", "oa", "--key="};
        QTest::newRow("channel set unknown option") << QStringList{"channel", "set", "oa", "--name", "x"};
        QTest::newRow("channel enable without name") << QStringList{"channel", "enable"};
        QTest::newRow("channel remove two names") << QStringList{"channel", "remove", "a", "b"};
        QTest::newRow("channel unknown sub-command") << QStringList{"channel", "delete", "a"};
        QTest::newRow("key set nothing to set") << QStringList{"key", "set", "k"};
        QTest::newRow("key set quota and unlimited") << QStringList{"key", "set", "k", "--quota=5", "--unlimited"};
        QTest::newRow("key set bad quota") << QStringList{"key", "set", "k", "--quota", "-5"};
        QTest::newRow("key set bad expiry") << QStringList{"key", "set", "k", "--expires", "soon"};
        QTest::newRow("key set empty models") << QStringList{"key", "set", "k", "--models", ","};
        QTest::newRow("key enable without name") << QStringList{"key", "enable"};
        QTest::newRow("flag with a value") << QStringList{"key", "add", "--user", "u", "--unlimited=yes"};
        QTest::newRow("user set-group bad group") << QStringList{"user", "set-group", "a", "b c"};
        QTest::newRow("user set-group without group") << QStringList{"user", "set-group", "a"};
        QTest::newRow("option twice, = and space") << QStringList{"user", "add", "x", "--quota=1", "--quota", "2"};
        QTest::newRow("audit limit 0") << QStringList{"audit", "--limit", "0"};
        QTest::newRow("audit bad limit") << QStringList{"audit", "--limit=many"};
        QTest::newRow("audit positional") << QStringList{"audit", "all"};
        QTest::newRow("data twice") << QStringList{"user", "list", "--data=/nonexistent/other"};
    }

    void badArgumentsExit2AndWriteNothing()
    {
        QFETCH(QStringList, args);
        const QString d = dataDir(QStringLiteral("untouched"));
        const Run r = admin(d, args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY(!r.err.trimmed().isEmpty());
        QVERIFY(r.out.isEmpty());
        QVERIFY2(!QFileInfo::exists(d), "bad arguments must not create the data dir");
    }

    // --- Issue 11: channel set/enable/disable/remove, key set/enable, user set-group, audit, --data=DIR ---

    static QStringList channelAddArgs(const QString &name, const QString &secret)
    {
        return {QStringLiteral("channel"), QStringLiteral("add"), QStringLiteral("--name"), name, QStringLiteral("--base-url"),
                QStringLiteral("https://api.openai.com"), QStringLiteral("--key"), secret, QStringLiteral("--models"),
                QStringLiteral("gpt-4o")};
    }

    static qint64 changeCount(const QString &data)
    {
        auto db = Store::Database::openDataDir(data);
        return db ? Store::ChangeRepository(*db.value()).since(0, 100000).size() : -1;
    }

    void channelSetEnableDisableRemove()
    {
        const QString d = dataDir(QStringLiteral("channel-set"));
        QCOMPARE(admin(d, channelAddArgs(QStringLiteral("oa"), QStringLiteral("sk-upstream-secret-value"))).exitCode, 0);
        Run r = admin(d, {QStringLiteral("channel"), QStringLiteral("set"), QStringLiteral("oa"), QStringLiteral("--base-url"),
                          QStringLiteral("https://proxy.example.com/v1"), QStringLiteral("--key=sk-rotated-secret-value2"),
                          QStringLiteral("--models"), QStringLiteral("gpt-4o, gpt-4o-mini"), QStringLiteral("--groups"),
                          QStringLiteral("default,vip"), QStringLiteral("--priority"), QStringLiteral("-2"),
                          QStringLiteral("--weight=7"), QStringLiteral("--model-mapping"),
                          QStringLiteral("{\"gpt-4o\":\"gpt-4o-2024-11-20\"}")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(!r.out.contains("secret-value"));
        QJsonObject c = r.json();
        QCOMPARE(c.value(QStringLiteral("base_url")).toString(), QStringLiteral("https://proxy.example.com/v1"));
        QCOMPARE(c.value(QStringLiteral("models")).toArray(), QJsonArray({QStringLiteral("gpt-4o"), QStringLiteral("gpt-4o-mini")}));
        QCOMPARE(c.value(QStringLiteral("groups")).toArray(), QJsonArray({QStringLiteral("default"), QStringLiteral("vip")}));
        QCOMPARE(c.value(QStringLiteral("priority")).toInt(), -2);
        QCOMPARE(c.value(QStringLiteral("weight")).toInt(), 7);
        QCOMPARE(c.value(QStringLiteral("model_mapping")).toObject().value(QStringLiteral("gpt-4o")).toString(),
                 QStringLiteral("gpt-4o-2024-11-20"));
        QCOMPARE(c.value(QStringLiteral("key")).toString(), QStringLiteral("sk-ro••••••e2"));
        {
            auto db = Store::Database::openDataDir(d);
            QVERIFY(db);
            QCOMPARE(Store::ChannelRepository(*db.value()).byName(QStringLiteral("oa"))->secret,
                     QStringLiteral("sk-rotated-secret-value2"));
        }
        // Only what was named changes.
        r = admin(d, {QStringLiteral("channel"), QStringLiteral("set"), QStringLiteral("oa"), QStringLiteral("--weight"),
                      QStringLiteral("3")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.json().value(QStringLiteral("weight")).toInt(), 3);
        QCOMPARE(r.json().value(QStringLiteral("priority")).toInt(), -2);

        for (const char *sub : {"disable", "enable"}) {
            r = admin(d, {QStringLiteral("channel"), QLatin1String(sub), QStringLiteral("oa")});
            QCOMPARE(r.exitCode, 0);
            const QString status = QLatin1String(sub) + QStringLiteral("d");
            QCOMPARE(r.json().value(QStringLiteral("status")).toString(), status);
            QCOMPARE(admin(d, {QStringLiteral("channel"), QStringLiteral("list")}).array()[0].toObject()
                         .value(QStringLiteral("status")).toString(), status);
        }
        r = admin(d, {QStringLiteral("channel"), QStringLiteral("remove"), QStringLiteral("oa")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.json().value(QStringLiteral("removed")).toBool());
        QCOMPARE(r.json().value(QStringLiteral("name")).toString(), QStringLiteral("oa"));
        QVERIFY(admin(d, {QStringLiteral("channel"), QStringLiteral("list")}).array().isEmpty());
        QCOMPARE(changeCount(d), qint64(6)); // add, set, set, disable, enable, remove
    }

    void keySetAndEnable()
    {
        const QString d = dataDir(QStringLiteral("key-set"));
        QCOMPARE(admin(d, {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("erin")}).exitCode, 0);
        QCOMPARE(admin(d, {QStringLiteral("key"), QStringLiteral("add"), QStringLiteral("--user"), QStringLiteral("erin"),
                           QStringLiteral("--name"), QStringLiteral("erin-k"), QStringLiteral("--quota"), QStringLiteral("100")})
                     .exitCode, 0);
        const QStringList set{QStringLiteral("key"), QStringLiteral("set"), QStringLiteral("erin-k")};
        Run r = admin(d, set + QStringList{QStringLiteral("--quota"), QStringLiteral("250")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(r.json().value(QStringLiteral("quota")).toInteger(), qint64(250));
        QCOMPARE(r.json().value(QStringLiteral("unlimited")).toBool(), false);

        r = admin(d, set + QStringList{QStringLiteral("--unlimited"), QStringLiteral("--models=gpt-4o,o3"),
                                       QStringLiteral("--expires"), QStringLiteral("2030-01-01T00:00:00Z")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(r.json().value(QStringLiteral("unlimited")).toBool(), true);
        QCOMPARE(r.json().value(QStringLiteral("models")).toArray(), QJsonArray({QStringLiteral("gpt-4o"), QStringLiteral("o3")}));
        QCOMPARE(r.json().value(QStringLiteral("expires_at")).toInteger(), qint64(1893456000));
        QCOMPARE(r.json().value(QStringLiteral("quota")).toInteger(), qint64(0)); // an unlimited key keeps no quota

        // An offset is honoured; no offset means UTC.
        r = admin(d, set + QStringList{QStringLiteral("--expires=2030-01-01T08:00:00+08:00")});
        QCOMPARE(r.json().value(QStringLiteral("expires_at")).toInteger(), qint64(1893456000));
        r = admin(d, set + QStringList{QStringLiteral("--expires"), QStringLiteral("2030-01-01T00:00:00")});
        QCOMPARE(r.json().value(QStringLiteral("expires_at")).toInteger(), qint64(1893456000));

        r = admin(d, set + QStringList{QStringLiteral("--expires"), QStringLiteral("never"), QStringLiteral("--models"),
                                       QStringLiteral("*")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(r.json().value(QStringLiteral("expires_at")).toInteger(), qint64(0));
        QVERIFY(r.json().value(QStringLiteral("models")).toArray().isEmpty());
        QVERIFY(r.json().value(QStringLiteral("unlimited")).toBool()); // not named: kept

        QCOMPARE(admin(d, {QStringLiteral("key"), QStringLiteral("disable"), QStringLiteral("erin-k")})
                     .json().value(QStringLiteral("status")).toString(), QStringLiteral("disabled"));
        r = admin(d, {QStringLiteral("key"), QStringLiteral("enable"), QStringLiteral("erin-k")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.json().value(QStringLiteral("status")).toString(), QStringLiteral("enabled"));
        QCOMPARE(r.json().value(QStringLiteral("user")).toString(), QStringLiteral("erin"));
    }

    void userSetGroup()
    {
        const QString d = dataDir(QStringLiteral("set-group"));
        QCOMPARE(admin(d, {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("frank")}).exitCode, 0);
        Run r = admin(d, {QStringLiteral("user"), QStringLiteral("set-group"), QStringLiteral("frank"), QStringLiteral("vip")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.json().value(QStringLiteral("group")).toString(), QStringLiteral("vip"));
        QCOMPARE(admin(d, {QStringLiteral("user"), QStringLiteral("show"), QStringLiteral("frank")})
                     .json().value(QStringLiteral("group")).toString(), QStringLiteral("vip"));
    }

    void auditListsWritesNewestFirst()
    {
        const QString d = dataDir(QStringLiteral("audit"));
        QCOMPARE(admin(d, {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("gina")}).exitCode, 0);
        QCOMPARE(admin(d, channelAddArgs(QStringLiteral("oa"), QStringLiteral("sk-upstream-secret-value"))).exitCode, 0);
        QCOMPARE(admin(d, {QStringLiteral("channel"), QStringLiteral("disable"), QStringLiteral("oa")}).exitCode, 0);
        const Run key = admin(d, {QStringLiteral("key"), QStringLiteral("add"), QStringLiteral("--user"), QStringLiteral("gina")});
        QCOMPARE(key.exitCode, 0);
        const QString plainKey = key.json().value(QStringLiteral("key")).toString();
        QVERIFY(!plainKey.isEmpty());

        Run r = admin(d, {QStringLiteral("audit")});
        QCOMPARE(r.exitCode, 0);
        const QList<QByteArray> lines = r.out.trimmed().split('\n');
        QStringList actions;
        for (const QByteArray &line : lines) {
            QJsonParseError err;
            const QJsonObject e = QJsonDocument::fromJson(line, &err).object();
            QCOMPARE(err.error, QJsonParseError::NoError);
            QCOMPARE(e.value(QStringLiteral("actor")).toString(), QStringLiteral("cli"));
            QVERIFY(e.value(QStringLiteral("at")).toInteger() > 0);
            actions << e.value(QStringLiteral("action")).toString();
        }
        QCOMPARE(actions, QStringList({QStringLiteral("key.add"), QStringLiteral("channel.disable"),
                                       QStringLiteral("channel.add"), QStringLiteral("user.add")}));
        const QJsonObject disabled = QJsonDocument::fromJson(lines[1]).object();
        QCOMPARE(disabled.value(QStringLiteral("entity_name")).toString(), QStringLiteral("oa"));
        QCOMPARE(disabled.value(QStringLiteral("before")).toObject().value(QStringLiteral("status")).toString(),
                 QStringLiteral("enabled"));
        QCOMPARE(disabled.value(QStringLiteral("after")).toObject().value(QStringLiteral("status")).toString(),
                 QStringLiteral("disabled"));
        QVERIFY(!r.out.contains("secret-value"));      // the channel key, masked
        QVERIFY(!r.out.contains(plainKey.mid(3).toLatin1())); // the API key: its hint only

        r = admin(d, {QStringLiteral("audit"), QStringLiteral("--limit=2")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out.trimmed().split('\n').size(), 2);
    }

    // Every command reads --data=DIR and --data DIR alike, before or after the command words.
    void dataDirEitherForm_data()
    {
        QTest::addColumn<bool>("equals");
        QTest::addColumn<bool>("first");
        QTest::newRow("--data=DIR last") << true << false;
        QTest::newRow("--data=DIR first") << true << true;
        QTest::newRow("--data DIR first") << false << true;
    }

    void dataDirEitherForm()
    {
        QFETCH(bool, equals);
        QFETCH(bool, first);
        const QString d = dataDir(QStringLiteral("data-form-%1-%2").arg(equals).arg(first));
        const QStringList data = equals ? QStringList{QStringLiteral("--data=") + d} : QStringList{QStringLiteral("--data"), d};
        const auto run = [&](const QStringList &args) {
            QProcess p;
            p.start(QDir(qEnvironmentVariable("RELAYDESK_BIN_DIR")).filePath(QStringLiteral("relaydeskd")),
                    QStringList{QStringLiteral("admin")} + (first ? data + args : args + data));
            p.closeWriteChannel();
            Run r;
            if (p.waitForFinished(60000) && p.exitStatus() == QProcess::NormalExit) {
                r.exitCode = p.exitCode();
                r.out = p.readAllStandardOutput();
                r.err = p.readAllStandardError();
            }
            return r;
        };
        const QList<QStringList> commands = {
            {"user", "add", "hal", "--quota=10"},
            {"user", "set-quota", "hal", "20"},
            {"user", "set-group", "hal", "vip"},
            {"user", "show", "hal"},
            {"user", "list"},
            {"key", "add", "--user=hal", "--name", "hal-k"},
            {"key", "set", "hal-k", "--quota", "5"},
            {"key", "disable", "hal-k"},
            {"key", "enable", "hal-k"},
            {"key", "show", "hal-k"},
            channelAddArgs(QStringLiteral("oa"), QStringLiteral("sk-upstream-secret-value")),
            {"channel", "set", "oa", "--weight", "4"},
            {"channel", "disable", "oa"},
            {"channel", "enable", "oa"},
            {"channel", "list"},
            {"channel", "remove", "oa"},
            {"pricing", "export"},
            {"quote", "--model", "gpt-4o", "--prompt=10"},
            {"logs", "--limit", "5"},
            {"audit", "--limit", "5"},
        };
        for (const QStringList &command : commands) {
            const Run r = run(command);
            QVERIFY2(r.exitCode == 0, qPrintable(command.join(u' ') + QStringLiteral(": ") + QString::fromUtf8(r.err)));
        }
        QCOMPARE(userCount(QDir(d).filePath(QStringLiteral("relaydesk.sqlite"))), qint64(1));
        QCOMPARE(admin(d, {QStringLiteral("user"), QStringLiteral("show"), QStringLiteral("hal")})
                     .json().value(QStringLiteral("group")).toString(), QStringLiteral("vip"));
        QCOMPARE(changeCount(d), qint64(12)); // every write above (3 user, 4 key, 5 channel), one change each
    }

    // Refused after the database was opened (a name unknown or taken, a value the service rejects): exit 2 and
    // nothing written — no entity change, no audit row, no change row.
    void refusedWritesLeaveNothing_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("channel set unknown") << QStringList{"channel", "set", "nope", "--weight", "2"};
        QTest::newRow("channel set bad url") << QStringList{"channel", "set", "oa", "--base-url", "ftp://x"};
        QTest::newRow("channel set bad model") << QStringList{"channel", "set", "oa", "--model-mapping", "{\"a\":1}"};
        QTest::newRow("channel disable unknown") << QStringList{"channel", "disable", "nope"};
        QTest::newRow("channel remove unknown") << QStringList{"channel", "remove", "nope"};
        QTest::newRow("channel add taken") << channelAddArgs(QStringLiteral("oa"), QStringLiteral("sk-other-secret-value"));
        QTest::newRow("key set unknown") << QStringList{"key", "set", "nope", "--quota", "1"};
        QTest::newRow("key enable unknown") << QStringList{"key", "enable", "nope"};
        QTest::newRow("key add taken") << QStringList{"key", "add", "--user", "ivy", "--name", "ivy-k"};
        QTest::newRow("user set-group unknown") << QStringList{"user", "set-group", "nope", "vip"};
        QTest::newRow("user add taken") << QStringList{"user", "add", "ivy"};
        QTest::newRow("pricing import bad map") << QStringList{"pricing", "import", "-"};
    }

    void refusedWritesLeaveNothing()
    {
        QFETCH(QStringList, args);
        const QString d = dataDir(QStringLiteral("refused-") + QString::fromLatin1(QTest::currentDataTag()).replace(u' ', u'-'));
        QCOMPARE(admin(d, {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("ivy")}).exitCode, 0);
        QCOMPARE(admin(d, {QStringLiteral("key"), QStringLiteral("add"), QStringLiteral("--user"), QStringLiteral("ivy"),
                           QStringLiteral("--name"), QStringLiteral("ivy-k")}).exitCode, 0);
        QCOMPARE(admin(d, channelAddArgs(QStringLiteral("oa"), QStringLiteral("sk-upstream-secret-value"))).exitCode, 0);
        const auto state = [&]() -> QByteArray { // QByteArray, not a QStringBuilder of temporaries
            return admin(d, {QStringLiteral("audit")}).out + admin(d, {QStringLiteral("channel"), QStringLiteral("list")}).out
                   + admin(d, {QStringLiteral("user"), QStringLiteral("list")}).out
                   + admin(d, {QStringLiteral("key"), QStringLiteral("show"), QStringLiteral("ivy-k")}).out
                   + admin(d, {QStringLiteral("pricing"), QStringLiteral("export")}).out;
        };
        const QByteArray before = state();
        const qint64 changes = changeCount(d);
        QCOMPARE(changes, qint64(3));
        const Run r = admin(d, args, "{\"CompletionRatio\":{\"gpt-4o\":\"four\"}}");
        QCOMPARE(r.exitCode, 2);
        QVERIFY(!r.err.trimmed().isEmpty());
        QVERIFY(r.out.isEmpty());
        QCOMPARE(state(), before);
        QCOMPARE(changeCount(d), changes);
    }

    void helpExitsZero()
    {
        const Run r = admin(dataDir(QStringLiteral("help")), {QStringLiteral("--help")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("key add --user NAME"));
    }

    // --- Secrets: the database URL outside argv, the demo key only on a terminal (issue 10, item 9) ---

    // relaydeskd with an environment of its own: HOME/XDG_DATA_HOME point into the test's temp dir, so a
    // run that ignores the database location cannot touch the real per-user data dir.
    QProcessEnvironment isolatedEnv(const QString &name, const QString &dbUrl = {}) const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), dataDir(name + QStringLiteral("-home")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), dataDir(name + QStringLiteral("-home/.local/share")));
        env.remove(QStringLiteral("RELAYDESK_DB_URL"));
        if (!dbUrl.isEmpty())
            env.insert(QStringLiteral("RELAYDESK_DB_URL"), dbUrl);
        return env;
    }

    static Run relaydeskd(const QStringList &args, const QProcessEnvironment &env)
    {
        return RelayDeskTest::runRelaydeskd(args, env);
    }

    // Starts `relaydeskd serve ARGS --listen 127.0.0.1:0` with stdout and stderr on pipes, waits for
    // "Listening on", then stops it with SIGTERM. Returns what it printed.
    static Run serveUntilListening(const QStringList &args, const QProcessEnvironment &env)
    {
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(QDir(qEnvironmentVariable("RELAYDESK_BIN_DIR")).filePath(QStringLiteral("relaydeskd")),
                QStringList{QStringLiteral("serve"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")} + args);
        Run r;
        const bool listening = QTest::qWaitFor([&] {
            r.out += p.readAllStandardOutput();
            return r.out.contains("Listening on") || p.state() == QProcess::NotRunning;
        }, 30000);
        if (listening && p.state() == QProcess::Running) {
            p.terminate();
            p.waitForFinished(30000);
        } else {
            p.waitForFinished(30000);
        }
        r.out += p.readAllStandardOutput();
        r.err = p.readAllStandardError();
        r.exitCode = r.out.contains("Listening on") ? 0 : (p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1);
        return r;
    }

    static qint64 userCount(const QString &sqlitePath)
    {
        auto db = Store::Database::openUrl(sqlitePath);
        return db ? Store::UserRepository(*db.value()).count() : -1;
    }

    void databaseUrlFromEnvironmentOrFile_data()
    {
        QTest::addColumn<QString>("how"); // env | file | file-url
        QTest::addColumn<bool>("serve");
        QTest::newRow("admin, RELAYDESK_DB_URL") << QStringLiteral("env") << false;
        QTest::newRow("admin, --db-file path") << QStringLiteral("file") << false;
        QTest::newRow("admin, --db-file sqlite:// URL") << QStringLiteral("file-url") << false;
        QTest::newRow("serve, RELAYDESK_DB_URL") << QStringLiteral("env") << true;
        QTest::newRow("serve, --db-file path") << QStringLiteral("file") << true;
    }

    void databaseUrlFromEnvironmentOrFile()
    {
        QFETCH(QString, how);
        QFETCH(bool, serve);
        const QString name = QStringLiteral("dburl-%1-%2").arg(how).arg(serve);
        QVERIFY(QDir().mkpath(dataDir(name)));
        const QString sqlite = QDir(dataDir(name)).filePath(QStringLiteral("chosen.sqlite"));
        QStringList args;
        QProcessEnvironment env = isolatedEnv(name);
        if (how == u"env") {
            env = isolatedEnv(name, sqlite);
        } else {
            // The URL is the first line, trimmed; the rest of the file is ignored.
            const QString file = QDir(dataDir(name)).filePath(QStringLiteral("db-url"));
            QFile f(file);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("  " + (how == u"file-url" ? "sqlite://" + QFile::encodeName(sqlite) : QFile::encodeName(sqlite))
                    + "  \nsecond line is not read\n");
            f.close();
            args << QStringLiteral("--db-file") << file;
        }
        const Run r = serve ? serveUntilListening(args, env)
                            : relaydeskd(QStringList{QStringLiteral("admin"), QStringLiteral("user"), QStringLiteral("add"),
                                                     QStringLiteral("dave")} + args, env);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(QFileInfo::exists(sqlite));
        QCOMPARE(userCount(sqlite), qint64(1)); // serve: the demo user; admin: dave
        QVERIFY2(!r.err.contains("/proc/PID/cmdline"), r.err.constData());
        QVERIFY(!QFileInfo::exists(dataDir(name + QStringLiteral("-home"))));
    }

    void databaseUrlSourcesConflict()
    {
        const Run r = relaydeskd({QStringLiteral("admin"), QStringLiteral("user"), QStringLiteral("list"), QStringLiteral("--db"),
                                  QStringLiteral("/nonexistent/x.sqlite"), QStringLiteral("--db-file"), QStringLiteral("/nonexistent/f")},
                                 isolatedEnv(QStringLiteral("conflict")));
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("--db-file"), r.err.constData());
        const Run missing = relaydeskd({QStringLiteral("admin"), QStringLiteral("user"), QStringLiteral("list"),
                                        QStringLiteral("--db-file"), QStringLiteral("/nonexistent/f")},
                                       isolatedEnv(QStringLiteral("conflict")));
        QCOMPARE(missing.exitCode, 2);
        QVERIFY2(missing.err.contains("/nonexistent/f"), missing.err.constData());
    }

    // A password in argv is readable by every local user in /proc/PID/cmdline: warn (the connection itself
    // fails here, nothing listens on port 1). From the environment it is not warned about.
    void passwordInArgvWarns_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("envUrl");
        QTest::addColumn<bool>("warns");
        const QString withPassword = QStringLiteral("postgres://relay:s3cr3t-pw@127.0.0.1:1/relay");
        QTest::newRow("admin --db with password") << QStringList{"admin", "user", "list", "--db", withPassword} << QString() << true;
        QTest::newRow("admin --db=… with password") << QStringList{"admin", "user", "list", "--db=" + withPassword} << QString() << true;
        QTest::newRow("serve --db with password") << QStringList{"serve", "--listen", "127.0.0.1:0", "--db", withPassword} << QString() << true;
        QTest::newRow("admin --db without password") << QStringList{"admin", "user", "list", "--db", "postgres://relay@127.0.0.1:1/relay"} << QString() << false;
        QTest::newRow("admin, password in RELAYDESK_DB_URL") << QStringList{"admin", "user", "list"} << withPassword << false;
        QTest::newRow("serve, password in RELAYDESK_DB_URL") << QStringList{"serve", "--listen", "127.0.0.1:0"} << withPassword << false;
    }

    void passwordInArgvWarns()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, envUrl);
        QFETCH(bool, warns);
        const Run r = relaydeskd(args, isolatedEnv(QStringLiteral("pw"), envUrl));
        QCOMPARE(r.exitCode, 1); // cannot connect
        QCOMPARE(r.err.contains("a password on the command line is visible to other users (/proc/PID/cmdline); "
                                "use RELAYDESK_DB_URL or --db-file"), warns);
        QVERIFY2(!r.err.contains("s3cr3t-pw") && !r.out.contains("s3cr3t-pw"), r.err.constData());
        // The URL came from the environment, so the default data dir was never used.
        QVERIFY(!QFileInfo::exists(dataDir(QStringLiteral("pw-home"))));
    }

    // The first-run demo key goes only to a terminal: with stdout on a pipe (a log, systemd, `> file`) only
    // its hint is printed, with how to make a new key.
    void serveDoesNotPrintTheDemoKeyToAPipe()
    {
        const QString d = dataDir(QStringLiteral("serve-pipe"));
        const Run r = serveUntilListening({QStringLiteral("--data"), d}, isolatedEnv(QStringLiteral("serve-pipe")));
        QVERIFY2(r.exitCode == 0, QByteArray(r.out + r.err).constData());
        const QRegularExpression fullKey(QStringLiteral("sk-[0-9A-Za-z]{48}"));
        QVERIFY2(!fullKey.match(QString::fromUtf8(r.out + r.err)).hasMatch(), r.out.constData());
        QVERIFY2(r.out.contains("Demo API key: sk-"), r.out.constData()); // the hint
        QVERIFY2(r.out.contains("admin key add --user demo"), r.out.constData());
        QVERIFY(allFileBytes(d).size() > 0);
        QVERIFY(!fullKey.match(QString::fromLatin1(allFileBytes(d))).hasMatch());
    }

    // On a terminal (a pseudo-terminal from script(1)) the full key is shown, once.
    void serveShowsTheDemoKeyOnATerminal()
    {
        const QString script = QStandardPaths::findExecutable(QStringLiteral("script"));
        QVERIFY2(!script.isEmpty(), "script(1) from util-linux is needed to give serve a terminal");
        const QString d = dataDir(QStringLiteral("serve-tty"));
        const QString bin = QDir(qEnvironmentVariable("RELAYDESK_BIN_DIR")).filePath(QStringLiteral("relaydeskd"));
        QProcess p;
        p.setProcessEnvironment(isolatedEnv(QStringLiteral("serve-tty")));
        p.start(script, {QStringLiteral("-qefc"),
                         QStringLiteral("'%1' serve --listen 127.0.0.1:0 --data '%2'").arg(bin, d), QStringLiteral("/dev/null")});
        QByteArray out;
        QVERIFY(QTest::qWaitFor([&] {
            out += p.readAllStandardOutput();
            return out.contains("Listening on") || p.state() == QProcess::NotRunning;
        }, 30000));
        p.terminate(); // script passes SIGTERM on to serve
        if (!p.waitForFinished(30000))
            p.kill();
        out += p.readAllStandardOutput();
        QVERIFY2(QRegularExpression(QStringLiteral("Demo API key \\(shown once, store it now\\): sk-[0-9A-Za-z]{48}"))
                     .match(QString::fromUtf8(out)).hasMatch(), out.constData());
    }
};

QTEST_GUILESS_MAIN(TestAdminCli)
#include "tst_admincli.moc"
