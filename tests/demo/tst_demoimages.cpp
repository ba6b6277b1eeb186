// The demo upstream's image endpoints (core/demo/demoimages.h) over loopback: generations, edits and variations
// per model × size × quality × format × scenario — reply shapes, pictures that decode to the reported size,
// usage by OpenAI's table, SSE framing with `event:` lines — and their refusals.
#include "demo/demoimages.h"
#include "demo/demoupstream.h"
#include "relay/chat/chatrelaytokens.h"
#include "tokenize/imagetokens.h"

#include "demohttp.h"

#include <QtCore/QBuffer>
#include <QtCore/QJsonArray>
#include <QtGui/QImage>
#include <QtTest/QTest>

using namespace RelayDesk::Relay;

namespace {

const QByteArray kKey = "sk-demo-images";

QByteArray pngOf(int w, int h)
{
    QImage image(w, h, QImage::Format_ARGB32);
    image.fill(QColor(10, 120, 200, 255));
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

QSize sizeOf(const QString &size)
{
    return QSize(size.section(QLatin1Char('x'), 0, 0).toInt(), size.section(QLatin1Char('x'), 1, 1).toInt());
}

// The picture of a b64_json field, decoded.
QImage decode(const QJsonObject &item, const char *format = nullptr)
{
    return QImage::fromData(QByteArray::fromBase64(item.value(u"b64_json").toString().toLatin1()), format);
}

} // namespace

class TestDemoImages : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void gptGeneration_data();
    void gptGeneration();
    void dalleGeneration_data();
    void dalleGeneration();
    void stream_data();
    void stream();
    void edits_data();
    void edits();
    void variations_data();
    void variations();
    void refusals_data();
    void refusals();
    void resetAndHang_data();
    void resetAndHang();

private:
    QString url(const char *path) const { return m_demo->baseUrl() + QLatin1StringView(path); }
    DemoHttp::Result edit(const QString &model, const QList<QByteArray> &images, const QList<DemoHttp::Field> &extra,
                          const char *path = "/v1/images/edits", const QByteArray &scenario = {},
                          int timeoutMs = 20'000);

    std::unique_ptr<DemoUpstream> m_demo;
    QNetworkAccessManager m_nam;
};

void TestDemoImages::initTestCase()
{
    DemoUpstreamOptions options;
    options.chunkDelayMs = 1;
    options.firstChunkDelayMs = 1;
    options.requiredKey = kKey;
    m_demo = std::make_unique<DemoUpstream>(options);
    QVERIFY2(m_demo->start(), qPrintable(m_demo->errorString()));
}

void TestDemoImages::cleanupTestCase()
{
    m_demo.reset();
}

DemoHttp::Result TestDemoImages::edit(const QString &model, const QList<QByteArray> &images,
                                      const QList<DemoHttp::Field> &extra, const char *path, const QByteArray &scenario,
                                      int timeoutMs)
{
    QList<DemoHttp::Field> fields;
    if (!model.isEmpty())
        fields.append({QStringLiteral("model"), model.toUtf8(), {}, {}});
    const QString name = images.size() > 1 ? QStringLiteral("image[]") : QStringLiteral("image");
    for (qsizetype i = 0; i < images.size(); ++i)
        fields.append({name, images.at(i), QStringLiteral("in%1.png").arg(i), "image/png"});
    fields += extra;
    return DemoHttp::postForm(m_nam, url(path), fields, kKey, scenario, timeoutMs);
}

// --- generations -------------------------------------------------------------------------------------------

void TestDemoImages::gptGeneration_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("size");       // "" = default (auto)
    QTest::addColumn<QString>("quality");    // "" = default (auto)
    QTest::addColumn<int>("n");
    QTest::addColumn<QString>("outputFormat");
    QTest::addColumn<QString>("background");
    QTest::addColumn<QByteArray>("scenario");
    QTest::addColumn<QString>("expectedSize");
    QTest::addColumn<QString>("expectedQuality");
    QTest::addColumn<qint64>("perImage"); // OpenAI's output tokens of one image

