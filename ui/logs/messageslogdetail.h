#pragma once

#include <QCoreApplication>
#include <QJsonObject>
#include <QStringList>

namespace RelayDesk::Ui {

// The Claude part of a log row's detail: Anthropic's additive usage split the way it was billed — input
// (input_tokens), cache reads, 5-minute cache writes, 1-hour cache writes and output — each with its tokens and
// what it cost at the row's own ratios (model_ratio × cache_ratio, create_cache_ratio, create_cache_ratio_1h,
// completion_ratio, × group_ratio, as logged), and the web searches with their quota. From the row's `other`.
class MessagesLogDetail final
{
    Q_DECLARE_TR_FUNCTIONS(RelayDesk::Ui::MessagesLogDetail)

public:
    // True for a row the relay logged for Anthropic's Messages API (request_path /v1/messages), for a chat call
    // converted for a Claude channel (upstream_api anthropic_messages), and for any other row whose usage has
    // prompt-cache writes.
    static bool applies(const QJsonObject &other);
    // Readable lines (no JSON), empty when the row is not such a row.
    static QStringList lines(const QJsonObject &other);
};

} // namespace RelayDesk::Ui
