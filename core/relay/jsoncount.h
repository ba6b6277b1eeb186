#pragma once
// The one strict reading of a count from untrusted JSON (a request's max_tokens, an upstream's usage).
//
// A count is a JSON number holding an exact non-negative integer no larger than `max`. Anything else — a
// string, a fraction, a negative number, NaN/inf, 1e300, an integer beyond qint64 — is not a count: the caller
// rejects it instead of guessing (a `static_cast<qint64>(1e300)` is undefined behaviour, and "bad → 0" bills
// nothing for a delivered answer).
#include <QtCore/QJsonValue>

#include <cmath>
#include <optional>

namespace RelayDesk::Relay {

// 2^53: the largest count a JSON double carries exactly; above it two different counts read the same.
inline constexpr qint64 kMaxJsonCount = qint64(1) << 53;

inline std::optional<qint64> jsonCount(const QJsonValue &value, qint64 max = kMaxJsonCount)
{
    if (!value.isDouble())
        return std::nullopt;
    // Range-check as a double first: a huge double (1e300, 2^63) must never reach an integer conversion.
    const double d = value.toDouble();
    if (!std::isfinite(d) || d < 0 || d > double(max))
        return std::nullopt;
    // Exact integer (Qt keeps integer literals as qint64; 100.0 is integral too); 1.5 gives the default (-1).
    const qint64 n = value.toInteger(-1);
    if (n < 0 || n > max)
        return std::nullopt;
    return n;
}

} // namespace RelayDesk::Relay
