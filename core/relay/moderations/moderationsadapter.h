#pragma once
// POST /v1/moderations on the metered-call engine: free at OpenAI, so the model is priced 0 (the default price
// book says so for omni-moderation-latest, and the endpoint treats an unpriced moderation model as free), the
// hold is 0 and the settlement 0 — but the call is authenticated, routed (channel choice, model mapping,
// retries), logged with its request_path and shown live like any other. Moderation replies carry no usage: the
// input's text is counted locally for the log's token columns, and the reply goes to the client unchanged.
#include "relay/calladapter.h"

namespace RelayDesk::Relay {

class ModerationsAdapter final : public CallAdapter
{
public:
    explicit ModerationsAdapter(QJsonObject request);

    QString requestPath() const override { return QStringLiteral("/v1/moderations"); }
    QString reservationKind() const override { return QStringLiteral("moderations"); }
    Monitor::SessionKind sessionKind() const override { return Monitor::SessionKind::Moderation; }
    bool isStream() const override { return false; }
    PromptEstimate estimatePrompt(const QString &model) const override;
    const HoldParameters &hold() const override { return m_hold; }
    QString upstreamPath() const override { return QStringLiteral("moderations"); }
    UpstreamBody upstreamBody(const QString &upstreamModel) const override;
    EventReport onEvent(const SseEvent &event, ClientSink &client) override;
    JsonReport onJson(const QJsonObject &reply) override;
    LocalOutput countOutput(const QString &upstreamModel) override;
    void describe(QJsonObject &other) const override;

private:
    QJsonObject m_request;
    HoldParameters m_hold = HoldParameters::promptOnly();
    qint64 m_results = -1; // results in the reply (-1: no reply yet)
    qint64 m_flagged = 0;
};

} // namespace RelayDesk::Relay
