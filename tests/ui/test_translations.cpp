// SPDX-License-Identifier: MIT
// Each translation, loaded the way the app loads it, leaves no English in the main window:
// every visible text (window and dock titles, menus and their actions, labels, buttons,
// combo-box items, tabs, table headers, tooltips) of a window built under the translation
// is compared with the same window built in English; a text found in both is
// untranslated unless it is a name that stays as it is (EAP, MLP, float32, …). The .ts
// files have no unfinished entry either.
#include "ui/headroles.h"
#include "ui/mainwindow.h"
#include "ui/translations.h"

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QFile>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QRegularExpression>
#include <QSet>
#include <QStandardPaths>
#include <QTabBar>
#include <QTemporaryDir>
#include <QTest>

using patchbay::ui::MainWindow;

namespace {

// Names that read the same in every language.
const QSet<QString> kSame = {
    QStringLiteral("Patchbay"), QStringLiteral("EAP"),     QStringLiteral("EAP-IG"),  QStringLiteral("ACDC"),
    QStringLiteral("AtP"),      QStringLiteral("MLP"),     QStringLiteral("CPU"),     QStringLiteral("float32"),
    QStringLiteral("bfloat16"), QStringLiteral("float16 (GPU)"), QStringLiteral("d_model"), QStringLiteral("d_head / d_mlp"),
    QStringLiteral("English"),  QStringLiteral("Deutsch"), QStringLiteral("简体中文"), QStringLiteral("Position"),
    QStringLiteral("Status"),   QStringLiteral("Name"),    QStringLiteral("Tokenizer"), QStringLiteral("Tokens"),
    QStringLiteral("Scores"),   QStringLiteral("Parameter"), QStringLiteral("Graphviz")};

void add(QSet<QString>& out, QString text)
{
    text.remove(QLatin1Char('&'));
    text.remove(QRegularExpression(QStringLiteral("\\(\\w\\)$"))); // "文件(F)" accelerators
    text = text.trimmed();
    if (text.contains(QRegularExpression(QStringLiteral("\\p{L}{2,}"))))
        out.insert(text);
}

void addMenu(QSet<QString>& out, const QMenu* menu)
{
    add(out, menu->title());
    for (const QAction* action : menu->actions()) {
        if (action->isSeparator())
            continue;
        add(out, action->text());
        add(out, action->statusTip());
        if (action->menu())
            addMenu(out, action->menu());
    }
}

// Every text the window shows (or shows on hover).
QSet<QString> visibleTexts(const MainWindow& window)
{
    QSet<QString> out;
    add(out, window.windowTitle());
    for (const QAction* action : window.menuBar()->actions())
        if (action->menu())
            addMenu(out, action->menu());
    for (const QWidget* w : window.findChildren<QWidget*>()) {
        if (!w->isVisibleTo(&window) && !qobject_cast<const QDockWidget*>(w))
            continue;
        add(out, w->toolTip());
        if (const auto* dock = qobject_cast<const QDockWidget*>(w))
            add(out, dock->windowTitle());
        else if (const auto* label = qobject_cast<const QLabel*>(w))
            add(out, label->text());
        else if (const auto* button = qobject_cast<const QAbstractButton*>(w))
            add(out, button->text());
        else if (const auto* combo = qobject_cast<const QComboBox*>(w)) {
            for (int i = 0; i < combo->count(); ++i) {
                add(out, combo->itemText(i));
                add(out, combo->itemData(i, Qt::ToolTipRole).toString());
            }
        } else if (const auto* tabs = qobject_cast<const QTabBar*>(w)) {
            for (int i = 0; i < tabs->count(); ++i)
                add(out, tabs->tabText(i));
        } else if (const auto* view = qobject_cast<const QAbstractItemView*>(w); view && view->model()) {
            for (int c = 0; c < view->model()->columnCount(); ++c)
                add(out, view->model()->headerData(c, Qt::Horizontal).toString());
        }
    }
    return out;
}

} // namespace

class TestTranslations : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("PatchbayTests"));
        QCoreApplication::setApplicationName(QStringLiteral("test_translations"));
        // File > Open Fetched Model lists the model files tools/fetch-models.sh fetched, names
        // that are data, not text to translate: an empty cache shows the (translated) hint.
        QVERIFY(m_emptyCache.isValid());
        qputenv("PATCHBAY_MODELS", m_emptyCache.path().toUtf8());
        QCOMPARE(patchbay::ui::installTranslations(*qApp, QStringLiteral("en")), QStringLiteral("en"));
        MainWindow english;
        english.show();
        m_english = visibleTexts(english);
        QVERIFY2(m_english.size() > 120, qPrintable(QString::number(m_english.size())));
    }

    void windowIsTranslated_data()
    {
        QTest::addColumn<QString>("language");
        QTest::newRow("de") << QStringLiteral("de");
        QTest::newRow("zh_CN") << QStringLiteral("zh_CN");
    }

    void windowIsTranslated()
    {
        QFETCH(QString, language);
        QCOMPARE(patchbay::ui::installTranslations(*qApp, language), language);
        QSet<QString> texts;
        {
            MainWindow window;
            window.show();
            texts = visibleTexts(window);
        }
        // Texts made outside a widget class (the head-role heatmap's) find their context too.
        patchbay::core::HeadScores none;
        const QString noHeads = patchbay::ui::headRoleSummary(none, none.induction);
        const QString headTitle = patchbay::ui::headRolesHeatmap(none).title;
        patchbay::ui::installTranslations(*qApp, QStringLiteral("en"));
        QVERIFY2(noHeads != patchbay::ui::headRoleSummary(none, none.induction), qPrintable(noHeads));
        QVERIFY2(headTitle != patchbay::ui::headRolesHeatmap(none).title, qPrintable(headTitle));
        QVERIFY(texts.size() > 120);
        QStringList untranslated;
        for (const QString& text : std::as_const(texts))
            if (m_english.contains(text) && !kSame.contains(text))
                untranslated << text;
        untranslated.sort();
        QVERIFY2(untranslated.isEmpty(), qPrintable(language + QStringLiteral(": ") + untranslated.join(QStringLiteral(" | "))));
    }

    void tsFilesAreFinished_data() { windowIsTranslated_data(); }

    void tsFilesAreFinished()
    {
        QFETCH(QString, language);
        QFile ts(QStringLiteral(PATCHBAY_TEST_DATA_DIR "/../../translations/patchbay_%1.ts").arg(language));
        QVERIFY(ts.open(QIODevice::ReadOnly));
        const QByteArray text = ts.readAll();
        QVERIFY(text.count("<message") > 300);
        QCOMPARE(text.count("type=\"unfinished\""), 0);
        QCOMPARE(text.count("type=\"obsolete\""), 0);
    }

private:
    QSet<QString> m_english;
    QTemporaryDir m_emptyCache;
};

QTEST_MAIN(TestTranslations)
#include "test_translations.moc"
