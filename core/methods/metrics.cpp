// SPDX-License-Identifier: MIT
// The metric and reference names: plain text, no torch (the circuit readers and the fuzz
// build use them).
#include "core/methods/metrics.h"

#include "core/common/error.h"

namespace patchbay::core {

std::string metricName(Metric metric)
{
    switch (metric) {
    case Metric::LogitDiff: return "logit-diff";
    case Metric::ProbDiff: return "prob-diff";
    case Metric::Kl: return "kl";
    case Metric::Loss: return "loss";
    }
    return "?";
}

Metric parseMetric(const std::string& name)
{
    for (auto m : {Metric::LogitDiff, Metric::ProbDiff, Metric::Kl, Metric::Loss})
        if (metricName(m) == name)
            return m;
    throw Error("unknown metric \"" + name + "\" (expected logit-diff, prob-diff, kl or loss)");
}

bool metricHigherIsBetter(Metric metric) { return metric == Metric::LogitDiff || metric == Metric::ProbDiff; }

std::string referenceName(Reference reference)
{
    switch (reference) {
    case Reference::Corrupted: return "corrupted";
    case Reference::Zero: return "zero";
    case Reference::Mean: return "mean";
    case Reference::MeanAllPositions: return "mean-all-positions";
    }
    return "?";
}

Reference parseReference(const std::string& name)
{
    for (auto r : {Reference::Corrupted, Reference::Zero, Reference::Mean, Reference::MeanAllPositions})
        if (referenceName(r) == name)
            return r;
    throw Error("unknown reference \"" + name + "\" (expected corrupted, zero, mean or mean-all-positions)");
}

} // namespace patchbay::core
