// SPDX-License-Identifier: MIT
#pragma once

#include "core/methods/attribution.h"
#include "core/graph/circuit.h"
#include "core/data/dataset.h"
#include "core/graph/graph.h"
#include "core/methods/headscores.h"
#include "core/model/model.h"
#include "ui/modelsummary.h"
#include "ui/textencoder.h"

#include <QHash>
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QThread>
#include <QVector>

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <memory>
#include <vector>

namespace patchbay::ui {

// What to load: a Hugging Face model folder, a .safetensors file or a .gguf file
// (core::Model::load), on a device, in a compute dtype (core::LoadOptions).
struct ModelRequest
{
    QString path;
    QString device = QStringLiteral("cpu"); // "cpu", "cuda", "cuda:N", "auto"
    QString dtype = QStringLiteral("float32"); // "float32", "bfloat16", "float16"
};

// A loaded model as the GUI sees it: display facts, the tokenizer (a thread-safe value)
// and the computational graph (a plain value). Never the model or a tensor.
struct LoadedModel
{
    ModelSummary summary;
    TextEncoder encoder;
    std::shared_ptr<const core::Graph> graph;
    std::shared_ptr<const core::ModelConfig> config;
};

// The settings of one attribution run (core::AttributionOptions plus the evaluation's
// metric, reference and batch size), as names the CLI also takes.
struct RunSettings
{
    QString method = QStringLiteral("eap");          // core::methodName
    QString metric = QStringLiteral("logit-diff");   // core::metricName
    QString reference = QStringLiteral("corrupted"); // core::referenceName
    int steps = 5;                                   // EAP-IG interpolation steps
    int batchSize = 16;
    QVector<double> taus{0.01}; // ACDC thresholds
    int acdcTopK = 0;           // ACDC on EAP's top k (0: every edge)
    bool perPosition = false;   // activation patching per position
    // Grouped-query models: the ungrouped graph, a key/value receiver per query head (MIB's
    // layout; core::EvaluationOptions::ungroupedKv). No effect on multi-head models.
    bool ungroupedKv = false;

    // Canonical text of the settings that change the scores ("eap|logit-diff|corrupted|…"),
    // for result caches and session files.
    QString key() const;
    // For titles: "EAP-IG (5 steps) · logit-diff · corrupted".
    QString describe() const;
    bool operator==(const RunSettings& other) const { return key() == other.key(); }

    // By name, for session files; fromMap keeps the defaults of absent or unreadable names.
    std::map<std::string, std::string> toMap() const;
    static RunSettings fromMap(const std::map<std::string, std::string>& map);
};

// The outcome of one attribution run: an immutable snapshot every view shares (by
// shared pointer; nothing in it changes after the worker made it).
// How a result names the pairs it ran on: their file's name, else the generated task.
QString datasetName(const core::Dataset& data);

struct RunResult
{
    quint64 job = 0;
    RunSettings settings;
    QString modelKey;   // ModelSummary::fingerprint
    QString datasetKey; // what the caller passed: identifies the pairs the run used
    QString datasetName; // the pairs' file name, or "generated ioi" (datasetName())
    int pairs = 0;      // prompt pairs the run averaged over
    std::shared_ptr<const core::AttributionResult> scores;
    // The scores as a circuit on the model's graph (provenance filled; ACDC's first
    // threshold marks its kept edges in_graph).
    std::shared_ptr<const core::Circuit> circuit;
};

// The key of a result in the window's cache and in sessions: the same model, pairs and
// settings give the same key, and the window shows that result instead of computing again.
QString resultKey(const QString& modelKey, const QString& datasetKey, const RunSettings& settings);
inline QString resultKey(const RunResult& result)
{
    return resultKey(result.modelKey, result.datasetKey, result.settings);
}

// Attention patterns of one prompt: [layers, heads, queries, keys], row-major.
struct AttentionPatterns
{
    quint64 job = 0;
    std::vector<int32_t> ids;
    int layers = 0, heads = 0, positions = 0;
    std::shared_ptr<const std::vector<float>> values;

    float at(int layer, int head, int query, int key) const
    {
        const auto index = ((static_cast<std::size_t>(layer) * static_cast<std::size_t>(heads) +
                             static_cast<std::size_t>(head)) *
                                static_cast<std::size_t>(positions) +
                            static_cast<std::size_t>(query)) *
                               static_cast<std::size_t>(positions) +
                           static_cast<std::size_t>(key);
        return (*values)[index];
    }
};

// The logit lens of one prompt at one position (the answer position in the app).
struct LogitLensResult
{
    quint64 job = 0;
    std::vector<int32_t> ids;
    std::shared_ptr<const core::LogitLens> lens;
};

// The metric of one circuit (edge mask) on the dataset, beside the clean and fully
// patched runs.
struct CircuitEvaluation
{
    quint64 job = 0;
    quint64 request = 0; // the caller's request number (the latest wins)
    double metric = 0;
    double cleanMetric = 0;
    double referenceMetric = 0;
    double faithfulness = 0; // (M − M(reference)) / (M(clean) − M(reference)); NaN when undefined
    int edgesKept = 0;
    double seconds = 0;
};

// Induction, previous-token and duplicate-token scores of every head (core::scoreHeads).
struct HeadScoresResult
{
    quint64 job = 0;
    std::shared_ptr<const core::HeadScores> scores;
    double seconds = 0;
};

// The one long-lived compute worker of design.md §1 "Threads": a member QThread owns
// the loaded core::Model and every tensor; the GUI sends requests (plain values) and gets
// results back as immutable snapshots through queued signals, so the GUI thread never
// blocks on LibTorch. Jobs run one after another, in submission order. Every exception
// (core::Error, c10::Error, std::bad_alloc…) stops at the job boundary and becomes
// failed(); a failed load keeps the previous model. Long jobs (load, run) report
// progress at most ten times a second and stop promptly after cancel().
//
// The facade lives on the GUI thread; its methods must be called from there.
class ComputeWorker final : public QObject
{
    Q_OBJECT

public:
    explicit ComputeWorker(QObject* parent = nullptr);
    ~ComputeWorker() override; // cancels every job, then requestInterruption(); quit(); wait()

