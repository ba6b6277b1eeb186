// Image generations, edits and variations through the relay end to end (loopback client → Runtime → demo
// upstream). GPT image models are billed from the usage the upstream reports (summed over a stream's images) or
// from ImageOutputTokens when it reports none; DALL·E models by the image delivered at the book's ImagePrice for
// the size and quality. Every call is checked against the ledger: the hold as computed from the request, one
// settlement, a refused request reserves nothing, and the consume logs add up to what the balances lost.
#include "meteredrelay.h"

#include "billing/quotamath.h"
#include "demo/demoimages.h"
#include "relay/chat/chatrelaytokens.h"
#include "relay/images/imageoutputtokens.h"
#include "relay/usageparser.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtGui/QImage>
#include <QtTest/QtTest>

using namespace RelayDesk;
using Reply = RelayDeskTest::RelayReply;
using RelayDeskTest::FormField;

namespace {

const QString kGptImage = QStringLiteral("gpt-image-1");
const QString kDalle2 = QStringLiteral("dall-e-2");
const QString kDalle3 = QStringLiteral("dall-e-3");
const QString kSquareOnly = QStringLiteral("house-dalle"); // mapped to dall-e-3, priced for 1024x1024 standard only

QByteArray png(int w, int h)
{
    QImage image(w, h, QImage::Format_RGB32);
    image.fill(Qt::darkCyan);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

} // namespace

class TestImagesRelay : public QObject
{
    Q_OBJECT

private:
    RelayDeskTest::MeteredRelay m_relay;

    static Billing::Units imageUnits(qint64 n, const QString &size, const QString &quality)
    {
        Billing::Units u;
        u.images = n;
        u.imageSize = size;
        u.imageQuality = quality;
        return u;
    }
    qint64 hold(const QString &model, const QString &prompt, qint64 n, const QString &size, const QString &quality,
                qint64 partials, const Billing::Units &units)
    {
        const qint64 perImage = Relay::ImageOutputTokens::perImage(size, quality) +
                                partials * Relay::ImageOutputTokens::kPartialImageTokens;
        return Billing::QuotaMath::reserve(m_relay.pricing(model), Relay::ChatRelayTokens::countText(prompt, model),
                                           perImage * n, 4096, 1, units).quota;
    }
    // A GPT image usage object as the quota it settles to.
    qint64 settleUsage(const QString &model, const QJsonObject &usage)
    {
        const auto parsed = Relay::UsageParser::parse(usage);
        [&] { QVERIFY(parsed); }();
        return parsed ? Billing::QuotaMath::settle(m_relay.pricing(model), parsed->usage).quota : -1;
    }

private slots:
    void initTestCase()
    {
        RelayDeskTest::MeteredRelay::Setup setup;
        setup.user = QStringLiteral("images");
        setup.models = {kGptImage, kDalle2, kDalle3, kSquareOnly};
        setup.modelMapping = QJsonObject{{kSquareOnly, kDalle3}};
        QVERIFY(m_relay.start(this, setup));
        QVERIFY(m_relay.addPrices(QStringLiteral("ImagePrice"),
                                  QJsonObject{{kSquareOnly, QJsonObject{{QStringLiteral("1024x1024|standard"), 0.05}}}}));
    }

    void cleanupTestCase() { m_relay.stop(); }

    void defaultPricesAreListPrices()
    {
        // gpt-image-1: $5 text in, $10 image in, $40 image out per 1M; dall-e-3 hd 1024x1792 $0.12; dall-e-2 256 $0.016.
        Billing::Usage text, imageIn, imageOut;
        text.inputText = imageIn.inputImage = imageOut.outputText = 1'000'000;
        QCOMPARE(Billing::QuotaMath::toUsd(Billing::QuotaMath::settle(m_relay.pricing(kGptImage), text).quota), 5.0);
        QCOMPARE(Billing::QuotaMath::toUsd(Billing::QuotaMath::settle(m_relay.pricing(kGptImage), imageIn).quota), 10.0);
        QCOMPARE(Billing::QuotaMath::toUsd(Billing::QuotaMath::settle(m_relay.pricing(kGptImage), imageOut).quota), 40.0);
        QCOMPARE(Billing::QuotaMath::toUsd(Billing::QuotaMath::settle(m_relay.pricing(kDalle3), {}, {},
                                                                      imageUnits(1, "1024x1792", "hd")).quota),
                 0.12);
        QCOMPARE(Billing::QuotaMath::toUsd(Billing::QuotaMath::settle(m_relay.pricing(kDalle2), {}, {},
                                                                      imageUnits(1, "256x256", {})).quota),
                 0.016);
    }

