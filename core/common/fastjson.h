#pragma once
// JSON text to a QJsonDocument, several times faster than QJsonDocument::fromJson on the bodies the relay reads:
// simdjson (Debian's libsimdjson) parses and validates the UTF-8 in place, then the tree is built from it. Qt 6.4's
// parser decodes every string holding an escape one character at a time — every agent message, with its "\n"s —
// which made JSON parsing about two thirds of a 400 KB chat request's CPU.
//
// The document is the one QJsonDocument::fromJson gives: the same values (a whole number in the 64-bit range is an
// integer, as Qt stores it; a repeated key keeps its last value), the same key order. Anything simdjson refuses
// (malformed or non-UTF-8 text, a lone surrogate, a number out of range, a byte-order mark, too deep) goes to
// QJsonDocument::fromJson, so errors and their messages are Qt's; so does a document with a fractional zero (0.0,
// 1e-400: simdjson reads a number too small for a double as zero, which Qt refuses).
#include <QtCore/QByteArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonParseError>

namespace RelayDesk {

class FastJson final
{
public:
    // Below this size Qt's parser is the faster one (each key costs the tree built from simdjson's a QJsonObject
    // insert, 10–12 µs for a 700-byte chat reply against Qt's 3–5 µs; from about 1.2 KB of agent text simdjson wins,
    // 4x at 4 KB): see bench/chat/README.md.
    static constexpr qsizetype kSimdjsonFromBytes = 1024;

    // simdjson from kSimdjsonFromBytes on, Qt's parser below.
    static QJsonDocument parse(const QByteArray &json, QJsonParseError *error = nullptr);
    // Always simdjson first (what parse() does for large bodies; the tests and the fuzzer check it on every size).
    static QJsonDocument parseWithSimdjson(const QByteArray &json, QJsonParseError *error = nullptr);
};

} // namespace RelayDesk
