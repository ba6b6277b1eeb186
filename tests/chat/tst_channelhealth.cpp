// ChannelSelector's channel health (issue 10, item 7) with an injected clock: back-off after a failure, doubling
// and capped, longer for auth failures; one half-open probe after the back-off; success closes the circuit;
// the least recently failed channel is tried when all are backing off; the state is mirrored to channel_health
// (never with the channel key in it) and a new selector starts from it. Also the secret scrubber.
#include "relay/channelselector.h"
#include "relay/secretscrubber.h"
#include "store/channelhealthrepository.h"
#include "store/channelrepository.h"
#include "tempdatabase.h"

#include <QtTest/QtTest>

using namespace RelayDesk;
using Relay::ChannelFailure;
using Relay::ChannelSelector;
using Store::ChannelHealth;

namespace {

const QString kSecret = QStringLiteral("sk-proj-SECRETsecret0123456789WXYZ");

struct Fixture
{
    Testing::TempDatabase tmp;
    qint64 high = 0, low = 0;
    qint64 clock = 1'000'000;

    Fixture()
    {
        high = make(QStringLiteral("high"), 10);
        low = make(QStringLiteral("low"), 0);
    }
    qint64 make(const QString &name, int priority)
    {
        Store::Channel c;
        c.name = name;
        c.baseUrl = QStringLiteral("https://api.example.com");
        c.secret = kSecret;
        c.models = {QStringLiteral("m")};
        c.priority = priority;
        return Store::ChannelRepository(tmp.db()).create(c).value().id;
    }
    std::unique_ptr<ChannelSelector> selector()
    {
        auto s = std::make_unique<ChannelSelector>(tmp.shared());
        s->setClock([this] { return clock; });
        return s;
    }
};

qint64 pick(ChannelSelector &s, const QSet<qint64> &exclude = {})
{
    const auto c = s.select(QStringLiteral("m"), QStringLiteral("default"), exclude);
    return c ? c->id : 0;
}

} // namespace

