#pragma once
// The `input` of /v1/embeddings and the `prompt` of the legacy /v1/completions: a string, an array of strings,
// an array of token ids, or an array of token-id arrays. Read strictly before anything is reserved (a value
// of another shape, an empty batch, a batch over the bound, a token id that is not an integer in
// [0, 2^31 − 1] is answered 400 invalid_request_error with `param` naming the field), and counted with the
// model's tokenizer (a token array counts its length).
#include "http/openaierror.h"

#include <QtCore/QJsonValue>
#include <QtCore/QList>
#include <QtCore/QString>

#include <variant>

namespace RelayDesk::Relay {

struct PromptInput
{
    struct Item
    {
        QString text;          // a string item
        qint64 tokenIds = -1;  // ≥ 0: a token array of this length (text unused)
        bool isTokens() const { return tokenIds >= 0; }
    };

    struct Limits
    {
        qsizetype maxItems = 2048;  // OpenAI's bound for an embeddings batch
        bool allowEmpty = false;    // an empty string / token array is an item (completions) or an error
    };

    QList<Item> items;

    static std::variant<PromptInput, OpenAiError> read(const QJsonValue &value, const QByteArray &param,
                                                       Limits limits);
    // Tokens of each item for `model` (exact tiktoken for OpenAI models, the estimator otherwise).
    QList<qint64> tokenCounts(const QString &model) const;
};

} // namespace RelayDesk::Relay
