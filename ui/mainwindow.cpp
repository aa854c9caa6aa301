// SPDX-License-Identifier: MIT
#include "ui/mainwindow.h"

#include "core/error.h"
#include "core/system.h"
#include "core/version.h"
#include "ui/promptpairmodel.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QScrollArea>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

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

QWidget* placeholderWidget(const QString& text, QWidget* parent)
{
    auto* widget = new QWidget(parent);
    auto* layout = new QVBoxLayout(widget);
    layout->addWidget(placeholderLabel(text, widget));
    return widget;
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

} // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    setWindowTitle(tr("Patchbay"));
    setObjectName(QStringLiteral("MainWindow"));
    setCentralWidget(placeholderWidget(tr("Circuit graph\n\nLoad a model and run an attribution to see its circuit "
                                          "here."),
                                       this));
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowNestedDocks | QMainWindow::AllowTabbedDocks);

    m_loader = new ModelLoader(this);
    m_pairs = new PromptPairModel(this);
    connect(m_loader, &ModelLoader::started, this, &MainWindow::onLoadStarted);
    connect(m_loader, &ModelLoader::loaded, this, &MainWindow::onLoaded);
    connect(m_loader, &ModelLoader::failed, this, &MainWindow::onLoadFailed);

    createDocks();
    createActions();
    createStatusBar();
    connect(m_loader, &ModelLoader::progress, this, [this](double fraction, const QString& stage) {
        m_progress->setValue(static_cast<int>(fraction * 100.0));
        m_progress->setToolTip(stage);
    });
    resize(1280, 800);
    restoreLayout();
}

MainWindow::~MainWindow() = default;

QList<QDockWidget*> MainWindow::docks() const { return findChildren<QDockWidget*>(); }

void MainWindow::setDevice(const QString& device) { m_device = device; }

// ---- layout ---------------------------------------------------------------------------

QDockWidget* MainWindow::addDock(const QString& objectName, const QString& title, Qt::DockWidgetArea area,
                                 QWidget* content)
{
    auto* dock = new QDockWidget(title, this);
    dock->setObjectName(objectName);
    content->setParent(dock);
    dock->setWidget(content);
    addDockWidget(area, dock);
    return dock;
}

QWidget* MainWindow::createModelPanel()
{
    m_modelStack = new QStackedWidget;
    m_modelPlaceholder = placeholderLabel(tr("No model loaded\n\nFile > Open Model… opens a Hugging Face model folder."),
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
    return m_modelStack;
}

QWidget* MainWindow::createPromptPanel()
{
    auto* panel = new QWidget;
    auto* layout = new QVBoxLayout(panel);
    layout->setContentsMargins(4, 4, 4, 4);
    m_datasetHeader = new QLabel(tr("No dataset\n\nFile > Open Dataset… reads prompt pairs (CSV or JSON)."), panel);
    m_datasetHeader->setObjectName(QStringLiteral("datasetHeader"));
    m_datasetHeader->setAlignment(Qt::AlignCenter);
    m_datasetHeader->setEnabled(false);
    m_datasetHeader->setWordWrap(true);
    m_datasetHeader->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_datasetHeader);

    m_pairView = new QTableView(panel);
    m_pairView->setObjectName(QStringLiteral("pairView"));
    m_pairView->setModel(m_pairs);
    m_pairView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_pairView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_pairView->setWordWrap(false);
    m_pairView->setTextElideMode(Qt::ElideMiddle);
    m_pairView->verticalHeader()->hide();
    m_pairView->verticalHeader()->setDefaultSectionSize(m_pairView->fontMetrics().height() + 6);
    auto* header = m_pairView->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setResizeContentsPrecision(200); // large datasets: measure the first rows only
    header->setSectionResizeMode(PromptPairModel::CleanColumn, QHeaderView::Stretch);
    header->setSectionResizeMode(PromptPairModel::CorruptedColumn, QHeaderView::Stretch);
    layout->addWidget(m_pairView, 1);
    m_pairView->hide(); // until a dataset is read
    return panel;
}

