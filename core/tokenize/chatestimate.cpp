#include "tokenize/chatestimate.h"

#include "tokenize/audiotokens.h"
#include "tokenize/encoding.h"
#include "tokenize/estimator.h"
#include "tokenize/imagetokens.h"
#include "tokenize/modelmap.h"
#include "tokenize/textcountcache.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace RelayDesk::Tokenize {

namespace {

constexpr qint64 kTokensPerMessage = 3;
constexpr qint64 kTokensPerName = 1;
constexpr qint64 kReplyPriming = 3;
constexpr qint64 kFlatAudio = 256;
constexpr qint64 kFlatFile = 4096;
constexpr qint64 kFlatVideo = 8192;

class Counter {
public:
    Counter(QStringView model, const ChatEstimateOptions &options)
        : m_model(model), m_options(options), m_encoding(encodingForModel(model)), m_provider(estimatorProviderForModel(model))
    {
        m_result.exactText = m_encoding != nullptr;
    }

    void text(const QJsonValue &v)
    {
        if (!v.isString())
            return;
        const QString s = v.toString();
        if (s.isEmpty())
            return;
        m_result.textTokens += m_encoding ? qint64(TextCountCache::count(*m_encoding, s)) : estimateTokens(s, m_provider);
    }

    void json(const QJsonValue &v)
    {
        if (v.isObject())
            text(QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact)));
        else if (v.isArray())
            text(QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact)));
        else
            text(v);
    }

    void content(const QJsonValue &c)
    {
        if (c.isString()) {
            text(c);
            return;
        }
        if (!c.isArray())
            return;
        for (const QJsonValue &partValue : c.toArray()) {
            const QJsonObject part = partValue.toObject();
            const QString type = part.value(u"type").toString();
            if (type == u"text" || type == u"input_text" || type == u"output_text") {
                text(part.value(u"text"));
            } else if (type == u"refusal") {
                text(part.value(u"refusal"));
            } else if (type == u"image_url" || type == u"input_image") {
                image(part);
            } else if (type == u"input_audio") {
                audio(part.value(u"input_audio").toObject());
            } else if (type == u"video_url") {
                m_result.fileTokens += kFlatVideo;
            } else {
                m_result.fileTokens += kFlatFile;   // file and anything unknown
            }
        }
    }

    void image(const QJsonObject &part)
    {
        const QJsonValue iu = part.value(u"image_url");
        const QString url = iu.isObject() ? iu.toObject().value(u"url").toString() : iu.toString();
        const QString detail = iu.isObject() ? iu.toObject().value(u"detail").toString() : part.value(u"detail").toString();
        m_result.imageTokens += imageTokensForUrl(m_model, url, imageDetailFromString(detail), m_options.remoteImageSize);
        ++m_result.images;
    }

    void audio(const QJsonObject &a)
    {
        ++m_result.audioParts;
        const auto data = QByteArray::fromBase64Encoding(a.value(u"data").toString().toLatin1(),
                                                         QByteArray::AbortOnBase64DecodingErrors);
        const std::optional<qint64> ms = data ? audioFileMilliseconds(*data, a.value(u"format").toString()) : std::nullopt;
        m_result.audioTokens += ms ? audioTokensForMilliseconds(*ms, AudioDirection::Input) : kFlatAudio;
    }

    void message(const QJsonObject &m)
    {
        ++m_result.messages;
        m_result.overheadTokens += kTokensPerMessage;
        if (m.value(u"name").isString()) {
            text(m.value(u"name"));
            m_result.overheadTokens += kTokensPerName;
        }
        content(m.value(u"content"));
        text(m.value(u"refusal"));
        for (const QJsonValue &call : m.value(u"tool_calls").toArray()) {
            const QJsonObject fn = call.toObject().value(u"function").toObject();
            text(fn.value(u"name"));
            text(fn.value(u"arguments"));
        }
        const QJsonObject legacy = m.value(u"function_call").toObject();
        text(legacy.value(u"name"));
        text(legacy.value(u"arguments"));
    }

    ChatTokenEstimate finish()
    {
        m_result.overheadTokens += kReplyPriming;
        m_result.total = m_result.textTokens + m_result.imageTokens + m_result.audioTokens + m_result.fileTokens
            + m_result.overheadTokens;
        return m_result;
    }

private:
    QStringView m_model;
    const ChatEstimateOptions &m_options;
    const Encoding *m_encoding;
    EstimatorProvider m_provider;
    ChatTokenEstimate m_result;
};

} // namespace

ChatTokenEstimate estimateChatRequest(const QJsonObject &body, QStringView model, const ChatEstimateOptions &options)
{
    Counter counter(model, options);
    for (const QJsonValue &m : body.value(u"messages").toArray())
        counter.message(m.toObject());
    for (const QJsonValue &t : body.value(u"tools").toArray())
        counter.json(t);
    for (const QJsonValue &f : body.value(u"functions").toArray())
        counter.json(f);
    return counter.finish();
}

} // namespace RelayDesk::Tokenize
