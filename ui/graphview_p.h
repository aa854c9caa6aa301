// SPDX-License-Identifier: MIT
// Private to the graph canvas: the view of its scene and what the mouse does there.
#pragma once

#include <QGraphicsView>
#include <QPoint>

namespace patchbay::ui {

class GraphCanvas;

// Click an edge or a node, double-click, drag a box (rubber band), wheel to zoom, middle
// button to pan, right-click a node for its menu; hovering a node focuses it. Every action
// is the canvas's (a friend): the view only finds the item under the mouse.
class GraphView final : public QGraphicsView
{
public:
    GraphView(QGraphicsScene* scene, GraphCanvas* canvas);

protected:
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;

private:
    template <typename T> T* itemAt(const QPoint& pos) const;
    void dispatch(const QPoint& pos, bool doubleClick);

    GraphCanvas* m_canvas;
    QPoint m_press, m_panFrom;
    bool m_panning = false;
    bool m_afterDoubleClick = false;
};

} // namespace patchbay::ui
