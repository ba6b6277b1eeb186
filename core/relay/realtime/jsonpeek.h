#pragma once

#include <QByteArrayView>

#include <optional>

namespace RelayDesk::Relay {

// Reads one top-level string member of a JSON object without parsing the whole document.
//
// Realtime audio events carry tens of kilobytes of base64; the meter only needs their "type" and the
// length of one member, so a full QJsonDocument parse per event would dominate the relay's cost.
// Returns the raw bytes between the quotes (escape sequences are NOT decoded) or nullopt when the
// member is absent, not a string, or the input is not a JSON object. Never reads out of bounds.
std::optional<QByteArrayView> peekTopLevelString(QByteArrayView json, QByteArrayView key);

} // namespace RelayDesk::Relay
