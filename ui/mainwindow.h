// SPDX-License-Identifier: MIT
#pragma once

#include <QMainWindow>

class QDockWidget;
class QLabel;

namespace patchbay::ui {

// The application window: a central graph canvas and rearrangeable docks (model, prompt
// pairs, runs, heatmaps). GUI thread only.
class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // The docks by object name, for tests and for the saved layout.
    QList<QDockWidget*> docks() const;

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void createActions();
    void createDocks();
    void createStatusBar();
    QDockWidget* addDock(const QString& objectName, const QString& title, Qt::DockWidgetArea area,
                         const QString& placeholder);
    void restoreLayout();
    void saveLayout() const;

    QLabel* m_deviceLabel = nullptr;
    QLabel* m_modelLabel = nullptr;
    QLabel* m_errorLabel = nullptr;
};

} // namespace patchbay::ui
