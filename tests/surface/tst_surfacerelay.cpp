// Embeddings, legacy completions and moderations through the relay end to end: a client on a real loopback
// socket → Runtime (relay thread) → the demo upstream (its own thread) → back. Every call is checked against the
// database: the hold is the price book applied to the request's own count, the log row's quota is the price book
// applied to the usage the upstream reported (or to the local count), the reservation settled once, and at the
// end the sum of consume logs equals what the balances lost.
#include "meteredrelay.h"

#include "billing/pricingservice.h"
#include "billing/quotamath.h"
#include "demo/demoembeddings.h"
#include "demo/demoscenario.h"
#include "relay/callcontext.h"
#include "relay/chat/chatrelaytokens.h"
#include "relay/usageparser.h"
#include "service/runtime.h"
#include "store/apikeyrepository.h"
#include "store/channelrepository.h"
#include "store/database.h"
#include "store/logrepository.h"
#include "store/reservationrepository.h"
#include "store/userrepository.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QTemporaryDir>
#include <QtCore/QtEndian>
#include <QtSql/QSqlQuery>
#include <QtTest/QtTest>

using namespace RelayDesk;
using Reply = RelayDeskTest::RelayReply;

namespace {

const QString kSmall = QStringLiteral("text-embedding-3-small");
const QString kLarge = QStringLiteral("text-embedding-3-large");
const QString kAda = QStringLiteral("text-embedding-ada-002");
const QString kInstruct = QStringLiteral("gpt-3.5-turbo-instruct");
const QString kModeration = QStringLiteral("omni-moderation-latest");
const QString kUnpricedModeration = QStringLiteral("text-moderation-stable");
const QString kMappedEmbed = QStringLiteral("house-embed"); // mapped to text-embedding-3-small by the channel

QByteArray json(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

qint64 tokens(const QString &text, const QString &model)
{
    return Relay::ChatRelayTokens::countText(text, model);
}

} // namespace

class TestSurfaceRelay : public QObject
{
    Q_OBJECT

private:
    RelayDeskTest::MeteredRelay m_relay;

    qint64 settleQuota(const QString &model, const QJsonObject &usage)
    {
        const auto parsed = Relay::UsageParser::parse(usage);
        [&] { QVERIFY(parsed); }();
        return parsed ? Billing::QuotaMath::settle(m_relay.pricing(model), parsed->usage).quota : -1;
    }

    qint64 holdQuota(const QString &model, qint64 prompt, qint64 maxTokens, qint64 choices)
    {
        return Billing::QuotaMath::reserve(m_relay.pricing(model), prompt, maxTokens, 4096,
                                           choices).quota;
    }

private slots:
    void initTestCase()
    {
        RelayDeskTest::MeteredRelay::Setup setup;
        setup.user = QStringLiteral("surface");
        setup.quota = 50'000'000;
        setup.models = {kSmall, kLarge, kAda, kInstruct, kModeration, kUnpricedModeration, kMappedEmbed};
        setup.modelMapping = QJsonObject{{kMappedEmbed, kSmall}};
        QVERIFY(m_relay.start(this, setup));
        // The mapped name has a price of its own (the request's model is what is priced): twice the small one's.
        QVERIFY(m_relay.addPrices(QStringLiteral("ModelRatio"), QJsonObject{{kMappedEmbed, 0.02}}));
    }

    void cleanupTestCase() { m_relay.stop(); }

