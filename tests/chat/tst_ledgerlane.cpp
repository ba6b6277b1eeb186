// The ledger must never stall the relay (issue 17, item 1), shown with real processes: two `relaydeskd serve`
// (A and B) on one database, one fake upstream process, four users with a key each, under mixed load — u3's JSON
// and SSE chat on both instances, a Realtime session of u4 on each, u2's timed probes. Then another session takes
// a lock the ledger needs and holds it kHoldMs:
//  - PostgreSQL: `SELECT … FROM users WHERE id = <u1> FOR UPDATE` (a report, a console edit, a long transaction
//    anywhere). Only calls that need u1's row may wait: u2's chat, /healthz and /v1/models on A and on B, and
//    u4's Realtime events (the gaps between them) keep their normal latency, measured before the hold under the same
//    load. u1's own calls (one on each instance, started during the hold) wait, complete once the lock is
//    released, and are charged exactly once.
//  - SQLite: `BEGIN IMMEDIATE` (what a console write does). SQLite locks the whole database, so ledger calls —
//    u2's chat, u4's Realtime charges (and with them the client's next response.create, held until its charge
//    landed) — may wait, but /healthz and /v1/models keep answering; everything settles once afterwards. Realtime's
//    ledger writes, like the metered HTTP calls', run on the store lane, never on the relay thread.
// Then a channel added by the CLI (`relaydeskd admin channel add`, a process of its own — "B's CLI") serves its
// model on A within 2 s, and at the end, for every user and key, what left the balance == used_quota == the sum
// of its consume log rows, and no reservation is left open.
//
// The probes are asynchronous and timed from their own start, so a call queued behind a stalled relay thread
// shows the whole stall. Each test function prints what it measured (qInfo) before it asserts.
#include "binaries.h"
#include "chatload.h"
#include "pgcluster.h"
#include "relaydeskdrun.h"
#include "secretkeyfile.h"

#include "store/apikeyrepository.h"
#include "store/channelrepository.h"
#include "store/database.h"
#include "store/logrepository.h"
#include "store/reservationrepository.h"
#include "store/userrepository.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QTemporaryDir>
#include <QtCore/QTimer>
#include <QtCore/QUrl>
#include <QtNetwork/QNetworkRequest>
#include <QtNetwork/QTcpSocket>
#include <QtSql/QSqlDatabase>
#include <QtSql/QSqlError>
#include <QtSql/QSqlQuery>
#include <QtTest/QtTest>
#include <QtWebSockets/QWebSocket>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <vector>

using namespace RelayDesk;

namespace {

constexpr int kHoldMs = 5000; // how long the other session holds its lock
// A call made during the hold must finish within max(kFloorMs, kBaselineFactor × its baseline p50): "normal
// latency" with room for a loaded 2-core machine (the lead's builds, wrk, two relays and PostgreSQL share it)…
constexpr qint64 kFloorMs = 1500;
constexpr qint64 kBaselineFactor = 10;
// …but never more than kCapMs, well below the hold: however slow the baseline was, a relay that waits out the
// lock (≈ kHoldMs for a call started early in the hold) must fail.
constexpr qint64 kCapMs = 3000;
constexpr int kProbeEveryMs = 250;       // one round of probes (each endpoint on each instance) this often
constexpr int kBaselineMs = 3000;        // rounds of probes before the hold: the normal latency
constexpr int kRealtimePauseMs = 150;    // a Realtime client's pause between a response.done and its next turn
constexpr int kChannelBoundMs = 2000;    // an admin edit reaches a running relay within this (README)
constexpr qint64 kUserQuota = 2'000'000'000;
constexpr qint64 kKeyQuota = 1'000'000'000;
const QString kModel = QStringLiteral("gpt-4o-mini");       // ChatLoad's model
const QString kRealtimeModel = QStringLiteral("gpt-realtime");
const QString kExtraModel = QStringLiteral("gpt-4.1-mini"); // served only by the channel the CLI adds
const char *const kInstanceNames[2] = {"A", "B"};

struct Account
{
    QString name;
    qint64 userId = 0;
    qint64 keyId = 0;
    QByteArray key;
};

QByteArray httpRequest(const QByteArray &method, const QByteArray &path, const QByteArray &key,
                       const QByteArray &body = {})
{
    QByteArray head = method + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    if (!key.isEmpty())
        head += "Authorization: Bearer " + key + "\r\n";
    if (!body.isEmpty())
        head += "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n";
    return head + "\r\n" + body;
}

QByteArray chatRequest(const QByteArray &key, const QString &model)
{
    return httpRequest("POST", "/v1/chat/completions", key,
                       QByteArrayLiteral(R"({"model":")") + model.toUtf8() +
                           R"(","max_tokens":16,"messages":[{"role":"user","content":"Hello there."}]})");
}

