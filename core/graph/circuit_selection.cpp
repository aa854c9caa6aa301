// SPDX-License-Identifier: MIT
// Selecting a circuit from edge scores (top-n, threshold, greedy from the logits), pruning
// it to the paths from input to logits, and the ROC of a score ranking against a reference
// circuit (design.md §5).
#include "core/graph/circuit.h"

#include "core/graph/circuit_p.h"
#include "core/common/error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <queue>

namespace patchbay::core {

using detail::checkShape;
using detail::toSize;

namespace {

void requireScores(const Circuit& c, const char* what)
{
    checkShape(c, what);
    if (!c.hasScores())
        throw Error(std::string(what) + ": the circuit has no edge scores");
}

// |score| for ranking; NaN ranks below every real score.
double rankKey(double score)
{
    return std::isnan(score) ? -1.0 : std::fabs(score);
}

} // namespace

// --- selection ---------------------------------------------------------------------

std::string edgeOrderName(EdgeOrder order)
{
    switch (order) {
    case EdgeOrder::Magnitude: return "magnitude";
    case EdgeOrder::LargestFirst: return "largest-first";
    case EdgeOrder::SmallestFirst: return "smallest-first";
    }
    return "magnitude";
}

EdgeOrder parseEdgeOrder(const std::string& name)
{
    for (auto o : {EdgeOrder::Magnitude, EdgeOrder::LargestFirst, EdgeOrder::SmallestFirst})
        if (edgeOrderName(o) == name)
            return o;
    throw Error("unknown edge order '" + name + "' (magnitude, largest-first, smallest-first)");
}

EdgeOrder neededFirst(const Circuit& circuit, Metric fallback)
{
    if (circuit.scoreSign.rfind("metric change when the edge", 0) != 0)
        return EdgeOrder::LargestFirst; // EAP-IG / MIB: scores of a loss
    Metric metric = fallback;
    if (!circuit.metric.empty()) {
        try {
            metric = parseMetric(circuit.metric);
        } catch (const Error&) {
            // a metric this build does not know: the evaluation's
        }
    }
    return metricHigherIsBetter(metric) ? EdgeOrder::SmallestFirst : EdgeOrder::LargestFirst;
}

namespace {
// A score's rank in `order`: higher comes first; NaN last in every order.
double orderKey(double score, EdgeOrder order)
{
    if (order == EdgeOrder::Magnitude)
        return rankKey(score);
    if (std::isnan(score))
        return -std::numeric_limits<double>::infinity();
    return order == EdgeOrder::LargestFirst ? score : -score;
}
} // namespace

void selectTopN(Circuit& circuit, std::size_t n, EdgeOrder edgeOrder)
{
    requireScores(circuit, "top-n selection");
    const auto& s = circuit.edgeScores;
    std::vector<std::size_t> order(s.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    n = std::min(n, order.size());
    const auto key = [edgeOrder](double score) { return orderKey(score, edgeOrder); };
    auto better = [&s, &key](std::size_t a, std::size_t b) {
        const double ka = key(s[a]), kb = key(s[b]);
        return ka > kb || (ka == kb && a < b);
    };
    std::nth_element(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n), order.end(), better);
    std::fill(circuit.edgeInGraph.begin(), circuit.edgeInGraph.end(), 0);
    for (std::size_t i = 0; i < n; ++i)
        circuit.edgeInGraph[order[i]] = 1;
    circuit.nodesFromEdges();
}

void selectThreshold(Circuit& circuit, double threshold)
{
    requireScores(circuit, "threshold selection");
    for (std::size_t i = 0; i < circuit.edgeScores.size(); ++i)
        circuit.edgeInGraph[i] = rankKey(circuit.edgeScores[i]) >= threshold ? 1 : 0;
    circuit.nodesFromEdges();
}

void selectGreedy(Circuit& circuit, std::size_t n, EdgeOrder edgeOrder)
{
    requireScores(circuit, "greedy selection");
    const Graph& g = circuit.graph;
    const auto& s = circuit.edgeScores;
    std::fill(circuit.edgeInGraph.begin(), circuit.edgeInGraph.end(), 0);

    // Candidates: every edge into a receiver of a node already in. Each receiver's edges
    // are pushed once (when its first node enters), so this is O(E log E).
    auto worse = [&s, edgeOrder](std::size_t a, std::size_t b) {
        const double ka = orderKey(s[a], edgeOrder), kb = orderKey(s[b], edgeOrder);
        return ka < kb || (ka == kb && a > b);
    };
    std::priority_queue<std::size_t, std::vector<std::size_t>, decltype(worse)> queue(worse);
    std::vector<char> nodeIn(circuit.nodeCount(), 0);
    std::vector<char> receiverOpen(g.receivers().size(), 0);
    auto enter = [&](std::size_t node) {
        nodeIn[node] = 1;
        for (int r : g.receiversOf(static_cast<int>(node))) {
            if (receiverOpen[toSize(r)])
                continue;
            receiverOpen[toSize(r)] = 1;
            const std::size_t first = g.firstEdge(r);
            for (int k = 0; k < g.sendersBefore(r); ++k)
                queue.push(first + toSize(k));
        }
    };
    enter(g.senders().size()); // logits
    std::size_t added = 0;
    while (added < n && !queue.empty()) {
        const std::size_t e = queue.top();
        queue.pop();
        circuit.edgeInGraph[e] = 1;
        ++added;
        const auto sender = toSize(g.edges()[e].sender);
        if (!nodeIn[sender])
            enter(sender);
    }
    circuit.nodesFromEdges();
}

std::size_t prune(Circuit& circuit)
{
    checkShape(circuit, "prune");
    const Graph& g = circuit.graph;
    const std::size_t logits = g.senders().size();
    const auto nReceivers = static_cast<int>(g.receivers().size());
    std::size_t removed = 0;
    // Receivers are in forward order and every edge runs from an earlier sender, so one
    // forward sweep finds what input reaches and one backward sweep what reaches logits.
    // Dropping the edges that fail either leaves those sets unchanged; the loop is only a
    // guard that the result is a fixpoint.
    for (;;) {
        std::vector<char> fromInput(circuit.nodeCount(), 0);
        fromInput[0] = 1;
        for (int r = 0; r < nReceivers; ++r) {
            const std::size_t first = g.firstEdge(r);
            bool reached = false;
            for (int k = 0; k < g.sendersBefore(r) && !reached; ++k)
                reached = circuit.edgeInGraph[first + toSize(k)] && fromInput[toSize(k)];
            if (reached) {
                const auto nodes = g.readersOf(r);
                for (int n = nodes.begin; n < nodes.end; ++n)
                    fromInput[toSize(n)] = 1;
            }
        }
        std::vector<char> toLogits(circuit.nodeCount(), 0);
        toLogits[logits] = 1;
        std::vector<char> receiverLive(g.receivers().size(), 0);
        for (int r = nReceivers - 1; r >= 0; --r) {
            const auto nodes = g.readersOf(r);
            bool live = false;
            for (int n = nodes.begin; n < nodes.end && !live; ++n)
                live = toLogits[toSize(n)] != 0;
            if (!live)
                continue;
            receiverLive[toSize(r)] = 1;
            const std::size_t first = g.firstEdge(r);
            for (int k = 0; k < g.sendersBefore(r); ++k)
                if (circuit.edgeInGraph[first + toSize(k)])
                    toLogits[toSize(k)] = 1;
        }
        std::size_t pass = 0;
        for (std::size_t i = 0; i < g.edgeCount(); ++i) {
            const auto& e = g.edges()[i];
            if (circuit.edgeInGraph[i] && !(fromInput[toSize(e.sender)] && receiverLive[toSize(e.receiver)])) {
                circuit.edgeInGraph[i] = 0;
                ++pass;
            }
        }
        removed += pass;
        if (pass == 0)
            break;
    }
    circuit.nodesFromEdges();
    return removed;
}

// --- ROC ---------------------------------------------------------------------------

std::vector<RocPoint> rocCurve(const std::vector<double>& scores, const std::vector<char>& truth)
{
    if (scores.size() != truth.size())
        throw Error("ROC: " + std::to_string(scores.size()) + " scores for " + std::to_string(truth.size())
                    + " reference entries");
    const auto positives = static_cast<std::size_t>(std::count_if(truth.begin(), truth.end(), [](char t) { return t != 0; }));
    const std::size_t negatives = truth.size() - positives;
    if (positives == 0 || negatives == 0)
        throw Error("ROC: the reference needs both members and non-members (has " + std::to_string(positives)
                    + " and " + std::to_string(negatives) + ")");
    std::vector<std::size_t> order(scores.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return rankKey(scores[a]) > rankKey(scores[b]); });
    std::vector<RocPoint> curve{{0.0, 0.0}};
    std::size_t tp = 0, fp = 0;
    for (std::size_t i = 0; i < order.size();) {
        // Edges of equal |score| enter together: no order among them is better founded.
        const double level = rankKey(scores[order[i]]);
        for (; i < order.size() && rankKey(scores[order[i]]) == level; ++i)
            (truth[order[i]] ? tp : fp)++;
        curve.push_back({static_cast<double>(fp) / static_cast<double>(negatives),
                         static_cast<double>(tp) / static_cast<double>(positives)});
    }
    return curve;
}

