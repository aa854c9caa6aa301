// SPDX-License-Identifier: MIT
#include "core/methods/detail/metric.h"

#include "core/common/error.h"

#include <algorithm>

namespace patchbay::core::detail {

namespace {

// [batch, n] ids and weights from ragged lists; `mean` weights 1/count, else 1.
std::pair<torch::Tensor, torch::Tensor> padded(const std::vector<std::vector<int32_t>>& lists, bool mean)
{
    const auto batch = static_cast<int64_t>(lists.size());
    int64_t width = 1;
    for (const auto& l : lists)
        width = std::max<int64_t>(width, static_cast<int64_t>(l.size()));
    auto ids = torch::zeros({batch, width}, torch::kInt64);
    auto weights = torch::zeros({batch, width}, torch::kFloat32);
    auto ia = ids.accessor<int64_t, 2>();
    auto wa = weights.accessor<float, 2>();
    for (int64_t b = 0; b < batch; ++b) {
        const auto& l = lists[static_cast<std::size_t>(b)];
        for (std::size_t j = 0; j < l.size(); ++j) {
            ia[b][static_cast<int64_t>(j)] = l[j];
            wa[b][static_cast<int64_t>(j)] = mean ? 1.0f / static_cast<float>(l.size()) : 1.0f;
        }
    }
    return {ids, weights};
}

} // namespace

MetricTargets MetricTargets::make(Metric metric, const std::vector<std::vector<int32_t>>& answers,
                                  const std::vector<std::vector<int32_t>>& wrongAnswers, torch::Device device)
{
    const bool mean = metric != Metric::ProbDiff; // probabilities add up; logits and losses average
    MetricTargets t;
    auto [a, aw] = padded(answers, mean);
    auto [w, ww] = padded(wrongAnswers, mean);
    t.answers = a.to(device);
    t.answerWeights = aw.to(device);
    t.wrong = w.to(device);
    t.wrongWeights = ww.to(device);
    return t;
}

torch::Tensor metricPerExample(Metric metric, const torch::Tensor& logitsIn, const MetricTargets& t)
{
    const auto logits = logitsIn.to(torch::kFloat32); // [batch, d_vocab]
    auto side = [](const torch::Tensor& values, const torch::Tensor& ids, const torch::Tensor& weights) {
        return (values.gather(1, ids) * weights).sum(1); // [batch]
    };
    switch (metric) {
    case Metric::LogitDiff:
        return side(logits, t.answers, t.answerWeights) - side(logits, t.wrong, t.wrongWeights);
    case Metric::ProbDiff: {
        const auto probs = torch::softmax(logits, -1);
        return side(probs, t.answers, t.answerWeights) - side(probs, t.wrong, t.wrongWeights);
    }
    case Metric::Kl: {
        if (!t.cleanLogProbs.defined())
            throw Error("kl metric: the clean run's log-probabilities are missing");
        const auto logp = torch::log_softmax(logits, -1);
        const auto p = t.cleanLogProbs.exp();
        // Tokens the clean run gives probability 0 contribute 0 (not 0 · −inf = NaN).
        return torch::where(p > 0, p * (t.cleanLogProbs - logp), torch::zeros_like(p)).sum(-1);
    }
    case Metric::Loss:
        return -side(torch::log_softmax(logits, -1), t.answers, t.answerWeights);
    }
    throw Error("unknown metric");
}

} // namespace patchbay::core::detail
