// SPDX-License-Identifier: MIT
#pragma once

#include "ui/computeworker.h"
#include "ui/edgefilter.h"
#include "ui/graphlayout.h"

#include "core/graph/circuit.h"

#include <QHash>
#include <QPointer>
#include <QSet>
#include <QThreadPool>
#include <QWidget>

#include <memory>
#include <optional>

class QComboBox;
class QDoubleSpinBox;
class QGraphicsScene;
class QGraphicsView;
class QLabel;
class QLineEdit;
class QMenu;
class QSlider;
class QSplitter;
class QTableWidget;
class QToolButton;
class QUndoStack;

namespace patchbay::ui {

class GraphView;
struct LayoutJob;

// The circuit graph: nodes (input, heads a5.h1, MLPs m3, logits) on one row per layer,
// inputs at the bottom and logits at the top, laid out by Graphviz (ui/graphlayout) off
// the GUI thread; edges coloured by the sign of their score or by q/k/v, their width by
// |score|. Which edges are drawn: the top n by |score|, those with |score| >= a threshold,
// the smallest set holding a share of Σ|score|, or exactly the edges in the circuit (the
// arithmetic in EdgeFilter).
//
// The circuit is the set of kept edges (in_graph); every other edge is patched to its
// reference. Click an edge to patch it (drawn dashed) or restore it; double-click a node to
// patch or restore all its drawn edges; drag a box and press Patch / Restore for several.
// Every change is one QUndoStack command and emits circuitChanged(): the window has the
// metric computed on the worker and shows it here (setEvaluation). A click on a node
// selects it (nodeClicked), the shared selection. GUI thread only.
class GraphCanvas final : public QWidget
{
    Q_OBJECT

public:
    using Filter = EdgeFilter::Mode; // TopN, Threshold, CumulativeShare, InCircuit

    explicit GraphCanvas(QWidget* parent = nullptr);
    ~GraphCanvas() override;

    // Any thread: the window ranks an imported file's 1.6 M edges on its import thread and
    // hands the ranking to setCircuit (EdgeFilter::rank of its scores and kept edges).
    static EdgeRanking rankEdges(const core::Circuit& circuit);
    // A scored (or merely selected) circuit to show. When none of its edges is in the
    // circuit, the top n by |score| are put in (n from the filter). Clears the undo stack.
    // `ranking`, when it is rankEdges(circuit), saves ranking here.
    void setCircuit(core::Circuit circuit, const QString& title, EdgeRanking ranking = {});
    bool hasCircuit() const { return m_circuit.has_value(); }
    const core::Circuit& circuit() const { return *m_circuit; } // the current state
    std::vector<float> edgeMask() const; // 1 kept, 0 patched (Graph::edges() order)
    int edgesInCircuit() const;

    // Which edges are drawn. value: n (TopN), the threshold (Threshold), the share in [0,1]
    // (CumulativeShare); ignored for InCircuit.
    void setFilter(Filter filter, double value);
    Filter filter() const { return m_filter.mode(); }
    double filterValue() const { return m_filter.value(); }
    QString title() const { return m_title; }
    // The circuit diagram (one row per layer, heads in place; the default) or Graphviz's.
    bool layeredLayout() const;
    void setLayeredLayout(bool layers);
    // The "layer l" row labels of the circuit diagram (empty for Graphviz's layout).
    QStringList rowLabels() const;
    // Edges coloured by q/k/v port (true) or by the sign of their score (false).
    bool colourByPort() const;
    void setColourByPort(bool byPort);
    // The legend under the controls: colours of the current mode, width, dashes (plain text).
    QString legendText() const;
    QVector<int> drawnEdges() const { return m_drawn; }
    // The drawn edges' items once the layout has been applied (0 while laying out).
    int edgeItemCount() const;
    bool layoutPending() const { return m_layoutPending; }
    double lastLayoutSeconds() const { return m_layoutSeconds; }
    double lastSceneSeconds() const { return m_sceneSeconds; }

    // Undoable edits.
    void setEdgesKept(const QVector<int>& edges, bool kept, const QString& text);
    void toggleEdge(int edge);
    void toggleNode(const QString& node); // every drawn edge into or out of it
    void resetToTopN(int n);              // the circuit becomes the top n by |score|
    QUndoStack* undoStack() const { return m_undo; }

