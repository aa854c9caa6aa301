// SPDX-License-Identifier: MIT
// The graph canvas's edge filter (ui/edgefilter) on small hand-ranked circuits: the ranking
// and cumulative shares, the edges shown in each mode at several values (ties, the share's
// boundaries, an unscored circuit, non-finite scores, no edges), and the slider's positions
// on its log scale, each against a value worked out by hand in the comment beside it.
#include "ui/edgefilter.h"

#include <QTest>

#include <limits>
#include <vector>

using patchbay::ui::EdgeFilter;
using patchbay::ui::EdgeRanking;
using Mode = EdgeFilter::Mode;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Five edges: |score| 0.5, 2, 1, 0.5, 0 (Σ 4). By |score|: e1, e2, then the tie e0 and e3
// (by index), then e4; the cumulative shares 2/4, 3/4, 3.5/4, 4/4, 4/4. Kept: e0, e3, e4.
const QList<double> kFiveScores = {0.5, -2.0, 1.0, -0.5, 0.0};
const QList<int> kFiveKept = {1, 0, 0, 1, 1};
// |score| 3, 1 and two non-finite ones that rank as 0 (Σ 4): e3, e1, e0, e2; shares 3/4, 1, 1, 1.
const QList<double> kNonFinite = {kNaN, 1.0, -kInf, -3.0};

std::vector<double> toStd(const QList<double>& v) { return {v.begin(), v.end()}; }

std::vector<char> keptFlags(const QList<int>& v)
{
    std::vector<char> kept;
    for (const int k : v)
        kept.push_back(static_cast<char>(k));
    return kept;
}

// Scores n, n-1, …, 1 for edges 0 … n-1: the ranking is the edges' order and the edge of
// rank r (from 1) has |score| n + 1 - r.
std::vector<double> descending(int n)
{
    std::vector<double> scores;
    for (int e = 0; e < n; ++e)
        scores.push_back(n - e);
    return scores;
}

EdgeFilter filterOver(const std::vector<double>& scores, const std::vector<char>& kept, Mode mode, double value)
{
    EdgeFilter filter;
    filter.setRanking(EdgeFilter::rank(scores, kept));
    filter.set(mode, value);
    return filter;
}

} // namespace

