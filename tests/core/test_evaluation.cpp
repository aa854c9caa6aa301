// SPDX-License-Identifier: MIT
// Evaluation against computations the test does itself: metrics from the plain forward of
// each prompt on its own (no padding, no batching), references rebuilt by hand, single
// edges patched in a forward written out from the transformer's building blocks, and path
// patching against the IOI paper's four passes written out separately.
#include "core/methods/detail/evaluation_state.h"
#include "core/common/error.h"
#include "core/common/system.h"
#include "core/methods/taskperformance.h"
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

// Scores for every edge of ev's graph that rank them in an arbitrary but fixed order.
Circuit sinScored(const Evaluator& ev, int64_t dModel)
{
    Circuit scored(ev.graph(), dModel);
    scored.edgeScores.resize(ev.graph().edgeCount());
    for (std::size_t e = 0; e < scored.edgeScores.size(); ++e)
        scored.edgeScores[e] = std::sin(static_cast<double>(e));
    return scored;
}

} // namespace

class TestEvaluation : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // One thread, for results that do not depend on the machine's core count. initRuntime()
    // first: its one-time set-up (run by the first Model::load) would otherwise reset the
    // count to every core afterwards.
    void initTestCase()
    {
        initRuntime();
        torch::set_num_threads(1);
        QCOMPARE(torch::get_num_threads(), 1);
    }

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
            // Full graph = clean, empty circuit = reference, compared as metrics: faithfulness
            // divides by clean − reference, which for some metrics on random fixtures is small
            // enough to magnify float32 rounding, so it is checked only where the gap is large.
            const auto E = ev.graph().edgeCount();
            const double all = ev.evaluate(std::vector<float>(E, 1.0f)), none = ev.evaluate(std::vector<float>(E, 0.0f));
            QCOMPARE_NEAR(all, ev.cleanMetric(), 1e-5);
            QCOMPARE_NEAR(none, ev.referenceMetric(), 1e-5);
            if (std::abs(ev.cleanMetric() - ev.referenceMetric()) > 0.1) {
                QCOMPARE_NEAR(ev.faithfulness(all), 1.0, 1e-4);
                QCOMPARE_NEAR(ev.faithfulness(none), 0.0, 1e-4);
            }
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

    // The sweep's two curves: each point is the metric of the circuit that selectTopN and
    // prune() give (checked with evaluate() on circuits selected here), the ends are the
    // empty and the full circuit, CPR/CMD are the areas of the signed and |score| curves.
    void sweep()
    {
        const auto model = loadFixture("gpt2");
        const auto data = randomDataset(model->config(), 13);
        const Evaluator ev(model, data, optionsFor(Metric::LogitDiff));
        const Circuit scored = sinScored(ev, model->config().dModel); // any ranking
        SweepOptions options;
        options.fractions = {1.0, 0.0, 0.05, 0.5};
        const auto sw = ev.sweep(scored, options);
        // No score_sign: EAP-IG's convention, the largest scores are the needed ones.
        QCOMPARE(sw.bySign.order, EdgeOrder::LargestFirst);
        QCOMPARE(sw.byMagnitude.order, EdgeOrder::Magnitude);
        const auto total = ev.graph().edgeCount();
        for (const auto* curve : {&sw.bySign, &sw.byMagnitude}) {
            QCOMPARE(curve->points.size(), std::size_t(4));
            QCOMPARE(curve->points[0].edges, std::size_t(0));
            QCOMPARE_NEAR(curve->points[0].faithfulness, 0.0, 1e-4);
            QCOMPARE(curve->points[3].edges, total);
            QCOMPARE(curve->points[3].kept, total);
            QCOMPARE_NEAR(curve->points[3].faithfulness, 1.0, 1e-4);
            for (std::size_t i = 1; i < 3; ++i) {
                const auto& p = curve->points[i];
                QCOMPARE(p.edges, static_cast<std::size_t>(p.fraction * static_cast<double>(total)));
                Circuit c = scored;
                selectTopN(c, p.edges, curve->order);
                prune(c);
                QCOMPARE(p.kept, c.edgesInGraph());
                QCOMPARE(p.metric, ev.evaluate(c));
                QCOMPARE(p.faithfulness, ev.faithfulness(p.metric));
            }
            // The areas integrate the measured points, not the ideal ends 0 and 1: the
            // all-patched edge-mask run and the node-mask reference run take different code
            // paths and differ in the last float32 bits (~1e-6 on some CPUs). The same double
            // arithmetic as summariseCurve, hence 1e-12.
            double under = 0, from1 = 0;
            for (std::size_t i = 1; i < 4; ++i) {
                const auto& a = curve->points[i - 1];
                const auto& b = curve->points[i];
                under += (b.fraction - a.fraction) * (a.faithfulness + b.faithfulness) / 2;
                from1 += (b.fraction - a.fraction) * (std::abs(1 - a.faithfulness) + std::abs(1 - b.faithfulness)) / 2;
            }
            QCOMPARE_NEAR(curve->area, under, 1e-12);
            QCOMPARE_NEAR(curve->areaFrom1, from1, 1e-12);
        }
        QCOMPARE(sw.cpr, sw.bySign.area);
        QCOMPARE(sw.cmd, sw.byMagnitude.areaFrom1);
        // Unpruned, a point is the plain top-n circuit.
        options.prune = false;
        options.signedOrder = EdgeOrder::SmallestFirst;
        const auto unpruned = ev.sweep(scored, options);
        QCOMPARE(unpruned.bySign.order, EdgeOrder::SmallestFirst);
        Circuit c = scored;
        selectTopN(c, unpruned.bySign.points[2].edges, EdgeOrder::SmallestFirst);
        QCOMPARE(unpruned.bySign.points[2].kept, unpruned.bySign.points[2].edges);
        QCOMPARE(unpruned.bySign.points[2].metric, ev.evaluate(c));
        // With the corrupted reference pruning cannot change the metric: a sender whose every
        // input edge is patched computes its corrupted output, so its kept out-edges carry the
        // reference anyway, and an edge into a node that reaches no logit moves nothing. Only
        // the float32 rounding of the different masks differs.
        bool prunedSomething = false;
        for (std::size_t i = 0; i < 4; ++i) {
            const auto& a = sw.byMagnitude.points[i];
            const auto& b = unpruned.byMagnitude.points[i];
            QCOMPARE(a.edges, b.edges);
            prunedSomething = prunedSomething || a.kept < b.kept;
            QVERIFY2(std::abs(a.metric - b.metric) <= 1e-4 * (1 + std::abs(b.metric)),
                     qPrintable(QStringLiteral("%1 edges: %2 pruned, %3 not").arg(a.edges).arg(a.metric).arg(b.metric)));
        }
        QVERIFY(prunedSomething);
        // MIB's sizes by default: ten, 0.1 % to 100 %.
        QCOMPARE(defaultSweepFractions(), (std::vector<double>{0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0}));
    }

    // A greedy sweep: each point is the circuit selectGreedy grows in the curve's order, then
    // pruned; at some size it is not the top-n circuit.
    void sweepGreedy()
    {
        const auto model = loadFixture("gpt2");
        const auto data = randomDataset(model->config(), 13);
        const Evaluator ev(model, data, optionsFor(Metric::LogitDiff));
        const Circuit scored = sinScored(ev, model->config().dModel);
        SweepOptions options;
        options.fractions = {0.02, 0.05, 0.2, 1.0};
        options.selection = SweepSelection::Greedy;
        const auto greedy = ev.sweep(scored, options);
        options.selection = SweepSelection::TopN;
        const auto topN = ev.sweep(scored, options);
        bool differs = false;
        for (const auto* curve : {&greedy.bySign, &greedy.byMagnitude}) {
            const auto& other = curve == &greedy.bySign ? topN.bySign : topN.byMagnitude;
            QCOMPARE(curve->points.size(), std::size_t(4));
            for (std::size_t i = 0; i < curve->points.size(); ++i) {
                const auto& p = curve->points[i];
                Circuit c = scored;
                selectGreedy(c, p.edges, curve->order);
                QCOMPARE(c.edgesInGraph(), p.edges);
                prune(c);
                QCOMPARE(p.kept, c.edgesInGraph());
                QCOMPARE(p.metric, ev.evaluate(c));
                differs = differs || p.kept != other.points[i].kept;
            }
            QCOMPARE(curve->points.back().kept, ev.graph().edgeCount());
        }
        QVERIFY(differs);
        QCOMPARE(parseSweepSelection("greedy"), SweepSelection::Greedy);
        QCOMPARE(sweepSelectionName(SweepSelection::TopN), std::string("top-n"));
        QVERIFY_THROWS_EXCEPTION(Error, parseSweepSelection("paths"));
    }

    // The trapezoid summary on synthetic points, where every value is a dyadic rational and
    // the arithmetic is exact: exact equality is right here.
    void sweepSummary()
    {
        SweepCurve sw;
        sw.points = {{0.0, 0, 0, 0, 0.0}, {0.25, 0, 0, 0, 0.5}, {0.5, 0, 0, 0, 1.25}, {1.0, 0, 0, 0, 1.0}};
        summariseCurve(sw);
        // area = 0.25·(0+0.5)/2 + 0.25·(0.5+1.25)/2 + 0.5·(1.25+1)/2 = 0.0625 + 0.21875 + 0.5625
        QCOMPARE(sw.area, 0.84375);
        // from 1 = 0.25·(1+0.5)/2 + 0.25·(0.5+0.25)/2 + 0.5·(0.25+0)/2 = 0.1875 + 0.09375 + 0.0625
        QCOMPARE(sw.areaFrom1, 0.34375);
        // A circuit better than the model (faithfulness 1.25) lifts the area: with it,
        // area + area from 1 = 1.1875, not 1 (MIB's CPR > 1 when such circuits are found).
        QCOMPARE(sw.area + sw.areaFrom1, 1.1875);
        SweepCurve one;
        one.points = {{0.5, 0, 0, 0, 0.7}};
        summariseCurve(one);
        QCOMPARE(one.area, 0.0); // a single point encloses no area
        QCOMPARE(one.areaFrom1, 0.0);
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
        QCOMPARE(patchbay::core::detail::stateOf(whole).batches.size(), std::size_t(1));
        QCOMPARE(patchbay::core::detail::stateOf(tiny).batches.size(), data.pairs.size());
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

    // measureTask (how well the model does the task) against each prompt run alone through
    // the plain forward: both metrics, the prediction, the best answer's rank, accuracy and
    // top-1 counted here; and its means equal the Evaluator's clean and all-patched metrics
    // (the corrupted reference with every edge patched is the corrupted run).
    void taskPerformance_data() { fixtures_data(); }
    void taskPerformance()
    {
        QFETCH(QString, fixture);
        const auto model = loadFixture(fixture);
        const auto& t = model->transformer();
        auto data = randomDataset(model->config(), 21);
        // One pair whose clean prompt's own prediction is its answer: top-1 and rank 1.
        {
            torch::NoGradGuard noGrad;
            auto& p = data.pairs[3];
            const auto logits = t.forward(idsOf(p.cleanIds), torch::Tensor())[0][static_cast<int64_t>(p.cleanIds.size()) - 1];
            p.answerIds = {static_cast<int32_t>(logits.argmax().item<int64_t>())};
        }
        PerformanceOptions options;
        options.batchSize = 2;
        const auto r = measureTask(*model, data, options);
        QCOMPARE(r.metric, Metric::LogitDiff);
        QCOMPARE(r.pairs, data.pairs.size());
        torch::NoGradGuard noGrad;
        double clean = 0, corrupted = 0, accuracy = 0, top1 = 0;
        for (std::size_t i = 0; i < data.pairs.size(); ++i) {
            const auto& p = data.pairs[i];
            const auto& got = r.perPair[i];
            const auto last = static_cast<int64_t>(p.cleanIds.size()) - 1;
            const auto cl = t.forward(idsOf(p.cleanIds), torch::Tensor())[0][last];
            const auto co = t.forward(idsOf(p.corruptedIds), torch::Tensor())[0][last];
            QCOMPARE(got.row, p.row);
            QCOMPARE_NEAR(got.logitDiff, metricByHand(Metric::LogitDiff, cl, p, cl), 1e-5);
            QCOMPARE_NEAR(got.probDiff, metricByHand(Metric::ProbDiff, cl, p, cl), 1e-6);
            QCOMPARE_NEAR(got.corruptedLogitDiff, metricByHand(Metric::LogitDiff, co, p, cl), 1e-5);
            QCOMPARE_NEAR(got.corruptedProbDiff, metricByHand(Metric::ProbDiff, co, p, cl), 1e-6);
            const auto prediction = static_cast<int32_t>(cl.argmax().item<int64_t>());
            QCOMPARE(got.prediction, prediction);
            const double answerLogit = cl[p.answerIds[0]].item<double>();
            QCOMPARE(got.answerRank, 1 + (cl > answerLogit).sum().item<int64_t>());
            QCOMPARE(got.predictsAnswer, prediction == p.answerIds[0]);
            QCOMPARE(got.correct, got.logitDiff > 0);
            clean += got.logitDiff;
            corrupted += got.corruptedLogitDiff;
            accuracy += got.correct;
            top1 += got.predictsAnswer;
        }
        QVERIFY(r.perPair[3].predictsAnswer);
        QCOMPARE(r.perPair[3].answerRank, int64_t{1});
        const double n = static_cast<double>(data.pairs.size());
        QCOMPARE_NEAR(r.cleanMetric, clean / n, 1e-12);
        QCOMPARE_NEAR(r.corruptedMetric, corrupted / n, 1e-12);
        QCOMPARE(r.accuracy, accuracy / n);
        QCOMPARE(r.top1, top1 / n);
        const Evaluator ev(model, data, optionsFor(Metric::LogitDiff));
        QCOMPARE_NEAR(r.cleanMetric, ev.cleanMetric(), 1e-5);
        QCOMPARE_NEAR(r.corruptedMetric, ev.referenceMetric(), 1e-4);
        // prob-diff on request, and by default for greater-than data.
        options.metric = Metric::ProbDiff;
        const auto byProb = measureTask(*model, data, options);
        const Evaluator evProb(model, data, optionsFor(Metric::ProbDiff));
        QCOMPARE_NEAR(byProb.cleanMetric, evProb.cleanMetric(), 1e-6);
        data.task = "greater-than-digit";
        QCOMPARE(defaultMetric(data), Metric::ProbDiff);
        QCOMPARE(measureTask(*model, data).metric, Metric::ProbDiff);
    }

    void taskPerformanceBadInput()
    {
        const auto model = loadFixture("gpt2");
        auto data = randomDataset(model->config(), 22);
        data.source = "pairs.csv";
        data.pairs[1].wrongAnswerIds.clear();
        try {
            measureTask(*model, data);
            QFAIL("a pair without a wrong answer accepted");
        } catch (const Error& e) {
            QVERIFY2(QString::fromStdString(e.what()).contains("pairs.csv: row 2"), e.what());
        }
        data = randomDataset(model->config(), 22);
        data.pairs[4].answerIds = {static_cast<int32_t>(model->config().dVocab)};
        QVERIFY_THROWS_EXCEPTION(Error, measureTask(*model, data));
        data = randomDataset(model->config(), 22);
        data.pairs[0].cleanIds = {static_cast<int32_t>(-3)};
        QVERIFY_THROWS_EXCEPTION(Error, measureTask(*model, data));
        data = randomDataset(model->config(), 22);
        PerformanceOptions kl;
        kl.metric = Metric::Kl;
        QVERIFY_THROWS_EXCEPTION(Error, measureTask(*model, data, kl));
        data.pairs.clear();
        QVERIFY_THROWS_EXCEPTION(Error, measureTask(*model, data));
    }
};

QTEST_GUILESS_MAIN(TestEvaluation)
#include "test_evaluation.moc"
