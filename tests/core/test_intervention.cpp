// SPDX-License-Identifier: MIT
// The interventional forward against exact identities (design.md §3): all masks 1 = the
// clean run, all masks 0 = the reference run, and single patched edges into the logits
// rebuilt by hand from the plain forward's cached activations (for post-norm families,
// Gemma, through the layer's post-attention norm: docs/post-norm-graph.md).
#include "core/methods/detail/intervention.h"
#include "core/model/model.h"

#include <QTest>

#include <algorithm>
#include <filesystem>

using namespace patchbay::core;
namespace pd = patchbay::core::detail;

namespace {

double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().max().item<double>(); }

// Tolerance of every identity below: 1e-5 of the logits' scale (their largest magnitude, at
// least 1; the fixtures' logits reach ~10). The two sides are the same float32 arithmetic
// reassociated: the interventional forward sums the heads' separate results where the plain
// forward applies one output projection, and adds a correction that is zero or a handful of
// terms, so they differ by a few ulps of the values summed. Measured worst, over OpenBLAS's
// Prescott, SandyBridge, Haswell, Zen and SkylakeX kernels, ATen default/AVX2/AVX-512 and 1
// or 2 threads: 7.4e-6 absolute (qwen2, one patched edge by hand; gemma3, whose logits reach
// 27, 2.1e-5 on one machine) -- too close to a plain
// 1e-5 absolute bound, which is why the bound scales with the logits (about 1e-4 here). A
// wrong patch moves logits by more than 1e-2.
double checked(const char* what, double d)
{
    qInfo("%s: max |dlogit| = %.3g", what, d);
    return d;
}

double tolerance(const torch::Tensor& expected) { return 1e-5 * std::max(1.0, expected.abs().max().item<double>()); }

} // namespace

