// SPDX-License-Identifier: MIT
#include "ui/computeworker.h"
#include "ui/methods.h"
#include "ui/strings.h"

#include "core/common/error.h"
#include "core/methods/evaluation.h"
#include "core/methods/metrics.h"
#include "core/model/model.h"
#include "core/common/system.h"
#include "core/tokenize/tokenizer.h"

#include <QLocale>
#include <QStringList>

#ifdef Q_OS_LINUX
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include <algorithm>
#include <chrono>
#include <exception>
#include <filesystem>
#include <functional>
#include <utility>

namespace patchbay::ui {

// ---- RunSettings ----------------------------------------------------------------------

QString RunSettings::key() const
{
    const auto* info = findMethod(method);
    QStringList parts{method, metric, reference, QString::number(batchSize)};
    if (info && info->usesSteps)
        parts << QStringLiteral("steps=%1").arg(steps);
    if (info && info->usesThresholds) {
        QStringList t;
        for (const double tau : taus)
            t << QString::number(tau, 'g', 17);
        parts << QStringLiteral("taus=") + t.join(QLatin1Char(',')) << QStringLiteral("topk=%1").arg(acdcTopK);
    }
    if (info && info->perPosition && perPosition)
        parts << QStringLiteral("per-position");
    if (ungroupedKv)
        parts << QStringLiteral("kv=ungrouped");
    return parts.join(QLatin1Char('|'));
}

QString resultKey(const QString& modelKey, const QString& datasetKey, const RunSettings& settings)
{
    return modelKey + QLatin1Char('|') + datasetKey + QLatin1Char('|') + settings.key();
}

std::map<std::string, std::string> RunSettings::toMap() const
{
    QStringList t;
    for (const double tau : taus)
        t << QString::number(tau, 'g', 17);
    return {{"method", method.toStdString()},
            {"metric", metric.toStdString()},
            {"reference", reference.toStdString()},
            {"steps", std::to_string(steps)},
            {"batch_size", std::to_string(batchSize)},
            {"taus", t.join(QLatin1Char(',')).toStdString()},
            {"acdc_top_k", std::to_string(acdcTopK)},
            {"per_position", perPosition ? "true" : "false"},
            {"gqa_layout", ungroupedKv ? "ungrouped" : "grouped"}};
}

RunSettings RunSettings::fromMap(const std::map<std::string, std::string>& map)
{
    RunSettings s;
    auto text = [&](const char* key, QString& out) {
        if (const auto it = map.find(key); it != map.end() && !it->second.empty())
            out = toQString(it->second);
    };
    auto number = [&](const char* key, int& out) {
        bool ok = false;
        if (const auto it = map.find(key); it != map.end()) {
            const int v = toQString(it->second).toInt(&ok);
            if (ok && v >= 0)
                out = v;
        }
    };
    text("method", s.method);
    text("metric", s.metric);
    text("reference", s.reference);
    number("steps", s.steps);
    number("batch_size", s.batchSize);
    number("acdc_top_k", s.acdcTopK);
    if (const auto it = map.find("taus"); it != map.end()) {
        QVector<double> taus;
        for (const QString& part : toQString(it->second).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            bool ok = false;
            const double v = part.toDouble(&ok);
            if (ok)
                taus << v;
        }
        if (!taus.isEmpty())
            s.taus = taus;
    }
    if (const auto it = map.find("per_position"); it != map.end())
        s.perPosition = it->second == "true";
    if (const auto it = map.find("gqa_layout"); it != map.end())
        s.ungroupedKv = it->second == "ungrouped";
    return s;
}

QString RunSettings::describe() const
{
    const auto* info = findMethod(method);
    QString title = methodTitle(method);
    if (info && info->usesSteps)
        title += ComputeWorker::tr(" (%1 steps)").arg(steps);
    if (info && info->usesThresholds) {
        QStringList t;
        for (const double tau : taus)
            t << QLocale().toString(tau, 'g', 3);
        title += ComputeWorker::tr(" (τ %1)").arg(t.join(QStringLiteral(", ")));
    }
    if (info && info->perPosition && perPosition)
        title += ComputeWorker::tr(" per position");
    if (ungroupedKv)
        title += ComputeWorker::tr(" (k/v per query head)");
    return QStringLiteral("%1 · %2 · %3").arg(title, metric, reference);
}

// ---- the worker thread's state ----------------------------------------------------------

struct ComputeWorker::State
{
    std::shared_ptr<core::Model> model;
    QString modelKey;
    std::unique_ptr<core::Evaluator> evaluator;
    QString evaluatorKey;

