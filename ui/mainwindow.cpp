// SPDX-License-Identifier: MIT
// The main window: construction, the menus and actions, the status bar, the saved dock layout
// and closing. The other parts of MainWindow live beside it: mainwindow_docks.cpp (the panels),
// mainwindow_files.cpp (opening models and data, importing and exporting), mainwindow_results.cpp
// (the worker's answers and the views of a result) and mainwindow_sessions.cpp (sessions, autosave).
#include "ui/mainwindow.h"
#include "ui/mainwindow_p.h"
#include "ui/strings.h"
#include "core/graph/circuit.h"
#include "core/common/error.h"
#include "core/data/session.h"
#include "core/common/system.h"
#include "core/methods/taskperformance.h"
#include "core/tokenize/tokenizer.h"
#include "core/common/version.h"
#include "ui/attentiongrid.h"
#include "ui/graphcanvas.h"
#include "ui/heatmap.h"
#include "ui/lessons.h"
#include "ui/logitlensview.h"
#include "ui/pairseditor.h"
#include "ui/runpanel.h"
#include "ui/selection.h"
#include "ui/translations.h"
#include "ui/windowlessons.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QGuiApplication>
#include <QScreen>
#include <QCloseEvent>
#include <QComboBox>
#include <QCryptographicHash>
#include <QDateTime>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTextBrowser>
#include <QTextBlock>
#include <QAbstractTextDocumentLayout>
#include <QScrollBar>
#include <QTimer>
#include <QUndoGroup>
#include <QUndoStack>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace patchbay::ui {

namespace {

constexpr int kLayoutVersion = 3; // bump when the docks change: an old saved state is ignored
constexpr int kRecentModels = 8;

} // namespace

QString sessionsDirectory()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + QStringLiteral("/sessions");
}