class TestIntervention : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void identities_data()
    {
        QTest::addColumn<QString>("fixture");
        // qwen3: q/k norms; gemma2/gemma3: post-norms (docs/post-norm-graph.md), soft caps,
        // sliding layers; olmo2: post-norms without pre-norms, q/k norm over all heads;
        // qwen2-window: a window on one layer only; phi3: partial rotary.
        for (const char* name : {"gpt2", "pythia", "llama-gqa", "qwen2", "qwen3", "gemma2", "gemma3", "olmo2", "qwen2-window",
                                 "phi3"})
            QTest::newRow(name) << QString::fromLatin1(name);
    }

    void identities()
    {
        QFETCH(QString, fixture);
        const auto model = Model::load(std::filesystem::path(PATCHBAY_TEST_DATA_DIR) / "models" / fixture.toStdString());
        const auto& t = model->transformer();
        const Graph graph(model->config());
        const pd::InterventionalForward forward(t, graph);
        const int64_t S = static_cast<int64_t>(graph.senders().size());
        const int64_t R = static_cast<int64_t>(graph.receivers().size());

        torch::manual_seed(1);
        const auto clean = torch::randint(1, model->config().dVocab, {3, 7}, torch::kInt64);
        const auto corrupted = torch::randint(1, model->config().dVocab, {3, 7}, torch::kInt64);
        torch::NoGradGuard noGrad;
        auto cache = pd::ActivationCache::all();
        const auto cleanLogits = t.forward(clean, {}, &cache);
        const auto corruptedLogits = t.forward(corrupted, {});
        const auto ref = forward.senderOutputs(corrupted, {});
        QCOMPARE(ref.sizes().vec(), (std::vector<int64_t>{3, 7, S, model->config().dModel}));

        pd::Intervention patch;
        patch.reference = ref;
        // No masks: the clean run.
        QVERIFY(checked("no masks = clean", maxAbsDiff(forward.run(clean, {}, patch), cleanLogits)) <= tolerance(cleanLogits));
        // All masks 1 through the corrected path (masks that require grad make every receiver active).
        {
            torch::AutoGradMode grad(true);
            patch.edgeMask = torch::ones({S, R}).requires_grad_(true);
            const double d = checked("masks 1 = clean", maxAbsDiff(forward.run(clean, {}, patch).detach(), cleanLogits));
            QVERIFY2(d <= tolerance(cleanLogits), qPrintable(QString::number(d)));
        }
        // All masks 0: the reference (corrupted) run.
        patch.edgeMask = torch::zeros({S, R});
        double d = checked("edge masks 0 = reference", maxAbsDiff(forward.run(clean, {}, patch), corruptedLogits));
        QVERIFY2(d <= tolerance(corruptedLogits), qPrintable(QString::number(d)));
        // All node masks 0: the same.
        patch.edgeMask = torch::Tensor();
        patch.nodeMask = torch::zeros({S});
        d = checked("node masks 0 = reference", maxAbsDiff(forward.run(clean, {}, patch), corruptedLogits));
        QVERIFY2(d <= tolerance(corruptedLogits), qPrintable(QString::number(d)));
        patch.nodeMask = torch::Tensor();

        // One patched edge into the logits, rebuilt by hand: the final residual stream of
        // the clean run with that sender's clean output swapped for its reference.
        const int L = model->config().nLayers;
        const auto finalResid = cache.at("blocks." + std::to_string(L - 1) + ".hook_resid_post");
        const auto logitsR = graph.logitsReceiverIndex();
        // (a) input -> logits
        {
            auto cleanEmbed = cache.at("hook_embed");
            if (cache.has("hook_pos_embed"))
                cleanEmbed = cleanEmbed + cache.at("hook_pos_embed");
            const auto byHand = t.unembed(finalResid - cleanEmbed + ref.select(2, 0), nullptr);
            patch.edgeMask = torch::ones({S, R});
            patch.edgeMask.index_put_({0, logitsR}, 0.0);
            d = checked("one patched edge by hand", maxAbsDiff(forward.run(clean, {}, patch), byHand));
            QVERIFY2(d <= tolerance(byHand), qPrintable(QString::number(d)));
        }
        // (b) a{L-1}.h1 -> logits, half patched (mask 0.5)
        {
            const auto z = cache.at("blocks." + std::to_string(L - 1) + ".attn.hook_z");
            const auto head = t.headResults(L - 1, z).select(2, 1); // [batch, pos, d_model]
            const int s = graph.senderIndex(L - 1, 1);
            torch::Tensor byHand;
            if (!model->config().postNorms) {
                byHand = t.unembed(finalResid - 0.5 * (head - ref.select(2, s)), nullptr);
            } else {
                // The head reaches the stream through its layer's post-attention norm P of
                // the heads' sum A (+ b_O): the logits read P(A − ½(a_h − a_h^ref)) instead of P(A).
                auto a = t.headResults(L - 1, z).sum(2);
                if (const auto& bO = t.weights().layers.back().bO; bO.defined())
                    a = a + bO;
                const auto attnOut = cache.at("blocks." + std::to_string(L - 1) + ".hook_attn_out");
                QVERIFY(maxAbsDiff(t.attentionPostNorm(L - 1, a), attnOut) <= tolerance(attnOut));
                byHand = t.unembed(finalResid - t.attentionPostNorm(L - 1, a) + t.attentionPostNorm(L - 1, a - 0.5 * (head - ref.select(2, s))), nullptr);
            }
            patch.edgeMask = torch::ones({S, R});
            patch.edgeMask.index_put_({s, logitsR}, 0.5);
            d = checked("one patched edge by hand", maxAbsDiff(forward.run(clean, {}, patch), byHand));
            QVERIFY2(d <= tolerance(byHand), qPrintable(QString::number(d)));
        }
        // (c) Node mask of m{L-1} at 0: the last MLP's output replaced in the final stream.
        {
            const auto mlpOut = cache.at("blocks." + std::to_string(L - 1) + ".hook_mlp_out");
            const int s = graph.mlpSenderIndex(L - 1);
            const auto byHand = t.unembed(finalResid - mlpOut + ref.select(2, s), nullptr);
            patch.edgeMask = torch::Tensor();
            patch.nodeMask = torch::ones({S});
            patch.nodeMask.index_put_({s}, 0.0);
            d = checked("one patched edge by hand", maxAbsDiff(forward.run(clean, {}, patch), byHand));
            QVERIFY2(d <= tolerance(byHand), qPrintable(QString::number(d)));
        }
    }
};

QTEST_GUILESS_MAIN(TestIntervention)
#include "test_intervention.moc"
