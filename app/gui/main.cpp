// SPDX-License-Identifier: MIT
#include "ui/mainwindow.h"

#include "core/version.h"

#include <QApplication>

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Patchbay"));
    QApplication::setOrganizationName(QStringLiteral("Patchbay"));
    QApplication::setApplicationVersion(QStringLiteral(PATCHBAY_VERSION));

    patchbay::ui::MainWindow window;
    window.show();
    return app.exec();
}