// One HTTP request (Connection: close) on a socket of its own, timed on the test's clock from its start until
// the relay closes the connection. status() is 0 when it failed.
class TimedCall final : public QObject
{
public:
    TimedCall(quint16 port, const QByteArray &request, const QElapsedTimer &clock)
        : m_clock(clock)
        , m_started(clock.elapsed())
    {
        connect(&m_socket, &QTcpSocket::connected, this, [this, request] { m_socket.write(request); });
        connect(&m_socket, &QTcpSocket::readyRead, this, [this] { m_raw += m_socket.readAll(); });
        connect(&m_socket, &QTcpSocket::disconnected, this, [this] { finish(); });
        connect(&m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError error) {
            if (error != QAbstractSocket::RemoteHostClosedError) // else disconnected() follows
                finish();
        });
        m_socket.connectToHost(QHostAddress::LocalHost, port);
    }
    bool done() const { return m_ended >= 0; }
    qint64 started() const { return m_started; }
    qint64 ended() const { return m_ended; }
    qint64 latency() const { return m_ended - m_started; }
    int status() const { return m_raw.startsWith("HTTP/1.1 ") ? m_raw.mid(9, 3).toInt() : 0; }
    QByteArray body() const { return m_raw.mid(m_raw.indexOf("\r\n\r\n") + 4); }

private:
    void finish()
    {
        if (m_ended >= 0)
            return;
        m_raw += m_socket.readAll();
        m_ended = m_clock.elapsed();
    }

    const QElapsedTimer &m_clock;
    QByteArray m_raw;
    qint64 m_started;
    qint64 m_ended = -1;
    QTcpSocket m_socket; // last: destroyed first, while what its signals touch still exists
};

// A Realtime session kept busy: response.create, and the next one kRealtimePauseMs after each response.done (a
// client's pace, which also leaves the 2 cores to the rest). The fake upstream speaks at real-time pace (an audio
// delta every 100 ms, about 4 s a response), so what is timed is the gap between consecutive events the client
// receives: a relay that stops forwarding shows as one long gap.
class RealtimeLoop final : public QObject
{
public:
    struct Turn
    {
        qint64 sent = 0;
        qint64 done = -1; // -1: still waiting for its response.done
    };

    RealtimeLoop(quint16 port, const QByteArray &key, const QElapsedTimer &clock)
        : m_clock(clock)
    {
        connect(&m_ws, &QWebSocket::connected, this, [this] { send(); });
        connect(&m_ws, &QWebSocket::textMessageReceived, this, [this](const QString &m) { onEvent(m); });
        QNetworkRequest request(QUrl(QStringLiteral("ws://127.0.0.1:%1/v1/realtime?model=%2").arg(port).arg(kRealtimeModel)));
        request.setRawHeader("Authorization", "Bearer " + key);
        m_ws.open(request);
    }
    // Ends the session after the turn in progress (the relay then settles it and writes its log row).
    void stop()
    {
        m_stopped = true;
        if (!pending())
            m_ws.close();
    }
    bool closed() const { return m_ws.state() == QAbstractSocket::UnconnectedState; }
    int doneTurns() const
    {
        return static_cast<int>(std::count_if(m_turns.begin(), m_turns.end(), [](const Turn &t) { return t.done >= 0; }));
    }
    const QList<Turn> &turns() const { return m_turns; }
    // The gaps between consecutive events that overlap [from, to): the later event at or after `from`, the
    // earlier one before `to`.
    QList<qint64> gapsIn(qint64 from, qint64 to) const
    {
        QList<qint64> gaps;
        for (qsizetype k = 1; k < m_events.size(); ++k) {
            if (m_events[k] >= from && m_events[k - 1] < to)
                gaps << m_events[k] - m_events[k - 1];
        }
        return gaps;
    }
    const QStringList &errors() const { return m_errors; }

private:
    bool pending() const { return !m_turns.isEmpty() && m_turns.last().done < 0; }
    void send()
    {
        if (m_stopped) {
            m_ws.close();
            return;
        }
        m_turns.append({m_clock.elapsed(), -1});
        m_ws.sendTextMessage(QStringLiteral(R"({"type":"response.create"})"));
    }
    void onEvent(const QString &message)
    {
        m_events << m_clock.elapsed();
        const QString type = QJsonDocument::fromJson(message.toUtf8()).object().value(u"type").toString();
        if (type == u"error")
            m_errors << message;
        if (type != u"response.done" || !pending())
            return;
        m_turns.last().done = m_clock.elapsed();
        if (m_stopped)
            m_ws.close();
        else
            QTimer::singleShot(kRealtimePauseMs, this, [this] { send(); });
    }

