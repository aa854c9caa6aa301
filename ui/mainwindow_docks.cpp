// SPDX-License-Identifier: MIT
// MainWindow's panels and docks: the model panel, the attention panel, the dock layout, lessons.
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

#include <QCheckBox>
#include <QComboBox>
#include <QDockWidget>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace patchbay::ui {

namespace {

QLabel* placeholderLabel(const QString& text, QWidget* parent)
{
    auto* label = new QLabel(text, parent);
    label->setAlignment(Qt::AlignCenter);
    label->setWordWrap(true);
    label->setEnabled(false); // greyed: nothing to show yet
    return label;
}

} // namespace

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


} // namespace patchbay::ui
