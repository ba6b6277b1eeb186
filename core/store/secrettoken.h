#pragma once
// The bearer secrets the relay hands out once and keeps only as a hash: API keys ("sk-…") and Realtime's ephemeral
// client secrets ("ek_…"). One rule for both: a prefix and 48 base62 characters from the OS CSPRNG, stored as the
// SHA-256 of the whole text.
#include <QtCore/QLatin1StringView>
#include <QtCore/QString>

namespace RelayDesk::Store {

class SecretToken final
{
public:
    static constexpr int kRandomChars = 48;

    static QString generate(QLatin1StringView prefix);
    // The shape generate() makes for `prefix` (a cheap check before any lookup).
    static bool looksLike(const QString &text, QLatin1StringView prefix);
    // Lower-case hex SHA-256 of the UTF-8 text: what the store keeps.
    static QString hash(const QString &token);
};

} // namespace RelayDesk::Store
