#pragma once
// The "text" string of one JSON Lines record, read straight from the line's UTF-8 bytes: no
// QJsonDocument, no UTF-16 round trip. `relaydeskd count --jsonl` counts tokens on what this returns.
//
// Deliberately strict: it accepts only lines it can prove Qt's parser accepts with the same "text".
// First simdjson's DOM parser (SIMD validation and unescaping): an object it accepts within 64 levels,
// exactly one top-level "text" member (keys unescaped) that is a string, no raw noncharacter, no double
// that reads as zero (1e-400, which Qt refuses). Else a small scanner: an object (after an optional
// leading BOM and JSON whitespace), every value valid RFC 8259 JSON with valid UTF-8, numbers without
// exponents and shorter than 16 characters, nesting up to 64 levels, top-level keys without escapes,
// exactly one top-level "text" member and that a string without lone surrogate escapes or raw control
// characters. For anything else it returns nullopt and the caller takes the general QJsonDocument path,
// which yields the same count or the exact error message.
#include <optional>
#include <string>
#include <string_view>

namespace RelayDesk::Cli {

// The unescaped "text" member of `line`, or nullopt (see above). The view points into `line`, into *scratch
// or into the parser's buffer: it is valid until the next call. `readableAfter`: how many bytes after the
// line may be read (never used); simdjson::SIMDJSON_PADDING of them let the parser work in place instead of
// copying the line into a padded buffer first.
std::optional<std::string_view> jsonlText(std::string_view line, std::string *scratch, size_t readableAfter = 0);

} // namespace RelayDesk::Cli
