// SPDX-License-Identifier: MIT
#pragma once

#include "ui/computeworker.h"

#include <QHash>
#include <QMainWindow>

#include <optional>

class QAction;
class QComboBox;
class QDockWidget;
class QLabel;
class QMenu;
class QProgressBar;
class QSpinBox;
class QStackedWidget;
class QTabWidget;
class QTimer;

namespace patchbay::ui {

class HeatmapView;
class LogitLensView;
class PromptEditor;
class RunPanel;
class Selection;

// The application window: a central graph canvas and rearrangeable docks (model, prompt
// pairs, run, scores, attention, logit lens). Every computation goes through the one
// ComputeWorker; the window keeps the results (cached per model, dataset and settings)
// and one Selection that every view follows. A failed load or run leaves what was shown
// and puts the message in the persistent error label of the status bar. GUI thread only.
class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // The docks by object name, for tests and for the saved layout.
    QList<QDockWidget*> docks() const;

    // For the next model load: core::LoadOptions::device ("cpu", "cuda", "cuda:N", "auto")
    // and dtype ("float32", "bfloat16", "float16").
    void setDevice(const QString& device);
    void setDtype(const QString& dtype);

    // The bundled demo model (resources/demo) with `datasetFile`, or with the demo's
    // induction.csv when none is given; says so when the demo is missing. False when a
    // load is already running.
    bool openDemo(const QString& datasetFile = {});
    // A model directory (loaded on the worker); `datasetFile`, when given, is opened too.
    bool openModel(const QString& directory, const QString& datasetFile = {});
    // A prompt-pair file, read at once and validated against the current model's tokenizer;
    // false (and the message in the error label) when it cannot be read.
    bool openDataset(const QString& file);
    // Runs `settings` on the editor's valid pairs, or shows the cached result of the same
    // model, pairs and settings. Returns false when there is nothing to run on.
    bool runAttribution(const RunSettings& settings);

    // Writes the shown result's scores as a circuit file ("native" or "eap-ig"); false
    // (and the message in the error label) when there is none or it cannot be written.
    bool exportCircuit(const QString& file, const QString& format);

    ComputeWorker* worker() const { return m_worker; }
    PromptEditor* promptEditor() const { return m_editor; }
    RunPanel* runPanel() const { return m_runPanel; }
    Selection* selection() const { return m_selection; }
    HeatmapView* scoreMap() const { return m_scoreMap; }
    HeatmapView* positionMap() const { return m_positionMap; }
    HeatmapView* attentionMap() const { return m_attentionMap; }
    LogitLensView* logitLens() const { return m_lens; }
    // The result on show (nullptr before the first run).
    const RunResult* currentResult() const;
    QString errorText() const;

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void createActions();
    void createDocks();
    void createStatusBar();
    QDockWidget* addDock(const QString& objectName, const QString& title, Qt::DockWidgetArea area, QWidget* content);
    QWidget* createModelPanel();
    QWidget* createAttentionPanel();
    void restoreLayout();
    void saveLayout() const;
    void updateRecentMenu();
    void rememberModel(const QString& path);

    void chooseModel();
    void chooseDataset();
    void exportView(HeatmapView* view, const QString& name);
    void exportCircuit();

    void onStarted(quint64 job, const QString& what);
    void onProgress(quint64 job, double fraction, const QString& stage);
    void onModelLoaded(quint64 job, const LoadedModel& model);
    void onRunFinished(const RunResult& result);
    void onAttention(const AttentionPatterns& patterns);
    void onFailed(quint64 job, const QString& message);
    void onCancelled(quint64 job);
    void onDatasetChanged();
    void updateReady();
    void showModel(const ModelSummary& model);
    void showResult(const QString& key);
    void showScores(const RunResult& result);
    // The selected pair's clean prompt as the model reads it; empty (and `why`, unless
    // simply nothing is selected) when there is none.
    std::vector<int32_t> selectedPromptIds(QString* why) const;
    void requestPairViews(); // attention and logit lens of the selected pair
    void requestAttention();
    void requestLogitLens();
    void onLogitLens(const LogitLensResult& lens);
    void showAttention();
    void followNode(const QString& node);
    void showError(const QString& message);

    ComputeWorker* m_worker = nullptr;
    Selection* m_selection = nullptr;
    PromptEditor* m_editor = nullptr;
    RunPanel* m_runPanel = nullptr;
    HeatmapView* m_scoreMap = nullptr;
    HeatmapView* m_positionMap = nullptr;
    HeatmapView* m_attentionMap = nullptr;
    LogitLensView* m_lens = nullptr;
    QTabWidget* m_scoreTabs = nullptr;

    QString m_device = QStringLiteral("cpu");
    QString m_dtype = QStringLiteral("float32");
    quint64 m_loadJob = 0;
    quint64 m_runJob = 0;
    quint64 m_attentionJob = 0;
    quint64 m_lensJob = 0;
    QString m_pendingDataset; // opened once the model that validates it has loaded
    QHash<QString, RunResult> m_results; // by model | dataset | settings key
    QString m_currentResult;
    std::optional<AttentionPatterns> m_attention; // of the selected pair's clean prompt

    QAction* m_openModelAction = nullptr;
    QAction* m_openDatasetAction = nullptr;
    QAction* m_exportCircuitAction = nullptr;
    QAction* m_runAction = nullptr;
    QAction* m_cancelAction = nullptr;
    QMenu* m_recentMenu = nullptr;
    QStackedWidget* m_modelStack = nullptr;
    QLabel* m_modelPlaceholder = nullptr;
    QHash<QString, QLabel*> m_modelFields; // by key; each label's object name is "model_<key>"
    QComboBox* m_deviceBox = nullptr;
    QComboBox* m_dtypeBox = nullptr;
    QSpinBox* m_attentionLayer = nullptr;
    QSpinBox* m_attentionHead = nullptr;
    QLabel* m_deviceLabel = nullptr;
    QLabel* m_modelLabel = nullptr;
    QLabel* m_errorLabel = nullptr;
    QProgressBar* m_progress = nullptr;
};

} // namespace patchbay::ui
