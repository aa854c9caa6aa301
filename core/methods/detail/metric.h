// SPDX-License-Identifier: MIT
// Private header (torch inside): the metrics of design.md §5 as differentiable functions of
// the logits at the answer positions, shared by evaluation and the attribution methods.
#pragma once

#include "core/methods/metrics.h"

#include <torch/torch.h>

#include <vector>

namespace patchbay::core::detail {

// What a batch's metric needs besides the logits.
struct MetricTargets
{
    torch::Tensor answers;       // [batch, A] token ids, padded with 0
    torch::Tensor answerWeights; // [batch, A] 1/count (mean) or 1 (sum) per real entry, 0 for padding
    torch::Tensor wrong;         // [batch, W]
    torch::Tensor wrongWeights;  // [batch, W]
    torch::Tensor cleanLogProbs; // [batch, d_vocab] log-softmax of the clean run (kl only)

    // Builds the id and weight tensors for `metric` from per-example answer lists.
    static MetricTargets make(Metric metric, const std::vector<std::vector<int32_t>>& answers,
                              const std::vector<std::vector<int32_t>>& wrongAnswers, torch::Device device);
};

// The metric of each example from the logits at its answer position: [batch, d_vocab] -> [batch]
// (float32, differentiable).
torch::Tensor metricPerExample(Metric metric, const torch::Tensor& logits, const MetricTargets& targets);

} // namespace patchbay::core::detail
