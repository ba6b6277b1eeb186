// translations/relaydesk_zh_CN.ts is complete (every message translated, nothing unfinished) and the
// compiled catalogue is embedded and loads; an installed catalogue (the Debian package's) is found first.
#include "shell/translation.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTranslator>
#include <QXmlStreamReader>
#include <QtTest>

class TestTranslations final : public QObject
{
    Q_OBJECT

private slots:
    void everyMessageIsTranslated()
    {
        QFile ts(qEnvironmentVariable("RELAYDESK_SOURCE_DIR") + QStringLiteral("/translations/relaydesk_zh_CN.ts"));
        QVERIFY2(ts.open(QIODevice::ReadOnly), qPrintable(ts.fileName()));
        QXmlStreamReader xml(&ts);
        int messages = 0;
        QString context, source;
        QStringList missing;
        while (!xml.atEnd()) {
            xml.readNext();
            if (!xml.isStartElement())
                continue;
            if (xml.name() == QLatin1String("name"))
                context = xml.readElementText();
            else if (xml.name() == QLatin1String("source"))
                source = xml.readElementText();
            else if (xml.name() == QLatin1String("translation")) {
                ++messages;
                const QString type = xml.attributes().value(QLatin1String("type")).toString();
                const bool numerus = xml.attributes().hasAttribute(QLatin1String("numerus")) || false;
                Q_UNUSED(numerus);
                const QString text = xml.readElementText(QXmlStreamReader::IncludeChildElements);
                if (!type.isEmpty() || text.trimmed().isEmpty())
                    missing << context + QStringLiteral(": ") + source;
            }
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QVERIFY2(messages > 100, qPrintable(QString::number(messages)));
        QVERIFY2(missing.isEmpty(), qPrintable(missing.join(QLatin1Char('\n'))));
    }

    void compiledCatalogueIsEmbedded()
    {
        QTranslator translator;
        QVERIFY(translator.load(QStringLiteral(":/i18n/relaydesk_zh_CN.qm")));
        QCOMPARE(translator.translate("RelayDesk::Ui::MainWindow", "Channels"), QString::fromUtf8("渠道"));
        QCOMPARE(translator.translate("RelayDesk::Ui::MainWindow", "Live"), QString::fromUtf8("实时"));
        QCOMPARE(translator.translate("RelayDesk::Ui::LivePage", "Sessions: %1"), QString::fromUtf8("会话：%1"));
    }

    // The package installs /usr/share/relaydesk/translations for /usr/bin/relaydesk (tst_debpackage).
    void installedCatalogueBesideThePrefix()
    {
        QCOMPARE(RelayDesk::Ui::translationDirectories(QStringLiteral("/usr/bin")),
                 QStringList({QStringLiteral("/usr/share/relaydesk/translations"), QStringLiteral(":/i18n")}));
    }

    void installedCatalogueComesFirst()
    {
        QTemporaryDir prefix;
        QVERIFY(prefix.isValid());
        const QStringList directories = RelayDesk::Ui::translationDirectories(prefix.filePath(QStringLiteral("bin")));
        const QString installed = prefix.filePath(QStringLiteral("share/relaydesk/translations"));
        QCOMPARE(directories.first(), installed);

        QTranslator translator;
        QCOMPARE(RelayDesk::Ui::loadCatalogue(&translator, QStringLiteral("zh_CN"), directories), QStringLiteral(":/i18n"));
        QVERIFY(QDir().mkpath(installed));
        QVERIFY(QFile::copy(QStringLiteral(":/i18n/relaydesk_zh_CN.qm"), installed + QStringLiteral("/relaydesk_zh_CN.qm")));
        QCOMPARE(RelayDesk::Ui::loadCatalogue(&translator, QStringLiteral("zh_CN"), directories), installed);
        QCOMPARE(translator.translate("RelayDesk::Ui::MainWindow", "Channels"), QString::fromUtf8("渠道"));
        QCOMPARE(RelayDesk::Ui::loadCatalogue(&translator, QStringLiteral("fr"), directories), QString());
    }
};

QTEST_MAIN(TestTranslations)
#include "tst_translations.moc"