    void generations_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("size");
        QTest::addColumn<QString>("quality");
        QTest::addColumn<int>("n");
        QTest::addColumn<int>("partials"); // -1: not streamed
        QTest::addColumn<QString>("scenario");
        QTest::newRow("gpt low square") << kGptImage << "1024x1024" << "low" << 1 << -1 << QString();
        QTest::newRow("gpt high portrait n=2") << kGptImage << "1024x1536" << "high" << 2 << -1 << QString();
        QTest::newRow("gpt auto") << kGptImage << QString() << QString() << 1 << -1 << QString();
        QTest::newRow("gpt stream 2 partials") << kGptImage << "1536x1024" << "medium" << 1 << 2 << QString();
        QTest::newRow("gpt stream n=2") << kGptImage << "1024x1024" << "low" << 2 << 1 << QString();
        QTest::newRow("gpt no usage") << kGptImage << "1024x1024" << "medium" << 1 << -1 << "no_usage";
        QTest::newRow("dall-e-3 hd tall") << kDalle3 << "1024x1792" << "hd" << 1 << -1 << QString();
        QTest::newRow("dall-e-3 default") << kDalle3 << QString() << QString() << 1 << -1 << QString();
        QTest::newRow("dall-e-2 n=3 small") << kDalle2 << "256x256" << QString() << 3 << -1 << QString();
    }
    void generations()
    {
        QFETCH(QString, model);
        QFETCH(QString, size);
        QFETCH(QString, quality);
        QFETCH(int, n);
        QFETCH(int, partials);
        QFETCH(QString, scenario);
        const qint64 before = m_relay.balance();
        const QString prompt = QStringLiteral("A lighthouse drawn in ink") +
                               (scenario.isEmpty() ? QString() : QStringLiteral(" [[scenario:%1]]").arg(scenario));
        QJsonObject body{{QStringLiteral("model"), model}, {QStringLiteral("prompt"), prompt}, {QStringLiteral("n"), n}};
        if (!size.isEmpty())
            body.insert(QStringLiteral("size"), size);
        if (!quality.isEmpty())
            body.insert(QStringLiteral("quality"), quality);
        if (model == kDalle2 || model == kDalle3)
            body.insert(QStringLiteral("response_format"), QStringLiteral("b64_json"));
        if (partials >= 0) {
            body.insert(QStringLiteral("stream"), true);
            body.insert(QStringLiteral("partial_images"), partials);
        }
        const Reply reply = m_relay.postJson("/v1/images/generations", body);
        QCOMPARE(reply.http.status, 200);

        const bool dalle = model != kGptImage;
        const QString pricedSize = dalle && size.isEmpty() ? QStringLiteral("1024x1024") : size;
        const QString pricedQuality = dalle && quality.isEmpty() ? QStringLiteral("standard") : quality;
        const qint64 held = hold(model, prompt, n, pricedSize, pricedQuality, std::max(partials, 0),
                                 imageUnits(n, pricedSize, pricedQuality));
        const Store::LogRecord log = m_relay.settledLog(QStringLiteral("/v1/images/generations"), held);

        qint64 expected = 0;
        if (partials >= 0) {
            QJsonObject usage; // the stream's images' usages, added up
            int completed = 0, partial = 0;
            for (const auto &[name, event] : reply.events) {
                const QString type = event.value(QStringLiteral("type")).toString();
                partial += type.endsWith(QStringLiteral(".partial_image"));
                if (type.endsWith(QStringLiteral(".completed"))) {
                    ++completed;
                    const QJsonObject u = event.value(QStringLiteral("usage")).toObject();
                    for (const QString &k : {QStringLiteral("input_tokens"), QStringLiteral("output_tokens"),
                                             QStringLiteral("total_tokens")})
                        usage.insert(k, usage.value(k).toInteger() + u.value(k).toInteger());
                    QJsonObject d = usage.value(QStringLiteral("input_tokens_details")).toObject();
                    const QJsonObject ud = u.value(QStringLiteral("input_tokens_details")).toObject();
                    for (const QString &k : {QStringLiteral("text_tokens"), QStringLiteral("image_tokens")})
                        d.insert(k, d.value(k).toInteger() + ud.value(k).toInteger());
                    usage.insert(QStringLiteral("input_tokens_details"), d);
                }
            }
            QCOMPARE(completed, n);
            QCOMPARE(partial, n * partials);
            expected = settleUsage(model, usage);
        } else if (dalle) {
            QCOMPARE(reply.json().value(QStringLiteral("data")).toArray().size(), n);
            QVERIFY(!reply.json().contains(QStringLiteral("usage")));
            QCOMPARE(log.completionTokens, 0); // a DALL·E image is billed as an image, not as tokens
            expected = Billing::QuotaMath::settle(m_relay.pricing(model), {}, {}, imageUnits(n, pricedSize, pricedQuality)).quota;
        } else if (scenario == QLatin1StringView("no_usage")) {
            Billing::Usage b;
            b.inputText = Relay::ChatRelayTokens::countText(prompt, model);
            b.outputText = n * Relay::ImageOutputTokens::perImage(size, quality);
            expected = Billing::QuotaMath::settle(m_relay.pricing(model), b).quota;
            QCOMPARE(log.content, QStringLiteral("usage counted locally"));
        } else {
            QCOMPARE(reply.json().value(QStringLiteral("data")).toArray().size(), n);
            expected = settleUsage(model, reply.json().value(QStringLiteral("usage")).toObject());
        }
        QVERIFY(expected > 0);
        QCOMPARE(log.quota, expected);
        QCOMPARE(log.other.value(QStringLiteral("units")).toObject().value(QStringLiteral("images")).toInteger(), n);
        QCOMPARE(before - m_relay.balance(), expected);
    }

