#pragma once

#include <QString>

namespace RelayDesk::Ui {

// Installs the console's translator for a language choice ("" = the system locale, "en", "zh_CN").
// Replaces the previously installed one, so calling it again switches languages; Qt then sends
// QEvent::LanguageChange to every widget (MainWindow rebuilds its pages on it).
// Returns the language actually in effect ("en" when no translation matches).
QString applyLanguage(const QString &choice);

// The language the choice resolves to without installing anything.
QString resolveLanguage(const QString &choice);

} // namespace RelayDesk::Ui