// Identifies the pairs a run uses: a hash of their text and ids.
QString datasetKey(const core::Dataset& data)
{
    QCryptographicHash hash(QCryptographicHash::Sha1);
    for (const auto& p : data.pairs) {
        for (const auto* ids : {&p.cleanIds, &p.corruptedIds, &p.answerIds, &p.wrongAnswerIds}) {
            hash.addData(QByteArrayView(reinterpret_cast<const char*>(ids->data()),
                                        static_cast<qsizetype>(ids->size() * sizeof(int32_t))));
            hash.addData(QByteArrayView("|", 1));
        }
        hash.addData(QByteArrayView("\n", 1));
    }
    return QString::fromLatin1(hash.result().toHex().left(16));
}

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    setWindowTitle(tr("Patchbay"));
    setObjectName(QStringLiteral("MainWindow"));
    m_canvas = new GraphCanvas(this);
    m_canvas->setObjectName(QStringLiteral("graphCanvas"));
    setCentralWidget(m_canvas);
    m_metricTimer = new QTimer(this);
    m_metricTimer->setSingleShot(true);
    m_metricTimer->setInterval(120); // a burst of clicks costs one evaluation
    connect(m_metricTimer, &QTimer::timeout, this, &MainWindow::requestCircuitMetric);
    // A metric that is not back within half a second is said to be on its way (behind a
    // long run, or slow on a big model or a busy machine), so the canvas never looks hung.
    m_metricBusyTimer = new QTimer(this);
    m_metricBusyTimer->setSingleShot(true);
    m_metricBusyTimer->setInterval(500);
    connect(m_metricBusyTimer, &QTimer::timeout, this, [this] {
        m_canvas->showEvaluationBusy(m_worker->isRunningLongJob()
                                         ? tr("The metric of the edited circuit is computed when the running job ends…")
                                         : tr("Computing the metric of the edited circuit…"));
    });
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowNestedDocks | QMainWindow::AllowTabbedDocks);

    m_worker = new ComputeWorker(this);
    m_selection = new Selection(this);
    connect(m_worker, &ComputeWorker::started, this, &MainWindow::onStarted);
    connect(m_worker, &ComputeWorker::progress, this, &MainWindow::onProgress);
    connect(m_worker, &ComputeWorker::modelLoaded, this, &MainWindow::onModelLoaded);
    connect(m_worker, &ComputeWorker::runFinished, this, &MainWindow::onRunFinished);
    connect(m_worker, &ComputeWorker::attentionReady, this, &MainWindow::onAttention);
    connect(m_worker, &ComputeWorker::headScoresReady, this, &MainWindow::onHeadScores);
    connect(m_worker, &ComputeWorker::logitLensReady, this, &MainWindow::onLogitLens);
    connect(m_worker, &ComputeWorker::circuitEvaluated, this, &MainWindow::onCircuitEvaluated);
    connect(m_worker, &ComputeWorker::failed, this, &MainWindow::onFailed);
    connect(m_worker, &ComputeWorker::cancelled, this, &MainWindow::onCancelled);
    connect(m_worker, &ComputeWorker::busyChanged, this, &MainWindow::updateReady);

    m_ioPool.setMaxThreadCount(1);
    m_importPool.setMaxThreadCount(1);
    m_autosaveTimer = new QTimer(this);
    m_autosaveTimer->setSingleShot(true);
    m_autosaveTimer->setInterval(kAutosaveDelayMs);
    connect(m_autosaveTimer, &QTimer::timeout, this, &MainWindow::autosave);
    // autosave-<pid>-<start time>: unique even where process ids repeat (containers).
    m_autosaveFile = sessionsDirectory() +
                     QStringLiteral("/autosave-%1-%2").arg(QCoreApplication::applicationPid()).arg(QDateTime::currentMSecsSinceEpoch()) +
                     kSessionSuffix;

    createDocks();
    createActions();
    createStatusBar();
    recoverCrashedSessions();
    connect(m_editor, &PromptEditor::datasetChanged, this, &MainWindow::markDirty);
    connect(m_selection, &Selection::nodeChanged, this, &MainWindow::markDirty);
    connect(m_selection, &Selection::pairChanged, this, &MainWindow::markDirty);
    connect(m_selection, &Selection::nodeChanged, this, &MainWindow::followNode);
    connect(m_canvas, &GraphCanvas::circuitChanged, this, [this] {
        ++m_metricRequest; // a metric still on its way is of the circuit before this change
        m_metricTimer->start();
    });
    connect(m_canvas, &GraphCanvas::circuitChanged, this, &MainWindow::markDirty);
    connect(m_canvas, &GraphCanvas::nodeClicked, m_selection, &Selection::setNode);
    // Each `?` opens the guide's paragraph on what is beside it.
    connect(m_runPanel, &RunPanel::helpRequested, this, [this](const QString& topic) { showUserGuide(QStringLiteral("concepts.md#") + topic); });
    connect(m_canvas, &GraphCanvas::helpRequested, this, [this](const QString& topic) { showUserGuide(QStringLiteral("concepts.md#") + topic); });
    connect(m_canvas, &GraphCanvas::circuitReplaced, this, &MainWindow::showAdjacency);
    connect(m_canvas, &GraphCanvas::circuitChanged, this, [this] {
        if (m_canvas->hasCircuit() && !m_canvas->circuit().hasScores())
            showAdjacency(); // without scores its cells count the kept edges
    });
    connect(m_canvas, &GraphCanvas::labelsChanged, this, [this] {
        m_labels = m_canvas->circuit().labels;
        m_groups = m_canvas->circuit().groups;
        markUnsaved();
    });
    // The title follows what is open and whether it is saved.
    connect(m_editor->undoStack(), &QUndoStack::cleanChanged, this, &MainWindow::updateTitle);
    connect(m_canvas->undoStack(), &QUndoStack::cleanChanged, this, &MainWindow::updateTitle);
    connect(m_editor, &PromptEditor::datasetChanged, this, &MainWindow::updateTitle);
    // Edit > Undo / Redo act on the pairs or the circuit, whichever was used last.
    connect(qApp, &QApplication::focusChanged, this, [this](QWidget*, QWidget* now) {
        if (now && m_canvas->isAncestorOf(now))
            m_undoGroup->setActiveStack(m_canvas->undoStack());
        else if (now && m_editor->isAncestorOf(now))
            m_undoGroup->setActiveStack(m_editor->undoStack());
    });
    connect(m_canvas->undoStack(), &QUndoStack::indexChanged, this,
            [this] { m_undoGroup->setActiveStack(m_canvas->undoStack()); });
    connect(m_editor->undoStack(), &QUndoStack::indexChanged, this,
            [this] { m_undoGroup->setActiveStack(m_editor->undoStack()); });
    connect(m_selection, &Selection::pairChanged, this, &MainWindow::requestPairViews);
    // A first start fills most of the screen; a saved geometry replaces it (restoreLayout()).
    const QSize screen = QGuiApplication::primaryScreen() ? QGuiApplication::primaryScreen()->availableSize() : QSize(1400, 900);
    resize(std::min(1600, screen.width() * 95 / 100), std::min(1000, screen.height() * 92 / 100));
    applyDefaultLayout();
    restoreLayout();
    updateReady();
}