    // The metric of the current circuit (from ComputeWorker::evaluateCircuit), or a line
    // saying why there is none / that it is being computed.
    void setEvaluation(const CircuitEvaluation& evaluation);
    void setEvaluationMessage(const QString& message);
    QString evaluationText() const;
    // A line under the metric while a newer one is being computed (the numbers above are
    // then those of the circuit before the last edit); setEvaluation*() hides it.
    void showEvaluationBusy(const QString& message);
    // A standing line about what the metric is computed on ("" hides it).
    void setEvaluationNote(const QString& note);
    QString evaluationNote() const;
    bool evaluationBusy() const;
    // The metric's change when `edge` was patched, measured by two evaluations that differed
    // in that edge alone (the circuit around it as it was then); nullopt until then.
    std::optional<double> measuredEffect(int edge) const;
    // The last evaluation shown, when it is of the circuit as it is now (no edit since and
    // none being computed); nullopt otherwise. Lessons check the circuit's faithfulness.
    std::optional<CircuitEvaluation> currentEvaluation() const;

    // The highlighted node (the shared selection); empty for none. Its edges stay bright and
    // the rest are dimmed (pinned; hovering another node shows that one's while the mouse is
    // on it), and its edge table opens beside the graph.
    void setSelectedNode(const QString& node);
    QString selectedNode() const { return m_selectedNode; }
    QString hoveredNode() const { return m_hoveredNode; }
    void setHoveredNode(const QString& node);
    // Finds a node by name ("a1.h3", "m0", "logits") or by its label or group (case
    // insensitive, the first whose label contains `text`), selects it (nodeClicked) and
    // centres the view on it. False, with findNote() saying why, when there is none or it is
    // not drawn under the current filter.
    bool findNode(const QString& text);
    QString findNote() const;
    // Every edge into or out of `node` in the graph (drawn or not), in graph order.
    QVector<int> edgesOfNode(const QString& node) const;
    // The table of the selected node's edges (edge, score, in the circuit), sortable; shown
    // while the Edges button is down.
    void setEdgeTableShown(bool shown);
    QTableWidget* edgeTable() const { return m_edgeTable; }
    // The score an edge is drawn with: its own, or the sum over the edges between a collapsed
    // group and another node that one line draws; nullopt when it is not drawn.
    std::optional<double> drawnScore(int edge) const;
    // A drawn edge's opacity (1 bright, lower dimmed); -1 when it is not drawn.
    double edgeItemOpacity(int edge) const;
    // User labels and groups of nodes, drawn under the node name and kept in the circuit.
    void setNodeLabel(const QString& node, const QString& label);
    void setNodeGroup(const QString& node, const QString& group);

    // Groups of nodes (the IOI paper's "name movers"), kept in the circuit's groups. A
    // collapsed group is drawn as one node (key "group:" + its name) on the row of its lowest
    // member; its edges to each other node are one edge whose score is their sum, patched and
    // restored together. makeGroup() puts `nodes` into `name` and collapses it.
    QStringList groupNames() const;
    // The nodes selected on the canvas (a drag box, Ctrl+click), or else the highlighted one:
    // what Groups > Group the selected nodes… groups.
    QStringList selectedNodes() const;
    QStringList groupMembers(const QString& group) const;
    bool makeGroup(const QStringList& nodes, const QString& name);
    void dissolveGroup(const QString& group);
    void setGroupCollapsed(const QString& group, bool collapsed);
    QStringList collapsedGroups() const;
    void setCollapsedGroups(const QStringList& groups);
    // Every edge out of the group's nodes, drawn or not; setGroupKept patches (false) the kept
    // ones, or restores (true) them all, as one undoable step: the group patched as a whole.
    QVector<int> groupOutputs(const QString& group) const;
    void setGroupKept(const QString& group, bool kept);

    // Where an edge or a node is drawn, in the view's coordinates (tests, tooltips).
    std::optional<QPoint> edgeViewPoint(int edge) const;
    std::optional<QPoint> nodeViewPoint(const QString& node) const;
    // Centres the view on a drawn edge, zooming in until it can be clicked; false when it is
    // not drawn or stays covered.
    bool revealEdge(int edge);
    std::optional<QRect> nodeLabelViewRect(const QString& node) const; // its user label; none without one
    // The name drawn in a node's box at the current zoom: "a9.h9", "h9" where only that fits
    // (the row says the layer), "" where nothing does.
    QString nodeText(const QString& node) const;
    QGraphicsView* view() const;
    void fitToView();
    // Shows the node names, labels and row labels that fit at the current zoom (they are
    // drawn at screen size); called after every zoom.
    void updateLevelOfDetail();

