// SPDX-License-Identifier: MIT
#pragma once

#include "ui/computeworker.h"

#include "core/data/session.h"

#include <QHash>
#include <QMainWindow>
#include <QMessageBox>
#include <QThreadPool>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

class QAction;
class QCheckBox;
class QComboBox;
class QDockWidget;
class QLabel;
class QMenu;
class QProgressBar;
class QSpinBox;
class QStackedWidget;
class QTabWidget;
class QTextBrowser;
class QToolButton;
class QTimer;
class QUndoGroup;

namespace patchbay::ui {

class AttentionGrid;
class GraphCanvas;
struct EdgeRanking;
class HeatmapView;
class LessonDock;
class LogitLensView;
class PromptEditor;
class RunPanel;
class Selection;
class WindowLessonHost;

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
    // A model (loaded on the worker): `path` is a Hugging Face model folder, a .safetensors
    // file or a .gguf file; `datasetFile`, when given, is opened too.
    bool openModel(const QString& path, const QString& datasetFile = {});
    // A prompt-pair file, read at once and validated against the current model's tokenizer;
    // false (and the message in the error label) when it cannot be read.
    bool openDataset(const QString& file);
    // Runs `settings` on the editor's valid pairs, or shows the cached result of the same
    // model, pairs and settings. Returns false when there is nothing to run on.
    bool runAttribution(const RunSettings& settings);
    // Run > Find Induction and Previous-Token Heads: scores every head on repeated random
    // tokens (core::scoreHeads) in the worker; the Head roles tab shows them and the heads at
    // or above kHeadRoleThreshold get their roles as labels. False (with the error shown)
    // without a model.
    bool findHeadRoles();

    // Shows a circuit file (EAP-IG JSON, native) on the graph canvas, adapted to the loaded
    // model; one made for another model is shown on its own graph and the mismatch said
    // (not evaluated). The file is read on a thread of its own (a busy bar in the status
    // bar meanwhile): circuitImported() says when it is on the graph, or that it could not
    // be read (state kept, the error said). False when another import is still running.
    bool importCircuit(const QString& file);
    bool isImporting() const { return !m_importing.isEmpty(); }
    // Writes the canvas's circuit ("native", "eap-ig", "dot"); false and the message in
    // the error label when there is none or it cannot be written.
    bool exportCanvasCircuit(const QString& file, const QString& format);
    GraphCanvas* graphCanvas() const { return m_canvas; }

    // Writes the shown result's scores as a circuit file ("native" or "eap-ig"); false
    // (and the message in the error label) when there is none or it cannot be written.
    bool exportCircuit(const QString& file, const QString& format);
    // A heatmap (PNG/SVG/PDF by suffix) or the graph's drawing (SVG/PNG); the status bar
    // confirms and the folder is remembered for the next dialog.
    bool exportViewTo(HeatmapView* view, const QString& file);
    bool exportDrawing(const QString& file);
    // What a save dialog proposes: named after the model, method and pairs ("demo-eap-
    // induction-scores.png"; what: "scores", "circuit", "graph", "session", …) in the folder
    // last written to (else the home folder).
    QString suggestedPath(const QString& what, const QString& suffix) const;

