#pragma once

#include <QCoreApplication>
#include <QJsonObject>
#include <QStringList>

namespace RelayDesk::Ui {

// The Responses API part of a log row's detail: which endpoint (request_path /v1/responses or
// /v1/responses/compact), the response id and status, cached / cache-write / reasoning tokens, and the built-in
// tool calls with their counts and the quota they added (tool_calls, tool_quota), from the row's `other`.
class ResponsesLogDetail final
{
    Q_DECLARE_TR_FUNCTIONS(RelayDesk::Ui::ResponsesLogDetail)

public:
    // True for a row the relay logged for a Responses call (request_path under /v1/responses).
    static bool applies(const QJsonObject &other);
    // Readable lines (no JSON), empty when the row is not a Responses row.
    static QStringList lines(const QJsonObject &other);
};

} // namespace RelayDesk::Ui
