// SPDX-License-Identifier: MIT
#pragma once

#include "core/graph/circuit.h"
#include "core/data/dataset.h"
#include "core/graph/graph.h"
#include "core/methods/metrics.h"

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace patchbay::core {

class Model;
class Evaluator;
namespace detail {
struct EvaluationState;
// The prepared batches and references, for the attribution methods (core/methods/detail/evaluation_state.h).
const EvaluationState& stateOf(const Evaluator& evaluator);
} // namespace detail

struct EvaluationOptions
{
    Metric metric = Metric::LogitDiff;
    Reference reference = Reference::Corrupted;
    int batchSize = 16;
    // The working memory beyond the model's weights: the corrupted prompts' sender outputs
    // kept between evaluations (at most a quarter of it, batches in order; a batch past that
    // recomputes them, one more forward, when they are needed) and one batch's activations
    // in a gradient method (the rest: about 10 × batch × pos × senders × d_model values; the
    // batch size shrinks to fit). SmolLM2-135M on 100 induction pairs would keep 2.5 GB of
    // references and take 124 MB a row. 0 = no bound (batchSize as given, all kept).
    std::size_t memoryBudgetBytes = std::size_t{1} << 30;
    // Called with a fraction in [0,1] and a short stage text; may be empty.
    std::function<void(double, const std::string&)> progress;
    const std::atomic_bool* cancel = nullptr; // checked between batches; throws Cancelled
    // Grouped-query models: the ungrouped graph, with a key and a value receiver per query
    // head (a3.h5<k>, MIB's layout: every query head's key/value input patched on its own)
    // instead of one per key/value head (a3.kv1<k>, cheaper). No effect on multi-head models.
    bool ungroupedKv = false;
};

// One point of a faithfulness curve: the first `edges` edges in the curve's order kept
// (then pruned, when the sweep prunes), every other edge patched.
struct SweepPoint
{
    double fraction = 0;    // of all edges of the graph
    std::size_t edges = 0;  // ⌊fraction × all edges⌋ selected (MIB's int())
    std::size_t kept = 0;   // left after pruning (= edges without it)
    double metric = 0;
    double faithfulness = 0;
};
struct SweepCurve
{
    EdgeOrder order = EdgeOrder::Magnitude;
    std::vector<SweepPoint> points;
    double area = 0;      // under faithfulness over the fraction (trapezoids, first to last point)
    double areaFrom1 = 0; // under |1 − faithfulness|
};
// MIB's faithfulness protocol (MIB-circuit-track's evaluate_area_under_curve with EAP-IG's
// apply_topn(prune=True)): CPR is the area under the curve of the edges ranked by signed
// score, the ones the behaviour needs first (so a circuit that drops edges working against
// the behaviour beats the full model and CPR can exceed 1); CMD is the area under
// |1 − faithfulness| of the edges ranked by |score|. Each point keeps ⌊p × edges⌋ edges and
// prunes those off every input→logits path; the areas run from the first fraction to the
// last, 0.1 % to 100 %, with no point at 0.
struct FaithfulnessSweep
{
    SweepCurve bySign;      // CPR's curve
    SweepCurve byMagnitude; // CMD's curve
    double cpr = 0;         // bySign.area
    double cmd = 0;         // byMagnitude.areaFrom1
};
// How a sweep point picks its ⌊p × edges⌋ edges: the first in the curve's order (MIB's
// apply_topn), or grown from the logits in that order (selectGreedy, EAP-IG's apply_greedy:
// every selected edge feeds a node already selected, so small circuits are paths to the
// logits rather than scattered edges that pruning then drops).
enum class SweepSelection {
    TopN,
    Greedy,
};
std::string sweepSelectionName(SweepSelection selection);        // "top-n", "greedy"
SweepSelection parseSweepSelection(const std::string& name);     // throws Error listing the valid names
struct SweepOptions
{
    std::vector<double> fractions; // empty: MIB's 0.1 %, 0.2 %, 0.5 %, 1 %, 2 %, 5 %, 10 %, 20 %, 50 %, 100 %
    bool prune = true;             // MIB prunes; false keeps dangling edges in (patched nowhere)
    SweepSelection selection = SweepSelection::TopN; // MIB's protocol
    // The signed order for CPR; empty: neededFirst(circuit, the evaluation's metric).
    std::optional<EdgeOrder> signedOrder;
};
// MIB's edge fractions: 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.
std::vector<double> defaultSweepFractions();
// A curve's two areas from its points (sorted by fraction), by trapezoids.
void summariseCurve(SweepCurve& curve);

// Path patching (design.md §4): the effect of senders S on receiver inputs R, flowing only
// through `through` (default: the MLPs; empty = the direct edges S→R). Pass 1 runs the clean
// input with S at their references, every node outside through ∪ R's nodes frozen to its
// clean output, and records R's inputs; pass 2 runs the clean input with R's inputs
// replaced by the recorded ones. As in the IOI paper, a receiver whose node feeds another
// receiver of R (a head and the MLP of its own layer) passes its pass-1 output on, so
// with an empty `through` the result equals edge patching of S→R exactly when R's nodes
// do not feed one another (the heads of one layer, one MLP, the logits).
struct PathPatch
{
    std::vector<int> senders;   // sender indices
    std::vector<int> receivers; // receiver indices
    std::vector<int> through;   // sender indices
};

// Where an Evaluator's construction spent its time, in seconds.
struct EvaluatorTimings
{
    double prepare = 0;       // tokenizing and batching the dataset
    double cleanPass = 0;     // the clean run: its metric (and its log-probabilities, for kl)
    double referencePass = 0; // the reference activations and the all-patched metric
};

// Evaluates circuits on a dataset with the one interventional forward: the metric with
// every edge outside the circuit patched to its reference. The dataset is tokenized with
// the model's tokenizer when it has no ids yet, split into batches, and the reference
// activations of each batch (corrupted prompts, their mean, or zero) and the clean
// log-probabilities (for kl) are computed once, here, and reused by every evaluation.
// Construction and every method run on one thread (the compute worker's); they throw
// core::Error for unusable data (naming the row) and Cancelled when the flag is set.
class Evaluator
{
public:
    Evaluator(std::shared_ptr<const Model> model, Dataset data, EvaluationOptions options);
    ~Evaluator();
    Evaluator(const Evaluator&) = delete;
    Evaluator& operator=(const Evaluator&) = delete;

    const Graph& graph() const;
    const Dataset& dataset() const;
    const EvaluationOptions& options() const;

    EvaluatorTimings timings() const;
    double cleanMetric() const;     // every edge in (the clean run)
    double referenceMetric() const; // every edge patched (the reference run)
    // (M − M(reference)) / (M(clean) − M(reference)); NaN when clean equals reference.
    double faithfulness(double metric) const;

    // Mean metric over the dataset with edge masks in [0,1] (Graph::edges() order; 1 keeps
    // the edge, 0 patches it to its reference).
    double evaluate(const std::vector<float>& edgeMask) const;
    // The circuit's edges kept, every other edge patched. The circuit must be on graph()
    // (see adaptCircuit); throws Error otherwise.
    double evaluate(const Circuit& circuit) const;
    // Node masks (activation patching of components): one value per sender.
    double evaluateNodes(const std::vector<float>& senderMask) const;
    // Per-example metric values for edge masks (dataset order).
    std::vector<double> perExample(const std::vector<float>& edgeMask) const;

    // MIB's two faithfulness curves of `scored` (see FaithfulnessSweep). A selection that
    // equals an earlier one (the full circuit on both curves) is evaluated once.
    FaithfulnessSweep sweep(const Circuit& scored, const SweepOptions& options = {}) const;

    // The mean metric after path patching (two passes per batch).
    double pathPatch(const PathPatch& patch) const;
    // Every MLP node of the graph: the IOI paper's default `through` set.
    static std::vector<int> mlpSenders(const Graph& graph);

private:
    friend const detail::EvaluationState& detail::stateOf(const Evaluator& evaluator);
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace patchbay::core
