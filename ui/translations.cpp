// SPDX-License-Identifier: MIT
#include "ui/translations.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QSettings>
#include <QFileInfo>
#include <QTranslator>

#include <memory>

namespace patchbay::ui {

namespace {

std::unique_ptr<QTranslator>& ours()
{
    static std::unique_ptr<QTranslator> t;
    return t;
}

std::unique_ptr<QTranslator>& qts()
{
    static std::unique_ptr<QTranslator> t;
    return t;
}

} // namespace

QStringList availableLanguages() { return {QStringLiteral("en"), QStringLiteral("de"), QStringLiteral("zh_CN")}; }

QString languageName(const QString& language)
{
    if (language == QLatin1String("de"))
        return QStringLiteral("Deutsch");
    if (language == QLatin1String("zh_CN"))
        return QStringLiteral("简体中文");
    return QStringLiteral("English");
}

QString chosenLanguage() { return QSettings().value(QStringLiteral("language")).toString(); }

void setChosenLanguage(const QString& language) { QSettings().setValue(QStringLiteral("language"), language); }

QString installTranslations(QCoreApplication& app, const QString& language)
{
    for (auto* slot : {&ours(), &qts()}) {
        if (*slot) {
            QCoreApplication::removeTranslator(slot->get());
            slot->reset();
        }
    }
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    auto translator = std::make_unique<QTranslator>();
    // English is the source language: no file, nothing to install.
    if (locale.language() == QLocale::English || !translator->load(locale, QStringLiteral("patchbay"), QStringLiteral("_"),
                                                                    QStringLiteral(":/i18n")))
        return QStringLiteral("en");
    QCoreApplication::installTranslator(translator.get());
    ours() = std::move(translator);
    auto qt = std::make_unique<QTranslator>();
    if (qt->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"), QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
        QCoreApplication::installTranslator(qt.get());
        qts() = std::move(qt);
    }
    Q_UNUSED(app);
    return QFileInfo(ours()->filePath()).completeBaseName().mid(QStringLiteral("patchbay_").size());
}

QString installedLanguage()
{
    return ours() ? QFileInfo(ours()->filePath()).completeBaseName().mid(QStringLiteral("patchbay_").size())
                  : QStringLiteral("en");
}

} // namespace patchbay::ui
