// SPDX-License-Identifier: MIT
#pragma once

#include "ui/modelloader.h"

#include <QHash>
#include <QMainWindow>

#include <optional>

class QAction;
class QDockWidget;
class QLabel;
class QProgressBar;
class QStackedWidget;
class QTableView;

namespace patchbay::ui {

class PromptPairModel;

// The application window: a central graph canvas and rearrangeable docks (model, prompt
// pairs, runs, heatmaps). Models and datasets load through a ModelLoader off the GUI
// thread; a failed load leaves what was shown before and puts the message in the
// persistent error label of the status bar. GUI thread only.
class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // The docks by object name, for tests and for the saved layout.
    QList<QDockWidget*> docks() const;

    // core::LoadOptions::device for the next model load ("cpu", "cuda", "cuda:N", "auto").
    void setDevice(const QString& device);

    // Each returns false when a load is already running (the File actions are disabled then).
    // The bundled demo model (resources/demo) with `datasetFile`, or with the demo's
    // induction.csv when none is given; says so in the model dock when the demo is missing.
    bool openDemo(const QString& datasetFile = {});
    // A model directory; without `datasetFile` the current dataset is read again, so that it
    // is validated against the new model's tokenizer.
    bool openModel(const QString& directory, const QString& datasetFile = {});
    // A prompt-pair file, validated against the current model.
    bool openDataset(const QString& file);

    ModelLoader* modelLoader() const { return m_loader; }
    PromptPairModel* promptPairs() const { return m_pairs; }

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void createActions();
    void createDocks();
    void createStatusBar();
    QDockWidget* addDock(const QString& objectName, const QString& title, Qt::DockWidgetArea area, QWidget* content);
    QWidget* createModelPanel();
    QWidget* createPromptPanel();
    void restoreLayout();
    void saveLayout() const;

    void chooseModel();
    void chooseDataset();
    bool startLoad(const ModelLoader::Request& request);
    void onLoadStarted(const QString& what);
    void onLoaded(const LoadResult& result);
    void onLoadFailed(const QString& message);
    void showModel(const ModelSummary& model);
    void showDataset();
    void showError(const QString& message);
    void setBusy(bool busy);

    ModelLoader* m_loader = nullptr;
    PromptPairModel* m_pairs = nullptr;
    QString m_device = QStringLiteral("cpu");
    std::optional<ModelSummary> m_model;
    bool m_requestHasModel = false; // what the running request loads

    QAction* m_openModelAction = nullptr;
    QAction* m_openDatasetAction = nullptr;
    QStackedWidget* m_modelStack = nullptr;
    QLabel* m_modelPlaceholder = nullptr;
    QHash<QString, QLabel*> m_modelFields; // by key; each label's object name is "model_<key>"
    QLabel* m_datasetHeader = nullptr;
    QTableView* m_pairView = nullptr;
    QLabel* m_deviceLabel = nullptr;
    QLabel* m_modelLabel = nullptr;
    QLabel* m_errorLabel = nullptr;
    QProgressBar* m_progress = nullptr;
};

} // namespace patchbay::ui
