// SPDX-License-Identifier: MIT
#include "ui/windowlessons.h"
#include "ui/strings.h"

#include "ui/graphcanvas.h"
#include "ui/mainwindow.h"
#include "ui/pairseditor.h"
#include "ui/runpanel.h"
#include "ui/selection.h"

#include "core/methods/attribution.h"
#include "core/common/system.h"
#include "core/data/tasks.h"

#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QLocale>
#include <QRegularExpression>
#include <QSpinBox>
#include <QTimer>

#include <algorithm>
#include <cmath>

namespace patchbay::ui {

namespace {

QString arg(const core::LessonCondition& c, const char* name = "") { return toQString(c.arg(name)); }

QString number(double value, int decimals) { return QLocale().toString(value, 'f', decimals); }

bool isDemoFolder(const QString& path)
{
    try {
        const QString demo = QFileInfo(toQString(core::findResource("demo").string())).canonicalFilePath();
        return !demo.isEmpty() && QFileInfo(path).canonicalFilePath() == demo;
    } catch (const std::exception&) {
        return false;
    }
}

std::optional<std::pair<int, int>> headOf(const QString& node)
{
    static const QRegularExpression head(QStringLiteral("^a(\\d+)\\.h(\\d+)$"));
    const auto match = head.match(node);
    if (!match.hasMatch())
        return std::nullopt;
    return std::make_pair(match.captured(1).toInt(), match.captured(2).toInt());
}

// Whether `result` was computed on the loaded model and the pairs in the table now: a step
// asking for a run is not done by a run on other pairs, and numbers quoted are of this work.
bool ofCurrentWork(const MainWindow* w, const RunResult& result)
{
    const LoadedModel* model = w->worker()->model();
    if (model == nullptr || result.modelKey != ComputeWorker::modelKey(model->summary))
        return false;
    QString unused;
    return result.datasetKey == MainWindow::datasetKeyOf(w->promptEditor()->runnableDataset(&unused));
}

// The fetched model (tools/fetch-models.sh) whose folder or file name contains `name` ("" none).
QString fetchedModelNamed(const QString& name)
{
    for (const QString& file : MainWindow::fetchedModelFiles()) {
        const QFileInfo info(file);
        if (info.dir().dirName().contains(name, Qt::CaseInsensitive) || info.fileName().contains(name, Qt::CaseInsensitive))
            return file;
    }
    return {};
}

// The heads of a result by |node score|, largest first.
QStringList headsByScore(const RunResult& result)
{
    QStringList heads;
    if (!result.circuit || !result.scores)
        return heads;
    const auto& senders = result.circuit->graph.senders();
    const auto& scores = result.scores->nodeScores;
    std::vector<std::pair<double, QString>> ranked;
    for (std::size_t s = 0; s < senders.size() && s < scores.size(); ++s) {
        const QString name = toQString(senders[s].name);
        if (headOf(name) && std::isfinite(scores[s]))
            ranked.emplace_back(std::abs(scores[s]), name);
    }
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (const auto& [score, name] : ranked)
        heads << name;
    return heads;
}

} // namespace

bool WindowLessonHost::busy() const
{
    const MainWindow* w = m_window;
    return w->m_worker->isRunningLongJob() || w->isImporting() || !w->m_pendingDataset.isEmpty() ||
           w->m_pendingSession.has_value() || w->m_canvas->layoutPending() ||
           // the graph's metric being computed: an edit waits for the metric before it, so
           // that the two differ in that edit alone (the edge's measured effect)
           w->m_metricTimer->isActive() || w->m_metricBusyTimer->isActive() || w->m_canvas->evaluationBusy();
}

bool WindowLessonHost::holds(const core::LessonCondition& check, QString* why) const
{
    const MainWindow* w = m_window;
    const QString kind = toQString(check.kind);
    const QString value = arg(check);
    const LoadedModel* model = w->m_worker->model();
    const RunResult* result = w->currentResult();
    if (result && !ofCurrentWork(w, *result))
        result = nullptr;
    GraphCanvas* canvas = w->m_canvas;

    if (kind == QLatin1String("model")) {
        // {"": "smollm2", "otherwise": "demo"}: SmolLM2 when it was fetched, else the demo.
        QString wanted = value;
        if (check.args.count("otherwise") && fetchedModelNamed(value).isEmpty())
            wanted = arg(check, "otherwise");
        const QString file = model ? QFileInfo(model->summary.path).fileName() : QString();
        const bool ok = model != nullptr &&
                        (wanted == QLatin1String("any") ||
                         (wanted == QLatin1String("demo") ? isDemoFolder(model->summary.path)
                                                           : model->summary.name.contains(wanted, Qt::CaseInsensitive) ||
                                                                 file.contains(wanted, Qt::CaseInsensitive)));
        if (!ok)
            *why = wanted == QLatin1String("demo") ? LessonDock::tr("open the demo model (File > Open the Demo Model)")
                   : wanted == QLatin1String("any") ? LessonDock::tr("open a model")
                                                    : LessonDock::tr("open the model “%1”").arg(wanted);
        return ok;
    }
    if (kind == QLatin1String("pairs")) {
        QString unused;
        const core::Dataset runnable = w->m_editor->runnableDataset(&unused);
        const QString contains = arg(check, "contains");
        const QString name = QFileInfo(w->m_editor->fileName()).fileName() + QLatin1Char(' ') + datasetName(w->m_editor->dataset());
        const int atLeast = static_cast<int>(check.number("at_least", 1));
        const bool ok = static_cast<int>(runnable.pairs.size()) >= atLeast &&
                        (contains.isEmpty() || name.contains(contains, Qt::CaseInsensitive));
        if (!ok)
            *why = contains.isEmpty() ? LessonDock::tr("have at least %1 valid prompt pairs").arg(atLeast)
                                      : LessonDock::tr("have at least %1 valid “%2” prompt pairs").arg(atLeast).arg(contains);
        return ok;
    }
    if (kind == QLatin1String("selected")) {
        const bool ok = w->m_selection->node() == value;
        if (!ok)
            *why = LessonDock::tr("select the right node");
        return ok;
    }
    if (kind == QLatin1String("selected_top")) {
        const int n = static_cast<int>(check.number("", 3));
        const bool ok = result && headsByScore(*result).mid(0, n).contains(w->m_selection->node());
        if (!ok)
            *why = LessonDock::tr("select one of the %1 heads with the largest |score|").arg(n);
        return ok;
    }
    if (kind == QLatin1String("attention")) {
        const auto head = headOf(value);
        const bool ok = model && head && w->m_attentionLayer->value() == head->first &&
                        w->m_attentionHead->value() == head->second;
        if (!ok)
            *why = LessonDock::tr("show the attention of %1 (Attention dock)").arg(value);
        return ok;
    }
    if (kind == QLatin1String("result")) {
        bool ok = result != nullptr && result->settings.method == arg(check, "method");
        if (ok && check.args.count("metric"))
            ok = result->settings.metric == arg(check, "metric");
        if (ok && check.args.count("reference"))
            ok = result->settings.reference == arg(check, "reference");
        if (ok && check.args.count("per_position"))
            ok = result->settings.perPosition == (arg(check, "per_position") == QLatin1String("true"));
        if (ok && check.args.count("steps"))
            ok = result->settings.steps == static_cast<int>(check.number("steps", 0));
        if (!ok) {
            RunSettings wanted;
            wanted.method = arg(check, "method");
            if (check.args.count("metric"))
                wanted.metric = arg(check, "metric");
            if (check.args.count("reference"))
                wanted.reference = arg(check, "reference");
            if (check.args.count("steps"))
                wanted.steps = static_cast<int>(check.number("steps", 5));
            wanted.perPosition = arg(check, "per_position") == QLatin1String("true");
            *why = LessonDock::tr("run %1 (Run dock) and show its result").arg(wanted.describe());
        }
        return ok;
    }
    if (kind == QLatin1String("edge_patched") || kind == QLatin1String("edge_kept")) {
        const bool patched = kind == QLatin1String("edge_patched");
        bool ok = false;
        if (canvas->hasCircuit() && w->m_canvasResult.size() > 0) {
            if (const auto edge = canvas->circuit().graph.findEdge(check.arg("")))
                ok = (canvas->circuit().edgeInGraph[*edge] != 0) != patched;
        }
        if (!ok)
            *why = patched ? LessonDock::tr("patch the edge %1 (click it on the graph)").arg(value)
                           : LessonDock::tr("keep the edge %1 in the circuit").arg(value);
        return ok;
    }
    if (kind == QLatin1String("circuit")) {
        const auto evaluation = canvas->hasCircuit() ? canvas->currentEvaluation() : std::nullopt;
        QStringList wants;
        bool ok = evaluation.has_value();
        const auto need = [&](const char* name, bool holdsNow, const QString& text) {
            if (!check.args.count(name))
                return;
            wants << text;
            ok = ok && holdsNow;
        };
        double f = std::nan(""), m = std::nan("");
        int kept = 0;
        if (const CircuitEvaluation* e = evaluation ? &*evaluation : nullptr) {
            f = e->faithfulness;
            kept = e->edgesKept;
            m = e->metric;
        }
        need("faithfulness_at_least", f >= check.number("faithfulness_at_least", 0),
             LessonDock::tr("faithfulness ≥ %1").arg(arg(check, "faithfulness_at_least")));
        need("faithfulness_at_most", f <= check.number("faithfulness_at_most", 0),
             LessonDock::tr("faithfulness ≤ %1").arg(arg(check, "faithfulness_at_most")));
        need("edges_at_least", kept >= check.number("edges_at_least", 0),
             LessonDock::tr("at least %1 edges kept").arg(arg(check, "edges_at_least")));
        need("edges_at_most", kept <= check.number("edges_at_most", 0),
             LessonDock::tr("at most %1 edges kept").arg(arg(check, "edges_at_most")));
        const double total = canvas->hasCircuit() ? static_cast<double>(canvas->circuit().graph.edgeCount()) : 0.0;
        need("edges_share_at_most", total > 0 && kept <= check.number("edges_share_at_most", 0) * total,
             LessonDock::tr("at most %1 % of the edges kept").arg(check.number("edges_share_at_most", 0) * 100));
        need("metric_above", m > check.number("metric_above", 0), LessonDock::tr("metric above %1").arg(arg(check, "metric_above")));
        need("metric_below", m < check.number("metric_below", 0), LessonDock::tr("metric below %1").arg(arg(check, "metric_below")));
        if (!ok)
            *why = !evaluation ? LessonDock::tr("a circuit on the graph whose metric has been computed")
                               : LessonDock::tr("a circuit on the graph with %1").arg(wants.join(QStringLiteral(", ")));
        return ok;
    }
    if (kind == QLatin1String("label")) {
        const auto it = w->m_labels.find(check.arg("node"));
        const QString label = it == w->m_labels.end() ? QString() : toQString(it->second);
        const bool ok = !label.isEmpty() && label.contains(arg(check, "contains"), Qt::CaseInsensitive);
        if (!ok)
            *why = LessonDock::tr("name the node %1 (right-click it on the graph)").arg(arg(check, "node"));
        return ok;
    }
    if (kind == QLatin1String("imported")) {
        const bool ok = canvas->hasCircuit() && w->m_canvasResult.isEmpty() &&
                        QFileInfo(w->m_lastCircuitFile).fileName().contains(value, Qt::CaseInsensitive);
        if (!ok)
            *why = LessonDock::tr("import the circuit file (File > Import Circuit…)");
        return ok;
    }
    if (kind == QLatin1String("group")) {
        const bool ok = w->m_groups.count(check.arg("")) != 0;
        if (!ok)
            *why = LessonDock::tr("put %1 in a group (Groups > Group the selected nodes…)").arg(value);
        return ok;
    }
    *why = LessonDock::tr("a check this version does not know: %1").arg(kind);
    return false;
}

QString WindowLessonHost::perform(const core::LessonCondition& action, const core::Lesson& lesson)
{
    MainWindow* w = m_window;
    const QString kind = toQString(action.kind);
    const QString value = arg(action);
    GraphCanvas* canvas = w->m_canvas;
    const auto edgeIndex = [&](QString* error) -> std::optional<int> {
        if (!canvas->hasCircuit()) {
            *error = LessonDock::tr("There is no circuit on the graph yet: run a method first.");
            return std::nullopt;
        }
        const auto edge = canvas->circuit().graph.findEdge(action.arg(""));
        if (!edge)
            *error = LessonDock::tr("The graph has no edge %1.").arg(value);
        return edge ? std::optional<int>(static_cast<int>(*edge)) : std::nullopt;
    };

    if (kind == QLatin1String("open_demo")) {
        QString data;
        if (!value.isEmpty()) {
            try {
                data = QDir(toQString(core::findResource("demo").string())).filePath(value);
            } catch (const std::exception& e) {
                return toQString(e.what());
            }
        }
        return w->openDemo(data) ? QString() : w->errorText();
    }
    if (kind == QLatin1String("open_model")) {
        if (const QString file = fetchedModelNamed(value); !file.isEmpty())
            return w->openModel(file) ? QString() : w->errorText();
        if (arg(action, "otherwise") == QLatin1String("demo")) {
            QString data;
            if (action.args.count("otherwise_pairs"))
                data = QDir(toQString(core::findResource("demo").string())).filePath(arg(action, "otherwise_pairs"));
            return w->openDemo(data) ? QString() : w->errorText();
        }
        return LessonDock::tr("The model “%1” has not been fetched: run tools/fetch-models.sh (see docs/models.md).").arg(value);
    }
    if (kind == QLatin1String("generate")) {
        core::TaskOptions options;
        options.task = action.arg("task");
        options.n = static_cast<int>(action.number("n", 20));
        options.seed = static_cast<uint64_t>(action.number("seed", 1));
        options.corruption = action.arg("corruption");
        QString error;
        return w->m_editor->generate(options, &error) ? QString() : error;
    }
    if (kind == QLatin1String("select")) {
        QString node = value;
        if (value == QLatin1String("@top")) { // the head with the largest |score| of the result on show
            const RunResult* result = w->currentResult();
            const QStringList heads = result && ofCurrentWork(w, *result) ? headsByScore(*result) : QStringList();
            if (heads.isEmpty())
                return LessonDock::tr("There are no head scores yet: run a method first.");
            node = heads.front();
        }
        w->m_selection->setNode(node);
        return {};
    }
    if (kind == QLatin1String("attention")) {
        const auto head = headOf(value);
        if (!head)
            return LessonDock::tr("%1 is not a head (a<layer>.h<head>).").arg(value);
        w->m_attentionLayer->setValue(head->first);
        w->m_attentionHead->setValue(head->second);
        w->m_selection->setNode(value); // as a click on the head: also when the boxes already showed it
        if (w->m_selection->pair() < 0 && w->m_editor->pairCount() > 0)
            w->m_selection->setPair(0); // the attention of a pair's prompt
        for (QDockWidget* dock : w->docks())
            if (dock->objectName() == QLatin1String("attentionDock"))
                dock->raise();
        return {};
    }
    if (kind == QLatin1String("run")) {
        RunSettings settings = w->m_runPanel->settings();
        settings.method = arg(action, "method");
        if (action.args.count("metric"))
            settings.metric = arg(action, "metric");
        if (action.args.count("reference"))
            settings.reference = arg(action, "reference");
        if (action.args.count("steps"))
            settings.steps = static_cast<int>(action.number("steps", 5));
        if (action.args.count("per_position"))
            settings.perPosition = arg(action, "per_position") == QLatin1String("true");
        w->m_runPanel->setSettings(settings);
        return w->runAttribution(settings) ? QString() : w->errorText();
    }
    if (kind == QLatin1String("patch_edge") || kind == QLatin1String("restore_edge")) {
        QString error;
        const auto edge = edgeIndex(&error);
        if (!edge)
            return error;
        const bool kept = kind == QLatin1String("restore_edge");
        canvas->setEdgesKept({*edge}, kept, kept ? LessonDock::tr("Restore %1").arg(value) : LessonDock::tr("Patch %1").arg(value));
        return {};
    }
    if (kind == QLatin1String("top_edges") || kind == QLatin1String("top_share")) {
        if (!canvas->hasCircuit())
            return LessonDock::tr("There is no circuit on the graph yet: run a method first.");
        // top_share: that fraction of the graph's edges (10 % of the demo's 110 is 11, of
        // SmolLM2's 70,651 is 7,065), so one lesson fits models of any size.
        const double edges = static_cast<double>(canvas->circuit().graph.edgeCount());
        const int n = kind == QLatin1String("top_edges") ? static_cast<int>(action.number("", 10))
                                                         : std::max(1, static_cast<int>(std::lround(action.number("", 0.1) * edges)));
        canvas->setFilter(GraphCanvas::Filter::TopN, n);
        canvas->resetToTopN(n);
        return {};
    }
    if (kind == QLatin1String("set_label")) {
        if (canvas->hasCircuit()) // drawn, exported with the circuit; the window's labels follow
            canvas->setNodeLabel(arg(action, "node"), arg(action, "text"));
        else
            w->setNodeLabel(arg(action, "node"), arg(action, "text"));
        return {};
    }
    if (kind == QLatin1String("import_circuit")) {
        const QString file = QDir(toQString(lesson.folder.string())).filePath(value);
        return w->importCircuit(file) ? QString() : w->errorText();
    }
    if (kind == QLatin1String("make_group")) {
        if (!canvas->hasCircuit())
            return LessonDock::tr("There is no circuit on the graph yet.");
        return canvas->makeGroup(arg(action, "nodes").split(QLatin1Char(',')), arg(action, "name"))
                   ? QString()
                   : LessonDock::tr("The group “%1” could not be made.").arg(arg(action, "name"));
    }
    return LessonDock::tr("An action this version does not know: %1").arg(kind);
}

QString WindowLessonHost::placeholder(const QString& name, const QString& argument) const
{
    const MainWindow* w = m_window;
    const RunResult* result = w->currentResult();
    if (result && !ofCurrentWork(w, *result))
        result = nullptr;
    GraphCanvas* canvas = w->m_canvas;
    CircuitEvaluation shown; // the circuit's metric as on the graph, when it is current
    const CircuitEvaluation* evaluation = nullptr;
    if (const auto current = canvas->hasCircuit() ? canvas->currentEvaluation() : std::nullopt) {
        shown = *current;
        evaluation = &shown;
    }
    if (name == QLatin1String("metric"))
        return evaluation ? number(evaluation->metric, 2) : QString();
    if (name == QLatin1String("clean_metric"))
        return evaluation ? number(evaluation->cleanMetric, 2) : result ? number(result->scores->cleanMetric, 2) : QString();
    if (name == QLatin1String("reference_metric"))
        return evaluation ? number(evaluation->referenceMetric, 2)
               : result   ? number(result->scores->referenceMetric, 2)
                          : QString();
    if (name == QLatin1String("faithfulness"))
        return evaluation && std::isfinite(evaluation->faithfulness) ? number(evaluation->faithfulness, 3) : QString();
    if (name == QLatin1String("edges"))
        return evaluation ? QLocale().toString(evaluation->edgesKept) : QString();
    if (name == QLatin1String("edges_total"))
        return canvas->hasCircuit() ? QLocale().toString(static_cast<qulonglong>(canvas->circuit().graph.edgeCount())) : QString();
    if (name == QLatin1String("seconds")) {
        // The latest run of that method (any method when no argument), as the Results list says.
        for (auto it = w->m_resultOrder.crbegin(); it != w->m_resultOrder.crend(); ++it) {
            const auto found = w->m_results.constFind(*it);
            if (found == w->m_results.cend())
                continue;
            const RunResult& r = found.value();
            if ((argument.isEmpty() || r.settings.method == argument) && r.scores && ofCurrentWork(w, r))
                return number(r.scores->seconds, 2);
        }
        return {};
    }
    // "a1.h3@eap": of the latest run of that method; else of the result on show.
    QString what = argument;
    if (const auto at = argument.lastIndexOf(QLatin1Char('@')); at >= 0 && name != QLatin1String("effect")) {
        const QString method = argument.mid(at + 1);
        what = argument.left(at);
        result = nullptr;
        for (auto it = w->m_resultOrder.crbegin(); it != w->m_resultOrder.crend() && !result; ++it)
            if (const auto found = w->m_results.constFind(*it);
                found != w->m_results.cend() && found.value().settings.method == method && ofCurrentWork(w, found.value()))
                result = &found.value();
    }
    if (name == QLatin1String("score") || name == QLatin1String("effect")) {
        if (!result || !result->circuit)
            return {};
        const auto edge = result->circuit->graph.findEdge(what.toStdString());
        if (!edge)
            return {};
        if (name == QLatin1String("effect")) {
            if (!canvas->hasCircuit() || canvas->circuit().graph.edgeCount() != result->circuit->graph.edgeCount())
                return {};
            const auto effect = canvas->measuredEffect(static_cast<int>(*edge));
            return effect ? number(*effect, 2) : QString();
        }
        return *edge < result->circuit->edgeScores.size() ? number(result->circuit->edgeScores[*edge], 2) : QString();
    }
    if (name == QLatin1String("node_score")) {
        if (!result || !result->circuit || !result->scores)
            return {};
        const auto& senders = result->circuit->graph.senders();
        for (std::size_t s = 0; s < senders.size() && s < result->scores->nodeScores.size(); ++s)
            if (toQString(senders[s].name) == what)
                return number(result->scores->nodeScores[s], 2);
        return {};
    }
    if (name == QLatin1String("top_head")) {
        if (!result)
            return {};
        const QStringList heads = headsByScore(*result);
        return heads.isEmpty() ? QString() : heads.front();
    }
    if (name == QLatin1String("model"))
        return w->m_worker->model() ? w->m_worker->model()->summary.name : QString();
    if (name == QLatin1String("pairs"))
        return QLocale().toString(w->m_editor->pairCount());
    return {};
}

} // namespace patchbay::ui
