// SPDX-License-Identifier: MIT
#include "ui/graphview_p.h"

#include "ui/graphcanvas_p.h"

#include <QContextMenuEvent>
#include <QGraphicsScene>
#include <QMenu>
#include <QMouseEvent>
#include <QScrollBar>
#include <QWheelEvent>

#include <cmath>

namespace patchbay::ui {

GraphView::GraphView(QGraphicsScene* scene, GraphCanvas* canvas) : QGraphicsView(scene), m_canvas(canvas)
{
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    setDragMode(QGraphicsView::RubberBandDrag);
    setMouseTracking(true);
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    setViewportUpdateMode(QGraphicsView::BoundingRectViewportUpdate);
    // No BSP index: the items are rebuilt with every drawn set, and a full redraw of 2,000
    // edges is 16 ms without it, 19 ms with it (bench_canvas, Qwen-2.5-0.5B's graph).
    scene->setItemIndexMethod(QGraphicsScene::NoIndex);
    setBackgroundBrush(kCanvasBackground);
}

template <typename T> T* GraphView::itemAt(const QPoint& pos) const
{
    for (QGraphicsItem* item : items(pos)) {
        QGraphicsItem* top = item->parentItem() ? item->parentItem() : item;
        if (auto* t = dynamic_cast<T*>(top))
            return t;
    }
    return nullptr;
}

void GraphView::dispatch(const QPoint& pos, bool doubleClick)
{
    if (auto* node = itemAt<NodeItem>(pos))
        m_canvas->onItemClicked(-1, node->name, doubleClick);
    else if (auto* edge = itemAt<EdgeItem>(pos))
        m_canvas->onItemClicked(edge->edge, QString(), doubleClick);
}

void GraphView::mousePressEvent(QMouseEvent* event)
{
    m_press = event->position().toPoint();
    if (event->button() == Qt::MiddleButton) { // pan
        m_panning = true;
        m_panFrom = m_press;
        setCursor(Qt::ClosedHandCursor);
        return;
    }
    QGraphicsView::mousePressEvent(event);
}

void GraphView::mouseMoveEvent(QMouseEvent* event)
{
    if (m_panning) {
        const QPoint delta = event->position().toPoint() - m_panFrom;
        m_panFrom = event->position().toPoint();
        m_canvas->m_fitted = false;
        horizontalScrollBar()->setValue(horizontalScrollBar()->value() - delta.x());
        verticalScrollBar()->setValue(verticalScrollBar()->value() - delta.y());
        return;
    }
    QGraphicsView::mouseMoveEvent(event);
    // Hovering a node shows its edges (the rest dimmed) while the mouse is on it.
    const auto* node = itemAt<NodeItem>(event->position().toPoint());
    m_canvas->setHoveredNode(node ? node->name : QString());
}

void GraphView::leaveEvent(QEvent* event)
{
    m_canvas->setHoveredNode(QString());
    QGraphicsView::leaveEvent(event);
}

void GraphView::mouseReleaseEvent(QMouseEvent* event)
{
    if (m_panning) {
        m_panning = false;
        unsetCursor();
        return;
    }
    const bool click = (event->position().toPoint() - m_press).manhattanLength() < 4 && !m_afterDoubleClick;
    m_afterDoubleClick = false; // the release that ends a double click is no click of its own
    QGraphicsView::mouseReleaseEvent(event);
    // Ctrl+click adds to the selection (to group or patch several): no shared selection.
    if (click && event->button() == Qt::LeftButton && !(event->modifiers() & Qt::ControlModifier))
        dispatch(event->position().toPoint(), false);
}

void GraphView::mouseDoubleClickEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton) {
        m_afterDoubleClick = true;
        dispatch(event->position().toPoint(), true);
    }
}

void GraphView::wheelEvent(QWheelEvent* event)
{
    const double steps = event->angleDelta().y() / 120.0;
    const double factor = std::pow(1.15, steps);
    const double now = transform().m11();
    if ((now > 8 && factor > 1) || (now < 0.05 && factor < 1))
        return;
    scale(factor, factor);
    m_canvas->m_fitted = false;
    m_canvas->updateLevelOfDetail();
}

void GraphView::resizeEvent(QResizeEvent* event)
{
    QGraphicsView::resizeEvent(event);
    if (m_canvas->m_fitted) // a view the user has not zoomed stays fitted (a note above it came or went)
        m_canvas->fitToView();
}

void GraphView::contextMenuEvent(QContextMenuEvent* event)
{
    auto* node = itemAt<NodeItem>(event->pos());
    if (!node)
        return;
    QMenu menu(this);
    int selectedNodes = 0;
    for (QGraphicsItem* item : scene()->selectedItems())
        selectedNodes += dynamic_cast<NodeItem*>(item) ? 1 : 0;
    if (node->name.startsWith(QLatin1String("group:"))) {
        const QString group = node->name.mid(6);
        menu.addAction(GraphCanvas::tr("Expand %1").arg(group), [this, group] { m_canvas->setGroupCollapsed(group, false); });
        bool anyKept = false;
        for (const int e : m_canvas->groupOutputs(group))
            anyKept = anyKept || m_canvas->m_circuit->edgeInGraph[static_cast<std::size_t>(e)];
        if (anyKept)
            menu.addAction(GraphCanvas::tr("Patch the outputs of %1").arg(group),
                           [this, group] { m_canvas->setGroupKept(group, false); });
        if (!m_canvas->m_groupPatched.value(group).isEmpty())
            menu.addAction(GraphCanvas::tr("Restore the outputs of %1").arg(group),
                           [this, group] { m_canvas->setGroupKept(group, true); });
        menu.addAction(GraphCanvas::tr("Dissolve %1").arg(group), [this, group] { m_canvas->dissolveGroup(group); });
    } else {
        menu.addAction(GraphCanvas::tr("Name %1…").arg(node->name),
                       [this, name = node->name] { m_canvas->editNodeLabel(name, false); });
        menu.addAction(GraphCanvas::tr("Group %1…").arg(node->name),
                       [this, name = node->name] { m_canvas->editNodeLabel(name, true); });
        if (m_canvas->m_circuit) {
            const auto& groups = m_canvas->m_circuit->groups;
            if (const auto it = groups.find(node->name.toStdString()); it != groups.end()) {
                const QString name = toQString(it->second);
                menu.addAction(GraphCanvas::tr("Collapse %1").arg(name),
                               [this, name] { m_canvas->setGroupCollapsed(name, true); });
            }
        }
    }
    if (selectedNodes >= 2)
        menu.addAction(GraphCanvas::tr("Group the %n selected nodes…", nullptr, selectedNodes),
                       [this] { m_canvas->groupSelection(); });
    menu.addSeparator();
    menu.addAction(GraphCanvas::tr("Patch or restore its edges"),
                   [this, name = node->name] { m_canvas->toggleNode(name); });
    menu.exec(event->globalPos());
}

} // namespace patchbay::ui
