// SPDX-License-Identifier: MIT
#include "ui/scoremaps.h"
#include "ui/mainwindow.h"
#include "ui/strings.h"

#include "core/methods/methods.h"

#include <QLocale>

#include <limits>

namespace patchbay::ui {

HeatmapData scoreHeatmap(const RunResult& result)
{
    HeatmapData map;
    if (!result.circuit || !result.scores)
        return map;
    const core::Graph& graph = result.circuit->graph;
    const auto& scores = *result.scores;
    const int layers = graph.nLayers(), heads = graph.nHeads();
    map.title = result.settings.describe();
    map.valueName = core::methodScoresEdges(scores.method) ? MainWindow::tr("node score (sum of its edges)")
                                                           : MainWindow::tr("score");
    map.columnTitle = MainWindow::tr("head");
    map.rowTitle = MainWindow::tr("layer");
    for (int l = 0; l < layers; ++l)
        map.rowLabels << QString::number(l);
    for (int h = 0; h < heads; ++h)
        map.columnLabels << QStringLiteral("h%1").arg(h);
    map.columnLabels << MainWindow::tr("MLP");
    if (scores.nodeScores.empty())
        return map;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (int l = 0; l < layers; ++l) {
        for (int h = 0; h <= heads; ++h) {
            const int sender = h < heads ? graph.senderIndex(l, h) : graph.mlpSenderIndex(l);
            const auto s = static_cast<std::size_t>(sender);
            map.values << (s < scores.nodeScores.size() ? scores.nodeScores[s] : nan);
            map.cellIds << toQString(graph.senders()[s].name);
        }
    }
    map.title += MainWindow::tr(" · input %1").arg(QLocale().toString(scores.nodeScores[0], 'g', 4));
    return map;
}

} // namespace patchbay::ui