MainWindow::~MainWindow()
{
    m_ioPool.waitForDone();
    m_importPool.waitForDone();
    // The children go after this body: nothing of theirs may call back into the window.
    disconnect(qApp, nullptr, this, nullptr);
    m_editor->undoStack()->disconnect(this);
    m_canvas->undoStack()->disconnect(this);
    delete m_undoGroup;
    m_undoGroup = nullptr;
}

QList<QDockWidget*> MainWindow::docks() const { return findChildren<QDockWidget*>(); }

void MainWindow::setDevice(const QString& device)
{
    m_device = device;
    if (m_deviceBox) {
        if (m_deviceBox->findData(device) < 0)
            m_deviceBox->addItem(device, device);
        m_deviceBox->setCurrentIndex(m_deviceBox->findData(device));
    }
}

void MainWindow::setDtype(const QString& dtype)
{
    m_dtype = dtype;
    if (m_dtypeBox && m_dtypeBox->findData(dtype) >= 0)
        m_dtypeBox->setCurrentIndex(m_dtypeBox->findData(dtype));
}

const RunResult* MainWindow::currentResult() const
{
    const auto it = m_results.constFind(m_currentResult);
    return it == m_results.constEnd() ? nullptr : &*it;
}

QString MainWindow::errorText() const { return m_errorText; }

QString MainWindow::userGuideFile()
{
    // Installed beside the demo (share/patchbay/docs), or the source tree's docs/.
    for (const char* relative : {"docs/README.md", "../docs/README.md"}) {
        try {
            return QDir::cleanPath(toQString(core::findResource(relative).string()));
        } catch (const core::Error&) {
        }
    }
    return {};
}

QTextBrowser* MainWindow::showUserGuide(const QString& page)
{
    const QString index = userGuideFile();
    if (index.isEmpty()) {
        showError(tr("The user guide was not found beside the program (share/patchbay/docs)."));
        return nullptr;
    }
    if (!m_guide) {
        auto* dialog = new QDialog(this);
        dialog->setObjectName(QStringLiteral("userGuide"));
        dialog->setWindowTitle(tr("Patchbay User Guide"));
        dialog->resize(900, 760);
        auto* layout = new QVBoxLayout(dialog);
        m_guide = new QTextBrowser(dialog);
        m_guide->setObjectName(QStringLiteral("userGuideBrowser"));
        m_guide->setOpenExternalLinks(true); // web links go to the browser; the guide's own pages stay here
        layout->addWidget(m_guide);
        auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
        connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::hide);
        layout->addWidget(buttons);
    }
    // "concepts.md#metric": the page, scrolled to the paragraph's anchor.
    const QString name = page.section(QLatin1Char('#'), 0, 0), anchor = page.section(QLatin1Char('#'), 1);
    const QString file = name.isEmpty() ? index : QFileInfo(index).absoluteDir().filePath(name);
    QUrl url = QUrl::fromLocalFile(file);
    if (!anchor.isEmpty())
        url.setFragment(anchor);
    m_guide->setSource(url, QTextDocument::MarkdownResource);
    auto* dialog = qobject_cast<QDialog*>(m_guide->parentWidget());
    dialog->show();
    dialog->raise();
    // Once shown (the text laid out at the dialog's width, not before its first show):
    if (!anchor.isEmpty()) {
        QCoreApplication::sendPostedEvents(dialog, QEvent::LayoutRequest);
        m_guide->document()->setTextWidth(m_guide->viewport()->width());
        // Qt's Markdown import names no anchors: the heading whose GitHub-style slug
        // ("## Reference" -> "reference") is the fragment goes to the top of the view.
        for (QTextBlock block = m_guide->document()->begin(); block.isValid(); block = block.next()) {
            if (block.blockFormat().headingLevel() == 0)
                continue;
            const QString slug = block.text().trimmed().toLower().replace(QLatin1Char(' '), QLatin1Char('-'));
            if (slug == anchor.toLower()) {
                const QRectF at = m_guide->document()->documentLayout()->blockBoundingRect(block);
                m_guide->verticalScrollBar()->setValue(static_cast<int>(at.top()));
                break;
            }
        }
    }
    return m_guide;
}

