// SPDX-License-Identifier: MIT
#include "core/methods/attribution.h"

#include "core/methods/detail/evaluation_state.h"
#include "core/common/error.h"
#include "core/model/model.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <limits>
#include <iomanip>
#include <locale>
#include <map>
#include <sstream>
#include <numeric>

namespace patchbay::core {

namespace {

using detail::EvaluationBatch;
using detail::EvaluationState;
using detail::Intervention;

void checkCancel(const EvaluationState& s)
{
    if (s.options.cancel && s.options.cancel->load())
        throw Cancelled();
}

// Reports progress, then honours a cancel request at once: every progress point (each
// batch, step, node or edge) is also a cancellation point.
void progress(const EvaluationState& s, double f, const std::string& stage)
{
    if (s.options.progress)
        s.options.progress(std::clamp(f, 0.0, 1.0), stage);
    checkCancel(s);
}

torch::TensorOptions modelOptions(const EvaluationState& s)
{
    const auto& t = s.model->transformer();
    return torch::TensorOptions().dtype(t.dtype()).device(t.device());
}

// One gradient pass of an EAP-family method: which input and which sender interpolation.
struct GradientStep
{
    bool corruptedInput = false;
    double inputAlpha = 1;  // the input node's mask (EAP-IG on inputs)
    double senderAlpha = 1; // every sender's mask (EAP-IG on activations)
};

std::vector<GradientStep> gradientSteps(Method method, int steps)
{
    std::vector<GradientStep> out;
    const int m = std::max(1, steps);
    switch (method) {
    case Method::Eap:
    case Method::AtP:
        out.push_back({});
        break;
    case Method::EapIg: // α = k/m, k = 0…m−1 (design.md §4)
        for (int k = 0; k < m; ++k)
            out.push_back({false, static_cast<double>(k) / m, 1});
        break;
    case Method::EapIgActivations: // α = k/m, k = 1…m
        for (int k = 1; k <= m; ++k)
            out.push_back({false, 1, static_cast<double>(k) / m});
        break;
    case Method::CleanCorrupted:
        out.push_back({});
        out.push_back({true, 1, 1});
        break;
    default:
        break;
    }
    return out;
}

// The rows of a batch (batch·pos) where a score product can be non-zero, as (batch index,
// position) pairs [n] int64 on the batch's device. After the answer position there is no
// gradient: the metric reads the answer position and the model is causal. With the
// corrupted run as the reference, a position before the first token where the clean and
// corrupted prompts differ has the same activations in both runs (causal again), so every
// sender's difference a_ref − a_clean is zero there: minimal pairs (IOI, greater-than) share
// most of their prefix, and the products skip it.
std::pair<torch::Tensor, torch::Tensor> liveRows(const EvaluationBatch& b, bool corruptedReference)
{
    const auto clean = b.clean.to(torch::kCPU).contiguous();
    const auto corrupted = b.corrupted.to(torch::kCPU).contiguous();
    const auto answer = b.answerPos.to(torch::kCPU).contiguous();
    const auto c = clean.accessor<int64_t, 2>();
    const auto k = corrupted.accessor<int64_t, 2>();
    const auto a = answer.accessor<int64_t, 1>();
    std::vector<int64_t> batchIdx, posIdx;
    for (int64_t i = 0; i < clean.size(0); ++i) {
        int64_t from = 0;
        if (corruptedReference)
            while (from < a[i] && c[i][from] == k[i][from])
                ++from;
        for (int64_t p = from; p <= a[i]; ++p) {
            batchIdx.push_back(i);
            posIdx.push_back(p);
        }
    }
    return {torch::tensor(batchIdx, torch::kInt64).to(b.clean.device()), torch::tensor(posIdx, torch::kInt64).to(b.clean.device())};
}

// EAP-family scores [S, R] (float64, CPU): Σ_{examples, positions} (a_ref − a_clean) · ḡ_v
// / N, with ḡ_v the gradient of the metric with respect to receiver v's input averaged
// over the method's steps; entries that are not edges are zero.
torch::Tensor gradientScores(const EvaluationState& s, Method method, int steps)
{
    const auto& f = *s.forward;
    const auto& g = s.graph;
    const auto S = static_cast<int64_t>(g.senders().size());
    const auto R = static_cast<int64_t>(g.receivers().size());
    const auto opts = modelOptions(s);
    auto plan = gradientSteps(method, steps);
    // The step that runs the clean input unpatched (if any) goes first: its sender outputs
    // are the clean ones the differences need, so no step waits for them.
    const auto isClean = [](const GradientStep& st) { return !st.corruptedInput && st.inputAlpha == 1 && st.senderAlpha == 1; };
    std::stable_partition(plan.begin(), plan.end(), isClean);
    const bool cleanStep = !plan.empty() && isClean(plan.front());
    const double n = static_cast<double>(s.data.pairs.size());
    auto scores = torch::zeros({S, R}, opts.dtype(torch::kFloat64));
    const std::size_t total = s.batches.size() * plan.size();
    std::size_t done = 0;
    for (const auto& b : s.batches) {
        checkCancel(s);
        const auto [batchIdx, posIdx] = liveRows(b, s.options.reference == Reference::Corrupted);
        const auto rows = batchIdx * b.clean.size(1) + posIdx; // into batch·pos
        const auto reference = s.referenceFor(b); // once per batch, for every step
        // a_ref − a_clean at those rows, sender-major: [S, rows·d_model] float32. A step that
        // runs the clean input unpatched yields the clean sender outputs itself; otherwise
        // one more forward.
        torch::Tensor diff;
        auto setDiff = [&](const torch::Tensor& clean) { // [batch, pos, S, d_model], sender-major in memory
            torch::NoGradGuard noGrad;
            using torch::indexing::Slice;
            const auto at = clean.detach().permute({2, 0, 1, 3}).index({Slice(), batchIdx, posIdx}); // [S, rows, d_model]
            const auto ref = reference.defined() ? reference.expand_as(clean).permute({2, 0, 1, 3}).index({Slice(), batchIdx, posIdx})
                                                 : torch::zeros_like(at);
            auto d = (ref - at).to(torch::kFloat32).contiguous(); // [S, rows, d_model]
            f.linearizeDifferences(at, d);
            diff = d.view({S, -1});
        };
        if (!cleanStep) {
            torch::NoGradGuard noGrad;
            setDiff(f.senderOutputs(b.clean, b.mask));
        }
        // Σ over steps of diff_u · ∂M/∂in_v, one product per block of receivers (a layer's
        // q/k/v, an MLP, the logits) over the senders that come before it.
        auto batchScores = torch::zeros({S, R}, opts.dtype(torch::kFloat32));
        for (const auto& step : plan) {
            progress(s, static_cast<double>(done++) / static_cast<double>(total), "gradients");
            torch::AutoGradMode grad(true);
            detail::GradientProbes probes;
            Intervention patch;
            patch.reference = reference;
            patch.readout = b.answerPos;
            patch.probes = &probes;
            if (step.inputAlpha != 1 || step.senderAlpha != 1) {
                auto mask = torch::full({S}, step.senderAlpha, opts);
                mask[0] = step.inputAlpha * step.senderAlpha;
                patch.nodeMask = mask;
            }
            torch::Tensor senders;
            const auto logits = f.run(step.corruptedInput ? b.corrupted : b.clean, b.mask, patch, isClean(step) ? &senders : nullptr);
            if (isClean(step))
                setDiff(senders);
            const auto metric = detail::metricPerExample(s.options.metric, logits, b.targets).sum() / n;
            metric.backward();
            torch::NoGradGuard noGrad;
            // The products' own working memory within a quarter of the budget (GPT-2 small
            // and SmolLM2 stay well inside it at the default 1 GiB).
            const auto budget = s.options.memoryBudgetBytes;
            probes.addScores(diff, rows, batchScores, 32, budget == 0 ? 0 : std::max<std::size_t>(budget / 4, 1));
        }
        scores.add_(batchScores.to(torch::kFloat64), 1.0 / static_cast<double>(plan.size()));
    }
    // Zero the non-edges (a head's own-layer q/k/v, a parallel block's MLP).
    std::vector<double> valid(static_cast<std::size_t>(S * R), 0.0);
    for (const auto& e : g.edges())
        valid[static_cast<std::size_t>(e.sender * R + e.receiver)] = 1.0;
    return scores.cpu() * torch::tensor(valid, torch::kFloat64).view({S, R});
}

std::vector<double> edgeValues(const Graph& g, const torch::Tensor& matrix) // [S, R] float64 CPU
{
    const auto a = matrix.accessor<double, 2>();
    std::vector<double> out;
    out.reserve(g.edgeCount());
    for (const auto& e : g.edges())
        out.push_back(a[e.sender][e.receiver]);
    return out;
}

std::vector<double> senderSums(const Graph& g, const std::vector<double>& edgeScores)
{
    std::vector<double> out(g.senders().size(), 0.0);
    for (std::size_t i = 0; i < g.edgeCount(); ++i)
        out[static_cast<std::size_t>(g.edges()[i].sender)] += edgeScores[i];
    return out;
}

void activationPatching(const Evaluator& ev, const AttributionOptions& o, AttributionResult& r)
{
    const auto& s = detail::stateOf(ev);
    const auto S = s.graph.senders().size();
    r.nodeScores.assign(S, 0.0);
    for (std::size_t u = 0; u < S; ++u) {
        progress(s, static_cast<double>(u) / static_cast<double>(S), "activation patching");
        std::vector<float> mask(S, 1.0f);
        mask[u] = 0.0f;
        r.nodeScores[u] = ev.evaluateNodes(mask) - s.clean;
    }
    if (!o.perPosition)
        return;
    // Per position: node u takes a reference that is its clean output everywhere except at
    // position p (exact: u's own inputs are unpatched, so its clean output is what it computes).
    int positions = 0;
    for (const auto& b : s.batches)
        positions = std::max(positions, static_cast<int>(b.clean.size(1)));
    r.positions = positions;
    r.nodePositionScores.assign(S * static_cast<std::size_t>(positions), 0.0);
    std::vector<torch::Tensor> cleanSenders, references;
    {
        torch::NoGradGuard noGrad;
        for (const auto& b : s.batches) {
            cleanSenders.push_back(s.forward->senderOutputs(b.clean, b.mask));
            references.push_back(s.referenceFor(b)); // once, not per node and position
        }
    }
    const auto opts = modelOptions(s);
    for (std::size_t u = 0; u < S; ++u) {
        auto nodeMask = torch::ones({static_cast<int64_t>(S)}, opts);
        nodeMask[static_cast<int64_t>(u)] = 0;
        for (int p = 0; p < positions; ++p) {
            progress(s, static_cast<double>(u * static_cast<std::size_t>(positions) + static_cast<std::size_t>(p))
                            / static_cast<double>(S * static_cast<std::size_t>(positions)),
                     "activation patching per position");
            std::size_t batchIndex = 0;
            const double m = s.meanMetric([&](const EvaluationBatch& b) {
                const auto& clean = cleanSenders[batchIndex];
                const auto& reference = references[batchIndex++];
                Intervention patch;
                patch.nodeMask = nodeMask;
                if (p < clean.size(1)) {
                    auto ref = clean.clone();
                    const auto bref = reference.defined() ? reference.expand_as(clean) : torch::zeros_like(clean);
                    ref.select(1, p).select(1, static_cast<int64_t>(u)).copy_(bref.select(1, p).select(1, static_cast<int64_t>(u)));
                    patch.reference = ref;
                } else {
                    patch.reference = clean;
                }
                return patch;
            });
            r.nodePositionScores[u * static_cast<std::size_t>(positions) + static_cast<std::size_t>(p)] = m - s.clean;
        }
    }
}

// The metric targets of k copies of a batch, stacked like Tensor::repeat({k, …}).
detail::MetricTargets repeated(const detail::MetricTargets& t, int64_t k)
{
    auto rows = [k](const torch::Tensor& x) { return x.defined() ? x.repeat({k, 1}) : x; };
    detail::MetricTargets out = t;
    out.answers = rows(t.answers);
    out.answerWeights = rows(t.answerWeights);
    out.wrong = rows(t.wrong);
    out.wrongWeights = rows(t.wrongWeights);
    out.cleanLogProbs = rows(t.cleanLogProbs);
    return out;
}

// Exact edge patching, batched. Patching the one edge s→r changes only r's input, to
// in_r − (a_s − ref_s) (for a post-norm family's heads, through the layer's norm:
// InterventionalForward::edgePatchDifferences), and everything after it. So per receiver, up to k of its incoming
// edges run in one forward as k copies of the batch, each copy with r's input replaced:
// (edges / k) forwards of k·batch rows instead of one masked forward per edge. k fills the
// memory budget (or 64 rows when there is none). `edges` (empty: all) limits the work to a
// shortlist; the other edges keep score 0.
void exactEdges(const Evaluator& ev, const std::vector<std::size_t>& edges, AttributionResult& r)
{
    const auto& s = detail::stateOf(ev);
    const auto& g = s.graph;
    const auto& cfg = s.model->config();
    const auto E = g.edgeCount();
    r.edgeScores.assign(E, 0.0);
    // The senders to patch, per receiver.
    std::vector<std::vector<int64_t>> sendersOf(g.receivers().size());
    std::vector<char> measured(E, 0);
    if (edges.empty()) {
        for (const auto& e : g.edges())
            sendersOf[static_cast<std::size_t>(e.receiver)].push_back(e.sender);
        std::fill(measured.begin(), measured.end(), 1);
    } else {
        for (const auto e : edges) {
            if (e >= E)
                throw Error("exact patching: edge index " + std::to_string(e) + " is not an edge of this model ("
                            + std::to_string(E) + " edges)");
            if (measured[e])
                continue;
            measured[e] = 1;
            sendersOf[static_cast<std::size_t>(g.edges()[e].receiver)].push_back(g.edges()[e].sender);
        }
    }
    const double edgesToPatch = static_cast<double>(std::count(measured.begin(), measured.end(), 1));
    torch::NoGradGuard noGrad;
    double done = 0;
    const double work = static_cast<double>(s.batches.size()) * edgesToPatch;
    for (const auto& b : s.batches) {
        const int64_t batch = b.clean.size(0), pos = b.clean.size(1);
        int64_t copies = std::max<int64_t>(1, 64 / batch);
        if (s.options.memoryBudgetBytes > 0) {
            const auto perCopy = s.bytesPerRow(static_cast<std::size_t>(pos)) * static_cast<std::size_t>(batch);
            copies = std::clamp<int64_t>(static_cast<int64_t>(s.options.memoryBudgetBytes / perCopy), 1, copies);
        }
        // The clean run: every sender's output and the input of each receiver to patch.
        std::map<int, torch::Tensor> inputs;
        for (std::size_t rv = 0; rv < g.receivers().size(); ++rv)
            if (!sendersOf[rv].empty())
                inputs[static_cast<int>(rv)] = torch::Tensor();
        Intervention clean;
        clean.recordInputs = &inputs;
        clean.readout = b.answerPos;
        torch::Tensor senders; // [batch, pos, n_senders, d_model]
        s.forward->run(b.clean, b.mask, clean, &senders);
        const auto reference = s.referenceFor(b);
        const auto delta = reference.defined() ? senders - reference.to(senders.scalar_type()) : senders;

        for (std::size_t rv = 0; rv < g.receivers().size(); ++rv) {
            const auto& list = sendersOf[rv];
            if (list.empty())
                continue;
            const auto& in = inputs.at(static_cast<int>(rv)); // [batch, pos, d_model]
            const auto n = static_cast<int64_t>(list.size());
            const auto index = torch::tensor(list, torch::kInt64).to(delta.device());
            for (int64_t u0 = 0; u0 < n; u0 += copies) {
                progress(s, done / work, "exact edge patching");
                const int64_t k = std::min(copies, n - u0);
                Intervention patch;
                patch.readout = b.answerPos.repeat({k});
                // Copy j patches sender list[u0 + j]: [k·batch, pos, d_model].
                patch.receiverInputs[static_cast<int>(rv)] =
                    (in.unsqueeze(0) - s.forward->edgePatchDifferences(senders, delta, index.slice(0, u0, u0 + k)))
                        .reshape({k * batch, pos, cfg.dModel});
                const auto logits = s.forward->run(b.clean.repeat({k, 1}), b.mask.repeat({k, 1}), patch);
                const auto sums = detail::metricPerExample(s.options.metric, logits, repeated(b.targets, k))
                                      .to(torch::kCPU, torch::kFloat64)
                                      .view({k, batch})
                                      .sum(1);
                const auto a = sums.accessor<double, 1>();
                for (int64_t j = 0; j < k; ++j)
                    r.edgeScores[*g.edgeIndex(static_cast<int>(list[static_cast<std::size_t>(u0 + j)]), static_cast<int>(rv))] += a[j];
                done += static_cast<double>(k);
            }
        }
    }
    const auto examples = static_cast<double>(s.data.pairs.size());
    for (std::size_t e = 0; e < E; ++e)
        r.edgeScores[e] = measured[e] ? r.edgeScores[e] / examples - s.clean : 0.0;
}

// The per-edge scores a shortlist is ranked by: `method` run on the evaluator's data, EAP-IG
// instead of EAP for kl (KL's gradient vanishes at the clean run, so EAP ranks nothing).
std::vector<double> rankingScores(const EvaluationState& s, Method method, std::string& name)
{
    if (!methodInfo(method).ranksShortlist)
        throw Error("a shortlist is ranked by a gradient method that scores edges (" + joinMethodNames(", ", [](const MethodInfo& m) { return m.ranksShortlist; })
                    + "), not " + methodName(method));
    if (s.options.metric == Metric::Kl && method == Method::Eap)
        method = Method::EapIg;
    name = methodName(method);
    return edgeValues(s.graph, gradientScores(s, method, 5));
}

// Exact patching of every edge, or of a shortlist with its agreement with the ranking.
void exact(const Evaluator& ev, const AttributionOptions& o, AttributionResult& r)
{
    const auto& s = detail::stateOf(ev);
    const auto E = s.graph.edgeCount();
    if (!o.exactEdges.empty() && o.exactTopK > 0)
        throw Error("exact patching: give a list of edges or a top k of a ranking, not both");
    if (!o.ranking.empty() && o.ranking.size() != E)
        throw Error("exact patching: the ranking has " + std::to_string(o.ranking.size()) + " scores for "
                    + std::to_string(E) + " edges");
    r.ranking = o.ranking;
    r.rankingMethod = o.ranking.empty() ? std::string() : std::string("file");
    if (o.exactTopK > 0) {
        if (r.ranking.empty()) {
            const auto started = std::chrono::steady_clock::now();
            r.ranking = rankingScores(s, o.rankingMethod, r.rankingMethod);
            r.rankingSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        }
        r.evaluatedEdges = topByMagnitude(r.ranking, o.exactTopK);
    } else {
        r.evaluatedEdges = o.exactEdges;
    }
    exactEdges(ev, r.evaluatedEdges, r);
    if (!r.ranking.empty()) {
        std::vector<std::size_t> compared = r.evaluatedEdges;
        if (compared.empty()) {
            compared.resize(E);
            std::iota(compared.begin(), compared.end(), std::size_t(0));
        }
        std::sort(compared.begin(), compared.end());
        compared.erase(std::unique(compared.begin(), compared.end()), compared.end());
        r.agreement = rankAgreement(r.edgeScores, r.ranking, compared);
        r.hasAgreement = true;
    }
}

// τ as a user typed it: shortest text that reads back the same ("0.01", "1e-05").
std::string formatTau(double tau)
{
    std::ostringstream out;
    out.imbue(std::locale::classic());
    out << std::setprecision(6) << tau;
    return out.str();
}

// ACDC (design.md §4): receivers from `logits` backwards (descending receiver index: later
// layers, the MLP before its heads, higher heads first), each incoming edge (later senders
// first) removed for good when the objective grows by at most τ. The objective is
// KL(clean ‖ patched) or loss as they are, the negated metric for logit-diff/prob-diff.
void acdc(const Evaluator& ev, const AttributionOptions& o, AttributionResult& r)
{
    const auto& s = detail::stateOf(ev);
    const auto& g = s.graph;
    const double sign = metricHigherIsBetter(s.options.metric) ? -1.0 : 1.0;
    const auto E = g.edgeCount();
    const auto S = g.senders().size();
    r.edgeScores.assign(E, 0.0);
    // Edge indices per receiver.
    std::vector<std::vector<std::size_t>> incoming(g.receivers().size());
    for (std::size_t e = 0; e < E; ++e)
        incoming[static_cast<std::size_t>(g.edges()[e].receiver)].push_back(e);
    auto taus = o.taus.empty() ? std::vector<double>{0.01} : o.taus;
    // The shortlist: every edge, or EAP's top k by |score|.
    std::vector<char> candidate(E, 1);
    if (o.acdcTopK > 0 && o.acdcTopK < E) {
        // KL's gradient vanishes at the clean run, so for kl the shortlist comes from EAP-IG.
        const auto started = std::chrono::steady_clock::now();
        r.ranking = rankingScores(s, Method::Eap, r.rankingMethod);
        r.rankingSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        std::fill(candidate.begin(), candidate.end(), 0);
        for (const auto e : topByMagnitude(r.ranking, o.acdcTopK))
            candidate[e] = 1;
    }
    const auto candidates = static_cast<std::size_t>(std::count(candidate.begin(), candidate.end(), 1));
    for (std::size_t ti = 0; ti < taus.size(); ++ti) {
        const double tau = taus[ti];
        AcdcRun run;
        run.tau = tau;
        std::vector<float> mask(E, 1.0f);
        std::vector<int> liveOut(S, 0); // kept out-edges per sender
        for (std::size_t e = 0; e < E; ++e) {
            if (candidate[e])
                ++liveOut[static_cast<std::size_t>(g.edges()[e].sender)];
            else
                mask[e] = 0.0f;
        }
        double current = sign * ev.evaluate(mask);
        ++run.evaluations;
        std::size_t visited = 0, removed = 0;
        // "ACDC τ=0.01 (1 of 2): edge 37 of 200, 12 removed": a point per edge tried, so a long
        // run shows it moves and on which threshold.
        const std::string stage = "ACDC τ=" + formatTau(tau) + (taus.size() > 1 ? " (" + std::to_string(ti + 1) + " of " + std::to_string(taus.size()) + ")" : std::string());
        for (int rv = static_cast<int>(g.receivers().size()) - 1; rv >= 0; --rv) {
            // A receiver whose node no longer reaches anything cannot change the output:
            // its edges go without an evaluation. (The logits always count.)
            const auto readers = g.readersOf(rv);
            bool dead = readers.begin != g.logitsNode();
            for (int u = readers.begin; u < readers.end && dead; ++u)
                dead = liveOut[static_cast<std::size_t>(u)] == 0;
            auto& edges = incoming[static_cast<std::size_t>(rv)];
            for (auto it = edges.rbegin(); it != edges.rend(); ++it) {
                const auto e = *it;
                if (!candidate[e])
                    continue;
                progress(s, (static_cast<double>(ti) + static_cast<double>(visited) / static_cast<double>(candidates)) / static_cast<double>(taus.size()),
                         stage + ": edge " + std::to_string(visited + 1) + " of " + std::to_string(candidates) + ", "
                             + std::to_string(removed) + " removed");
                ++visited;
                mask[e] = 0.0f;
                double next = current;
                if (!dead) {
                    next = sign * ev.evaluate(mask);
                    ++run.evaluations;
                }
                if (ti == 0)
                    r.edgeScores[e] = sign * (next - current); // the metric's change at removal
                if (next - current <= tau) { // τ = 0 removes what changes nothing
                    current = next;
                    ++removed;
                    --liveOut[static_cast<std::size_t>(g.edges()[e].sender)];
                } else {
                    mask[e] = 1.0f;
                }
            }
        }
        run.kept.resize(E);
        for (std::size_t e = 0; e < E; ++e)
            run.kept[e] = mask[e] > 0.5f;
        run.metric = sign * current;
        r.acdc.push_back(std::move(run));
    }
}

} // namespace

AttributionResult attribute(const Evaluator& evaluator, const AttributionOptions& options)
{
    const auto started = std::chrono::steady_clock::now();
    const auto& s = detail::stateOf(evaluator);
    AttributionResult r;
    r.method = options.method;
    r.cleanMetric = s.clean;
    r.referenceMetric = s.reference;
    switch (options.method) {
    case Method::Eap:
    case Method::EapIg:
    case Method::EapIgActivations:
    case Method::CleanCorrupted:
    case Method::AtP: {
        // Only the integrated-gradient methods take steps; EAP, AtP and clean-corrupted ignore them.
        if (options.steps < 1 && methodInfo(options.method).usesSteps)
            throw Error(methodName(options.method) + " needs at least one integration step, got "
                        + std::to_string(options.steps));
        r.edgeScores = edgeValues(s.graph, gradientScores(s, options.method, options.steps));
        r.nodeScores = senderSums(s.graph, r.edgeScores);
        if (options.method == Method::AtP)
            r.edgeScores.clear(); // a node method: (a_ref − a)·∂M/∂a is the sum over the node's out-edges
        break;
    }
    case Method::ActivationPatching:
        activationPatching(evaluator, options, r);
        break;
    case Method::Exact:
        exact(evaluator, options, r);
        r.nodeScores = senderSums(s.graph, r.edgeScores);
        break;
    case Method::Acdc:
        acdc(evaluator, options, r);
        break;
    case Method::PathPatching: {
        if (options.receivers.empty())
            throw Error("path patching needs at least one receiver");
        const auto& g = s.graph;
        int reach = 0; // senders [0, reach) come before at least one receiver
        for (const auto rv : options.receivers) {
            if (rv < 0 || static_cast<std::size_t>(rv) >= g.receivers().size())
                throw Error("path patching: receiver index " + std::to_string(rv) + " is not in the graph");
            reach = std::max(reach, g.sendersBefore(rv));
        }
        r.nodeScores.assign(g.senders().size(), 0.0);
        for (std::size_t u = 0; u < static_cast<std::size_t>(reach); ++u) {
            progress(s, static_cast<double>(u) / static_cast<double>(g.senders().size()), "path patching");
            PathPatch pp;
            pp.senders = {static_cast<int>(u)};
            pp.receivers = options.receivers;
            pp.through = options.through;
            r.nodeScores[u] = evaluator.pathPatch(pp) - s.clean;
        }
        break;
    }
    }
    if (s.options.progress)
        s.options.progress(1.0, "done");
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return r;
}

Circuit attributionCircuit(const Evaluator& evaluator, const AttributionResult& result)
{
    const auto& s = detail::stateOf(evaluator);
    Circuit c(s.graph, s.model->config().dModel);
    if (s.graph.nKvHeads() != s.model->config().nKvHeads) // the ungrouped graph of a grouped-query model
        c.modelKvHeads = s.model->config().nKvHeads;
    if (!result.edgeScores.empty())
        c.edgeScores = result.edgeScores;
    if (!result.nodeScores.empty()) {
        c.nodeScores = result.nodeScores;
        c.nodeScores.push_back(0.0); // logits
    }
    if (!result.acdc.empty())
        c.edgeInGraph = result.acdc.front().kept;
    c.nodesFromEdges();
    const auto& info = s.model->info();
    c.modelArchitecture = info.config.family;
    c.modelName = info.path.filename().string();
    c.weightsHash = info.weightsFingerprint;
    c.method = methodName(result.method);
    c.metric = metricName(s.options.metric);
    c.reference = referenceName(s.options.reference);
    c.scoreSign = result.method == Method::Acdc ? "metric change when the edge was removed during the search"
                                                : "metric change when the edge is patched (linear estimate unless exact)";
    return c;
}

} // namespace patchbay::core
