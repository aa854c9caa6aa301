// SPDX-License-Identifier: MIT
// MainWindow's files: opening models and prompt pairs, exporting views and circuits, and the
// graph canvas's circuit (import, export, its metric).
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
#include <QApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QPointer>
#include <QProgressBar>
#include <QRegularExpression>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>
#include <QUndoStack>

#include <algorithm>
#include <cmath>
#include <limits>

namespace patchbay::ui {

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


} // namespace patchbay::ui