QString MainWindow::circuitDialogStart() const
{
    // Beside the circuit shown, else beside the loaded model (the demo keeps its reference
    // circuit there), else the home folder.
    if (!m_lastCircuitFile.isEmpty())
        return QFileInfo(m_lastCircuitFile).absolutePath();
    if (const LoadedModel* model = m_worker->model()) {
        const QFileInfo info(model->summary.path);
        return info.isDir() ? info.absoluteFilePath() : info.absolutePath();
    }
    return QDir::homePath();
}

QString MainWindow::printableMessage(const QString& message)
{
    // Bytes of a damaged file reach messages as control characters and U+FFFD: each run of
    // them shows as one "�" and never moves the layout (tabs become spaces; lines stay).
    QString out;
    out.reserve(message.size());
    bool inRun = false;
    for (const QChar c : message) {
        const bool bad = c == QChar::ReplacementCharacter || c.category() == QChar::Other_Control ||
                         c.category() == QChar::Other_Format || c.category() == QChar::Other_Surrogate ||
                         c.category() == QChar::Other_PrivateUse || c.category() == QChar::Other_NotAssigned;
        if (c == QLatin1Char('\n')) {
            out += c;
            inRun = false;
        } else if (c == QLatin1Char('\t')) {
            out += QLatin1Char(' ');
            inRun = false;
        } else if (bad) {
            if (!inRun)
                out += QChar::ReplacementCharacter;
            inRun = true;
        } else {
            out += c;
            inRun = false;
        }
    }
    return out;
}

