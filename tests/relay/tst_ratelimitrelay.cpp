// Rate limits end to end: the relay (Runtime on its thread, the demo upstream on another, temporary SQLite) with an
// rpm, rpd or tpm limit on the key or the user. Once the limit is reached the next call is refused before any
// upstream is called — 429 with OpenAI's rate_limit_exceeded (type "requests", or "tokens" for tpm) in OpenAI's
// wording, Anthropic's rate_limit_error on /v1/messages — with a Retry-After of the seconds until the window rolls
// over, nothing reserved and nothing debited.
#include "routecall.h"

#include "service/adminservice.h"
#include "store/limitrepository.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonArray>

using namespace RelayDesk;
using Reply = RelayDeskTest::RelayReply;

const QString kMini = RelayDeskTest::kRouteChatModel;
const QString kSonnet = RelayDeskTest::kRouteClaudeModel;

class TestRateLimitRelay final : public QObject
{
    Q_OBJECT

private:
    RelayDeskTest::MeteredRelay m_relay;
    std::unique_ptr<Service::AdminService> m_admin;
    Store::ApiKey m_key;

    Reply call(const QString &route) { return RelayDeskTest::callRoute(m_relay, route); }

    bool setRates(const QString &owner, const Service::RateCaps &caps)
    {
        const auto set = owner == u"key" ? m_admin->setKeyRates(m_key.id, caps) : m_admin->setUserRates(m_key.userId, caps);
        return bool(set);
    }

    bool clearRates()
    {
        Service::RateCaps none;
        for (const QString &kind : Store::LimitRepository::rateKinds())
            none.append({kind, 0});
        return setRates(QStringLiteral("key"), none) && setRates(QStringLiteral("user"), none);
    }

private slots:
    void initTestCase()
    {
        RelayDeskTest::MeteredRelay::Setup setup;
        setup.user = QStringLiteral("rates");
        setup.models = {kMini};
        QVERIFY(m_relay.start(this, setup));
        Store::Channel claude;
        claude.name = QStringLiteral("claude");
        claude.type = QStringLiteral("anthropic");
        claude.baseUrl = m_relay.runtime().demoUpstream()->baseUrl();
        claude.secret = QStringLiteral("demo");
        claude.models = {kSonnet};
        claude.groups = {QStringLiteral("default")};
        QVERIFY(Store::ChannelRepository(m_relay.db()).create(claude));
        m_relay.runtime().invalidateChannels();
        m_admin = std::make_unique<Service::AdminService>(m_relay.runtime().database(), Service::AdminService::Actor::Cli);
        const auto key = Store::ApiKeyRepository(m_relay.db()).byName(QStringLiteral("rates-key"));
        QVERIFY(key);
        m_key = *key;
    }

    void cleanupTestCase()
    {
        m_relay.checkLogsEqualDebits();
        m_admin.reset();
        m_relay.stop();
    }

    void limitReachedRefusesBeforeTheUpstream_data()
    {
        QTest::addColumn<QString>("route");
        QTest::addColumn<QString>("owner");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<qint64>("cap");
        QTest::addColumn<int>("admitted"); // calls admitted before the refusal
        QTest::newRow("chat, key rpm") << "chat" << "key" << "rpm" << qint64(2) << 2;
        QTest::newRow("chat stream, user rpm") << "chat-stream" << "user" << "rpm" << qint64(1) << 1;
        QTest::newRow("chat, user rpd") << "chat" << "user" << "rpd" << qint64(1) << 1;
        // max_tokens 256 alone is more than 200 tokens a minute: refused at once, as OpenAI does ("too large").
        QTest::newRow("chat, key tpm") << "chat" << "key" << "tpm" << qint64(200) << 0;
        QTest::newRow("messages, key rpm") << "messages" << "key" << "rpm" << qint64(1) << 1;
        QTest::newRow("messages, user tpm") << "messages" << "user" << "tpm" << qint64(200) << 0;
    }

