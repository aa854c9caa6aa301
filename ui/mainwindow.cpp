// SPDX-License-Identifier: MIT
#include "ui/mainwindow.h"
#include "ui/strings.h"

#include "core/circuit.h"
#include "core/error.h"
#include "core/session.h"
#include "core/system.h"
#include "core/taskperformance.h"
#include "core/tokenizer.h"
#include "core/version.h"
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
#include <QCheckBox>
#include <QComboBox>
#include <QCryptographicHash>
#include <QDateTime>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QSettings>
#include <QSpinBox>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
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

#ifdef Q_OS_UNIX
#include <cerrno>
#include <csignal>
#endif

namespace patchbay::ui {

namespace {

constexpr int kLayoutVersion = 3; // bump when the docks change: an old saved state is ignored
constexpr int kRecentModels = 8;
constexpr int kAutosaveDelayMs = 2000;
const QString kSessionSuffix = QStringLiteral(".pbsession");

QString sessionsDirectory()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + QStringLiteral("/sessions");
}

// Whether the process that wrote an autosave still runs (its own window keeps it).
bool processRuns(qint64 pid)
{
#ifdef Q_OS_UNIX
    return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
#else
    Q_UNUSED(pid);
    return false;
#endif
}

QLabel* placeholderLabel(const QString& text, QWidget* parent)
{
    auto* label = new QLabel(text, parent);
    label->setAlignment(Qt::AlignCenter);
    label->setWordWrap(true);
    label->setEnabled(false); // greyed: nothing to show yet
    return label;
}

// 124439808 -> "124,439,808 (124.4 M)"
QString parameterText(qint64 count)
{
    const QLocale locale;
    QString shortForm;
    if (count >= 1'000'000'000)
        shortForm = QStringLiteral("%1 B").arg(locale.toString(count / 1e9, 'f', 2));
    else if (count >= 1'000'000)
        shortForm = QStringLiteral("%1 M").arg(locale.toString(count / 1e6, 'f', 1));
    else if (count >= 1'000)
        shortForm = QStringLiteral("%1 k").arg(locale.toString(count / 1e3, 'f', 1));
    const QString full = locale.toString(count);
    return shortForm.isEmpty() ? full : QStringLiteral("%1 (%2)").arg(full, shortForm);
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

// "a3.h2" -> (3, 2); anything else -> nullopt
std::optional<std::pair<int, int>> parseHead(const QString& node)
{
    static const QRegularExpression head(QStringLiteral("^a(\\d+)\\.h(\\d+)$"));
    const auto m = head.match(node);
    if (!m.hasMatch())
        return std::nullopt;
    return std::make_pair(m.captured(1).toInt(), m.captured(2).toInt());
}

} // namespace

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

// ---- layout ---------------------------------------------------------------------------

QDockWidget* MainWindow::addDock(const QString& objectName, const QString& title, Qt::DockWidgetArea area,
                                 QWidget* content)
{
    auto* dock = new QDockWidget(title, this);
    dock->setObjectName(objectName);
    // Inside a scroll area a dock can be made smaller than its content (which then
    // scrolls), so the window fits a 1366×768 or 1400×900 screen whatever the docks hold.
    auto* scroll = new QScrollArea(dock);
    scroll->setObjectName(objectName + QStringLiteral("Scroll"));
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(content);
    dock->setWidget(scroll);
    addDockWidget(area, dock);
    return dock;
}

QWidget* MainWindow::createModelPanel()
{
    auto* panel = new QWidget;
    auto* outer = new QVBoxLayout(panel);
    outer->setContentsMargins(4, 4, 4, 4);

    // Device and dtype for the next load, and a reload with them.
    auto* choices = new QFormLayout;
    m_deviceBox = new QComboBox(panel);
    m_deviceBox->setObjectName(QStringLiteral("deviceBox"));
    m_deviceBox->addItem(tr("CPU"), QStringLiteral("cpu"));
    if (ComputeWorker::cudaAvailable())
        m_deviceBox->addItem(tr("CUDA (GPU)"), QStringLiteral("cuda"));
    m_deviceBox->setToolTip(tr("Where the model runs; CUDA is offered when LibTorch has CUDA and a GPU is visible"));
    m_dtypeBox = new QComboBox(panel);
    m_dtypeBox->setObjectName(QStringLiteral("dtypeBox"));
    m_dtypeBox->addItem(tr("float32"), QStringLiteral("float32"));
    m_dtypeBox->addItem(tr("bfloat16"), QStringLiteral("bfloat16"));
    m_dtypeBox->addItem(tr("float16 (GPU)"), QStringLiteral("float16"));
    m_dtypeBox->setToolTip(tr("Compute dtype; float32 gives the reference numbers"));
    auto* reload = new QPushButton(tr("Reload"), panel);
    reload->setObjectName(QStringLiteral("reloadButton"));
    reload->setToolTip(tr("Load the current model again on this device and dtype"));
    auto* row = new QHBoxLayout;
    row->addWidget(m_deviceBox, 1);
    row->addWidget(m_dtypeBox, 1);
    row->addWidget(reload);
    choices->addRow(tr("Run on:"), row);
    outer->addLayout(choices);
    connect(m_deviceBox, &QComboBox::currentIndexChanged, this,
            [this] { m_device = m_deviceBox->currentData().toString(); });
    connect(m_dtypeBox, &QComboBox::currentIndexChanged, this,
            [this] { m_dtype = m_dtypeBox->currentData().toString(); });
    connect(reload, &QPushButton::clicked, this, [this] {
        if (const LoadedModel* model = m_worker->model())
            openModel(model->summary.path);
    });

    m_modelStack = new QStackedWidget(panel);
    m_modelPlaceholder = placeholderLabel(tr("No model loaded\n\nFile > Open Model… opens a GGUF file, a safetensors "
                                             "file or a Hugging Face model folder."),
                                          m_modelStack);
    m_modelPlaceholder->setObjectName(QStringLiteral("modelPlaceholder"));
    m_modelPlaceholder->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_modelStack->addWidget(m_modelPlaceholder);

    auto* scroll = new QScrollArea(m_modelStack);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto* form = new QWidget(scroll);
    auto* layout = new QFormLayout(form);
    layout->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    const std::pair<const char*, QString> fields[] = {
        {"name", tr("Name")},
        {"architecture", tr("Architecture")},
        {"layers", tr("Layers")},
        {"heads", tr("Heads")},
        {"dModel", tr("d_model")},
        {"dims", tr("d_head / d_mlp")},
        {"vocab", tr("Vocabulary")},
        {"context", tr("Context")},
        {"parameters", tr("Parameters")},
        {"tokenizer", tr("Tokenizer")},
        {"dtype", tr("Dtype")},
        {"device", tr("Device")},
        {"weights", tr("Weights")},
        {"path", tr("Folder")},
    };
    for (const auto& [key, title] : fields) {
        auto* value = new QLabel(form);
        value->setObjectName(QStringLiteral("model_") + QLatin1String(key));
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        value->setWordWrap(true);
        layout->addRow(title + QLatin1Char(':'), value);
        m_modelFields.insert(QLatin1String(key), value);
    }
    scroll->setWidget(form);
    m_modelStack->addWidget(scroll);
    outer->addWidget(m_modelStack, 1);
    return panel;
}

QWidget* MainWindow::createAttentionPanel()
{
    auto* panel = new QWidget;
    auto* layout = new QVBoxLayout(panel);
    layout->setContentsMargins(4, 4, 4, 4);
    auto* row = new QHBoxLayout;
    m_attentionLayer = new QSpinBox(panel);
    m_attentionLayer->setObjectName(QStringLiteral("attentionLayer"));
    // "a1" "h3", as the node is named (a1.h3): the row also holds the prompt and All heads
    // and must fit the dock at 1400x900.
    m_attentionLayer->setPrefix(QStringLiteral("a"));
    m_attentionLayer->setToolTip(tr("Layer"));
    m_attentionHead = new QSpinBox(panel);
    m_attentionHead->setObjectName(QStringLiteral("attentionHead"));
    m_attentionHead->setPrefix(QStringLiteral("h"));
    m_attentionHead->setToolTip(tr("Head"));
    m_attentionPrompt = new QComboBox(panel);
    m_attentionPrompt->setObjectName(QStringLiteral("attentionPrompt"));
    m_attentionPrompt->addItem(tr("clean"));
    m_attentionPrompt->addItem(tr("corrupted"));
    m_attentionPrompt->setToolTip(tr("The prompt of the selected pair whose attention is shown"));
    m_attentionAllHeads = new QCheckBox(tr("All heads"), panel);
    m_attentionAllHeads->setObjectName(QStringLiteral("attentionAllHeads"));
    m_attentionAllHeads->setToolTip(tr("Every head of the layer side by side; click one to select it"));
    auto* exportButton = new QToolButton(panel);
    exportButton->setText(tr("Export…"));
    row->addWidget(m_attentionLayer);
    row->addWidget(m_attentionHead);
    row->addWidget(m_attentionPrompt);
    row->addWidget(m_attentionAllHeads);
    row->addStretch(1);
    row->addWidget(exportButton);
    layout->addLayout(row);
    m_attentionMap = new HeatmapView(panel);
    m_attentionMap->setObjectName(QStringLiteral("attentionMap"));
    m_attentionMap->clear(tr("Select a prompt pair to see attention patterns"));
    layout->addWidget(m_attentionMap, 1);
    m_attentionGrid = new AttentionGrid(panel);
    m_attentionGrid->setObjectName(QStringLiteral("attentionGrid"));
    m_attentionGrid->hide();
    layout->addWidget(m_attentionGrid, 1);
    connect(m_attentionPrompt, &QComboBox::currentIndexChanged, this, &MainWindow::requestAttention);
    connect(m_attentionAllHeads, &QCheckBox::toggled, this, &MainWindow::showAttention);
    connect(m_attentionGrid, &AttentionGrid::headClicked, this, [this](int head) { m_attentionHead->setValue(head); });
    auto headChanged = [this] {
        m_selection->setNode(QStringLiteral("a%1.h%2").arg(m_attentionLayer->value()).arg(m_attentionHead->value()));
        showAttention();
    };
    connect(m_attentionLayer, &QSpinBox::valueChanged, this, headChanged);
    connect(m_attentionHead, &QSpinBox::valueChanged, this, headChanged);
    connect(exportButton, &QToolButton::clicked, this, [this] { exportView(m_attentionMap, QStringLiteral("attention")); });
    connect(m_attentionMap, &HeatmapView::cellClicked, this, [this](int row, int, const QString&) {
        m_selection->setPosition(row);
    });
    return panel;
}

void MainWindow::createDocks()
{
    addDock(QStringLiteral("modelDock"), tr("Model"), Qt::LeftDockWidgetArea, createModelPanel());

    m_editor = new PromptEditor;
    m_editor->setObjectName(QStringLiteral("promptEditor"));
    auto* prompts = addDock(QStringLiteral("promptDock"), tr("Prompt pairs"), Qt::BottomDockWidgetArea, m_editor);
    connect(m_editor, &PromptEditor::datasetChanged, this, &MainWindow::onDatasetChanged);
    connect(m_editor, &PromptEditor::errorOccurred, this, &MainWindow::showError);
    connect(m_editor, &PromptEditor::selectedPairChanged, m_selection, &Selection::setPair);
    // Both ways: a pair selected elsewhere (a session, a view) is the table's current row.
    connect(m_selection, &Selection::pairChanged, m_editor, &PromptEditor::selectPair);

    m_runPanel = new RunPanel;
    m_runPanel->setObjectName(QStringLiteral("runPanel"));
    addDock(QStringLiteral("runDock"), tr("Run"), Qt::RightDockWidgetArea, m_runPanel);
    connect(m_runPanel, &RunPanel::runRequested, this, &MainWindow::runAttribution);
    connect(m_runPanel, &RunPanel::cancelRequested, m_worker, &ComputeWorker::cancel);
    connect(m_runPanel, &RunPanel::resultSelected, this, &MainWindow::showResult);
    connect(m_runPanel, &RunPanel::circuitChoiceChanged, this, &MainWindow::chooseAcdcCircuit);
    connect(m_runPanel, &RunPanel::graphChoiceChanged, this, [this] {
        if (m_canvas->hasCircuit())
            m_metricTimer->start();
    });

    // Scores: layer × head (+ MLP) and, for per-position activation patching, node × position.
    auto* scorePanel = new QWidget;
    auto* scoreLayout = new QVBoxLayout(scorePanel);
    scoreLayout->setContentsMargins(4, 4, 4, 4);
    m_scoreTabs = new QTabWidget(scorePanel);
    m_scoreMap = new HeatmapView(m_scoreTabs);
    m_scoreMap->setObjectName(QStringLiteral("scoreMap"));
    m_scoreMap->clear(tr("No scores yet\n\nChoose a method in the Run panel and press Run."));
    m_positionMap = new HeatmapView(m_scoreTabs);
    m_positionMap->setObjectName(QStringLiteral("positionMap"));
    m_positionMap->clear(tr("Per-position scores come from activation patching with “per position” ticked."));
    m_adjacencyMap = new HeatmapView(m_scoreTabs);
    m_adjacencyMap->setObjectName(QStringLiteral("adjacencyMap"));
    m_adjacencyMap->setZoomable(true); // a whole graph: zoom into a region to read it
    m_adjacencyMap->clear(tr("The graph's circuit as a sender × receiver grid appears here: every edge, at any size."));
    m_scoreTabs->addTab(m_scoreMap, tr("Layer × head"));
    m_scoreTabs->addTab(m_positionMap, tr("Node × position"));
    m_scoreTabs->addTab(m_adjacencyMap, tr("Sender × receiver"));
    m_headMap = new HeatmapView(m_scoreTabs);
    m_headMap->setObjectName(QStringLiteral("headMap"));
    m_headMap->clear(tr("Which heads are induction, previous-token or duplicate-token heads: "
                        "Run > Find Induction and Previous-Token Heads."));
    m_scoreTabs->addTab(m_headMap, tr("Head roles"));
    m_scoreTabs->setTabToolTip(3, tr("Mean attention of every head on repeated random tokens: to the token after the "
                                     "earlier copy (induction), to the previous token, to the earlier copy"));
    m_scoreTabs->setTabToolTip(2, tr("Every edge of the graph's circuit, q/k/v summed per receiver: wheel zooms, drag "
                                     "pans, a click lists the receiver's edges on the graph"));
    auto* exportScores = new QToolButton(m_scoreTabs);
    exportScores->setText(tr("Export…"));
    exportScores->setToolTip(tr("Save the visible heatmap as PNG, SVG or PDF"));
    m_scoreTabs->setCornerWidget(exportScores);
    scoreLayout->addWidget(m_scoreTabs);
    connect(exportScores, &QToolButton::clicked, this, [this] {
        const int tab = m_scoreTabs->currentIndex();
        exportView(tab == 0 ? m_scoreMap : tab == 1 ? m_positionMap : tab == 2 ? m_adjacencyMap : m_headMap,
                   tab == 0   ? QStringLiteral("scores")
                   : tab == 1 ? QStringLiteral("positions")
                   : tab == 2 ? QStringLiteral("adjacency")
                              : QStringLiteral("head-roles"));
    });
    // A cell of the adjacency grid drills down: its receiver is selected and its edges listed.
    connect(m_scoreTabs, &QTabWidget::currentChanged, this, [this] {
        if (m_adjacencyStale && m_scoreTabs->currentWidget() == m_adjacencyMap)
            showAdjacency();
    });
    connect(m_adjacencyMap, &HeatmapView::cellClicked, this, [this](int, int column, const QString&) {
        const QStringList& receivers = m_adjacencyMap->data().columnLabels;
        if (column >= 0 && column < receivers.size()) {
            m_selection->setNode(receivers[column]);
            m_canvas->setEdgeTableShown(true);
        }
    });
    for (HeatmapView* view : {m_scoreMap, m_positionMap, m_headMap})
        connect(view, &HeatmapView::cellClicked, this, [this](int, int, const QString& id) {
            if (!id.isEmpty())
                m_selection->setNode(id);
        });
    auto* scores = addDock(QStringLiteral("heatmapDock"), tr("Scores"), Qt::BottomDockWidgetArea, scorePanel);

    auto* attention =
        addDock(QStringLiteral("attentionDock"), tr("Attention"), Qt::RightDockWidgetArea, createAttentionPanel());

    m_lens = new LogitLensView;
    m_lens->setObjectName(QStringLiteral("logitLens"));
    connect(m_lens, &LogitLensView::positionChanged, this, &MainWindow::requestLogitLens);
    auto* lens = addDock(QStringLiteral("logitLensDock"), tr("Logit lens"), Qt::RightDockWidgetArea, m_lens);
    tabifyDockWidget(attention, lens);
    attention->raise();

    splitDockWidget(prompts, scores, Qt::Horizontal);

    // Lessons, under the attention view (the graph, the Run panel and the scores stay in
    // sight while a step is followed); hidden until a lesson is opened.
    m_lessonHost = std::make_unique<WindowLessonHost>(this);
    m_lessons = new LessonDock(m_lessonHost.get());
    m_lessons->setObjectName(QStringLiteral("lessons"));
    m_lessons->setLanguage(installedLanguage()); // the lessons speak the window's language
    m_lessons->addLessons(LessonDock::shippedFolder());
    auto* lessons = addDock(QStringLiteral("lessonsDock"), tr("Lessons"), Qt::RightDockWidgetArea, m_lessons);
    // Below the attention and logit-lens tabs, not as a third tab: a step asks to look at them.
    addDockWidget(Qt::RightDockWidgetArea, lessons, Qt::Vertical);
    lessons->hide();
    connect(m_lessons, &LessonDock::progressChanged, this, &MainWindow::markDirty);
}

QString MainWindow::datasetKeyOf(const core::Dataset& data) { return datasetKey(data); }

bool MainWindow::openLesson(const QString& id)
{
    auto* dock = findChild<QDockWidget*>(QStringLiteral("lessonsDock"));
    if (!dock->isVisible() && !dock->isFloating()) {
        // The right column takes the window's full height while a lesson is followed, so
        // the step's text, the attention view and the graph are all in sight at 1400×900.
        setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);
        dock->show();
        if (auto* attention = findChild<QDockWidget*>(QStringLiteral("attentionDock")))
            resizeDocks({attention, dock}, {height() * 35 / 100, height() * 65 / 100}, Qt::Vertical);
    }
    dock->show(); // a floating dock the user closed too
    dock->raise();
    return m_lessons->openLesson(id);
}

void MainWindow::openLessonFolder(const QString& folder)
{
    const QStringList before = m_lessons->lessonIds();
    const QString followed = m_lessons->lessonId();
    const QString progress = m_lessons->runner()->progressText();
    if (!followed.isEmpty())
        m_lessons->openLesson(followed, progress); // edited since it was opened: read again, progress kept
    m_lessons->addLessons(folder);
    if (!m_lessonFolders.contains(folder))
        m_lessonFolders << folder;
    QStringList added;
    for (const QString& id : m_lessons->lessonIds())
        if (!before.contains(id))
            added << id;
    if (!added.isEmpty())
        openLesson(added.front());
    else if (!m_lessons->errorText().isEmpty())
        findChild<QDockWidget*>(QStringLiteral("lessonsDock"))->show();
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

// ---- loading --------------------------------------------------------------------------

bool MainWindow::openDemo(const QString& datasetFile)
{
    QString demo;
    try {
        demo = toQString(core::findResource("demo").string());
    } catch (const core::Error& e) {
        const QString message = tr("The bundled demo model is missing: %1").arg(toQString(e.what()));
        if (!m_worker->hasModel())
            m_modelPlaceholder->setText(
                tr("No model loaded\n\nThe bundled demo model was not found. Open a model folder with "
                   "File > Open Model…"));
        showError(message);
        if (!datasetFile.isEmpty())
            return openDataset(datasetFile);
        return false;
    }
    QString data = datasetFile;
    if (data.isEmpty() && QFileInfo::exists(QDir(demo).filePath(QStringLiteral("induction.csv"))))
        data = QDir(demo).filePath(QStringLiteral("induction.csv"));
    return openModel(demo, data);
}

bool MainWindow::openModel(const QString& path, const QString& datasetFile)
{
    if (m_worker->isRunningLongJob())
        return false;
    ModelRequest request;
    request.path = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    request.device = m_device;
    request.dtype = m_dtype;
    m_loadJob = m_worker->loadModel(request);
    m_progress->setRange(0, 100);
    m_progress->setValue(0);
    m_progress->setFormat(tr("Loading %1… %p%").arg(QFileInfo(request.path).fileName()));
    m_progress->show();
    // Read the pairs now (the table fills at once); they are validated when the model's
    // tokenizer arrives.
    if (!datasetFile.isEmpty())
        openDataset(datasetFile);
    return true;
}

bool MainWindow::openDataset(const QString& file)
{
    const bool replacesUnsaved = m_editor->pairCount() > 0 && !m_editor->undoStack()->isClean();
    QString error;
    if (!m_editor->openFile(file, &error)) {
        showError(error);
        return false;
    }
    showError(QString());
    if (replacesUnsaved)
        statusBar()->showMessage(
            tr("Opened %1. The pairs it replaced were in no file: Edit > Undo brings them back.").arg(QFileInfo(file).fileName()),
            15000);
    return true;
}

QString MainWindow::modelDialogStart() const
{
    if (const LoadedModel* model = m_worker->model())
        return QFileInfo(model->summary.path).absolutePath();
    return QDir::homePath();
}

void MainWindow::chooseModel()
{
    // A GGUF file, a safetensors file, or a folder's config.json (which means the folder).
    const QString file = QFileDialog::getOpenFileName(
        this, tr("Open Model"), modelDialogStart(),
        tr("Models (*.gguf *.safetensors config.json);;GGUF files (*.gguf);;Hugging Face folders (config.json);;"
           "All files (*)"));
    if (file.isEmpty())
        return;
    openModel(QFileInfo(file).fileName() == QLatin1String("config.json") ? QFileInfo(file).absolutePath() : file);
}

void MainWindow::chooseModelFolder()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open Model Folder"), modelDialogStart());
    if (!dir.isEmpty())
        openModel(dir);
}

QStringList MainWindow::fetchedModels()
{
    // Where tools/fetch-models.sh puts them: ${PATCHBAY_MODELS:-$HOME/.cache/patchbay/models}/NAME/*.gguf
    QString cache = qEnvironmentVariable("PATCHBAY_MODELS");
    if (cache.isEmpty())
        cache = QDir::home().filePath(QStringLiteral(".cache/patchbay/models"));
    QStringList found;
    const QDir root(cache);
    for (const QString& sub : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        if (sub == QLatin1String("wheels"))
            continue;
        const QDir dir(root.filePath(sub));
        for (const QString& f : dir.entryList({QStringLiteral("*.gguf")}, QDir::Files, QDir::Name))
            found << dir.filePath(f);
    }
    return found;
}

void MainWindow::updateFetchedMenu()
{
    m_fetchedMenu->clear();
    const QStringList models = fetchedModels();
    for (const QString& path : models) {
        QAction* action = m_fetchedMenu->addAction(QFileInfo(path).fileName(), this, [this, path] { openModel(path); });
        action->setToolTip(path);
        action->setStatusTip(path);
    }
    if (models.isEmpty()) {
        QAction* none = m_fetchedMenu->addAction(tr("None fetched: run tools/fetch-models.sh"));
        none->setEnabled(false);
    }
}

void MainWindow::chooseDataset()
{
    QString start = QDir::homePath();
    if (!m_editor->fileName().isEmpty())
        start = QFileInfo(m_editor->fileName()).absolutePath();
    else if (const LoadedModel* model = m_worker->model())
        start = model->summary.path;
    const QString file = QFileDialog::getOpenFileName(this, tr("Open Prompt Pairs"), start,
                                                      tr("Prompt pairs (*.csv *.json);;All files (*)"));
    if (!file.isEmpty())
        openDataset(file);
}

bool MainWindow::exportCircuit(const QString& file, const QString& format)
{
    const RunResult* result = currentResult();
    if (!result) {
        showError(tr("There are no scores to export: run a method first."));
        return false;
    }
    try {
        core::writeCircuit(resultCircuit(*result, acdcChoice(m_currentResult)), file.toStdString(), core::parseCircuitFormat(format.toStdString()));
    } catch (const std::exception& e) {
        showError(toQString(e.what()));
        return false;
    }
    exported(file);
    return true;
}

void MainWindow::exportCircuit()
{
    QString filter;
    const QString file = QFileDialog::getSaveFileName(
        this, tr("Export Scores as Circuit"), suggestedPath(QStringLiteral("circuit"), QStringLiteral("json")),
        tr("Patchbay circuit (*.json);;EAP-IG circuit (*.json)"), &filter);
    if (!file.isEmpty())
        exportCircuit(file, filter.startsWith(QLatin1String("EAP-IG")) ? QStringLiteral("eap-ig") : QStringLiteral("native"));
}

void MainWindow::exportView(HeatmapView* view, const QString& name)
{
    const QString file = QFileDialog::getSaveFileName(this, tr("Export View"), suggestedPath(name, QStringLiteral("png")),
                                                      tr("PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)"));
    if (!file.isEmpty())
        exportViewTo(view, file);
}

bool MainWindow::exportViewTo(HeatmapView* view, const QString& file)
{
    QString error;
    if (!view->exportTo(file, &error)) {
        showError(error);
        return false;
    }
    exported(file);
    return true;
}

bool MainWindow::exportDrawing(const QString& file)
{
    QString error;
    if (!m_canvas->exportDrawing(file, &error)) {
        showError(error);
        return false;
    }
    exported(file);
    return true;
}

void MainWindow::exported(const QString& file)
{
    showError(QString());
    rememberFolder(file);
    statusBar()->showMessage(tr("Exported %1").arg(QDir::toNativeSeparators(file)), 8000);
}

void MainWindow::rememberFolder(const QString& file)
{
    QSettings().setValue(QStringLiteral("files/lastFolder"), QFileInfo(file).absolutePath());
}

QString MainWindow::suggestedPath(const QString& what, const QString& suffix) const
{
    // Named after what it holds (model, method, pairs), in the folder last written to:
    // "demo-eap-induction-scores.png", not "scores.png" in the home folder.
    QStringList parts;
    if (const LoadedModel* model = m_worker->model())
        parts << model->summary.name;
    const RunResult* result = currentResult();
    const bool ofResult = what != QLatin1String("session") && what != QLatin1String("pairs") &&
                          !(what.startsWith(QLatin1String("graph")) && m_canvasResult.isEmpty() && m_canvas->hasCircuit());
    if (ofResult && result)
        parts << result->settings.method;
    QString pairs = ofResult && result ? result->datasetName : QFileInfo(m_editor->fileName()).fileName();
    if (!pairs.isEmpty())
        parts << QFileInfo(pairs).completeBaseName();
    if (what.startsWith(QLatin1String("graph")) && m_canvasResult.isEmpty() && m_canvas->hasCircuit())
        parts << QFileInfo(m_canvas->title()).completeBaseName(); // an imported circuit
    if (what != QLatin1String("session"))
        parts << what;
    QString name = parts.join(QLatin1Char('-')).toLower();
    name.replace(QRegularExpression(QStringLiteral("[^\\w.+-]+")), QStringLiteral("-"));
    name.replace(QRegularExpression(QStringLiteral("-{2,}")), QStringLiteral("-"));
    if (name.isEmpty())
        name = what;
    QString folder = QSettings().value(QStringLiteral("files/lastFolder")).toString();
    if (folder.isEmpty() || !QFileInfo(folder).isDir())
        folder = QDir::homePath();
    return QDir(folder).filePath(name + QLatin1Char('.') + suffix);
}

// ---- worker signals -----------------------------------------------------------------

// started() comes from inside the worker's submit call, before the job id is known here:
// the window marks its own jobs once it has their ids (openModel(), runAttribution()).
void MainWindow::onStarted(quint64, const QString&) { updateReady(); }

void MainWindow::onProgress(quint64 job, double fraction, const QString& stage)
{
    if (job == m_loadJob) {
        m_progress->setValue(static_cast<int>(fraction * 100.0));
        m_progress->setToolTip(stage);
    } else if (job == m_runJob || job == m_headsJob) {
        m_runPanel->setProgress(fraction, stage);
    }
}

void MainWindow::onModelLoaded(quint64 job, const LoadedModel& model)
{
    ++m_importGeneration; // a circuit still being read was adapted to the model before
    if (job == m_loadJob)
        m_progress->hide();
    showError(QString());
    showModel(model.summary);
    rememberModel(model.summary.path);
    m_editor->setEncoder(model.encoder);
    m_attentionLayer->setRange(0, std::max(0, model.summary.layers - 1));
    m_attentionHead->setRange(0, std::max(0, model.summary.heads - 1));
    m_runPanel->setGroupedQuery(model.config && model.config->nKvHeads > 0 && model.config->nKvHeads != model.config->nHeads);
    m_runPanel->suggestMethodFor(model.summary.family);
    // Results of another model stay cached but are no longer listed.
    m_runPanel->clearResults();
    m_currentResult.clear();
    m_exportCircuitAction->setEnabled(false);
    m_scoreMap->clear(tr("No scores yet\n\nChoose a method in the Run panel and press Run."));
    m_positionMap->clear(tr("Per-position scores come from activation patching with “per position” ticked."));
    listResultsOf(model.summary);
    m_attention.reset();
    requestPairViews();
    updateReady();
    if (m_canvas->hasCircuit())
        m_metricTimer->start();
    if (m_pendingSession) {
        const core::Session pending = std::move(*m_pendingSession);
        m_pendingSession.reset();
        const std::string now = toStdString(model.summary.fingerprint);
        if (!pending.modelFingerprint.empty() && pending.modelFingerprint != now)
            showError(tr("The model in %1 has changed since the session was saved (weights fingerprint %2, now %3): "
                         "the session's scores belong to the old weights and are not shown. Run again to score "
                         "these weights.")
                          .arg(model.summary.path, toQString(pending.modelFingerprint).left(12),
                               model.summary.fingerprint.left(12)));
        applySessionView(pending);
    }
    markDirty();
}

void MainWindow::onRunFinished(const RunResult& result)
{
    const QString key = result.modelKey + QLatin1Char('|') + result.datasetKey + QLatin1Char('|') + result.settings.key();
    insertResult(key, result);
    const QLocale locale;
    m_runPanel->addResult(key, resultText(result), resultToolTip(result));
    if (result.job == m_runJob) {
        m_runPanel->setRunning(false);
        m_runPanel->setStatus(tr("Done in %1 s on %2 pairs: clean %3, reference %4")
                                  .arg(locale.toString(result.scores->seconds, 'f', 2))
                                  .arg(result.pairs)
                                  .arg(locale.toString(result.scores->cleanMetric, 'f', 4),
                                       locale.toString(result.scores->referenceMetric, 'f', 4)));
    }
    showResult(key);
    m_runPanel->selectResult(key);
    markUnsaved();
}

void MainWindow::onAttention(const AttentionPatterns& patterns)
{
    if (patterns.job != m_attentionJob)
        return; // a newer request is on its way
    m_attention = patterns;
    showAttention();
}

void MainWindow::onFailed(quint64 job, const QString& message)
{
    if (job == m_loadJob) {
        m_progress->hide();
        if (!m_worker->hasModel())
            m_modelPlaceholder->setText(tr("No model loaded\n\n%1").arg(message));
        if (m_pendingSession) { // the pairs and runs stay; the model must be found by hand
            const core::Session pending = std::move(*m_pendingSession);
            m_pendingSession.reset();
            showError(tr("The session's model could not be loaded: %1. Open the model with File > Open Model…; "
                         "the session's pairs and scores are kept.").arg(message));
            applySessionView(pending);
            return;
        }
    } else if (job == m_runJob) {
        m_runPanel->setRunning(false);
        m_runPanel->setStatus(tr("Failed: %1").arg(message));
    } else if (job == m_headsJob) {
        m_runPanel->setRunning(false);
        m_runPanel->setStatus(QString());
        showError(tr("Finding induction heads failed: %1").arg(message));
    } else if (job == m_attentionJob) {
        m_attentionMap->clear(tr("No attention patterns: %1").arg(message));
    } else if (job == m_lensJob) {
        m_lens->clear(tr("No logit lens: %1").arg(message));
    } else if (job == m_metricJob) {
        m_metricBusyTimer->stop();
        m_canvas->setEvaluationMessage(tr("No metric: %1").arg(message));
    }
    showError(message);
}

void MainWindow::onCancelled(quint64 job)
{
    if (job == m_loadJob) {
        m_progress->hide();
        showError(tr("Loading cancelled"));
        if (m_pendingSession) { // the session's pairs and runs stay; its view follows without the model
            const core::Session pending = std::move(*m_pendingSession);
            m_pendingSession.reset();
            applySessionView(pending);
        }
    } else if (job == m_metricJob) {
        m_metricBusyTimer->stop();
        m_canvas->setEvaluationMessage(tr("Cancelled"));
    } else if (job == m_runJob || job == m_headsJob) {
        m_runPanel->setRunning(false);
        m_runPanel->setStatus(tr("Cancelled"));
    }
}

void MainWindow::onDatasetChanged()
{
    const core::Dataset& data = m_editor->dataset();
    // Greater-than data is scored by the probability difference over the years (or digits).
    if (core::defaultMetric(data) == core::Metric::ProbDiff) {
        RunSettings s = m_runPanel->settings();
        if (s.metric == QLatin1String("logit-diff")) {
            s.metric = QStringLiteral("prob-diff");
            m_runPanel->setSettings(s);
        }
    }
    if (m_canvas->hasCircuit())
        m_metricTimer->start(); // the metric of the circuit on other pairs
    if (m_selection->pair() >= m_editor->pairCount())
        m_selection->setPair(m_editor->pairCount() > 0 ? 0 : -1);
    else
        requestPairViews(); // the selected pair's text may have changed
    updateReady();
}

void MainWindow::updateReady()
{
    const bool running = m_worker->isRunningLongJob();
    m_openModelAction->setEnabled(!running);
    m_cancelAction->setEnabled(running);
    QString why;
    if (!m_worker->hasModel())
        why = tr("Load a model first.");
    else if (m_editor->pairCount() == 0)
        why = tr("Open or generate prompt pairs first.");
    else
        m_editor->runnableDataset(&why);
    m_runPanel->setReady(why.isEmpty() && !running, why);
    m_runAction->setEnabled(why.isEmpty() && !running);
    m_headsAction->setEnabled(m_worker->hasModel() && !running);
}

bool MainWindow::runAttribution(const RunSettings& settings)
{
    if (!m_worker->hasModel()) {
        showError(tr("Load a model first."));
        return false;
    }
    QString why;
    core::Dataset data = m_editor->runnableDataset(&why);
    if (data.pairs.empty()) {
        showError(why.isEmpty() ? tr("There are no valid prompt pairs to run on.") : why);
        return false;
    }
    if (m_worker->isRunningLongJob()) {
        showError(tr("A computation is running; cancel it or wait for it to finish."));
        return false;
    }
    showError(QString());
    const QString dataKey = datasetKey(data);
    const QString key = ComputeWorker::modelKey(m_worker->model()->summary) + QLatin1Char('|') + dataKey +
                        QLatin1Char('|') + settings.key();
    if (m_results.contains(key)) { // the same model, pairs and settings: nothing to compute
        m_runPanel->setStatus(tr("Shown from the results of this session (same model, pairs and settings)."));
        showResult(key);
        m_runPanel->selectResult(key);
        return true;
    }
    m_runJob = m_worker->runAttribution(settings, std::move(data), dataKey);
    m_runPanel->setRunning(true);
    m_runPanel->setStatus(tr("Running %1…").arg(settings.describe()));
    updateReady();
    return true;
}

// ---- views ---------------------------------------------------------------------------

void MainWindow::showModel(const ModelSummary& model)
{
    const QLocale locale;
    auto set = [this](const char* key, const QString& text) {
        m_modelFields.value(QLatin1String(key))->setText(text);
    };
    set("name", model.name);
    set("architecture", model.family == model.architecture
                            ? model.architecture
                            : tr("%1 (family %2)").arg(model.architecture, model.family));
    set("layers", locale.toString(model.layers));
    set("heads", model.kvHeads > 0 && model.kvHeads != model.heads
                     ? tr("%1 (%2 key/value heads)").arg(model.heads).arg(model.kvHeads)
                     : locale.toString(model.heads));
    set("dModel", locale.toString(model.dModel));
    set("dims", QStringLiteral("%1 / %2").arg(locale.toString(model.dHead), locale.toString(model.dMlp)));
    set("vocab", locale.toString(model.dVocab));
    set("context", locale.toString(model.context));
    set("parameters", parameterText(model.parameters));
    if (model.tokenizerKind.isEmpty())
        set("tokenizer", tr("none (text prompts cannot be encoded)"));
    else
        set("tokenizer", model.prependsBos ? tr("%1, prepends BOS").arg(model.tokenizerKind) : model.tokenizerKind);
    set("dtype", model.weightsDtype.isEmpty() ? model.dtype
                                              : tr("%1 (stored as %2)").arg(model.dtype, model.weightsDtype));
    set("device", model.device);
    set("weights", model.weightFiles);
    set("path", model.path);
    m_modelStack->setCurrentIndex(1);

    updateTitle();
    m_modelLabel->setText(tr("%1 · %2 layers × %3 heads").arg(model.name).arg(model.layers).arg(model.heads));
    m_modelLabel->setToolTip(
        tr("%1\nloaded in %2 s").arg(model.path, locale.toString(model.loadSeconds, 'f', 1)));
    m_deviceLabel->setText(tr("Device: %1 · %2").arg(model.device, model.dtype));
}

void MainWindow::insertResult(const QString& key, const RunResult& result)
{
    // The list keeps the order the runs finished in, in the window and through sessions
    // (a QHash's order changes from one process to the next).
    if (!m_results.contains(key))
        m_resultOrder << key;
    m_results.insert(key, result);
}

void MainWindow::listResultsOf(const ModelSummary& model)
{
    for (const QString& key : std::as_const(m_resultOrder))
        if (const auto it = m_results.constFind(key); it != m_results.constEnd() && it->modelKey == ComputeWorker::modelKey(model))
            m_runPanel->addResult(key, resultText(*it), resultToolTip(*it));
}

void MainWindow::showResult(const QString& key)
{
    const auto it = m_results.constFind(key);
    if (it == m_results.constEnd())
        return;
    m_currentResult = key;
    m_exportCircuitAction->setEnabled(true);
    const int choice = acdcChoice(key);
    QStringList choices;
    if (it->scores && it->scores->acdc.size() >= 2) {
        const QLocale locale;
        for (const core::AcdcRun& run : it->scores->acdc)
            choices << tr("τ = %1 · %2 edges · metric %3")
                           .arg(locale.toString(run.tau, 'g', 4))
                           .arg(locale.toString(static_cast<qlonglong>(std::count(run.kept.begin(), run.kept.end(), char(1)))))
                           .arg(locale.toString(run.metric, 'f', 4));
    }
    m_runPanel->setCircuitChoices(choices, choice);
    showScores(*it);
    if (it->circuit && it->scores && core::methodScoresEdges(it->scores->method)) {
        core::Circuit circuit = resultCircuit(*it, choice);
        circuit.labels = m_labels;
        circuit.groups = m_groups;
        m_canvas->setCircuit(circuit, canvasTitle(*it, choice));
        m_canvasResult = key;
    }
}

void MainWindow::chooseAcdcCircuit(int index)
{
    if (m_currentResult.isEmpty() || index == acdcChoice(m_currentResult))
        return;
    m_acdcChoice[m_currentResult] = index;
    showResult(m_currentResult);
    markDirty();
}

core::Circuit MainWindow::resultCircuit(const RunResult& result, int acdcChoice)
{
    if (!result.circuit)
        throw core::Error("this result holds no circuit (a session saved without one)");
    core::Circuit circuit = *result.circuit;
    if (result.scores && acdcChoice > 0 && static_cast<std::size_t>(acdcChoice) < result.scores->acdc.size())
        circuit.edgeInGraph = result.scores->acdc[static_cast<std::size_t>(acdcChoice)].kept;
    return circuit;
}

void MainWindow::showAdjacency()
{
    // Every edge of the graph's circuit as one cell of a sender × receiver-node grid (q, k
    // and v summed): the level of detail that scales to millions of edges, where drawing
    // them cannot.
    if (!m_canvas->hasCircuit())
        return;
    // A graph of over 100,000 edges (SmolLM2-135M and up: 40 ms, a million cells 70 ms to
    // hand to the plot): its grid is made when its tab is shown, not on every import or run.
    if (m_canvas->circuit().graph.edgeCount() > 100000 && m_scoreTabs->currentWidget() != m_adjacencyMap) {
        m_adjacencyStale = true;
        m_adjacencyMap->clear(tr("The grid of %1's edges is made when this tab is shown.").arg(m_canvas->title()));
        return;
    }
    m_adjacencyStale = false;
    const core::Circuit& c = m_canvas->circuit();
    const core::Graph& g = c.graph;
    HeatmapData map;
    map.title = m_canvas->title();
    map.rowTitle = tr("sender");
    map.columnTitle = tr("receiver");
    const bool scored = c.hasScores();
    map.valueName = scored ? tr("Σ edge score") : tr("edges in the circuit");
    QHash<QString, int> column;
    std::vector<int> columnOf; // per receiver: its node's column
    columnOf.reserve(g.receivers().size());
    for (const auto& receiver : g.receivers()) {
        const QString node = toQString(receiver.nodeName);
        if (!column.contains(node)) {
            column.insert(node, static_cast<int>(map.columnLabels.size()));
            map.columnLabels << node;
        }
        columnOf.push_back(column.value(node));
    }
    for (const auto& sender : g.senders())
        map.rowLabels << toQString(sender.name);
    const auto columns = static_cast<std::size_t>(map.columnLabels.size());
    map.values.fill(std::numeric_limits<double>::quiet_NaN(), static_cast<qsizetype>(g.senders().size() * columns));
    for (std::size_t e = 0; e < g.edgeCount(); ++e) {
        const auto& edge = g.edges()[e];
        const auto cell = static_cast<qsizetype>(static_cast<std::size_t>(edge.sender) * columns +
                                                 static_cast<std::size_t>(columnOf[static_cast<std::size_t>(edge.receiver)]));
        double& v = map.values[cell];
        if (std::isnan(v))
            v = 0;
        const double add = scored ? c.edgeScores[e] : (c.edgeInGraph[e] ? 1.0 : 0.0);
        if (std::isfinite(add))
            v += add;
    }
    if (!scored)
        map.scale = ColourScale::Sequential;
    m_adjacencyMap->setData(map);
}

QString MainWindow::canvasTitle(const RunResult& result, int acdcChoice)
{
    QString title = result.settings.describe();
    if (result.scores && result.scores->acdc.size() >= 2 && acdcChoice >= 0)
        title += tr(" · τ = %1").arg(QLocale().toString(
            result.scores->acdc[static_cast<std::size_t>(std::clamp(acdcChoice, 0, static_cast<int>(result.scores->acdc.size()) - 1))].tau, 'g', 4));
    return result.datasetName.isEmpty() ? title : tr("%1 · scores from %2").arg(title, result.datasetName);
}

QString MainWindow::resultText(const RunResult& result)
{
    // Runs of one method on different pairs must not look the same in the list.
    const QString pairs = tr("%1 pairs").arg(result.pairs);
    return result.datasetName.isEmpty() ? tr("%1 — %2").arg(result.settings.describe(), pairs)
                                        : tr("%1 — %2, %3").arg(result.settings.describe(), result.datasetName, pairs);
}

QString MainWindow::resultToolTip(const RunResult& result)
{
    const QLocale locale;
    QString tip = tr("%1 pairs").arg(result.pairs);
    if (result.scores)
        tip = tr("%1 pairs · %2 s · clean %3 · reference %4")
                  .arg(result.pairs)
                  .arg(locale.toString(result.scores->seconds, 'f', 2), locale.toString(result.scores->cleanMetric, 'f', 4),
                       locale.toString(result.scores->referenceMetric, 'f', 4));
    if (!result.datasetName.isEmpty())
        tip = result.datasetName + QStringLiteral("\n") + tip;
    return tip;
}

void MainWindow::showScores(const RunResult& result)
{
    if (!result.circuit || !result.scores) {
        m_scoreMap->clear(tr("This result holds no scores to show."));
        return;
    }
    const core::Graph& graph = result.circuit->graph;
    const auto& scores = *result.scores;
    const int layers = graph.nLayers(), heads = graph.nHeads();
    const QLocale locale;

    // Layer × head, plus an MLP column; rows top to bottom from layer 0.
    HeatmapData map;
    map.title = result.settings.describe();
    map.valueName = core::methodScoresEdges(scores.method) ? tr("node score (sum of its edges)") : tr("score");
    map.columnTitle = tr("head");
    map.rowTitle = tr("layer");
    for (int l = 0; l < layers; ++l)
        map.rowLabels << QString::number(l);
    for (int h = 0; h < heads; ++h)
        map.columnLabels << QStringLiteral("h%1").arg(h);
    map.columnLabels << tr("MLP");
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (int l = 0; l < layers; ++l) {
        for (int h = 0; h <= heads; ++h) {
            const int sender = h < heads ? graph.senderIndex(l, h) : graph.mlpSenderIndex(l);
            const auto s = static_cast<std::size_t>(sender);
            map.values << (s < scores.nodeScores.size() ? scores.nodeScores[s] : nan);
            map.cellIds << toQString(graph.senders()[s].name);
        }
    }
    if (!scores.nodeScores.empty()) {
        map.title += tr(" · input %1").arg(locale.toString(scores.nodeScores[0], 'g', 4));
        m_scoreMap->setData(map);
    } else if (!scores.acdc.empty()) {
        // ACDC decides per edge and scores no node: an all-empty grid would say nothing.
        const std::size_t choice = static_cast<std::size_t>(std::clamp(acdcChoice(m_currentResult), 0, static_cast<int>(scores.acdc.size()) - 1));
        const core::AcdcRun& run = scores.acdc[choice];
        QString more;
        if (scores.acdc.size() >= 2)
            more = tr("\n\nThis run has %1 thresholds: choose another under Results (“Circuit at”).").arg(scores.acdc.size());
        m_scoreMap->clear(tr("ACDC keeps or removes edges; it gives no node scores.\n\nIts circuit at τ = %1 "
                             "(%2 of %3 edges kept, metric %4) is on the graph.")
                              .arg(locale.toString(run.tau, 'g', 4))
                              .arg(locale.toString(static_cast<qlonglong>(std::count(run.kept.begin(), run.kept.end(), char(1)))))
                              .arg(locale.toString(static_cast<qulonglong>(graph.edgeCount())))
                              .arg(locale.toString(run.metric, 'f', 4)) +
                          more);
    } else {
        m_scoreMap->clear(tr("%1 gives no node scores; its edges are on the graph.").arg(result.settings.describe()));
    }

    // Node × position (activation patching per position): columns are the first pair's tokens.
    if (scores.positions > 0 && !scores.nodePositionScores.empty()) {
        HeatmapData pos;
        pos.title = result.settings.describe();
        pos.valueName = tr("score");
        pos.columnTitle = tr("token position (first pair)");
        pos.rowTitle = tr("node");
        const TextEncoder* encoder = m_worker->model() ? &m_worker->model()->encoder : nullptr;
        const core::Dataset& data = m_editor->dataset();
        const std::vector<int32_t>* ids = data.pairs.empty() ? nullptr : &data.pairs.front().cleanIds;
        for (int p = 0; p < scores.positions; ++p) {
            if (encoder && *encoder && ids && p < static_cast<int>(ids->size()))
                pos.columnLabels << QStringLiteral("%1 %2").arg(p).arg(tokenLabel(*encoder, (*ids)[static_cast<std::size_t>(p)]));
            else
                pos.columnLabels << QString::number(p);
        }
        const auto S = graph.senders().size();
        for (std::size_t s = 0; s < S; ++s) {
            pos.rowLabels << toQString(graph.senders()[s].name);
            for (int p = 0; p < scores.positions; ++p) {
                pos.values << scores.nodePositionScores[s * static_cast<std::size_t>(scores.positions) + static_cast<std::size_t>(p)];
                pos.cellIds << toQString(graph.senders()[s].name);
            }
        }
        m_positionMap->setData(pos);
        m_scoreTabs->setCurrentWidget(m_positionMap);
    } else {
        m_positionMap->clear(tr("Per-position scores come from activation patching with “per position” ticked."));
        m_scoreTabs->setCurrentWidget(m_scoreMap);
    }
    followNode(m_selection->node());
}

QString MainWindow::foreignNodeReason(const QString& node) const
{
    if (node.isEmpty())
        return {};
    const LoadedModel* model = m_worker->model();
    if (!model || !model->config || !model->graph)
        return {};
    // The graph shows a circuit of another model (an import): its a9.h9 is not the loaded
    // model's head, even where a head of that name exists.
    if (m_canvas->hasCircuit() && !core::circuitMismatch(m_canvas->circuit(), *model->config).empty() &&
        m_canvas->circuit().graph.findSender(node.toStdString()))
        return tr("%1 is a node of the circuit on the graph (%2), not of the loaded model %3 (%4): it has no "
                  "attention pattern or score here.")
            .arg(node, toQString(m_canvas->circuit().graph.describe()), model->summary.name,
                 toQString(model->graph->describe()));
    if (!model->graph->findSender(node.toStdString()) && node != QLatin1String("logits"))
        return tr("%1 is not a node of the loaded model %2 (%3).")
            .arg(node, model->summary.name, toQString(model->graph->describe()));
    return {};
}

void MainWindow::followNode(const QString& node)
{
    m_canvas->setSelectedNode(node);
    if (const QString why = foreignNodeReason(node); !why.isEmpty()) {
        // Nothing of the loaded model stands for it: no outline, no attention of a head
        // that merely shares (or clamps to) its name.
        m_scoreMap->setSelectedCell(-1, -1);
        m_attentionMap->clear(why);
        m_attentionGrid->clear();
        m_attentionAllHeads->setChecked(false); // the explanation is on the single map
        statusBar()->showMessage(why, 8000);
        return;
    }
    // Outline the node in the layer × head map and show its attention pattern.
    if (const RunResult* result = currentResult(); result && result->circuit) {
        const core::Graph& graph = result->circuit->graph;
        int row = -1, column = -1;
        if (const auto head = parseHead(node)) {
            row = head->first;
            column = head->second;
        } else if (node.startsWith(QLatin1Char('m'))) {
            bool ok = false;
            const int layer = node.mid(1).toInt(&ok);
            if (ok) {
                row = layer;
                column = graph.nHeads();
            }
        }
        m_scoreMap->setSelectedCell(row, column);
    }
    if (const auto head = parseHead(node)) {
        const QSignalBlocker a(m_attentionLayer), b(m_attentionHead);
        m_attentionLayer->setValue(head->first);
        m_attentionHead->setValue(head->second);
        showAttention();
    }
}

std::vector<int32_t> MainWindow::selectedPromptIds(QString* why, bool corrupted) const
{
    const LoadedModel* model = m_worker->model();
    const int pair = m_selection->pair();
    if (!model || pair < 0 || pair >= m_editor->pairCount()) {
        *why = QString();
        return {};
    }
    const core::PromptPair& p = m_editor->dataset().pairs[static_cast<std::size_t>(pair)];
    std::vector<int32_t> ids = corrupted ? p.corruptedIds : p.cleanIds;
    const std::string& prompt = corrupted ? p.corrupted : p.clean;
    if (ids.empty() && model->encoder && !prompt.empty()) {
        try {
            ids = model->encoder.encodePrompt(prompt);
        } catch (const std::exception& e) {
            *why = (corrupted ? tr("The corrupted prompt cannot be encoded: %1") : tr("The clean prompt cannot be encoded: %1"))
                       .arg(toQString(e.what()));
            return {};
        }
    }
    if (ids.empty())
        *why = tr("This pair has no tokens to show");
    return ids;
}

void MainWindow::requestPairViews()
{
    requestAttention();
    requestLogitLens();
}

void MainWindow::requestAttention()
{
    QString why;
    std::vector<int32_t> ids = selectedPromptIds(&why, m_attentionPrompt->currentIndex() == 1);
    if (ids.empty()) {
        m_attention.reset();
        m_attentionMap->clear(why.isEmpty() ? tr("Select a prompt pair to see attention patterns") : why);
        m_attentionGrid->clear();
        return;
    }
    if (m_attention && m_attention->ids == ids)
        return showAttention();
    m_attentionJob = m_worker->attentionPatterns(std::move(ids));
}

void MainWindow::requestLogitLens()
{
    QString why;
    std::vector<int32_t> ids = selectedPromptIds(&why);
    const LoadedModel* model = m_worker->model();
    if (ids.empty() || !model) {
        m_lensJob = 0;
        m_lens->clear(why.isEmpty() ? tr("Select a prompt pair to see the logit lens") : why);
        return;
    }
    // The first answer and wrong answer, when each is one token.
    const core::PromptPair& p = m_editor->dataset().pairs[static_cast<std::size_t>(m_selection->pair())];
    auto firstToken = [&](const std::vector<int32_t>& idsOf, const std::vector<std::string>& texts) -> std::optional<int32_t> {
        if (!idsOf.empty())
            return idsOf.front();
        if (texts.empty() || !model->encoder)
            return std::nullopt;
        try {
            const auto tokens = model->encoder.tokenizer->encode(texts.front());
            if (tokens.size() == 1)
                return tokens.front();
        } catch (const std::exception&) {
        }
        return std::nullopt;
    };
    const auto answer = firstToken(p.answerIds, p.answers);
    const auto wrong = firstToken(p.wrongAnswerIds, p.wrongAnswers);
    auto inVocabulary = [&](std::optional<int32_t> id) {
        return id && *id >= 0 && *id < model->summary.dVocab ? id : std::nullopt;
    };
    const auto answerId = inVocabulary(answer), wrongId = inVocabulary(wrong);
    std::vector<int32_t> tracked;
    for (const auto& id : {answerId, wrongId})
        if (id)
            tracked.push_back(*id);
    m_lens->setPrompt(ids, model->encoder);
    m_lens->setAnswers(answerId, wrongId);
    m_lensJob = m_worker->logitLens(std::move(ids), m_lens->position(), 5, std::move(tracked));
}

void MainWindow::onLogitLens(const LogitLensResult& lens)
{
    if (lens.job != m_lensJob || !m_worker->model())
        return; // a newer request is on its way
    m_lens->setLens(lens, m_worker->model()->encoder);
}

void MainWindow::showAttention()
{
    const LoadedModel* model = m_worker->model();
    const bool grid = m_attentionAllHeads->isChecked();
    m_attentionMap->setVisible(!grid);
    m_attentionGrid->setVisible(grid);
    if (!m_attention || !model)
        return;
    const int layer = m_attentionLayer->value(), head = m_attentionHead->value();
    if (layer >= m_attention->layers || head >= m_attention->heads)
        return;
    const QString prompt = m_attentionPrompt->currentIndex() == 1 ? tr("corrupted") : tr("clean");
    m_attentionGrid->setPatterns(*m_attention, layer, head,
                                 tr("layer %1 · pair %2 (%3)").arg(layer).arg(m_selection->pair() + 1).arg(prompt));
    HeatmapData map;
    map.title = tr("a%1.h%2 · pair %3 (%4)").arg(layer).arg(head).arg(m_selection->pair() + 1).arg(prompt);
    map.valueName = tr("attention");
    map.columnTitle = tr("key position (attended to)");
    map.rowTitle = tr("query position");
    map.scale = ColourScale::Sequential;
    const int n = m_attention->positions;
    for (int p = 0; p < n; ++p) {
        const QString token = model->encoder ? tokenLabel(model->encoder, m_attention->ids[static_cast<std::size_t>(p)])
                                             : QString::number(m_attention->ids[static_cast<std::size_t>(p)]);
        map.rowLabels << QStringLiteral("%1 %2").arg(p).arg(token);
        // Keys by position only: the same tokens as the rows, and numbers fit every column
        // upright where tokens had to be thinned in a dock at 1400x900.
        map.columnLabels << QString::number(p);
    }
    for (int q = 0; q < n; ++q)
        for (int k = 0; k < n; ++k)
            map.values << (k <= q ? static_cast<double>(m_attention->at(layer, head, q, k))
                                  : std::numeric_limits<double>::quiet_NaN());
    m_attentionMap->setData(map);
}

// ---- the graph canvas --------------------------------------------------------------------

QString MainWindow::canvasMismatch() const
{
    const LoadedModel* model = m_worker->model();
    if (!model || !model->config)
        return tr("Load a model to compute the circuit's metric.");
    const core::Circuit& c = m_canvas->circuit();
    const std::string why = core::circuitMismatch(c, *model->config);
    if (!why.empty())
        return tr("This circuit cannot run on %1: %2.").arg(model->summary.name, toQString(why));
    // A grouped-query model has two graphs; the Run panel's choice says which one runs.
    const bool perQueryHead = core::isPerQueryHeadCircuitOf(c, *model->config);
    const bool ungrouped = m_runPanel->settings().ungroupedKv;
    if (perQueryHead && !ungrouped)
        return tr("This circuit has a key/value input per query head (MIB's layout): tick “k/v per query head” in the "
                  "Run panel to compute its metric on that graph.");
    if (!perQueryHead && ungrouped)
        return tr("This circuit has one key/value input per key/value head: untick “k/v per query head” in the Run "
                  "panel to compute its metric.");
    if (!perQueryHead && c.graph.edgeCount() != model->graph->edgeCount())
        return tr("This circuit's graph (%1) is not the model's (%2).")
            .arg(toQString(c.graph.describe()), toQString(model->graph->describe()));
    return {};
}

void MainWindow::requestCircuitMetric()
{
    ++m_metricRequest; // whatever is still on its way belongs to an older state
    m_metricBusyTimer->stop();
    if (!m_canvas->hasCircuit())
        return;
    if (const QString why = canvasMismatch(); !why.isEmpty()) {
        m_canvas->setEvaluationMessage(why);
        return;
    }
    QString why;
    core::Dataset data = m_editor->runnableDataset(&why);
    if (data.pairs.empty()) {
        m_canvas->setEvaluationMessage(why.isEmpty() ? tr("No valid prompt pairs to compute the metric on.") : why);
        return;
    }
    const QString key = datasetKey(data);
    // The scores on the canvas may come from other pairs than those in the table now: the
    // metric is of the table's pairs, and the canvas says so.
    const auto shown = m_results.constFind(m_canvasResult);
    if (shown != m_results.constEnd() && shown->datasetKey != key)
        m_canvas->setEvaluationNote(tr("The scores are from %1 (%2 pairs); this metric is on the %3 pairs in the table now (%4).")
                                        .arg(shown->datasetName.isEmpty() ? tr("other pairs") : shown->datasetName)
                                        .arg(shown->pairs)
                                        .arg(data.pairs.size())
                                        .arg(datasetName(data)));
    else
        m_canvas->setEvaluationNote(QString());
    m_metricJob = m_worker->evaluateCircuit(m_runPanel->settings(), std::move(data), key, m_canvas->edgeMask(),
                                            m_metricRequest);
    m_metricBusyTimer->start();
}

void MainWindow::onCircuitEvaluated(const CircuitEvaluation& evaluation)
{
    if (evaluation.request != m_metricRequest)
        return; // the circuit changed since; a newer metric is on its way
    m_metricBusyTimer->stop();
    m_canvas->setEvaluation(evaluation);
}

bool MainWindow::importCircuit(const QString& file)
{
    // Read and adapted off the GUI thread: MIB's circuits of 8B models are ~1.6 M edges and
    // hundreds of MB of JSON, and the window must not freeze meanwhile.
    if (!m_importing.isEmpty()) {
        showError(tr("%1 is still being read; import %2 once it is shown.")
                      .arg(QFileInfo(m_importing).fileName(), QFileInfo(file).fileName()));
        return false;
    }
    m_importing = file;
    const quint64 generation = ++m_importGeneration;
    std::optional<core::ModelConfig> config;
    if (const LoadedModel* model = m_worker->model(); model && model->config)
        config = *model->config;
    m_progress->setRange(0, 0); // busy: the reader reports no fraction
    m_progress->setFormat(QString());
    m_progress->setToolTip(tr("Reading %1…").arg(file));
    m_progress->show();
    statusBar()->showMessage(tr("Reading %1…").arg(QFileInfo(file).fileName()));
    QPointer<MainWindow> self(this);
    m_importPool.start([file, config = std::move(config), self, generation] {
        auto imported = std::make_shared<core::Circuit>();
        auto ranking = std::make_shared<EdgeRanking>();
        QString error;
        bool perQueryHead = false;
        try {
            *imported = core::readCircuit(file.toStdString());
            if (config && core::circuitMismatch(*imported, *config).empty()) {
                // A per-query-head circuit (MIB's, for a grouped-query model) stays on the
                // ungrouped graph it was made on: the Run panel switches to that graph.
                perQueryHead = core::isPerQueryHeadCircuitOf(*imported, *config);
                *imported = core::adaptCircuit(*imported, *config, perQueryHead);
            }
            *ranking = GraphCanvas::rankEdges(*imported); // 1.6 M edges: not on the GUI thread
        } catch (const std::exception& e) {
            error = toQString(e.what());
        } catch (...) {
            error = MainWindow::tr("%1: could not be read").arg(file); // e.g. out of memory
        }
        QMetaObject::invokeMethod(qApp, [self, file, imported, ranking, error, perQueryHead, generation] {
            if (!self)
                return;
            if (generation != self->m_importGeneration) { // a session or model came meanwhile
                self->m_importing.clear();
                if (self->m_progress->maximum() == 0) {
                    self->m_progress->hide();
                    self->m_progress->setRange(0, 100);
                }
                self->statusBar()->showMessage(MainWindow::tr("%1 was read after the window changed: import it again "
                                                              "to show it.")
                                                   .arg(QFileInfo(file).fileName()),
                                               8000);
                return;
            }
            self->finishImport(file, error.isEmpty() ? imported : nullptr, ranking, error, perQueryHead);
        });
    });
    return true;
}

void MainWindow::finishImport(const QString& file, std::shared_ptr<core::Circuit> imported,
                              std::shared_ptr<EdgeRanking> ranking, const QString& error, bool perQueryHead)
{
    m_importing.clear();
    if (m_progress->maximum() == 0) { // the busy bar is the import's (a model load shows a fraction)
        m_progress->hide();
        m_progress->setRange(0, 100);
        m_progress->setToolTip(QString());
    }
    statusBar()->clearMessage();
    if (!imported) {
        showError(tr("The circuit could not be imported: %1").arg(error));
        Q_EMIT circuitImported(file, false);
        return;
    }
    core::Circuit circuit = std::move(*imported);
    m_lastCircuitFile = file;
    showError(QString());
    if (perQueryHead) {
        RunSettings s = m_runPanel->settings();
        s.ungroupedKv = true;
        m_runPanel->setSettings(s);
    }
    // The file's labels join the session's (the file wins where both name a node).
    for (const auto& [node, label] : circuit.labels)
        m_labels[node] = label;
    for (const auto& [node, group] : circuit.groups)
        m_groups[node] = group;
    circuit.labels = m_labels;
    circuit.groups = m_groups;
    const auto edges = static_cast<qulonglong>(circuit.graph.edgeCount());
    m_canvas->setCircuit(std::move(circuit), QFileInfo(file).fileName(), std::move(*ranking));
    m_canvasResult.clear();
    if (const QString why = canvasMismatch(); !why.isEmpty() && m_worker->model())
        showError(why);
    statusBar()->showMessage(tr("Imported %1: %2 edges, %3 in the circuit")
                                 .arg(QFileInfo(file).fileName(), QLocale().toString(edges),
                                      QLocale().toString(m_canvas->edgesInCircuit())),
                             8000);
    Q_EMIT circuitImported(file, true);
}

bool MainWindow::exportCanvasCircuit(const QString& file, const QString& format)
{
    if (!m_canvas->hasCircuit()) {
        showError(tr("There is no circuit on the graph to export."));
        return false;
    }
    try {
        core::writeCircuit(m_canvas->circuit(), file.toStdString(), core::parseCircuitFormat(format.toStdString()));
    } catch (const std::exception& e) {
        showError(tr("The circuit could not be exported: %1").arg(toQString(e.what())));
        return false;
    }
    exported(file);
    return true;
}

// ---- sessions ------------------------------------------------------------------------

QString MainWindow::lastSessionFile() { return sessionsDirectory() + QStringLiteral("/last") + kSessionSuffix; }

QString MainWindow::recoveredSessionFile()
{
    return sessionsDirectory() + QStringLiteral("/recovered") + kSessionSuffix;
}

core::Session MainWindow::session() const
{
    core::Session s;
    if (const LoadedModel* model = m_worker->model()) {
        s.modelPath = toStdString(model->summary.path);
        s.modelFingerprint = toStdString(model->summary.fingerprint);
    } else if (m_pendingSession) {
        s.modelPath = m_pendingSession->modelPath;
        s.modelFingerprint = m_pendingSession->modelFingerprint;
    }
    s.device = toStdString(m_device);
    s.dtype = toStdString(m_dtype);
    if (m_editor->pairCount() > 0) {
        s.dataset = m_editor->dataset();
        s.datasetFile = toStdString(m_editor->fileName());
    }
    s.settings = m_runPanel->settings().toMap();
    for (const QString& key : m_resultOrder) {
        const auto it = m_results.constFind(key);
        core::SessionRun run;
        run.key = toStdString(it.key());
        run.settings = it->settings.toMap();
        run.modelKey = toStdString(it->modelKey);
        run.datasetKey = toStdString(it->datasetKey);
        run.datasetName = toStdString(it->datasetName);
        run.pairs = it->pairs;
        if (it->scores)
            run.scores = *it->scores;
        if (it->circuit)
            run.circuit = *it->circuit;
        s.runs.push_back(std::move(run));
    }
    s.currentRun = toStdString(m_currentResult);
    s.labels = m_labels;
    s.groups = m_groups;
    s.view = {{"pair", std::to_string(m_selection->pair())},
              {"node", toStdString(m_selection->node())},
              {"position", std::to_string(m_selection->position())},
              {"attention_layer", std::to_string(m_attentionLayer->value())},
              {"attention_head", std::to_string(m_attentionHead->value())},
              {"scores_tab", std::to_string(m_scoreTabs->currentIndex())},
              {"attention_prompt", m_attentionPrompt->currentIndex() == 1 ? "corrupted" : "clean"},
              {"attention_all_heads", m_attentionAllHeads->isChecked() ? "1" : "0"},
              {"graph_colour", m_canvas->colourByPort() ? "qkv" : "sign"},
              {"graph_layout", m_canvas->layeredLayout() ? "layers" : "graphviz"},
              {"acdc_choice", std::to_string(acdcChoice(m_currentResult))}};
    // The τ chosen for every ACDC result, not only the one on show: "index<TAB>key" lines.
    QStringList choices;
    for (auto it = m_acdcChoice.cbegin(); it != m_acdcChoice.cend(); ++it)
        if (it.value() > 0 && m_results.contains(it.key()))
            choices << QStringLiteral("%1\t%2").arg(it.value()).arg(it.key());
    choices.sort();
    if (!choices.isEmpty())
        s.view["acdc_choices"] = toStdString(choices.join(QLatin1Char('\n')));
    if (m_lessons->runner()->hasLesson()) { // the lesson followed, its progress, folders opened
        s.view["lesson"] = toStdString(m_lessons->lessonId());
        s.view["lesson_progress"] = toStdString(m_lessons->runner()->progressText());
        if (!m_lessonFolders.isEmpty())
            s.view["lesson_folders"] = toStdString(m_lessonFolders.join(QLatin1Char('\n')));
    }
    if (!m_canvas->collapsedGroups().isEmpty())
        s.view["graph_collapsed"] = toStdString(m_canvas->collapsedGroups().join(QLatin1Char('\n')));
    if (m_canvas->hasCircuit()) {
        s.canvas = m_canvas->circuit();
        s.canvasTitle = toStdString(m_canvas->title());
        s.view["graph_filter"] = std::to_string(static_cast<int>(m_canvas->filter()));
        s.view["graph_value"] = QString::number(m_canvas->filterValue(), 'g', 17).toStdString();
    }
    return s;
}

bool MainWindow::saveSession(const QString& file)
{
    try {
        QDir().mkpath(QFileInfo(file).absolutePath());
        core::writeSession(session(), file.toStdString());
    } catch (const std::exception& e) {
        showError(tr("The session could not be saved: %1").arg(toQString(e.what())));
        return false;
    }
    m_sessionFile = file;
    markSaved();
    showError(QString());
    statusBar()->showMessage(tr("Session saved to %1").arg(file), 4000);
    return true;
}

bool MainWindow::openSession(const QString& file)
{
    if (m_worker->isRunningLongJob()) {
        showError(tr("A computation is running; cancel it or wait for it to finish before opening a session."));
        return false;
    }
    core::Session s;
    try {
        s = core::readSession(file.toStdString());
    } catch (const std::exception& e) {
        showError(tr("The session could not be opened: %1").arg(toQString(e.what())));
        return false;
    }
    showError(QString());
    ++m_importGeneration; // a circuit still being read must not land on the session's graph
    // The session replaces the window's runs, pairs, settings and labels.
    m_results.clear();
    m_resultOrder.clear();
    m_acdcChoice.clear();
    m_runPanel->clearResults();
    m_currentResult.clear();
    m_exportCircuitAction->setEnabled(false);
    for (const core::SessionRun& run : s.runs) {
        RunResult result;
        result.settings = RunSettings::fromMap(run.settings);
        result.modelKey = toQString(run.modelKey);
        result.datasetKey = toQString(run.datasetKey);
        result.datasetName = toQString(run.datasetName);
        result.pairs = run.pairs;
        result.scores = std::make_shared<const core::AttributionResult>(run.scores);
        if (run.circuit)
            result.circuit = std::make_shared<const core::Circuit>(*run.circuit);
        const QString key = run.key.empty() ? result.modelKey + QLatin1Char('|') + result.datasetKey + QLatin1Char('|') +
                                                  result.settings.key()
                                            : toQString(run.key);
        insertResult(key, result);
    }
    m_runPanel->setSettings(RunSettings::fromMap(s.settings));
    m_labels = s.labels;
    m_groups = s.groups;
    // The session replaces the whole work (the window asked first where it was modified):
    // its pairs are not an undoable edit of the pairs before.
    if (s.dataset)
        m_editor->setDataset(*s.dataset);
    m_sessionFile = file;
    markSaved();
    setDevice(toQString(s.device));
    setDtype(toQString(s.dtype));

    const QString modelPath = toQString(s.modelPath.string());
    const LoadedModel* loaded = m_worker->model();
    if (loaded && QDir::cleanPath(loaded->summary.path) == QDir::cleanPath(modelPath) &&
        toStdString(loaded->summary.fingerprint) == s.modelFingerprint) {
        listResultsOf(loaded->summary);
        applySessionView(s);
        markDirty();
        return true;
    }
    if (modelPath.isEmpty()) {
        applySessionView(s);
        return true;
    }
    m_pendingSession = std::move(s);
    openModel(modelPath);
    return true;
}

void MainWindow::applySessionView(const core::Session& s)
{
    auto number = [&](const char* key, int fallback) {
        const auto it = s.view.find(key);
        bool ok = false;
        const int v = it == s.view.end() ? fallback : toQString(it->second).toInt(&ok);
        return ok ? v : fallback;
    };
    const QString current = toQString(s.currentRun);
    const LoadedModel* model = m_worker->model();
    if (const auto choices = s.view.find("acdc_choices"); choices != s.view.end())
        for (const QString& line : toQString(choices->second).split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
            bool ok = false;
            const int tau = line.section(QLatin1Char('\t'), 0, 0).toInt(&ok);
            const QString key = line.section(QLatin1Char('\t'), 1);
            if (ok && tau > 0 && m_results.contains(key))
                m_acdcChoice[key] = tau;
        }
    if (const int tau = number("acdc_choice", 0); tau > 0)
        m_acdcChoice[current] = tau;
    if (model && m_results.contains(current) && m_results.value(current).modelKey == ComputeWorker::modelKey(model->summary)) {
        showResult(current);
        m_runPanel->selectResult(current);
    }
    m_scoreTabs->setCurrentIndex(std::clamp(number("scores_tab", 0), 0, m_scoreTabs->count() - 1));
    if (const auto prompt = s.view.find("attention_prompt"); prompt != s.view.end())
        m_attentionPrompt->setCurrentIndex(prompt->second == "corrupted" ? 1 : 0);
    m_attentionAllHeads->setChecked(number("attention_all_heads", 0) != 0);
    if (const auto layout = s.view.find("graph_layout"); layout != s.view.end())
        m_canvas->setLayeredLayout(layout->second != "graphviz");
    if (const auto colour = s.view.find("graph_colour"); colour != s.view.end())
        m_canvas->setColourByPort(colour->second == "qkv");
    {
        const auto collapsed = s.view.find("graph_collapsed");
        m_canvas->setCollapsedGroups(collapsed == s.view.end() ? QStringList()
                                                               : toQString(collapsed->second).split(QLatin1Char('\n'), Qt::SkipEmptyParts));
    }
    m_attentionLayer->setValue(number("attention_layer", m_attentionLayer->value()));
    m_attentionHead->setValue(number("attention_head", m_attentionHead->value()));
    const int pair = number("pair", -1);
    if (pair >= 0 && pair < m_editor->pairCount())
        m_selection->setPair(pair);
    m_selection->setPosition(number("position", -1));
    if (s.canvas) {
        m_canvas->setCircuit(*s.canvas, toQString(s.canvasTitle));
        // The session's canvas is its current run as edited, or a circuit imported then.
        // (Sessions before the τ choice titled a several-τ ACDC result without it.)
        const QString savedTitle = toQString(s.canvasTitle);
        const bool ofCurrent = m_results.contains(current) &&
                               (savedTitle == canvasTitle(m_results.value(current), acdcChoice(current)) ||
                                savedTitle == canvasTitle(m_results.value(current), -1));
        m_canvasResult = ofCurrent ? current : QString();
        const int filter = number("graph_filter", -1);
        const auto value = s.view.find("graph_value");
        if (filter >= 0 && filter <= static_cast<int>(GraphCanvas::Filter::InCircuit) && value != s.view.end())
            m_canvas->setFilter(static_cast<GraphCanvas::Filter>(filter), toQString(value->second).toDouble());
    }
    if (const auto node = s.view.find("node"); node != s.view.end() && !node->second.empty())
        m_selection->setNode(toQString(node->second));
    m_canvas->undoStack()->setClean(); // the canvas as the session has it
    // Last: the restored step is judged on the session's selection, result and canvas.
    if (const auto lesson = s.view.find("lesson"); lesson != s.view.end() && !lesson->second.empty()) {
        if (const auto folders = s.view.find("lesson_folders"); folders != s.view.end())
            for (const QString& folder : toQString(folders->second).split(QLatin1Char('\n'), Qt::SkipEmptyParts))
                if (!m_lessonFolders.contains(folder) && QFileInfo(folder).isDir()) {
                    m_lessons->addLessons(folder);
                    m_lessonFolders << folder;
                }
        const auto progress = s.view.find("lesson_progress");
        auto* dock = findChild<QDockWidget*>(QStringLiteral("lessonsDock"));
        dock->show();
        m_lessons->openLesson(toQString(lesson->second),
                              progress == s.view.end() ? QString() : toQString(progress->second));
    }
}

void MainWindow::markDirty()
{
    m_autosaveTimer->start();
}

void MainWindow::markUnsaved()
{
    m_unsaved = true;
    updateTitle();
    markDirty();
}

void MainWindow::markSaved()
{
    m_unsaved = false;
    m_editor->undoStack()->setClean();
    m_canvas->undoStack()->setClean();
    updateTitle();
}

bool MainWindow::isWorkModified() const
{
    return m_unsaved || !m_editor->undoStack()->isClean() || !m_canvas->undoStack()->isClean();
}

void MainWindow::updateTitle()
{
    QStringList parts;
    if (const LoadedModel* model = m_worker->model())
        parts << model->summary.name;
    if (!m_editor->fileName().isEmpty())
        parts << QFileInfo(m_editor->fileName()).fileName();
    else if (m_editor->pairCount() > 0)
        parts << tr("%1 pairs").arg(m_editor->pairCount());
    if (!m_sessionFile.isEmpty())
        parts << QFileInfo(m_sessionFile).fileName();
    if (parts.isEmpty()) {
        setWindowModified(false);
        setWindowTitle(tr("Patchbay"));
        return;
    }
    setWindowTitle(tr("%1[*] — Patchbay").arg(parts.join(QStringLiteral(" · "))));
    setWindowModified(isWorkModified());
}

bool MainWindow::keepOrDiscardWork(const QString& action)
{
    if (!isWorkModified())
        return true;
    QStringList what;
    if (!m_editor->undoStack()->isClean())
        what << tr("prompt pairs edited or generated");
    if (m_unsaved)
        what << tr("runs or node labels");
    if (!m_canvas->undoStack()->isClean())
        what << tr("edges patched on the graph");
    const QString question = tr("This window holds work that is in no file: %1. Save it as a session before %2?")
                                 .arg(what.join(QStringLiteral(", ")), action);
    const QMessageBox::StandardButton answer =
        m_unsavedWorkPrompt ? m_unsavedWorkPrompt(question)
                            : QMessageBox::question(this, tr("Unsaved Work"), question,
                                                    QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel,
                                                    QMessageBox::Save);
    if (answer == QMessageBox::Save)
        return chooseSessionToSave(false);
    return answer == QMessageBox::Discard;
}

void MainWindow::autosave()
{
    core::Session s = session();
    if (s.modelPath.empty() && !s.dataset)
        return; // nothing to lose yet
    QPointer<MainWindow> self(this);
    const QString file = m_autosaveFile;
    m_ioPool.start([s = std::move(s), file, self] {
        try {
            QDir().mkpath(QFileInfo(file).absolutePath());
            core::writeSession(s, file.toStdString());
        } catch (const std::exception& e) {
            const QString message = toQString(e.what());
            QMetaObject::invokeMethod(qApp, [self, message] {
                if (self)
                    self->showError(MainWindow::tr("Autosave failed: %1").arg(message));
            });
        }
    });
}

void MainWindow::autosaveNow()
{
    m_autosaveTimer->stop();
    autosave();
    m_ioPool.waitForDone();
}

void MainWindow::recoverCrashedSessions()
{
    // Autosaves of processes that no longer run: the newest becomes the recovered session.
    const QDir dir(sessionsDirectory());
    const QFileInfoList files =
        dir.entryInfoList({QStringLiteral("autosave-*") + kSessionSuffix}, QDir::Files, QDir::Time);
    bool recovered = false;
    for (const QFileInfo& info : files) {
        const qint64 pid = info.completeBaseName().mid(QStringLiteral("autosave-").size()).section(QLatin1Char('-'), 0, 0).toLongLong();
        if (info.absoluteFilePath() == QFileInfo(m_autosaveFile).absoluteFilePath() ||
            (pid != QCoreApplication::applicationPid() && processRuns(pid)))
            continue; // this window's own, or a running window's
        if (!recovered) { // newest first
            QFile::remove(recoveredSessionFile());
            const QDateTime saved = info.lastModified(); // before the rename: the old path is gone after it
            recovered = QFile::rename(info.absoluteFilePath(), recoveredSessionFile());
            if (recovered) {
                m_notice = tr("Patchbay did not close cleanly last time. File > Reopen Last Session brings back "
                              "the work autosaved at %1.")
                               .arg(QLocale().toString(saved, QLocale::ShortFormat));
                showError(QString());
            }
        } else {
            QFile::remove(info.absoluteFilePath()); // older than the one recovered
        }
    }
    if (!recovered && QFileInfo::exists(lastSessionFile()))
        statusBar()->showMessage(tr("The work of the last window closed (%1) is under File > Reopen Last Session.")
                                     .arg(QLocale().toString(QFileInfo(lastSessionFile()).lastModified(), QLocale::ShortFormat)),
                                 30000);
    if (m_reopenSessionAction)
        m_reopenSessionAction->setEnabled(QFileInfo::exists(lastSessionFile()) || QFileInfo::exists(recoveredSessionFile()));
}

bool MainWindow::reopenLastSession()
{
    const QFileInfo last(lastSessionFile()), recovered(recoveredSessionFile());
    QString file;
    if (recovered.exists() && (!last.exists() || recovered.lastModified() >= last.lastModified()))
        file = recovered.absoluteFilePath();
    else if (last.exists())
        file = last.absoluteFilePath();
    if (file.isEmpty()) {
        showError(tr("There is no last session to reopen."));
        return false;
    }
    if (!openSession(file))
        return false;
    if (!m_notice.isEmpty()) {
        const QString notice = m_notice;
        m_notice.clear();
        if (errorText() == notice)
            showError(QString());
    }
    m_sessionFile.clear(); // Save asks for a name rather than writing into the autosave folder
    updateTitle();
    return true;
}

void MainWindow::chooseSessionToOpen()
{
    const QString start = m_sessionFile.isEmpty() ? QFileInfo(suggestedPath(QStringLiteral("session"), QStringLiteral("pbsession"))).absolutePath()
                                                  : QFileInfo(m_sessionFile).absolutePath();
    const QString file = QFileDialog::getOpenFileName(this, tr("Open Session"), start,
                                                      tr("Patchbay sessions (*.pbsession);;All files (*)"));
    if (!file.isEmpty() && keepOrDiscardWork(tr("opening %1").arg(QFileInfo(file).fileName())))
        openSession(file);
}

bool MainWindow::chooseSessionToSave(bool askForName)
{
    QString file = m_sessionFile;
    if (askForName || file.isEmpty()) {
        const QString start = file.isEmpty() ? suggestedPath(QStringLiteral("session"), kSessionSuffix.mid(1)) : file;
        file = QFileDialog::getSaveFileName(this, tr("Save Session"), start, tr("Patchbay sessions (*.pbsession)"));
        if (file.isEmpty())
            return false;
        if (!file.endsWith(kSessionSuffix))
            file += kSessionSuffix;
    }
    return saveSession(file);
}

void MainWindow::setNodeLabel(const QString& node, const QString& label)
{
    if (label.trimmed().isEmpty())
        m_labels.erase(toStdString(node));
    else
        m_labels[toStdString(node)] = toStdString(label.trimmed());
    markUnsaved();
}

void MainWindow::showError(const QString& message)
{
    // With no error to show, a standing notice (a session to recover) stays visible. The
    // status bar shows the first line; Details… shows the whole message.
    const QString shown = printableMessage(message.isEmpty() ? m_notice : message);
    m_errorText = shown;
    const QString firstLine = shown.section(QLatin1Char('\n'), 0, 0);
    m_errorLabel->setText(firstLine == shown ? shown : firstLine + QStringLiteral(" …"));
    m_errorLabel->setToolTip(shown.size() > 2000 ? shown.left(2000) + QStringLiteral(" …") : shown);
    m_errorDetails->setVisible(!shown.isEmpty());
}

void MainWindow::showErrorDetails()
{
    if (m_errorText.isEmpty())
        return;
    auto* box = new QMessageBox(QMessageBox::Warning, tr("Patchbay"), m_errorText.section(QLatin1Char('\n'), 0, 0),
                                QMessageBox::Close, this);
    box->setObjectName(QStringLiteral("errorDetailsBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setDetailedText(m_errorText);
    box->setTextInteractionFlags(Qt::TextSelectableByMouse);
    box->open();
}

} // namespace patchbay::ui
