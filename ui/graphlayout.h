// SPDX-License-Identifier: MIT
#pragma once

#include <QPointF>
#include <QRectF>
#include <QString>
#include <QVector>
#include <stdexcept>

namespace patchbay::ui {

// What Graphviz lays out: named nodes on ranks (0 at the bottom) and directed edges.
struct LayoutRequest
{
    struct Node
    {
        QString name;  // unique; also the label
        int rank = 0;  // nodes of one rank share a row; higher ranks are drawn higher
        int column = -1; // layoutLayers: its place in the row (a head's index); -1 centred;
                         // kAfterColumns: right of every column, sized to its own name (a group)
    };
    static constexpr int kAfterColumns = -2;
    struct Edge
    {
        int from = 0, to = 0; // node indices
        int port = -1;        // layoutLayers: 0 q, 1 k, 2 v (where it enters a head); -1 none
    };
    int ranks = 0; // layoutLayers: every rank below this gets its row, drawn or not
    QVector<Node> nodes;
    QVector<Edge> edges;
};

// Where Graphviz put everything, in scene units (points; y grows downwards as in Qt).
struct LayoutResult
{
    QVector<QRectF> nodes;           // per request node
    QVector<QVector<QPointF>> edges; // per request edge: a cubic B-spline's control points
                                     // (1 + 3k points), tail to head
    QRectF bounds;
    double seconds = 0;
    QVector<double> rankY; // layoutLayers: each rank's row centre (empty from Graphviz)
};

// Graphviz failed to lay a graph out; the message says which step, for the canvas's error line.
class LayoutError : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

// The one Graphviz adapter of design.md §1: "dot" with rankdir=BT (inputs at the bottom,
// logits at the top), one row per rank. cgraph/gvc are not thread-safe, so every call
// into them is made here under one mutex; any thread may call it. Throws LayoutError
// when Graphviz fails.
LayoutResult layoutGraph(const LayoutRequest& request);

// The circuit-diagram layout, no Graphviz: one row per rank (every rank below
// request.ranks, so rows do not move as the filter changes), each node at its column (a
// head's index, so a head keeps its place), q/k/v entering a head at the left, middle and
// right of its bottom, edges gentle vertical S-curves. Any thread.
LayoutResult layoutLayers(const LayoutRequest& request);

} // namespace patchbay::ui