    void limitReachedRefusesBeforeTheUpstream()
    {
        QFETCH(QString, route);
        QFETCH(QString, owner);
        QFETCH(QString, kind);
        QFETCH(qint64, cap);
        QFETCH(int, admitted);
        QVERIFY(clearRates());
        // Minute limits: start early in a minute, so the calls below share it (a wait for the clock, not a signal).
        if (kind != u"rpd")
            RelayDeskTest::spinUntil([] { return QDateTime::currentSecsSinceEpoch() % 60 < 45; }, 20000);
        QVERIFY(setRates(owner, {{kind, cap}}));
        for (int i = 0; i < admitted; ++i)
            QCOMPARE(call(route).http.status, 200);
        const qint64 balance = m_relay.balance();
        const qint64 reservations = m_relay.reservations();
        const Reply refused = call(route);
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        QCOMPARE(refused.http.status, 429);
        QVERIFY(!m_relay.results().last().settled);
        QCOMPARE(m_relay.results().last().reserved, qint64(0));
        QCOMPARE(m_relay.reservations(), reservations);
        QCOMPARE(m_relay.balance(), balance);

        const qint64 rollsAt = kind == u"rpd" ? QDateTime::fromSecsSinceEpoch(now, Qt::UTC).date().addDays(1)
                                                    .startOfDay(Qt::UTC).toSecsSinceEpoch()
                                              : now - now % 60 + 60;
        const qint64 retryAfter = refused.http.header("Retry-After").toLongLong();
        QVERIFY2(retryAfter > 0 && qAbs(retryAfter - (rollsAt - now)) <= 2, refused.http.header("Retry-After").constData());
        const QJsonObject error = refused.json().value(QStringLiteral("error")).toObject();
        const QString message = error.value(QStringLiteral("message")).toString();
        if (route == u"messages") {
            QCOMPARE(refused.json().value(QStringLiteral("type")).toString(), QStringLiteral("error"));
            QCOMPARE(error.value(QStringLiteral("type")).toString(), QStringLiteral("rate_limit_error"));
        } else {
            QCOMPARE(error.value(QStringLiteral("type")).toString(),
                     kind == u"tpm" ? QStringLiteral("tokens") : QStringLiteral("requests"));
            QCOMPARE(error.value(QStringLiteral("code")).toString(), QStringLiteral("rate_limit_exceeded"));
        }
        const QString what = kind == u"rpm" ? QStringLiteral("requests per min (RPM): Limit %1").arg(cap)
                           : kind == u"rpd" ? QStringLiteral("requests per day (RPD): Limit %1").arg(cap)
                                            : QStringLiteral("tokens per min (TPM): Limit %1").arg(cap);
        QVERIFY2(message.contains(what), qPrintable(message));
        QVERIFY2(message.contains(owner == u"key" ? QStringLiteral("the API key ") + m_key.keyHint
                                                  : QStringLiteral("the user 'rates'")),
                 qPrintable(message));
        QVERIFY(!message.contains(QString::fromUtf8(m_relay.key()))); // never the key itself

        // Removing the limit admits the next call at once.
        QVERIFY(clearRates());
        QCOMPARE(call(route).http.status, 200);
    }

    // tpm counts the tokens used once settled: a limit just above one call's hold admits it, and the next call
    // (whose hold would not fit beside the first one's estimate) fits beside what the first one really used.
    void tokensCountWhatWasUsed()
    {
        QVERIFY(clearRates());
        RelayDeskTest::spinUntil([] { return QDateTime::currentSecsSinceEpoch() % 60 < 45; }, 20000);
        QVERIFY(setRates(QStringLiteral("key"), {{QStringLiteral("tpm"), 500}}));
        QCOMPARE(call(QStringLiteral("chat")).http.status, 200);
        const auto states = m_admin->keyRates(m_key.id);
        QVERIFY(states && states->size() == 1);
        const qint64 used = states->first().used;
        QVERIFY2(used > 0 && used < 256, qPrintable(QString::number(used))); // the real count, not prompt + 256
        QCOMPARE(call(QStringLiteral("chat")).http.status, 200);
        QVERIFY(clearRates());
    }
};

QTEST_GUILESS_MAIN(TestRateLimitRelay)
#include "tst_ratelimitrelay.moc"