void MainWindow::createActions()
{
    m_undoGroup = new QUndoGroup(this);
    m_undoGroup->addStack(m_editor->undoStack());
    m_undoGroup->addStack(m_canvas->undoStack());
    m_undoGroup->setActiveStack(m_editor->undoStack());
    auto* fileMenu = menuBar()->addMenu(tr("&File"));
    m_openModelAction = fileMenu->addAction(tr("Open &Model…"), this, &MainWindow::chooseModel);
    m_openModelAction->setObjectName(QStringLiteral("openModelAction"));
    m_openModelAction->setShortcut(QKeySequence::Open);
    m_openModelAction->setStatusTip(
        tr("Open a GGUF file, a safetensors file, or a Hugging Face model folder (choose its config.json)"));
    auto* openFolder = fileMenu->addAction(tr("Open Model &Folder…"), this, &MainWindow::chooseModelFolder);
    openFolder->setObjectName(QStringLiteral("openModelFolderAction"));
    openFolder->setStatusTip(tr("Open a Hugging Face model folder (config.json, safetensors weights, tokenizer)"));
    m_fetchedMenu = fileMenu->addMenu(tr("Open Fe&tched Model"));
    m_fetchedMenu->setObjectName(QStringLiteral("fetchedMenu"));
    m_fetchedMenu->setToolTipsVisible(true);
    connect(m_fetchedMenu, &QMenu::aboutToShow, this, &MainWindow::updateFetchedMenu);
    updateFetchedMenu();
    m_recentMenu = fileMenu->addMenu(tr("Open &Recent Model"));
    m_recentMenu->setObjectName(QStringLiteral("recentMenu"));
    auto* demo = fileMenu->addAction(tr("Open the &Demo Model"), this, [this] { openDemo(); });
    demo->setStatusTip(tr("The bundled 2-layer model with its induction pairs"));
    fileMenu->addSeparator();
    m_openDatasetAction = fileMenu->addAction(tr("Open &Dataset…"), this, &MainWindow::chooseDataset);
    m_openDatasetAction->setObjectName(QStringLiteral("openDatasetAction"));
    m_openDatasetAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    m_openDatasetAction->setStatusTip(tr("Open clean/corrupted prompt pairs (CSV or JSON, native or a peer tool's format)"));
    fileMenu->addSeparator();
    auto* openSession = fileMenu->addAction(tr("Open &Session…"), this, &MainWindow::chooseSessionToOpen);
    openSession->setObjectName(QStringLiteral("openSessionAction"));
    openSession->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_O));
    openSession->setStatusTip(tr("Reopen saved work: model, prompt pairs, settings, scores and view"));
    auto* saveSession = fileMenu->addAction(tr("&Save Session"), this, [this] { chooseSessionToSave(false); });
    saveSession->setObjectName(QStringLiteral("saveSessionAction"));
    saveSession->setShortcut(QKeySequence::Save);
    auto* saveSessionAs = fileMenu->addAction(tr("Save Session &As…"), this, [this] { chooseSessionToSave(true); });
    saveSessionAs->setShortcut(QKeySequence::SaveAs);
    m_reopenSessionAction = fileMenu->addAction(tr("Reopen &Last Session"), this, [this] {
        if (keepOrDiscardWork(tr("reopening the last session")))
            reopenLastSession();
    });
    m_reopenSessionAction->setObjectName(QStringLiteral("reopenSessionAction"));
    m_reopenSessionAction->setStatusTip(tr("The work of the last window closed, or autosaved before Patchbay stopped"));
    m_reopenSessionAction->setEnabled(QFileInfo::exists(lastSessionFile()) || QFileInfo::exists(recoveredSessionFile()));
    fileMenu->addSeparator();
    auto* importCircuit = fileMenu->addAction(tr("&Import Circuit…"), this, [this] {
        const QString file = QFileDialog::getOpenFileName(this, tr("Import Circuit"), circuitDialogStart(),
                                                          tr("Circuit files (*.json);;All files (*)"));
        if (!file.isEmpty())
            this->importCircuit(file);
    });
    importCircuit->setObjectName(QStringLiteral("importCircuitAction"));
    importCircuit->setStatusTip(tr("Show a circuit found by Patchbay or another tool (EAP-IG/MIB JSON, native) on the graph"));
    auto* exportCanvas = fileMenu->addAction(tr("Export the &Graph's Circuit…"), this, [this] {
        QString filter;
        const QString file = QFileDialog::getSaveFileName(
            this, tr("Export Circuit"), suggestedPath(QStringLiteral("graph-circuit"), QStringLiteral("json")),
            tr("Native circuit (*.json);;EAP-IG circuit (*.json);;Graphviz DOT (*.dot)"), &filter);
        if (file.isEmpty())
            return;
        const QString format = file.endsWith(QStringLiteral(".dot")) ? QStringLiteral("dot")
                               : filter.startsWith(QStringLiteral("EAP")) ? QStringLiteral("eap-ig")
                                                                          : QStringLiteral("native");
        exportCanvasCircuit(file, format);
    });
    exportCanvas->setStatusTip(tr("Write the circuit as edited on the graph (kept edges, scores, labels)"));
    fileMenu->addAction(tr("Export the Graph &Drawing…"), this, [this] {
        const QString file = QFileDialog::getSaveFileName(this, tr("Export Drawing"),
                                                          suggestedPath(QStringLiteral("graph"), QStringLiteral("svg")),
                                                          tr("SVG (*.svg);;PNG (*.png)"));
        if (!file.isEmpty())
            exportDrawing(file);
    });
    m_exportCircuitAction = fileMenu->addAction(tr("&Export Scores as Circuit…"), this, [this] { exportCircuit(); });
    m_exportCircuitAction->setObjectName(QStringLiteral("exportCircuitAction"));
    m_exportCircuitAction->setStatusTip(tr("Write the shown result's edge scores as a circuit file (native or EAP-IG JSON)"));
    m_exportCircuitAction->setEnabled(false);
    fileMenu->addSeparator();
    auto* quit = fileMenu->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    updateRecentMenu();

    auto* editMenu = menuBar()->addMenu(tr("&Edit"));
    QAction* undo = m_undoGroup->createUndoAction(this, tr("&Undo"));
    undo->setObjectName(QStringLiteral("undoAction"));
    undo->setShortcut(QKeySequence::Undo);
    QAction* redo = m_undoGroup->createRedoAction(this, tr("&Redo"));
    redo->setObjectName(QStringLiteral("redoAction"));
    redo->setShortcut(QKeySequence::Redo);
    editMenu->addAction(undo);
    editMenu->addAction(redo);

    auto* runMenu = menuBar()->addMenu(tr("&Run"));
    m_runAction = runMenu->addAction(tr("&Run"), this, [this] { runAttribution(m_runPanel->settings()); });
    m_runAction->setObjectName(QStringLiteral("runAction"));
    m_runAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_headsAction = runMenu->addAction(tr("Find &Induction and Previous-Token Heads"), this, [this] { findHeadRoles(); });
    m_headsAction->setObjectName(QStringLiteral("headsAction"));
    m_headsAction->setToolTip(tr("Score every head on repeated random tokens and label the induction, previous-token "
                                 "and duplicate-token heads on the graph"));
    m_cancelAction = runMenu->addAction(tr("&Cancel"), m_worker, &ComputeWorker::cancel);
    m_cancelAction->setObjectName(QStringLiteral("cancelAction"));
    m_cancelAction->setShortcut(QKeySequence(Qt::Key_Escape));

    auto* viewMenu = menuBar()->addMenu(tr("&View"));
    for (auto* dock : docks())
        viewMenu->addAction(dock->toggleViewAction());
    viewMenu->addSeparator();
    // The language: the system's or a chosen one, from the next start.
    auto* languageMenu = viewMenu->addMenu(tr("&Language"));
    languageMenu->setObjectName(QStringLiteral("languageMenu"));
    auto* languages = new QActionGroup(languageMenu);
    const QString chosen = chosenLanguage();
    QStringList choices{QString()};
    choices << availableLanguages();
    for (const QString& language : std::as_const(choices)) {
        QAction* action = languageMenu->addAction(language.isEmpty() ? tr("System language") : languageName(language));
        action->setCheckable(true);
        action->setChecked(language == chosen);
        languages->addAction(action);
        connect(action, &QAction::triggered, this, [this, language] {
            setChosenLanguage(language);
            statusBar()->showMessage(tr("The language changes at the next start."), 6000);
        });
    }
    viewMenu->addAction(tr("Reset &Layout"), this, [this] {
        QSettings().remove(QStringLiteral("window"));
        QMessageBox::information(this, tr("Reset Layout"), tr("The default layout is used from the next start."));
    });

    // Lessons: the shipped ones by title, then any folder a teacher or student has.
    m_lessonsMenu = menuBar()->addMenu(tr("&Lessons"));
    m_lessonsMenu->setObjectName(QStringLiteral("lessonsMenu"));
    connect(m_lessonsMenu, &QMenu::aboutToShow, this, [this] {
        m_lessonsMenu->clear();
        auto* chooser = m_lessons->findChild<QComboBox*>(QStringLiteral("lessonChooser"));
        for (int i = 0; chooser && i < chooser->count(); ++i) {
            const QString id = chooser->itemData(i).toString();
            m_lessonsMenu->addAction(chooser->itemText(i), this, [this, id] { openLesson(id); });
        }
        m_lessonsMenu->addSeparator();
        m_lessonsMenu->addAction(tr("Open a Lesson &Folder…"), this, [this] {
            const QString folder = QFileDialog::getExistingDirectory(this, tr("Open a Lesson Folder"), QDir::homePath());
            if (!folder.isEmpty())
                openLessonFolder(folder);
        });
        m_lessonsMenu->addAction(tr("How to Write a &Lesson"), this, [this] { showUserGuide(QStringLiteral("lessons.md")); });
    });

    auto* helpMenu = menuBar()->addMenu(tr("&Help"));
    auto* guide = helpMenu->addAction(tr("&User Guide"), this, [this] { showUserGuide(); });
    guide->setObjectName(QStringLiteral("userGuideAction"));
    guide->setShortcut(QKeySequence::HelpContents);
    guide->setStatusTip(tr("The user guide, offline: installing, the tutorials, the methods, the file formats"));
    helpMenu->addAction(tr("&About Patchbay"), this, [this] {
        QMessageBox::about(this, tr("About Patchbay"),
                           tr("<b>Patchbay</b> %1<br>Find and inspect circuits in transformer language models.")
                               .arg(QStringLiteral(PATCHBAY_VERSION)));
    });
}

