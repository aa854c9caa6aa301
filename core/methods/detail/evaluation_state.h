// SPDX-License-Identifier: MIT
// Private header (torch inside): what an Evaluator prepares once per dataset — batches,
// reference activations, metric targets — shared with the attribution methods, which are
// policies on the same masked forward.
#pragma once

#include "core/methods/detail/intervention.h"
#include "core/methods/detail/metric.h"
#include "core/methods/evaluation.h"

#include <functional>
#include <optional>

namespace patchbay::core::detail {

// One batch of prompt pairs, right-padded, with everything evaluations reuse.
struct EvaluationBatch
{
    std::size_t first = 0;   // index of its first pair in the dataset
    torch::Tensor clean;     // [batch, pos] int64
    torch::Tensor corrupted; // [batch, pos] int64
    torch::Tensor mask;      // [batch, pos] 1 = token
    torch::Tensor answerPos; // [batch] the last token of each prompt
    MetricTargets targets;
    torch::Tensor reference; // [batch | 1, pos | 1, n_senders, d_model]; undefined = zero
                             // (or not kept: see referenceOnDemand)
    bool referenceOnDemand = false; // the corrupted reference is recomputed when needed
};

struct EvaluationState
{
    std::shared_ptr<const Model> model;
    Dataset data;
    EvaluationOptions options;
    Graph graph;
    std::optional<InterventionalForward> forward;
    std::vector<EvaluationBatch> batches;
    torch::Tensor edgeSender, edgeReceiver; // [n_edges] int64
    double clean = 0;
    double reference = 0;
    EvaluatorTimings timings;

    // The metric of every example (dataset order) with an intervention made per batch;
    // readout (the answer positions) and, when the intervention has none, the batch's
    // reference are filled in. No grad; checks the cancel flag between batches.
    // Activation memory one prompt row of `pos` tokens takes in a gradient method (sender
    // buffer and its gradient, clean outputs, differences, reference, the blocks' saved
    // tensors: about 10 × pos × senders × d_model values, measured 124 MB a row of 21 tokens
    // on SmolLM2-135M against 130 MB from this): what the memory budget divides by.
    std::size_t bytesPerRow(std::size_t pos) const;

    // A batch's reference activations: kept ones, or recomputed (no grad) for a batch past
    // EvaluationOptions::memoryBudgetBytes / 4; undefined for a zero reference.
    torch::Tensor referenceFor(const EvaluationBatch& b) const;

    using PatchFor = std::function<Intervention(const EvaluationBatch&)>;
    std::vector<double> perExample(const PatchFor& patchFor) const;
    double meanMetric(const PatchFor& patchFor) const;
};

} // namespace patchbay::core::detail
