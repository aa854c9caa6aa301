// SPDX-License-Identifier: MIT
// GUI smoke test: the main window comes up offscreen with its title and empty docks and
// closes cleanly.
#include "ui/mainwindow.h"

#include <QApplication>
#include <QDockWidget>
#include <QMenuBar>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTest>

using patchbay::ui::MainWindow;

class TestMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        // Keep the user's saved layout out of the test.
        QCoreApplication::setOrganizationName(QStringLiteral("PatchbayTests"));
        QCoreApplication::setApplicationName(QStringLiteral("test_mainwindow"));
    }

    void showsTitleAndDocks()
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.windowTitle(), QStringLiteral("Patchbay"));
        QStringList names;
        for (auto* dock : window.docks()) {
            names << dock->objectName();
            QVERIFY(dock->isVisible());
            QVERIFY(!dock->windowTitle().isEmpty());
        }
        names.sort();
        QCOMPARE(names, (QStringList{QStringLiteral("heatmapDock"), QStringLiteral("modelDock"),
                                     QStringLiteral("promptDock"), QStringLiteral("runDock")}));
        QVERIFY(window.menuBar()->actions().size() >= 3);
        QVERIFY(window.statusBar()->isVisible());
    }

    void closesCleanly()
    {
        auto* window = new MainWindow;
        window->setAttribute(Qt::WA_DeleteOnClose);
        window->show();
        QVERIFY(QTest::qWaitForWindowExposed(window));
        QSignalSpy destroyed(window, &QObject::destroyed);
        QVERIFY(window->close());
        QTRY_COMPARE(destroyed.count(), 1);
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_mainwindow.moc"
