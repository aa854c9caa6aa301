// SPDX-License-Identifier: MIT
// scoreHeatmap (ui/scoremaps.h): the Scores dock's layer × head grid, on hand-made results
// whose cells are known by construction.
#include "ui/scoremaps.h"

#include "core/graph/circuit.h"
#include "core/methods/attribution.h"

#include <QTest>

#include <cmath>
#include <memory>

using namespace patchbay;
using namespace patchbay::ui;

namespace {

// A 2-layer, 2-head graph's result whose sender i (input, a0.h0, a0.h1, m0, a1.h0, a1.h1,
// m1) scores `scores[i]`.
RunResult result(core::Method method, std::vector<double> scores)
{
    RunResult r;
    r.settings.method = QString::fromStdString(core::methodName(method));
    auto circuit = std::make_shared<core::Circuit>();
    circuit->graph = core::Graph(2, 2, 2, false);
    r.circuit = circuit;
    auto s = std::make_shared<core::AttributionResult>();
    s->method = method;
    s->nodeScores = std::move(scores);
    r.scores = s;
    return r;
}

} // namespace

class TestScoreMaps : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void layerByHeadWithMlpColumn()
    {
        const auto map = scoreHeatmap(result(core::Method::AtP, {10, 1, 2, 3, 4, 5, 6}));
        QCOMPARE(map.rowLabels, QStringList({QStringLiteral("0"), QStringLiteral("1")}));
        QCOMPARE(map.columnLabels, QStringList({QStringLiteral("h0"), QStringLiteral("h1"), QStringLiteral("MLP")}));
        QCOMPARE(map.values, QVector<double>({1, 2, 3, 4, 5, 6}));
        QCOMPARE(map.cellIds, QVector<QString>({QStringLiteral("a0.h0"), QStringLiteral("a0.h1"), QStringLiteral("m0"),
                                                QStringLiteral("a1.h0"), QStringLiteral("a1.h1"), QStringLiteral("m1")}));
        QCOMPARE(map.value(1, 2), 6.0); // m1
        QVERIFY2(map.title.endsWith(QStringLiteral(" · input 10")), qPrintable(map.title));
        QCOMPARE(map.valueName, QStringLiteral("score"));
    }

    void edgeMethodsShowNodeSums()
    {
        const auto map = scoreHeatmap(result(core::Method::Eap, {0.5, 1, 2, 3, 4, 5, 6}));
        QCOMPARE(map.valueName, QStringLiteral("node score (sum of its edges)"));
        QVERIFY2(map.title.startsWith(QStringLiteral("EAP")), qPrintable(map.title));
    }

    void missingScoresAreNaN()
    {
        // Scores for the input and layer 0 only: layer 1's cells have none.
        const auto map = scoreHeatmap(result(core::Method::AtP, {0, 1, 2, 3}));
        QCOMPARE(map.values.size(), 6);
        QCOMPARE(map.value(0, 2), 3.0);
        for (int c = 0; c < 3; ++c)
            QVERIFY(std::isnan(map.value(1, c)));
    }

    void noNodeScoresNoCells()
    {
        auto r = result(core::Method::Acdc, {});
        QVERIFY(scoreHeatmap(r).values.isEmpty());
        r.scores.reset();
        QVERIFY(scoreHeatmap(r).values.isEmpty());
        QCOMPARE(scoreHeatmap(r).rows(), 0);
    }
};

QTEST_MAIN(TestScoreMaps)
#include "test_scoremaps.moc"
