// SPDX-License-Identifier: MIT
// MainWindow and the compute worker: the worker's signals, running a method, and the views
// of a result (scores heatmap, adjacency, attention, logit lens).
#include "ui/mainwindow.h"
#include "ui/mainwindow_p.h"
#include "ui/scoremaps.h"
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
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QRegularExpression>
#include <QSpinBox>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <limits>

namespace patchbay::ui {

namespace {

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
    const QString key = resultKey(result);
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
    const QString key = resultKey(ComputeWorker::modelKey(m_worker->model()->summary), dataKey, settings);
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
    const QLocale locale;

    // Layer × head, plus an MLP column (scoremaps.h).
    if (!scores.nodeScores.empty()) {
        m_scoreMap->setData(scoreHeatmap(result));
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


} // namespace patchbay::ui