void MainWindow::createStatusBar()
{
    m_deviceLabel = new QLabel(tr("Device: %1").arg(m_device), this);
    m_deviceLabel->setObjectName(QStringLiteral("deviceLabel"));
    m_modelLabel = new QLabel(tr("No model"), this);
    m_modelLabel->setObjectName(QStringLiteral("modelLabel"));
    m_errorLabel = new QLabel(this);
    m_errorLabel->setObjectName(QStringLiteral("errorLabel"));
    m_errorLabel->setStyleSheet(QStringLiteral("color: #b00020;"));
    m_errorLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // A long message must not widen the window: it is clipped here and whole in the tooltip.
    m_errorLabel->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("statusProgress"));
    m_progress->setRange(0, 100);
    m_progress->setMaximumWidth(220);
    m_progress->hide();
    // The whole message, for one too long for the status bar or with several lines.
    m_errorDetails = new QToolButton(this);
    m_errorDetails->setObjectName(QStringLiteral("errorDetails"));
    m_errorDetails->setText(tr("Details…"));
    m_errorDetails->setToolTip(tr("Show the whole message"));
    m_errorDetails->setAutoRaise(true);
    m_errorDetails->hide();
    connect(m_errorDetails, &QToolButton::clicked, this, &MainWindow::showErrorDetails);
    statusBar()->addWidget(m_modelLabel);
    statusBar()->addWidget(m_errorLabel, 1);
    statusBar()->addWidget(m_errorDetails);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_deviceLabel);
}

