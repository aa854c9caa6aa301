// SPDX-License-Identifier: MIT
// GraphCanvas, in part: edits of the circuit. Patching and restoring edges (each change one
// command on the canvas's undo stack), node labels, and groups of nodes.
#include "ui/graphcanvas_p.h"

#include <QAction>
#include <QGraphicsScene>
#include <QLabel>
#include <QInputDialog>
#include <QLineEdit>
#include <QMenu>
#include <QSet>
#include <QUndoCommand>
#include <QUndoStack>

#include <algorithm>

namespace patchbay::ui {

// ---- undo ---------------------------------------------------------------------------------

// One change of the kept flags of `edges`, from `before` to `after` (GraphCanvas::applyKept).
class SetEdgesCommand final : public QUndoCommand
{
public:
    SetEdgesCommand(GraphCanvas* canvas, QVector<int> edges, QVector<char> before, QVector<char> after,
                    const QString& text)
        : QUndoCommand(text), m_canvas(canvas), m_edges(std::move(edges)), m_before(std::move(before)),
          m_after(std::move(after))
    {
    }
    void redo() override { m_canvas->applyKept(m_edges, m_after); }
    void undo() override { m_canvas->applyKept(m_edges, m_before); }

private:
    GraphCanvas* m_canvas;
    QVector<int> m_edges;
    QVector<char> m_before, m_after;
};

// ---- edits ----------------------------------------------------------------------------------

void GraphCanvas::applyKept(const QVector<int>& edges, const QVector<char>& kept)
{
    for (int i = 0; i < edges.size(); ++i)
        m_circuit->edgeInGraph[static_cast<std::size_t>(edges[i])] = kept[i];
    m_circuit->nodesFromEdges();
    if (m_filter.mode() == Filter::InCircuit)
        updateDrawnEdges();
    else
        restyleEdges();
    updateEdgeTable();
    Q_EMIT circuitChanged();
}

void GraphCanvas::setEdgesKept(const QVector<int>& edges, bool kept, const QString& text)
{
    if (!m_circuit || edges.isEmpty())
        return;
    QVector<char> before, after;
    for (const int e : edges) {
        before.append(m_circuit->edgeInGraph[static_cast<std::size_t>(e)]);
        after.append(kept ? 1 : 0);
    }
    if (before == after)
        return;
    m_undo->push(new SetEdgesCommand(this, edges, before, after, text));
}

void GraphCanvas::toggleEdge(int edge)
{
    if (!m_circuit || edge < 0 || edge >= static_cast<int>(m_circuit->graph.edgeCount()))
        return;
    const bool kept = m_circuit->edgeInGraph[static_cast<std::size_t>(edge)] != 0;
    setEdgesKept({edge}, !kept,
                 (kept ? tr("Patch %1") : tr("Restore %1")).arg(toQString(m_circuit->graph.edgeName(static_cast<std::size_t>(edge)))));
}

void GraphCanvas::toggleNode(const QString& node)
{
    if (!m_circuit)
        return;
    // The drawn edges into or out of its node on the canvas (its group's, when collapsed),
    // not those inside the group.
    const QString key = drawnKey(node);
    const core::Graph& g = m_circuit->graph;
    QVector<int> edges;
    bool anyKept = false;
    for (const int e : std::as_const(m_drawn)) {
        const auto& edge = g.edges()[static_cast<std::size_t>(e)];
        const QString from = drawnNode(g.senders()[static_cast<std::size_t>(edge.sender)].name);
        const QString to = drawnNode(g.receivers()[static_cast<std::size_t>(edge.receiver)].nodeName);
        if (from != to && (from == key || to == key)) {
            edges.append(e);
            anyKept = anyKept || m_circuit->edgeInGraph[static_cast<std::size_t>(e)];
        }
    }
    const QString shown = isGroupKey(node) ? node.mid(6) : node;
    setEdgesKept(edges, !anyKept, (anyKept ? tr("Patch the edges of %1") : tr("Restore the edges of %1")).arg(shown));
}

void GraphCanvas::resetToTopN(int n)
{
    if (!m_circuit || !m_circuit->hasScores())
        return;
    const QVector<int>& order = m_filter.ranking().order;
    const int count = static_cast<int>(order.size());
    QVector<int> edges(count);
    QVector<char> before(count), after(count, 0);
    for (int i = 0; i < count; ++i) {
        edges[i] = i;
        before[i] = m_circuit->edgeInGraph[static_cast<std::size_t>(i)];
    }
    for (int i = 0; i < std::min(n, count); ++i)
        after[order[i]] = 1;
    if (before != after)
        m_undo->push(new SetEdgesCommand(this, edges, before, after, tr("Reset to the top %1").arg(n)));
}

void GraphCanvas::patchSelection(bool kept)
{
    if (!m_circuit)
        return;
    QVector<int> edges;
    QSet<QString> nodes;
    for (QGraphicsItem* item : m_scene->selectedItems()) {
        if (auto* e = dynamic_cast<EdgeItem*>(item))
            edges += e->members;
        else if (auto* n = dynamic_cast<NodeItem*>(item))
            nodes.insert(n->name);
    }
    for (const EdgeItem* item : std::as_const(m_items->edgeItems))
        if (nodes.contains(item->from) || nodes.contains(item->to))
            edges += item->members;
    std::sort(edges.begin(), edges.end());
    edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
    setEdgesKept(edges, kept, kept ? tr("Restore %n edges", nullptr, static_cast<int>(edges.size()))
                                   : tr("Patch %n edges", nullptr, static_cast<int>(edges.size())));
}

void GraphCanvas::onItemClicked(int edge, const QString& node, bool doubleClick)
{
    if (!node.isEmpty()) {
        if (doubleClick)
            toggleNode(node);
        else if (isGroupKey(node)) // a group is this canvas's own, not a node of the model
            setSelectedNode(node);
        else
            Q_EMIT nodeClicked(node);
    } else if (edge >= 0 && !doubleClick) {
        const EdgeItem* item = m_items->edges.value(edge);
        if (item && item->members.size() > 1) { // a group's edges, patched or restored together
            bool anyKept = false;
            for (const int e : item->members)
                anyKept = anyKept || m_circuit->edgeInGraph[static_cast<std::size_t>(e)];
            const QString what = QStringLiteral("%1 → %2").arg(shownName(item->from), shownName(item->to));
            setEdgesKept(item->members, !anyKept, (anyKept ? tr("Patch %1") : tr("Restore %1")).arg(what));
        } else {
            toggleEdge(edge);
        }
    }
}

// ---- labels ---------------------------------------------------------------------------------

void GraphCanvas::setNodeLabel(const QString& node, const QString& label)
{
    if (!m_circuit)
        return;
    if (label.trimmed().isEmpty())
        m_circuit->labels.erase(node.toStdString());
    else
        m_circuit->labels[node.toStdString()] = label.trimmed().toStdString();
    if (auto* item = m_items->nodes.value(node))
        item->setLabel(toQString(m_circuit->labels.count(node.toStdString()) ? m_circuit->labels.at(node.toStdString()) : std::string()));
    updateLevelOfDetail();
    updateSearchCompletion();
    Q_EMIT labelsChanged();
}

void GraphCanvas::setNodeGroup(const QString& node, const QString& group)
{
    if (!m_circuit)
        return;
    if (group.trimmed().isEmpty())
        m_circuit->groups.erase(node.toStdString());
    else
        m_circuit->groups[node.toStdString()] = group.trimmed().toStdString();
    Q_EMIT labelsChanged();
}

// ---- groups -------------------------------------------------------------------------------

QString GraphCanvas::drawnNode(const std::string& name) const
{
    if (!m_collapsed.isEmpty() && m_circuit)
        if (const auto it = m_circuit->groups.find(name); it != m_circuit->groups.end()) {
            const QString group = toQString(it->second);
            if (m_collapsed.contains(group))
                return groupKey(group);
        }
    return toQString(name);
}

QString GraphCanvas::drawnKey(const QString& node) const
{
    if (node.isEmpty() || isGroupKey(node) || m_items->nodes.contains(node))
        return node;
    return drawnNode(node.toStdString());
}

QString GraphCanvas::shownName(const QString& key) const { return isGroupKey(key) ? key.mid(6) : key; }

QStringList GraphCanvas::groupNames() const
{
    QStringList names;
    if (m_circuit)
        for (const auto& [node, group] : m_circuit->groups)
            names << toQString(group);
    names.removeDuplicates();
    names.sort(Qt::CaseInsensitive);
    return names;
}

QStringList GraphCanvas::groupMembers(const QString& group) const
{
    // Nodes of this graph only: the window's groups outlive a circuit of another model.
    QStringList members;
    if (!m_circuit)
        return members;
    QSet<std::string> nodes;
    for (const auto& sender : m_circuit->graph.senders())
        nodes.insert(sender.name);
    for (const auto& [node, name] : m_circuit->groups)
        if (toQString(name) == group && nodes.contains(node))
            members << toQString(node);
    return members; // std::map: in name order
}

bool GraphCanvas::makeGroup(const QStringList& nodes, const QString& name)
{
    const QString group = name.trimmed();
    if (!m_circuit || group.isEmpty())
        return false;
    QStringList members;
    for (const QString& node : nodes) {
        if (isGroupKey(node)) // a collapsed group joins with its heads
            members += groupMembers(node.mid(6));
        else if (node != QLatin1String("input") && node != QLatin1String("logits"))
            members << node;
    }
    if (members.isEmpty())
        return false;
    for (const QString& node : std::as_const(members))
        m_circuit->groups[node.toStdString()] = group.toStdString();
    updateSearchCompletion();
    Q_EMIT labelsChanged();
    m_collapsed.insert(group); // drawn as one node at once
    if (!m_drawn.isEmpty())
        requestLayout();
    return true;
}

void GraphCanvas::dissolveGroup(const QString& group)
{
    if (!m_circuit)
        return;
    for (auto it = m_circuit->groups.begin(); it != m_circuit->groups.end();)
        it = toQString(it->second) == group ? m_circuit->groups.erase(it) : std::next(it);
    m_collapsed.remove(group);
    if (m_selectedNode == groupKey(group))
        setSelectedNode(QString());
    updateSearchCompletion();
    Q_EMIT labelsChanged();
    if (!m_drawn.isEmpty())
        requestLayout();
}

void GraphCanvas::setGroupCollapsed(const QString& group, bool collapsed)
{
    if (collapsed == m_collapsed.contains(group))
        return;
    if (collapsed)
        m_collapsed.insert(group);
    else
        m_collapsed.remove(group);
    // The selection follows: a collapsed head's group, an expanded group's nothing.
    if (!collapsed && m_selectedNode == groupKey(group))
        m_selectedNode.clear();
    if (m_circuit && !m_drawn.isEmpty())
        requestLayout();
    if (m_circuit)
        Q_EMIT labelsChanged();
}

QStringList GraphCanvas::collapsedGroups() const
{
    QStringList groups(m_collapsed.cbegin(), m_collapsed.cend());
    groups.sort();
    return groups;
}

void GraphCanvas::setCollapsedGroups(const QStringList& groups)
{
    m_collapsed = QSet<QString>(groups.cbegin(), groups.cend());
    if (m_circuit && !m_drawn.isEmpty())
        requestLayout();
}

QVector<int> GraphCanvas::groupOutputs(const QString& group) const
{
    // Every edge out of the group's heads (drawn or not): patching them all patches what the
    // group writes, as the IOI paper patches its name movers.
    QVector<int> out;
    if (!m_circuit)
        return out;
    QSet<std::string> members;
    for (const QString& m : groupMembers(group))
        members.insert(m.toStdString());
    const core::Graph& g = m_circuit->graph;
    for (std::size_t e = 0; e < g.edgeCount(); ++e)
        if (members.contains(g.senders()[static_cast<std::size_t>(g.edges()[e].sender)].name))
            out.append(static_cast<int>(e));
    return out;
}

void GraphCanvas::setGroupKept(const QString& group, bool kept)
{
    if (!m_circuit)
        return;
    // Patch: the kept edges out of its heads, remembered; restore: those again, not every
    // edge out of them (most were never in the circuit).
    QVector<int> edges;
    if (kept) {
        edges = m_groupPatched.value(group);
        m_groupPatched.remove(group);
    } else {
        for (const int e : groupOutputs(group))
            if (m_circuit->edgeInGraph[static_cast<std::size_t>(e)])
                edges.append(e);
        m_groupPatched[group] = edges;
    }
    setEdgesKept(edges, kept, (kept ? tr("Restore the outputs of %1") : tr("Patch the outputs of %1")).arg(group));
}

QStringList GraphCanvas::selectedNodes() const
{
    QStringList nodes;
    for (QGraphicsItem* item : m_scene->selectedItems())
        if (auto* n = dynamic_cast<NodeItem*>(item))
            nodes << n->name;
    if (nodes.isEmpty() && !m_selectedNode.isEmpty())
        nodes << m_selectedNode;
    nodes.sort();
    return nodes;
}

void GraphCanvas::groupSelection()
{
    const QStringList nodes = selectedNodes();
    if (nodes.isEmpty()) {
        m_findNote->setText(tr("Select heads to group first: drag a box around them"));
        m_findNote->show();
        return;
    }
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("New group"),
                                               tr("Name of the group of %1 (e.g. name movers):").arg(nodes.join(QStringLiteral(", "))),
                                               QLineEdit::Normal,
                                               QString(), &ok);
    if (ok)
        makeGroup(nodes, name);
}

