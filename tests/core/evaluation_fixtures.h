// SPDX-License-Identifier: MIT
// Shared by the evaluation and attribution tests: fixture models, random prompt pairs, a
// metric computed with plain loops, and a forward written out from the transformer's
// building blocks with hooks — computations independent of the interventional forward.
#pragma once

#include "core/methods/detail/intervention.h"
#include "core/methods/evaluation.h"
#include "core/model/model.h"

#include <QString>
#include <QTest>

#include <cmath>
#include <filesystem>
#include <functional>

namespace patchbay::test {

using namespace patchbay::core;
namespace pd = patchbay::core::detail;


inline std::shared_ptr<Model> loadFixture(const QString& name)
{
    return Model::load(std::filesystem::path(PATCHBAY_TEST_DATA_DIR) / "models" / name.toStdString());
}

// Five pairs of lengths 5..8 (so batches of 2 need padding), one answer and two wrong
// answers each (so the means over a side matter). The corrupted prompt differs from the
// clean one everywhere but the first and last token, or (sharedPrefix) at one of the last
// two positions before the answer only, as in a minimal pair like IOI's.
inline Dataset randomDataset(const ModelConfig& c, uint64_t seed, bool sharedPrefix = false)
{
    torch::manual_seed(seed);
    Dataset data;
    for (int i = 0; i < 5; ++i) {
        PromptPair p;
        p.row = i + 1;
        const int64_t len = 5 + (i * 3) % 4;
        const auto clean = torch::randint(1, c.dVocab, {len}, torch::kInt64);
        auto corrupted = clean.clone();
        if (sharedPrefix) {
            const int64_t at = len - 2 - i % 2;
            corrupted[at] = (clean[at].item<int64_t>() % (c.dVocab - 1)) + 1; // another token
        } else {
            corrupted.narrow(0, 1, len - 2).copy_(torch::randint(1, c.dVocab, {len - 2}, torch::kInt64));
        }
        for (int64_t j = 0; j < len; ++j) {
            p.cleanIds.push_back(static_cast<int32_t>(clean[j].item<int64_t>()));
            p.corruptedIds.push_back(static_cast<int32_t>(corrupted[j].item<int64_t>()));
        }
        const auto answers = torch::randint(1, c.dVocab, {3}, torch::kInt64);
        p.answerIds = {static_cast<int32_t>(answers[0].item<int64_t>())};
        p.wrongAnswerIds = {static_cast<int32_t>(answers[1].item<int64_t>()), static_cast<int32_t>(answers[2].item<int64_t>())};
        data.pairs.push_back(p);
    }
    return data;
}

inline torch::Tensor idsOf(const std::vector<int32_t>& ids)
{
    std::vector<int64_t> v(ids.begin(), ids.end());
    return torch::tensor(v, torch::kInt64).unsqueeze(0); // [1, pos]
}

// The metric of one example from its last-position logits [d_vocab], in double precision
// with plain loops (independent of detail::metricPerExample).
inline double metricByHand(Metric metric, const torch::Tensor& logitsIn, const PromptPair& p, const torch::Tensor& cleanLogitsIn)
{
    const auto logits = logitsIn.to(torch::kFloat64).contiguous();
    const auto a = logits.accessor<double, 1>();
    const auto V = logits.size(0);
    double maxv = -1e300;
    for (int64_t v = 0; v < V; ++v)
        maxv = std::max(maxv, a[v]);
    double z = 0;
    for (int64_t v = 0; v < V; ++v)
        z += std::exp(a[v] - maxv);
    auto logp = [&](int64_t v) { return a[v] - maxv - std::log(z); };
    auto meanOf = [&](const std::vector<int32_t>& ids, const std::function<double(int64_t)>& f) {
        double s = 0;
        for (auto id : ids)
            s += f(id);
        return s / static_cast<double>(ids.size());
    };
    switch (metric) {
    case Metric::LogitDiff:
        return meanOf(p.answerIds, [&](int64_t v) { return a[v]; }) - meanOf(p.wrongAnswerIds, [&](int64_t v) { return a[v]; });
    case Metric::ProbDiff: {
        double s = 0;
        for (auto id : p.answerIds)
            s += std::exp(logp(id));
        for (auto id : p.wrongAnswerIds)
            s -= std::exp(logp(id));
        return s;
    }
    case Metric::Loss:
        return -meanOf(p.answerIds, logp);
    case Metric::Kl: {
        const auto clean = torch::log_softmax(cleanLogitsIn.to(torch::kFloat64), -1).contiguous();
        const auto c = clean.accessor<double, 1>();
        double kl = 0;
        for (int64_t v = 0; v < V; ++v)
            kl += std::exp(c[v]) * (c[v] - logp(v));
        return kl;
    }
    }
    return 0;
}

// A forward written out from the transformer's building blocks, with hooks that let a
// test replace head outputs, MLP outputs and the per-head q/k/v inputs of a layer.
struct HandForward
{
    // (layer, residual stream [1, pos, d_model]) -> per-head q input [1, pos, H, d_model]
    // (or the shared stream); same for k and v with key/value heads.
    std::function<torch::Tensor(int, const torch::Tensor&)> q, k, v;
    std::function<torch::Tensor(int, const torch::Tensor&)> heads; // head results [1,pos,H,d] -> replaced
    std::function<torch::Tensor(int, const torch::Tensor&, const torch::Tensor&)> mlp; // (layer, mlp input, computed out)
    std::function<torch::Tensor(const torch::Tensor&)> input;      // embedding -> replaced