double pessimisticAuc(const std::vector<RocPoint>& curve)
{
    std::vector<RocPoint> points = curve;
    points.push_back({0.0, 0.0});
    points.push_back({1.0, 1.0});
    // Pareto frontier: by fpr ascending (tpr descending within a tie), keep a point only
    // when it beats every tpr seen at a lower or equal fpr.
    std::sort(points.begin(), points.end(),
              [](const RocPoint& a, const RocPoint& b) { return a.fpr < b.fpr || (a.fpr == b.fpr && a.tpr > b.tpr); });
    std::vector<RocPoint> frontier;
    for (const auto& p : points)
        if (frontier.empty() || p.tpr > frontier.back().tpr)
            frontier.push_back(p);
    // Staircase: each point's tpr holds until the next point's fpr (the last one to fpr 1).
    double area = 0;
    for (std::size_t i = 0; i < frontier.size(); ++i) {
        const double next = i + 1 < frontier.size() ? frontier[i + 1].fpr : 1.0;
        area += (next - frontier[i].fpr) * frontier[i].tpr;
    }
    return area;
}

namespace {

void checkRocInputs(const Circuit& scored, const Circuit& reference, const char* what)
{
    requireScores(scored, what);
    checkShape(reference, what);
    if (!scored.graph.sameShape(reference.graph))
        throw Error(std::string(what) + ": the circuits are on different graphs (" + scored.graph.describe() + " vs "
                    + reference.graph.describe() + ")");
}

} // namespace

std::vector<RocPoint> edgeRoc(const Circuit& scored, const Circuit& reference)
{
    checkRocInputs(scored, reference, "edge ROC");
    return rocCurve(scored.edgeScores, reference.edgeInGraph);
}

std::vector<RocPoint> nodeRoc(const Circuit& scored, const Circuit& reference)
{
    checkRocInputs(scored, reference, "node ROC");
    const Graph& g = scored.graph;
    std::vector<double> nodeScore(scored.nodeCount(), 0.0);
    for (std::size_t i = 0; i < g.edgeCount(); ++i) {
        const double s = rankKey(scored.edgeScores[i]);
        const auto& e = g.edges()[i];
        auto& sender = nodeScore[toSize(e.sender)];
        sender = std::max(sender, s);
        const auto nodes = g.readersOf(e.receiver);
        for (int n = nodes.begin; n < nodes.end; ++n)
            nodeScore[toSize(n)] = std::max(nodeScore[toSize(n)], s);
    }
    return rocCurve(nodeScore, reference.nodeInGraph);
}

} // namespace patchbay::core