    // Sessions (core::Session): the model (path and weights fingerprint), the pairs as
    // edited, the run settings, every run of this window with its scores and circuit, node
    // labels and groups, and the view state (selection, attention head, score tab).
    core::Session session() const;
    // Writes session() to `file`; false (and the message in the error label) on failure.
    bool saveSession(const QString& file);
    // Replaces the window's pairs, runs, settings and labels by the session's and loads its
    // model (unless that model is already loaded); the view state follows once it has
    // loaded. A model whose weights changed since the session was saved is said so in the
    // error label, and the old scores stay cached without being shown. False (state kept)
    // when the file cannot be read or a computation is running.
    bool openSession(const QString& file);
    QString sessionFile() const { return m_sessionFile; }
    // The window's work is modified while it holds something no file has: pairs edited or
    // generated since they were opened or exported, runs, labels or canvas edits since the
    // session was last saved or opened. The title shows it (`*`), and closing or opening a
    // session asks first (replacing the pairs is undoable instead).
    bool isWorkModified() const;
    // How the window asks before work would be lost: Save, Discard or Cancel. Tests set an
    // answer instead of the default message box.
    using UnsavedWorkPrompt = std::function<QMessageBox::StandardButton(const QString& question)>;
    void setUnsavedWorkPrompt(UnsavedWorkPrompt prompt) { m_unsavedWorkPrompt = std::move(prompt); }
    // Autosave: 2 s after a change the session is written off the GUI thread to
    // autosaveFile() (one per running window); a clean close moves it to
    // lastSessionFile(). An autosave left by a process that no longer runs (a crash) is
    // moved to recoveredSessionFile() at the next start, and the window says so.
    QString autosaveFile() const { return m_autosaveFile; }
    static QString lastSessionFile();
    static QString recoveredSessionFile();
    void autosaveNow(); // writes at once and waits for the write (tests, quitting)
    // Opens the newer of the recovered and the last session; false when there is none.
    bool reopenLastSession();

    // User labels of nodes ("previous-token head") and groups of heads; saved in sessions.
    void setNodeLabel(const QString& node, const QString& label);
    const std::map<std::string, std::string>& nodeLabels() const { return m_labels; }

    ComputeWorker* worker() const { return m_worker; }
    PromptEditor* promptEditor() const { return m_editor; }
    RunPanel* runPanel() const { return m_runPanel; }
    Selection* selection() const { return m_selection; }
    HeatmapView* scoreMap() const { return m_scoreMap; }
    HeatmapView* positionMap() const { return m_positionMap; }
    HeatmapView* attentionMap() const { return m_attentionMap; }
    HeatmapView* adjacencyMap() const { return m_adjacencyMap; }
    HeatmapView* headRolesMap() const { return m_headMap; }
    AttentionGrid* attentionGrid() const { return m_attentionGrid; }
    LogitLensView* logitLens() const { return m_lens; }
    // The result on show (nullptr before the first run).
    const RunResult* currentResult() const;
    // The message in the status bar, whole (the bar shows its first line, Details… all of
    // it), with any run of control bytes or undecodable bytes shown as one U+FFFD.
    QString errorText() const;
    static QString printableMessage(const QString& message);
    // Help > User Guide: docs/README.md (or `page`, relative to it) in a browser window of
    // the app, offline; nullptr (and the error label says why) when the guide is missing.
    QTextBrowser* showUserGuide(const QString& page = {});
    static QString userGuideFile();
    // The .gguf files tools/fetch-models.sh fetched (File > Open Fetched Model).
    static QStringList fetchedModelFiles() { return fetchedModels(); }
    // What identifies a set of pairs in result caches (RunResult::datasetKey).
    static QString datasetKeyOf(const core::Dataset& data);
    // Lessons > …: the Lessons dock, shown, with the lesson `id` (shipped or from a folder
    // opened with openLessonFolder) at its first step; false when it cannot be read (the
    // dock says why). Progress is kept in sessions.
    LessonDock* lessonDock() const { return m_lessons; }
    bool openLesson(const QString& id);
    void openLessonFolder(const QString& folder);
    // Where File > Import Circuit… opens: beside the last circuit imported, else beside the
    // loaded model (the demo's reference circuit), else the home folder.
    QString circuitDialogStart() const;

Q_SIGNALS:
    // An import (importCircuit) ended: the circuit is on the graph (ok), or the error is said.
    void circuitImported(const QString& file, bool ok);

protected:
    void showEvent(QShowEvent* event) override;
    void closeEvent(QCloseEvent* event) override;

private:
    friend class WindowLessonHost; // lessons read the window's state and act as the user would

