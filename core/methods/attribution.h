// SPDX-License-Identifier: MIT
#pragma once

#include "core/graph/circuit.h"
#include "core/methods/evaluation.h"
#include "core/graph/graph.h"
#include "core/methods/methods.h"
#include "core/methods/metrics.h"
#include "core/methods/ranking.h"

#include <cstddef>
#include <string>
#include <vector>

namespace patchbay::core {

struct AttributionOptions
{
    Method method = Method::Eap;
    int steps = 5;                // EAP-IG interpolation steps m
    std::vector<double> taus;     // ACDC thresholds (one run each); default {0.01}
    // ACDC on EAP's shortlist: when > 0, EAP (EAP-IG for kl, whose gradient vanishes at the
    // clean run) ranks the edges first, every edge outside its top k by |score| starts
    // removed, and ACDC visits only the k (k evaluations at most instead of one per edge).
    std::size_t acdcTopK = 0;
    // Exact edge patching on a shortlist, the check of an approximate method on a real model
    // (exact on every edge takes one forward per edge). `exactEdges`: the edge indices to
    // patch (empty: every edge). exactTopK > 0: the top k by |score| of `ranking` (another
    // method's per-edge scores, Graph::edges() order) or, when `ranking` is empty, of
    // `rankingMethod` run first on the same data (EAP-IG instead of EAP for kl, whose EAP
    // gradient vanishes at the clean run). Give one of exactEdges and exactTopK.
    std::vector<std::size_t> exactEdges;
    std::size_t exactTopK = 0;
    std::vector<double> ranking;
    Method rankingMethod = Method::Eap;
    bool perPosition = false;     // activation patching: one score per sender and position
    // Path patching: the receiver indices, and the senders the effect may pass through
    // (Evaluator::mlpSenders() for the IOI paper's default; empty = direct edges only).
    std::vector<int> receivers;
    std::vector<int> through;
};

// One ACDC run: the edges it kept for one τ.
struct AcdcRun
{
    double tau = 0;
    std::vector<char> kept;      // per graph edge
    double metric = 0;           // the task metric of the kept circuit
    std::size_t evaluations = 0; // masked evaluations it took
};

struct AttributionResult
{
    Method method = Method::Eap;
    std::vector<double> edgeScores; // per graph edge (edge methods; ACDC: the change measured at removal)
    std::vector<double> nodeScores; // per sender (node methods; edge methods: the sum over out-edges)
    // Activation patching per position: [n_senders × positions], row-major; empty otherwise.
    std::vector<double> nodePositionScores;
    int positions = 0;
    std::vector<AcdcRun> acdc;
    double cleanMetric = 0;
    double referenceMetric = 0;
    double seconds = 0;        // the whole method (the ranking included)
    double rankingSeconds = 0; // the ranking method run for a shortlist (exact --top-k, ACDC's top k)

    // Exact on a shortlist: the edges patched, in shortlist order (best-ranked first when
    // ranked); every other edge's score is 0 and it was not measured.
    std::vector<std::size_t> evaluatedEdges;
    // The approximate ranking the shortlist was compared with (per edge; empty when none),
    // the method that made it ("eap", or "file" for given scores), and the agreement of the
    // exact scores with it on the shortlist.
    std::vector<double> ranking;
    std::string rankingMethod;
    bool hasAgreement = false;
    RankAgreement agreement;
};

// Runs `options.method` on the evaluator's dataset, metric and reference. Progress and
// cancellation come from the evaluator's options (checked between batches, layers and
// evaluations; throws Cancelled). One thread (the compute worker's).
AttributionResult attribute(const Evaluator& evaluator, const AttributionOptions& options);

// A circuit holding the result's edge scores (in_graph: ACDC's first run when there is one,
// else none) and provenance: method, metric, reference, score sign.
Circuit attributionCircuit(const Evaluator& evaluator, const AttributionResult& result);

} // namespace patchbay::core
