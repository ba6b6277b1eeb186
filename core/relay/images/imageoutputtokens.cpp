#include "relay/images/imageoutputtokens.h"

#include <array>

namespace RelayDesk::Relay {

namespace {

struct Row
{
    const char *size;
    qint64 low, medium, high;
};

// Square, portrait, landscape.
constexpr std::array<Row, 3> kTable{{
    {"1024x1024", 272, 1056, 4160},
    {"1024x1536", 408, 1584, 6240},
    {"1536x1024", 400, 1568, 6208},
}};

} // namespace

qint64 ImageOutputTokens::perImage(const QString &size, const QString &quality)
{
    const QString q = quality.trimmed().toLower();
    qint64 dearest = 0;
    for (const Row &row : kTable) {
        const qint64 tokens = q == QLatin1StringView("low")      ? row.low
                              : q == QLatin1StringView("medium") ? row.medium
                                                                 : row.high; // high, auto, unknown
        if (size.compare(QLatin1StringView(row.size), Qt::CaseInsensitive) == 0)
            return tokens;
        dearest = std::max(dearest, tokens);
    }
    return dearest; // auto or a size the table does not know
}

} // namespace RelayDesk::Relay