    void createActions();
    void createDocks();
    void createStatusBar();
    QDockWidget* addDock(const QString& objectName, const QString& title, Qt::DockWidgetArea area, QWidget* content);
    QWidget* createModelPanel();
    QWidget* createAttentionPanel();
    void applyDefaultLayout();
    void restoreLayout();
    void saveLayout() const;
    void updateRecentMenu();
    void rememberModel(const QString& path);

    void chooseModel();
    void chooseModelFolder();
    QString modelDialogStart() const;
    void updateFetchedMenu();
    // The .gguf files under ${PATCHBAY_MODELS:-~/.cache/patchbay/models}/*/ (tools/fetch-models.sh).
    static QStringList fetchedModels();
    void chooseDataset();
    void exportView(HeatmapView* view, const QString& name);
    void exported(const QString& file);         // says so in the status bar, remembers the folder
    static void rememberFolder(const QString& file);
    void exportCircuit();

    void onStarted(quint64 job, const QString& what);
    void onProgress(quint64 job, double fraction, const QString& stage);
    void onModelLoaded(quint64 job, const LoadedModel& model);
    void onRunFinished(const RunResult& result);
    void onAttention(const AttentionPatterns& patterns);
    void onHeadScores(const HeadScoresResult& result);
    void onFailed(quint64 job, const QString& message);
    void onCancelled(quint64 job);
    void onDatasetChanged();
    void updateReady();
    void showModel(const ModelSummary& model);
    void showResult(const QString& key);
    void finishImport(const QString& file, std::shared_ptr<core::Circuit> imported, std::shared_ptr<EdgeRanking> ranking,
                      const QString& error, bool perQueryHead);
    void insertResult(const QString& key, const RunResult& result);
    void listResultsOf(const ModelSummary& model); // the Results list: that model's runs, oldest first
    void showScores(const RunResult& result);
    static QString resultText(const RunResult& result);    // "EAP · … — induction.csv, 64 pairs"
    // "EAP · … · scores from induction.csv"; an ACDC result with several thresholds adds the τ shown.
    static QString canvasTitle(const RunResult& result, int acdcChoice = 0);
    // The result's circuit as shown: ACDC's kept edges are those of the chosen threshold.
    static core::Circuit resultCircuit(const RunResult& result, int acdcChoice);
    int acdcChoice(const QString& key) const { return m_acdcChoice.value(key, 0); }
    void chooseAcdcCircuit(int index);
    void showAdjacency(); // the graph's circuit in the Sender × receiver tab
    static QString resultToolTip(const RunResult& result);
    // The selected pair's clean prompt as the model reads it; empty (and `why`, unless
    // simply nothing is selected) when there is none.
    std::vector<int32_t> selectedPromptIds(QString* why, bool corrupted = false) const;
    void requestPairViews(); // attention and logit lens of the selected pair
    void requestAttention();
    void requestLogitLens();
    void onLogitLens(const LogitLensResult& lens);
    void showAttention();
    void followNode(const QString& node);
    void showError(const QString& message);
    void showErrorDetails();
    void requestCircuitMetric();
    void onCircuitEvaluated(const CircuitEvaluation& evaluation);
    // Why `node` (a selection) stands for nothing of the loaded model: a node of another
    // model's circuit on the graph, or a name the model lacks ("" when it is the model's).
    QString foreignNodeReason(const QString& node) const;
    QString canvasMismatch() const; // why the canvas's circuit cannot run on the model ("" if it can)
    void markDirty(); // schedules an autosave
    void markUnsaved(); // work that only a session can keep (runs, labels): modified + autosave
    void markSaved();   // the work is that of the session just saved or opened
    void updateTitle(); // "session · model · pairs[*] — Patchbay"
    // Asks (Save / Discard / Cancel) when the work is modified; true when it may go:
    // saved, discarded, or nothing to lose. `action` says what would replace it.
    bool keepOrDiscardWork(const QString& action);
    void autosave();
    void recoverCrashedSessions();
    void applySessionView(const core::Session& session);
    void chooseSessionToOpen();
    bool chooseSessionToSave(bool askForName);