    // The residual stream entering layer `stopAt` (stopAt = n_layers: the final stream).
    torch::Tensor resid(const pd::Transformer& t, const torch::Tensor& ids, int stopAt) const
    {
        const auto& c = t.config();
        const auto biases = t.attentionBiases(torch::Tensor(), ids.size(0), ids.size(1));
        auto r = t.embed(ids);
        if (input)
            r = input(r);
        for (int l = 0; l < stopAt; ++l) {
            auto qIn = q ? q(l, r) : r, kIn = k ? k(l, r) : r, vIn = v ? v(l, r) : r;
            const auto attn = t.attention(l, qIn, kIn, vIn, t.biasFor(biases, l), nullptr);
            auto results = t.headResults(l, attn.z);
            if (heads)
                results = heads(l, results);
            auto attnOut = results.sum(2);
            if (const auto& bO = t.weights().layers[static_cast<std::size_t>(l)].bO; bO.defined())
                attnOut = attnOut + bO;
            attnOut = t.attentionPostNorm(l, attnOut); // post-norm families: P_l of the heads' sum
            const auto mlpIn = c.parallelAttnMlp ? r : r + attnOut;
            auto m = t.mlp(l, mlpIn, nullptr);
            if (mlp)
                m = mlp(l, mlpIn, m);
            r = r + attnOut + m;
        }
        return r;
    }
    torch::Tensor lastLogits(const pd::Transformer& t, const torch::Tensor& ids) const
    {
        const auto r = resid(t, ids, t.config().nLayers);
        return t.unembed(r, nullptr)[0][ids.size(1) - 1];
    }
};

// Per-example clean activations of the plain forward.
struct Cached
{
    torch::Tensor embed;                    // [1, pos, d_model]
    std::vector<torch::Tensor> headResults; // per layer [1, pos, H, d_model]
    std::vector<torch::Tensor> mlpOut;      // per layer [1, pos, d_model]
    torch::Tensor logits;                   // [d_vocab] at the last position

    static Cached of(const pd::Transformer& t, const torch::Tensor& ids)
    {
        auto cache = pd::ActivationCache::all();
        const auto logits = t.forward(ids, torch::Tensor(), &cache);
        Cached c;
        c.embed = cache.at("hook_embed");
        if (cache.has("hook_pos_embed"))
            c.embed = c.embed + cache.at("hook_pos_embed");
        for (int l = 0; l < t.config().nLayers; ++l) {
            c.headResults.push_back(t.headResults(l, cache.at("blocks." + std::to_string(l) + ".attn.hook_z")));
            c.mlpOut.push_back(cache.at("blocks." + std::to_string(l) + ".hook_mlp_out"));
        }
        c.logits = logits[0][ids.size(1) - 1];
        return c;
    }
    // Sender output u ([1, pos, d_model]) in the graph's order.
    torch::Tensor sender(const Graph& g, int u) const
    {
        const auto& s = g.senders()[static_cast<std::size_t>(u)];
        if (s.kind == Graph::NodeKind::Input)
            return embed;
        if (s.kind == Graph::NodeKind::Mlp)
            return mlpOut[static_cast<std::size_t>(s.layer)];
        return headResults[static_cast<std::size_t>(s.layer)].select(2, s.head);
    }
};

// Relative to the expected value once it exceeds 1, absolute below: metrics of the random
// fixtures are O(1–10), and float32 rounding scales with them. A tolerance of 1e-5 is used
// only where both sides are float32 computations of the same quantity by reassociated
// arithmetic (a few ulps apart, ~1e-6 relative on these 2–3 layer, d_model 32 models, on
// any CPU, BLAS kernel or thread count); 1e-4 where one side is a hand-built forward with
// more steps reordered, or a float64 reference.
inline bool near(double a, double b, double tol) { return std::abs(a - b) <= tol * std::max(1.0, std::abs(b)); }

#define QCOMPARE_NEAR(a, b, tol)                                                                                   \
    do {                                                                                                           \
        const double a_ = (a), b_ = (b);                                                                           \
        QVERIFY2(near(a_, b_, tol), qPrintable(QStringLiteral("%1 vs %2 (line %3)").arg(a_, 0, 'g', 10).arg(b_, 0, 'g', 10).arg(__LINE__))); \
    } while (0)

} // namespace patchbay::test
