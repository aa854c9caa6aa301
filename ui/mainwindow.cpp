// SPDX-License-Identifier: MIT
#include "ui/mainwindow.h"

#include "core/version.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QVBoxLayout>

namespace patchbay::ui {

namespace {

QWidget* placeholderWidget(const QString& text, QWidget* parent)
{
    auto* widget = new QWidget(parent);
    auto* layout = new QVBoxLayout(widget);
    auto* label = new QLabel(text, widget);
    label->setAlignment(Qt::AlignCenter);
    label->setWordWrap(true);
    label->setEnabled(false); // greyed: nothing to show yet
    layout->addWidget(label);
    return widget;
}

} // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    setWindowTitle(tr("Patchbay"));
    setObjectName(QStringLiteral("MainWindow"));
    setCentralWidget(placeholderWidget(tr("Circuit graph\n\nLoad a model and run an attribution to see its circuit "
                                          "here."),
                                       this));
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowNestedDocks | QMainWindow::AllowTabbedDocks);
    createDocks();
    createActions();
    createStatusBar();
    resize(1280, 800);
    restoreLayout();
}

MainWindow::~MainWindow() = default;

QList<QDockWidget*> MainWindow::docks() const { return findChildren<QDockWidget*>(); }

QDockWidget* MainWindow::addDock(const QString& objectName, const QString& title, Qt::DockWidgetArea area,
                                 const QString& placeholder)
{
    auto* dock = new QDockWidget(title, this);
    dock->setObjectName(objectName);
    dock->setWidget(placeholderWidget(placeholder, dock));
    addDockWidget(area, dock);
    return dock;
}

void MainWindow::createDocks()
{
    addDock(QStringLiteral("modelDock"), tr("Model"), Qt::LeftDockWidgetArea, tr("No model loaded"));
    addDock(QStringLiteral("promptDock"), tr("Prompt pairs"), Qt::LeftDockWidgetArea, tr("No dataset"));
    addDock(QStringLiteral("runDock"), tr("Run"), Qt::RightDockWidgetArea, tr("Choose a method once a model is loaded"));
    addDock(QStringLiteral("heatmapDock"), tr("Heatmaps"), Qt::BottomDockWidgetArea, tr("No scores yet"));
}

void MainWindow::createActions()
{
    auto* fileMenu = menuBar()->addMenu(tr("&File"));
    auto* quit = fileMenu->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    auto* viewMenu = menuBar()->addMenu(tr("&View"));
    for (auto* dock : docks())
        viewMenu->addAction(dock->toggleViewAction());

    auto* helpMenu = menuBar()->addMenu(tr("&Help"));
    helpMenu->addAction(tr("&About Patchbay"), this, [this] {
        QMessageBox::about(this, tr("About Patchbay"),
                           tr("<b>Patchbay</b> %1<br>Find and inspect circuits in transformer language models.")
                               .arg(QStringLiteral(PATCHBAY_VERSION)));
    });
}

void MainWindow::createStatusBar()
{
    m_deviceLabel = new QLabel(tr("Device: cpu"), this);
    m_modelLabel = new QLabel(tr("No model"), this);
    m_errorLabel = new QLabel(this);
    m_errorLabel->setObjectName(QStringLiteral("errorLabel"));
    m_errorLabel->setStyleSheet(QStringLiteral("color: #b00020;"));
    statusBar()->addWidget(m_modelLabel);
    statusBar()->addWidget(m_errorLabel, 1);
    statusBar()->addPermanentWidget(m_deviceLabel);
}

void MainWindow::restoreLayout()
{
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
}

void MainWindow::saveLayout() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    saveLayout();
    event->accept();
}

} // namespace patchbay::ui
