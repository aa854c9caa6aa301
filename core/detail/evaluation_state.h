// SPDX-License-Identifier: MIT
// Private header (torch inside): what an Evaluator prepares once per dataset — batches,
// reference activations, metric targets — shared with the attribution methods, which are
// policies on the same masked forward.
#pragma once

#include "core/detail/intervention.h"
#include "core/detail/metric.h"
#include "core/evaluation.h"

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
    // Activation memory one prompt row of `pos` tokens takes in a masked forward (references,
    // sender buffer, gradients: about 4 × pos × senders × d_model values): what the memory
    // budget divides by.
    std::size_t bytesPerRow(std::size_t pos) const;

    using PatchFor = std::function<Intervention(const EvaluationBatch&)>;
    std::vector<double> perExample(const PatchFor& patchFor) const;
    double meanMetric(const PatchFor& patchFor) const;
};

} // namespace patchbay::core::detail
