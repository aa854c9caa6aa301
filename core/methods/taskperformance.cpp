// SPDX-License-Identifier: MIT
#include "core/methods/taskperformance.h"

#include "core/common/error.h"
#include "core/model/model.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace patchbay::core {

Metric defaultMetric(const Dataset& data)
{
    return data.task == "greater-than" || data.task == "greater-than-digit" ? Metric::ProbDiff : Metric::LogitDiff;
}

namespace {

struct Scores
{
    double logitDiff = 0;
    double probDiff = 0;
    int32_t prediction = -1;
    int64_t answerRank = 0;
};

// The next-token scores of one row of logits (plain double arithmetic: the vocabulary's
// log-sum-exp, then the answers' probabilities).
Scores score(const float* logits, int64_t vocab, const std::vector<int32_t>& answers, const std::vector<int32_t>& wrong)
{
    Scores s;
    const auto best = std::max_element(logits, logits + vocab);
    s.prediction = static_cast<int32_t>(best - logits);
    double sum = 0;
    for (int64_t v = 0; v < vocab; ++v)
        sum += std::exp(static_cast<double>(logits[v]) - *best);
    const double logSumExp = *best + std::log(sum);
    double answerLogit = 0, wrongLogit = 0, bestAnswer = -std::numeric_limits<double>::infinity();
    for (const auto a : answers) {
        answerLogit += logits[a];
        s.probDiff += std::exp(logits[a] - logSumExp);
        bestAnswer = std::max<double>(bestAnswer, logits[a]);
    }
    for (const auto w : wrong) {
        wrongLogit += logits[w];
        s.probDiff -= std::exp(logits[w] - logSumExp);
    }
    s.logitDiff = answerLogit / static_cast<double>(answers.size()) - wrongLogit / static_cast<double>(wrong.size());
    s.answerRank = 1 + std::count_if(logits, logits + vocab, [&](float l) { return l > bestAnswer; });
    return s;
}

} // namespace

TaskPerformance measureTask(const Model& model, Dataset data, const PerformanceOptions& options)
{
    if (data.pairs.empty())
        throw Error(data.source.string() + ": the dataset has no prompt pairs");
    if (options.batchSize <= 0)
        throw Error("batch size must be positive");
    const Metric metric = options.metric.value_or(defaultMetric(data));
    if (metric != Metric::LogitDiff && metric != Metric::ProbDiff)
        throw Error("a task is scored by logit-diff or prob-diff (whether the answers beat the wrong answers), not "
                    + metricName(metric));
    tokenizeForModel(data, model);
    const auto where = data.source.empty() ? std::string("dataset") : data.source.filename().string();
    const int64_t vocab = model.config().dVocab;
    for (const auto& p : data.pairs) {
        const auto row = where + ": row " + std::to_string(p.row) + ": ";
        if (p.answerIds.empty() || p.wrongAnswerIds.empty())
            throw Error(row + "scoring a task needs an answer and a wrong answer");
        for (const auto* ids : {&p.answerIds, &p.wrongAnswerIds})
            for (const auto id : *ids)
                if (id < 0 || id >= vocab)
                    throw Error(row + "answer token id " + std::to_string(id) + " is outside the vocabulary of "
                                + std::to_string(vocab));
        if (p.cleanIds.empty() || p.corruptedIds.empty())
            throw Error(row + "a prompt has no tokens");
    }

    TaskPerformance out;
    out.metric = metric;
    out.pairs = data.pairs.size();
    out.perPair.resize(out.pairs);
    const auto n = data.pairs.size();
    const auto bs = static_cast<std::size_t>(options.batchSize);
    for (std::size_t first = 0; first < n; first += bs) {
        if (options.cancel && options.cancel->load())
            throw Cancelled();
        if (options.progress)
            options.progress(static_cast<double>(first) / static_cast<double>(n), "running the prompts");
        const auto count = std::min(bs, n - first);
        for (const bool corrupted : {false, true}) {
            std::vector<std::vector<int32_t>> batch;
            for (std::size_t i = first; i < first + count; ++i)
                batch.push_back(corrupted ? data.pairs[i].corruptedIds : data.pairs[i].cleanIds);
            FloatArray logits;
            try {
                logits = model.logits(batch, false);
            } catch (const Error& e) {
                throw Error(where + ": rows " + std::to_string(data.pairs[first].row) + "–"
                            + std::to_string(data.pairs[first + count - 1].row) + ": " + e.what());
            }
            for (std::size_t i = 0; i < count; ++i) {
                const auto& p = data.pairs[first + i];
                const auto s = score(logits.values.data() + static_cast<int64_t>(i) * vocab, vocab, p.answerIds, p.wrongAnswerIds);
                auto& r = out.perPair[first + i];
                r.row = p.row;
                if (corrupted) {
                    r.corruptedLogitDiff = s.logitDiff;
                    r.corruptedProbDiff = s.probDiff;
                } else {
                    r.logitDiff = s.logitDiff;
                    r.probDiff = s.probDiff;
                    r.prediction = s.prediction;
                    r.answerRank = s.answerRank;
                    r.predictsAnswer = std::find(p.answerIds.begin(), p.answerIds.end(), s.prediction) != p.answerIds.end();
                }
            }
        }
    }
    const bool prob = out.metric == Metric::ProbDiff;
    for (auto& r : out.perPair) {
        const double clean = prob ? r.probDiff : r.logitDiff;
        const double corrupted = prob ? r.corruptedProbDiff : r.corruptedLogitDiff;
        r.correct = clean > 0;
        out.cleanMetric += clean;
        out.corruptedMetric += corrupted;
        out.accuracy += r.correct ? 1 : 0;
        out.top1 += r.predictsAnswer ? 1 : 0;
        out.corruptedAccuracy += corrupted > 0 ? 1 : 0;
    }
    const auto count = static_cast<double>(n);
    out.cleanMetric /= count;
    out.corruptedMetric /= count;
    out.accuracy /= count;
    out.top1 /= count;
    out.corruptedAccuracy /= count;
    if (options.progress)
        options.progress(1.0, "done");
    return out;
}

} // namespace patchbay::core
