#include "fastjson.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>
#include <vector>

namespace RelayDesk {
namespace {

QString text(std::string_view utf8) // valid UTF-8: simdjson checked it
{
    return QString::fromUtf8(utf8.data(), qsizetype(utf8.size()));
}

// As Qt stores a number: a whole one that fits 64 bits as an integer, anything else as a double.
QJsonValue number(double d)
{
    constexpr double kTwo63 = 9223372036854775808.0;
    if (d >= -kTwo63 && d < kTwo63 && std::trunc(d) == d)
        return QJsonValue(qint64(d));
    return QJsonValue(d);
}

// A double that reads as zero may be a literal too small for a double (1e-400), which Qt refuses: a document with
// one is left to Qt (a zero written as 0 is an integer and never gets here).
struct Conversion
{
    bool leftToQt = false;
};

QJsonValue convert(simdjson::dom::element e, Conversion &c);

QJsonObject object(simdjson::dom::object o, Conversion &c)
{
    // Sorted by key first, the last of a repeated key kept: each insert then lands at the end, so a wide object
    // costs n log n rather than n² (QJsonObject keeps its keys sorted).
    std::vector<std::pair<QString, simdjson::dom::element>> members;
    members.reserve(o.size());
    for (const simdjson::dom::key_value_pair member : o)
        members.emplace_back(text(member.key), member.value);
    std::stable_sort(members.begin(), members.end(),
                     [](const auto &a, const auto &b) { return a.first < b.first; });
    QJsonObject out;
    for (std::size_t i = 0; i < members.size(); ++i) {
        if (i + 1 < members.size() && members[i + 1].first == members[i].first)
            continue; // a later one of the same key wins
        out.insert(members[i].first, convert(members[i].second, c));
    }
    return out;
}

QJsonArray array(simdjson::dom::array a, Conversion &c)
{
    QJsonArray out;
    for (const simdjson::dom::element e : a)
        out.append(convert(e, c));
    return out;
}

QJsonValue convert(simdjson::dom::element e, Conversion &c)
{
    switch (e.type()) {
    case simdjson::dom::element_type::OBJECT: return object(e.get_object().value_unsafe(), c);
    case simdjson::dom::element_type::ARRAY: return array(e.get_array().value_unsafe(), c);
    case simdjson::dom::element_type::STRING: return text(e.get_string().value_unsafe());
    case simdjson::dom::element_type::INT64: return QJsonValue(qint64(e.get_int64().value_unsafe()));
    case simdjson::dom::element_type::UINT64: return QJsonValue(double(e.get_uint64().value_unsafe()));
    case simdjson::dom::element_type::DOUBLE: {
        const double d = e.get_double().value_unsafe();
        c.leftToQt = c.leftToQt || d == 0.0;
        return number(d);
    }
    case simdjson::dom::element_type::BOOL: return QJsonValue(e.get_bool().value_unsafe());
    case simdjson::dom::element_type::NULL_VALUE: return QJsonValue(QJsonValue::Null);
    }
    return {};
}

// One parser per thread: it keeps its buffers between documents.
simdjson::dom::parser &threadParser()
{
    thread_local simdjson::dom::parser parser;
    return parser;
}

std::optional<QJsonDocument> parsed(const QByteArray &json)
{
    simdjson::dom::element root;
    if (threadParser().parse(json.constData(), std::size_t(json.size())).get(root) != simdjson::SUCCESS)
        return std::nullopt;
    Conversion c;
    QJsonDocument doc;
    switch (root.type()) {
    case simdjson::dom::element_type::OBJECT: doc = QJsonDocument(object(root.get_object().value_unsafe(), c)); break;
    case simdjson::dom::element_type::ARRAY: doc = QJsonDocument(array(root.get_array().value_unsafe(), c)); break;
    default: return std::nullopt; // a bare scalar: Qt's answer (and error) stands
    }
    if (c.leftToQt)
        return std::nullopt;
    return doc;
}

} // namespace

QJsonDocument FastJson::parse(const QByteArray &json, QJsonParseError *error)
{
    if (json.size() < kSimdjsonFromBytes)
        return QJsonDocument::fromJson(json, error);
    return parseWithSimdjson(json, error);
}

QJsonDocument FastJson::parseWithSimdjson(const QByteArray &json, QJsonParseError *error)
{
    if (std::optional<QJsonDocument> doc = parsed(json)) {
        if (error)
            *error = QJsonParseError{0, QJsonParseError::NoError};
        return *std::move(doc);
    }
    return QJsonDocument::fromJson(json, error);
}

} // namespace RelayDesk
