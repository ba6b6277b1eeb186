#include "metrics/expositionwriter.h"

#include <QtCore/QLocale>

#include <cmath>

namespace RelayDesk::Metrics {

namespace {

bool isNameChar(char c, bool first, bool colon)
{
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
    return alpha || (!first && c >= '0' && c <= '9');
}

bool isValidName(const QByteArray &name, bool colon)
{
    if (name.isEmpty())
        return false;
    for (qsizetype i = 0; i < name.size(); ++i)
        if (!isNameChar(name.at(i), i == 0, colon))
            return false;
    return true;
}

const char *typeName(ExpositionWriter::Type type)
{
    switch (type) {
    case ExpositionWriter::Type::Counter:
        return "counter";
    case ExpositionWriter::Type::Gauge:
        return "gauge";
    case ExpositionWriter::Type::Histogram:
        return "histogram";
    }
    return "untyped";
}

} // namespace

bool ExpositionWriter::isValidMetricName(const QByteArray &name)
{
    return isValidName(name, true);
}

bool ExpositionWriter::isValidLabelName(const QByteArray &name)
{
    return isValidName(name, false) && !name.startsWith("__");
}

QByteArray ExpositionWriter::escapeLabelValue(const QString &value)
{
    const QByteArray utf8 = value.toUtf8();
    QByteArray out;
    out.reserve(utf8.size());
    for (const char c : utf8) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

QByteArray ExpositionWriter::escapeHelp(const QString &help)
{
    const QByteArray utf8 = help.toUtf8();
    QByteArray out;
    out.reserve(utf8.size());
    for (const char c : utf8) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

QByteArray ExpositionWriter::formatValue(double value)
{
    if (std::isnan(value))
        return "NaN";
    if (std::isinf(value))
        return value > 0 ? "+Inf" : "-Inf";
    // Plain decimals where they stay short (bucket bounds read "0.0005", not "5e-04"); exponents beyond.
    const double magnitude = std::fabs(value);
    const bool plain = value == 0 || (magnitude >= 1e-9 && magnitude < 1e15);
    return QByteArray::number(value, plain ? 'f' : 'g', QLocale::FloatingPointShortest);
}

void ExpositionWriter::family(const QByteArray &name, Type type, const QString &help)
{
    Q_ASSERT(isValidMetricName(name));
    m_out += "# HELP " + name + ' ' + escapeHelp(help) + '\n';
    m_out += "# TYPE " + name + ' ' + typeName(type) + '\n';
}

void ExpositionWriter::line(const QByteArray &name, const Labels &labels, const QByteArray &value,
                            const std::pair<QByteArray, QByteArray> *extra)
{
    m_out += name;
    if (!labels.isEmpty() || extra) {
        m_out += '{';
        bool first = true;
        for (const auto &[label, text] : labels) {
            Q_ASSERT(isValidLabelName(label));
            m_out += (first ? "" : ",") + label + "=\"" + escapeLabelValue(text) + '"';
            first = false;
        }
        if (extra) // already escaped (a histogram's `le`)
            m_out += (first ? "" : ",") + extra->first + "=\"" + extra->second + '"';
        m_out += '}';
    }
    m_out += ' ' + value + '\n';
}

void ExpositionWriter::sample(const QByteArray &name, const Labels &labels, qint64 value)
{
    line(name, labels, QByteArray::number(value));
}

void ExpositionWriter::sample(const QByteArray &name, const Labels &labels, double value)
{
    line(name, labels, formatValue(value));
}

void ExpositionWriter::histogram(const QByteArray &name, const Labels &labels, const Histogram &h)
{
    const QByteArray bucket = name + "_bucket";
    const std::vector<double> &bounds = h.bounds();
    for (size_t i = 0; i <= bounds.size(); ++i) {
        const std::pair<QByteArray, QByteArray> le{"le", i < bounds.size() ? formatValue(bounds[i]) : "+Inf"};
        line(bucket, labels, QByteArray::number(h.cumulative(i)), &le);
    }
    line(name + "_sum", labels, formatValue(h.sum()));
    line(name + "_count", labels, QByteArray::number(h.count()));
}

} // namespace RelayDesk::Metrics
