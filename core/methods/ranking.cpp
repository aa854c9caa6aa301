// SPDX-License-Identifier: MIT
#include "core/methods/ranking.h"

#include "core/common/error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace patchbay::core {

namespace {

double magnitude(double s) { return std::isnan(s) ? -1.0 : std::fabs(s); }

// Ranks 1…n, ties sharing their mean rank.
std::vector<double> ranks(const std::vector<double>& x)
{
    std::vector<std::size_t> order(x.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
    std::vector<double> out(x.size());
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        while (j + 1 < order.size() && x[order[j + 1]] == x[order[i]])
            ++j;
        const double mean = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
        for (std::size_t k = i; k <= j; ++k)
            out[order[k]] = mean;
        i = j + 1;
    }
    return out;
}

} // namespace

std::vector<std::size_t> topByMagnitude(const std::vector<double>& scores, std::size_t k)
{
    std::vector<std::size_t> order(scores.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    k = std::min(k, order.size());
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(), [&](auto a, auto b) {
        const double ma = magnitude(scores[a]), mb = magnitude(scores[b]);
        return ma > mb || (ma == mb && a < b);
    });
    order.resize(k);
    return order;
}

double spearman(const std::vector<double>& x, const std::vector<double>& y)
{
    if (x.size() != y.size() || x.size() < 2)
        throw Error("Spearman correlation needs two rankings of the same length ≥ 2 (got " + std::to_string(x.size())
                    + " and " + std::to_string(y.size()) + ")");
    const auto rx = ranks(x), ry = ranks(y);
    const double n = static_cast<double>(x.size());
    const double mean = (n + 1) / 2; // mean rank, ties or not
    double sxy = 0, sxx = 0, syy = 0;
    for (std::size_t i = 0; i < rx.size(); ++i) {
        sxy += (rx[i] - mean) * (ry[i] - mean);
        sxx += (rx[i] - mean) * (rx[i] - mean);
        syy += (ry[i] - mean) * (ry[i] - mean);
    }
    if (sxx == 0 || syy == 0)
        return std::numeric_limits<double>::quiet_NaN();
    return sxy / std::sqrt(sxx * syy);
}

RankAgreement rankAgreement(const std::vector<double>& exact, const std::vector<double>& approximate,
                            const std::vector<std::size_t>& edges)
{
    std::vector<double> x, y;
    for (const auto e : edges) {
        if (e >= exact.size() || e >= approximate.size())
            throw Error("rank agreement: edge index " + std::to_string(e) + " is outside the scores ("
                        + std::to_string(std::min(exact.size(), approximate.size())) + " edges)");
        x.push_back(exact[e]);
        y.push_back(approximate[e]);
    }
    RankAgreement out;
    out.edges = edges.size();
    if (edges.size() < 2) {
        out.spearman = out.spearmanMagnitude = std::numeric_limits<double>::quiet_NaN();
    } else {
        out.spearman = spearman(x, y);
        std::vector<double> ax(x.size()), ay(y.size());
        std::transform(x.begin(), x.end(), ax.begin(), magnitude);
        std::transform(y.begin(), y.end(), ay.begin(), magnitude);
        out.spearmanMagnitude = spearman(ax, ay);
    }
    std::size_t same = 0;
    auto sign = [](double v) { return (v > 0) - (v < 0); };
    for (std::size_t i = 0; i < x.size(); ++i)
        same += sign(x[i]) == sign(y[i]);
    out.signAgreement = edges.empty() ? 0.0 : static_cast<double>(same) / static_cast<double>(edges.size());

    std::vector<std::size_t> sizes;
    for (std::size_t n : {10, 20, 50, 100, 200, 500, 1000, 2000, 5000})
        if (n < edges.size())
            sizes.push_back(n);
    if (edges.size() >= 2 && std::find(sizes.begin(), sizes.end(), edges.size() / 2) == sizes.end())
        sizes.push_back(edges.size() / 2);
    std::sort(sizes.begin(), sizes.end());
    for (const auto n : sizes) {
        const auto tx = topByMagnitude(x, n), ty = topByMagnitude(y, n);
        std::vector<char> inX(x.size(), 0);
        for (auto i : tx)
            inX[i] = 1;
        std::size_t shared = 0;
        for (auto i : ty)
            shared += inX[i];
        out.overlaps.push_back({n, shared});
    }
    return out;
}

} // namespace patchbay::core