    void editsAndVariations_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QString>("model");
        QTest::addColumn<int>("images");
        QTest::addColumn<bool>("stream");
        QTest::newRow("gpt edit") << QByteArray("/v1/images/edits") << kGptImage << 1 << false;
        QTest::newRow("gpt edit two images") << QByteArray("/v1/images/edits") << kGptImage << 2 << false;
        QTest::newRow("gpt edit stream") << QByteArray("/v1/images/edits") << kGptImage << 1 << true;
        QTest::newRow("dall-e-2 edit") << QByteArray("/v1/images/edits") << kDalle2 << 1 << false;
        QTest::newRow("dall-e-2 variation") << QByteArray("/v1/images/variations") << kDalle2 << 1 << false;
    }
    void editsAndVariations()
    {
        QFETCH(QByteArray, path);
        QFETCH(QString, model);
        QFETCH(int, images);
        QFETCH(bool, stream);
        const qint64 before = m_relay.balance();
        const bool edit = path.endsWith("edits");
        QList<FormField> fields{{"model", model.toUtf8()}, {"size", "1024x1024"}};
        if (model == kGptImage)
            fields.append(FormField{"quality", "low"});
        else
            fields.append(FormField{"response_format", "b64_json"});
        for (int i = 0; i < images; ++i)
            fields.append(FormField{images > 1 ? QByteArray("image[]") : QByteArray("image"), png(64 + i, 64), "in.png", "image/png"});
        if (edit)
            fields.append(FormField{"prompt", "Add a red balloon"});
        if (stream)
            fields.append(FormField{"stream", "true"});
        const Reply reply = m_relay.postForm(path, fields);
        QCOMPARE(reply.http.status, 200);
        const QString quality = model == kGptImage ? QStringLiteral("low") : QStringLiteral("standard");
        const qint64 held = hold(model, edit ? QStringLiteral("Add a red balloon") : QString(), 1,
                                 QStringLiteral("1024x1024"), quality, 0, imageUnits(1, QStringLiteral("1024x1024"), quality));
        const Store::LogRecord log = m_relay.settledLog(QString::fromUtf8(path), held);
        qint64 expected = 0;
        if (model == kGptImage) {
            const QJsonObject usage = stream ? reply.events.last().second.value(QStringLiteral("usage")).toObject()
                                             : reply.json().value(QStringLiteral("usage")).toObject();
            QVERIFY(usage.value(QStringLiteral("input_tokens_details")).toObject().value(QStringLiteral("image_tokens")).toInteger() > 0);
            expected = settleUsage(model, usage);
        } else {
            expected = Billing::QuotaMath::settle(m_relay.pricing(model), {}, {},
                                                  imageUnits(1, QStringLiteral("1024x1024"), QStringLiteral("standard"))).quota;
        }
        QVERIFY(expected > 0);
        QCOMPARE(log.quota, expected);
        QCOMPARE(before - m_relay.balance(), expected);
    }

    void refusals_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("body"); // JSON for generations; else the form fields below
        QTest::addColumn<QList<FormField>>("fields");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("param");
        const QByteArray gen("/v1/images/generations");
        QTest::newRow("no prompt") << gen << QByteArray(R"({"model":"gpt-image-1"})") << QList<FormField>{} << 400
                                   << QStringLiteral("prompt");
        QTest::newRow("n 11") << gen << QByteArray(R"({"model":"gpt-image-1","prompt":"x","n":11})")
                              << QList<FormField>{} << 400 << QStringLiteral("n");
        QTest::newRow("n 1e300") << gen << QByteArray(R"({"model":"dall-e-2","prompt":"x","n":1e300})")
                                 << QList<FormField>{} << 400 << QStringLiteral("n");
        QTest::newRow("unpriced quality") << gen << QByteArray(R"({"model":"house-dalle","prompt":"x","quality":"hd"})")
                                          << QList<FormField>{} << 400 << QStringLiteral("size");
        QTest::newRow("n string") << gen << QByteArray(R"({"model":"dall-e-2","prompt":"x","n":"2"})")
                                  << QList<FormField>{} << 400 << QStringLiteral("n");
        QTest::newRow("bad size") << gen << QByteArray(R"({"model":"gpt-image-1","prompt":"x","size":"big"})")
                                  << QList<FormField>{} << 400 << QStringLiteral("size");
        QTest::newRow("unpriced size") << gen << QByteArray(R"({"model":"house-dalle","prompt":"x","size":"1792x1024"})")
                                              << QList<FormField>{} << 400 << QStringLiteral("size");
        QTest::newRow("partials 4") << gen << QByteArray(R"({"model":"gpt-image-1","prompt":"x","stream":true,"partial_images":4})")
                                    << QList<FormField>{} << 400 << QStringLiteral("partial_images");
        QTest::newRow("not json") << gen << QByteArray("prompt=x") << QList<FormField>{} << 400 << QString();
        QTest::newRow("edit no image") << QByteArray("/v1/images/edits") << QByteArray()
                                       << QList<FormField>{{"model", "gpt-image-1"}, {"prompt", "x"}} << 400
                                       << QStringLiteral("image");
        QTest::newRow("edit no prompt") << QByteArray("/v1/images/edits") << QByteArray()
                                        << QList<FormField>{{"model", "gpt-image-1"}, {"image", png(8, 8), "a.png", "image/png"}}
                                        << 400 << QStringLiteral("prompt");
        QTest::newRow("variation n 0") << QByteArray("/v1/images/variations") << QByteArray()
                                       << QList<FormField>{{"image", png(8, 8), "a.png", "image/png"}, {"n", "0"}} << 400
                                       << QStringLiteral("n");
    }
    void refusals()
    {
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, body);
        QFETCH(QList<FormField>, fields);
        QFETCH(int, status);
        QFETCH(QString, param);
        const qint64 before = m_relay.balance();
        const qint64 held = m_relay.reservations();
        const Reply reply = fields.isEmpty() ? m_relay.send(path, body, "application/json", false) : m_relay.postForm(path, fields, false);
        QCOMPARE(reply.http.status, status);
        const QJsonObject error = reply.json().value(QStringLiteral("error")).toObject();
        QVERIFY(!error.value(QStringLiteral("message")).toString().isEmpty());
        if (!param.isEmpty())
            QCOMPARE(error.value(QStringLiteral("param")).toString(), param);
        QCOMPARE(m_relay.reservations(), held);
        QCOMPARE(m_relay.balance(), before);
    }

    void logsEqualDebits() { m_relay.checkLogsEqualDebits(); }
};

QTEST_GUILESS_MAIN(TestImagesRelay)
#include "tst_imagesrelay.moc"
