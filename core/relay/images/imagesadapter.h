#pragma once
// POST /v1/images/generations (JSON), /v1/images/edits and /v1/images/variations (multipart, sent upstream as
// they came with only `model` replaced) on the metered-call engine. Replies are JSON ({created, data[…], usage})
// or, with `stream`, events: image_generation.partial_image / image_edit.partial_image … then
// image_generation.completed / image_edit.completed carrying the usage.
//
// Billing: GPT image models from usage — text input at the model's price, image input at ImageRatio, output
// (image) tokens at CompletionRatio; without usage, the prompt's text tokens and ImageOutputTokens for each image
// delivered. DALL·E models by the image: each image delivered (n asked for are held) at the model's ImagePrice for
// its size and quality.
#include "http/multipartform.h"
#include "relay/calladapter.h"

#include <optional>

namespace RelayDesk::Relay {

class ImagesAdapter final : public CallAdapter
{
public:
    enum class Kind { Generation, Edit, Variation };

    struct Ask
    {
        qint64 images = 1;     // n
        QString size;          // as asked ("" = the model's default)
        QString quality;       // as asked ("" = the model's default)
        qint64 partialImages = 0;
        qint64 promptTokens = 0;
        bool stream = false;
        bool perImage = false; // the model is priced by the image (ImagePrice): no output tokens are counted
    };

    // A generation (JSON body).
    ImagesAdapter(QJsonObject request, Ask ask);
    // An edit or a variation (the client's multipart form and its Content-Type).
    ImagesAdapter(Kind kind, MultipartForm form, QByteArray contentType, Ask ask);

    QString requestPath() const override;
    QString reservationKind() const override { return QStringLiteral("images"); }
    Monitor::SessionKind sessionKind() const override { return Monitor::SessionKind::Image; }
    bool isStream() const override { return m_ask.stream; }
    PromptEstimate estimatePrompt(const QString &model) const override;
    const HoldParameters &hold() const override { return m_hold; }
    QString upstreamPath() const override;
    UpstreamBody upstreamBody(const QString &upstreamModel) const override;
    EventReport onEvent(const SseEvent &event, ClientSink &client) override;
    void writeStreamError(ClientSink &client, const OpenAiError &error) override;
    JsonReport onJson(const QJsonObject &reply) override;
    LocalOutput countOutput(const QString &upstreamModel) override;
    UsageReading readUsage(const QJsonValue &usage) const override;
    void describe(QJsonObject &other) const override;

private:
    Billing::Units deliveredUnits() const;
    // A stream of n images reports each image's usage on its own completed event (the prompt's and the input
    // images' tokens on the first): the call's usage is their sum. A count that is not one is left in, for the
    // strict reader to refuse.
    QJsonValue addUsage(const QJsonValue &usage);
    void noteSizeAndQuality(const QJsonObject &reply);

    Kind m_kind;
    QJsonObject m_request;
    std::optional<MultipartForm> m_form;
    QByteArray m_contentType;
    Ask m_ask;
    HoldParameters m_hold;
    qint64 m_delivered = 0;   // images in the reply, or completed events
    qint64 m_partials = 0;    // partial images streamed
    QString m_size;           // as the reply states them (GPT image models), else as asked
    QString m_quality;
    QJsonObject m_usageSum;
};

} // namespace RelayDesk::Relay
