// SPDX-License-Identifier: MIT
// How well a model does a task: the metric, accuracy and top-1 of its clean prompts, with
// the corrupted prompts beside them. What a user checks before looking for a circuit (a
// model that does not do the task has no circuit for it).
#pragma once

#include "core/data/dataset.h"
#include "core/methods/metrics.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace patchbay::core {

class Model;

// The metric a dataset is scored with unless the user picks another: prob-diff for
// greater-than data (the answers are a set of years or digits), logit-diff otherwise.
Metric defaultMetric(const Dataset& data);

// One pair, read at the last token of each prompt.
struct PairPerformance
{
    int row = 0;                 // the dataset row
    double logitDiff = 0;        // clean prompt: mean logit of the answers − mean of the wrong answers
    double probDiff = 0;         // clean prompt: Σ p(answers) − Σ p(wrong answers)
    double corruptedLogitDiff = 0;
    double corruptedProbDiff = 0;
    int32_t prediction = -1;     // the clean prompt's most likely next token
    int64_t answerRank = 0;      // rank of the best answer in the vocabulary (1 = most likely)
    bool correct = false;        // the task metric favours the answers (> 0)
    bool predictsAnswer = false; // the prediction is one of the answers
};

struct TaskPerformance
{
    Metric metric = Metric::LogitDiff; // PerformanceOptions::metric or defaultMetric(data): what `correct` and the means below use
    std::size_t pairs = 0;
    double cleanMetric = 0;     // mean over the pairs
    double corruptedMetric = 0; // mean over the corrupted prompts
    double accuracy = 0;        // share of pairs whose clean metric is > 0
    double top1 = 0;            // share whose most likely next token is an answer
    double corruptedAccuracy = 0; // share of corrupted prompts whose metric is still > 0
    std::vector<PairPerformance> perPair; // dataset order
};

struct PerformanceOptions
{
    // What `correct` and the means use: logit-diff or prob-diff; none = defaultMetric(data).
    std::optional<Metric> metric;
    int batchSize = 16;
    std::function<void(double, const std::string&)> progress; // may be empty
    const std::atomic_bool* cancel = nullptr; // checked between batches; throws Cancelled
};

// Runs the clean and the corrupted prompts of every pair (tokenized with the model's
// tokenizer and BOS policy when they are text) and scores the next token. Needs answers and
// wrong answers; throws core::Error naming the row that lacks them or whose ids are outside
// the vocabulary. The model's thread.
TaskPerformance measureTask(const Model& model, Dataset data, const PerformanceOptions& options = {});

} // namespace patchbay::core