    ComputeWorker* m_worker = nullptr;
    Selection* m_selection = nullptr;
    PromptEditor* m_editor = nullptr;
    RunPanel* m_runPanel = nullptr;
    HeatmapView* m_scoreMap = nullptr;
    HeatmapView* m_positionMap = nullptr;
    HeatmapView* m_attentionMap = nullptr;
    HeatmapView* m_headMap = nullptr; // head roles (Run > Find Induction and Previous-Token Heads)
    HeatmapView* m_adjacencyMap = nullptr; // the graph's circuit, sender × receiver node
    bool m_adjacencyStale = false;         // made when its tab is shown (a huge graph)
    AttentionGrid* m_attentionGrid = nullptr;
    QComboBox* m_attentionPrompt = nullptr; // clean / corrupted
    QCheckBox* m_attentionAllHeads = nullptr;
    LogitLensView* m_lens = nullptr;
    GraphCanvas* m_canvas = nullptr;
    QTimer* m_metricTimer = nullptr; // debounces the canvas's metric requests
    QTimer* m_metricBusyTimer = nullptr; // says "computing…" when a metric takes long
    quint64 m_metricRequest = 0;
    quint64 m_metricJob = 0;
    QUndoGroup* m_undoGroup = nullptr;
    QTabWidget* m_scoreTabs = nullptr;

    QString m_device = QStringLiteral("cpu");
    QString m_dtype = QStringLiteral("float32");
    quint64 m_loadJob = 0;
    quint64 m_runJob = 0;
    quint64 m_attentionJob = 0;
    quint64 m_lensJob = 0;
    quint64 m_headsJob = 0;
    QString m_pendingDataset; // opened once the model that validates it has loaded
    QHash<QString, RunResult> m_results; // by model | dataset | settings key
    QStringList m_resultOrder;           // m_results' keys in the order the runs finished
    QString m_currentResult;
    QHash<QString, int> m_acdcChoice; // result key -> the ACDC threshold whose circuit is shown
    QString m_canvasResult; // the result whose scores the canvas shows ("" for an imported circuit)
    std::optional<AttentionPatterns> m_attention; // of the selected pair's clean prompt

    QString m_sessionFile;
    QString m_errorText;
    QString m_lastCircuitFile; // the last circuit imported, where Import Circuit… opens
    QToolButton* m_errorDetails = nullptr;
    QTextBrowser* m_guide = nullptr;
    bool m_unsaved = false; // runs or labels since the session was last saved or opened
    UnsavedWorkPrompt m_unsavedWorkPrompt;
    QString m_notice; // shown in the error label while there is no error (a session to recover)
    std::optional<core::Session> m_pendingSession; // its view state follows the model load
    std::map<std::string, std::string> m_labels, m_groups;
    QString m_autosaveFile;
    QTimer* m_autosaveTimer = nullptr;
    QThreadPool m_importPool; // circuit files, read one at a time (importCircuit)
    QString m_importing;      // the file being read ("" none)
    quint64 m_importGeneration = 0; // bumped by an import, a session, a model: a stale read is dropped
    bool m_layoutRestored = false; // a saved dock layout was applied (restoreLayout)
    bool m_shownOnce = false;
    QThreadPool m_ioPool; // one thread: autosaves are written in order, off the GUI thread
    QAction* m_reopenSessionAction = nullptr;
    std::unique_ptr<WindowLessonHost> m_lessonHost;
    LessonDock* m_lessons = nullptr;
    QMenu* m_lessonsMenu = nullptr;
    QStringList m_lessonFolders; // opened by the user (Lessons > Open a Lesson Folder…), for sessions

    QAction* m_openModelAction = nullptr;
    QAction* m_openDatasetAction = nullptr;
    QAction* m_exportCircuitAction = nullptr;
    QAction* m_runAction = nullptr;
    QAction* m_headsAction = nullptr;
    QAction* m_cancelAction = nullptr;
    QMenu* m_recentMenu = nullptr;
    QMenu* m_fetchedMenu = nullptr; // the GGUF files tools/fetch-models.sh fetched
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
