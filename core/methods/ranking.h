// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace patchbay::core {

// Shortlists and the agreement of two edge rankings: how exact patching checks an
// approximate method (EAP, EAP-IG…) on the edges that method ranks highest. Plain
// functions on per-edge score vectors; any thread.

// The indices of the k largest |score| (NaN lowest), best first, ties by index.
std::vector<std::size_t> topByMagnitude(const std::vector<double>& scores, std::size_t k);

// Spearman's rank correlation of x and y (equal sizes ≥ 2): Pearson's correlation of their
// ranks, tied values sharing their mean rank. NaN when either has no spread.
double spearman(const std::vector<double>& x, const std::vector<double>& y);

struct TopOverlap
{
    std::size_t n = 0;      // the top n by |score| of each ranking
    std::size_t shared = 0; // edges in both
};

// How `approximate` agrees with `exact` on `edges` (indices into both score vectors).
struct RankAgreement
{
    std::size_t edges = 0;
    double spearman = 0;          // on the signed scores
    double spearmanMagnitude = 0; // on |score|, the order selection by |score| uses
    double signAgreement = 0;     // fraction of the edges whose scores have the same sign (0 counts as its own sign)
    // Top-n overlap within the edges for n = 10, 20, 50, 100, … below the edge count, and
    // half the edge count.
    std::vector<TopOverlap> overlaps;
};
RankAgreement rankAgreement(const std::vector<double>& exact, const std::vector<double>& approximate,
                            const std::vector<std::size_t>& edges);

} // namespace patchbay::core
