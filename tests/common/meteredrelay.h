#pragma once
// A relay for tests that drive metered endpoints end to end: Runtime (relay thread) with the demo upstream (its own
// thread) on a temporary SQLite database, one user with an unlimited key, one channel at the demo upstream; and the
// checks every such test makes against the ledger — the last call settled once with the hold expected, a refused
// request reserved nothing, the consume logs add up to what the balances lost.
#include "demoruntime.h"
#include "formbody.h"
#include "logfor.h"
#include "relayexchange.h"

#include "billing/pricingservice.h"
#include "relay/callcontext.h"
#include "service/runtime.h"
#include "store/apikeyrepository.h"
#include "store/channelrepository.h"
#include "store/database.h"
#include "store/logrepository.h"
#include "store/reservationrepository.h"
#include "store/userrepository.h"

#include <QtCore/QJsonDocument>
#include <QtCore/QTemporaryDir>
#include <QtSql/QSqlQuery>
#include <QtTest/QtTest>

#include <functional>
#include <memory>

namespace RelayDeskTest {

class MeteredRelay final
{
public:
    struct Setup
    {
        QString user;
        qint64 quota = 500'000'000;
        QStringList models;       // the channel's
        QJsonObject modelMapping; // the channel's
        QString channelType = QStringLiteral("openai"); // the channel's (anthropic: it speaks the Messages API)
        std::function<void(RelayDesk::Service::RuntimeConfig &)> configure;
    };

    // Starts everything; false (with the reason logged by QVERIFY) when anything fails.
    bool start(QObject *context, const Setup &setup)
    {
        if (!m_dir.isValid())
            return false;
        m_runtime = recordingRuntime(context, &m_results);
        auto config = fastDemoConfig(m_dir.path());
        if (setup.configure)
            setup.configure(config);
        if (!m_runtime->start(config)) {
            qWarning("relay did not start: %s", qPrintable(m_runtime->errorString()));
            return false;
        }
        auto user = RelayDesk::Store::UserRepository(db()).create(setup.user, QStringLiteral("default"), setup.quota);
        if (!user)
            return false;
        m_userId = user->id;
        RelayDesk::Store::NewApiKey spec;
        spec.userId = user->id;
        spec.name = setup.user + QStringLiteral("-key");
        spec.unlimited = true;
        m_key = RelayDesk::Store::ApiKeyRepository(db()).create(spec)->plainKey.toUtf8();
        RelayDesk::Store::Channel c;
        c.name = setup.user;
        c.baseUrl = m_runtime->demoUpstream()->baseUrl();
        c.secret = QStringLiteral("demo");
        c.models = setup.models;
        c.groups = {QStringLiteral("default")};
        c.modelMapping = setup.modelMapping;
        c.type = setup.channelType;
        if (!RelayDesk::Store::ChannelRepository(db()).create(c))
            return false;
        m_runtime->invalidateChannels();
        for (const auto &u : RelayDesk::Store::UserRepository(db()).list())
            m_initialBalances += u.quota;
        return true;
    }
    void stop()
    {
        if (m_runtime)
            m_runtime->stop();
    }

    RelayDesk::Service::Runtime &runtime() { return *m_runtime; }
    RelayDesk::Store::Database &db() { return *m_runtime->database(); }
    const QList<RelayDesk::Relay::CallResult> &results() const { return m_results; }
    const QByteArray &key() const { return m_key; }
    qint64 balance() { return RelayDesk::Store::UserRepository(db()).byId(m_userId)->quota; }
    qint64 reservations()
    {
        QSqlQuery q = db().query();
        return q.exec(QStringLiteral("SELECT COUNT(*) FROM reservations")) && q.next() ? q.value(0).toLongLong() : -1;
    }

    // One request with the test user's key; a metered one waits for its call to finish.
    RelayReply send(const QByteArray &path, const QByteArray &body, const QByteArray &contentType = "application/json",
                    bool metered = true)
    {
        const qsizetype before = m_results.size();
        RelayReply out = exchangeWith(m_runtime->port(), "POST", path, body, m_key, contentType);
        if (metered)
            spinUntil([&] { return m_results.size() > before; }, 30000);
        return out;
    }
    RelayReply postJson(const QByteArray &path, const QJsonObject &body, bool metered = true)
    {
        return send(path, QJsonDocument(body).toJson(QJsonDocument::Compact), "application/json", metered);
    }
    RelayReply postForm(const QByteArray &path, const QList<FormField> &fields, bool metered = true)
    {
        const FormBody form = formBody(fields);
        return send(path, form.body, form.contentType, metered);
    }

    RelayDesk::Billing::ModelPricing pricing(const QString &model)
    {
        return m_runtime->pricing()->current()->pricing(model, QStringLiteral("default"), QStringLiteral("default")).value();
    }
    // Adds `entries` to one map of the live price book (e.g. "MinutePrice", {"house-whisper": 0.012}).
    bool addPrices(const QString &map, const QJsonObject &entries)
    {
        QJsonObject merged = m_runtime->pricing()->current()->toJson().value(map).toObject();
        for (auto it = entries.begin(); it != entries.end(); ++it)
            merged.insert(it.key(), it.value());
        return bool(m_runtime->pricing()->apply(QJsonObject{{map, merged}}));
    }

    // The last call's log row, checked against its result and reservation: settled once, for `requestPath`, with
    // the hold expected (expectedHold < 0: not checked).
    RelayDesk::Store::LogRecord settledLog(const QString &requestPath, qint64 expectedHold = -1)
    {
        const RelayDesk::Relay::CallResult result = m_results.last();
        [&] { QVERIFY(result.settled); }();
        const auto log = logFor(db(), result.requestId);
        [&] { QVERIFY(log); }();
        if (!log)
            return {};
        const auto reservation = RelayDesk::Store::ReservationRepository(db()).byRequestId(result.requestId);
        [&] {
            QVERIFY(reservation);
            QCOMPARE(reservation->state, RelayDesk::Store::Reservation::State::Settled);
            QCOMPARE(reservation->finalQuota, log->quota);
            QCOMPARE(log->other.value(QStringLiteral("request_path")).toString(), requestPath);
            QCOMPARE(result.requestPath, requestPath);
            if (expectedHold >= 0)
                QCOMPARE(result.reserved, expectedHold);
        }();
        return *log;
    }

    // The consume logs add up to what the balances lost, and no hold is left open.
    void checkLogsEqualDebits()
    {
        qint64 balances = 0;
        for (const auto &u : RelayDesk::Store::UserRepository(db()).list())
            balances += u.quota;
        RelayDesk::Store::LogFilter consume;
        consume.type = RelayDesk::Store::LogType::Consume;
        const qint64 logged = RelayDesk::Store::LogRepository(db()).sumQuota(consume);
        QVERIFY(logged > 0);
        QCOMPARE(m_initialBalances - balances, logged);
        QCOMPARE(RelayDesk::Store::ReservationRepository(db()).openReservations().size(), 0);
    }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<RelayDesk::Service::Runtime> m_runtime;
    QByteArray m_key;
    qint64 m_userId = 0;
    QList<RelayDesk::Relay::CallResult> m_results;
    qint64 m_initialBalances = 0;
};

} // namespace RelayDeskTest
