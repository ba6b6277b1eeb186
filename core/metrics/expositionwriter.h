#pragma once
// Prometheus' text exposition format, version 0.0.4 (what `promtool check metrics` and every scraper read;
// Debian 12 has no prometheus-cpp). A family is announced once — `# HELP` and `# TYPE` — and its samples follow
// before the next family. Counter names end in `_total` (the writer does not add it); a histogram writes
// `_bucket{le="…"}` for every bound and `+Inf`, then `_sum` and `_count`. Label values and HELP text are
// escaped here, so callers pass any text (a model or user name) as it is.
#include "metrics/histogram.h"

#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QString>

#include <utility>

namespace RelayDesk::Metrics {

class ExpositionWriter final
{
public:
    enum class Type { Counter, Gauge, Histogram };
    // Label name (a constant: [a-zA-Z_][a-zA-Z0-9_]*) and value (any text).
    using Labels = QList<std::pair<QByteArray, QString>>;

    static constexpr const char *kContentType = "text/plain; version=0.0.4; charset=utf-8";

    void family(const QByteArray &name, Type type, const QString &help);
    void sample(const QByteArray &name, const Labels &labels, qint64 value);
    void sample(const QByteArray &name, const Labels &labels, double value);
    // The series of one histogram (its family announced with Type::Histogram under `name`).
    void histogram(const QByteArray &name, const Labels &labels, const Histogram &h);

    const QByteArray &text() const { return m_out; }

    // `\` → `\\`, `"` → `\"`, newline → `\n` (label values); HELP text escapes only `\` and newline.
    static QByteArray escapeLabelValue(const QString &value);
    static QByteArray escapeHelp(const QString &help);
    // Shortest round-trip decimal; `+Inf`, `-Inf`, `NaN` as the format spells them.
    static QByteArray formatValue(double value);
    static bool isValidMetricName(const QByteArray &name);
    static bool isValidLabelName(const QByteArray &name);

private:
    void line(const QByteArray &name, const Labels &labels, const QByteArray &value,
              const std::pair<QByteArray, QByteArray> *extra = nullptr);

    QByteArray m_out;
};

} // namespace RelayDesk::Metrics
