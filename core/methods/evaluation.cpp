// SPDX-License-Identifier: MIT
#include "core/methods/evaluation.h"

#include "core/methods/detail/evaluation_state.h"
#include "core/common/error.h"
#include "core/model/model.h"
#include "core/tokenize/tokenizer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>

namespace patchbay::core {

std::vector<double> defaultSweepFractions()
{
    return {0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0};
}

void summariseCurve(SweepCurve& curve)
{
    curve.area = curve.areaFrom1 = 0;
    for (std::size_t i = 1; i < curve.points.size(); ++i) {
        const auto& a = curve.points[i - 1];
        const auto& b = curve.points[i];
        const double dx = b.fraction - a.fraction;
        curve.area += dx * (a.faithfulness + b.faithfulness) / 2;
        curve.areaFrom1 += dx * (std::abs(1 - a.faithfulness) + std::abs(1 - b.faithfulness)) / 2;
    }
}

namespace {

using detail::Intervention;
using detail::MetricTargets;

using Batch = detail::EvaluationBatch;

void checkCancel(const std::atomic_bool* cancel)
{
    if (cancel && cancel->load())
        throw Cancelled();
}

} // namespace

std::vector<double> detail::EvaluationState::perExample(const PatchFor& patchFor) const
{
    torch::NoGradGuard noGrad;
    std::vector<double> out;
    out.reserve(data.pairs.size());
    for (const auto& b : batches) {
        checkCancel(options.cancel);
        auto patch = patchFor(b);
        patch.readout = b.answerPos;
        if (!patch.reference.defined())
            patch.reference = referenceFor(b);
        const auto logits = forward->run(b.clean, b.mask, patch); // [batch, d_vocab]
        const auto values = detail::metricPerExample(options.metric, logits, b.targets).to(torch::kCPU, torch::kFloat64);
        const auto a = values.accessor<double, 1>();
        for (int64_t i = 0; i < values.size(0); ++i)
            out.push_back(a[i]);
    }
    return out;
}

torch::Tensor detail::EvaluationState::referenceFor(const EvaluationBatch& b) const
{
    if (!b.referenceOnDemand)
        return b.reference;
    torch::NoGradGuard noGrad;
    return forward->senderOutputs(b.corrupted, b.mask);
}

std::size_t detail::EvaluationState::bytesPerRow(std::size_t pos) const
{
    const auto& t = model->transformer();
    return 10 * pos * graph.senders().size() * static_cast<std::size_t>(t.config().dModel)
           * static_cast<std::size_t>(torch::elementSize(t.dtype()));
}

double detail::EvaluationState::meanMetric(const PatchFor& patchFor) const
{
    const auto v = perExample(patchFor);
    return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

struct Evaluator::Impl : detail::EvaluationState
{
    const detail::Transformer& transformer() const { return model->transformer(); }

    void progress(double f, const std::string& stage) const
    {
        if (options.progress)
            options.progress(f, stage);
    }

    // [S, R] mask of the edges (1 off the edges: those entries are ignored).
    torch::Tensor edgeMatrix(const std::vector<float>& edgeMask) const
    {
        if (edgeMask.size() != graph.edgeCount())
            throw Error("edge mask has " + std::to_string(edgeMask.size()) + " values, the graph "
                        + std::to_string(graph.edgeCount()) + " edges");
        const auto S = static_cast<int64_t>(graph.senders().size());
        const auto R = static_cast<int64_t>(graph.receivers().size());
        auto values = torch::from_blob(const_cast<float*>(edgeMask.data()), {static_cast<int64_t>(edgeMask.size())}, torch::kFloat32)
                          .to(transformer().device(), transformer().dtype());
        auto m = torch::ones({S, R}, torch::TensorOptions().dtype(transformer().dtype()).device(transformer().device()));
        m.index_put_({edgeSender, edgeReceiver}, values);
        return m;
    }

    std::vector<double> perExample(const Intervention& patch) const
    {
        return EvaluationState::perExample([&](const Batch&) { return patch; });
    }

    double mean(const Intervention& patch) const
    {
        return meanMetric([&](const Batch&) { return patch; });
    }

    void build();
    void buildReferences();
};

static double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void Evaluator::Impl::build()
{
    const auto started = std::chrono::steady_clock::now();
    const auto& t = transformer();
    const auto device = t.device();
    if (data.pairs.empty())
        throw Error(data.source.string() + ": the dataset has no prompt pairs");
    tokenizeForModel(data, *model);
    const auto where = data.source.empty() ? std::string("dataset") : data.source.filename().string();
    const int64_t vocab = t.config().dVocab;
    for (const auto& p : data.pairs) {
        const auto row = where + ": row " + std::to_string(p.row) + ": ";
        if (p.cleanIds.size() != p.corruptedIds.size())
            throw Error(row + "clean has " + std::to_string(p.cleanIds.size()) + " tokens, corrupted "
                        + std::to_string(p.corruptedIds.size()));
        if (static_cast<int64_t>(p.cleanIds.size()) > t.config().nCtx)
            throw Error(row + "the prompt has " + std::to_string(p.cleanIds.size()) + " tokens, more than the model's context of "
                        + std::to_string(t.config().nCtx));
        auto checkIds = [&](const std::vector<int32_t>& ids, const char* what) {
            for (const auto id : ids)
                if (id < 0 || id >= vocab)
                    throw Error(row + what + " token id " + std::to_string(id) + " is outside the vocabulary of " + std::to_string(vocab));
        };
        checkIds(p.cleanIds, "clean");
        checkIds(p.corruptedIds, "corrupted");
        checkIds(p.answerIds, "answer");
        checkIds(p.wrongAnswerIds, "wrong answer");
        const bool needsAnswer = options.metric != Metric::Kl;
        const bool needsWrong = options.metric == Metric::LogitDiff || options.metric == Metric::ProbDiff;
        if (needsAnswer && p.answerIds.empty())
            throw Error(row + "metric " + metricName(options.metric) + " needs an answer");
        if (needsWrong && p.wrongAnswerIds.empty())
            throw Error(row + "metric " + metricName(options.metric) + " needs a wrong answer");
    }
    if (options.batchSize <= 0)
        throw Error("batch size must be positive");

    const auto n = data.pairs.size();
    auto bs = static_cast<std::size_t>(options.batchSize);
    if (options.memoryBudgetBytes > 0) {
        std::size_t longest = 1;
        for (const auto& p : data.pairs)
            longest = std::max(longest, p.cleanIds.size());
        // What the kept references will take (at most a quarter of the budget: a smaller batch
        // costs more time than recomputing references, 35 s against 29 s for SmolLM2's EAP);
        // a batch gets the rest.
        std::size_t references = 0;
        if (options.reference == Reference::Corrupted)
            references = std::min(options.memoryBudgetBytes / 4, bytesPerRow(longest) / 10 * n);
        bs = std::clamp<std::size_t>((options.memoryBudgetBytes - references) / bytesPerRow(longest), 1, bs);
    }
    for (std::size_t first = 0; first < n; first += bs) {
        const auto count = std::min(bs, n - first);
        int64_t pos = 0;
        for (std::size_t i = first; i < first + count; ++i)
            pos = std::max<int64_t>(pos, static_cast<int64_t>(data.pairs[i].cleanIds.size()));
        auto clean = torch::zeros({static_cast<int64_t>(count), pos}, torch::kInt64);
        auto corrupted = torch::zeros_like(clean);
        auto mask = torch::zeros_like(clean);
        auto answerPos = torch::zeros({static_cast<int64_t>(count)}, torch::kInt64);
        std::vector<std::vector<int32_t>> answers, wrong;
        for (std::size_t i = 0; i < count; ++i) {
            const auto& p = data.pairs[first + i];
            const auto b = static_cast<int64_t>(i);
            for (std::size_t j = 0; j < p.cleanIds.size(); ++j) {
                const auto q = static_cast<int64_t>(j);
                clean[b][q] = p.cleanIds[j];
                corrupted[b][q] = p.corruptedIds[j];
                mask[b][q] = 1;
            }
            answerPos[b] = static_cast<int64_t>(p.cleanIds.size()) - 1;
            answers.push_back(p.answerIds);
            wrong.push_back(p.wrongAnswerIds);
        }
        Batch batch;
        batch.first = first;
        batch.clean = clean.to(device);
        batch.corrupted = corrupted.to(device);
        batch.mask = mask.to(device);
        batch.answerPos = answerPos.to(device);
        batch.targets = MetricTargets::make(options.metric, answers, wrong, device);
        batches.push_back(std::move(batch));
    }

    const auto& edges = graph.edges();
    std::vector<int64_t> s(edges.size()), r(edges.size());
    for (std::size_t e = 0; e < edges.size(); ++e) {
        s[e] = edges[e].sender;
        r[e] = edges[e].receiver;
    }
    edgeSender = torch::tensor(s, torch::kInt64).to(device);
    edgeReceiver = torch::tensor(r, torch::kInt64).to(device);

    timings.prepare = secondsSince(started);
    buildReferences();
    auto pass = std::chrono::steady_clock::now();
    clean = mean({});
    timings.cleanPass += secondsSince(pass);
    // Every edge patched: the sender mask at 0 patches each sender's every out-edge.
    Intervention none;
    none.nodeMask = torch::zeros({static_cast<int64_t>(graph.senders().size())}, torch::TensorOptions().dtype(t.dtype()).device(device));
    pass = std::chrono::steady_clock::now();
    reference = mean(none);
    timings.referencePass += secondsSince(pass);
}

void Evaluator::Impl::buildReferences()
{
    torch::NoGradGuard noGrad;
    const auto& f = *forward;
    const std::size_t total = batches.size();
    auto pass = std::chrono::steady_clock::now();
    // The clean run's log-probabilities at the answer positions, for kl.
    for (std::size_t i = 0; i < total; ++i) {
        auto& b = batches[i];
        checkCancel(options.cancel);
        progress(static_cast<double>(i) / static_cast<double>(2 * total), "clean run");
        if (options.metric == Metric::Kl) {
            Intervention patch;
            patch.readout = b.answerPos;
            b.targets.cleanLogProbs = torch::log_softmax(f.run(b.clean, b.mask, patch).to(torch::kFloat32), -1);
        }
    }
    timings.cleanPass += secondsSince(pass);
    if (options.reference == Reference::Zero)
        return;
    pass = std::chrono::steady_clock::now();
    struct AddTime // every return below counts the reference activations' time
    {
        double& to;
        std::chrono::steady_clock::time_point from;
        ~AddTime() { to += secondsSince(from); }
    } addTime{timings.referencePass, pass};
    // Corrupted: each batch's own sender outputs; the means sum them over the dataset first.
    torch::Tensor sum;   // [pos, S, d_model] in float32
    torch::Tensor count; // [pos]
    std::size_t kept = 0; // bytes of corrupted references kept
    for (std::size_t i = 0; i < total; ++i) {
        auto& b = batches[i];
        checkCancel(options.cancel);
        progress(0.5 + static_cast<double>(i) / static_cast<double>(2 * total), "reference activations");
        auto senders = f.senderOutputs(b.corrupted, b.mask); // [batch, pos, S, d_model]
        if (options.reference == Reference::Corrupted) {
            const auto bytes = static_cast<std::size_t>(senders.numel()) * senders.element_size();
            if (options.memoryBudgetBytes == 0 || kept + bytes <= options.memoryBudgetBytes / 4) {
                b.reference = senders;
                kept += bytes;
            } else {
                b.referenceOnDemand = true; // recomputed when needed, not kept
            }
            continue;
        }
        const auto m = b.mask.to(torch::kFloat32);
        const auto s = (senders.to(torch::kFloat32) * m.unsqueeze(2).unsqueeze(3)).sum(0); // [pos, S, d_model]
        const auto c = m.sum(0);                                                            // [pos]
        if (!sum.defined()) {
            sum = s;
            count = c;
        } else {
            const auto p = std::max(sum.size(0), s.size(0));
            auto grow = [p](const torch::Tensor& x) {
                if (x.size(0) == p)
                    return x;
                auto sizes = x.sizes().vec();
                sizes[0] = p - x.size(0);
                return torch::cat({x, torch::zeros(sizes, x.options())}, 0);
            };
            sum = grow(sum) + grow(s);
            count = grow(count) + grow(c);
        }
    }
    if (options.reference == Reference::Corrupted)
        return;
    torch::Tensor mean;
    if (options.reference == Reference::Mean)
        mean = (sum / count.clamp_min(1).view({-1, 1, 1})).unsqueeze(0); // [1, pos, S, d_model]
    else
        mean = (sum.sum(0) / count.sum()).unsqueeze(0).unsqueeze(0); // [1, 1, S, d_model]
    mean = mean.to(transformer().dtype());
    for (auto& b : batches)
        b.reference = options.reference == Reference::Mean ? mean.narrow(1, 0, b.clean.size(1)) : mean;
}

Evaluator::Evaluator(std::shared_ptr<const Model> model, Dataset data, EvaluationOptions options)
    : d(std::make_unique<Impl>())
{
    if (!model)
        throw Error("no model loaded");
    d->model = std::move(model);
    d->data = std::move(data);
    d->options = std::move(options);
    const auto& config = d->model->config();
    d->graph = d->options.ungroupedKv ? Graph(config.nLayers, config.nHeads, config.nHeads, config.parallelAttnMlp)
                                      : Graph(config);
    d->forward.emplace(d->transformer(), d->graph);
    d->build();
}

Evaluator::~Evaluator() = default;

const Graph& Evaluator::graph() const { return d->graph; }
EvaluatorTimings Evaluator::timings() const { return d->timings; }
const Dataset& Evaluator::dataset() const { return d->data; }
const EvaluationOptions& Evaluator::options() const { return d->options; }
double Evaluator::cleanMetric() const { return d->clean; }
const detail::EvaluationState& detail::stateOf(const Evaluator& evaluator) { return *evaluator.d; }
double Evaluator::referenceMetric() const { return d->reference; }

double Evaluator::faithfulness(double metric) const
{
    const double span = d->clean - d->reference;
    if (span == 0)
        return std::numeric_limits<double>::quiet_NaN();
    return (metric - d->reference) / span;
}

double Evaluator::evaluate(const std::vector<float>& edgeMask) const
{
    Intervention patch;
    patch.edgeMask = d->edgeMatrix(edgeMask);
    return d->mean(patch);
}

std::vector<double> Evaluator::perExample(const std::vector<float>& edgeMask) const
{
    Intervention patch;
    patch.edgeMask = d->edgeMatrix(edgeMask);
    return d->perExample(patch);
}

double Evaluator::evaluate(const Circuit& circuit) const
{
    const auto& g = circuit.graph;
    if (!g.sameShape(d->graph))
        throw Error("circuit made for " + g.describe() + ", the model has " + d->graph.describe());
    std::vector<float> mask(circuit.edgeInGraph.size());
    for (std::size_t e = 0; e < mask.size(); ++e)
        mask[e] = circuit.edgeInGraph[e] ? 1.0f : 0.0f;
    return evaluate(mask);
}

double Evaluator::evaluateNodes(const std::vector<float>& senderMask) const
{
    if (senderMask.size() != d->graph.senders().size())
        throw Error("node mask has " + std::to_string(senderMask.size()) + " values, the graph "
                    + std::to_string(d->graph.senders().size()) + " senders");
    Intervention patch;
    patch.nodeMask = torch::tensor(senderMask, torch::kFloat32).to(d->transformer().device(), d->transformer().dtype());
    return d->mean(patch);
}

std::string sweepSelectionName(SweepSelection selection)
{
    return selection == SweepSelection::Greedy ? "greedy" : "top-n";
}

SweepSelection parseSweepSelection(const std::string& name)
{
    for (auto s : {SweepSelection::TopN, SweepSelection::Greedy})
        if (name == sweepSelectionName(s))
            return s;
    throw Error("unknown sweep selection '" + name + "' (top-n or greedy)");
}

FaithfulnessSweep Evaluator::sweep(const Circuit& scored, const SweepOptions& options) const
{
    if (!scored.hasScores())
        throw Error("a faithfulness sweep needs a circuit with edge scores");
    auto fractions = options.fractions.empty() ? defaultSweepFractions() : options.fractions;
    for (auto& f : fractions)
        f = std::clamp(f, 0.0, 1.0);
    std::sort(fractions.begin(), fractions.end());
    const auto total = d->graph.edgeCount();

    FaithfulnessSweep out;
    out.bySign.order = options.signedOrder.value_or(neededFirst(scored, d->options.metric));
    out.byMagnitude.order = EdgeOrder::Magnitude;
    // Selections already evaluated, with their metric: both curves end on every edge.
    std::vector<std::pair<std::vector<char>, double>> seen;
    Circuit c = scored;
    std::size_t step = 0;
    const double steps = 2.0 * static_cast<double>(fractions.size());
    for (auto* curve : {&out.bySign, &out.byMagnitude}) {
        for (const double f : fractions) {
            d->progress(static_cast<double>(step++) / steps, "faithfulness sweep");
            SweepPoint p;
            p.fraction = f;
            // MIB's int(p × edges): truncation of the same double product.
            p.edges = static_cast<std::size_t>(f * static_cast<double>(total));
            if (options.selection == SweepSelection::Greedy)
                selectGreedy(c, p.edges, curve->order);
            else
                selectTopN(c, p.edges, curve->order);
            if (options.prune)
                prune(c);
            p.kept = c.edgesInGraph();
            const auto known = std::find_if(seen.begin(), seen.end(),
                                            [&c](const auto& s) { return s.first == c.edgeInGraph; });
            if (known != seen.end()) {
                p.metric = known->second;
            } else {
                p.metric = evaluate(c);
                seen.emplace_back(c.edgeInGraph, p.metric);
            }
            p.faithfulness = faithfulness(p.metric);
            curve->points.push_back(p);
        }
        summariseCurve(*curve);
    }
    out.cpr = out.bySign.area;
    out.cmd = out.byMagnitude.areaFrom1;
    return out;
}

std::vector<int> Evaluator::mlpSenders(const Graph& graph)
{
    std::vector<int> out;
    for (int l = 0; l < graph.nLayers(); ++l)
        out.push_back(graph.mlpSenderIndex(l));
    return out;
}

double Evaluator::pathPatch(const PathPatch& pp) const
{
    const auto& g = d->graph;
    const auto S = static_cast<int64_t>(g.senders().size());
    const auto nS = static_cast<int>(S);
    const auto nR = static_cast<int>(g.receivers().size());
    // What pass 1 does with each sender.
    enum class Role { Frozen /* to its clean output */, Free /* through, or a receiver's node */, Patched };
    std::vector<Role> role(static_cast<std::size_t>(S), Role::Frozen);
    for (const auto r : pp.receivers) {
        if (r < 0 || r >= nR)
            throw Error("path patching: receiver index " + std::to_string(r) + " is not in the graph");
        const auto readers = g.readersOf(r);
        for (int u = readers.begin; u < std::min(readers.end, nS); ++u) // the logits node is no sender
            role[static_cast<std::size_t>(u)] = Role::Free;
    }
    for (const auto u : pp.through) {
        if (u < 0 || u >= nS)
            throw Error("path patching: node index " + std::to_string(u) + " is not a sender");
        role[static_cast<std::size_t>(u)] = Role::Free;
    }
    if (pp.senders.empty() || pp.receivers.empty())
        throw Error("path patching needs at least one sender and one receiver");
    for (const auto u : pp.senders) {
        if (u < 0 || u >= nS)
            throw Error("path patching: sender index " + std::to_string(u) + " is not a sender");
        role[static_cast<std::size_t>(u)] = Role::Patched;
    }
    const auto& t = d->transformer();
    const auto opts = torch::TensorOptions().dtype(t.dtype()).device(t.device());
    std::vector<float> free(role.size()), patched(role.size());
    for (std::size_t u = 0; u < role.size(); ++u) {
        free[u] = role[u] == Role::Free ? 1.0f : 0.0f;
        patched[u] = role[u] == Role::Patched ? 1.0f : 0.0f;
    }
    const auto nodeMask = torch::tensor(free, torch::kFloat32).to(opts);
    const auto isPatched = torch::tensor(patched, torch::kFloat32).to(opts).view({1, 1, S, 1});

    torch::NoGradGuard noGrad;
    double sum = 0;
    for (const auto& b : d->batches) {
        checkCancel(d->options.cancel);
        // Pass 1: clean input, S at their references, every node outside through ∪ R frozen
        // to its clean output (a masked-out node whose reference is its clean output), the
        // rest free; record the inputs of R.
        const auto cleanSenders = d->forward->senderOutputs(b.clean, b.mask); // [batch, pos, S, d_model]
        const auto reference = d->referenceFor(b);
        const auto ref = reference.defined() ? reference.expand_as(cleanSenders) : torch::zeros_like(cleanSenders);
        Intervention first;
        first.nodeMask = nodeMask;
        first.reference = torch::lerp(cleanSenders, ref, isPatched);
        std::map<int, torch::Tensor> recorded;
        for (const auto r : pp.receivers)
            recorded[r] = torch::Tensor();
        first.recordInputs = &recorded;
        first.readout = b.answerPos; // the logits of pass 1 are not needed; one position is cheapest
        d->forward->run(b.clean, b.mask, first);
        // Pass 2: clean input with R's inputs replaced by the recorded ones.
        Intervention second;
        second.receiverInputs = recorded;
        second.readout = b.answerPos;
        const auto logits = d->forward->run(b.clean, b.mask, second);
        sum += detail::metricPerExample(d->options.metric, logits, b.targets).sum().item<double>();
    }
    return sum / static_cast<double>(d->data.pairs.size());
}

} // namespace patchbay::core
