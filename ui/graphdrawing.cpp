// SPDX-License-Identifier: MIT
// GraphCanvas, in part: how the items look (colour, width and dashes from the scores and
// the kept edges, the legend, the focus on a node), which texts show at the current zoom,
// where items are in the view, and the drawing exported as SVG or PNG.
#include "ui/graphcanvas_p.h"

#include "ui/graphview_p.h"

#include <QComboBox>
#include <QFileInfo>
#include <QGraphicsScene>
#include <QImage>
#include <QLabel>
#include <QPainter>
#include <QSaveFile>
#include <QScopeGuard>
#include <QSet>
#include <QSvgGenerator>
#include <QTextDocument>

#include <algorithm>
#include <cmath>

namespace patchbay::ui {

namespace {

constexpr int kCrowdedEdges = 1000; // more drawn edges, zoomed out: no antialiasing

} // namespace

// ---- styling ------------------------------------------------------------------------------

bool GraphCanvas::colourByPort() const { return m_colourBox->currentIndex() == 1; }

void GraphCanvas::setColourByPort(bool byPort) { m_colourBox->setCurrentIndex(byPort ? 1 : 0); }

void GraphCanvas::restyleEdges()
{
    if (!m_circuit)
        return;
    const core::Graph& g = m_circuit->graph;
    // A drawn edge's score: its graph edge's, or the sum over the edges it stands for.
    auto scoreOf = [&](const EdgeItem* item) {
        double sum = 0;
        if (m_circuit->hasScores())
            for (const int e : item->members) {
                const double v = m_circuit->edgeScores[static_cast<std::size_t>(e)];
                sum += std::isfinite(v) ? v : 0.0;
            }
        return sum;
    };
    double largest = 0;
    for (const EdgeItem* item : std::as_const(m_items->edgeItems))
        largest = std::max(largest, std::abs(scoreOf(item)));
    const bool byPort = colourByPort();
    QHash<QString, bool> nodeActive;
    for (EdgeItem* item : std::as_const(m_items->edgeItems)) {
        int keptCount = 0;
        for (const int e : item->members)
            keptCount += m_circuit->edgeInGraph[static_cast<std::size_t>(e)] != 0 ? 1 : 0;
        const double score = scoreOf(item);
        QColor colour = !m_circuit->hasScores() ? kUnscored : (score >= 0 ? kPositive : kNegative);
        if (byPort) {
            auto port = g.receivers()[static_cast<std::size_t>(g.edges()[static_cast<std::size_t>(item->edge)].receiver)].port;
            for (const int e : item->members) // edges into several ports: no one colour
                if (g.receivers()[static_cast<std::size_t>(g.edges()[static_cast<std::size_t>(e)].receiver)].port != port)
                    port = core::Graph::Port::None;
            colour = portColour(port);
        }
        item->setPen(edgePen(colour, score, largest, keptCount, static_cast<int>(item->members.size())));
        if (keptCount > 0) {
            nodeActive[item->from] = true;
            nodeActive[item->to] = true;
        }
    }
    m_nodeActive = nodeActive;
    applyFocus();
    m_titleLabel->setText(tr("%1 · %2 edges, %3 in the circuit")
                              .arg(m_title, QLocale().toString(static_cast<qulonglong>(g.edgeCount())),
                                   QLocale().toString(edgesInCircuit())));
    updateLegend(largest);
}

void GraphCanvas::updateLegend(double largest)
{
    // What colour, width and dashes mean, in the current colour mode.
    auto swatch = [](const QColor& colour, const QString& text) {
        return QStringLiteral("<span style=\"color:%1\">&#9644;</span>&nbsp;%2").arg(colour.name(), text.toHtmlEscaped());
    };
    QStringList parts;
    if (!m_circuit) {
        m_legendLabel->clear();
        return;
    }
    if (colourByPort())
        parts << swatch(kPortQ, tr("query")) << swatch(kPortK, tr("key")) << swatch(kPortV, tr("value"))
              << swatch(kUnscored, tr("MLP, logits"));
    else if (m_circuit->hasScores())
        parts << swatch(kPositive, tr("metric rises when patched")) << swatch(kNegative, tr("metric falls when patched"));
    else
        parts << swatch(kUnscored, tr("no scores"));
    if (m_circuit->hasScores() && largest > 0)
        parts << tr("width ∝ |score| (widest %1)").arg(fixed(largest, 3)).toHtmlEscaped();
    parts << tr("dashed: patched").toHtmlEscaped();
    m_legendLabel->setText(QStringLiteral("<small>%1</small>").arg(parts.join(QStringLiteral(" &nbsp;·&nbsp; "))));
}

double GraphCanvas::nodeBaseOpacity(const QString& node) const
{
    // A node none of whose drawn edges is kept is patched away: drawn faint.
    return m_nodeActive.value(node) || node == QLatin1String("input") || node == QLatin1String("logits") ? 1.0 : 0.45;
}

void GraphCanvas::restyleNodes()
{
    for (auto it = m_items->nodes.cbegin(); it != m_items->nodes.cend(); ++it)
        it.value()->setOpacity(nodeBaseOpacity(it.key()));
}

QString GraphCanvas::legendText() const
{
    QTextDocument doc;
    doc.setHtml(m_legendLabel->text());
    return doc.toPlainText();
}
void GraphCanvas::applyFocus()
{
    // The node in focus: the hovered one while the mouse is on it, else the selected one.
    const QString focus = drawnKey(m_hoveredNode.isEmpty() ? m_selectedNode : m_hoveredNode);
    if (!m_circuit)
        return;
    QSet<QString> neighbours;
    const bool any = !focus.isEmpty() && m_items->nodes.contains(focus);
    for (EdgeItem* item : std::as_const(m_items->edgeItems)) {
        const bool touches = any && (item->from == focus || item->to == focus);
        if (touches)
            neighbours << item->from << item->to;
        item->setDim(!any || touches ? 1.0 : 0.25);
        item->setZValue(touches ? 0.5 : 0); // above the dimmed ones, below the nodes
    }
    for (auto it = m_items->nodes.cbegin(); it != m_items->nodes.cend(); ++it)
        if (any && !neighbours.contains(it.key()) && it.key() != focus)
            it.value()->setOpacity(0.25);
        else if (any)
            it.value()->setOpacity(1.0);
    if (!any)
        restyleNodes();
}

std::optional<double> GraphCanvas::drawnScore(int edge) const
{
    const EdgeItem* item = m_items->edges.value(edge);
    if (!item || !m_circuit || !m_circuit->hasScores())
        return std::nullopt;
    double sum = 0;
    for (const int e : item->members) {
        const double v = m_circuit->edgeScores[static_cast<std::size_t>(e)];
        sum += std::isfinite(v) ? v : 0.0; // as drawn
    }
    return sum;
}

double GraphCanvas::edgeItemOpacity(int edge) const
{
    const EdgeItem* item = m_items->edges.value(edge);
    return item ? item->dim : -1.0;
}
// ---- geometry ---------------------------------------------------------------------------

std::optional<QPoint> GraphCanvas::edgeViewPoint(int edge) const
{
    const EdgeItem* item = m_items->edges.value(edge);
    if (!item)
        return std::nullopt;
    // A point of the edge that no node and no other edge covers, if there is one.
    // From the middle outwards, in steps of 1/80 of its length.
    for (int step = 0; step <= 36; ++step) {
        const double t = 0.5 + (step % 2 == 0 ? 1 : -1) * ((step + 1) / 2) / 80.0;
        const QPoint p = m_view->mapFromScene(item->path().pointAtPercent(t));
        const auto under = m_view->items(p);
        if (!under.isEmpty() && under.front() == item)
            return p;
    }
    return std::nullopt;
}

bool GraphCanvas::revealEdge(int edge)
{
    EdgeItem* item = m_items->edges.value(edge);
    if (!item)
        return false;
    // Centred, and zoomed in (up to 2x) until some point of it is clear of the others.
    const QPointF middle = item->path().pointAtPercent(0.5);
    m_fitted = false;
    m_view->centerOn(middle);
    for (int i = 0; i < 6 && !edgeViewPoint(edge) && m_view->transform().m11() < 2.0; ++i) {
        m_view->scale(1.3, 1.3);
        m_view->centerOn(middle);
    }
    updateLevelOfDetail();
    return edgeViewPoint(edge).has_value();
}

std::optional<QPoint> GraphCanvas::nodeViewPoint(const QString& node) const
{
    const NodeItem* item = m_items->nodes.value(node);
    if (!item)
        return std::nullopt;
    return m_view->mapFromScene(item->rect().center());
}

QString GraphCanvas::nodeText(const QString& node) const
{
    const NodeItem* item = m_items->nodes.value(node);
    return item && item->text->isVisible() ? item->text->text() : QString();
}

std::optional<QRect> GraphCanvas::nodeLabelViewRect(const QString& node) const
{
    const NodeItem* item = m_items->nodes.value(node);
    if (!item || item->label->text().isEmpty())
        return std::nullopt;
    if (!item->label->isVisible())
        return std::nullopt;
    return item->label->deviceTransform(m_view->viewportTransform()).mapRect(item->label->boundingRect()).toAlignedRect();
}

void GraphCanvas::fitToView()
{
    if (m_scene->items().isEmpty())
        return;
    // The row labels keep their size on screen: the graph gets the width they leave, at the
    // scale s where the labels' L pixels and the scene's W units fill the view (s = (V - L) / W).
    QRectF rect = m_scene->sceneRect();
    const double labels = m_items->labelsWidth + 12;
    const QSizeF viewport = m_view->viewport()->size();
    const double s = std::min((viewport.width() - labels) / rect.width(), viewport.height() / rect.height());
    if (labels > 12 && s > 0)
        rect.adjust(-labels / s, 0, 0, 0);
    m_view->fitInView(rect, Qt::KeepAspectRatio);
    m_fitted = true;
    updateLevelOfDetail();
}

void GraphCanvas::updateLevelOfDetail()
{
    // Texts keep their size on screen; where one would not fit (a name wider than its box,
    // a label over another label, rows closer than a line), it is hidden until the view is
    // zoomed in. Tooltips and the search still name every node.
    const double s = m_view->transform().m11();
    m_items->crowded = m_items->edgeItems.size() > kCrowdedEdges && s < 1.0;
    QStringList names = m_items->nodes.keys();
    names.sort(); // the same labels win at every redraw
    QVector<QRectF> taken; // labels shown, in view pixels
    const QTransform toView = m_view->viewportTransform();
    for (const QString& name : std::as_const(names)) {
        NodeItem* node = m_items->nodes.value(name);
        const double box = node->rect().width() * s;
        const bool tall = node->rect().height() * s >= 8;
        // The full name, else the short one ("h9" on the row of layer 9), else none.
        const QFontMetricsF fm(node->text->font());
        const QString& fitting = fm.horizontalAdvance(node->fullText) + 2 <= box ? node->fullText : node->shortText;
        if (node->text->text() != fitting)
            node->text->setText(fitting);
        node->text->setVisible(tall && fm.horizontalAdvance(fitting) + 2 <= box);
        bool free = tall && !node->label->text().isEmpty();
        const QRectF r = node->label->deviceTransform(toView).mapRect(node->label->boundingRect());
        for (int i = 0; free && i < taken.size(); ++i)
            free = !taken[i].intersects(r);
        node->label->setVisible(free);
        if (free)
            taken.append(r);
    }
    for (AnchoredText* label : std::as_const(m_items->rowLabels))
        label->setVisible(m_items->rowPitch * s >= label->screenSize().height());
}

// ---- export -------------------------------------------------------------------------------

bool GraphCanvas::exportDrawing(const QString& file, QString* error) const
{
    const QString suffix = QFileInfo(file).suffix().toLower();
    const QRectF source = m_scene->sceneRect();
    if (m_scene->items().isEmpty()) {
        *error = tr("There is no graph to export.");
        return false;
    }
    if (suffix != QLatin1String("svg") && suffix != QLatin1String("png")) {
        *error = tr("%1: choose .svg or .png for a drawing.").arg(file);
        return false;
    }
    // QSaveFile: the drawing replaces `file` only once it is complete (unique temporary
    // name beside it, renamed into place), never half written.
    QSaveFile out(file);
    bool ok = out.open(QIODevice::WriteOnly);
    // The on-screen selection (the yellow glow) is not part of the figure.
    const QList<QGraphicsItem*> selected = m_scene->selectedItems();
    {
        const QSignalBlocker block(m_scene);
        for (QGraphicsItem* item : selected)
            item->setSelected(false);
    }
    // Nor is the focus on a node (the other edges dimmed): every item as without it.
    QVector<QPair<QGraphicsItem*, double>> opacities, depths;
    QVector<QPair<EdgeItem*, double>> dims;
    for (EdgeItem* item : std::as_const(m_items->edgeItems)) {
        dims.append({item, item->dim});
        depths.append({item, item->zValue()});
        item->setDim(1.0);
        item->setZValue(0);
    }
    for (auto it = m_items->nodes.cbegin(); it != m_items->nodes.cend(); ++it) {
        opacities.append({it.value(), it.value()->opacity()});
        it.value()->setOpacity(nodeBaseOpacity(it.key()));
    }
    // Antialiased in the figure, however crowded on screen.
    const bool crowded = m_items->crowded;
    m_items->crowded = false;
    // Texts at scene size in the figure (they are drawn at screen size on the canvas).
    QVector<QPair<QGraphicsItem*, bool>> texts;
    for (QGraphicsItem* item : m_scene->items())
        if (auto* text = dynamic_cast<AnchoredText*>(item)) {
            texts.append({text, text->isVisible()});
            text->setFlag(QGraphicsItem::ItemIgnoresTransformations, false);
            text->setVisible(!text->text().isEmpty());
        }
    const auto reselect = qScopeGuard([&] {
        m_items->crowded = crowded;
        for (const auto& [text, visible] : texts) {
            text->setFlag(QGraphicsItem::ItemIgnoresTransformations, true);
            text->setVisible(visible);
        }
        const QSignalBlocker block(m_scene);
        for (QGraphicsItem* item : selected)
            item->setSelected(true);
        for (const auto& [item, opacity] : opacities)
            item->setOpacity(opacity);
        for (const auto& [item, dim] : dims)
            item->setDim(dim);
        for (const auto& [item, depth] : depths)
            item->setZValue(depth);
    });
    if (ok && suffix == QLatin1String("svg")) {
        QSvgGenerator svg;
        svg.setOutputDevice(&out);
        svg.setSize(source.size().toSize());
        svg.setViewBox(QRectF(QPointF(0, 0), source.size()));
        svg.setTitle(m_title);
        QPainter painter;
        ok = painter.begin(&svg);
        if (ok) {
            m_scene->render(&painter, QRectF(QPointF(0, 0), source.size()), source);
            ok = painter.end();
        }
    } else if (ok) {
        QImage image((source.size() * 2).toSize(), QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::white);
        QPainter painter(&image);
        painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
        m_scene->render(&painter, QRectF(QPointF(0, 0), image.size()), source);
        painter.end();
        ok = image.save(&out, "PNG");
    }
    if (!ok || !out.commit()) {
        *error = tr("%1 cannot be written.").arg(file);
        return false;
    }
    return true;
}

} // namespace patchbay::ui
