// SPDX-License-Identifier: MIT
#pragma once

#include <QLocale>
#include <QString>
#include <QStringList>

class QCoreApplication;

namespace patchbay::ui {

// The languages Patchbay is translated into, as locale names ("en", "de", "zh_CN").
QStringList availableLanguages();
// The language's own name ("Deutsch", "简体中文").
QString languageName(const QString& language);
// The language chosen in the settings ("" = follow the system locale).
QString chosenLanguage();
void setChosenLanguage(const QString& language);

// Installs Patchbay's translation (embedded as :/i18n/patchbay_<lang>.qm) and Qt's own
// for `language` ("" = the system locale); a language without a translation leaves
// English. Returns the locale name whose translation was installed ("en" for none).
// Replaces what an earlier call installed.
QString installTranslations(QCoreApplication& app, const QString& language);
// The language of the translation installed now ("en" when none): lessons and the user
// guide's pages follow it.
QString installedLanguage();

} // namespace patchbay::ui