class TestEdgeFilter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void ranking_data()
    {
        QTest::addColumn<QList<double>>("scores");
        QTest::addColumn<QList<int>>("kept");
        QTest::addColumn<QList<int>>("order");
        QTest::addColumn<QList<double>>("cumulative");
        QTest::newRow("signed scores, a tie") << kFiveScores << kFiveKept << QList<int>{1, 2, 0, 3, 4}
                                              << QList<double>{0.5, 0.75, 0.875, 1.0, 1.0};
        // Without scores the kept edges come first, each group in index order.
        QTest::newRow("unscored: kept first") << QList<double>{} << QList<int>{0, 1, 0, 1} << QList<int>{1, 3, 0, 2}
                                              << QList<double>{};
        // Σ|score| = 0: every edge holds the whole share.
        QTest::newRow("all zero") << QList<double>{0.0, 0.0, 0.0} << QList<int>{0, 0, 0} << QList<int>{0, 1, 2}
                                  << QList<double>{1.0, 1.0, 1.0};
        QTest::newRow("NaN and -inf rank as 0") << kNonFinite << QList<int>{0, 0, 0, 0} << QList<int>{3, 1, 0, 2}
                                                << QList<double>{0.75, 1.0, 1.0, 1.0};
        QTest::newRow("no edges") << QList<double>{} << QList<int>{} << QList<int>{} << QList<double>{};
    }
    void ranking()
    {
        QFETCH(QList<double>, scores);
        QFETCH(QList<int>, kept);
        QFETCH(QList<int>, order);
        QFETCH(QList<double>, cumulative);
        const EdgeRanking r = EdgeFilter::rank(toStd(scores), keptFlags(kept));
        QCOMPARE(QList<int>(r.order), order);
        QCOMPARE(r.cumulative.size(), cumulative.size());
        for (int i = 0; i < cumulative.size(); ++i)
            QCOMPARE(r.cumulative[i], cumulative[i]);
    }

    void shown_data()
    {
        QTest::addColumn<QList<double>>("scores");
        QTest::addColumn<QList<int>>("kept");
        QTest::addColumn<int>("mode");
        QTest::addColumn<double>("value");
        QTest::addColumn<QList<int>>("expected");
        const int topN = int(Mode::TopN), threshold = int(Mode::Threshold), share = int(Mode::CumulativeShare),
                  inCircuit = int(Mode::InCircuit);
        const QList<int> all = {1, 2, 0, 3, 4};

        QTest::newRow("top 0") << kFiveScores << kFiveKept << topN << 0.0 << QList<int>{};
        QTest::newRow("top 1") << kFiveScores << kFiveKept << topN << 1.0 << QList<int>{1};
        QTest::newRow("top 3: one of the tie") << kFiveScores << kFiveKept << topN << 3.0 << QList<int>{1, 2, 0};
        QTest::newRow("top 2.6 rounds to 3") << kFiveScores << kFiveKept << topN << 2.6 << QList<int>{1, 2, 0};
        QTest::newRow("top 2.4 rounds to 2") << kFiveScores << kFiveKept << topN << 2.4 << QList<int>{1, 2};
        QTest::newRow("top 9 of 5") << kFiveScores << kFiveKept << topN << 9.0 << all;
        QTest::newRow("top -3") << kFiveScores << kFiveKept << topN << -3.0 << QList<int>{};

        QTest::newRow(">= 2.5: none") << kFiveScores << kFiveKept << threshold << 2.5 << QList<int>{};
        QTest::newRow(">= 2: the edge at it") << kFiveScores << kFiveKept << threshold << 2.0 << QList<int>{1};
        QTest::newRow(">= 1") << kFiveScores << kFiveKept << threshold << 1.0 << QList<int>{1, 2};
        QTest::newRow(">= 0.75") << kFiveScores << kFiveKept << threshold << 0.75 << QList<int>{1, 2};
        QTest::newRow(">= 0.5: both of the tie") << kFiveScores << kFiveKept << threshold << 0.5 << QList<int>{1, 2, 0, 3};
        QTest::newRow(">= 0: the zero too") << kFiveScores << kFiveKept << threshold << 0.0 << all;

        QTest::newRow("share 0: one edge") << kFiveScores << kFiveKept << share << 0.0 << QList<int>{1};
        QTest::newRow("share 50%: reached by e1 alone") << kFiveScores << kFiveKept << share << 0.5 << QList<int>{1};
        QTest::newRow("share 60%") << kFiveScores << kFiveKept << share << 0.6 << QList<int>{1, 2};
        QTest::newRow("share 75%") << kFiveScores << kFiveKept << share << 0.75 << QList<int>{1, 2};
        QTest::newRow("share 80%") << kFiveScores << kFiveKept << share << 0.8 << QList<int>{1, 2, 0};
        QTest::newRow("share 90%") << kFiveScores << kFiveKept << share << 0.9 << QList<int>{1, 2, 0, 3};
        QTest::newRow("share 100%: not the zero") << kFiveScores << kFiveKept << share << 1.0 << QList<int>{1, 2, 0, 3};

        QTest::newRow("in circuit, rank order") << kFiveScores << kFiveKept << inCircuit << 0.0 << QList<int>{0, 3, 4};
        QTest::newRow("in circuit ignores the value") << kFiveScores << kFiveKept << inCircuit << 2.0 << QList<int>{0, 3, 4};
        QTest::newRow("in circuit, none kept") << kFiveScores << QList<int>{0, 0, 0, 0, 0} << inCircuit << 0.0 << QList<int>{};

        const QList<double> none;
        const QList<int> unscoredKept = {0, 1, 0, 1}; // ranked 1, 3, 0, 2
        QTest::newRow("unscored top 3") << none << unscoredKept << topN << 3.0 << QList<int>{1, 3, 0};
        QTest::newRow("unscored threshold: none") << none << unscoredKept << threshold << 0.0 << QList<int>{};
        QTest::newRow("unscored share: none") << none << unscoredKept << share << 0.5 << QList<int>{};
        QTest::newRow("unscored in circuit") << none << unscoredKept << inCircuit << 0.0 << QList<int>{1, 3};

        const QList<double> zeros = {0.0, 0.0, 0.0};
        const QList<int> noneKept = {0, 0, 0};
        QTest::newRow("all zero: share 50% is one edge") << zeros << noneKept << share << 0.5 << QList<int>{0};
        QTest::newRow("all zero: >= 0 is every edge") << zeros << noneKept << threshold << 0.0 << QList<int>{0, 1, 2};
        QTest::newRow("all zero: >= 0.1 is none") << zeros << noneKept << threshold << 0.1 << QList<int>{};

        const QList<int> fourOut = {0, 0, 0, 0};
        QTest::newRow("non-finite: >= 1") << kNonFinite << fourOut << threshold << 1.0 << QList<int>{3, 1};
        QTest::newRow("non-finite: share 75%") << kNonFinite << fourOut << share << 0.75 << QList<int>{3};
        QTest::newRow("non-finite: share 80%") << kNonFinite << fourOut << share << 0.8 << QList<int>{3, 1};
        QTest::newRow("non-finite: top 3") << kNonFinite << fourOut << topN << 3.0 << QList<int>{3, 1, 0};

        for (const int mode : {topN, threshold, share, inCircuit})
            QTest::addRow("no edges, mode %d", mode) << none << QList<int>{} << mode << 1.0 << QList<int>{};
    }
    void shown()
    {
        QFETCH(QList<double>, scores);
        QFETCH(QList<int>, kept);
        QFETCH(int, mode);
        QFETCH(double, value);
        QFETCH(QList<int>, expected);
        const std::vector<double> s = toStd(scores);
        const std::vector<char> k = keptFlags(kept);
        const EdgeFilter filter = filterOver(s, k, static_cast<Mode>(mode), value);
        QCOMPARE(QList<int>(filter.shown(s, k)), expected);
        QCOMPARE(filter.count(s, k), static_cast<int>(expected.size()));
    }

    void topScore()
    {
        QCOMPARE(filterOver(toStd(kFiveScores), keptFlags(kFiveKept), Mode::TopN, 1).topScore(toStd(kFiveScores)), 2.0);
        QCOMPARE(filterOver(toStd(kNonFinite), keptFlags({0, 0, 0, 0}), Mode::TopN, 1).topScore(toStd(kNonFinite)), 3.0);
        QCOMPARE(filterOver({}, keptFlags({1, 0}), Mode::TopN, 1).topScore({}), 0.0);
        QCOMPARE(filterOver({}, {}, Mode::TopN, 1).topScore({}), 0.0);
    }

    // The slider over n edges scored n, n-1, …, 1 (descending()). Top n and threshold run
    // along the ranks 1 … min(n, 8000) on a log scale: rank r stands at
    // 1000 · ln r / ln min(n, 8000); the share at 1000 · share.
    void sliderPosition_data()
    {
        QTest::addColumn<int>("edges");
        QTest::addColumn<int>("mode");
        QTest::addColumn<double>("value");
        QTest::addColumn<int>("position"); // -1: no slider
        const int topN = int(Mode::TopN), threshold = int(Mode::Threshold), share = int(Mode::CumulativeShare);
        QTest::newRow("top 1: left end") << 100 << topN << 1.0 << 0;
        QTest::newRow("top 10 of 100: ln 10 / ln 100") << 100 << topN << 10.0 << 500;
        QTest::newRow("top 100 of 100: right end") << 100 << topN << 100.0 << 1000;
        QTest::newRow("top 0 stands at rank 1") << 100 << topN << 0.0 << 0;
        QTest::newRow("top 90 of 10000: ln 90 / ln 8000") << 10000 << topN << 90.0 << 501; // 500.70
        QTest::newRow("top 8000 of 10000: right end") << 10000 << topN << 8000.0 << 1000;
        QTest::newRow(">= 91 shows 10 of 100") << 100 << threshold << 91.0 << 500;
        QTest::newRow(">= 90.5 shows 10 of 100") << 100 << threshold << 90.5 << 500;
        QTest::newRow(">= 100 shows 1") << 100 << threshold << 100.0 << 0;
        QTest::newRow(">= 0.5 shows all 100") << 100 << threshold << 0.5 << 1000;
        QTest::newRow("share 25%") << 100 << share << 0.25 << 250;
        QTest::newRow("share 33.37%") << 100 << share << 0.3337 << 334;
        QTest::newRow("in circuit: no slider") << 100 << int(Mode::InCircuit) << 5.0 << -1;
    }
    void sliderPosition()
    {
        QFETCH(int, edges);
        QFETCH(int, mode);
        QFETCH(double, value);
        QFETCH(int, position);
        const std::vector<double> scores = descending(edges);
        const EdgeFilter filter = filterOver(scores, std::vector<char>(edges, 0), static_cast<Mode>(mode), value);
        QCOMPARE(filter.sliderPosition(scores).value_or(-1), position);
    }

    // The value at a slider position: the rank round(exp(position / 1000 · ln min(n, 8000)))
    // for top n, the |score| of the edge of that rank (n + 1 - rank) for the threshold.
    void setSliderPosition_data()
    {
        QTest::addColumn<int>("edges");
        QTest::addColumn<int>("mode");
        QTest::addColumn<int>("position");
        QTest::addColumn<double>("value");
        const int topN = int(Mode::TopN), threshold = int(Mode::Threshold), share = int(Mode::CumulativeShare);
        QTest::newRow("top, left end: 1") << 100 << topN << 0 << 1.0;
        QTest::newRow("top, middle: 100^0.5") << 100 << topN << 500 << 10.0;
        QTest::newRow("top, a quarter: 100^0.25 = 3.16") << 100 << topN << 250 << 3.0;
        QTest::newRow("top, right end: 100") << 100 << topN << 1000 << 100.0;
        QTest::newRow("top, right end of 10000: 8000") << 10000 << topN << 1000 << 8000.0;
        QTest::newRow("threshold, middle: rank 10 scores 91") << 100 << threshold << 500 << 91.0;
        QTest::newRow("threshold, left end: the top score") << 100 << threshold << 0 << 100.0;
        QTest::newRow("threshold, right end: the last") << 100 << threshold << 1000 << 1.0;
        QTest::newRow("threshold, right end of 10000: rank 8000") << 10000 << threshold << 1000 << 2001.0;
        QTest::newRow("share, a quarter") << 100 << share << 250 << 0.25;
        QTest::newRow("share, right end") << 100 << share << 1000 << 1.0;
        QTest::newRow("in circuit: unchanged") << 100 << int(Mode::InCircuit) << 500 << 7.0;
    }
    void setSliderPosition()
    {
        QFETCH(int, edges);
        QFETCH(int, mode);
        QFETCH(int, position);
        QFETCH(double, value);
        const std::vector<double> scores = descending(edges);
        EdgeFilter filter = filterOver(scores, std::vector<char>(edges, 0), static_cast<Mode>(mode), 7.0);
        filter.setSliderPosition(position, scores);
        QCOMPARE(filter.value(), value);
    }

    // Without scores the threshold has nothing to stand on: the slider sets it to 0 and it
    // shows no edge; top n still moves along the ranks.
    void unscoredSlider()
    {
        const std::vector<char> kept = {1, 0, 1, 0};
        EdgeFilter filter = filterOver({}, kept, Mode::Threshold, 3.0);
        filter.setSliderPosition(500, {});
        QCOMPARE(filter.value(), 0.0);
        QCOMPARE(filter.count({}, kept), 0);
        filter.set(Mode::TopN, 1);
        filter.setSliderPosition(1000, {}); // the 4th of 4 ranks
        QCOMPARE(filter.value(), 4.0);
        QCOMPARE(QList<int>(filter.shown({}, kept)), (QList<int>{0, 2, 1, 3}));
    }
};

QTEST_APPLESS_MAIN(TestEdgeFilter)
#include "test_edgefilter.moc"
