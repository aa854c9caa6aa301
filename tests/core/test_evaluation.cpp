// SPDX-License-Identifier: MIT
// Evaluation against computations the test does itself: metrics from the plain forward of
// each prompt on its own (no padding, no batching), references rebuilt by hand, single
// edges patched in a forward written out from the transformer's building blocks, and path
// patching against the IOI paper's four passes written out separately.
#include "core/detail/evaluation_state.h"
#include "core/error.h"
#include "tests/core/evaluation_fixtures.h"

#include <QTest>

#include <cmath>
#include <filesystem>
#include <functional>
#include <set>

using namespace patchbay::core;
namespace pd = patchbay::core::detail;

using namespace patchbay::test;

namespace {

EvaluationOptions optionsFor(Metric metric, Reference reference = Reference::Corrupted)
{
    EvaluationOptions o;
    o.metric = metric;
    o.reference = reference;
    o.batchSize = 2;
    return o;
}

} // namespace

class TestEvaluation : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(1); }

    void fixtures_data()
    {
        QTest::addColumn<QString>("fixture");
        for (const char* name : {"gpt2", "pythia", "llama-gqa"})
            QTest::newRow(name) << QString::fromLatin1(name);
    }

    // Clean and reference metrics against each prompt run alone through the plain forward.
    void metrics_data() { fixtures_data(); }
    void metrics()
    {
        QFETCH(QString, fixture);
        const auto model = loadFixture(fixture);
        const auto& t = model->transformer();
        const auto data = randomDataset(model->config(), 7);
        torch::NoGradGuard noGrad;
        for (auto metric : {Metric::LogitDiff, Metric::ProbDiff, Metric::Kl, Metric::Loss}) {
            const Evaluator ev(model, data, optionsFor(metric));
            double clean = 0, corrupted = 0;
            for (const auto& p : data.pairs) {
                const auto cl = t.forward(idsOf(p.cleanIds), torch::Tensor())[0][static_cast<int64_t>(p.cleanIds.size()) - 1];
                const auto co = t.forward(idsOf(p.corruptedIds), torch::Tensor())[0][static_cast<int64_t>(p.cleanIds.size()) - 1];
                clean += metricByHand(metric, cl, p, cl) / 5;
                corrupted += metricByHand(metric, co, p, cl) / 5;
            }
            QCOMPARE_NEAR(ev.cleanMetric(), clean, 1e-5);
            QCOMPARE_NEAR(ev.referenceMetric(), corrupted, 1e-4);
            if (metric == Metric::Kl)
                QVERIFY(std::abs(ev.cleanMetric()) < 1e-6);
            // Full graph = clean, empty circuit = reference: faithfulness 1 and 0.
            const auto E = ev.graph().edgeCount();
            QCOMPARE_NEAR(ev.faithfulness(ev.evaluate(std::vector<float>(E, 1.0f))), 1.0, 1e-4);
            QCOMPARE_NEAR(ev.faithfulness(ev.evaluate(std::vector<float>(E, 0.0f))), 0.0, 1e-4);
        }
    }

    // Zero reference, everything patched: the logits receiver reads only the biases no node
    // owns (the attention output biases b_O), so the logits are unembed(Σ_l b_O).
    void zeroReference_data() { fixtures_data(); }
    void zeroReference()
    {
        QFETCH(QString, fixture);
        const auto model = loadFixture(fixture);
        const auto& t = model->transformer();
        const auto data = randomDataset(model->config(), 8);
        const Evaluator ev(model, data, optionsFor(Metric::LogitDiff, Reference::Zero));
        torch::NoGradGuard noGrad;
        auto resid = torch::zeros({1, 1, model->config().dModel});
        for (const auto& layer : t.weights().layers)
            if (layer.bO.defined())
                resid = resid + layer.bO;
        const auto logits = t.unembed(resid, nullptr)[0][0];
        double expected = 0;
        for (const auto& p : data.pairs)
            expected += metricByHand(Metric::LogitDiff, logits, p, logits) / 5;
        QCOMPARE_NEAR(ev.referenceMetric(), expected, 1e-4);
    }

    // Mean references rebuilt by hand from each corrupted prompt's own sender outputs.
    void meanReferences_data() { fixtures_data(); }
    void meanReferences()
    {
        QFETCH(QString, fixture);
        const auto model = loadFixture(fixture);
        const auto& t = model->transformer();
        const Graph g(model->config());
        const pd::InterventionalForward f(t, g);
        const auto data = randomDataset(model->config(), 9);
        torch::NoGradGuard noGrad;
        const auto S = static_cast<int64_t>(g.senders().size());
        const auto D = model->config().dModel;
        auto perPos = torch::zeros({8, S, D}, torch::kFloat64);
        auto count = torch::zeros({8}, torch::kFloat64);
        for (const auto& p : data.pairs) {
            const auto s = f.senderOutputs(idsOf(p.corruptedIds), torch::Tensor())[0].to(torch::kFloat64); // [pos, S, D]
            perPos.narrow(0, 0, s.size(0)).add_(s);
            count.narrow(0, 0, s.size(0)).add_(1);
        }
        const auto mean = (perPos / count.clamp_min(1).view({-1, 1, 1})).to(torch::kFloat32).unsqueeze(0);
        const auto meanAll = (perPos.sum(0) / count.sum()).to(torch::kFloat32).view({1, 1, S, D});
        for (auto [kind, ref] : {std::pair{Reference::Mean, mean}, std::pair{Reference::MeanAllPositions, meanAll}}) {
            const Evaluator ev(model, data, optionsFor(Metric::LogitDiff, kind));
            double expected = 0;
            for (const auto& p : data.pairs) {
                const auto len = static_cast<int64_t>(p.cleanIds.size());
                pd::Intervention patch;
                patch.nodeMask = torch::zeros({S});
                patch.reference = kind == Reference::Mean ? ref.narrow(1, 0, len) : ref;
                const auto logits = f.run(idsOf(p.cleanIds), torch::Tensor(), patch)[0][len - 1];
                expected += metricByHand(Metric::LogitDiff, logits, p, logits) / 5;
            }
            QCOMPARE_NEAR(ev.referenceMetric(), expected, 1e-4);
        }
    }

    // One patched edge into a head's query input, against a hand forward whose query input
    // of that head is the clean stream minus (a_u − a_u^ref); and one MLP node patched.
    void singleEdgeByHand_data() { fixtures_data(); }
    void singleEdgeByHand()
    {
        QFETCH(QString, fixture);
        const auto model = loadFixture(fixture);
        const auto& t = model->transformer();
        const auto& c = model->config();
        const auto data = randomDataset(c, 10);
        const Evaluator ev(model, data, optionsFor(Metric::LogitDiff));
        const auto& g = ev.graph();
        const int layer = c.nLayers - 1, head = 1;
        const int u = g.senderIndex(0, 2); // a0.h2 -> a{L-1}.h1<q>
        const int r = g.receiverIndex(layer, Graph::Port::Q, head);
        std::vector<float> mask(g.edgeCount(), 1.0f);
        mask[*g.edgeIndex(u, r)] = 0.0f;
        const auto got = ev.perExample(mask);

        std::vector<float> nodes(g.senders().size(), 1.0f);
        const int mlpNode = g.mlpSenderIndex(0);
        nodes[static_cast<std::size_t>(mlpNode)] = 0.0f;
        const double gotNode = ev.evaluateNodes(nodes);

        torch::NoGradGuard noGrad;
        double expectedNode = 0;
        for (std::size_t i = 0; i < data.pairs.size(); ++i) {
            const auto& p = data.pairs[i];
            const auto clean = Cached::of(t, idsOf(p.cleanIds));
            const auto corrupted = Cached::of(t, idsOf(p.corruptedIds));
            HandForward hand;
            hand.q = [&](int l, const torch::Tensor& resid) -> torch::Tensor {
                if (l != layer)
                    return resid;
                auto perHead = resid.unsqueeze(2).repeat({1, 1, c.nHeads, 1});
                perHead.select(2, head).sub_(clean.sender(g, u) - corrupted.sender(g, u));
                return perHead;
            };
            const double expected = metricByHand(Metric::LogitDiff, hand.lastLogits(t, idsOf(p.cleanIds)), p, clean.logits);
            QCOMPARE_NEAR(got[i], expected, 1e-4);

            HandForward handNode;
            handNode.mlp = [&](int l, const torch::Tensor&, const torch::Tensor& out) {
                return l == 0 ? corrupted.mlpOut[0] : out;
            };
            expectedNode += metricByHand(Metric::LogitDiff, handNode.lastLogits(t, idsOf(p.cleanIds)), p, clean.logits) / 5;
        }
        QCOMPARE_NEAR(gotNode, expectedNode, 1e-4);
    }

    // Path patching with an empty `through` set is edge patching of S→R, for receiver
    // sets whose nodes do not feed one another (heads of one layer, one MLP, the logits).
    void pathPatchingDirect_data() { fixtures_data(); }
    void pathPatchingDirect()
    {
        QFETCH(QString, fixture);
        const auto model = loadFixture(fixture);
        const auto& c = model->config();
        const auto data = randomDataset(c, 11);
        const Evaluator ev(model, data, optionsFor(Metric::LogitDiff));
        const auto& g = ev.graph();
        const int lR = c.nLayers - 1;
        PathPatch pp;
        pp.senders = {0, g.senderIndex(0, 1), g.mlpSenderIndex(0)};
        if (lR >= 2)
            pp.senders.push_back(g.senderIndex(1, 3));
        const std::vector<std::vector<int>> receiverSets = {
            {g.receiverIndex(lR, Graph::Port::Q, 0), g.receiverIndex(lR, Graph::Port::K, 1), g.receiverIndex(lR, Graph::Port::V, 0)},
            {g.mlpReceiverIndex(lR)},
            {g.logitsReceiverIndex()},
        };
        for (const auto& receivers : receiverSets) {
            pp.receivers = receivers;
            std::vector<float> mask(g.edgeCount(), 1.0f);
            for (auto s : pp.senders)
                for (auto r : pp.receivers)
                    mask[*g.edgeIndex(s, r)] = 0.0f;
            const double edge = ev.evaluate(mask);
            QCOMPARE_NEAR(ev.pathPatch(pp), edge, 1e-5);
            QVERIFY(std::abs(edge - ev.cleanMetric()) > 1e-4); // the patch does something
        }
    }

    // Path patching through the MLPs against the IOI paper's four passes written out:
    // (1) clean run, (2) corrupted run, (3) clean run with S set to corrupted, the other
    // heads frozen to clean and the MLPs recomputed, recording R's query inputs,
    // (4) clean run with those query inputs.
    void pathPatchingFourPasses_data() { fixtures_data(); }
    void pathPatchingFourPasses()
    {
        QFETCH(QString, fixture);
        const auto model = loadFixture(fixture);
        const auto& t = model->transformer();
        const auto& c = model->config();
        const auto data = randomDataset(c, 12);
        const Evaluator ev(model, data, optionsFor(Metric::LogitDiff));
        const auto& g = ev.graph();
        const int lR = c.nLayers - 1;
        const std::set<int> sHeads = {1, 2}; // heads of layer 0 (and 1 when deep enough)
        PathPatch pp;
        for (int l = 0; l < std::min(lR, 2); ++l)
            for (int h : sHeads)
                pp.senders.push_back(g.senderIndex(l, h));
        const std::set<int> rHeads = {0, 3};
        for (int h : rHeads)
            pp.receivers.push_back(g.receiverIndex(lR, Graph::Port::Q, h));
        pp.through = Evaluator::mlpSenders(g);
        const double got = ev.pathPatch(pp);

        torch::NoGradGuard noGrad;
        double expected = 0;
        for (const auto& p : data.pairs) {
            const auto ids = idsOf(p.cleanIds);
            const auto clean = Cached::of(t, ids);                        // pass 1
            const auto corrupted = Cached::of(t, idsOf(p.corruptedIds)); // pass 2
            HandForward third; // pass 3: heads frozen (S corrupted), MLPs free
            third.heads = [&](int l, const torch::Tensor&) {
                auto out = clean.headResults[static_cast<std::size_t>(l)].clone();
                if (l < std::min(lR, 2))
                    for (int h : sHeads)
                        out.select(2, h).copy_(corrupted.headResults[static_cast<std::size_t>(l)].select(2, h));
                return out;
            };
            const auto recorded = third.resid(t, ids, lR); // the query input of layer lR's heads
            HandForward fourth;
            fourth.q = [&](int l, const torch::Tensor& resid) -> torch::Tensor {
                if (l != lR)
                    return resid;
                auto perHead = resid.unsqueeze(2).repeat({1, 1, c.nHeads, 1});
                for (int h : rHeads)
                    perHead.select(2, h).copy_(recorded[0].unsqueeze(0));
                return perHead;
            };
            expected += metricByHand(Metric::LogitDiff, fourth.lastLogits(t, ids), p, clean.logits) / 5;
        }
        QCOMPARE_NEAR(got, expected, 1e-4);
        QVERIFY(std::abs(got - ev.cleanMetric()) > 1e-4);
    }

    // The sweep's ends are the empty and the full circuit; CPR/CMD are trapezoid areas.
    void sweep()
    {
        const auto model = loadFixture("gpt2");
        const auto data = randomDataset(model->config(), 13);
        const Evaluator ev(model, data, optionsFor(Metric::LogitDiff));
        Circuit scored(ev.graph(), model->config().dModel);
        scored.edgeScores.resize(ev.graph().edgeCount());
        for (std::size_t e = 0; e < scored.edgeScores.size(); ++e)
            scored.edgeScores[e] = std::sin(static_cast<double>(e)); // any ranking
        const auto sw = ev.sweep(scored, {1.0, 0.0, 0.5});
        QCOMPARE(sw.points.size(), std::size_t(3));
        QCOMPARE(sw.points[0].edges, std::size_t(0));
        QCOMPARE_NEAR(sw.points[0].faithfulness, 0.0, 1e-4);
        QCOMPARE(sw.points[2].edges, ev.graph().edgeCount());
        QCOMPARE_NEAR(sw.points[2].faithfulness, 1.0, 1e-4);
        QCOMPARE(sw.points[1].fraction, 0.5);
        // The areas integrate the measured points, not the ideal end points 0 and 1: the
        // all-patched edge-mask run and the node-mask reference run take different code
        // paths and differ in the last float32 bits (~1e-6 on some CPUs), so the expected
        // values are computed from the sweep's own points. The trapezoid sum of three
        // points is the same double arithmetic in both, hence 1e-12.
        const double f0 = sw.points[0].faithfulness, f = sw.points[1].faithfulness, f1 = sw.points[2].faithfulness;
        QCOMPARE_NEAR(sw.cpr, 0.5 * (f0 + f) / 2 + 0.5 * (f + f1) / 2, 1e-12);
        QCOMPARE_NEAR(sw.cmd,
                      0.5 * (std::abs(1 - f0) + std::abs(1 - f)) / 2 + 0.5 * (std::abs(1 - f) + std::abs(1 - f1)) / 2,
                      1e-12);
    }

    // A memory budget shrinks the batches (down to one pair) without changing any number.
    void memoryBudget()
    {
        const auto model = loadFixture("gpt2");
        const auto data = randomDataset(model->config(), 15);
        auto o = optionsFor(Metric::LogitDiff);
        o.batchSize = 16;
        const Evaluator whole(model, data, o);
        o.memoryBudgetBytes = 1;
        const Evaluator tiny(model, data, o);
        QCOMPARE(whole.state().batches.size(), std::size_t(1));
        QCOMPARE(tiny.state().batches.size(), data.pairs.size());
        QCOMPARE_NEAR(tiny.cleanMetric(), whole.cleanMetric(), 1e-5); // padding changes float rounding only
        QCOMPARE_NEAR(tiny.referenceMetric(), whole.referenceMetric(), 1e-5);
    }

    void badInput()
    {
        const auto model = loadFixture("gpt2");
        auto data = randomDataset(model->config(), 14);
        data.source = "pairs.csv";
        data.pairs[2].corruptedIds.pop_back();
        try {
            Evaluator ev(model, data, optionsFor(Metric::LogitDiff));
            QFAIL("unequal lengths accepted");
        } catch (const Error& e) {
            QVERIFY2(QString::fromStdString(e.what()).contains("pairs.csv: row 3"), e.what());
        }
        data = randomDataset(model->config(), 14);
        data.pairs[1].wrongAnswerIds.clear();
        QVERIFY_THROWS_EXCEPTION(Error, Evaluator(model, data, optionsFor(Metric::LogitDiff)));
        Evaluator kl(model, data, optionsFor(Metric::Kl)); // kl needs no answers
        data.pairs[0].answerIds = {999999};
        QVERIFY_THROWS_EXCEPTION(Error, Evaluator(model, data, optionsFor(Metric::Kl)));
    }
};

QTEST_GUILESS_MAIN(TestEvaluation)
#include "test_evaluation.moc"