    // Each returns the job's id (> 0), carried by its signals.
    quint64 loadModel(const ModelRequest& request);
    // `data` must be tokenized (ids filled; e.g. PromptEditor::runnableDataset()).
    // `datasetKey` names the pairs for the caches: the worker keeps the evaluator (reference
    // activations) of the last (model, datasetKey, metric, reference, batch size) and
    // reuses it when only the method changes.
    quint64 runAttribution(const RunSettings& settings, core::Dataset data, const QString& datasetKey);
    // The metric with the edges where `edgeMask` is 1 kept and the others patched to the
    // reference of `settings`, on `data` (the evaluator of a run with the same model, pairs,
    // metric, reference and batch size is reused). Requests are numbered: one that is
    // still queued when a newer one arrives is skipped (the latest wins).
    quint64 evaluateCircuit(const RunSettings& settings, core::Dataset data, const QString& datasetKey,
                            std::vector<float> edgeMask, quint64 request);
    // Attention patterns of one prompt (ids as the model reads them).
    quint64 attentionPatterns(std::vector<int32_t> ids);
    // The logit lens of one prompt at `position` (negative: from the end) with the top
    // `topK` tokens per stage and the probability and rank of the `tracked` ids.
    quint64 logitLens(std::vector<int32_t> ids, int64_t position, int topK, std::vector<int32_t> tracked);
    // Which heads are induction / previous-token / duplicate-token heads, on repeated random
    // tokens (a long job: progress, cancel).
    quint64 scoreHeads(const core::HeadScoreOptions& options);

    // Cancels the running long job and every long job queued before this call.
    void cancel();

    bool isBusy() const { return !m_pending.isEmpty(); } // any job submitted and not reported yet
    bool isRunningLongJob() const;                       // a load or a run is pending
    bool hasModel() const { return m_hasModel; }
    const LoadedModel* model() const { return m_hasModel ? &m_model : nullptr; }

    // Identifies a loaded model for caches: weights fingerprint, folder, device, dtype.
    static QString modelKey(const ModelSummary& model);
    // Whether a CUDA device can be chosen (LibTorch built with CUDA and a device visible).
    static bool cudaAvailable();

Q_SIGNALS:
    void started(quint64 job, const QString& what);
    void progress(quint64 job, double fraction, const QString& stage);
    void modelLoaded(quint64 job, const patchbay::ui::LoadedModel& model);
    void runFinished(const patchbay::ui::RunResult& result);
    void attentionReady(const patchbay::ui::AttentionPatterns& patterns);
    void logitLensReady(const patchbay::ui::LogitLensResult& lens);
    void headScoresReady(const patchbay::ui::HeadScoresResult& result);
    void circuitEvaluated(const patchbay::ui::CircuitEvaluation& evaluation);
    void failed(quint64 job, const QString& message);
    void cancelled(quint64 job);
    void busyChanged(bool busy);

private:
    enum class Kind { Load, Run, Quick };
    struct State; // the worker thread's: the model, the cached evaluator
    struct Job
    {
        Kind kind = Kind::Quick;
        std::shared_ptr<std::atomic_bool> cancel;
    };

    // Queues `work` on the worker thread, where it runs with the job's cancel flag; what it
    // returns runs back on the GUI thread (emitting the result) once the job is off the
    // pending list.
    quint64 submit(Kind kind, const QString& what,
                   std::function<std::function<void()>(State&, quint64, const std::atomic_bool&)> work);
    void finish(quint64 job);

    QThread m_thread;
    QObject* m_context = nullptr; // lives on m_thread: queued calls run there
    std::shared_ptr<State> m_state;
    quint64 m_nextJob = 1;
    QHash<quint64, Job> m_pending;
    LoadedModel m_model;
    bool m_hasModel = false;
};

} // namespace patchbay::ui

Q_DECLARE_METATYPE(patchbay::ui::LoadedModel)
Q_DECLARE_METATYPE(patchbay::ui::RunResult)
Q_DECLARE_METATYPE(patchbay::ui::AttentionPatterns)
Q_DECLARE_METATYPE(patchbay::ui::LogitLensResult)
Q_DECLARE_METATYPE(patchbay::ui::CircuitEvaluation)
Q_DECLARE_METATYPE(patchbay::ui::HeadScoresResult)
