// SPDX-License-Identifier: MIT
#include "ui/graphitems_p.h"

#include <QFontMetricsF>
#include <QGraphicsSceneHoverEvent>
#include <QPainter>
#include <QPainterPathStroker>
#include <QStyleOptionGraphicsItem>

#include <algorithm>
#include <cmath>

namespace patchbay::ui {

// ---- styling ------------------------------------------------------------------------------

QColor portColour(core::Graph::Port port)
{
    switch (port) {
    case core::Graph::Port::Q: return kPortQ;
    case core::Graph::Port::K: return kPortK;
    case core::Graph::Port::V: return kPortV;
    case core::Graph::Port::None: return kUnscored;
    }
    return kUnscored;
}

QPen edgePen(QColor colour, double score, double largest, int keptCount, int members)
{
    const bool kept = keptCount > 0;
    // Weak edges fade: on a real circuit the strongest read through the crowd.
    const double strength = largest > 0 ? std::abs(score) / largest : 1.0;
    colour.setAlphaF((kept ? 1.0 : 0.45) * (0.3 + 0.7 * strength));
    QPen pen(colour);
    pen.setWidthF(largest > 0 ? 0.6 + 5.4 * std::abs(score) / largest : 1.5);
    // Dashed: patched; dotted: some of a group's edges patched, some kept.
    pen.setStyle(!kept ? Qt::DashLine : keptCount < members ? Qt::DotLine : Qt::SolidLine);
    pen.setCapStyle(Qt::FlatCap);
    return pen;
}

QColor nodeFill(const QString& key, bool group)
{
    if (group)
        return QColor(200, 225, 205);
    if (key.startsWith(QLatin1Char('m')))
        return QColor(253, 230, 190);
    if (key == QLatin1String("input") || key == QLatin1String("logits"))
        return QColor(210, 210, 210);
    return QColor(226, 232, 240); // heads
}

// ---- edges --------------------------------------------------------------------------------

EdgeItem::EdgeItem(QVector<int> members, QString from, QString to, const QPainterPath& path)
    : QGraphicsPathItem(path), edge(members.front()), members(std::move(members)), from(std::move(from)),
      to(std::move(to))
{
    setFlag(ItemIsSelectable);
    setAcceptHoverEvents(true);
    setZValue(0);
}

QPainterPath EdgeItem::shape() const
{
    QPainterPathStroker stroker;
    stroker.setWidth(std::max(7.0, pen().widthF() + 4));
    return stroker.createStroke(path());
}

void EdgeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget)
{
    if (isSelected() || hovered) {
        QPen glow(isSelected() ? QColor(255, 200, 0, 170) : QColor(0, 0, 0, 50));
        glow.setWidthF(pen().widthF() + 5);
        glow.setCapStyle(Qt::RoundCap);
        painter->strokePath(path(), glow);
    }
    // The pen's colour blended over the canvas here, drawn opaque: Qt's raster engine
    // strokes 2,000 translucent antialiased curves 7x slower than opaque ones (bench_canvas).
    QPen opaque = pen();
    const QColor c = opaque.color();
    const double a = c.alphaF() * dim;
    opaque.setColor(QColor::fromRgbF(a * c.redF() + (1 - a) * kCanvasBackground.redF(),
                                     a * c.greenF() + (1 - a) * kCanvasBackground.greenF(),
                                     a * c.blueF() + (1 - a) * kCanvasBackground.blueF()));
    // A crowd of edges seen whole is drawn without antialiasing (where the jagged steps
    // are lost among the others): 2,000 of GPT-2's edges in 14 ms instead of 22.
    if (crowded && *crowded)
        painter->setRenderHint(QPainter::Antialiasing, false);
    painter->setPen(opaque);
    painter->setBrush(Qt::NoBrush);
    painter->drawPath(path());
    Q_UNUSED(option);
    Q_UNUSED(widget);
}

void EdgeItem::setDim(double d)
{
    if (d != dim) {
        dim = d;
        update();
    }
}

void EdgeItem::hoverEnterEvent(QGraphicsSceneHoverEvent*)
{
    hovered = true;
    update();
}

void EdgeItem::hoverLeaveEvent(QGraphicsSceneHoverEvent*)
{
    hovered = false;
    update();
}

