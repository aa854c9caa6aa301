// SPDX-License-Identifier: MIT
#include "ui/graphlayout.h"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QMap>
#include <QStringList>

#include <algorithm>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace patchbay::ui {

namespace {

std::mutex& graphvizMutex()
{
    static std::mutex m;
    return m;
}

QByteArray quoted(const QString& s)
{
    QByteArray out = "\"";
    for (const char c : s.toUtf8()) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    return out + '"';
}

// The DOT text: one `rank=same` subgraph per rank, nodes as fixed-size boxes (the canvas
// draws its own), node ids n0, n1, … so that names need no escaping in the output.
QByteArray dotText(const LayoutRequest& r)
{
    QByteArray dot = "digraph G {\n"
                     "  rankdir=BT; nodesep=0.25; ranksep=0.9; splines=true; outputorder=edgesfirst;\n"
                     "  node [shape=box, fixedsize=true, width=0.75, height=0.34, fontsize=10];\n";
    QMap<int, QVector<int>> ranks;
    for (int i = 0; i < r.nodes.size(); ++i)
        ranks[r.nodes[i].rank].append(i);
    for (auto it = ranks.cbegin(); it != ranks.cend(); ++it) {
        dot += "  { rank=same;";
        for (const int i : it.value())
            dot += " n" + QByteArray::number(i) + " [label=" + quoted(r.nodes[i].name) + "];";
        dot += " }\n";
    }
    // Invisible edges between consecutive ranks keep empty layers in order.
    const QList<int> keys = ranks.keys();
    for (int k = 0; k + 1 < keys.size(); ++k)
        dot += "  n" + QByteArray::number(ranks[keys[k]].first()) + " -> n" +
               QByteArray::number(ranks[keys[k + 1]].first()) + " [style=invis, weight=0];\n";
    for (int e = 0; e < r.edges.size(); ++e)
        dot += "  n" + QByteArray::number(r.edges[e].from) + " -> n" + QByteArray::number(r.edges[e].to) + " [id=e" +
               QByteArray::number(e) + "];\n";
    dot += "}\n";
    return dot;
}

} // namespace

LayoutResult layoutGraph(const LayoutRequest& request)
{
    QElapsedTimer timer;
    timer.start();
    LayoutResult result;
    result.nodes.resize(request.nodes.size());
    result.edges.resize(request.edges.size());
    if (request.nodes.isEmpty())
        return result;
    const QByteArray dot = dotText(request);

    std::lock_guard<std::mutex> lock(graphvizMutex());
    std::unique_ptr<GVC_t, int (*)(GVC_t*)> gvc(gvContext(), gvFreeContext);
    if (!gvc)
        throw LayoutError("Graphviz could not start (gvContext)");
    std::unique_ptr<Agraph_t, int (*)(Agraph_t*)> g(agmemread(dot.constData()), agclose);
    if (!g)
        throw LayoutError("Graphviz could not read the graph");
    if (gvLayout(gvc.get(), g.get(), "dot") != 0)
        throw LayoutError("Graphviz's dot layout failed");

    // Positions straight from the laid-out graph (points, y up).
    const boxf bb = GD_bb(g.get());
    const double height = bb.UR.y;
    auto toScene = [height](pointf p) { return QPointF(p.x, height - p.y); };
    for (Agnode_t* n = agfstnode(g.get()); n; n = agnxtnode(g.get(), n)) {
        const int index = QByteArray(agnameof(n)).mid(1).toInt();
        const QPointF c = toScene(ND_coord(n));
        const double w = ND_width(n) * 72.0, h = ND_height(n) * 72.0;
        result.nodes[index] = QRectF(c.x() - w / 2, c.y() - h / 2, w, h);
        for (Agedge_t* e = agfstout(g.get(), n); e; e = agnxtout(g.get(), e)) {
            const char* id = agget(e, const_cast<char*>("id"));
            if (!id || id[0] != 'e' || !ED_spl(e) || ED_spl(e)->size < 1)
                continue; // the invisible rank edges
            const int edge = QByteArray(id + 1).toInt();
            const bezier& b = ED_spl(e)->list[0];
            QVector<QPointF> points;
            points.reserve(static_cast<int>(b.size) + 2);
            for (int i = 0; i < b.size; ++i)
                points.append(toScene(b.list[i]));
            if (b.eflag) // the arrow head ends at ep
                points.append(toScene(b.ep));
            result.edges[edge] = points;
        }
    }
    result.bounds = QRectF(bb.LL.x, 0, bb.UR.x - bb.LL.x, bb.UR.y - bb.LL.y);
    gvFreeLayout(gvc.get(), g.get());
    result.seconds = static_cast<double>(timer.nsecsElapsed()) * 1e-9;
    return result;
}