    QTest::newRow("defaults") << "gpt-image-1" << "" << "" << 1 << "" << "" << QByteArray() << "1024x1024" << "high" << qint64(4160);
    QTest::newRow("square low") << "gpt-image-1" << "1024x1024" << "low" << 1 << "png" << "" << QByteArray() << "1024x1024" << "low" << qint64(272);
    QTest::newRow("square medium n3") << "gpt-image-1" << "1024x1024" << "medium" << 3 << "png" << "" << QByteArray() << "1024x1024" << "medium" << qint64(1056);
    QTest::newRow("portrait high") << "gpt-image-1" << "1024x1536" << "high" << 1 << "png" << "" << QByteArray() << "1024x1536" << "high" << qint64(6240);
    QTest::newRow("landscape low jpeg") << "gpt-image-1" << "1536x1024" << "low" << 2 << "jpeg" << "opaque" << QByteArray() << "1536x1024" << "low" << qint64(408);
    QTest::newRow("landscape medium") << "gpt-image-1" << "1536x1024" << "medium" << 1 << "png" << "" << QByteArray() << "1536x1024" << "medium" << qint64(1584);
    QTest::newRow("auto size and quality") << "gpt-image-1" << "auto" << "auto" << 1 << "png" << "" << QByteArray() << "1024x1024" << "high" << qint64(4160);
    QTest::newRow("transparent") << "gpt-image-1" << "1024x1024" << "low" << 1 << "png" << "transparent" << QByteArray() << "1024x1024" << "low" << qint64(272);
    QTest::newRow("mini") << "gpt-image-1-mini" << "1024x1536" << "low" << 1 << "png" << "" << QByteArray() << "1024x1536" << "low" << qint64(408);
    QTest::newRow("no_usage") << "gpt-image-1" << "1024x1024" << "low" << 1 << "png" << "" << QByteArray("no_usage") << "1024x1024" << "low" << qint64(272);
    QTest::newRow("bad_usage") << "gpt-image-1" << "1024x1024" << "low" << 2 << "png" << "" << QByteArray("bad_usage") << "1024x1024" << "low" << qint64(272);
}