void MainWindow::applyDefaultLayout()
{
    // Sizes for a first start; a saved layout replaces them (restoreLayout()).
    auto dock = [this](const char* name) { return findChild<QDockWidget*>(QLatin1String(name)); };
    QDockWidget *model = dock("modelDock"), *run = dock("runDock"), *prompts = dock("promptDock"),
                *scores = dock("heatmapDock"), *attention = dock("attentionDock");
    const int w = width(), h = height();
    // Model and Run share the left column as tabs (the summary is read once, the Run panel
    // used all along), so that on a 1400×900 screen as on a large one the Run panel, the
    // attention view and the pairs all get room without scrolling.
    tabifyDockWidget(model, run);
    run->raise();
    resizeDocks({model}, {std::max(340, w * 26 / 100)}, Qt::Horizontal);
    resizeDocks({attention}, {std::max(360, w * 30 / 100)}, Qt::Horizontal);
    resizeDocks({prompts}, {h * 40 / 100}, Qt::Vertical);
    resizeDocks({prompts, scores}, {w * 55 / 100, w * 45 / 100}, Qt::Horizontal);
}

void MainWindow::restoreLayout()
{
    QSettings settings;
    if (settings.value(QStringLiteral("window/version")).toInt() != kLayoutVersion)
        return;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    m_layoutRestored = restoreState(settings.value(QStringLiteral("window/state")).toByteArray(), kLayoutVersion);
}

void MainWindow::showEvent(QShowEvent* event)
{
    QMainWindow::showEvent(event);
    // The default dock sizes are shares of the window's width and height: set them again at
    // the size the window is first shown at (resized or maximised after construction, the
    // docks kept the shares of the size it was built with).
    if (!m_shownOnce && !m_layoutRestored)
        applyDefaultLayout();
    m_shownOnce = true;
}

void MainWindow::saveLayout() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/version"), kLayoutVersion);
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState(kLayoutVersion));
}

void MainWindow::rememberModel(const QString& path)
{
    QSettings settings;
    QStringList recent = settings.value(QStringLiteral("recentModels")).toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kRecentModels)
        recent.removeLast();
    settings.setValue(QStringLiteral("recentModels"), recent);
    updateRecentMenu();
}

void MainWindow::updateRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = QSettings().value(QStringLiteral("recentModels")).toStringList();
    for (const QString& path : recent) {
        QAction* action = m_recentMenu->addAction(QFileInfo(path).fileName(), this, [this, path] { openModel(path); });
        action->setToolTip(path);
        action->setStatusTip(path);
    }
    m_recentMenu->setEnabled(!recent.isEmpty());
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (!keepOrDiscardWork(tr("closing"))) {
        event->ignore();
        return;
    }
    saveLayout();
    // A clean close keeps the work as the last session; the autosave is no longer needed.
    m_autosaveTimer->stop();
    m_ioPool.waitForDone();
    const core::Session last = session();
    if (!last.modelPath.empty() || last.dataset) {
        try {
            QDir().mkpath(sessionsDirectory());
            core::writeSession(last, lastSessionFile().toStdString());
        } catch (const std::exception&) {
            // Closing must not fail; the autosave stays and is offered at the next start.
            event->accept();
            return;
        }
    }
    QFile::remove(m_autosaveFile);
    event->accept();
}


} // namespace patchbay::ui