void GraphCanvas::fillGroupMenu(QMenu* menu)
{
    menu->clear();
    menu->addAction(tr("Group the selected nodes…"), this, &GraphCanvas::groupSelection);
    const QStringList groups = groupNames();
    if (groups.isEmpty())
        return;
    menu->addSection(tr("Collapsed into one node"));
    for (const QString& group : groups) {
        QAction* action = menu->addAction(group);
        action->setCheckable(true);
        action->setChecked(m_collapsed.contains(group));
        action->setToolTip(groupMembers(group).join(QStringLiteral(", ")));
        connect(action, &QAction::toggled, this, [this, group](bool on) { setGroupCollapsed(group, on); });
    }
}

void GraphCanvas::editNodeLabel(const QString& node, bool group)
{
    if (!m_circuit)
        return;
    const auto& map = group ? m_circuit->groups : m_circuit->labels;
    const auto it = map.find(node.toStdString());
    bool ok = false;
    const QString text = QInputDialog::getText(this, group ? tr("Group of %1").arg(node) : tr("Name of %1").arg(node),
                                               group ? tr("Group (empty: none)") : tr("Label (empty: none)"),
                                               QLineEdit::Normal, it == map.end() ? QString() : toQString(it->second), &ok);
    if (!ok)
        return;
    if (group)
        setNodeGroup(node, text);
    else
        setNodeLabel(node, text);
    if (!m_drawn.isEmpty())
        requestLayout(); // labels change the drawing
}

} // namespace patchbay::ui
