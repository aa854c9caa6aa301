// SPDX-License-Identifier: MIT
// Private to the graph canvas (ui/graph*.cpp): its scene items and how they look. Items
// refer to the circuit by edge index and node key only; the canvas styles them.
#pragma once

#include "core/graph/graph.h"

#include <QColor>
#include <QGraphicsPathItem>
#include <QGraphicsRectItem>
#include <QGraphicsSimpleTextItem>
#include <QPen>
#include <QString>
#include <QTableWidgetItem>
#include <QVector>

namespace patchbay::ui {

// The canvas's colours: edges by the sign of their score or by the port they enter.
inline const QColor kPositive(33, 102, 172); // the metric rises when the edge is patched
inline const QColor kNegative(178, 24, 43);  // the metric falls: the edge carries the behaviour
inline const QColor kUnscored(110, 110, 110);
inline const QColor kCanvasBackground(250, 250, 250);
inline const QColor kPortQ(224, 130, 20), kPortK(27, 120, 55), kPortV(118, 42, 131);

// The colour of edges into `port` when edges are coloured by q/k/v (kUnscored for none).
QColor portColour(core::Graph::Port port);
// A drawn edge's pen: `colour` (by sign or port), faded and narrowed as |score| falls below
// the `largest` drawn; faint and dashed when none of its `members` edges is kept, dotted
// when only some are (`keptCount` of them).
QPen edgePen(QColor colour, double score, double largest, int keptCount, int members);
// A node's fill by its key: heads, MLPs ("m3"), input and logits, a collapsed group.
QColor nodeFill(const QString& key, bool group);

// One drawn edge: one edge of the graph, or the edges between a collapsed group and
// another node (`members`, summed), patched and restored together.
class EdgeItem final : public QGraphicsPathItem
{
public:
    EdgeItem(QVector<int> members, QString from, QString to, const QPainterPath& path);
    QPainterPath shape() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;
    // Dimmed (< 1) while another node is in focus: faded towards the canvas colour.
    void setDim(double d);
    void hoverEnterEvent(QGraphicsSceneHoverEvent*) override;
    void hoverLeaveEvent(QGraphicsSceneHoverEvent*) override;

    int edge; // the first of members
    QVector<int> members;
    QString from, to; // the drawn nodes' keys
    bool hovered = false;
    double dim = 1.0;
    const bool* crowded = nullptr; // GraphCanvas::Items::crowded
};

// Text drawn at screen size whatever the zoom (ItemIgnoresTransformations), placed by an
// anchor at its position: a node's name centred in its box, its user label under the box
// (on a backing of the canvas colour, so that no edge strikes it through), a row's
// "layer l" right-aligned left of the row. GraphCanvas::updateLevelOfDetail() hides the
// texts that would not fit at the current zoom. Exports draw them at scene size.
class AnchoredText final : public QGraphicsSimpleTextItem
{
public:
    enum class Anchor { Centre, TopCentre, TopLeft, RightMiddle };
    AnchoredText(Anchor anchor, bool backing, QGraphicsItem* parent = nullptr);
    QPointF offset() const;
    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;
    void setAnchor(Anchor anchor);
    // Its size on screen, in pixels (the same at every zoom).
    QSizeF screenSize() const { return QGraphicsSimpleTextItem::boundingRect().size(); }

private:
    Anchor m_anchor;
    bool m_backing;
};

class NodeItem final : public QGraphicsRectItem
{
public:
    // `name` is the node's key (a graph node's name, or "group:" + a group's name); `shown`
    // its text in the box, elided to the box.
    NodeItem(const QString& name, const QString& shown, const QRectF& rect);
    void setLabel(const QString& l);
    void place();
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;
    // A label from the box's left edge rightwards (a group's, right of every column), else centred.
    void setLabelLeft();

    QString name;
    QString fullText, shortText;
    AnchoredText* text = nullptr;
    AnchoredText* label = nullptr;
    bool leftLabel = false;
};

// A score cell of the edge table: shown with 3 digits, sorted by its value (Qt::UserRole).
class ScoreItem final : public QTableWidgetItem
{
public:
    bool operator<(const QTableWidgetItem& other) const override;
};

} // namespace patchbay::ui
