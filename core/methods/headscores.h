// SPDX-License-Identifier: MIT
// Known kinds of attention heads, found by where they attend on repeated random tokens
// r1…rT r1…rT (Olsson et al. 2022, "In-context learning and induction heads"): an induction
// head attends from the second rj to the token after the first rj (prefix matching), a
// previous-token head to the token before, a duplicate-token head to the first rj itself.
#pragma once

#include "core/data/dataset.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace patchbay::core {

class Model;

struct HeadScoreOptions
{
    int sequences = 20; // repeated sequences, averaged
    int length = 25;    // T, each half's tokens
    uint64_t seed = 1;
    std::function<void(double, const std::string&)> progress; // may be empty
    const std::atomic_bool* cancel = nullptr; // checked between sequences; throws Cancelled
};

// Mean attention weights over the sequences, one value per head (index layer × heads + head,
// query heads): each in [0, 1], 1 when every query attends only to the expected key.
struct HeadScores
{
    int layers = 0;
    int heads = 0;
    int length = 0;
    bool bos = false; // whether each sequence starts with the model's BOS (its tokenizer's policy)
    // Second half, query at the second rj: attention to the first r(j+1) (j = T: to the
    // second r1, the token after the first rT), to the first rj.
    std::vector<double> induction;
    std::vector<double> duplicateToken;
    // Every query after the first token: attention to the one before it.
    std::vector<double> previousToken;
    std::vector<std::vector<int32_t>> tokens; // the sequences as the model read them

    double at(const std::vector<double>& scores, int layer, int head) const
    {
        return scores[static_cast<std::size_t>(layer * heads + head)];
    }
};

// The sequences come from repeatedRandomTokens (the model's tokenizer; BOS prepended when the
// model adds one). Throws core::Error without a tokenizer or when the sequences exceed the
// model's context. The model's thread.
HeadScores scoreHeads(const Model& model, const HeadScoreOptions& options = {});

// Where each head looks from the answer position on a task's clean prompts: the attention
// weight of the last token on every earlier occurrence of an answer token (summed over the
// occurrences, averaged over the pairs), and the same for the wrong answers. On IOI the
// answer is the indirect object: heads that attend to it from the end and raise its logit are
// the name movers of Wang et al. (2022). One value per head (layer × heads + head).
struct AnswerAttention
{
    int layers = 0;
    int heads = 0;
    std::size_t pairs = 0;
    std::vector<double> toAnswer;
    std::vector<double> toWrongAnswer;
};
// Pairs are tokenized with the model's tokenizer when they are text; throws core::Error
// naming the row when a pair has no answer or an id is outside the vocabulary. The model's thread.
AnswerAttention answerAttention(const Model& model, Dataset data, const std::atomic_bool* cancel = nullptr);

// The heads whose score is at least `threshold`, highest first, as node names ("a5.h3").
std::vector<std::pair<std::string, double>> headsAbove(const HeadScores& heads, const std::vector<double>& scores,
                                                       double threshold);
std::vector<std::pair<std::string, double>> headsAbove(int layers, int heads, const std::vector<double>& scores,
                                                       double threshold);

} // namespace patchbay::core
