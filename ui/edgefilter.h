// SPDX-License-Identifier: MIT
#pragma once

#include <QVector>

#include <optional>
#include <utility>
#include <vector>

namespace patchbay::ui {

// A circuit's edges by |score| descending (ties by index; unscored: the circuit's edges
// first) and the cumulative share of Σ|score| along that order (EdgeFilter::rank).
struct EdgeRanking
{
    QVector<int> order;
    QVector<double> cumulative; // empty without scores
};

// Which of a circuit's edges the graph canvas shows, and where its slider stands for that:
// the canvas's filter arithmetic, apart from any widget. A mode and a value over a ranking
// of the edges. The scores and kept flags it reads are the circuit's own
// (core::Circuit::edgeScores, empty for none, and edgeInGraph: one per graph edge), passed
// in rather than copied: an imported circuit has 1.6 M edges. A plain value; any thread.
class EdgeFilter final
{
public:
    enum class Mode {
        TopN,            // the first n of the ranking (value n, rounded, within [0, edges])
        Threshold,       // the leading edges with |score| >= value (none without scores)
        CumulativeShare, // the shortest leading run holding the share `value` (in [0, 1]) of
                         // Σ|score|, at least one edge (none without scores)
        InCircuit,       // the kept edges, in rank order (value ignored)
    };
    // More shown edges than this are not drawn (the canvas says so beside its slider).
    static constexpr int kMaxDrawn = 2000;
    // The slider's positions are 0 … kSliderSteps.
    static constexpr int kSliderSteps = 1000;

    // The ranking of a circuit's edges (kept.size() of them); a non-finite score ranks as 0
    // and adds nothing to Σ|score|. Any thread: the window ranks an imported file's edges on
    // its import thread.
    static EdgeRanking rank(const std::vector<double>& scores, const std::vector<char>& kept);

    const EdgeRanking& ranking() const { return m_ranking; }
    void setRanking(EdgeRanking ranking) { m_ranking = std::move(ranking); }
    int edgeCount() const { return static_cast<int>(m_ranking.order.size()); }

    Mode mode() const { return m_mode; }
    double value() const { return m_value; }
    void setMode(Mode mode) { m_mode = mode; }
    void set(Mode mode, double value)
    {
        m_mode = mode;
        m_value = value;
    }

    // How many edges it shows; but for InCircuit, the first count() of the ranking.
    int count(const std::vector<double>& scores, const std::vector<char>& kept) const;
    // The edges it shows, in rank order (not cut at kMaxDrawn).
    QVector<int> shown(const std::vector<double>& scores, const std::vector<char>& kept) const;
    // |score| of the first ranked edge (0 without scores or edges): the largest threshold
    // that shows an edge.
    double topScore(const std::vector<double>& scores) const;

    // The slider: Top n and Threshold move along the ranks 1 … min(edges, 4 kMaxDrawn) on a
    // log scale (a threshold stands where the rank of its last shown edge does), the share
    // linearly. The position of the current value, nullopt for InCircuit (no slider); a top
    // n past the slider's last rank lies past kSliderSteps.
    std::optional<int> sliderPosition(const std::vector<double>& scores) const;
    // Sets the value to the one at a slider position (InCircuit: unchanged). Needs edges.
    void setSliderPosition(int position, const std::vector<double>& scores);

private:
    double sliderRanks() const; // the rank at the slider's right end

    EdgeRanking m_ranking;
    Mode m_mode = Mode::TopN;
    double m_value = 100;
};

} // namespace patchbay::ui