    // The running job's reporting, read by the evaluator's progress callback (which
    // outlives one job: the evaluator is reused).
    std::function<void(double, const std::string&)> report;
    const std::atomic_bool* cancel = nullptr;
    std::atomic_bool cancelNow{false}; // the evaluator's flag: mirrors the running job's
    std::atomic<quint64> latestEvaluation{0}; // evaluateCircuit: the newest request number
    std::atomic_bool runningLong{false};      // the running job is a load or a run (cancel() stops it)

    // The evaluator for these settings and pairs: the kept one when the key matches.
    core::Evaluator& evaluatorFor(const RunSettings& settings, core::Dataset& data, const QString& datasetKey);
};

core::Evaluator& ComputeWorker::State::evaluatorFor(const RunSettings& settings, core::Dataset& data,
                                                    const QString& datasetKey)
{
    if (!model)
        throw core::Error(ComputeWorker::tr("No model is loaded.").toStdString());
    const QString key = modelKey + QLatin1Char('|') + datasetKey + QLatin1Char('|') + settings.metric +
                        QLatin1Char('|') + settings.reference + QLatin1Char('|') + QString::number(settings.batchSize) +
                        (settings.ungroupedKv ? QStringLiteral("|kv=ungrouped") : QString());
    if (evaluator && evaluatorKey == key)
        return *evaluator;
    evaluator.reset();
    evaluatorKey.clear();
    core::EvaluationOptions options;
    options.metric = core::parseMetric(settings.metric.toStdString());
    options.reference = core::parseReference(settings.reference.toStdString());
    options.batchSize = settings.batchSize;
    options.ungroupedKv = settings.ungroupedKv;
    // The evaluator outlives this job: its callbacks go through the state, which always
    // points at the running job.
    options.progress = [this](double fraction, const std::string& stage) {
        if (report)
            report(fraction, stage);
    };
    options.cancel = &cancelNow;
    if (report)
        report(0.0, ComputeWorker::tr("Preparing the reference activations").toStdString());
    evaluator = std::make_unique<core::Evaluator>(model, std::move(data), options);
    evaluatorKey = key;
    return *evaluator;
}

ComputeWorker::ComputeWorker(QObject* parent) : QObject(parent), m_state(std::make_shared<State>())
{
    qRegisterMetaType<patchbay::ui::LoadedModel>();
    qRegisterMetaType<patchbay::ui::RunResult>();
    qRegisterMetaType<patchbay::ui::AttentionPatterns>();
    qRegisterMetaType<patchbay::ui::LogitLensResult>();
    qRegisterMetaType<patchbay::ui::CircuitEvaluation>();
    qRegisterMetaType<patchbay::ui::HeadScoresResult>();
    m_thread.setObjectName(QStringLiteral("ComputeWorker"));
    m_context = new QObject; // no parent: it moves to the worker thread
    m_context->moveToThread(&m_thread);
    m_thread.start();
    // Thread-local runtime settings (intra-op threads) are made inside the worker thread.
    // The worker (and the BLAS/OpenMP threads it starts, which inherit it) runs one nice
    // level below the GUI, so that on a machine with few cores the window's events win.
    QMetaObject::invokeMethod(
        m_context,
        [] {
#ifdef Q_OS_LINUX
            ::setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), 5);
#endif
            core::initRuntime();
        },
        Qt::QueuedConnection);
}