void MainWindow::createDocks()
{
    // Prompt pairs are long text: they share the bottom row, full width, with the heatmaps.
    auto* model = addDock(QStringLiteral("modelDock"), tr("Model"), Qt::LeftDockWidgetArea, createModelPanel());
    auto* prompts = addDock(QStringLiteral("promptDock"), tr("Prompt pairs"), Qt::BottomDockWidgetArea,
                            createPromptPanel());
    auto* run = addDock(QStringLiteral("runDock"), tr("Run"), Qt::RightDockWidgetArea,
                        placeholderWidget(tr("Choose a method once a model is loaded"), nullptr));
    auto* heatmaps = addDock(QStringLiteral("heatmapDock"), tr("Heatmaps"), Qt::BottomDockWidgetArea,
                             placeholderWidget(tr("No scores yet"), nullptr));
    splitDockWidget(prompts, heatmaps, Qt::Horizontal);
    // Sizes for a first start; a saved layout replaces them (restoreLayout()).
    resizeDocks({model, run}, {300, 260}, Qt::Horizontal);
    resizeDocks({prompts, heatmaps}, {760, 480}, Qt::Horizontal);
    resizeDocks({prompts}, {280}, Qt::Vertical);
}

void MainWindow::createActions()
{
    auto* fileMenu = menuBar()->addMenu(tr("&File"));
    m_openModelAction = fileMenu->addAction(tr("Open &Model…"), this, &MainWindow::chooseModel);
    m_openModelAction->setObjectName(QStringLiteral("openModelAction"));
    m_openModelAction->setShortcut(QKeySequence::Open);
    m_openModelAction->setStatusTip(tr("Open a Hugging Face model folder (config.json, safetensors weights, tokenizer)"));
    m_openDatasetAction = fileMenu->addAction(tr("Open &Dataset…"), this, &MainWindow::chooseDataset);
    m_openDatasetAction->setObjectName(QStringLiteral("openDatasetAction"));
    m_openDatasetAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    m_openDatasetAction->setStatusTip(tr("Open clean/corrupted prompt pairs (CSV or JSON)"));
    fileMenu->addSeparator();
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
    m_progress->setRange(0, 100);
    m_progress->setMaximumWidth(220);
    m_progress->hide();
    statusBar()->addWidget(m_modelLabel);
    statusBar()->addWidget(m_errorLabel, 1);
    statusBar()->addPermanentWidget(m_progress);
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

// ---- loading --------------------------------------------------------------------------

bool MainWindow::openDemo(const QString& datasetFile)
{
    QString demo;
    try {
        demo = QString::fromStdString(core::findResource("demo").string());
    } catch (const core::Error& e) {
        const QString message = tr("The bundled demo model is missing: %1").arg(QString::fromStdString(e.what()));
        if (!m_model)
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

bool MainWindow::openModel(const QString& directory, const QString& datasetFile)
{
    ModelLoader::Request request;
    request.modelDir = directory;
    request.datasetFile = datasetFile.isEmpty() && m_pairs->hasDataset() ? m_pairs->dataset().file : datasetFile;
    request.device = m_device;
    return startLoad(request);
}

bool MainWindow::openDataset(const QString& file)
{
    ModelLoader::Request request;
    request.datasetFile = file;
    request.device = m_device;
    return startLoad(request);
}

bool MainWindow::startLoad(const ModelLoader::Request& request)
{
    if (m_loader->isBusy())
        return false;
    m_requestHasModel = !request.modelDir.isEmpty(); // read by onLoadStarted(), emitted from load()
    return m_loader->load(request);
}

void MainWindow::chooseModel()
{
    const QString start = m_model ? QFileInfo(m_model->path).absolutePath() : QDir::homePath();
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open Model Folder"), start);
    if (!dir.isEmpty())
        openModel(dir);
}

void MainWindow::chooseDataset()
{
    QString start = QDir::homePath();
    if (m_pairs->hasDataset())
        start = QFileInfo(m_pairs->dataset().file).absolutePath();
    else if (m_model)
        start = m_model->path;
    const QString file = QFileDialog::getOpenFileName(this, tr("Open Prompt Pairs"), start,
                                                      tr("Prompt pairs (*.csv *.json);;All files (*)"));
    if (!file.isEmpty())
        openDataset(file);
}

void MainWindow::setBusy(bool busy)
{
    m_openModelAction->setEnabled(!busy);
    m_openDatasetAction->setEnabled(!busy);
    m_progress->setVisible(busy);
}

// Progress lives in a permanent widget: QStatusBar::showMessage() would hide the model and
// error labels meanwhile.
void MainWindow::onLoadStarted(const QString& what)
{
    setBusy(true);
    // Model loads report stages; reading a dataset does not (a busy indicator).
    m_progress->setRange(0, m_requestHasModel ? 100 : 0);
    m_progress->setValue(0);
    m_progress->setFormat(tr("Loading %1… %p%").arg(what));
    m_progress->setToolTip(tr("Loading %1").arg(what));
}

void MainWindow::onLoaded(const LoadResult& result)
{
    setBusy(false);
    showError(QString());
    if (result.model)
        showModel(*result.model);
    if (result.dataset)
        m_pairs->setDataset(*result.dataset);
    else if (result.model && !result.datasetError.isEmpty())
        m_pairs->clear(); // it was validated against the previous model
    showDataset();
    if (!result.datasetError.isEmpty())
        showError(result.datasetError);
}

void MainWindow::onLoadFailed(const QString& message)
{
    setBusy(false);
    if (m_requestHasModel && !m_model)
        m_modelPlaceholder->setText(tr("No model loaded\n\n%1").arg(message));
    showError(message);
}

void MainWindow::showModel(const ModelSummary& model)
{
    m_model = model;
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

    setWindowTitle(tr("%1 — Patchbay").arg(model.name));
    m_modelLabel->setText(tr("%1 · %2 layers × %3 heads").arg(model.name).arg(model.layers).arg(model.heads));
    m_modelLabel->setToolTip(
        tr("%1\nloaded in %2 s").arg(model.path, locale.toString(model.loadSeconds, 'f', 1)));
    m_deviceLabel->setText(tr("Device: %1").arg(model.device));
}

void MainWindow::showDataset()
{
    if (!m_pairs->hasDataset()) {
        m_datasetHeader->setText(tr("No dataset\n\nFile > Open Dataset… reads prompt pairs (CSV or JSON)."));
        m_datasetHeader->setToolTip(QString());
        m_datasetHeader->setAlignment(Qt::AlignCenter);
        m_datasetHeader->setEnabled(false); // greyed like the other empty docks
        m_pairView->hide();
        return;
    }
    const DatasetSummary& data = m_pairs->dataset();
    QString header = tr("<b>%1</b> · %2 · pairs: %3")
                         .arg(QFileInfo(data.file).fileName().toHtmlEscaped(), data.format)
                         .arg(data.pairs.size());
    if (!data.task.isEmpty())
        header += tr(" · task %1").arg(data.task);
    const int errorRows = m_pairs->errorRows();
    if (data.validated)
        header += errorRows == 0 ? tr(" · all valid")
                                 : tr(" · <span style=\"color:#b00020\">with errors: %1</span>").arg(errorRows);
    for (const QString& issue : m_pairs->fileIssues())
        header += QStringLiteral("<br>") + issue.toHtmlEscaped();
    m_datasetHeader->setText(header);
    m_datasetHeader->setToolTip(data.file);
    m_datasetHeader->setAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    m_datasetHeader->setEnabled(true);
    m_pairView->show();
    for (int column : {PromptPairModel::RowColumn, PromptPairModel::AnswerColumn, PromptPairModel::WrongAnswerColumn,
                       PromptPairModel::TokensColumn}) {
        m_pairView->resizeColumnToContents(column);
        // The prompts (stretched) keep most of the width.
        m_pairView->setColumnWidth(column, std::min(m_pairView->columnWidth(column), 200));
    }

    if (errorRows > 0) {
        // The first offending row's message, the rest in the table's tooltips.
        for (const auto& issue : data.issues) {
            if (issue.error && issue.row > 0) {
                showError(tr("%1 of %2 pairs have errors; first: %3")
                              .arg(errorRows)
                              .arg(data.pairs.size())
                              .arg(issue.message));
                break;
            }
        }
    }
}

void MainWindow::showError(const QString& message)
{
    m_errorLabel->setText(message);
    m_errorLabel->setToolTip(message);
}

} // namespace patchbay::ui