    void defaultPricesAreListPrices_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<double>("inputPerMillion");  // USD
        QTest::addColumn<double>("outputPerMillion"); // USD (−1: no output)
        QTest::newRow("3-small") << kSmall << 0.02 << -1.0;
        QTest::newRow("3-large") << kLarge << 0.13 << -1.0;
        QTest::newRow("ada-002") << kAda << 0.10 << -1.0;
        QTest::newRow("instruct") << kInstruct << 1.50 << 2.00;
        QTest::newRow("moderation") << kModeration << 0.0 << -1.0;
    }
    void defaultPricesAreListPrices()
    {
        QFETCH(QString, model);
        QFETCH(double, inputPerMillion);
        QFETCH(double, outputPerMillion);
        const Billing::ModelPricing p = m_relay.pricing(model);
        Billing::Usage in;
        in.inputText = 1'000'000;
        QCOMPARE(Billing::QuotaMath::toUsd(Billing::QuotaMath::settle(p, in).quota), inputPerMillion);
        if (outputPerMillion >= 0) {
            Billing::Usage out;
            out.outputText = 1'000'000;
            // CompletionRatio 1.333333 (the book's six decimals): $1.9999995 per 1M.
            QVERIFY(qAbs(Billing::QuotaMath::toUsd(Billing::QuotaMath::settle(p, out).quota) - outputPerMillion) < 1e-5);
        }
    }

    void zeroPriceSettlesAtZero()
    {
        // The minimum-1 rule is for priced models only: a free model's usage costs nothing.
        Billing::Usage u;
        u.inputText = 12345;
        const Billing::Quote q = Billing::QuotaMath::settle(m_relay.pricing(kModeration), u);
        QCOMPARE(q.quota, 0);
        QVERIFY(!q.minimumApplied);
        QCOMPARE(Billing::QuotaMath::reserve(m_relay.pricing(kModeration), 12345, 0, 4096).quota, 0);
    }