ComputeWorker::~ComputeWorker()
{
    for (const Job& job : std::as_const(m_pending))
        job.cancel->store(true);
    m_state->cancelNow = true;
    m_thread.requestInterruption();
    m_thread.quit();
    m_thread.wait();
    delete m_context;
    // m_state (the model, tensors) goes with the last job that held it: none is left.
}

QString ComputeWorker::modelKey(const ModelSummary& model)
{
    return QStringList{model.fingerprint, model.path, model.device, model.dtype}.join(QLatin1Char('|'));
}

bool ComputeWorker::cudaAvailable()
{
    try {
        const core::SystemInfo info = core::systemInfo();
        return info.cudaCompiled && info.cudaDevices > 0;
    } catch (const std::exception&) {
        return false;
    }
}

bool ComputeWorker::isRunningLongJob() const
{
    for (const Job& job : m_pending)
        if (job.kind != Kind::Quick)
            return true;
    return false;
}

void ComputeWorker::cancel()
{
    for (auto it = m_pending.begin(); it != m_pending.end(); ++it)
        if (it->kind != Kind::Quick)
            it->cancel->store(true);
    if (m_state->runningLong) // a quick job (attention, metric) is not cancelled
        m_state->cancelNow = true; // the running long job sees it at its next check
}

quint64 ComputeWorker::submit(Kind kind, const QString& what,
                              std::function<std::function<void()>(State&, quint64, const std::atomic_bool&)> work)
{
    const quint64 job = m_nextJob++;
    Job entry;
    entry.kind = kind;
    entry.cancel = std::make_shared<std::atomic_bool>(false);
    const bool wasBusy = isBusy();
    m_pending.insert(job, entry);
    if (!wasBusy)
        Q_EMIT busyChanged(true);
    Q_EMIT started(job, what);

    QMetaObject::invokeMethod(
        m_context,
        [this, job, kind, state = m_state, cancel = entry.cancel, work = std::move(work)] {
            State& s = *state;
            // A job cancelled while queued never starts.
            if (cancel->load() || QThread::currentThread()->isInterruptionRequested()) {
                QMetaObject::invokeMethod(this, [this, job] { finish(job); Q_EMIT cancelled(job); },
                                          Qt::QueuedConnection);
                return;
            }
            s.cancelNow = false;
            s.runningLong = kind != Kind::Quick;
            s.cancel = cancel.get();
            auto last = std::chrono::steady_clock::time_point{};
            s.report = [this, job, &s, &last](double fraction, const std::string& stage) {
                if (s.cancel && s.cancel->load())
                    s.cancelNow = true;
                const auto now = std::chrono::steady_clock::now();
                if (now - last < std::chrono::milliseconds(100) && fraction < 1.0)
                    return;
                last = now;
                QMetaObject::invokeMethod(
                    this, [this, job, fraction, text = toQString(stage)] { Q_EMIT progress(job, fraction, text); },
                    Qt::QueuedConnection);
            };
            QString error;
            bool wasCancelled = false;
            std::function<void()> deliver; // runs on the GUI thread, then the job is over
            try {
                deliver = work(s, job, s.cancelNow);
            } catch (const core::Cancelled&) {
                wasCancelled = true;
            } catch (const std::exception& e) { // core::Error, c10::Error, std::bad_alloc…
                error = toQString(core::userMessage(e));
                if (error.isEmpty())
                    error = tr("The computation failed with an unnamed error.");
            } catch (...) {
                error = tr("The computation failed with an unknown error.");
            }
            s.report = nullptr;
            s.cancel = nullptr;
            if (s.runningLong) // a load or a run's working memory goes back to the system
                core::releaseFreeMemory();
            s.runningLong = false;
            QMetaObject::invokeMethod(
                this,
                [this, job, error, wasCancelled, deliver] {
                    // The job leaves the pending list first: a handler of its result may
                    // submit the next job at once.
                    finish(job);
                    if (wasCancelled)
                        Q_EMIT cancelled(job);
                    else if (!error.isEmpty())
                        Q_EMIT failed(job, error);
                    else if (deliver)
                        deliver();
                },
                Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
    return job;
}

void ComputeWorker::finish(quint64 job)
{
    m_pending.remove(job);
    if (m_pending.isEmpty())
        Q_EMIT busyChanged(false);
}

quint64 ComputeWorker::loadModel(const ModelRequest& request)
{
    const std::filesystem::path dir(request.path.toStdString());
    const std::string device = request.device.toStdString(), dtype = request.dtype.toStdString();
    return submit(Kind::Load, request.path, [this, dir, device, dtype](State& s, quint64 job, const std::atomic_bool& cancel) {
        core::LoadOptions options;
        options.device = device;
        options.dtype = dtype;
        options.cancel = &cancel;
        options.progress = [&s](double fraction, const std::string& stage) {
            // Once the file is read and checked and its weights start loading, the old model's evaluator (reference activations, workspace: often
            // more than the weights) goes, so that a GPU holds at most the two models'
            // weights during a reload. A file refused before that keeps it; the next run
            // rebuilds it otherwise.
            if (stage == core::LoadOptions::kLoadingWeights && s.evaluator) {
                s.evaluator.reset();
                s.evaluatorKey.clear();
            }
            if (s.report)
                s.report(fraction, stage);
        };
        std::shared_ptr<core::Model> model = core::Model::load(dir, options);

        LoadedModel loaded;
        loaded.summary = summariseModel(*model);
        loaded.graph = std::make_shared<const core::Graph>(model->config());
        loaded.config = std::make_shared<const core::ModelConfig>(model->config());
        if (const core::Tokenizer* tokenizer = model->tokenizer()) {
            loaded.encoder.tokenizer = std::make_shared<const core::Tokenizer>(*tokenizer);
            if (model->info().prependBos)
                loaded.encoder.bos = model->info().bosId;
        }
        loaded.encoder.vocabularySize = model->config().dVocab;

        // The new model replaces the old one only now that it loaded.
        s.model = std::move(model);
        s.modelKey = modelKey(loaded.summary);
        s.evaluator.reset(); // already gone when the weights started loading
        s.evaluatorKey.clear();
        return [this, job, loaded] {
            m_model = loaded;
            m_hasModel = true;
            Q_EMIT modelLoaded(job, m_model);
        };
    });
}

QString datasetName(const core::Dataset& data)
{
    if (!data.source.empty())
        return toQString(data.source.filename().string());
    if (!data.task.empty())
        return ComputeWorker::tr("generated %1").arg(toQString(data.task));
    return ComputeWorker::tr("unnamed pairs");
}

quint64 ComputeWorker::runAttribution(const RunSettings& settings, core::Dataset data, const QString& datasetKey)
{
    return submit(
        Kind::Run, settings.describe(),
        [this, settings, data = std::move(data), datasetKey](State& s, quint64 job, const std::atomic_bool&) mutable {
            // A run takes seconds to minutes: as many threads as the cores other programs
            // leave free now (a quick job keeps the count the last run chose).
            core::adaptThreadsToLoad();
            const int pairs = static_cast<int>(data.pairs.size());
            const QString name = datasetName(data); // before the evaluator takes the pairs
            core::Evaluator& evaluator = s.evaluatorFor(settings, data, datasetKey);
            core::AttributionOptions options;
            options.method = core::parseMethod(settings.method.toStdString());
            options.steps = settings.steps;
            options.taus.assign(settings.taus.begin(), settings.taus.end());
            options.acdcTopK = static_cast<std::size_t>(std::max(0, settings.acdcTopK));
            options.perPosition = settings.perPosition;
            auto scores = std::make_shared<core::AttributionResult>(core::attribute(evaluator, options));
            auto circuit = std::make_shared<core::Circuit>(core::attributionCircuit(evaluator, *scores));

            RunResult result;
            result.job = job;
            result.settings = settings;
            result.modelKey = s.modelKey;
            result.datasetKey = datasetKey;
            result.datasetName = name;
            result.pairs = pairs;
            result.scores = std::move(scores);
            result.circuit = std::move(circuit);
            return [this, result] { Q_EMIT runFinished(result); };
        });
}

quint64 ComputeWorker::evaluateCircuit(const RunSettings& settings, core::Dataset data, const QString& datasetKey,
                                       std::vector<float> edgeMask, quint64 request)
{
    m_state->latestEvaluation = request;
    return submit(Kind::Quick, tr("circuit metric"),
                  [this, settings, data = std::move(data), datasetKey, mask = std::move(edgeMask),
                   request](State& s, quint64 job, const std::atomic_bool&) mutable -> std::function<void()> {
                      if (s.latestEvaluation.load() != request)
                          return {}; // a newer request is queued behind this one
                      const auto start = std::chrono::steady_clock::now();
                      core::Evaluator& evaluator = s.evaluatorFor(settings, data, datasetKey);
                      if (mask.size() != evaluator.graph().edgeCount())
                          throw core::Error(tr("The circuit has %1 edges but the model's graph has %2.")
                                                .arg(mask.size())
                                                .arg(evaluator.graph().edgeCount())
                                                .toStdString());
                      CircuitEvaluation out;
                      out.job = job;
                      out.request = request;
                      out.metric = evaluator.evaluate(mask);
                      out.cleanMetric = evaluator.cleanMetric();
                      out.referenceMetric = evaluator.referenceMetric();
                      out.faithfulness = evaluator.faithfulness(out.metric);
                      out.edgesKept = static_cast<int>(std::count_if(mask.begin(), mask.end(), [](float v) { return v > 0.5f; }));
                      out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
                      return [this, out] { Q_EMIT circuitEvaluated(out); };
                  });
}

quint64 ComputeWorker::attentionPatterns(std::vector<int32_t> ids)
{
    return submit(Kind::Quick, tr("attention patterns"),
                  [this, ids = std::move(ids)](State& s, quint64 job, const std::atomic_bool&) {
                      if (!s.model)
                          throw core::Error(tr("No model is loaded.").toStdString());
                      const core::FloatArray a = s.model->attentionPatterns(ids); // [layers, heads, q, k]
                      AttentionPatterns out;
                      out.job = job;
                      out.ids = ids;
                      out.layers = static_cast<int>(a.shape.at(0));
                      out.heads = static_cast<int>(a.shape.at(1));
                      out.positions = static_cast<int>(a.shape.at(2));
                      out.values = std::make_shared<const std::vector<float>>(a.values);
                      return [this, out] { Q_EMIT attentionReady(out); };
                  });
}

quint64 ComputeWorker::logitLens(std::vector<int32_t> ids, int64_t position, int topK, std::vector<int32_t> tracked)
{
    return submit(Kind::Quick, tr("logit lens"),
                  [this, ids = std::move(ids), position, topK, tracked = std::move(tracked)](State& s, quint64 job,
                                                                                             const std::atomic_bool&) {
                      if (!s.model)
                          throw core::Error(tr("No model is loaded.").toStdString());
                      LogitLensResult out;
                      out.job = job;
                      out.ids = ids;
                      out.lens = std::make_shared<const core::LogitLens>(s.model->logitLens(ids, position, topK, tracked));
                      return [this, out] { Q_EMIT logitLensReady(out); };
                  });
}

quint64 ComputeWorker::scoreHeads(const core::HeadScoreOptions& options)
{
    return submit(Kind::Run, tr("finding induction heads"), [this, options](State& s, quint64 job, const std::atomic_bool& cancel) {
        if (!s.model)
            throw core::Error(tr("No model is loaded.").toStdString());
        const auto start = std::chrono::steady_clock::now();
        core::HeadScoreOptions o = options;
        o.cancel = &cancel;
        o.progress = [&s](double fraction, const std::string& stage) {
            if (s.report)
                s.report(fraction, stage);
        };
        HeadScoresResult out;
        out.job = job;
        out.scores = std::make_shared<const core::HeadScores>(core::scoreHeads(*s.model, o));
        out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        return [this, out] { Q_EMIT headScoresReady(out); };
    });
}

} // namespace patchbay::ui
