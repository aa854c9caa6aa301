// SPDX-License-Identifier: MIT
// Head roles (core::scoreHeads) as the window shows them: a heatmap of the three scores side
// by side and the labels drawn under the heads on the graph. Pure functions, GUI thread or not.
#pragma once

#include "core/methods/headscores.h"
#include "ui/heatmap.h"

#include <QString>

#include <map>
#include <string>

namespace patchbay::ui {

// A head is labelled with a role when its score is at least this mean attention weight (on
// SmolLM2-135M the induction heads score 0.61-0.86 and the next head 0.41; uniform attention
// over 50 tokens would give about 0.04).
constexpr double kHeadRoleThreshold = 0.4;

// Layers × (induction heads | previous-token heads | duplicate-token heads), a NaN column
// between the blocks; each cell's id is the head's node name ("a5.h3").
HeatmapData headRolesHeatmap(const core::HeadScores& scores);

// `labels` (node → text) with every head's role parts replaced by the current ones:
// "induction 0.86", "previous-token 0.91", "duplicate-token 0.69" (joined by ", ") for the
// scores at or above `threshold`. A user's own text stays in front ("name mover ·
// induction 0.86"); role parts of an earlier run are dropped first.
std::map<std::string, std::string> withHeadRoleLabels(std::map<std::string, std::string> labels,
                                                      const core::HeadScores& scores,
                                                      double threshold = kHeadRoleThreshold);

// "a18.h6 0.86, a17.h4 0.73 and 3 more" for the status line; "none" when no head reaches it.
QString headRoleSummary(const core::HeadScores& scores, const std::vector<double>& values,
                        double threshold = kHeadRoleThreshold, int shown = 4);

} // namespace patchbay::ui