    const QElapsedTimer &m_clock;
    QList<Turn> m_turns;
    QList<qint64> m_events; // when each event arrived
    QStringList m_errors;
    bool m_stopped = false;
    QWebSocket m_ws; // last: destroyed first, while what its signals touch still exists
};

// A probe: one endpoint on one instance.
struct Probe
{
    int instance = 0;
    QString kind; // healthz, models, chat (u2's JSON chat)
    std::unique_ptr<TimedCall> call;
};

// A connection of the test's own to the database (the "other session"), removed with its handle.
class SqlSession
{
public:
    SqlSession(const QString &driver, const QString &name)
        : m_name(name)
    {
        m_db = QSqlDatabase::addDatabase(driver, name);
    }
    ~SqlSession()
    {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_name);
    }
    QSqlDatabase &db() { return m_db; }
    // Runs `sql` (with positional `values`); the error text, empty on success. `*first` gets the first column of
    // the first row.
    QString exec(const QString &sql, const QVariantList &values = {}, QVariant *first = nullptr)
    {
        QSqlQuery q(m_db);
        bool ok = false;
        if (values.isEmpty()) {
            ok = q.exec(sql); // a plain statement (BEGIN, COMMIT): not prepared
        } else {
            q.prepare(sql);
            for (const QVariant &v : values)
                q.addBindValue(v);
            ok = q.exec();
        }
        if (!ok)
            return q.lastError().text();
        if (first)
            *first = q.next() ? q.value(0) : QVariant();
        return {};
    }

private:
    QString m_name;
    QSqlDatabase m_db;
};

qint64 median(QList<qint64> values)
{
    if (values.isEmpty())
        return -1;
    std::sort(values.begin(), values.end());
    return values.at(values.size() / 2);
}

// Two relays on one database with their load; torn down in order by stop().
struct Rig
{
    QString backend;
    QTemporaryDir data;
    QString url; // PostgreSQL only
    QStringList where; // --data DIR or --db URL
    std::shared_ptr<Store::Database> db;
    QProcess upstream;
    quint16 upstreamPort = 0;
    QProcess serve[2];
    QByteArray output[2];
    quint16 port[2] = {};
    Account u1, u2, u3, u4; // u1: the locked row; u2: the probes; u3: chat load; u4: Realtime
    std::unique_ptr<RelayDeskTest::ChatLoad> chat[2];
    std::unique_ptr<RealtimeLoop> realtime[2];
    QElapsedTimer clock;
    bool ready = false; // set up and under load

    // Those that called.
    QList<const Account *> accounts() const { return {&u1, &u2, &u3, &u4}; }

    ~Rig()
    {
        for (QProcess &p : serve) {
            if (p.state() != QProcess::NotRunning) {
                p.kill();
                p.waitForFinished(30000);
            }
        }
        if (upstream.state() != QProcess::NotRunning) {
            upstream.kill();
            upstream.waitForFinished(30000);
        }
    }
};

} // namespace