LayoutResult layoutLayers(const LayoutRequest& request)
{
    QElapsedTimer timer;
    timer.start();
    LayoutResult out;
    // Boxes as Graphviz makes them for these labels (points): wide enough for "a31.h31".
    constexpr double kHeight = 20, kRowGap = 64, kGap = 12;
    auto width = [](const QString& name) { return std::max(40.0, 6.5 * static_cast<double>(name.size()) + 12.0); };
    double boxWidth = 40;
    int maxRank = std::max(0, request.ranks - 1), maxColumn = 0;
    for (const auto& node : request.nodes) {
        if (node.column != LayoutRequest::kAfterColumns)
            boxWidth = std::max(boxWidth, width(node.name));
        maxRank = std::max(maxRank, node.rank);
        maxColumn = std::max(maxColumn, node.column);
    }
    const double pitch = boxWidth + kGap;
    const double rowWidth = maxColumn * pitch + boxWidth;
    // Rows closer together for deep models, so that the diagram stays about as tall as it is
    // wide (GPT-2's 26 rows were a thin tower at Fit): from kRowGap down to 14 points.
    const double rowGap = std::clamp(0.8 * rowWidth / (maxRank + 1) - kHeight, 14.0, kRowGap);
    out.rankY.resize(maxRank + 1);
    for (int r = 0; r <= maxRank; ++r)
        out.rankY[r] = (maxRank - r) * (kHeight + rowGap) + kHeight / 2; // rank 0 at the bottom
    out.nodes.reserve(request.nodes.size());
    QHash<int, double> after; // per rank: where the next node right of the columns goes
    for (const auto& node : request.nodes) {
        const double y = out.rankY[node.rank] - kHeight / 2;
        if (node.column == LayoutRequest::kAfterColumns) {
            double& x = after[node.rank];
            if (x == 0)
                x = rowWidth + 2 * kGap;
            const double w = std::min(width(node.name), 240.0);
            out.nodes.append(QRectF(x, y, w, kHeight));
            x += w + kGap;
            continue;
        }
        const double x = node.column >= 0 ? node.column * pitch : (rowWidth - boxWidth) / 2;
        out.nodes.append(QRectF(x, y, boxWidth, kHeight));
    }
    out.edges.reserve(request.edges.size());
    for (const auto& edge : request.edges) {
        const QRectF& from = out.nodes[edge.from];
        const QRectF& to = out.nodes[edge.to];
        // Out of the sender's top, into the receiver's bottom (its q/k/v third for a head).
        const QPointF tail(from.center().x(), from.top());
        const double port = edge.port >= 0 && edge.port <= 2 ? (edge.port - 1) * to.width() / 3.0 : 0.0;
        const QPointF head(to.center().x() + port, to.bottom());
        const double bend = std::max(8.0, (tail.y() - head.y()) * 0.4);
        out.edges.append({tail, QPointF(tail.x(), tail.y() - bend), QPointF(head.x(), head.y() + bend), head});
    }
    out.bounds = QRectF(0, 0, rowWidth, out.rankY.isEmpty() ? kHeight : out.rankY.front() + kHeight / 2);
    for (const QRectF& r : out.nodes)
        out.bounds = out.bounds.united(r);
    out.seconds = static_cast<double>(timer.nsecsElapsed()) * 1e-9;
    return out;
}

} // namespace patchbay::ui