    // The drawing as SVG or PNG (by suffix); false and *error otherwise.
    bool exportDrawing(const QString& file, QString* error) const;

Q_SIGNALS:
    void circuitChanged();                 // the kept edges changed
    void nodeClicked(const QString& node); // for the shared selection
    void labelsChanged();                  // a node label or group changed
    void layoutApplied();                  // the drawn edges' items exist
    void circuitReplaced();                // setCircuit: another circuit (or its scores) on show
    void helpRequested(const QString& topic); // the `?` by the metric: "faithfulness"

private:
    friend class GraphView;
    friend class SetEdgesCommand;
    void applyKept(const QVector<int>& edges, const QVector<char>& kept); // no undo
    void updateDrawnEdges();  // from the filter: recompute m_drawn, lay out if changed
    void requestLayout();
    void buildScene(const LayoutJob& job, const LayoutResult& layout);
    void restyleEdges();
    void updateLegend(double largest);
    void applyFocus();
    void restyleNodes(); // faint where no drawn edge is kept
    double nodeBaseOpacity(const QString& node) const;      // bright edges of the hovered or selected node, the rest dimmed
    void updateEdgeTable(); // the selected node's edges
    void updateSearchCompletion();
    void onEdgeRowActivated(int row, bool toggle);
    void updateFilterControls();
    void onSliderMoved(int position);
    void onItemClicked(int edge, const QString& node, bool doubleClick);
    void patchSelection(bool kept);
    void editNodeLabel(const QString& node, bool group);
    QString edgeToolTip(int edge) const;
    QString drawnNode(const std::string& name) const; // its key on the canvas (its collapsed group's)
    QString shownName(const QString& key) const;
    QString drawnKey(const QString& node) const; // a node's key on the canvas: itself, or its collapsed group's
    void groupSelection(); // asks for a name
    void fillGroupMenu(QMenu* menu);
    int drawnCount() const;

    std::optional<core::Circuit> m_circuit;
    EdgeFilter m_filter; // the ranking of the circuit's edges, the mode and its value
    QVector<int> m_drawn;
    QString m_title;
    QString m_selectedNode;
    QString m_hoveredNode;
    QSet<QString> m_collapsed; // groups drawn as one node
    QHash<QString, QVector<int>> m_groupPatched; // per group: the edges its last patch removed
    QHash<QString, bool> m_nodeActive; // nodes with a kept drawn edge (restyleEdges)
    std::vector<char> m_evaluatedKept; // the kept edges of the last evaluation shown
    double m_evaluatedMetric = 0;
    std::optional<CircuitEvaluation> m_lastEvaluation;
    QHash<int, double> m_measured; // edge -> measured effect of patching it

    QGraphicsScene* m_scene = nullptr;
    GraphView* m_view = nullptr;
    QComboBox* m_filterBox = nullptr;
    QSlider* m_slider = nullptr;
    QLabel* m_sliderLabel = nullptr;
    QComboBox* m_colourBox = nullptr;
    QComboBox* m_layoutBox = nullptr; // Layers (the circuit diagram) or Graphviz
    bool m_refitAfterLayout = false;
    bool m_fitted = false; // the view is as Fit left it (refitted when it resizes)
    QLabel* m_metricLabel = nullptr;
    QDoubleSpinBox* m_valueBox = nullptr; // the filter's number, typed or stepped
    QLabel* m_busyLabel = nullptr;
    QLabel* m_noteLabel = nullptr;
    QLabel* m_titleLabel = nullptr;
    QLabel* m_legendLabel = nullptr;
    QLineEdit* m_search = nullptr;
    QLabel* m_findNote = nullptr;
    QSplitter* m_split = nullptr;
    QWidget* m_edgePanel = nullptr;
    QToolButton* m_edgesButton = nullptr;
    QLabel* m_edgeHeader = nullptr;
    QTableWidget* m_edgeTable = nullptr;
    QUndoStack* m_undo = nullptr;

    struct Items;
    std::unique_ptr<Items> m_items;
    QThreadPool m_pool; // Graphviz layouts, one at a time, waited for on destruction
    quint64 m_layoutGeneration = 0;
    bool m_layoutPending = false; // the drawing does not show the drawn set yet
    bool m_layoutRunning = false; // a layout job is on the thread pool
    bool m_layoutQueued = false;  // and another is needed when it ends
    double m_layoutSeconds = 0, m_sceneSeconds = 0;
};

} // namespace patchbay::ui