class TestChannelHealth final : public QObject
{
    Q_OBJECT

private slots:
    void backoffDoublesUpToItsCap_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<int>("failures");
        QTest::addColumn<qint64>("backoff");
        QTest::newRow("connect 1") << int(ChannelFailure::Connect) << 1 << qint64(5'000);
        QTest::newRow("5xx 2") << int(ChannelFailure::ServerError) << 2 << qint64(10'000);
        QTest::newRow("timeout 4") << int(ChannelFailure::Timeout) << 4 << qint64(40'000);
        QTest::newRow("connect 7, capped") << int(ChannelFailure::Connect) << 7 << qint64(300'000);
        QTest::newRow("connect 60, capped") << int(ChannelFailure::Connect) << 60 << qint64(300'000);
        QTest::newRow("auth 1") << int(ChannelFailure::Auth) << 1 << qint64(60'000);
        QTest::newRow("auth 3") << int(ChannelFailure::Auth) << 3 << qint64(240'000);
        QTest::newRow("auth 9, capped") << int(ChannelFailure::Auth) << 9 << qint64(1'800'000);
    }

    void backoffDoublesUpToItsCap()
    {
        QFETCH(int, kind);
        QFETCH(int, failures);
        QFETCH(qint64, backoff);
        Fixture f;
        QCOMPARE(f.selector()->backoffMs(ChannelFailure(kind), failures), backoff);
    }

    // A failed channel is skipped during its back-off and tried again (one probe) after it.
    void failedChannelIsSkippedThenProbed_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<qint64>("backoff");
        QTest::newRow("connect") << int(ChannelFailure::Connect) << qint64(5'000);
        QTest::newRow("5xx") << int(ChannelFailure::ServerError) << qint64(5'000);
        QTest::newRow("auth") << int(ChannelFailure::Auth) << qint64(60'000);
    }

    void failedChannelIsSkippedThenProbed()
    {
        QFETCH(int, kind);
        QFETCH(qint64, backoff);
        Fixture f;
        QVERIFY(f.tmp.isValid());
        auto s = f.selector();
        QCOMPARE(pick(*s), f.high);
        s->reportFailure(f.high, ChannelFailure(kind), QStringLiteral("upstream said: bad key ") + kSecret);
        QCOMPARE(s->health(f.high).state, ChannelHealth::State::Unhealthy);
        QCOMPARE(pick(*s), f.low);
        f.clock += backoff - 1;
        QCOMPARE(pick(*s), f.low);
        f.clock += 1;
        // Half-open: exactly one call goes to the channel as the probe; the others keep away meanwhile.
        QCOMPARE(pick(*s), f.high);
        QCOMPARE(s->health(f.high).state, ChannelHealth::State::Probing);
        QCOMPARE(pick(*s), f.low);
        QCOMPARE(pick(*s), f.low);
        // The probe fails: the next back-off is twice as long.
        s->reportFailure(f.high, ChannelFailure(kind), QStringLiteral("still failing"));
        QCOMPARE(s->health(f.high).failures, 2);
        f.clock += 2 * backoff - 1;
        QCOMPARE(pick(*s), f.low);
        f.clock += 1;
        QCOMPARE(pick(*s), f.high);
        // The probe succeeds: healthy again, used as before.
        s->reportSuccess(f.high);
        QCOMPARE(s->health(f.high).state, ChannelHealth::State::Healthy);
        QCOMPARE(s->health(f.high).failures, 0);
        for (int i = 0; i < 5; ++i)
            QCOMPARE(pick(*s), f.high);
    }

    // A probe that never reports (its client left) frees the channel for another probe after the lease.
    void probeLeaseEnds()
    {
        Fixture f;
        auto s = f.selector();
        s->reportFailure(f.high, ChannelFailure::Connect, QStringLiteral("refused"));
        f.clock += 5'000;
        QCOMPARE(pick(*s), f.high);
        QCOMPARE(pick(*s), f.low);
        f.clock += Relay::ChannelHealthPolicy().probeLeaseMs;
        QCOMPARE(pick(*s), f.high);
    }

    // Calls already in flight when the channel went down confirm the back-off; they do not lengthen it.
    void concurrentFailuresCountOnce()
    {
        Fixture f;
        auto s = f.selector();
        for (int i = 0; i < 5; ++i)
            s->reportFailure(f.high, ChannelFailure::ServerError, QStringLiteral("HTTP 500"));
        QCOMPARE(s->health(f.high).failures, 1);
        QCOMPARE(s->health(f.high).retryAtMs, f.clock + 5'000);
    }

    // Every channel backing off: the least recently failed one is still tried — never "no channel".
    void allUnhealthyTriesTheLeastRecentlyFailed()
    {
        Fixture f;
        auto s = f.selector();
        s->reportFailure(f.low, ChannelFailure::Connect, QStringLiteral("refused"));
        f.clock += 10;
        s->reportFailure(f.high, ChannelFailure::Connect, QStringLiteral("refused"));
        QCOMPARE(pick(*s), f.low);
        // It fails again (in its back-off): now the other one is the least recently failed.
        f.clock += 10;
        s->reportFailure(f.low, ChannelFailure::Connect, QStringLiteral("refused"));
        QCOMPARE(pick(*s), f.high);
        // Excluding what this call already tried still leaves the other one.
        QCOMPARE(pick(*s, {f.high}), f.low);
        QCOMPARE(pick(*s, {f.high, f.low}), qint64(0));
        QVERIFY(s->hasCandidate(QStringLiteral("m"), QStringLiteral("default"), {f.high}));
        QVERIFY(!s->hasCandidate(QStringLiteral("m"), QStringLiteral("default"), {f.high, f.low}));
    }

    // Mirrored to channel_health on each change of state, without the key; a new selector starts from it.
    void healthIsPersistedWithoutTheKey()
    {
        Fixture f;
        auto s = f.selector();
        s->reportFailure(f.high, ChannelFailure::Auth,
                         QStringLiteral("HTTP 401: Incorrect API key provided: sk-proj-****WXYZ; full %1").arg(kSecret));
        const Store::ChannelHealthRepository repo(f.tmp.db());
        auto row = repo.byChannel(f.high);
        QVERIFY(row);
        QCOMPARE(row->state, ChannelHealth::State::Unhealthy);
        QCOMPARE(row->failures, 1);
        QCOMPARE(row->retryAtMs, f.clock + 60'000);
        QCOMPARE(row->updatedAtMs, f.clock);
        QVERIFY2(row->lastError.contains(QStringLiteral("HTTP 401")), qPrintable(row->lastError));
        for (const QString &fragment : {QStringLiteral("sk-proj"), QStringLiteral("WXYZ"), QStringLiteral("SECRETsecret"),
                                        QStringLiteral("0123456789")})
            QVERIFY2(!row->lastError.contains(fragment), qPrintable(row->lastError));
        QVERIFY(!repo.byChannel(f.low)); // healthy channels are never written

        // Another process (or the next run) sees the same back-off.
        auto next = f.selector();
        QCOMPARE(next->health(f.high).state, ChannelHealth::State::Unhealthy);
        QCOMPARE(pick(*next), f.low);

        f.clock += 60'000;
        QCOMPARE(pick(*s), f.high);
        QCOMPARE(repo.byChannel(f.high)->state, ChannelHealth::State::Probing);
        s->reportSuccess(f.high);
        row = repo.byChannel(f.high);
        QCOMPARE(row->state, ChannelHealth::State::Healthy);
        QCOMPARE(row->failures, 0);
        QCOMPARE(row->retryAtMs, qint64(0));
    }

    void repositoryRoundTrip()
    {
        Testing::TempDatabase tmp;
        QVERIFY2(tmp.isValid(), qPrintable(tmp.error()));
        const Store::ChannelHealthRepository repo(tmp.db());
        QVERIFY(repo.list().isEmpty());
        ChannelHealth h;
        h.channelId = 7;
        h.state = ChannelHealth::State::Unhealthy;
        h.failures = 3;
        h.retryAtMs = 12345;
        h.lastError = QStringLiteral("HTTP 503");
        QVERIFY(repo.save(h));
        h.channelId = 3;
        h.state = ChannelHealth::State::Probing;
        QVERIFY(repo.save(h));
        h.state = ChannelHealth::State::Healthy; // replaces, not duplicates
        h.failures = 0;
        QVERIFY(repo.save(h));
        const auto all = repo.list();
        QCOMPARE(all.size(), 2);
        QCOMPARE(all[0].channelId, qint64(3));
        QCOMPARE(all[0].state, ChannelHealth::State::Healthy);
        QCOMPARE(all[1].failures, 3);
        QCOMPARE(all[1].retryAtMs, qint64(12345));
        QCOMPARE(all[1].lastError, QStringLiteral("HTTP 503"));
        QVERIFY(all[1].updatedAtMs > 0);
        QVERIFY(repo.remove(7));
        QCOMPARE(repo.list().size(), 1);
    }

    void scrubber_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("secret");
        QTest::addColumn<QString>("kept");
        QTest::newRow("masked openai") << "Incorrect API key provided: sk-proj-****WXYZ. See docs." << kSecret << "Incorrect API key provided";
        QTest::newRow("whole key") << QStringLiteral("key %1 revoked").arg(kSecret) << kSecret << "revoked";
        QTest::newRow("non-sk key") << "token abcdEFGH12345678ijkl is invalid" << "abcdEFGH12345678ijkl" << "is invalid";
        QTest::newRow("prefix of key") << "key abcdEFGH1234 is invalid" << "abcdEFGH12345678ijkl" << "is invalid";
        QTest::newRow("ellipsis mask") << "key abcd…ijkl is invalid" << "abcdEFGH12345678ijkl" << "is invalid";
        QTest::newRow("other sk key") << "sk-abc123def456 unknown" << "" << "unknown";
    }

    void scrubber()
    {
        QFETCH(QString, text);
        QFETCH(QString, secret);
        QFETCH(QString, kept);
        const QString out = Relay::SecretScrubber::scrub(text, secret);
        QVERIFY2(out.contains(kept), qPrintable(out));
        QVERIFY2(out.contains(Relay::SecretScrubber::kRedacted), qPrintable(out));
        for (const QString &piece : {QStringLiteral("WXYZ"), QStringLiteral("sk-"), QStringLiteral("abcd"), QStringLiteral("ijkl"),
                                     QStringLiteral("12345678")})
            QVERIFY2(!out.contains(piece), qPrintable(out));
    }
};

QTEST_GUILESS_MAIN(TestChannelHealth)
#include "tst_channelhealth.moc"
