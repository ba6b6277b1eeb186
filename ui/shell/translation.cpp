#include "shell/translation.h"

#include <QCoreApplication>
#include <QDir>
#include <QLibraryInfo>
#include <QLocale>
#include <QPointer>
#include <QTranslator>

namespace RelayDesk::Ui {

namespace {
QPointer<QTranslator> g_appTranslator;
QPointer<QTranslator> g_qtTranslator;

void removeTranslators()
{
    for (QPointer<QTranslator> *t : {&g_appTranslator, &g_qtTranslator}) {
        if (*t) {
            QCoreApplication::removeTranslator(*t);
            delete t->data();
        }
    }
}
} // namespace

QString resolveLanguage(const QString &choice)
{
    if (choice == QLatin1String("en") || choice == QLatin1String("zh_CN"))
        return choice;
    // Follow the system: every Chinese locale gets Simplified Chinese (the only translation we ship).
    const QLocale system;
    return system.language() == QLocale::Chinese ? QStringLiteral("zh_CN") : QStringLiteral("en");
}

QStringList translationDirectories(const QString &applicationDir)
{
    // RELAYDESK_TRANSLATIONS_RELDIR: the install destination relative to the executables' (ui/CMakeLists.txt).
    return {QDir::cleanPath(applicationDir + QLatin1Char('/') + QStringLiteral(RELAYDESK_TRANSLATIONS_RELDIR)),
            QStringLiteral(":/i18n")};
}

QString loadCatalogue(QTranslator *translator, const QString &language, const QStringList &directories)
{
    for (const QString &directory : directories)
        if (translator->load(QStringLiteral("relaydesk_") + language, directory))
            return directory;
    return {};
}

QString applyLanguage(const QString &choice)
{
    const QString language = resolveLanguage(choice);
    removeTranslators();
    if (language == QLatin1String("en")) {
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
        return language;
    }
    auto *translator = new QTranslator(QCoreApplication::instance());
    if (loadCatalogue(translator, language, translationDirectories(QCoreApplication::applicationDirPath())).isEmpty()) {
        delete translator;
        return QStringLiteral("en");
    }
    QLocale::setDefault(QLocale(language));
    // Qt's own strings (standard buttons, context menus) when the system has them installed.
    auto *qtTranslator = new QTranslator(QCoreApplication::instance());
    if (qtTranslator->load(QLocale(language), QStringLiteral("qtbase"), QStringLiteral("_"),
                           QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
        QCoreApplication::installTranslator(qtTranslator);
        g_qtTranslator = qtTranslator;
    } else {
        delete qtTranslator;
    }
    QCoreApplication::installTranslator(translator);
    g_appTranslator = translator;
    return language;
}

} // namespace RelayDesk::Ui
