// SPDX-License-Identifier: MIT
// The computational graph against EAP-IG's layout: edge counts for GPT-2 small, index
// formulas, and every edge name of a real EAP-IG circuit file.
#include "core/common/error.h"
#include "core/graph/graph.h"
#include "core/common/json.h"

#include <QTest>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

using patchbay::core::Graph;

class TestGraph : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void gpt2SmallCounts()
    {
        const Graph g(12, 12, 12, false);
        QCOMPARE(g.senders().size(), std::size_t(157)); // input + 144 heads + 12 MLPs
        QCOMPARE(g.receivers().size(), std::size_t(12 * 37 + 1));
        QCOMPARE(g.edgeCount(), std::size_t(32491));
        std::size_t qkv = 0, mlp = 0, logits = 0;
        for (const auto& e : g.edges()) {
            const auto& r = g.receivers()[static_cast<std::size_t>(e.receiver)];
            (r.kind == Graph::NodeKind::Head ? qkv : r.kind == Graph::NodeKind::Mlp ? mlp : logits)++;
        }
        QCOMPARE(qkv, std::size_t(31320));
        QCOMPARE(mlp, std::size_t(1014));
        QCOMPARE(logits, std::size_t(157));
    }

    void edgeCountForMatchesTheGraph()
    {
        for (const auto& [layers, heads, kv, parallel] :
             {std::tuple{12, 12, 12, false}, std::tuple{2, 4, 4, true}, std::tuple{3, 8, 2, false}, std::tuple{1, 1, 1, true}})
            QCOMPARE(Graph::edgeCountFor(layers, heads, kv, parallel), std::uint64_t(Graph(layers, heads, kv, parallel).edgeCount()));
        QCOMPARE(Graph::edgeCountFor(12, 12, 12, false), std::uint64_t(32491));
        QCOMPARE(Graph::edgeCountFor(0, 12, 12, false), std::uint64_t(0));
        QCOMPARE(Graph::edgeCountFor(2, 12, 5, false), std::uint64_t(0));
    }

    // Shapes from issue 23: each used to allocate gigabytes (or overflow int) before any
    // check; now refused at once with the size it would have had.
    void refusesGraphsLargerThanTheLimit_data()
    {
        QTest::addColumn<int>("layers");
        QTest::addColumn<int>("heads");
        QTest::addColumn<QString>("expected");
        QTest::newRow("200 x 150") << 200 << 150
                                   << "graph: a graph of 200 layers, 150 heads, 150 key/value heads has 1355360301 edges, "
                                      "more than this build accepts (33554432)";
        QTest::newRow("2 x 2^24") << 2 << (1 << 24)
                                  << "graph: a graph of 2 layers, 16777216 heads, 16777216 key/value heads is larger than "
                                     "this build accepts (at most 1024 layers and 1024 heads)";
        QTest::newRow("2^30 x 2^30") << (1 << 30) << (1 << 30) << "is larger than this build accepts";
        QTest::newRow("zero") << 0 << 4 << "graph: invalid shape (0 layers, 4 heads, 4 key/value heads)";
    }

    void refusesGraphsLargerThanTheLimit()
    {
        QFETCH(int, layers);
        QFETCH(int, heads);
        QFETCH(QString, expected);
        try {
            Graph g(layers, heads, heads, false);
            QFAIL("no error");
        } catch (const patchbay::core::Error& e) {
            QVERIFY2(QString(e.what()).contains(expected), e.what());
        }
        // The largest graph accepted is built.
        QVERIFY(Graph::edgeCountFor(64, 64, 64, false) <= Graph::kMaxEdges);
    }

    // strtol used to read "m01", "m+1", "m 1", "a0.h+1" and "a0.h-0" as m1, a0.h1, a0.h0.
    void nodeNamesAreParsedStrictly()
    {
        const Graph g(12, 12, 12, false);
        QCOMPARE(g.findSender("m1"), std::optional<int>(g.mlpSenderIndex(1)));
        QCOMPARE(g.findSender("m11"), std::optional<int>(g.mlpSenderIndex(11)));
        QCOMPARE(g.findSender("a0.h1"), std::optional<int>(g.senderIndex(0, 1)));
        QCOMPARE(g.findSender("a10.h0"), std::optional<int>(g.senderIndex(10, 0)));
        QCOMPARE(g.findSender("input"), std::optional<int>(0));
        for (const char* bad : {"m01", "m+1", "m 1", " m1", "m1 ", "m-0", "m", "m12", "a0.h+1", "a0.h-0", "a0.h01", "a00.h1",
                                "a0.h 1", "a+0.h1", "a0.h", "a.h1", "a0h1", "a0.h1x", "a0.h12", "m99999999999"})
            QVERIFY2(!g.findSender(bad), bad);
        QVERIFY(!g.findEdge("m01->logits"));
        QVERIFY(g.findEdge("m1->logits"));
    }

    void indexLayoutIsEapIgs()
    {
        const int H = 12;
        const Graph g(12, H, H, false);
        for (int l = 0; l < 12; ++l) {
            for (int h = 0; h < H; ++h) {
                QCOMPARE(g.senderIndex(l, h), 1 + l * (H + 1) + h);
                for (int qkv = 0; qkv < 3; ++qkv)
                    QCOMPARE(g.receiverIndex(l, static_cast<Graph::Port>(qkv), h), l * (3 * H + 1) + qkv * H + h);
            }
            QCOMPARE(g.mlpSenderIndex(l), 1 + l * (H + 1) + H);
            QCOMPARE(g.mlpReceiverIndex(l), l * (3 * H + 1) + 3 * H);
        }
        QCOMPARE(g.receivers()[static_cast<std::size_t>(g.receiverIndex(3, Graph::Port::K, 5))].name, std::string("a3.h5<k>"));
    }

    void parallelBlocksDropSameLayerHeadToMlp()
    {
        const Graph seq(2, 4, 4, false), par(2, 4, 4, true);
        QCOMPARE(seq.edgeCount() - par.edgeCount(), std::size_t(2 * 4));
        QVERIFY(seq.findEdge("a1.h2->m1"));
        QVERIFY(!par.findEdge("a1.h2->m1"));
        QVERIFY(par.findEdge("a0.h2->m1"));
    }

    void groupedQueryAttentionHasKvReceivers()
    {
        const Graph g(2, 4, 2, false);
        QCOMPARE(g.receivers().size(), std::size_t(2 * (4 + 2 * 2 + 1) + 1));
        QVERIFY(g.findEdge("input->a1.kv1<v>"));
        QVERIFY(!g.findEdge("input->a1.kv2<v>"));
    }

    // Which nodes read a receiver and which receivers a node reads, checked by name on a
    // grouped graph (4 query heads, 2 key/value heads: a1.kv1 serves a1.h2 and a1.h3).
    void topologyByName()
    {
        const Graph g(2, 4, 2, false);
        QCOMPARE(g.groupSize(), 2);
        QCOMPARE(g.kvHeadOf(3), 1);
        QCOMPARE(g.kvHeadOf(1), 0);
        const auto readers = [&g](const char* receiver) {
            std::vector<std::string> names;
            const auto range = g.readersOf(*g.findReceiver(receiver));
            for (int n = range.begin; n < range.end; ++n)
                names.push_back(n == g.logitsNode() ? "logits" : g.senders()[static_cast<std::size_t>(n)].name);
            return names;
        };
        QCOMPARE(readers("a1.kv1<k>"), (std::vector<std::string>{"a1.h2", "a1.h3"}));
        QCOMPARE(readers("a1.kv0<v>"), (std::vector<std::string>{"a1.h0", "a1.h1"}));
        QCOMPARE(readers("a0.h1<q>"), (std::vector<std::string>{"a0.h1"}));
        QCOMPARE(readers("m1"), (std::vector<std::string>{"m1"}));
        QCOMPARE(readers("logits"), (std::vector<std::string>{"logits"}));
        const auto reads = [&g](int node) {
            std::vector<std::string> names;
            for (int r : g.receiversOf(node))
                names.push_back(g.receivers()[static_cast<std::size_t>(r)].name);
            return names;
        };
        QCOMPARE(reads(*g.findSender("a1.h3")), (std::vector<std::string>{"a1.h3<q>", "a1.kv1<k>", "a1.kv1<v>"}));
        QCOMPARE(reads(*g.findSender("m0")), (std::vector<std::string>{"m0"}));
        QCOMPARE(reads(*g.findSender("input")), (std::vector<std::string>{}));
        QCOMPARE(reads(g.logitsNode()), (std::vector<std::string>{"logits"}));
        // Every receiver is read by the nodes whose receivers include it.
        for (int r = 0; r < static_cast<int>(g.receivers().size()); ++r) {
            const auto range = g.readersOf(r);
            for (int n = range.begin; n < range.end; ++n) {
                const auto back = g.receiversOf(n);
                QVERIFY(std::find(back.begin(), back.end(), r) != back.end());
            }
            QCOMPARE(g.firstEdge(r), *g.edgeIndex(0, r));
        }
        QVERIFY(g.sameShape(Graph(2, 4, 2, false)));
        QVERIFY(!g.sameShape(Graph(2, 4, 4, false)));
        QVERIFY(!g.sameShape(Graph(2, 4, 2, true)));
    }

    void namesRoundTrip()
    {
        const Graph g(3, 4, 4, false);
        for (std::size_t i = 0; i < g.edgeCount(); ++i)
            QCOMPARE(g.findEdge(g.edgeName(i)), std::optional<std::size_t>(i));
        QVERIFY(!g.findEdge("a2.h1->a1.h0<q>")); // later sender
        QVERIFY(!g.findEdge("a1.h0->a1.h1<q>")); // same layer
        QVERIFY(!g.findEdge("a9.h0->logits"));
        QVERIFY(!g.findEdge("garbage"));
    }

    void everyEdgeOfARealEapIgFileParses()
    {
        const auto file = std::filesystem::path(PATCHBAY_SHARED_DATA_DIR) / "circuits" / "mib_ioi_gpt2_eap-ig.json";
        if (!std::filesystem::exists(file))
            QSKIP("shared data not present");
        const auto j = patchbay::core::readJsonFile(file);
        const Graph g(j["cfg"]["n_layers"].get<int>(), j["cfg"]["n_heads"].get<int>(), j["cfg"]["n_heads"].get<int>(),
                      j["cfg"]["parallel_attn_mlp"].get<bool>());
        QCOMPARE(j["edges"].size(), g.edgeCount());
        std::vector<bool> seen(g.edgeCount(), false);
        for (const auto& [name, value] : j["edges"].items()) {
            const auto e = g.findEdge(name);
            QVERIFY2(e, name.c_str());
            seen[*e] = true;
        }
        QVERIFY(std::all_of(seen.begin(), seen.end(), [](bool b) { return b; }));
    }
};

QTEST_GUILESS_MAIN(TestGraph)
#include "test_graph.moc"
