// SPDX-License-Identifier: MIT
// Private to GraphCanvas, whose members are defined in several files by job:
//   graphcanvas.cpp  the widget: its controls, the circuit and filter on show, the metric,
//                    the selection and focus, finding a node, the edge table, tooltips
//   graphscene.cpp   the drawn set laid out off the GUI thread and turned into items
//   graphdrawing.cpp how the items look, the level of detail, view geometry, export
//   graphedits.cpp   undoable edits of the kept edges, node labels and groups
// with its items in graphitems_p.h, its view in graphview_p.h and the filter arithmetic in
// edgefilter.h.
#pragma once

#include "ui/graphcanvas.h"
#include "ui/graphitems_p.h"
#include "ui/strings.h"

#include <QHash>
#include <QLocale>
#include <QString>
#include <QVector>

#include <cmath>

namespace patchbay::ui {

// The items on the scene, rebuilt with every layout (GraphCanvas::buildScene).
struct GraphCanvas::Items
{
    QHash<int, EdgeItem*> edges;  // every drawn graph edge -> its item
    QVector<EdgeItem*> edgeItems; // each item once
    QHash<QString, NodeItem*> nodes;
    QVector<AnchoredText*> rowLabels;
    double rowPitch = 0; // scene units between two labelled rows
    double labelsWidth = 0; // the widest row label, pixels
    bool crowded = false; // many edges, zoomed out: drawn without antialiasing
};

// The key of a collapsed group's node (no node of a graph has a colon in its name).
inline QString groupKey(const QString& group) { return QStringLiteral("group:") + group; }
inline bool isGroupKey(const QString& key) { return key.startsWith(QLatin1String("group:")); }

inline QString number(double v, int digits = 4) { return QLocale().toString(v, 'g', digits); }

// Fixed-point with `decimals` digits, without the "-0.000" of a tiny negative value.
inline QString fixed(double v, int decimals)
{
    if (std::abs(v) * std::pow(10.0, decimals) < 0.5)
        v = 0.0; // shows as zero: without its sign
    return QLocale().toString(v, 'f', decimals);
}

} // namespace patchbay::ui