// ---- texts --------------------------------------------------------------------------------

AnchoredText::AnchoredText(Anchor anchor, bool backing, QGraphicsItem* parent)
    : QGraphicsSimpleTextItem(parent), m_anchor(anchor), m_backing(backing)
{
    setFlag(ItemIgnoresTransformations);
}

QPointF AnchoredText::offset() const
{
    const QRectF r = QGraphicsSimpleTextItem::boundingRect();
    switch (m_anchor) {
    case Anchor::Centre: return {-r.width() / 2, -r.height() / 2};
    case Anchor::TopCentre: return {-r.width() / 2, 0};
    case Anchor::TopLeft: return {0, 0};
    case Anchor::RightMiddle: return {-r.width(), -r.height() / 2};
    }
    return {};
}

QRectF AnchoredText::boundingRect() const
{
    const QRectF r = QGraphicsSimpleTextItem::boundingRect().translated(offset());
    return m_backing ? r.adjusted(-2, 0, 2, 0) : r;
}

QPainterPath AnchoredText::shape() const
{
    QPainterPath path;
    path.addRect(boundingRect());
    return path;
}

void AnchoredText::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget)
{
    if (m_backing && !text().isEmpty())
        painter->fillRect(boundingRect(), kCanvasBackground);
    painter->translate(offset());
    QGraphicsSimpleTextItem::paint(painter, option, widget);
}

void AnchoredText::setAnchor(Anchor anchor)
{
    prepareGeometryChange();
    m_anchor = anchor;
}

// ---- nodes --------------------------------------------------------------------------------

NodeItem::NodeItem(const QString& name, const QString& shown, const QRectF& rect) : QGraphicsRectItem(rect), name(name)
{
    setFlag(ItemIsSelectable);
    setZValue(1);
    text = new AnchoredText(AnchoredText::Anchor::Centre, false, this);
    QFont f = text->font();
    f.setPointSizeF(8.5);
    text->setFont(f);
    fullText = QFontMetricsF(f).elidedText(shown, Qt::ElideRight, rect.width() - 4);
    // Where the full name does not fit, a head's index within its row ("h9": the row
    // says the layer), a key/value head's ("kv1"). Read off the node's key (a graph node's
    // name; a group's key is "group:…", whatever its text).
    const int dot = name.indexOf(QLatin1Char('.'));
    shortText = name.startsWith(QLatin1Char('a')) && dot > 0 && shown == name ? name.mid(dot + 1) : fullText;
    text->setText(fullText);
    label = new AnchoredText(AnchoredText::Anchor::TopCentre, true, this);
    QFont small = f;
    small.setPointSizeF(7);
    small.setItalic(true);
    label->setFont(small);
    label->setBrush(QColor(70, 70, 70));
    place();
}

void NodeItem::setLabel(const QString& l)
{
    label->setText(l);
    place();
}

void NodeItem::place()
{
    const QRectF r = rect();
    text->setPos(r.center());
    label->setPos(leftLabel ? r.left() : r.center().x(), r.bottom() + 1);
}

void NodeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget)
{
    QStyleOptionGraphicsItem plain(*option);
    plain.state &= ~QStyle::State_Selected;
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(pen());
    painter->setBrush(brush());
    painter->drawRoundedRect(rect(), 4, 4);
    if (isSelected()) {
        painter->setPen(QPen(QColor(255, 200, 0), 2.5));
        painter->setBrush(Qt::NoBrush);
        painter->drawRoundedRect(rect().adjusted(-2, -2, 2, 2), 5, 5);
    }
    Q_UNUSED(widget);
}

void NodeItem::setLabelLeft()
{
    leftLabel = true;
    label->setAnchor(AnchoredText::Anchor::TopLeft);
    place();
}

// ---- the edge table -----------------------------------------------------------------------

bool ScoreItem::operator<(const QTableWidgetItem& other) const
{
    const double a = data(Qt::UserRole).toDouble(), b = other.data(Qt::UserRole).toDouble();
    if (std::isnan(a) || std::isnan(b)) // NaN lowest: a strict weak order still
        return std::isnan(a) && !std::isnan(b);
    return a < b;
}

} // namespace patchbay::ui
