// SPDX-License-Identifier: MIT
#include "core/methods/headscores.h"

#include "core/common/error.h"
#include "core/model/model.h"
#include "core/data/tasks.h"
#include "core/tokenize/tokenizer.h"

#include <algorithm>

namespace patchbay::core {

HeadScores scoreHeads(const Model& model, const HeadScoreOptions& options)
{
    if (!model.tokenizer())
        throw Error("finding induction heads needs the model's tokenizer (for whole-word tokens)");
    const auto& config = model.config();
    HeadScores out;
    out.layers = config.nLayers;
    out.heads = config.nHeads;
    out.length = options.length;
    out.bos = model.info().prependBos && model.info().bosId.has_value();
    const int64_t t = options.length;
    const int64_t o = out.bos ? 1 : 0;
    if (o + 2 * t > config.nCtx)
        throw Error("repeated sequences of 2 × " + std::to_string(t) + " tokens exceed the model's context of "
                    + std::to_string(config.nCtx));
    out.tokens = repeatedRandomTokens(*model.tokenizer(), options.sequences, options.length, options.seed);
    if (out.bos)
        for (auto& ids : out.tokens)
            ids.insert(ids.begin(), *model.info().bosId);
    const auto heads = static_cast<std::size_t>(out.layers * out.heads);
    out.induction.assign(heads, 0.0);
    out.duplicateToken.assign(heads, 0.0);
    out.previousToken.assign(heads, 0.0);
    const int64_t p = o + 2 * t;
    for (std::size_t s = 0; s < out.tokens.size(); ++s) {
        if (options.cancel && options.cancel->load())
            throw Cancelled();
        if (options.progress)
            options.progress(static_cast<double>(s) / static_cast<double>(out.tokens.size()), "repeated random tokens");
        const auto a = model.attentionPatterns(out.tokens[s]); // [layers, heads, p, p]
        for (std::size_t h = 0; h < heads; ++h) {
            const float* pattern = a.values.data() + static_cast<int64_t>(h) * p * p;
            auto weight = [&](int64_t query, int64_t key) { return static_cast<double>(pattern[query * p + key]); };
            double induction = 0, duplicate = 0, previous = 0;
            for (int64_t j = 0; j < t; ++j) {
                induction += weight(o + t + j, o + j + 1);
                duplicate += weight(o + t + j, o + j);
            }
            for (int64_t q = 1; q < p; ++q)
                previous += weight(q, q - 1);
            out.induction[h] += induction / static_cast<double>(t);
            out.duplicateToken[h] += duplicate / static_cast<double>(t);
            out.previousToken[h] += previous / static_cast<double>(p - 1);
        }
    }
    const auto n = static_cast<double>(out.tokens.size());
    for (auto* scores : {&out.induction, &out.duplicateToken, &out.previousToken})
        for (auto& v : *scores)
            v /= n;
    if (options.progress)
        options.progress(1.0, "done");
    return out;
}

AnswerAttention answerAttention(const Model& model, Dataset data, const std::atomic_bool* cancel)
{
    if (data.pairs.empty())
        throw Error(data.source.string() + ": the dataset has no prompt pairs");
    tokenizeForModel(data, model);
    const auto where = data.source.empty() ? std::string("dataset") : data.source.filename().string();
    AnswerAttention out;
    out.layers = model.config().nLayers;
    out.heads = model.config().nHeads;
    out.pairs = data.pairs.size();
    const auto heads = static_cast<std::size_t>(out.layers * out.heads);
    out.toAnswer.assign(heads, 0.0);
    out.toWrongAnswer.assign(heads, 0.0);
    for (const auto& p : data.pairs) {
        if (cancel && cancel->load())
            throw Cancelled();
        if (p.answerIds.empty())
            throw Error(where + ": row " + std::to_string(p.row) + ": attention to the answer needs an answer");
        FloatArray a;
        try {
            a = model.attentionPatterns(p.cleanIds); // [layers, heads, pos, pos]
        } catch (const Error& e) {
            throw Error(where + ": row " + std::to_string(p.row) + ": " + e.what());
        }
        const auto pos = static_cast<int64_t>(p.cleanIds.size());
        const int64_t last = pos - 1;
        auto occurrences = [&](const std::vector<int32_t>& ids) {
            std::vector<int64_t> at;
            for (int64_t k = 0; k < last; ++k) // keys before the answer position
                if (std::find(ids.begin(), ids.end(), p.cleanIds[static_cast<std::size_t>(k)]) != ids.end())
                    at.push_back(k);
            return at;
        };
        const auto answers = occurrences(p.answerIds), wrong = occurrences(p.wrongAnswerIds);
        for (std::size_t h = 0; h < heads; ++h) {
            const float* row = a.values.data() + (static_cast<int64_t>(h) * pos + last) * pos;
            for (const auto k : answers)
                out.toAnswer[h] += row[k];
            for (const auto k : wrong)
                out.toWrongAnswer[h] += row[k];
        }
    }
    for (std::size_t h = 0; h < heads; ++h) {
        out.toAnswer[h] /= static_cast<double>(out.pairs);
        out.toWrongAnswer[h] /= static_cast<double>(out.pairs);
    }
    return out;
}

std::vector<std::pair<std::string, double>> headsAbove(int layers, int heads, const std::vector<double>& scores,
                                                       double threshold)
{
    std::vector<std::pair<std::string, double>> out;
    for (int l = 0; l < layers; ++l)
        for (int h = 0; h < heads; ++h) {
            const double v = scores[static_cast<std::size_t>(l * heads + h)];
            if (v >= threshold)
                out.emplace_back("a" + std::to_string(l) + ".h" + std::to_string(h), v);
        }
    std::stable_sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.second > y.second; });
    return out;
}

std::vector<std::pair<std::string, double>> headsAbove(const HeadScores& heads, const std::vector<double>& scores,
                                                       double threshold)
{
    return headsAbove(heads.layers, heads.heads, scores, threshold);
}

} // namespace patchbay::core