    void embeddings_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QJsonValue>("input");
        QTest::addColumn<qint64>("inputs");
        QTest::addColumn<qint64>("promptTokens");
        QTest::addColumn<int>("dimensions");  // 0: not given
        QTest::addColumn<QString>("encoding");
        const QString a = QStringLiteral("The quick brown fox jumps over the lazy dog.");
        const QString b = QStringLiteral("Exact token accounting, 每一个 token.");
        QTest::newRow("string") << kSmall << QJsonValue(a) << qint64(1) << tokens(a, kSmall) << 0 << QString();
        QTest::newRow("strings") << kLarge << QJsonValue(QJsonArray{a, b, a}) << qint64(3)
                                 << tokens(a, kLarge) * 2 + tokens(b, kLarge) << 0 << QString();
        QTest::newRow("token ids") << kAda << QJsonValue(QJsonArray{1, 2, 3, 4, 5, 100000}) << qint64(1) << qint64(6)
                                   << 0 << QString();
        QTest::newRow("token arrays") << kSmall << QJsonValue(QJsonArray{QJsonArray{1, 2}, QJsonArray{3, 4, 5}})
                                      << qint64(2) << qint64(5) << 0 << QString();
        QTest::newRow("dimensions float") << kLarge << QJsonValue(a) << qint64(1) << tokens(a, kLarge) << 256
                                          << QStringLiteral("float");
        QTest::newRow("dimensions base64") << kSmall << QJsonValue(QJsonArray{a, b}) << qint64(2)
                                           << tokens(a, kSmall) + tokens(b, kSmall) << 64 << QStringLiteral("base64");
    }
    void embeddings()
    {
        QFETCH(QString, model);
        QFETCH(QJsonValue, input);
        QFETCH(qint64, inputs);
        QFETCH(qint64, promptTokens);
        QFETCH(int, dimensions);
        QFETCH(QString, encoding);
        QJsonObject body{{QStringLiteral("model"), model}, {QStringLiteral("input"), input},
                         {QStringLiteral("user"), QStringLiteral("user-42")}};
        if (dimensions)
            body.insert(QStringLiteral("dimensions"), dimensions);
        if (!encoding.isEmpty())
            body.insert(QStringLiteral("encoding_format"), encoding);
        const qint64 before = m_relay.balance();
        const Reply reply = m_relay.send("/v1/embeddings", json(body));
        QCOMPARE(reply.http.status, 200);
        const QJsonObject o = reply.json();
        QCOMPARE(o.value(QStringLiteral("model")).toString(), model);
        const QJsonArray data = o.value(QStringLiteral("data")).toArray();
        QCOMPARE(data.size(), inputs);
        const int expectedDims = dimensions ? dimensions : model == kLarge ? 3072 : 1536;
        for (qsizetype i = 0; i < data.size(); ++i) {
            const QJsonObject e = data.at(i).toObject();
            QCOMPARE(e.value(QStringLiteral("index")).toInteger(), i);
            if (encoding == u"base64") { // passed through: the upstream answered base64 float32
                const QByteArray bytes = QByteArray::fromBase64(e.value(QStringLiteral("embedding")).toString().toLatin1());
                QCOMPARE(bytes.size(), expectedDims * 4);
            } else {
                QCOMPARE(e.value(QStringLiteral("embedding")).toArray().size(), expectedDims);
            }
        }
        const QJsonObject usage = o.value(QStringLiteral("usage")).toObject();
        QCOMPARE(usage.value(QStringLiteral("prompt_tokens")).toInteger(), promptTokens);

        const Store::LogRecord log = m_relay.settledLog(QStringLiteral("/v1/embeddings"));
        QCOMPARE(log.promptTokens, promptTokens);
        QCOMPARE(log.completionTokens, 0);
        QCOMPARE(log.quota, settleQuota(model, usage));
        QCOMPARE(log.other.value(QStringLiteral("usage_source")).toString(), QStringLiteral("upstream"));
        QCOMPARE(log.other.value(QStringLiteral("embedding_inputs")).toInteger(), inputs);
        // The hold is the input alone (no output tokens), from the relay's own count.
        QCOMPARE(m_relay.results().last().reserved, holdQuota(model, promptTokens, 0, 1));
        QCOMPARE(before - m_relay.balance(), log.quota);
    }

    void embeddingsAreDeterministic()
    {
        const QByteArray body = json({{QStringLiteral("model"), kSmall}, {QStringLiteral("input"), QStringLiteral("same")}});
        const Reply a = m_relay.send("/v1/embeddings", body);
        const Reply b = m_relay.send("/v1/embeddings", body);
        QCOMPARE(a.http.status, 200);
        const QJsonArray va = a.json().value(QStringLiteral("data")).toArray().first().toObject().value(QStringLiteral("embedding")).toArray();
        QCOMPARE(va, b.json().value(QStringLiteral("data")).toArray().first().toObject().value(QStringLiteral("embedding")).toArray());
        QCOMPARE(float(va.first().toDouble()), Relay::DemoEmbeddings::vector("same", 1536).first());
    }

    void embeddingsWithoutUsageSettleOnTheLocalCount()
    {
        const QString text = QStringLiteral("Count me here. [[scenario:no_usage]]");
        const qint64 before = m_relay.balance();
        const Reply reply = m_relay.send("/v1/embeddings", json({{QStringLiteral("model"), kSmall}, {QStringLiteral("input"), text}}));
        QCOMPARE(reply.http.status, 200);
        const Store::LogRecord log = m_relay.settledLog(QStringLiteral("/v1/embeddings"));
        QCOMPARE(log.other.value(QStringLiteral("usage_source")).toString(), QStringLiteral("local"));
        QCOMPARE(log.promptTokens, tokens(text, kSmall));
        QCOMPARE(log.completionTokens, 0);
        Billing::Usage local;
        local.inputText = tokens(text, kSmall);
        QCOMPARE(log.quota, Billing::QuotaMath::settle(m_relay.pricing(kSmall), local).quota);
        // The client is told what it is billed for, in the embeddings shape.
        const QJsonObject usage = reply.json().value(QStringLiteral("usage")).toObject();
        QCOMPARE(usage.value(QStringLiteral("prompt_tokens")).toInteger(), log.promptTokens);
        QCOMPARE(usage.value(QStringLiteral("total_tokens")).toInteger(), log.promptTokens);
        QCOMPARE(before - m_relay.balance(), log.quota);
    }

    void embeddingsModelMapping()
    {
        const QString text = QStringLiteral("mapped through the channel");
        const Reply reply = m_relay.send("/v1/embeddings", json({{QStringLiteral("model"), kMappedEmbed}, {QStringLiteral("input"), text}}));
        QCOMPARE(reply.http.status, 200);
        QCOMPARE(reply.json().value(QStringLiteral("model")).toString(), kSmall); // what the upstream was asked for
        const Store::LogRecord log = m_relay.settledLog(QStringLiteral("/v1/embeddings"));
        QCOMPARE(log.model, kMappedEmbed);
        QCOMPARE(log.upstreamModel, kSmall);
        QVERIFY(log.other.value(QStringLiteral("is_model_mapped")).toBool());
        // Priced as the requested name (0.02), not the upstream's (0.01).
        QCOMPARE(log.quota, settleQuota(kMappedEmbed, reply.json().value(QStringLiteral("usage")).toObject()));
        QVERIFY(log.quota != settleQuota(kSmall, reply.json().value(QStringLiteral("usage")).toObject()) || log.quota <= 1);
    }

    void completions_data()
    {
        QTest::addColumn<QJsonObject>("extra");
        QTest::addColumn<QJsonValue>("prompt");
        QTest::addColumn<bool>("stream");
        QTest::addColumn<bool>("clientUsage");  // stream_options.include_usage
        QTest::addColumn<bool>("upstreamUsage"); // false: the demo sends none (local count)
        const QString p = QStringLiteral("Say this is a test.");
        const QString q = QStringLiteral("Once upon a time");
        const QString noUsage = QStringLiteral("Say nothing of usage. [[scenario:no_usage]]");
        QTest::newRow("json") << QJsonObject{} << QJsonValue(p) << false << false << true;
        QTest::newRow("json max_tokens") << QJsonObject{{QStringLiteral("max_tokens"), 40}} << QJsonValue(p) << false << false << true;
        QTest::newRow("json echo logprobs suffix")
            << QJsonObject{{QStringLiteral("echo"), true}, {QStringLiteral("logprobs"), 2}, {QStringLiteral("suffix"), QStringLiteral(" The end.")}}
            << QJsonValue(p) << false << false << true;
        QTest::newRow("json batch n=2") << QJsonObject{{QStringLiteral("n"), 2}} << QJsonValue(QJsonArray{p, q}) << false << false << true;
        QTest::newRow("json token ids") << QJsonObject{} << QJsonValue(QJsonArray{1, 2, 3, 4}) << false << false << true;
        QTest::newRow("json no_usage") << QJsonObject{} << QJsonValue(noUsage) << false << false << false;
        QTest::newRow("json no_usage echo") << QJsonObject{{QStringLiteral("echo"), true}} << QJsonValue(noUsage) << false << false << false;
        QTest::newRow("sse") << QJsonObject{} << QJsonValue(p) << true << false << true;
        QTest::newRow("sse include_usage") << QJsonObject{} << QJsonValue(p) << true << true << true;
        QTest::newRow("sse batch n=2") << QJsonObject{{QStringLiteral("n"), 2}, {QStringLiteral("max_tokens"), 30}}
                                       << QJsonValue(QJsonArray{p, q}) << true << false << true;
        QTest::newRow("sse no_usage") << QJsonObject{} << QJsonValue(noUsage) << true << false << false;
        QTest::newRow("sse no_usage echo") << QJsonObject{{QStringLiteral("echo"), true}} << QJsonValue(noUsage) << true << true << false;
    }
    void completions()
    {
        QFETCH(QJsonObject, extra);
        QFETCH(QJsonValue, prompt);
        QFETCH(bool, stream);
        QFETCH(bool, clientUsage);
        QFETCH(bool, upstreamUsage);
        QJsonObject body = extra;
        body.insert(QStringLiteral("model"), kInstruct);
        body.insert(QStringLiteral("prompt"), prompt);
        if (stream)
            body.insert(QStringLiteral("stream"), true);
        if (clientUsage)
            body.insert(QStringLiteral("stream_options"), QJsonObject{{QStringLiteral("include_usage"), true}});
        const qint64 before = m_relay.balance();
        const Reply reply = m_relay.send("/v1/completions", json(body));
        QCOMPARE(reply.http.status, 200);

        // What the client got: the text of every choice, and the usage if it was shown one.
        QMap<qint64, QString> texts;
        QJsonObject shownUsage;
        if (stream) {
            QVERIFY(reply.data.size() > 2);
            QCOMPARE(reply.data.last(), QByteArray("[DONE]"));
            for (qsizetype i = 0; i + 1 < reply.data.size(); ++i) {
                const QJsonObject chunk = reply.events.at(i).second;
                QCOMPARE(chunk.value(QStringLiteral("object")).toString(), QStringLiteral("text_completion"));
                // A client that did not ask for usage sees chunks exactly as without it.
                QCOMPARE(chunk.contains(QStringLiteral("usage")), clientUsage && upstreamUsage);
                if (chunk.value(QStringLiteral("usage")).isObject())
                    shownUsage = chunk.value(QStringLiteral("usage")).toObject();
                for (const QJsonValue &c : chunk.value(QStringLiteral("choices")).toArray())
                    texts[c.toObject().value(QStringLiteral("index")).toInteger()] += c.toObject().value(QStringLiteral("text")).toString();
            }
            QCOMPARE(!shownUsage.isEmpty(), clientUsage && upstreamUsage);
        } else {
            const QJsonObject o = reply.json();
            QCOMPARE(o.value(QStringLiteral("object")).toString(), QStringLiteral("text_completion"));
            for (const QJsonValue &c : o.value(QStringLiteral("choices")).toArray())
                texts[c.toObject().value(QStringLiteral("index")).toInteger()] = c.toObject().value(QStringLiteral("text")).toString();
            shownUsage = o.value(QStringLiteral("usage")).toObject(); // inserted by the relay when counted locally
            QVERIFY(!shownUsage.isEmpty());
        }
        const qint64 n = extra.value(QStringLiteral("n")).toInteger(1);
        const QJsonArray prompts = prompt.isArray() && !prompt.toArray().first().isDouble() ? prompt.toArray() : QJsonArray{prompt};
        QCOMPARE(texts.size(), prompts.size() * n);

        // The expected count, independently: prompts (+ suffix) and the delivered text, minus an echoed prompt.
        qint64 promptTokens = tokens(extra.value(QStringLiteral("suffix")).toString(), kInstruct);
        for (const QJsonValue &p : prompts)
            promptTokens += p.isString() ? tokens(p.toString(), kInstruct) : p.toArray().size();
        qint64 completionTokens = 0;
        for (auto it = texts.cbegin(); it != texts.cend(); ++it) {
            QString text = it.value();
            const QJsonValue p = prompts.at(it.key() / n);
            if (extra.value(QStringLiteral("echo")).toBool()) {
                QVERIFY(text.startsWith(p.toString()));
                text = text.mid(p.toString().size());
            }
            completionTokens += tokens(text, kInstruct);
        }
        QVERIFY(completionTokens > 0);

        const Store::LogRecord log = m_relay.settledLog(QStringLiteral("/v1/completions"));
        QCOMPARE(log.other.value(QStringLiteral("usage_source")).toString(),
                 upstreamUsage ? QStringLiteral("upstream") : QStringLiteral("local"));
        QCOMPARE(log.promptTokens, promptTokens);
        QCOMPARE(log.completionTokens, completionTokens);
        QCOMPARE(log.quota, settleQuota(kInstruct, QJsonObject{{QStringLiteral("prompt_tokens"), promptTokens},
                                                               {QStringLiteral("completion_tokens"), completionTokens}}));
        if (!shownUsage.isEmpty()) {
            QCOMPARE(shownUsage.value(QStringLiteral("prompt_tokens")).toInteger(), promptTokens);
            QCOMPARE(shownUsage.value(QStringLiteral("completion_tokens")).toInteger(), completionTokens);
        }
        // Held: the prompt plus max_tokens (16 by default) for each of n choices of each prompt.
        QCOMPARE(m_relay.results().last().reserved,
                 holdQuota(kInstruct, promptTokens, extra.value(QStringLiteral("max_tokens")).toInteger(16),
                           n * prompts.size()));
        QCOMPARE(before - m_relay.balance(), log.quota);
    }

    void moderations_data()
    {
        QTest::addColumn<QJsonObject>("body");
        QTest::addColumn<QString>("model");   // the model logged and answered
        QTest::addColumn<int>("results");
        QTest::addColumn<bool>("flagged");
        QTest::newRow("default model") << QJsonObject{{QStringLiteral("input"), QStringLiteral("I love kittens.")}}
                                       << kModeration << 1 << false;
        QTest::newRow("strings") << QJsonObject{{QStringLiteral("model"), kModeration},
                                                {QStringLiteral("input"), QJsonArray{QStringLiteral("a"), QStringLiteral("b")}}}
                                 << kModeration << 2 << false;
        QTest::newRow("multi-modal flagged")
            << QJsonObject{{QStringLiteral("model"), kModeration},
                           {QStringLiteral("input"),
                            QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("text")},
                                                   {QStringLiteral("text"), QStringLiteral("[[scenario:flagged]]")}},
                                       QJsonObject{{QStringLiteral("type"), QStringLiteral("image_url")},
                                                   {QStringLiteral("image_url"),
                                                    QJsonObject{{QStringLiteral("url"), QStringLiteral("https://example.com/a.png")}}}}}}}
            << kModeration << 1 << true;
        QTest::newRow("unpriced model is free") << QJsonObject{{QStringLiteral("model"), kUnpricedModeration},
                                                               {QStringLiteral("input"), QStringLiteral("hello")}}
                                                << kUnpricedModeration << 1 << false;
    }
    void moderations()
    {
        QFETCH(QJsonObject, body);
        QFETCH(QString, model);
        QFETCH(int, results);
        QFETCH(bool, flagged);
        const qint64 before = m_relay.balance();
        const Reply reply = m_relay.send("/v1/moderations", json(body));
        QCOMPARE(reply.http.status, 200);
        const QJsonObject o = reply.json();
        QVERIFY(o.value(QStringLiteral("id")).toString().startsWith(QStringLiteral("modr-")));
        QCOMPARE(o.value(QStringLiteral("model")).toString(), model);
        const QJsonArray rs = o.value(QStringLiteral("results")).toArray();
        QCOMPARE(rs.size(), results);
        QCOMPARE(rs.first().toObject().value(QStringLiteral("flagged")).toBool(), flagged);
        QCOMPARE(rs.first().toObject().value(QStringLiteral("categories")).toObject().size(), 13);
        QVERIFY(!o.contains(QStringLiteral("usage"))); // the reply as the upstream sent it
        const Store::LogRecord log = m_relay.settledLog(QStringLiteral("/v1/moderations"));
        QCOMPARE(log.model, model);
        QCOMPARE(log.quota, 0);
        QCOMPARE(m_relay.results().last().reserved, 0);
        QCOMPARE(log.other.value(QStringLiteral("moderation_results")).toInteger(), results);
        QCOMPARE(log.other.value(QStringLiteral("moderation_flagged")).toInteger(), flagged ? results : 0);
        QCOMPARE(m_relay.balance(), before);
    }

    void badRequestsAreRefusedBeforeAnyHold_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("param");
        const auto embed = [](const QJsonValue &input) {
            return json({{QStringLiteral("model"), kSmall}, {QStringLiteral("input"), input}});
        };
        const auto complete = [](const QJsonObject &extra) {
            QJsonObject o{{QStringLiteral("model"), kInstruct}, {QStringLiteral("prompt"), QStringLiteral("Hi")}};
            for (auto it = extra.begin(); it != extra.end(); ++it)
                o.insert(it.key(), it.value());
            return json(o);
        };
        QJsonArray tooMany;
        for (int i = 0; i < 2049; ++i)
            tooMany.append(QStringLiteral("x"));
        QStringList huge;
        for (int i = 0; i < 9000; ++i)
            huge.append(QStringLiteral("word"));
        QTest::newRow("embeddings not JSON") << QByteArray("/v1/embeddings") << QByteArray("{input: nope") << 400 << QString() << QString();
        QTest::newRow("embeddings no input") << QByteArray("/v1/embeddings") << json({{QStringLiteral("model"), kSmall}})
                                             << 400 << QStringLiteral("missing_required_parameter") << QStringLiteral("input");
        QTest::newRow("embeddings empty string") << QByteArray("/v1/embeddings") << embed(QString()) << 400
                                                 << QStringLiteral("invalid_value") << QStringLiteral("input");
        QTest::newRow("embeddings empty array") << QByteArray("/v1/embeddings") << embed(QJsonArray{}) << 400
                                                << QStringLiteral("invalid_value") << QStringLiteral("input");
        QTest::newRow("embeddings empty string in array") << QByteArray("/v1/embeddings") << embed(QJsonArray{QStringLiteral("a"), QString()})
                                                          << 400 << QStringLiteral("invalid_value") << QStringLiteral("input");
        QTest::newRow("embeddings 2049 inputs") << QByteArray("/v1/embeddings") << embed(tooMany) << 400
                                                << QStringLiteral("invalid_value") << QStringLiteral("input");
        QTest::newRow("embeddings input over 8192 tokens") << QByteArray("/v1/embeddings") << embed(huge.join(u' '))
                                                           << 400 << QStringLiteral("invalid_value") << QStringLiteral("input");
        QTest::newRow("embeddings mixed array") << QByteArray("/v1/embeddings") << embed(QJsonArray{QStringLiteral("a"), 1})
                                                << 400 << QStringLiteral("invalid_value") << QStringLiteral("input");
        QTest::newRow("embeddings negative token id") << QByteArray("/v1/embeddings") << embed(QJsonArray{1, -2})
                                                      << 400 << QStringLiteral("invalid_value") << QStringLiteral("input");
        QTest::newRow("embeddings object input") << QByteArray("/v1/embeddings") << embed(QJsonObject{})
                                                 << 400 << QStringLiteral("invalid_value") << QStringLiteral("input");
        QTest::newRow("embeddings unknown model") << QByteArray("/v1/embeddings")
                                                  << json({{QStringLiteral("model"), QStringLiteral("no-such-embed")}, {QStringLiteral("input"), QStringLiteral("x")}})
                                                  << 404 << QStringLiteral("model_not_found") << QString();
        QTest::newRow("completions not JSON") << QByteArray("/v1/completions") << QByteArray("[1,2") << 400 << QString() << QString();
        QTest::newRow("completions no prompt") << QByteArray("/v1/completions") << json({{QStringLiteral("model"), kInstruct}})
                                               << 400 << QStringLiteral("missing_required_parameter") << QStringLiteral("prompt");
        QTest::newRow("completions empty prompt array") << QByteArray("/v1/completions") << complete({{QStringLiteral("prompt"), QJsonArray{}}})
                                                        << 400 << QStringLiteral("invalid_value") << QStringLiteral("prompt");
        QTest::newRow("completions suffix not a string") << QByteArray("/v1/completions") << complete({{QStringLiteral("suffix"), 3}})
                                                         << 400 << QStringLiteral("invalid_value") << QStringLiteral("suffix");
        QTest::newRow("completions max_tokens 1e300") << QByteArray("/v1/completions") << complete({{QStringLiteral("max_tokens"), 1e300}})
                                                      << 400 << QStringLiteral("invalid_value") << QStringLiteral("max_tokens");
        QTest::newRow("completions n 0") << QByteArray("/v1/completions") << complete({{QStringLiteral("n"), 0}})
                                         << 400 << QStringLiteral("invalid_value") << QStringLiteral("n");
        QTest::newRow("completions huge max_tokens") << QByteArray("/v1/completions")
                                                     << complete({{QStringLiteral("max_tokens"), 2147483647}})
                                                     << 403 << QStringLiteral("insufficient_quota") << QString();
        QTest::newRow("completions unknown model") << QByteArray("/v1/completions")
                                                   << json({{QStringLiteral("model"), QStringLiteral("davinci-003")}, {QStringLiteral("prompt"), QStringLiteral("x")}})
                                                   << 404 << QStringLiteral("model_not_found") << QString();
        QTest::newRow("moderations not JSON") << QByteArray("/v1/moderations") << QByteArray("input=x") << 400 << QString() << QString();
        QTest::newRow("moderations no input") << QByteArray("/v1/moderations") << json({{QStringLiteral("model"), kModeration}})
                                              << 400 << QStringLiteral("missing_required_parameter") << QStringLiteral("input");
        QTest::newRow("moderations bad part") << QByteArray("/v1/moderations")
                                              << json({{QStringLiteral("input"), QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("audio")}}}}})
                                              << 400 << QStringLiteral("invalid_value") << QStringLiteral("input");
        QTest::newRow("moderations unknown model") << QByteArray("/v1/moderations")
                                                   << json({{QStringLiteral("model"), QStringLiteral("no-such-moderation")}, {QStringLiteral("input"), QStringLiteral("x")}})
                                                   << 404 << QStringLiteral("model_not_found") << QString();
    }
    void badRequestsAreRefusedBeforeAnyHold()
    {
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(QString, code);
        QFETCH(QString, param);
        const qint64 before = m_relay.balance();
        const qint64 holds = m_relay.reservations();
        const int results = m_relay.results().size();
        const Reply reply = m_relay.send(path, body, "application/json", status == 403); // a refused hold is a call the engine ends
        QCOMPARE(reply.http.status, status);
        const QJsonObject error = reply.http.error();
        QVERIFY(!error.value(QStringLiteral("message")).toString().isEmpty());
        QCOMPARE(error.value(QStringLiteral("type")).toString(),
                 status == 400 ? QStringLiteral("invalid_request_error") : error.value(QStringLiteral("type")).toString());
        if (!code.isEmpty())
            QCOMPARE(error.value(QStringLiteral("code")).toString(), code);
        if (!param.isEmpty())
            QCOMPARE(error.value(QStringLiteral("param")).toString(), param);
        QCOMPARE(m_relay.reservations(), holds);
        QCOMPARE(m_relay.balance(), before);
        if (status == 403)
            QVERIFY(!m_relay.results().last().settled);
        else
            QCOMPARE(m_relay.results().size(), results);
    }

    void upstreamErrorsAreRefunded_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("embeddings") << QByteArray("/v1/embeddings")
                                    << json({{QStringLiteral("model"), kSmall}, {QStringLiteral("input"), QStringLiteral("x [[scenario:error_500]]")}});
        QTest::newRow("completions") << QByteArray("/v1/completions")
                                     << json({{QStringLiteral("model"), kInstruct}, {QStringLiteral("prompt"), QStringLiteral("x [[scenario:error_500]]")},
                                              {QStringLiteral("stream"), true}});
        QTest::newRow("moderations") << QByteArray("/v1/moderations")
                                     << json({{QStringLiteral("input"), QStringLiteral("x [[scenario:error_500]]")}});
    }
    void upstreamErrorsAreRefunded()
    {
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, body);
        const qint64 before = m_relay.balance();
        const Reply reply = m_relay.send(path, body);
        QCOMPARE(reply.http.status, 500);
        QCOMPARE(reply.http.error().value(QStringLiteral("type")).toString(), QStringLiteral("server_error"));
        const Relay::CallResult result = m_relay.results().last();
        QVERIFY(!result.settled);
        QCOMPARE(result.requestPath, QString::fromLatin1(path));
        const auto reservation = Store::ReservationRepository(m_relay.db()).byRequestId(result.requestId);
        QVERIFY(reservation);
        QCOMPARE(reservation->state, Store::Reservation::State::Refunded);
        const auto log = RelayDeskTest::logFor(m_relay.db(), result.requestId);
        QVERIFY(log);
        QCOMPARE(log->type, Store::LogType::Error);
        QCOMPARE(log->quota, 0);
        QCOMPARE(m_relay.balance(), before);
    }

    void logsEqualDebits() { m_relay.checkLogsEqualDebits(); }
};

QTEST_MAIN(TestSurfaceRelay)
#include "tst_surfacerelay.moc"
