// SPDX-License-Identifier: MIT
// GraphCanvas, in part: the drawn edges laid out off the GUI thread (ui/graphlayout, one
// job at a time on the canvas's pool) and the layout turned into scene items.
#include "ui/graphcanvas_p.h"

#include "ui/graphlayout.h"
#include "ui/graphview_p.h"

#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QGraphicsScene>
#include <QLabel>
#include <QPointer>

#include <algorithm>
#include <cmath>
#include <memory>

namespace patchbay::ui {

namespace {

// One row per layer: input 0; heads of layer l 2l+1 and its MLP 2l+2 (2l+1 when the
// block runs attention and MLP in parallel); logits above the last layer.
int rankOf(const core::Graph& g, core::Graph::NodeKind kind, int layer)
{
    switch (kind) {
    case core::Graph::NodeKind::Input:
        return 0;
    case core::Graph::NodeKind::Head:
        return 2 * layer + 1;
    case core::Graph::NodeKind::Mlp:
        return g.parallelAttnMlp() ? 2 * layer + 1 : 2 * layer + 2;
    case core::Graph::NodeKind::Logits:
        return 2 * g.nLayers() + 1;
    }
    return 0;
}

} // namespace

struct LayoutJob
{
    LayoutRequest request;
    QVector<QString> keys;      // node key per request node
    QVector<QVector<int>> edges; // graph edges per request edge (several into or out of a collapsed group)
    bool layers = true; // layoutLayers (the circuit diagram), else Graphviz
};

void GraphCanvas::requestLayout()
{
    // One layout at a time: while one runs, changes only mark that another is needed, and
    // the newest drawn set is laid out when it ends (a dragged slider costs two layouts).
    m_layoutPending = true;
    if (m_layoutRunning) {
        m_layoutQueued = true;
        return;
    }
    m_layoutRunning = true;
    const core::Graph& g = m_circuit->graph;
    auto job = std::make_shared<LayoutJob>();
    job->layers = m_layoutBox->currentIndex() == 0;
    job->request.ranks = rankOf(g, core::Graph::NodeKind::Logits, g.nLayers()) + 1;
    QHash<QString, int> index;
    // A collapsed group is one node, on the row of its lowest member, right of the heads.
    QHash<QString, int> groupRank;
    for (const auto& s : g.senders()) {
        const QString key = drawnNode(s.name);
        if (isGroupKey(key)) {
            const int rank = rankOf(g, s.kind, s.layer);
            groupRank[key] = groupRank.contains(key) ? std::min(groupRank[key], rank) : rank;
        }
    }
    auto node = [&](const QString& name, int rank, int column) {
        const QString key = drawnNode(name.toStdString());
        const auto it = index.constFind(key);
        if (it != index.constEnd())
            return *it;
        const int i = static_cast<int>(job->request.nodes.size());
        if (isGroupKey(key))
            job->request.nodes.append({key.mid(6), groupRank.value(key, rank), LayoutRequest::kAfterColumns});
        else
            job->request.nodes.append({name, rank, column});
        job->keys.append(key);
        index.insert(key, i);
        return i;
    };
    // Columns of the circuit diagram: heads by index, the MLP after them, a grouped-query
    // model's key/value nodes after the MLP; input and logits centred.
    auto senderColumn = [&](const core::Graph::Sender& s) {
        return s.kind == core::Graph::NodeKind::Head ? s.head : s.kind == core::Graph::NodeKind::Mlp ? g.nHeads() : -1;
    };
    auto receiverColumn = [&](const core::Graph::Receiver& r) {
        if (r.kind == core::Graph::NodeKind::Mlp)
            return g.nHeads();
        if (r.kind != core::Graph::NodeKind::Head)
            return -1;
        const bool kvNode = r.nodeName.find(".kv") != std::string::npos;
        return kvNode ? g.nHeads() + 1 + r.head : r.head;
    };
    const auto& input = g.senders().front();
    node(toQString(input.name), rankOf(g, input.kind, input.layer), -1);
    node(QStringLiteral("logits"), rankOf(g, core::Graph::NodeKind::Logits, g.nLayers()), -1);
    // Edges between the same two drawn nodes (into or out of a collapsed group) are one;
    // those inside a collapsed group are not drawn.
    QHash<qint64, int> merged;
    for (const int e : std::as_const(m_drawn)) {
        const auto& edge = g.edges()[static_cast<std::size_t>(e)];
        const auto& s = g.senders()[static_cast<std::size_t>(edge.sender)];
        const auto& r = g.receivers()[static_cast<std::size_t>(edge.receiver)];
        const int from = node(toQString(s.name), rankOf(g, s.kind, s.layer), senderColumn(s));
        const int to = node(toQString(r.nodeName), rankOf(g, r.kind, r.layer), receiverColumn(r));
        if (from == to)
            continue;
        const bool group = isGroupKey(job->keys[from]) || isGroupKey(job->keys[to]);
        const int port = r.port == core::Graph::Port::None || isGroupKey(job->keys[to]) ? -1 : static_cast<int>(r.port);
        if (group) {
            const qint64 key = (qint64(from) << 32) | qint64(to);
            if (const auto it = merged.constFind(key); it != merged.constEnd()) {
                job->edges[*it].append(e);
                continue;
            }
            merged.insert(key, static_cast<int>(job->request.edges.size()));
        }
        job->request.edges.append({from, to, port});
        job->edges.append(QVector<int>{e});
    }
    const quint64 generation = ++m_layoutGeneration;
    m_layoutPending = true;
    QPointer<GraphCanvas> self(this);
    m_pool.start([self, job, generation] {
        auto result = std::make_shared<LayoutResult>();
        QString error;
        try {
            *result = job->layers ? layoutLayers(job->request) : layoutGraph(job->request);
        } catch (const std::exception& e) {
            error = toQString(e.what());
        }
        QMetaObject::invokeMethod(
            qApp,
            [self, job, generation, result, error] {
                if (!self)
                    return;
                self->m_layoutRunning = false;
                if (generation != self->m_layoutGeneration)
                    return;
                if (self->m_layoutQueued) { // the drawn set changed meanwhile
                    self->m_layoutQueued = false;
                    self->requestLayout();
                    return;
                }
                self->m_layoutPending = false;
                if (!error.isEmpty()) {
                    self->m_titleLabel->setText(tr("The graph could not be laid out: %1").arg(error));
                    return;
                }
                self->m_layoutSeconds = result->seconds;
                self->buildScene(*job, *result);
            },
            Qt::QueuedConnection);
    });
}

void GraphCanvas::buildScene(const LayoutJob& job, const LayoutResult& layout)
{
    QElapsedTimer timer;
    timer.start();
    const bool firstDrawing = m_items->edges.isEmpty();
    m_hoveredNode.clear(); // its item is gone; the next mouse move finds the new one
    m_scene->clear();
    m_items->edges.clear();
    m_items->edgeItems.clear();
    m_items->nodes.clear();
    m_items->rowLabels.clear();
    m_items->labelsWidth = 0;
    QRectF groupLabels; // right of the columns: the scene must hold them (at scale 1)
    for (int i = 0; i < job.request.nodes.size(); ++i) {
        const QString& name = job.keys[i];
        auto* item = new NodeItem(name, job.request.nodes[i].name, layout.nodes[i]);
        item->setBrush(nodeFill(name, isGroupKey(name)));
        item->setPen(QPen(QColor(90, 90, 90), isGroupKey(name) ? 1.6 : 1.0));
        if (isGroupKey(name)) {
            const QStringList members = groupMembers(name.mid(6));
            // Its name under the box as well: at Fit the box is often too small for it.
            // "1 head", "3 heads": a string each (an English %n would say "1 heads").
            item->setLabel(members.size() == 1 ? tr("%1 · 1 head").arg(name.mid(6))
                                               : tr("%1 · %2 heads").arg(name.mid(6)).arg(members.size()));
            item->setLabelLeft();
            groupLabels = groupLabels.united(QRectF(item->rect().bottomLeft(), item->label->screenSize()));
            item->setToolTip(tr("Group %1: %2\nright-click to expand it or patch its outputs")
                                 .arg(name.mid(6), members.join(QStringLiteral(", "))));
            m_scene->addItem(item);
            m_items->nodes.insert(name, item);
            continue;
        }
        const auto label = m_circuit->labels.find(name.toStdString());
        const auto group = m_circuit->groups.find(name.toStdString());
        QStringList extra;
        if (label != m_circuit->labels.end())
            extra << toQString(label->second);
        if (group != m_circuit->groups.end())
            extra << QStringLiteral("[%1]").arg(toQString(group->second));
        item->setLabel(extra.join(QLatin1Char(' ')));
        item->setToolTip(extra.isEmpty() ? name : name + QStringLiteral("\n") + extra.join(QLatin1Char(' ')));
        m_scene->addItem(item);
        m_items->nodes.insert(name, item);
    }
    // Weakest first: drawn opaque, the strongest edges lie on top where edges cross.
    for (int i = static_cast<int>(job.edges.size()) - 1; i >= 0; --i) {
        const QVector<QPointF>& points = layout.edges[i];
        if (points.isEmpty())
            continue;
        QPainterPath path(points.front());
        int k = 1;
        for (; k + 2 < points.size(); k += 3)
            path.cubicTo(points[k], points[k + 1], points[k + 2]);
        for (; k < points.size(); ++k)
            path.lineTo(points[k]);
        const auto& from = job.keys[job.request.edges[i].from];
        const auto& to = job.keys[job.request.edges[i].to];
        auto* item = new EdgeItem(job.edges[i], from, to, path);
        item->crowded = &m_items->crowded;
        m_scene->addItem(item);
        for (const int e : job.edges[i])
            m_items->edges.insert(e, item);
        m_items->edgeItems.append(item);
        item->setToolTip(edgeToolTip(item->edge));
    }
    QRectF bounds = groupLabels.isEmpty() ? layout.bounds : layout.bounds.united(groupLabels);
    if (!layout.rankY.isEmpty()) {
        // The circuit diagram's rows: "layer l" left of each layer's heads.
        const core::Graph& g = m_circuit->graph;
        QFont font = m_view->font();
        font.setPointSizeF(8);
        for (int l = 0; l < g.nLayers(); ++l) {
            const int rank = rankOf(g, core::Graph::NodeKind::Head, l);
            if (rank >= layout.rankY.size())
                continue;
            auto* label = new AnchoredText(AnchoredText::Anchor::RightMiddle, false);
            label->setFont(font);
            label->setText(tr("layer %1").arg(l));
            label->setBrush(QColor(120, 120, 120));
            label->setPos(layout.bounds.left() - 8, layout.rankY[rank]);
            label->setData(0, QStringLiteral("rowLabel"));
            m_scene->addItem(label);
            m_items->rowLabels.append(label);
            m_items->labelsWidth = std::max(m_items->labelsWidth, label->screenSize().width());
            bounds = bounds.united(QRectF(label->pos() - QPointF(label->screenSize().width(), 0), label->screenSize()));
        }
        const int first = rankOf(g, core::Graph::NodeKind::Head, 0), second = rankOf(g, core::Graph::NodeKind::Head, 1);
        m_items->rowPitch = second < layout.rankY.size() ? std::abs(layout.rankY[first] - layout.rankY[second]) : 100.0;
    }
    m_scene->setSceneRect(bounds.adjusted(-20, -20, 20, 20));
    restyleEdges();
    setSelectedNode(m_selectedNode);
    if (firstDrawing || m_refitAfterLayout)
        fitToView();
    else
        updateLevelOfDetail();
    m_refitAfterLayout = false;
    updateEdgeTable(); // which of the node's edges are drawn has changed
    m_sceneSeconds = static_cast<double>(timer.nsecsElapsed()) * 1e-9;
    Q_EMIT layoutApplied();
}

bool GraphCanvas::layeredLayout() const { return m_layoutBox->currentIndex() == 0; }

void GraphCanvas::setLayeredLayout(bool layers) { m_layoutBox->setCurrentIndex(layers ? 0 : 1); }

QStringList GraphCanvas::rowLabels() const
{
    QStringList labels;
    for (QGraphicsItem* item : m_scene->items(Qt::AscendingOrder))
        if (item->data(0).toString() == QLatin1String("rowLabel"))
            labels << static_cast<QGraphicsSimpleTextItem*>(item)->text();
    return labels;
}

} // namespace patchbay::ui
