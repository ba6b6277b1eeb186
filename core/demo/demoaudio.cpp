#include "demo/demoaudio.h"

#include "demo/demoformrequest.h"
#include "demo/demomedia.h"
#include "demo/demopacedwriter.h"
#include "http/httpexchange.h"
#include "http/router.h"
#include "relay/chat/chatrelaytokens.h"
#include "tokenize/audiotokens.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>

namespace RelayDesk::Relay {

namespace {

constexpr qint64 kMinimumMs = 100;
constexpr qsizetype kMaxFileBytes = 25 * 1024 * 1024; // OpenAI's limit for an audio upload
constexpr qsizetype kWordsPerSegment = 8;

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

// One timed piece of the transcript (verbose_json segments, srt and vtt cues).
struct Segment
{
    QString text;
    double start = 0;
    double end = 0;
};

// The transcript in groups of kWordsPerSegment words, the duration shared out by characters.
QList<Segment> segmentsOf(const QString &text, qint64 milliseconds)
{
    const QStringList words = text.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    QList<Segment> out;
    const double seconds = double(milliseconds) / 1000.0;
    double at = 0;
    for (qsizetype i = 0; i < words.size(); i += kWordsPerSegment) {
        const QString piece = words.mid(i, kWordsPerSegment).join(QLatin1Char(' '));
        const double length = seconds * double(piece.size() + 1) / double(text.size() + 1);
        const double end = i + kWordsPerSegment >= words.size() ? seconds : at + length;
        out.append({piece, at, end});
        at = end;
    }
    return out;
}

QString clock(double seconds, QChar decimal)
{
    const qint64 ms = qint64(seconds * 1000 + 0.5);
    return QStringLiteral("%1:%2:%3%4%5")
        .arg(ms / 3'600'000, 2, 10, QLatin1Char('0'))
        .arg(ms / 60'000 % 60, 2, 10, QLatin1Char('0'))
        .arg(ms / 1000 % 60, 2, 10, QLatin1Char('0'))
        .arg(decimal)
        .arg(ms % 1000, 3, 10, QLatin1Char('0'));
}

QByteArray subtitles(const QList<Segment> &segments, bool vtt)
{
    QString out = vtt ? QStringLiteral("WEBVTT\n\n") : QString();
    for (qsizetype i = 0; i < segments.size(); ++i) {
        const Segment &s = segments.at(i);
        if (!vtt)
            out += QString::number(i + 1) + QLatin1Char('\n');
        const QChar decimal = vtt ? QLatin1Char('.') : QLatin1Char(',');
        out += clock(s.start, decimal) + QStringLiteral(" --> ") + clock(s.end, decimal) + QLatin1Char('\n') + s.text
               + QStringLiteral("\n\n");
    }
    return out.toUtf8();
}

QJsonArray segmentsJson(const QList<Segment> &segments, const QString &model)
{
    QJsonArray out;
    qint64 seek = 0;
    for (qsizetype i = 0; i < segments.size(); ++i) {
        const Segment &s = segments.at(i);
        QJsonArray tokens; // the demo's stand-in ids: one per token of the segment
        const qint64 count = ChatRelayTokens::countText(s.text, model);
        for (qint64 k = 0; k < count; ++k)
            tokens.append(50364 + k);
        out.append(QJsonObject{{QStringLiteral("id"), i},
                               {QStringLiteral("seek"), seek},
                               {QStringLiteral("start"), s.start},
                               {QStringLiteral("end"), s.end},
                               {QStringLiteral("text"), QString(QLatin1Char(' ') + s.text)},
                               {QStringLiteral("tokens"), tokens},
                               {QStringLiteral("temperature"), 0.0},
                               {QStringLiteral("avg_logprob"), -0.25},
                               {QStringLiteral("compression_ratio"), 1.2},
                               {QStringLiteral("no_speech_prob"), 0.01}});
        seek += qint64(s.end * 100);
    }
    return out;
}

QJsonArray wordsJson(const QList<Segment> &segments)
{
    QJsonArray out;
    for (const Segment &s : segments) {
        const QStringList words = s.text.split(QLatin1Char(' '));
        const double step = (s.end - s.start) / double(words.size());
        for (qsizetype i = 0; i < words.size(); ++i)
            out.append(QJsonObject{{QStringLiteral("word"), words.at(i)},
                                   {QStringLiteral("start"), s.start + step * double(i)},
                                   {QStringLiteral("end"), s.start + step * double(i + 1)}});
    }
    return out;
}

// What one request asked and what the demo heard.
struct Job
{
    DemoFormRequest request;
    bool translation = false;
    bool whisper = false;
    QString format;     // response_format
    qint64 bytes = 0;
    qint64 milliseconds = 0;
    QString prompt;
    QString text;       // the transcript
};

QJsonObject tokenUsage(const Job &job)
{
    const qint64 sign = job.request.has(QLatin1StringView("bad_usage")) ? -1 : 1;
    const qint64 audio = sign * Tokenize::audioTokensForMilliseconds(job.milliseconds, Tokenize::AudioDirection::Input);
    const qint64 text = sign * ChatRelayTokens::countText(job.prompt, job.request.model);
    const qint64 output = sign * ChatRelayTokens::countText(job.text, job.request.model);
    return QJsonObject{{QStringLiteral("type"), QStringLiteral("tokens")},
                       {QStringLiteral("input_tokens"), audio + text},
                       {QStringLiteral("input_token_details"),
                        QJsonObject{{QStringLiteral("text_tokens"), text}, {QStringLiteral("audio_tokens"), audio}}},
                       {QStringLiteral("output_tokens"), output},
                       {QStringLiteral("total_tokens"), audio + text + output}};
}

QJsonObject durationUsage(const Job &job)
{
    const qint64 sign = job.request.has(QLatin1StringView("bad_usage")) ? -1 : 1;
    return QJsonObject{{QStringLiteral("type"), QStringLiteral("duration")},
                       {QStringLiteral("seconds"), sign * ((job.milliseconds + 999) / 1000)}};
}

bool withUsage(const Job &job)
{
    return !job.translation && !job.request.has(QLatin1StringView("no_usage"));
}

void respondStream(HttpExchange &exchange, const Job &job, const DemoUpstreamOptions &options)
{
    QList<DemoPacedWriter::Piece> pieces;
    const QStringList words = job.text.split(QLatin1Char(' '));
    for (qsizetype i = 0; i < words.size(); ++i)
        pieces.append({{}, compact({{QStringLiteral("type"), QStringLiteral("transcript.text.delta")},
                                    {QStringLiteral("delta"), QString((i == 0 ? QString() : QStringLiteral(" ")) + words.at(i))}})});
    QJsonObject done{{QStringLiteral("type"), QStringLiteral("transcript.text.done")},
                     {QStringLiteral("text"), job.text}};
    if (withUsage(job))
        done.insert(QStringLiteral("usage"), tokenUsage(job));
    pieces.append({{}, compact(done)});
    const bool slow = job.request.has(QLatin1StringView("slow"));
    DemoPacedWriter::events(exchange, std::move(pieces),
                            {slow ? std::max(50, options.firstChunkDelayMs) : options.firstChunkDelayMs,
                             slow ? std::max(50, options.chunkDelayMs * 10) : options.chunkDelayMs,
                             job.request.has(QLatin1StringView("reset"))});
}

void respondBody(HttpExchange &exchange, const Job &job)
{
    const QByteArray plain = "text/plain; charset=utf-8";
    if (job.format == u"text")
        return exchange.respond(200, (job.text + QLatin1Char('\n')).toUtf8(), plain);
    const QList<Segment> segments = segmentsOf(job.text, job.milliseconds);
    if (job.format == u"srt" || job.format == u"vtt")
        return exchange.respond(200, subtitles(segments, job.format == u"vtt"), plain);
    QJsonObject reply{{QStringLiteral("text"), job.text}};
    if (job.format == u"verbose_json") {
        reply = QJsonObject{{QStringLiteral("task"), job.translation ? QStringLiteral("translate")
                                                                     : QStringLiteral("transcribe")},
                            {QStringLiteral("language"), QStringLiteral("english")},
                            {QStringLiteral("duration"), double(job.milliseconds) / 1000.0},
                            {QStringLiteral("text"), job.text},
                            {QStringLiteral("segments"), segmentsJson(segments, job.request.model)}};
        const QList<const DemoMultipart::Part *> granularities =
            job.request.form.all({QStringLiteral("timestamp_granularities[]"), QStringLiteral("timestamp_granularities")});
        for (const DemoMultipart::Part *g : granularities)
            if (g->data == "word")
                reply.insert(QStringLiteral("words"), wordsJson(segments));
    }
    if (withUsage(job))
        reply.insert(QStringLiteral("usage"), job.whisper ? durationUsage(job) : tokenUsage(job));
    exchange.respond(200, compact(reply));
}

// The response_format the model accepts; an error message otherwise.
QString formatError(const Job &job)
{
    static const QStringList whisperFormats{QStringLiteral("json"), QStringLiteral("text"), QStringLiteral("srt"),
                                            QStringLiteral("verbose_json"), QStringLiteral("vtt")};
    static const QStringList tokenFormats{QStringLiteral("json"), QStringLiteral("text")};
    if (!whisperFormats.contains(job.format))
        return QStringLiteral("Invalid value: '%1'. Supported values are: 'json', 'text', 'srt', 'verbose_json', "
                              "and 'vtt'.").arg(job.format);
    if (!job.whisper && !tokenFormats.contains(job.format))
        return QStringLiteral("response_format '%1' is not compatible with model '%2'. Use 'json' or 'text' instead.")
            .arg(job.format, job.request.model);
    return {};
}

void handle(HttpExchange &exchange, const DemoUpstreamOptions &options, bool translation)
{
    auto request = DemoFormRequest::read(exchange, options, QLatin1StringView("prompt"));
    if (!request)
        return;
    Job job{std::move(*request)};
    job.translation = translation;
    job.whisper = job.request.model.startsWith(QLatin1StringView("whisper"));
    if (translation && !job.whisper)
        return exchange.respondError(OpenAiError::invalidValue(
            "model", QStringLiteral("Translations support only whisper-1, not '%1'.").arg(job.request.model)));
    const DemoMultipart::Part *file = job.request.form.part(u"file");
    if (!file || !file->isFile())
        return exchange.respondError(OpenAiError::invalidRequest(QStringLiteral("Missing required parameter: 'file'."),
                                                                 "missing_required_parameter", "file"));
    if (file->data.size() > kMaxFileBytes)
        return exchange.respondError(OpenAiError::payloadTooLarge(kMaxFileBytes));
    const QString format = job.request.form.value(u"response_format");
    job.format = format.isEmpty() ? QStringLiteral("json") : format;
    if (const QString error = formatError(job); !error.isEmpty())
        return exchange.respondError(OpenAiError::invalidRequest(error, "unsupported_value", "response_format"));
    if (job.request.has(QLatin1StringView("hang")))
        return; // never answered; the exchange dies with its connection
    const std::optional<qint64> ms = DemoMedia::probeMilliseconds(file->data);
    if (!ms)
        return exchange.respondError(OpenAiError::invalidRequest(
            QStringLiteral("Invalid file format. Supported formats: ['flac', 'm4a', 'mp3', 'mp4', 'mpeg', 'mpga', "
                           "'oga', 'ogg', 'wav', 'webm']")));
    if (*ms < kMinimumMs)
        return exchange.respondError(OpenAiError::invalidRequest(
            QStringLiteral("Audio file is too short. Minimum audio length is 0.1 seconds."), "audio_too_short", "file"));
    job.bytes = file->data.size();
    job.milliseconds = *ms;
    job.prompt = job.request.form.value(u"prompt");
    job.text = DemoAudio::transcript(job.bytes, job.milliseconds, job.prompt, translation);
    const bool stream = !job.whisper && job.request.form.value(u"stream").trimmed().toLower() == u"true";
    if (stream)
        return respondStream(exchange, job, options);
    if (job.request.has(QLatin1StringView("reset")))
        return exchange.abortConnection();
    respondBody(exchange, job);
}

} // namespace

QString DemoAudio::transcript(qint64 bytes, qint64 milliseconds, const QString &prompt, bool translation)
{
    QString text = QStringLiteral("This is the RelayDesk demo %1 of %2 bytes of audio lasting %3 seconds.")
                       .arg(translation ? QStringLiteral("translation") : QStringLiteral("transcript"))
                       .arg(bytes)
                       .arg(double(milliseconds) / 1000.0, 0, 'f', 2);
    if (!prompt.isEmpty())
        text += QStringLiteral(" Prompt: ") + prompt;
    return text;
}

void DemoAudio::install(HttpServer &server, const DemoUpstreamOptions &options)
{
    server.router().addRoute("POST", "/v1/audio/transcriptions",
                             [options](HttpExchange &e) { handle(e, options, false); }, Router::Access::Public);
    server.router().addRoute("POST", "/v1/audio/translations",
                             [options](HttpExchange &e) { handle(e, options, true); }, Router::Access::Public);
}

} // namespace RelayDesk::Relay