class TestLedgerLane final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_keyDir; // the channel-secret key of every database here, and of the processes started
    std::unique_ptr<Testing::PgCluster> m_pg;
    std::unique_ptr<Rig> m_rig;

    // Builds m_rig on `backend` and starts its load; QSKIP when PostgreSQL is not installed.
    void setUpRig(const QString &backend)
    {
        m_rig = std::make_unique<Rig>();
        Rig &rig = *m_rig;
        rig.backend = backend;
        rig.clock.start();
        QVERIFY(rig.data.isValid());
        rig.where = {QStringLiteral("--data"), rig.data.path()};
        if (backend == u"postgres") {
            const auto pg = Testing::createPgDatabase(m_pg);
            if (!pg.skip.isEmpty())
                QSKIP(qPrintable(pg.skip));
            QVERIFY2(!pg.url.isEmpty(), qPrintable(pg.error));
            rig.url = pg.url;
            rig.where = {QStringLiteral("--db"), rig.url};
        }
        auto opened = Store::Database::open(rig.data.path(), rig.url);
        QVERIFY2(opened, qPrintable(opened.error()));
        rig.db = opened.value();

        // The upstream paces its replies (20 ms for JSON, between SSE chunks), so the load is a steady stream of
        // calls in flight rather than a busy loop on the shared cores.
        rig.upstreamPort = RelayDeskTest::startFakeUpstream(
            rig.upstream, {QStringLiteral("--delay-ms"), QStringLiteral("20"), QStringLiteral("--json-delay-ms"),
                           QStringLiteral("20")});
        QVERIFY2(rig.upstreamPort != 0, rig.upstream.readAllStandardError().constData());

        Account *const accounts[] = {&rig.u1, &rig.u2, &rig.u3, &rig.u4};
        for (int i = 0; i < 4; ++i) {
            Account &a = *accounts[i];
            a.name = QStringLiteral("u%1").arg(i + 1);
            const auto user = Store::UserRepository(*rig.db).create(a.name, QStringLiteral("default"), kUserQuota);
            QVERIFY2(user, qPrintable(user.error()));
            a.userId = user->id;
            Store::NewApiKey spec;
            spec.userId = a.userId;
            spec.name = a.name + QStringLiteral("-key");
            spec.quota = kKeyQuota;
            const auto key = Store::ApiKeyRepository(*rig.db).create(spec);
            QVERIFY2(key, qPrintable(key.error()));
            a.keyId = key->key.id;
            a.key = key->plainKey.toLatin1();
        }
        Store::Channel channel;
        channel.name = QStringLiteral("fake");
        channel.baseUrl = QStringLiteral("http://127.0.0.1:%1").arg(rig.upstreamPort);
        channel.secret = QStringLiteral("unused");
        channel.models = {kModel, kRealtimeModel};
        const auto created = Store::ChannelRepository(*rig.db).create(channel);
        QVERIFY2(created, qPrintable(created.error()));

        for (int i = 0; i < 2; ++i) {
            rig.port[i] = RelayDeskTest::freePort();
            // A lease of 10 s: each instance's heartbeat and recovery sweep run every 3.3 s, so at least once during
            // the hold — and must not stall the relay either — while the lease outlasts the hold plus one heartbeat
            // interval. On SQLite the heartbeat itself waits out the hold: with a lease shorter than that, the other
            // instance's sweep, first to write after the release, would take this one for dead and recover its
            // open reservations — a live Realtime session's among them (its next charge: reservation_closed).
            const QStringList args = rig.where + QStringList{QStringLiteral("--instance-lease"), QStringLiteral("10")};
            QVERIFY2(RelayDeskTest::startServe(rig.serve[i], args, rig.port[i], &rig.output[i]),
                     rig.output[i].constData());
        }
        for (int i = 0; i < 2; ++i) {
            rig.chat[i] = std::make_unique<RelayDeskTest::ChatLoad>(rig.port[i], rig.u3.key, 4);
            rig.realtime[i] = std::make_unique<RealtimeLoop>(rig.port[i], rig.u4.key, rig.clock);
        }
        // Bounded generously: both relays have just started on a shared machine.
        QVERIFY2(QTest::qWaitFor([&] {
                     for (int i = 0; i < 2; ++i) {
                         if (rig.chat[i]->completed() < 4 || (rig.realtime[i] && rig.realtime[i]->doneTurns() < 1))
                             return false;
                     }
                     return true;
                 }, 60000),
                 "the load did not get going on both instances");
        rig.ready = true;
    }

    // One round of probes every kProbeEveryMs (the first at once) while `running()`.
    std::vector<Probe> launchProbes(Rig &rig, const std::function<bool()> &running)
    {
        std::vector<Probe> probes;
        const auto round = [&] {
            for (int i = 0; i < 2; ++i) {
                probes.push_back({i, QStringLiteral("healthz"),
                                  std::make_unique<TimedCall>(rig.port[i], httpRequest("GET", "/healthz", {}), rig.clock)});
                probes.push_back({i, QStringLiteral("models"),
                                  std::make_unique<TimedCall>(rig.port[i], httpRequest("GET", "/v1/models", rig.u2.key),
                                                              rig.clock)});
                probes.push_back({i, QStringLiteral("chat"),
                                  std::make_unique<TimedCall>(rig.port[i], chatRequest(rig.u2.key, kModel), rig.clock)});
            }
        };
        QTimer timer;
        connect(&timer, &QTimer::timeout, this, round);
        round();
        timer.start(kProbeEveryMs);
        while (running())
            QTest::qWait(20);
        return probes;
    }

    // Waits until every probe has ended (bounded: one the relay never answers fails the caller's checks).
    static void waitEnded(const std::vector<Probe> &probes)
    {
        if (!QTest::qWaitFor([&] {
                return std::all_of(probes.begin(), probes.end(), [](const Probe &p) { return p.call->done(); });
            }, 60000))
            qWarning("some probes never ended");
    }

    // The hold scenario on m_rig: baseline, `lock()` (the other session; an error text or empty), u1's calls on A
    // and B, probes for kHoldMs (while `observeWaiting` may confirm that u1's calls wait on the lock), `unlock()`.
    // `ledgerBound`: whether u2's chat and u4's Realtime turns must keep their normal latency too (PostgreSQL),
    // or may wait with the whole database (SQLite).
    void holdScenario(const std::function<QString()> &lock, const std::function<bool()> &observeWaiting,
                      const std::function<QString()> &unlock, bool ledgerBound)
    {
        Rig &rig = *m_rig;

        // 1. Normal latency, under the same load.
        const qint64 baselineStart = rig.clock.elapsed();
        const std::vector<Probe> baseline =
            launchProbes(rig, [&] { return rig.clock.elapsed() - baselineStart < kBaselineMs; });
        waitEnded(baseline);
        const qint64 baselineEnd = rig.clock.elapsed();
        std::map<QString, QList<qint64>> normal; // "A healthz" → latencies
        for (const Probe &p : baseline) {
            QVERIFY2(p.call->done() && p.call->status() == 200,
                     qPrintable(QStringLiteral("baseline %1 on %2: %3 %4").arg(p.kind, QLatin1String(kInstanceNames[p.instance]))
                                    .arg(p.call->status()).arg(QString::fromUtf8(p.call->body()))));
            normal[QLatin1String(kInstanceNames[p.instance]) + u' ' + p.kind] << p.call->latency();
        }
        for (int i = 0; i < 2; ++i)
            normal[QLatin1String(kInstanceNames[i]) + QStringLiteral(" realtime")] = rig.realtime[i]->gapsIn(baselineStart, baselineEnd);

        // 2. The other session takes its lock; u1 calls on both instances; probes for the rest of the hold.
        const qint64 holdStart = rig.clock.elapsed();
        const QString locked = lock();
        QVERIFY2(locked.isEmpty(), qPrintable(locked));
        std::unique_ptr<TimedCall> u1Calls[2];
        for (int i = 0; i < 2; ++i)
            u1Calls[i] = std::make_unique<TimedCall>(rig.port[i], chatRequest(rig.u1.key, kModel), rig.clock);
        bool sawWaiting = false;
        const std::vector<Probe> held = launchProbes(rig, [&] {
            sawWaiting = sawWaiting || observeWaiting();
            return rig.clock.elapsed() - holdStart < kHoldMs;
        });
        const qint64 releasedAt = rig.clock.elapsed();
        const QString unlocked = unlock();
        QVERIFY2(unlocked.isEmpty(), qPrintable(unlocked));
        waitEnded(held);
        QVERIFY2(QTest::qWaitFor([&] { return u1Calls[0]->done() && u1Calls[1]->done(); }, 60000),
                 "u1's calls did not end after the lock was released");
        QVERIFY(QTest::qWaitFor([&] {
            for (int i = 0; i < 2; ++i) {
                const auto turns = rig.realtime[i]->turns();
                if (std::any_of(turns.begin(), turns.end(), [&](const auto &t) { return t.sent < releasedAt && t.done < 0; }))
                    return false;
            }
            return true;
        }, 60000));

        // 3. What was measured, before any assertion.
        std::map<QString, QList<qint64>> during;
        std::map<QString, QStringList> badStatus;
        for (const Probe &p : held) {
            const QString key = QLatin1String(kInstanceNames[p.instance]) + u' ' + p.kind;
            during[key] << (p.call->done() ? p.call->latency() : rig.clock.elapsed() - p.call->started());
            if (!p.call->done() || p.call->status() != 200)
                badStatus[key] << QStringLiteral("%1 %2").arg(p.call->status()).arg(QString::fromUtf8(p.call->body().left(200)));
        }
        for (int i = 0; i < 2; ++i)
            during[QLatin1String(kInstanceNames[i]) + QStringLiteral(" realtime")] = rig.realtime[i]->gapsIn(holdStart, releasedAt);
        QStringList slow;
        qInfo("[%s] hold %d ms; per instance and endpoint (realtime: gaps between events): baseline p50, during the "
              "hold p50 / max (n), bound",
              qPrintable(rig.backend), kHoldMs);
        for (const auto &[key, latencies] : normal) {
            const qint64 p50 = median(latencies);
            const qint64 bound = std::min(kCapMs, std::max(kFloorMs, kBaselineFactor * p50));
            const QList<qint64> &seen = during[key];
            const qint64 worst = seen.isEmpty() ? -1 : *std::max_element(seen.begin(), seen.end());
            const bool judged = ledgerBound || (!key.endsWith(u"chat") && !key.endsWith(u"realtime"));
            qInfo("  %-11s %5lld ms | %5lld / %5lld ms (%lld) | %s", qPrintable(key), p50, median(seen), worst,
                  static_cast<long long>(seen.size()),
                  judged ? qPrintable(QStringLiteral("≤ %1 ms").arg(bound)) : "may wait (SQLite)");
            if (judged && worst > bound)
                slow << QStringLiteral("%1: %2 ms > %3 ms").arg(key).arg(worst).arg(bound);
        }
        for (int i = 0; i < 2; ++i) {
            qInfo("  u1 on %s: %d after %lld ms, %lld ms after the release", kInstanceNames[i], u1Calls[i]->status(),
                  u1Calls[i]->latency(), u1Calls[i]->ended() - releasedAt);
        }
        if (!rig.url.isEmpty())
            qInfo("  u1's calls seen waiting on the row lock (pg_stat_activity): %s", sawWaiting ? "yes" : "no");

        // 4. Assertions. Every probe answered 200 (ledger calls on SQLite included: they wait, they do not fail).
        QStringList failed;
        for (const auto &[key, bodies] : badStatus)
            failed << key + QStringLiteral(": ") + bodies.join(QStringLiteral("; "));
        QVERIFY2(failed.isEmpty(), qPrintable(failed.join(u'\n')));
        for (int i = 0; i < 2; ++i) {
            QVERIFY2(!during[QLatin1String(kInstanceNames[i]) + QStringLiteral(" realtime")].isEmpty(),
                     "no Realtime event arrived around the hold");
            QVERIFY(rig.realtime[i]->errors().isEmpty());
        }
        // The lock caught u1's calls: they ended only after it was released (so the test did hold something the
        // ledger needs) — and they then succeeded.
        if (!rig.url.isEmpty())
            QVERIFY2(sawWaiting, "u1's calls were never seen waiting on the locked row");
        for (int i = 0; i < 2; ++i) {
            QCOMPARE(u1Calls[i]->status(), 200);
            QVERIFY2(u1Calls[i]->ended() >= releasedAt,
                     qPrintable(QStringLiteral("u1's call on %1 ended %2 ms before the lock was released")
                                    .arg(QLatin1String(kInstanceNames[i])).arg(releasedAt - u1Calls[i]->ended())));
        }
        // u1 was charged exactly once per call: two consume rows, and they are what left u1's balance and key.
        Store::LogFilter u1Logs;
        u1Logs.type = Store::LogType::Consume;
        u1Logs.userId = rig.u1.userId;
        QCOMPARE(Store::LogRepository(*rig.db).count(u1Logs), qint64(2));
        const qint64 u1Charged = Store::LogRepository(*rig.db).sumQuota(u1Logs);
        QVERIFY(u1Charged > 0);
        QCOMPARE(kUserQuota - Store::UserRepository(*rig.db).byId(rig.u1.userId)->quota, u1Charged);
        QCOMPARE(kKeyQuota - Store::ApiKeyRepository(*rig.db).byId(rig.u1.keyId)->remainQuota, u1Charged);
        for (const Store::Reservation &r : Store::ReservationRepository(*rig.db).openReservations())
            QVERIFY2(r.userId != rig.u1.userId, "a reservation of u1 is still open");
        // Everything else kept its normal latency (on SQLite: everything but the ledger's calls).
        QVERIFY2(slow.isEmpty(), qPrintable(slow.join(u'\n')));
    }

    // A channel added by the CLI (its own process on the same database) for a model no channel served: A serves
    // it within kChannelBoundMs of the command's exit, through that channel.
    void channelFromCli()
    {
        Rig &rig = *m_rig;
        const auto call = [&](int instance) {
            TimedCall c(rig.port[instance], chatRequest(rig.u2.key, kExtraModel), rig.clock);
            return QTest::qWaitFor([&] { return c.done(); }, 30000) ? c.status() : 0;
        };
        QCOMPARE(call(0), 404);
        const RelayDeskTest::DaemonRun added = RelayDeskTest::runRelaydeskd(
            QStringList{QStringLiteral("admin"), QStringLiteral("channel"), QStringLiteral("add"), QStringLiteral("--name"),
                        QStringLiteral("lane-extra"), QStringLiteral("--base-url"),
                        QStringLiteral("http://127.0.0.1:%1").arg(rig.upstreamPort), QStringLiteral("--key"),
                        QStringLiteral("unused"), QStringLiteral("--models"), kExtraModel} +
            rig.where);
        QVERIFY2(added.exitCode == 0, added.err.constData());
        QElapsedTimer took;
        took.start();
        QVERIFY2(QTest::qWaitFor([&] { return call(0) == 200; }, kChannelBoundMs + 3000), "A never served the new model");
        const qint64 ms = took.elapsed();
        qInfo("[%s] a channel added by the CLI served on A after %lld ms", qPrintable(rig.backend), ms);
        QVERIFY2(ms <= kChannelBoundMs, qPrintable(QString::number(ms)));
        const auto channel = Store::ChannelRepository(*rig.db).byName(QStringLiteral("lane-extra"));
        QVERIFY(channel);
        Store::LogFilter byChannel;
        byChannel.type = Store::LogType::Consume;
        byChannel.userId = rig.u2.userId;
        byChannel.model = kExtraModel;
        const auto rows = Store::LogRepository(*rig.db).page(byChannel, 10).rows;
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows.first().channelId, channel->id);
    }

    // Stops the load and both relays; then, for every user and key, debits == used_quota == consume logs, and
    // no reservation is open.
    void booksBalance()
    {
        Rig &rig = *m_rig;
        for (int i = 0; i < 2; ++i) {
            rig.chat[i]->stop();
            if (rig.realtime[i])
                rig.realtime[i]->stop();
        }
        QVERIFY(QTest::qWaitFor([&] {
            for (int i = 0; i < 2; ++i) {
                if (rig.chat[i]->inFlight() > 0 || (rig.realtime[i] && !rig.realtime[i]->closed()))
                    return false;
            }
            return true;
        }, 60000));
        // A Realtime session is settled by the relay after its socket closed: wait for that, bounded.
        QVERIFY2(QTest::qWaitFor([&] { return Store::ReservationRepository(*rig.db).openReservations().isEmpty(); }, 30000),
                 "reservations still open after the load ended");
        for (int i = 0; i < 2; ++i) {
            rig.serve[i].terminate();
            QVERIFY(rig.serve[i].waitForFinished(30000));
        }
        QVERIFY(Store::ReservationRepository(*rig.db).openReservations().isEmpty());

        QStringList wrong;
        for (const Account *a : rig.accounts()) {
            Store::LogFilter f;
            f.type = Store::LogType::Consume;
            f.userId = a->userId;
            const qint64 userLogs = Store::LogRepository(*rig.db).sumQuota(f);
            const qint64 rows = Store::LogRepository(*rig.db).count(f);
            f.userId.reset();
            f.keyId = a->keyId;
            const qint64 keyLogs = Store::LogRepository(*rig.db).sumQuota(f);
            const auto user = Store::UserRepository(*rig.db).byId(a->userId);
            const auto key = Store::ApiKeyRepository(*rig.db).byId(a->keyId);
            QVERIFY(user && key);
            qInfo("[%s] %s: %lld consume rows, %lld quota; user debit %lld used %lld; key debit %lld used %lld",
                  qPrintable(rig.backend), qPrintable(a->name), rows, userLogs, kUserQuota - user->quota,
                  user->usedQuota, kKeyQuota - key->remainQuota, key->usedQuota);
            if (userLogs <= 0)
                wrong << a->name + QStringLiteral(": nothing was charged");
            if (kUserQuota - user->quota != userLogs || user->usedQuota != userLogs)
                wrong << a->name + QStringLiteral(": the user's debit or used_quota differs from its logs");
            if (kKeyQuota - key->remainQuota != keyLogs || key->usedQuota != keyLogs || keyLogs != userLogs)
                wrong << a->name + QStringLiteral(": the key's debit or used_quota differs from its logs");
        }
        QVERIFY2(wrong.isEmpty(), qPrintable(wrong.join(u'\n')));
        rig.upstream.terminate();
        QVERIFY(rig.upstream.waitForFinished(30000));
        m_rig.reset();
    }

    bool haveRig(const QString &backend)
    {
        return m_rig && m_rig->ready && m_rig->backend == backend;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(RelayDeskTest::useTemporarySecretKey(m_keyDir.path())); }

    // SQLite: another connection holds BEGIN IMMEDIATE (a console write) for kHoldMs.
    void sqliteWriteLock()
    {
        setUpRig(QStringLiteral("sqlite"));
        if (!m_rig->ready)
            return;
        SqlSession other(QStringLiteral("QSQLITE"), QStringLiteral("lane-sqlite-writer"));
        other.db().setDatabaseName(m_rig->data.filePath(QStringLiteral("relaydesk.sqlite")));
        // As the relay's own connections do, it waits for the relays' writes in flight rather than failing.
        other.db().setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=30000"));
        QVERIFY2(other.db().open(), qPrintable(other.db().lastError().text()));
        holdScenario([&] { return other.exec(QStringLiteral("BEGIN IMMEDIATE")); }, [] { return false; },
                     [&] { return other.exec(QStringLiteral("COMMIT")); }, false);
    }

    void sqliteChannelFromCli()
    {
        if (!haveRig(QStringLiteral("sqlite")))
            QSKIP("the SQLite rig did not start");
        channelFromCli();
    }

    void sqliteBooksBalance()
    {
        if (!haveRig(QStringLiteral("sqlite")))
            QSKIP("the SQLite rig did not start");
        booksBalance();
    }

    // PostgreSQL: another session locks u1's row (SELECT … FOR UPDATE) for kHoldMs.
    void postgresRowLock()
    {
        m_rig.reset();
        setUpRig(QStringLiteral("postgres"));
        if (!m_rig->ready) // failed, or skipped: PostgreSQL is not installed
            return;
        const QUrl url(m_rig->url);
        const auto openOn = [&](SqlSession &s) {
            s.db().setHostName(url.host());
            s.db().setPort(url.port());
            s.db().setUserName(url.userName());
            s.db().setDatabaseName(url.path().mid(1));
            return s.db().open();
        };
        SqlSession other(QStringLiteral("QPSQL"), QStringLiteral("lane-pg-locker"));
        QVERIFY2(openOn(other), qPrintable(other.db().lastError().text()));
        // Another connection watches for u1's calls waiting on a lock (pg_stat_activity is read as a snapshot
        // per transaction, so not from the locking one).
        SqlSession watcher(QStringLiteral("QPSQL"), QStringLiteral("lane-pg-watcher"));
        QVERIFY2(openOn(watcher), qPrintable(watcher.db().lastError().text()));
        const qint64 u1 = m_rig->u1.userId;
        holdScenario(
            [&] {
                QString error = other.exec(QStringLiteral("BEGIN"));
                QVariant id;
                if (error.isEmpty())
                    error = other.exec(QStringLiteral("SELECT id FROM users WHERE id = ? FOR UPDATE"), {u1}, &id);
                return error.isEmpty() && id.toLongLong() != u1 ? QStringLiteral("u1's row was not locked") : error;
            },
            [&] {
                // Both instances' u1 calls blocked on the row (no other lock is held by anyone here).
                QVariant waiting;
                watcher.exec(QStringLiteral("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                            "AND wait_event_type = 'Lock'"),
                             {}, &waiting);
                return waiting.toInt() >= 2;
            },
            [&] { return other.exec(QStringLiteral("COMMIT")); }, true);
    }

    void postgresChannelFromCli()
    {
        if (!haveRig(QStringLiteral("postgres")))
            QSKIP("the PostgreSQL rig did not start");
        channelFromCli();
    }

    void postgresBooksBalance()
    {
        if (!haveRig(QStringLiteral("postgres")))
            QSKIP("the PostgreSQL rig did not start");
        booksBalance();
    }

    void cleanupTestCase()
    {
        m_rig.reset();
        m_pg.reset();
    }
};

QTEST_GUILESS_MAIN(TestLedgerLane)
#include "tst_ledgerlane.moc"
