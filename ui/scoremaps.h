// SPDX-License-Identifier: MIT
// The Scores dock's layer × head grid of a result, computed apart from the window so that it
// is tested on hand-made results (tests/ui/test_scoremaps.cpp).
#pragma once

#include "ui/computeworker.h"
#include "ui/heatmap.h"

namespace patchbay::ui {

// Layer × head of a result's node scores (edge methods: each node's sum over its out-edges),
// with an MLP column at the right; rows from layer 0, cells named by their node ("a3.h2",
// "m3"), NaN where the result has no score. Empty values when the result scores no node
// (ACDC, or no scores at all). The title is the run's description plus the input node's score.
HeatmapData scoreHeatmap(const RunResult& result);

} // namespace patchbay::ui
