// Budget windows end to end: the relay (Runtime on its thread, the demo upstream on another, temporary SQLite) with a
// budget on the key or the user. A call whose hold fits exactly is admitted; once the window has spent part of it the
// next identical call is refused before any upstream is called — 429 with OpenAI's insufficient_quota /
// budget_exceeded (Anthropic's rate_limit_error on /v1/messages), a message naming the owner and window, and a
// Retry-After of the seconds until the day rolls over — and nothing is reserved or debited.
#include "routecall.h"

#include "service/adminservice.h"
#include "store/limitrepository.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonArray>

using namespace RelayDesk;
using Reply = RelayDeskTest::RelayReply;

const QString kMini = RelayDeskTest::kRouteChatModel;
const QString kSonnet = RelayDeskTest::kRouteClaudeModel;

class TestBudgetRelay final : public QObject
{
    Q_OBJECT

private:
    RelayDeskTest::MeteredRelay m_relay;
    std::unique_ptr<Service::AdminService> m_admin;
    Store::ApiKey m_key;

    Reply call(const QString &route) { return RelayDeskTest::callRoute(m_relay, route); }

    bool setBudget(const QString &owner, const Service::BudgetWindows &windows)
    {
        const auto set = owner == u"key" ? m_admin->setKeyBudgets(m_key.id, windows)
                                         : m_admin->setUserBudgets(m_key.userId, windows);
        return bool(set);
    }

private slots:
    void initTestCase()
    {
        RelayDeskTest::MeteredRelay::Setup setup;
        setup.user = QStringLiteral("budget");
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
        const auto key = Store::ApiKeyRepository(m_relay.db()).byName(QStringLiteral("budget-key"));
        QVERIFY(key);
        m_key = *key;
    }

    void cleanupTestCase()
    {
        m_relay.checkLogsEqualDebits();
        m_admin.reset();
        m_relay.stop();
    }

    void spentWindowRefusesBeforeTheUpstream_data()
    {
        QTest::addColumn<QString>("route");
        QTest::addColumn<QString>("owner");
        QTest::newRow("chat, key budget") << "chat" << "key";
        QTest::newRow("chat stream, user budget") << "chat-stream" << "user";
        QTest::newRow("messages, key budget") << "messages" << "key";
        QTest::newRow("messages, user budget") << "messages" << "user";
    }

    void spentWindowRefusesBeforeTheUpstream()
    {
        QFETCH(QString, route);
        QFETCH(QString, owner);
        QVERIFY(setBudget(QStringLiteral("key"), {}) && setBudget(QStringLiteral("user"), {}));
        // Learn the call's hold without a budget.
        QCOMPARE(call(route).http.status, 200);
        const qint64 hold = m_relay.results().last().reserved;
        QVERIFY(hold > 0);
        // A day budget of exactly one hold: the first call fits exactly and spends part of it …
        QVERIFY(setBudget(owner, {{QStringLiteral("day"), hold}}));
        QCOMPARE(call(route).http.status, 200);
        QVERIFY(m_relay.results().last().settled);
        const qint64 spent = m_relay.results().last().quota;
        QVERIFY(spent > 0 && spent < hold);
        // … so the next one cannot: refused with nothing reserved, nothing debited, no upstream call.
        const qint64 balance = m_relay.balance();
        const qint64 reservations = m_relay.reservations();
        const Reply refused = call(route);
        QCOMPARE(refused.http.status, 429);
        QVERIFY(!m_relay.results().last().settled);
        QCOMPARE(m_relay.results().last().reserved, qint64(0));
        QCOMPARE(m_relay.reservations(), reservations);
        QCOMPARE(m_relay.balance(), balance);

        const qint64 now = QDateTime::currentSecsSinceEpoch();
        const qint64 midnight = QDateTime::fromSecsSinceEpoch(now, Qt::UTC).date().addDays(1).startOfDay(Qt::UTC)
                                    .toSecsSinceEpoch();
        const qint64 retryAfter = refused.http.header("Retry-After").toLongLong();
        QVERIFY2(retryAfter > 0 && qAbs(retryAfter - (midnight - now)) <= 5, refused.http.header("Retry-After").constData());
        const QJsonObject error = refused.json().value(QStringLiteral("error")).toObject();
        const QString message = error.value(QStringLiteral("message")).toString();
        if (route == u"messages") {
            QCOMPARE(refused.json().value(QStringLiteral("type")).toString(), QStringLiteral("error"));
            QCOMPARE(error.value(QStringLiteral("type")).toString(), QStringLiteral("rate_limit_error"));
        } else {
            QCOMPARE(error.value(QStringLiteral("type")).toString(), QStringLiteral("insufficient_quota"));
            QCOMPARE(error.value(QStringLiteral("code")).toString(), QStringLiteral("budget_exceeded"));
        }
        QVERIFY2(message.contains(owner == u"key" ? QStringLiteral("the API key ") + m_key.keyHint
                                                  : QStringLiteral("the user 'budget'")),
                 qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("daily budget")), qPrintable(message));
        QVERIFY2(message.contains(QDateTime::fromSecsSinceEpoch(midnight, Qt::UTC).toString(Qt::ISODate)),
                 qPrintable(message));
        QVERIFY(!message.contains(QString::fromUtf8(m_relay.key()))); // never the key itself

        // The window counted exactly the settled call; raising the cap admits the next call at once.
        const auto states = owner == u"key" ? m_admin->keyBudgets(m_key.id) : m_admin->userBudgets(m_key.userId);
        QVERIFY(states && states->size() == 1);
        QCOMPARE(states->first().spent, spent);
        QVERIFY(setBudget(owner, {{QStringLiteral("day"), spent + hold}}));
        QCOMPARE(call(route).http.status, 200);
    }
};

QTEST_GUILESS_MAIN(TestBudgetRelay)
#include "tst_budgetrelay.moc"
