// The Prometheus text exposition format 0.0.4 as ExpositionWriter writes it: label values and HELP text escaped
// (\\, \" and \n), values in the format's spelling (+Inf, NaN, shortest decimals), families announced once with
// HELP and TYPE, histograms as cumulative _bucket{le} series ending in +Inf, then _sum and _count.
#include "metrics/expositionwriter.h"

#include <QtTest/QtTest>

#include <limits>

using RelayDesk::Metrics::ExpositionWriter;
using RelayDesk::Metrics::Histogram;

class TestExpositionWriter final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void labelValueEscaping_data()
    {
        QTest::addColumn<QString>("value");
        QTest::addColumn<QByteArray>("escaped");
        QTest::newRow("plain") << QStringLiteral("gpt-4o-mini") << QByteArray("gpt-4o-mini");
        QTest::newRow("backslash") << QStringLiteral("a\\b") << QByteArray("a\\\\b");
        QTest::newRow("quote") << QStringLiteral("say \"hi\"") << QByteArray("say \\\"hi\\\"");
        QTest::newRow("newline") << QStringLiteral("two\nlines") << QByteArray("two\\nlines");
        QTest::newRow("all three") << QStringLiteral("\\\"\n") << QByteArray("\\\\\\\"\\n");
        QTest::newRow("escaped-looking text stays literal") << QStringLiteral("\\n") << QByteArray("\\\\n");
        QTest::newRow("utf-8") << QStringLiteral("用户") << QStringLiteral("用户").toUtf8();
        QTest::newRow("tab and braces pass") << QStringLiteral("a\t{b}=,c") << QByteArray("a\t{b}=,c");
        QTest::newRow("empty") << QString() << QByteArray();
    }
    void labelValueEscaping()
    {
        QFETCH(QString, value);
        QFETCH(QByteArray, escaped);
        QCOMPARE(ExpositionWriter::escapeLabelValue(value), escaped);
        ExpositionWriter w;
        w.sample("m", {{"l", value}}, qint64(1));
        QCOMPARE(w.text(), "m{l=\"" + escaped + "\"} 1\n");
    }

    void helpEscaping_data()
    {
        QTest::addColumn<QString>("help");
        QTest::addColumn<QByteArray>("escaped");
        QTest::newRow("plain") << QStringLiteral("Calls finished.") << QByteArray("Calls finished.");
        QTest::newRow("quote kept") << QStringLiteral("a \"b\"") << QByteArray("a \"b\"");
        QTest::newRow("backslash") << QStringLiteral("a\\b") << QByteArray("a\\\\b");
        QTest::newRow("newline") << QStringLiteral("a\nb") << QByteArray("a\\nb");
    }
    void helpEscaping()
    {
        QFETCH(QString, help);
        QFETCH(QByteArray, escaped);
        ExpositionWriter w;
        w.family("relaydesk_x_total", ExpositionWriter::Type::Counter, help);
        QCOMPARE(w.text(), "# HELP relaydesk_x_total " + escaped + "\n# TYPE relaydesk_x_total counter\n");
    }

    void values_data()
    {
        QTest::addColumn<double>("value");
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("zero") << 0.0 << QByteArray("0");
        QTest::newRow("integral") << 42.0 << QByteArray("42");
        QTest::newRow("shortest decimal") << 0.1 << QByteArray("0.1");
        QTest::newRow("small") << 0.0005 << QByteArray("0.0005");
        QTest::newRow("smaller") << 0.000123 << QByteArray("0.000123");
        QTest::newRow("negative") << -2.5 << QByteArray("-2.5");
        QTest::newRow("large integral") << 123456789012.0 << QByteArray("123456789012");
        QTest::newRow("huge") << 1e21 << QByteArray("1e+21");
        QTest::newRow("tiny") << 1e-12 << QByteArray("1e-12");
        QTest::newRow("+Inf") << std::numeric_limits<double>::infinity() << QByteArray("+Inf");
        QTest::newRow("-Inf") << -std::numeric_limits<double>::infinity() << QByteArray("-Inf");
        QTest::newRow("NaN") << std::numeric_limits<double>::quiet_NaN() << QByteArray("NaN");
    }
    void values()
    {
        QFETCH(double, value);
        QFETCH(QByteArray, text);
        QCOMPARE(ExpositionWriter::formatValue(value), text);
        // What is written reads back as the same number (the format is parsed as a Go float).
        if (!std::isnan(value) && !std::isinf(value))
            QCOMPARE(text.toDouble(), value);
    }

    void names_data()
    {
        QTest::addColumn<QByteArray>("name");
        QTest::addColumn<bool>("metric");
        QTest::addColumn<bool>("label");
        QTest::newRow("snake") << QByteArray("relaydesk_requests_total") << true << true;
        QTest::newRow("colon") << QByteArray("job:rate5m") << true << false;
        QTest::newRow("digit first") << QByteArray("5xx") << false << false;
        QTest::newRow("dash") << QByteArray("a-b") << false << false;
        QTest::newRow("reserved label") << QByteArray("__name__") << true << false;
        QTest::newRow("empty") << QByteArray() << false << false;
    }
    void names()
    {
        QFETCH(QByteArray, name);
        QFETCH(bool, metric);
        QFETCH(bool, label);
        QCOMPARE(ExpositionWriter::isValidMetricName(name), metric);
        QCOMPARE(ExpositionWriter::isValidLabelName(name), label);
    }

    void familyWithSamples()
    {
        ExpositionWriter w;
        w.family("relaydesk_requests_total", ExpositionWriter::Type::Counter, QStringLiteral("Calls."));
        w.sample("relaydesk_requests_total", {{"kind", QStringLiteral("chat")}, {"status", QStringLiteral("200")}},
                 qint64(3));
        w.sample("relaydesk_requests_total", {{"kind", QStringLiteral("chat")}, {"status", QStringLiteral("429")}},
                 qint64(1));
        w.family("relaydesk_users", ExpositionWriter::Type::Gauge, QStringLiteral("Users."));
        w.sample("relaydesk_users", {}, qint64(-7));
        QCOMPARE(w.text(), QByteArray("# HELP relaydesk_requests_total Calls.\n"
                                      "# TYPE relaydesk_requests_total counter\n"
                                      "relaydesk_requests_total{kind=\"chat\",status=\"200\"} 3\n"
                                      "relaydesk_requests_total{kind=\"chat\",status=\"429\"} 1\n"
                                      "# HELP relaydesk_users Users.\n"
                                      "# TYPE relaydesk_users gauge\n"
                                      "relaydesk_users -7\n"));
    }

    // Observations land in the first bucket whose bound is ≥ them (le is "less than or equal"); the buckets are
    // written cumulatively, +Inf counts everything, _sum and _count follow.
    void histogramBuckets_data()
    {
        QTest::addColumn<QList<double>>("observed");
        QTest::addColumn<QList<quint64>>("cumulative"); // le=0.1, le=1, le=+Inf
        QTest::addColumn<double>("sum");
        QTest::newRow("none") << QList<double>{} << QList<quint64>{0, 0, 0} << 0.0;
        QTest::newRow("on a bound") << QList<double>{0.1, 1} << QList<quint64>{1, 2, 2} << 1.1;
        QTest::newRow("between") << QList<double>{0.05, 0.5} << QList<quint64>{1, 2, 2} << 0.55;
        QTest::newRow("above every bound") << QList<double>{2, 30} << QList<quint64>{0, 0, 2} << 32.0;
        QTest::newRow("mixed") << QList<double>{0, 0.2, 5} << QList<quint64>{1, 2, 3} << 5.2;
    }
    void histogramBuckets()
    {
        QFETCH(QList<double>, observed);
        QFETCH(QList<quint64>, cumulative);
        QFETCH(double, sum);
        Histogram h({0.1, 1});
        for (double v : observed)
            h.observe(v);
        QCOMPARE(h.sum(), sum);
        ExpositionWriter w;
        w.histogram("relaydesk_d_seconds", {{"kind", QStringLiteral("chat")}}, h);
        const QByteArray expected =
            "relaydesk_d_seconds_bucket{kind=\"chat\",le=\"0.1\"} " + QByteArray::number(cumulative[0]) + "\n"
            "relaydesk_d_seconds_bucket{kind=\"chat\",le=\"1\"} " + QByteArray::number(cumulative[1]) + "\n"
            "relaydesk_d_seconds_bucket{kind=\"chat\",le=\"+Inf\"} " + QByteArray::number(cumulative[2]) + "\n"
            "relaydesk_d_seconds_sum{kind=\"chat\"} " + ExpositionWriter::formatValue(h.sum()) + "\n"
            "relaydesk_d_seconds_count{kind=\"chat\"} " + QByteArray::number(observed.size()) + "\n";
        QCOMPARE(w.text(), expected);
    }

    void histogramWithoutLabels()
    {
        Histogram h({0.5});
        h.observe(0.25);
        ExpositionWriter w;
        w.histogram("relaydesk_c_seconds", {}, h);
        QCOMPARE(w.text(), QByteArray("relaydesk_c_seconds_bucket{le=\"0.5\"} 1\n"
                                      "relaydesk_c_seconds_bucket{le=\"+Inf\"} 1\n"
                                      "relaydesk_c_seconds_sum 0.25\n"
                                      "relaydesk_c_seconds_count 1\n"));
    }

    // Shards merge by adding their buckets: the merged histogram is the one that saw everything.
    void histogramMerge()
    {
        const std::vector<double> bounds{0.1, 1};
        Histogram a(bounds), b(bounds), all(bounds);
        for (double v : {0.05, 2.0}) {
            a.observe(v);
            all.observe(v);
        }
        for (double v : {0.5, 0.1, 7.0}) {
            b.observe(v);
            all.observe(v);
        }
        Histogram empty;
        empty.merge(a);
        empty.merge(b);
        for (const Histogram *h : {&empty}) {
            QCOMPARE(h->bounds(), bounds);
            for (size_t i = 0; i <= bounds.size(); ++i)
                QCOMPARE(h->cumulative(i), all.cumulative(i));
            QCOMPARE(h->count(), all.count());
            QCOMPARE(h->sum(), all.sum());
        }
    }
};

QTEST_GUILESS_MAIN(TestExpositionWriter)
#include "tst_expositionwriter.moc"
