#pragma once
// GET /v1/models in Anthropic's shape (what the Anthropic SDK's models.list and models.retrieve parse):
//
//   {"data":[{"type":"model","id":…,"display_name":…,"created_at":"RFC 3339"}…],
//    "has_more":bool,"first_id":id|null,"last_id":id|null}
//
// Pages as Anthropic documents them: `limit` 1..1000 (default 20); `after_id` gives the page right after that id,
// `before_id` the page right before it, and has_more says whether more lie beyond the page in that direction.
// The relay lists models in id order, so a cursor is a position in that order, not a row that must still exist:
// a model removed between two pages does not break the next one. after_id with before_id is refused (400).
//
// The relay keeps no catalogue of model names and dates: display_name is spelled from a Claude id
// ("claude-sonnet-4-5" → "Claude Sonnet 4.5", a trailing -YYYYMMDD dropped), any other id stands for itself;
// created_at is the date in a trailing -YYYYMMDD, else the Unix epoch (as the OpenAI shape's "created": 0).
#include "http/openaierror.h"

#include <QtCore/QJsonObject>
#include <QtCore/QStringList>

#include <variant>

namespace RelayDesk::Relay {

struct HttpRequest;

class AnthropicModelList final
{
public:
    static constexpr int kDefaultLimit = 20;
    static constexpr int kMaxLimit = 1000;

    // The page of `models` that the request's query asks for; a 400 for a bad limit or both cursors.
    static std::variant<QJsonObject, OpenAiError> page(QStringList models, const HttpRequest &request);
    // One model object.
    static QJsonObject model(const QString &id);
    static QString displayName(const QString &id);
    static QString createdAt(const QString &id);
};

} // namespace RelayDesk::Relay