void TestDemoImages::gptGeneration()
{
    QFETCH(QString, model);
    QFETCH(QString, size);
    QFETCH(QString, quality);
    QFETCH(int, n);
    QFETCH(QString, outputFormat);
    QFETCH(QString, background);
    QFETCH(QByteArray, scenario);
    QFETCH(QString, expectedSize);
    QFETCH(QString, expectedQuality);
    QFETCH(qint64, perImage);

    const QString prompt = QStringLiteral("A cute baby sea otter");
    QJsonObject body{{QStringLiteral("model"), model}, {QStringLiteral("prompt"), prompt}, {QStringLiteral("n"), n}};
    if (!size.isEmpty())
        body.insert(QStringLiteral("size"), size);
    if (!quality.isEmpty())
        body.insert(QStringLiteral("quality"), quality);
    if (!outputFormat.isEmpty())
        body.insert(QStringLiteral("output_format"), outputFormat);
    if (!background.isEmpty())
        body.insert(QStringLiteral("background"), background);
    const DemoHttp::Result r = DemoHttp::postJson(m_nam, url("/v1/images/generations"), body, kKey, scenario);
    QCOMPARE(r.status, 200);
    const QJsonObject o = r.json();
    QVERIFY(o.value(u"created").toInteger() > 1'700'000'000);
    QCOMPARE(o.value(u"size").toString(), expectedSize);
    QCOMPARE(o.value(u"quality").toString(), expectedQuality);
    const QString format = outputFormat.isEmpty() ? QStringLiteral("png") : outputFormat;
    QCOMPARE(o.value(u"output_format").toString(), format);
    QCOMPARE(o.value(u"background").toString(), background == u"transparent" ? u"transparent" : u"opaque");
    const QJsonArray data = o.value(u"data").toArray();
    QCOMPARE(data.size(), n);
    for (const QJsonValue &item : data) {
        QCOMPARE(item.toObject().keys(), QStringList{QStringLiteral("b64_json")});
        const QImage image = decode(item.toObject(), format == u"jpeg" ? "JPEG" : "PNG");
        QCOMPARE(image.size(), sizeOf(expectedSize));
        if (background == u"transparent")
            QCOMPARE(qAlpha(image.pixel(0, 0)), 0);
    }
    QCOMPARE(DemoImages::outputTokens(expectedSize, expectedQuality), perImage);
    if (scenario == "no_usage") {
        QVERIFY(!o.contains(u"usage"));
        return;
    }
    const qint64 sign = scenario == "bad_usage" ? -1 : 1;
    const qint64 text = ChatRelayTokens::countText(prompt, model);
    const QJsonObject usage = o.value(u"usage").toObject();
    QCOMPARE(usage.value(u"input_tokens_details").toObject().value(u"text_tokens").toInteger(), sign * text);
    QCOMPARE(usage.value(u"input_tokens_details").toObject().value(u"image_tokens").toInteger(), 0);
    QCOMPARE(usage.value(u"input_tokens").toInteger(), sign * text);
    QCOMPARE(usage.value(u"output_tokens").toInteger(), sign * perImage * n);
    QCOMPARE(usage.value(u"total_tokens").toInteger(), sign * (text + perImage * n));
}

void TestDemoImages::dalleGeneration_data()
{
    QTest::addColumn<QString>("model"); // "" = the default, dall-e-2
    QTest::addColumn<QString>("size");
    QTest::addColumn<QString>("quality");
    QTest::addColumn<int>("n");
    QTest::addColumn<QString>("responseFormat"); // "" = url

    QTest::newRow("default model") << "" << "" << "" << 1 << "";
    QTest::newRow("dall-e-2 256 b64 n2") << "dall-e-2" << "256x256" << "" << 2 << "b64_json";
    QTest::newRow("dall-e-2 512 url n3") << "dall-e-2" << "512x512" << "standard" << 3 << "url";
    QTest::newRow("dall-e-3 square") << "dall-e-3" << "1024x1024" << "standard" << 1 << "b64_json";
    QTest::newRow("dall-e-3 wide hd url") << "dall-e-3" << "1792x1024" << "hd" << 1 << "url";
    QTest::newRow("dall-e-3 tall") << "dall-e-3" << "1024x1792" << "" << 1 << "b64_json";
}

void TestDemoImages::dalleGeneration()
{
    QFETCH(QString, model);
    QFETCH(QString, size);
    QFETCH(QString, quality);
    QFETCH(int, n);
    QFETCH(QString, responseFormat);

    const QString prompt = QStringLiteral("A lighthouse at dawn");
    QJsonObject body{{QStringLiteral("prompt"), prompt}, {QStringLiteral("n"), n}};
    if (!model.isEmpty())
        body.insert(QStringLiteral("model"), model);
    if (!size.isEmpty())
        body.insert(QStringLiteral("size"), size);
    if (!quality.isEmpty())
        body.insert(QStringLiteral("quality"), quality);
    if (!responseFormat.isEmpty())
        body.insert(QStringLiteral("response_format"), responseFormat);
    const DemoHttp::Result r = DemoHttp::postJson(m_nam, url("/v1/images/generations"), body, kKey);
    QCOMPARE(r.status, 200);
    const QJsonObject o = r.json();
    QCOMPARE(o.keys(), (QStringList{QStringLiteral("created"), QStringLiteral("data")})); // no usage, no size
    const QJsonArray data = o.value(u"data").toArray();
    QCOMPARE(data.size(), n);
    const QSize expected = sizeOf(size.isEmpty() ? QStringLiteral("1024x1024") : size);
    for (const QJsonValue &v : data) {
        const QJsonObject item = v.toObject();
        QCOMPARE(item.contains(u"revised_prompt"), model == u"dall-e-3");
        if (model == u"dall-e-3")
            QVERIFY(item.value(u"revised_prompt").toString().contains(prompt));
        QImage image;
        if (responseFormat == u"b64_json") {
            QVERIFY(!item.contains(u"url"));
            image = decode(item, "PNG");
        } else {
            QVERIFY(!item.contains(u"b64_json"));
            const QString link = item.value(u"url").toString();
            QVERIFY(link.startsWith(m_demo->baseUrl() + u"/demo/images/"));
            const DemoHttp::Result file = DemoHttp::get(m_nam, link);
            QCOMPARE(file.status, 200);
            QCOMPARE(file.contentType, QByteArray("image/png"));
            image = QImage::fromData(file.body, "PNG");
        }
        QCOMPARE(image.size(), expected);
    }
}

// --- streams -----------------------------------------------------------------------------------------------

void TestDemoImages::stream_data()
{
    QTest::addColumn<bool>("isEdit");
    QTest::addColumn<int>("partialImages");
    QTest::addColumn<int>("n");
    QTest::addColumn<QString>("quality");
    QTest::addColumn<QByteArray>("scenario");

    QTest::newRow("generation 0 partial") << false << 0 << 1 << "low" << QByteArray();
    QTest::newRow("generation 2 partial") << false << 2 << 1 << "medium" << QByteArray();
    QTest::newRow("generation 3 partial n2") << false << 3 << 2 << "low" << QByteArray();
    QTest::newRow("generation no_usage") << false << 1 << 1 << "low" << QByteArray("no_usage");
    QTest::newRow("generation slow") << false << 1 << 1 << "low" << QByteArray("slow");
    QTest::newRow("edit 1 partial") << true << 1 << 1 << "high" << QByteArray();
    QTest::newRow("edit 3 partial n2 bad_usage") << true << 3 << 2 << "low" << QByteArray("bad_usage");
}

void TestDemoImages::stream()
{
    QFETCH(bool, isEdit);
    QFETCH(int, partialImages);
    QFETCH(int, n);
    QFETCH(QString, quality);
    QFETCH(QByteArray, scenario);

    const QString prompt = QStringLiteral("A gift basket");
    const QString model = QStringLiteral("gpt-image-1");
    const QList<QByteArray> inputs{pngOf(512, 512), pngOf(300, 200)};
    DemoHttp::Result r;
    if (isEdit) {
        r = edit(model, inputs,
                 {{QStringLiteral("prompt"), prompt.toUtf8(), {}, {}}, {QStringLiteral("stream"), "true", {}, {}},
                  {QStringLiteral("partial_images"), QByteArray::number(partialImages), {}, {}},
                  {QStringLiteral("n"), QByteArray::number(n), {}, {}}, {QStringLiteral("quality"), quality.toUtf8(), {}, {}}},
                 "/v1/images/edits", scenario);
    } else {
        const QJsonObject body{{QStringLiteral("model"), model}, {QStringLiteral("prompt"), prompt},
                               {QStringLiteral("stream"), true}, {QStringLiteral("partial_images"), partialImages},
                               {QStringLiteral("n"), n}, {QStringLiteral("quality"), quality}};
        r = DemoHttp::postJson(m_nam, url("/v1/images/generations"), body, kKey, scenario);
    }
    QCOMPARE(r.status, 200);
    QVERIFY(r.contentType.startsWith("text/event-stream"));
    bool framingOk = false;
    const QList<DemoHttp::Event> events = DemoHttp::parseSse(r.body, &framingOk);
    QVERIFY(framingOk);
    const QString prefix = isEdit ? QStringLiteral("image_edit.") : QStringLiteral("image_generation.");
    QCOMPARE(events.size(), n * (partialImages + 1));
    qint64 input = 0;
    qint64 output = 0;
    qint64 imageTokens = 0;
    for (qsizetype i = 0; i < events.size(); ++i) {
        const DemoHttp::Event &e = events.at(i);
        const int withinImage = int(i % (partialImages + 1));
        const bool completed = withinImage == partialImages;
        const QString type = prefix + (completed ? u"completed" : u"partial_image");
        QCOMPARE(QString::fromUtf8(e.name), type); // an `event:` line naming the type, as OpenAI sends
        QCOMPARE(e.data.value(u"type").toString(), type);
        QCOMPARE(decode(e.data, "PNG").size(), QSize(1024, 1024));
        QCOMPARE(e.data.value(u"size").toString(), u"1024x1024");
        QCOMPARE(e.data.value(u"quality").toString(), quality);
        QCOMPARE(e.data.value(u"output_format").toString(), u"png");
        QVERIFY(e.data.value(u"created_at").toInteger() > 1'700'000'000);
        if (!completed) {
            QCOMPARE(e.data.value(u"partial_image_index").toInt(), withinImage);
            QVERIFY(!e.data.contains(u"usage"));
            continue;
        }
        if (scenario == "no_usage") {
            QVERIFY(!e.data.contains(u"usage"));
            continue;
        }
        const QJsonObject usage = e.data.value(u"usage").toObject();
        input += usage.value(u"input_tokens").toInteger();
        output += usage.value(u"output_tokens").toInteger();
        imageTokens += usage.value(u"input_tokens_details").toObject().value(u"image_tokens").toInteger();
        QCOMPARE(usage.value(u"total_tokens").toInteger(),
                 usage.value(u"input_tokens").toInteger() + usage.value(u"output_tokens").toInteger());
    }
    if (scenario == "no_usage")
        return;
    // The completed events' usages add up to the whole request's.
    const qint64 sign = scenario == "bad_usage" ? -1 : 1;
    qint64 expectedImages = 0;
    if (isEdit)
        for (const QByteArray &png : inputs) {
            const auto s = RelayDesk::Tokenize::imageSizeFromBytes(png);
            expectedImages += RelayDesk::Tokenize::imageTokensForSize(model, s->width(), s->height(),
                                                                      RelayDesk::Tokenize::ImageDetail::High);
        }
    QCOMPARE(imageTokens, sign * expectedImages);
    QCOMPARE(input, sign * (ChatRelayTokens::countText(prompt, model) + expectedImages));
    QCOMPARE(output, sign * n * (DemoImages::outputTokens(QStringLiteral("1024x1024"), quality)
                                 + partialImages * DemoImages::kPartialImageTokens));
}

// --- edits and variations ----------------------------------------------------------------------------------

void TestDemoImages::edits_data()
{
    QTest::addColumn<QString>("model"); // "" = dall-e-2
    QTest::addColumn<QList<QSize>>("inputs");
    QTest::addColumn<bool>("mask");
    QTest::addColumn<QString>("size");
    QTest::addColumn<QString>("responseFormat");

    QTest::newRow("gpt one image") << "gpt-image-1" << QList<QSize>{QSize(1024, 1024)} << false << "1024x1536" << "";
    QTest::newRow("gpt three images") << "gpt-image-1" << QList<QSize>{QSize(512, 512), QSize(800, 600), QSize(64, 64)}
                                      << false << "1024x1024" << "";
    QTest::newRow("gpt with mask") << "gpt-image-1" << QList<QSize>{QSize(256, 256)} << true << "" << "";
    QTest::newRow("dall-e-2 default url") << "" << QList<QSize>{QSize(256, 256)} << true << "512x512" << "";
    QTest::newRow("dall-e-2 b64") << "dall-e-2" << QList<QSize>{QSize(512, 512)} << false << "256x256" << "b64_json";
}

void TestDemoImages::edits()
{
    QFETCH(QString, model);
    QFETCH(QList<QSize>, inputs);
    QFETCH(bool, mask);
    QFETCH(QString, size);
    QFETCH(QString, responseFormat);

    QList<QByteArray> images;
    qint64 imageTokens = 0;
    for (const QSize &s : inputs) {
        images.append(pngOf(s.width(), s.height()));
        imageTokens += RelayDesk::Tokenize::imageTokensForSize(model, s.width(), s.height(),
                                                               RelayDesk::Tokenize::ImageDetail::High);
    }
    const QString prompt = QStringLiteral("Add a red hat");
    QList<DemoHttp::Field> extra{{QStringLiteral("prompt"), prompt.toUtf8(), {}, {}}};
    if (mask)
        extra.append({QStringLiteral("mask"), pngOf(inputs.first().width(), inputs.first().height()),
                      QStringLiteral("mask.png"), "image/png"});
    if (!size.isEmpty())
        extra.append({QStringLiteral("size"), size.toUtf8(), {}, {}});
    if (!responseFormat.isEmpty())
        extra.append({QStringLiteral("response_format"), responseFormat.toUtf8(), {}, {}});
    const DemoHttp::Result r = edit(model, images, extra);
    QCOMPARE(r.status, 200);
    const QJsonObject o = r.json();
    const QJsonObject item = o.value(u"data").toArray().first().toObject();
    const QSize expected = sizeOf(size.isEmpty() ? QStringLiteral("1024x1024") : size);
    if (model != u"gpt-image-1") {
        QCOMPARE(o.keys(), (QStringList{QStringLiteral("created"), QStringLiteral("data")}));
        if (responseFormat == u"b64_json")
            QCOMPARE(decode(item, "PNG").size(), expected);
        else
            QCOMPARE(QImage::fromData(DemoHttp::get(m_nam, item.value(u"url").toString()).body, "PNG").size(), expected);
        return;
    }
    QCOMPARE(decode(item, "PNG").size(), expected);
    QCOMPARE(o.value(u"size").toString(), QStringLiteral("%1x%2").arg(expected.width()).arg(expected.height()));
    const QJsonObject usage = o.value(u"usage").toObject();
    const qint64 text = ChatRelayTokens::countText(prompt, model);
    QVERIFY(imageTokens > 0);
    QCOMPARE(usage.value(u"input_tokens_details").toObject().value(u"image_tokens").toInteger(), imageTokens);
    QCOMPARE(usage.value(u"input_tokens_details").toObject().value(u"text_tokens").toInteger(), text);
    QCOMPARE(usage.value(u"input_tokens").toInteger(), text + imageTokens);
    QCOMPARE(usage.value(u"output_tokens").toInteger(),
             DemoImages::outputTokens(o.value(u"size").toString(), QStringLiteral("high")));
}

void TestDemoImages::variations_data()
{
    QTest::addColumn<int>("n");
    QTest::addColumn<QString>("size");
    QTest::addColumn<QString>("responseFormat");
    QTest::newRow("one url") << 1 << "" << "";
    QTest::newRow("two b64 256") << 2 << "256x256" << "b64_json";
    QTest::newRow("three url 512") << 3 << "512x512" << "url";
}

void TestDemoImages::variations()
{
    QFETCH(int, n);
    QFETCH(QString, size);
    QFETCH(QString, responseFormat);

    QList<DemoHttp::Field> extra{{QStringLiteral("n"), QByteArray::number(n), {}, {}}};
    if (!size.isEmpty())
        extra.append({QStringLiteral("size"), size.toUtf8(), {}, {}});
    if (!responseFormat.isEmpty())
        extra.append({QStringLiteral("response_format"), responseFormat.toUtf8(), {}, {}});
    const DemoHttp::Result r = edit(QStringLiteral("dall-e-2"), {pngOf(256, 256)}, extra, "/v1/images/variations");
    QCOMPARE(r.status, 200);
    const QJsonObject o = r.json();
    QVERIFY(!o.contains(u"usage"));
    const QJsonArray data = o.value(u"data").toArray();
    QCOMPARE(data.size(), n);
    const QSize expected = sizeOf(size.isEmpty() ? QStringLiteral("1024x1024") : size);
    for (const QJsonValue &v : data) {
        const QJsonObject item = v.toObject();
        const QImage image = responseFormat == u"b64_json"
                                 ? decode(item, "PNG")
                                 : QImage::fromData(DemoHttp::get(m_nam, item.value(u"url").toString()).body, "PNG");
        QCOMPARE(image.size(), expected);
    }
}

// --- refusals and scenarios ----------------------------------------------------------------------------------

void TestDemoImages::refusals_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QJsonObject>("params"); // JSON body, or the form's text fields
    QTest::addColumn<QList<QByteArray>>("images"); // form routes only
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("param");

    const QByteArray g = "/v1/images/generations";
    const QByteArray e = "/v1/images/edits";
    const QByteArray v = "/v1/images/variations";
    const QJsonObject gpt{{QStringLiteral("model"), QStringLiteral("gpt-image-1")}, {QStringLiteral("prompt"), QStringLiteral("x")}};
    const auto with = [](QJsonObject o, const char *key, const QJsonValue &value) {
        if (value.isUndefined())
            o.remove(QLatin1StringView(key));
        else
            o.insert(QLatin1StringView(key), value);
        return o;
    };
    const QList<QByteArray> none;
    const QList<QByteArray> square{pngOf(256, 256)};
    QTest::newRow("no prompt") << g << with(gpt, "prompt", QJsonValue::Undefined) << none << 400 << "prompt";
    QTest::newRow("n 11") << g << with(gpt, "n", 11) << none << 400 << "n";
    QTest::newRow("n 0") << g << with(gpt, "n", 0) << none << 400 << "n";
    QTest::newRow("dall-e-3 n 2") << g << with(with(gpt, "model", QStringLiteral("dall-e-3")), "n", 2) << none << 400 << "n";
    QTest::newRow("gpt size 256") << g << with(gpt, "size", QStringLiteral("256x256")) << none << 400 << "size";
    QTest::newRow("dall-e-2 size 1792") << g << with(with(gpt, "model", QStringLiteral("dall-e-2")), "size", QStringLiteral("1792x1024")) << none << 400 << "size";
    QTest::newRow("dall-e-3 size 512") << g << with(with(gpt, "model", QStringLiteral("dall-e-3")), "size", QStringLiteral("512x512")) << none << 400 << "size";
    QTest::newRow("dall-e-2 quality hd") << g << with(with(gpt, "model", QStringLiteral("dall-e-2")), "quality", QStringLiteral("hd")) << none << 400 << "quality";
    QTest::newRow("gpt quality hd") << g << with(gpt, "quality", QStringLiteral("hd")) << none << 400 << "quality";
    QTest::newRow("gpt response_format") << g << with(gpt, "response_format", QStringLiteral("url")) << none << 400 << "response_format";
    QTest::newRow("dall-e stream") << g << with(with(gpt, "model", QStringLiteral("dall-e-2")), "stream", true) << none << 400 << "stream";
    QTest::newRow("partial_images 4") << g << with(gpt, "partial_images", 4) << none << 400 << "partial_images";
    QTest::newRow("transparent jpeg") << g << with(with(gpt, "background", QStringLiteral("transparent")), "output_format", QStringLiteral("jpeg")) << none << 400 << "background";
    QTest::newRow("output_format gif") << g << with(gpt, "output_format", QStringLiteral("gif")) << none << 400 << "output_format";
    QTest::newRow("unknown model") << g << with(gpt, "model", QStringLiteral("sdxl")) << none << 400 << "model";
    QTest::newRow("error_500") << g << with(gpt, "model", QStringLiteral("gpt-image-1+error_500")) << none << 500 << "";
    QTest::newRow("error_429 marker") << g << with(gpt, "prompt", QStringLiteral("x [[scenario:error_429]]")) << none << 429 << "";
    QTest::newRow("edit no image") << e << gpt << none << 400 << "image";
    QTest::newRow("edit no prompt") << e << with(gpt, "prompt", QJsonValue::Undefined) << square << 400 << "prompt";
    QTest::newRow("edit not an image") << e << gpt << QList<QByteArray>{QByteArray(500, 'z')} << 400 << "image";
    QTest::newRow("edit dall-e-2 not square") << e << with(gpt, "model", QStringLiteral("dall-e-2")) << QList<QByteArray>{pngOf(300, 200)} << 400 << "image";
    QTest::newRow("edit dall-e-2 two images") << e << with(gpt, "model", QStringLiteral("dall-e-2")) << QList<QByteArray>{square.first(), square.first()} << 400 << "image";
    QTest::newRow("edit 17 images") << e << gpt << QList<QByteArray>(17, square.first()) << 400 << "image";
    QTest::newRow("edit dall-e-3") << e << with(gpt, "model", QStringLiteral("dall-e-3")) << square << 400 << "model";
    QTest::newRow("variation gpt") << v << QJsonObject{{QStringLiteral("model"), QStringLiteral("gpt-image-1")}} << square << 400 << "model";
    QTest::newRow("variation no image") << v << QJsonObject{} << none << 400 << "image";
}

void TestDemoImages::refusals()
{
    QFETCH(QByteArray, path);
    QFETCH(QJsonObject, params);
    QFETCH(QList<QByteArray>, images);
    QFETCH(int, status);
    QFETCH(QString, param);

    DemoHttp::Result r;
    if (path.endsWith("generations")) {
        r = DemoHttp::postJson(m_nam, url(path.constData()), params, kKey);
    } else {
        QList<DemoHttp::Field> extra;
        for (auto it = params.begin(); it != params.end(); ++it)
            if (it.key() != u"model")
                extra.append({it.key(), it.value().toVariant().toString().toUtf8(), {}, {}});
        r = edit(params.value(u"model").toString(), images, extra, path.constData());
    }
    QCOMPARE(r.status, status);
    const QJsonObject error = r.json().value(u"error").toObject();
    QVERIFY(!error.value(u"message").toString().isEmpty());
    if (status == 400)
        QCOMPARE(error.value(u"type").toString(), u"invalid_request_error");
    QCOMPARE(error.value(u"param").toString(), param);
}

void TestDemoImages::resetAndHang_data()
{
    QTest::addColumn<bool>("stream");
    QTest::addColumn<QByteArray>("scenario");
    QTest::newRow("json reset") << false << QByteArray("reset");
    QTest::newRow("stream reset") << true << QByteArray("reset");
    QTest::newRow("hang") << false << QByteArray("hang");
}

void TestDemoImages::resetAndHang()
{
    QFETCH(bool, stream);
    QFETCH(QByteArray, scenario);
    const QJsonObject body{{QStringLiteral("model"), QStringLiteral("gpt-image-1")}, {QStringLiteral("prompt"), QStringLiteral("x")},
                           {QStringLiteral("quality"), QStringLiteral("low")}, {QStringLiteral("stream"), stream},
                           {QStringLiteral("partial_images"), 2}};
    const bool hang = scenario == "hang";
    const DemoHttp::Result r = DemoHttp::postJson(m_nam, url("/v1/images/generations"), body, kKey, scenario,
                                                  hang ? 600 : 20'000);
    if (hang) {
        QVERIFY(r.timedOut);
        return;
    }
    QVERIFY(!r.timedOut);
    QVERIFY(r.error != QNetworkReply::NoError);
    if (stream) {
        QVERIFY(DemoHttp::parseSse(r.body).size() <= 1);
        QVERIFY(!r.body.contains("image_generation.completed"));
    }
}

QTEST_MAIN(TestDemoImages)
#include "tst_demoimages.moc"
