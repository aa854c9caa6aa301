// SPDX-License-Identifier: MIT
// Names of the task metrics and reference activations (design.md §3, §5).
#pragma once

#include <string>

namespace patchbay::core {

// Every metric is read at the answer position: the last non-padding token of each prompt.
enum class Metric {
    LogitDiff, // mean logit of the answers − mean logit of the wrong answers
    ProbDiff,  // Σ p(answers) − Σ p(wrong answers) (greater-than: years after YY vs the rest)
    Kl,        // KL(clean ‖ patched) over the vocabulary
    Loss,      // cross-entropy of the answers (mean over several)
};
std::string metricName(Metric metric);          // "logit-diff", "prob-diff", "kl", "loss"
Metric parseMetric(const std::string& name);    // throws core::Error listing the valid names
// Whether a larger value means more of the task behaviour (logit-diff, prob-diff) rather
// than a larger distance from it (kl, loss). Attribution methods negate the latter.
bool metricHigherIsBetter(Metric metric);

// What a patched edge carries instead of its sender's output.
enum class Reference {
    Corrupted,        // the paired corrupted prompt's activation (resample patching)
    Zero,             // nothing (zero ablation)
    Mean,             // the mean over the dataset's corrupted prompts, per position
    MeanAllPositions, // the same mean, also over positions
};
std::string referenceName(Reference reference); // "corrupted", "zero", "mean", "mean-all-positions"
Reference parseReference(const std::string& name);

} // namespace patchbay::core
