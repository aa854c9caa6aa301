// SPDX-License-Identifier: MIT
#include "ui/edgefilter.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

namespace patchbay::ui {

EdgeRanking EdgeFilter::rank(const std::vector<double>& scores, const std::vector<char>& kept)
{
    EdgeRanking ranking;
    const int n = static_cast<int>(kept.size());
    ranking.order.resize(n);
    if (!scores.empty()) {
        // By |score| descending, ties by index (a stable order): sorted as (|score|, index)
        // keys, not through a comparator that looks the scores up.
        std::vector<std::pair<double, int>> keys(static_cast<std::size_t>(n));
        for (int e = 0; e < n; ++e) {
            const double v = scores[static_cast<std::size_t>(e)];
            keys[static_cast<std::size_t>(e)] = {std::isfinite(v) ? -std::abs(v) : 0.0, e};
        }
        std::sort(keys.begin(), keys.end());
        ranking.cumulative.resize(n);
        double total = 0;
        for (const auto& key : keys)
            total -= key.first;
        double sum = 0;
        for (int i = 0; i < n; ++i) {
            ranking.order[i] = keys[static_cast<std::size_t>(i)].second;
            sum -= keys[static_cast<std::size_t>(i)].first;
            ranking.cumulative[i] = total > 0 ? sum / total : 1.0;
        }
    } else { // no scores: the circuit's edges first
        std::iota(ranking.order.begin(), ranking.order.end(), 0);
        std::stable_sort(ranking.order.begin(), ranking.order.end(), [&](int a, int b) {
            return kept[static_cast<std::size_t>(a)] > kept[static_cast<std::size_t>(b)];
        });
    }
    return ranking;
}

int EdgeFilter::count(const std::vector<double>& scores, const std::vector<char>& kept) const
{
    const int n = edgeCount();
    switch (m_mode) {
    case Mode::TopN:
        return std::clamp(static_cast<int>(std::lround(m_value)), 0, n);
    case Mode::Threshold: {
        if (scores.empty())
            return 0;
        int k = 0;
        while (k < n && std::abs(scores[static_cast<std::size_t>(m_ranking.order[k])]) >= m_value)
            ++k;
        return k;
    }
    case Mode::CumulativeShare: {
        const QVector<double>& cumulative = m_ranking.cumulative;
        if (cumulative.isEmpty())
            return 0;
        const auto it = std::lower_bound(cumulative.begin(), cumulative.end(), m_value - 1e-12);
        return std::min(n, static_cast<int>(it - cumulative.begin()) + 1);
    }
    case Mode::InCircuit:
        return static_cast<int>(std::count_if(kept.begin(), kept.end(), [](char b) { return b != 0; }));
    }
    return 0;
}

QVector<int> EdgeFilter::shown(const std::vector<double>& scores, const std::vector<char>& kept) const
{
    if (m_mode != Mode::InCircuit)
        return m_ranking.order.mid(0, count(scores, kept));
    QVector<int> edges;
    for (const int e : m_ranking.order)
        if (kept[static_cast<std::size_t>(e)])
            edges.append(e);
    return edges;
}

double EdgeFilter::topScore(const std::vector<double>& scores) const
{
    return scores.empty() || m_ranking.order.isEmpty() ? 0.0
                                                       : std::abs(scores[static_cast<std::size_t>(m_ranking.order[0])]);
}

double EdgeFilter::sliderRanks() const { return std::max(1, std::min(edgeCount(), kMaxDrawn * 4)); }

std::optional<int> EdgeFilter::sliderPosition(const std::vector<double>& scores) const
{
    auto rankToSlider = [this](double rank) {
        return static_cast<int>(std::lround(std::log(std::max(1.0, rank)) / std::log(sliderRanks()) * kSliderSteps));
    };
    switch (m_mode) {
    case Mode::TopN:
        return rankToSlider(m_value);
    case Mode::Threshold:
        return rankToSlider(count(scores, {}));
    case Mode::CumulativeShare:
        return static_cast<int>(std::lround(m_value * kSliderSteps));
    case Mode::InCircuit:
        break;
    }
    return std::nullopt;
}

void EdgeFilter::setSliderPosition(int position, const std::vector<double>& scores)
{
    const int n = edgeCount();
    auto rank = [&] {
        return std::clamp(static_cast<int>(std::lround(std::exp(position / double(kSliderSteps) * std::log(sliderRanks())))), 1, n);
    };
    switch (m_mode) {
    case Mode::TopN:
        m_value = rank();
        break;
    case Mode::Threshold:
        m_value = scores.empty() ? 0.0 : std::abs(scores[static_cast<std::size_t>(m_ranking.order[rank() - 1])]);
        break;
    case Mode::CumulativeShare:
        m_value = std::clamp(position / double(kSliderSteps), 0.0, 1.0);
        break;
    case Mode::InCircuit:
        break;
    }
}

} // namespace patchbay::ui
