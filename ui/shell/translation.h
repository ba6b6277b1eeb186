#pragma once

#include <QString>
#include <QStringList>

class QTranslator;

namespace RelayDesk::Ui {

// Installs the console's translator for a language choice ("" = the system locale, "en", "zh_CN").
// Replaces the previously installed one, so calling it again switches languages; Qt then sends
// QEvent::LanguageChange to every widget (MainWindow rebuilds its pages on it).
// Returns the language actually in effect ("en" when no translation matches).
QString applyLanguage(const QString &choice);

// The language the choice resolves to without installing anything.
QString resolveLanguage(const QString &choice);

// Where relaydesk_<language>.qm is looked for, first match wins: the installed catalogue beside the executable's
// prefix (<prefix>/share/relaydesk/translations for <prefix>/bin, where the Debian package puts it, so a fixed
// catalogue can be dropped in without a rebuild), then the copy embedded at build time under :/i18n (a build
// tree, or a binary copied anywhere).
QStringList translationDirectories(const QString &applicationDir);

// Loads relaydesk_<language>.qm from the first of directories that has it; returns that directory, or "" when
// none has it.
QString loadCatalogue(QTranslator *translator, const QString &language, const QStringList &directories);

} // namespace RelayDesk::Ui
