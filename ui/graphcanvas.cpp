// SPDX-License-Identifier: MIT
// GraphCanvas, the widget (the rest of it by job: graphcanvas_p.h).
#include "ui/graphcanvas_p.h"

#include "ui/graphview_p.h"

#include <QComboBox>
#include <QCompleter>
#include <QDoubleSpinBox>
#include <QGraphicsScene>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QScopeGuard>
#include <QSet>
#include <QSlider>
#include <QSplitter>
#include <QTableWidget>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace patchbay::ui {

namespace {

constexpr int kDefaultTopN = 100;

} // namespace

GraphCanvas::GraphCanvas(QWidget* parent) : QWidget(parent), m_items(std::make_unique<Items>())
{
    m_undo = new QUndoStack(this);
    m_pool.setMaxThreadCount(1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);

    // Two rows of controls, what is drawn above and what to do below: every control stays
    // on screen however narrow the canvas (a one-row tool bar hid Reset behind a `››`
    // at the default window size).
    auto* bar = new QWidget(this);
    bar->setObjectName(QStringLiteral("graphToolBar"));
    m_filterBox = new QComboBox(this);
    m_filterBox->setObjectName(QStringLiteral("graphFilter"));
    m_filterBox->addItem(tr("Top n"), static_cast<int>(Filter::TopN));
    m_filterBox->addItem(tr("|score| ≥"), static_cast<int>(Filter::Threshold));
    m_filterBox->addItem(tr("Share of Σ|score|"), static_cast<int>(Filter::CumulativeShare));
    m_filterBox->addItem(tr("In circuit"), static_cast<int>(Filter::InCircuit));
    m_filterBox->setToolTip(tr("Which edges are drawn"));
    m_slider = new QSlider(Qt::Horizontal, this);
    m_slider->setObjectName(QStringLiteral("graphSlider"));
    m_slider->setRange(0, EdgeFilter::kSliderSteps);
    m_slider->setMinimumWidth(80);
    // Arrow keys move a fiftieth of the way, Page Up/Down a tenth (the value box below
    // takes a typed number and steps one edge, or one per cent).
    m_slider->setSingleStep(EdgeFilter::kSliderSteps / 50);
    m_slider->setPageStep(EdgeFilter::kSliderSteps / 10);
    m_valueBox = new QDoubleSpinBox(this);
    m_valueBox->setObjectName(QStringLiteral("graphValue"));
    m_valueBox->setKeyboardTracking(false); // typing "120" is one change, at Enter
    m_valueBox->setAccelerated(true);
    m_valueBox->setToolTip(tr("The filter's number: edges drawn, the |score| threshold, or the share of Σ|score| in %"));
    m_sliderLabel = new QLabel(this);
    m_sliderLabel->setObjectName(QStringLiteral("graphSliderLabel"));
    m_sliderLabel->setMinimumWidth(110);
    m_colourBox = new QComboBox(this);
    m_colourBox->addItem(tr("Colour by sign"));
    m_colourBox->addItem(tr("Colour by q/k/v"));
    auto* fit = new QToolButton(this);
    fit->setText(tr("Fit"));
    fit->setToolTip(tr("Zoom to the whole graph (wheel: zoom, middle button: pan)"));
    auto* patch = new QToolButton(this);
    patch->setText(tr("Patch"));
    patch->setToolTip(tr("Patch the selected edges and the edges of the selected nodes (drag a box to select)"));
    auto* restore = new QToolButton(this);
    restore->setText(tr("Restore"));
    restore->setToolTip(tr("Restore the selected edges and the edges of the selected nodes"));
    auto* reset = new QToolButton(this);
    reset->setObjectName(QStringLiteral("graphReset"));
    reset->setText(tr("Reset"));
    reset->setToolTip(tr("The circuit becomes the drawn top edges of the current scores"));
    auto* rows = new QVBoxLayout(bar);
    rows->setContentsMargins(0, 0, 0, 0);
    rows->setSpacing(2);
    auto* drawn = new QHBoxLayout;
    drawn->addWidget(m_filterBox);
    drawn->addWidget(m_slider, 1);
    drawn->addWidget(m_valueBox);
    drawn->addWidget(m_sliderLabel);
    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("graphSearch"));
    m_search->setPlaceholderText(tr("Find a node…"));
    m_search->setToolTip(tr("A node's name (a1.h3, m0, logits), label or group; Enter selects it"));
    m_search->setClearButtonEnabled(true);
    m_search->setMinimumWidth(80);
    m_search->setMaximumWidth(160);
    drawn->addWidget(m_search);
    m_findNote = new QLabel(this);
    m_findNote->setObjectName(QStringLiteral("graphFindNote"));
    m_findNote->setStyleSheet(QStringLiteral("color: #8a5a00;"));
    m_findNote->hide();
    drawn->addWidget(m_findNote);
    auto* actions = new QHBoxLayout;
    actions->addWidget(m_colourBox);
    m_layoutBox = new QComboBox(this);
    m_layoutBox->setObjectName(QStringLiteral("graphLayoutBox"));
    m_layoutBox->addItem(tr("Layers"));
    m_layoutBox->addItem(QStringLiteral("Graphviz")); // a name, the same in every language
    m_layoutBox->setToolTip(tr("Layers: one row per layer, every head in its place (the circuit diagram); "
                               "Graphviz: a free layout that may read better for a few edges"));
    actions->addWidget(m_layoutBox);
    // The edge table is shown on request: appearing on every selection, it resized the
    // graph under the mouse between the two clicks of a double click.
    m_edgesButton = new QToolButton(this);
    m_edgesButton->setObjectName(QStringLiteral("graphEdgesButton"));
    m_edgesButton->setText(tr("Edges"));
    m_edgesButton->setCheckable(true);
    m_edgesButton->setToolTip(tr("The selected node's edges in a table beside the graph, sortable by score"));
    actions->addWidget(m_edgesButton);
    auto* groups = new QToolButton(this);
    groups->setObjectName(QStringLiteral("graphGroupButton"));
    groups->setText(tr("Groups"));
    groups->setToolTip(tr("Put the selected heads into a named group (drag a box around them first), "
                          "and draw a group as one node"));
    groups->setPopupMode(QToolButton::InstantPopup);
    auto* groupMenu = new QMenu(groups);
    groupMenu->setObjectName(QStringLiteral("graphGroupMenu"));
    groupMenu->setToolTipsVisible(true);
    connect(groupMenu, &QMenu::aboutToShow, this, [this, groupMenu] { fillGroupMenu(groupMenu); });
    groups->setMenu(groupMenu);
    actions->addWidget(groups);
    actions->addStretch(1);
    for (QToolButton* button : {fit, patch, restore, reset}) {
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
        actions->addWidget(button);
    }
    rows->addLayout(drawn);
    rows->addLayout(actions);
    layout->addWidget(bar);
    m_legendLabel = new QLabel(this);
    m_legendLabel->setObjectName(QStringLiteral("graphLegend"));
    m_legendLabel->setWordWrap(true);
    m_legendLabel->setTextFormat(Qt::RichText);
    layout->addWidget(m_legendLabel);

    m_titleLabel = new QLabel(this);
    m_titleLabel->setObjectName(QStringLiteral("graphTitle"));
    m_metricLabel = new QLabel(this);
    m_metricLabel->setObjectName(QStringLiteral("graphMetric"));
    m_metricLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_metricLabel->setWordWrap(true);
    m_busyLabel = new QLabel(this);
    m_busyLabel->setObjectName(QStringLiteral("graphBusy"));
    m_busyLabel->setStyleSheet(QStringLiteral("color: palette(mid); font-style: italic;"));
    m_busyLabel->hide();
    layout->addWidget(m_titleLabel);
    {
        // The metric line with a `?` that opens the guide's paragraph on faithfulness.
        auto* row = new QHBoxLayout;
        row->setSpacing(2);
        row->addWidget(m_metricLabel, 1);
        auto* help = new QToolButton(this);
        help->setObjectName(QStringLiteral("help_faithfulness"));
        help->setText(QStringLiteral("?"));
        help->setAutoRaise(true);
        help->setToolTip(tr("What the metric and faithfulness mean (the user guide)"));
        connect(help, &QToolButton::clicked, this, [this] { Q_EMIT helpRequested(QStringLiteral("faithfulness")); });
        row->addWidget(help, 0, Qt::AlignTop);
        layout->addLayout(row);
    }
    layout->addWidget(m_busyLabel);
    m_noteLabel = new QLabel(this);
    m_noteLabel->setObjectName(QStringLiteral("graphNote"));
    m_noteLabel->setWordWrap(true);
    m_noteLabel->setStyleSheet(QStringLiteral("color: #8a5a00;"));
    m_noteLabel->hide();
    layout->addWidget(m_noteLabel);

    m_scene = new QGraphicsScene(this);
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->setObjectName(QStringLiteral("graphSplit"));
    m_split = split;
    m_view = new GraphView(m_scene, this);
    m_view->setObjectName(QStringLiteral("graphView"));
    split->addWidget(m_view);
    // The selected node's edges, beside the graph: sortable by score; a click on a row
    // selects the edge on the graph, a double click (or its box) patches or restores it.
    m_edgePanel = new QWidget(split);
    auto* edgeLayout = new QVBoxLayout(m_edgePanel);
    edgeLayout->setContentsMargins(0, 0, 0, 0);
    auto* edgeTop = new QHBoxLayout;
    m_edgeHeader = new QLabel(m_edgePanel);
    m_edgeHeader->setObjectName(QStringLiteral("graphEdgeHeader"));
    auto* closeEdges = new QToolButton(m_edgePanel);
    closeEdges->setText(QStringLiteral("×"));
    closeEdges->setToolTip(tr("Hide the edge table"));
    closeEdges->setAutoRaise(true);
    edgeTop->addWidget(m_edgeHeader, 1);
    edgeTop->addWidget(closeEdges);
    edgeLayout->addLayout(edgeTop);
    m_edgeTable = new QTableWidget(m_edgePanel);
    m_edgeTable->setObjectName(QStringLiteral("graphEdgeTable"));
    m_edgeTable->setColumnCount(3);
    m_edgeTable->setHorizontalHeaderLabels({tr("Edge"), tr("Score"), QStringLiteral("✓")});
    m_edgeTable->horizontalHeaderItem(2)->setToolTip(tr("In the circuit (unticked: patched to its reference)"));
    m_edgeTable->verticalHeader()->hide();
    m_edgeTable->verticalHeader()->setDefaultSectionSize(m_edgeTable->fontMetrics().height() + 6);
    m_edgeTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_edgeTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_edgeTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_edgeTable->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_edgeTable->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_edgeTable->horizontalHeader()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    m_edgeTable->setSortingEnabled(true);
    edgeLayout->addWidget(m_edgeTable, 1);
    split->addWidget(m_edgePanel);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    split->setCollapsible(0, false);
    m_edgePanel->hide();
    layout->addWidget(split, 1);
    connect(closeEdges, &QToolButton::clicked, m_edgesButton, [this] { m_edgesButton->setChecked(false); });
    connect(m_edgesButton, &QToolButton::toggled, this, [this](bool on) {
        if (on) {
            updateEdgeTable();
            m_edgePanel->show();
            const int total = m_split->width();
            const int panel = std::clamp(total * 2 / 5, std::min(250, total / 2), 340);
            m_split->setSizes({total - panel, panel});
        } else {
            m_edgePanel->hide();
        }
    });
    connect(m_edgeTable, &QTableWidget::cellClicked, this, [this](int row, int column) { onEdgeRowActivated(row, column == 2); });
    connect(m_edgeTable, &QTableWidget::cellDoubleClicked, this, [this](int row, int column) {
        if (column != 2) // a click on the box already toggled it
            onEdgeRowActivated(row, true);
    });
    connect(m_search, &QLineEdit::returnPressed, this, [this] { findNode(m_search->text()); });
    connect(m_search, &QLineEdit::textChanged, this, [this] { m_findNote->hide(); });

    connect(m_filterBox, &QComboBox::currentIndexChanged, this, [this] {
        m_filter.setMode(static_cast<Filter>(m_filterBox->currentData().toInt()));
        onSliderMoved(m_slider->value());
    });
    connect(m_slider, &QSlider::valueChanged, this, &GraphCanvas::onSliderMoved);
    connect(m_valueBox, &QDoubleSpinBox::valueChanged, this, [this](double v) {
        if (m_circuit)
            setFilter(m_filter.mode(), m_filter.mode() == Filter::CumulativeShare ? v / 100.0 : v);
    });
    connect(m_colourBox, &QComboBox::currentIndexChanged, this, &GraphCanvas::restyleEdges);
    connect(m_layoutBox, &QComboBox::currentIndexChanged, this, [this] {
        if (m_circuit && !m_drawn.isEmpty()) {
            m_refitAfterLayout = true;
            requestLayout();
        }
    });
    connect(fit, &QToolButton::clicked, this, &GraphCanvas::fitToView);
    connect(patch, &QToolButton::clicked, this, [this] { patchSelection(false); });
    connect(restore, &QToolButton::clicked, this, [this] { patchSelection(true); });
    connect(reset, &QToolButton::clicked, this, [this] { resetToTopN(drawnCount()); });

    m_titleLabel->setText(tr("No circuit yet: run an edge method (EAP, EAP-IG, ACDC, …) or import a circuit file."));
    setEnabled(true);
    updateFilterControls();
}

GraphCanvas::~GraphCanvas()
{
    m_pool.waitForDone(); // a layout still running finishes before the canvas goes
}

QGraphicsView* GraphCanvas::view() const { return m_view; }

int GraphCanvas::edgeItemCount() const { return static_cast<int>(m_items->edgeItems.size()); }

EdgeRanking GraphCanvas::rankEdges(const core::Circuit& circuit)
{
    return EdgeFilter::rank(circuit.edgeScores, circuit.edgeInGraph);
}

void GraphCanvas::setCircuit(core::Circuit circuit, const QString& title, EdgeRanking ranking)
{
    if (ranking.order.size() != static_cast<qsizetype>(circuit.graph.edgeCount()) ||
        (circuit.edgeScores.empty() != ranking.cumulative.isEmpty()))
        ranking = rankEdges(circuit);
    m_circuit = std::move(circuit);
    m_title = title;
    m_hoveredNode.clear();
    if (isGroupKey(m_selectedNode))
        m_selectedNode.clear();
    // Collapsed groups none of whose heads is in this graph are dropped (another model's).
    for (auto it = m_collapsed.begin(); it != m_collapsed.end();)
        it = groupMembers(*it).isEmpty() ? m_collapsed.erase(it) : std::next(it);
    updateSearchCompletion();
    const auto replaced = qScopeGuard([this] {
        updateEdgeTable(); // the rows are edge indices of this graph now
        Q_EMIT circuitReplaced();
    });
    m_undo->clear();
    // Items of another circuit's graph must not be restyled as this one's.
    m_scene->clear();
    m_items->edges.clear();
    m_items->edgeItems.clear();
    m_items->nodes.clear();
    m_items->rowLabels.clear();
    m_drawn.clear();
    m_measured.clear();
    m_evaluatedKept.clear();
    m_groupPatched.clear();
    const int n = static_cast<int>(m_circuit->graph.edgeCount());
    m_filter.setRanking(std::move(ranking));
    if (edgesInCircuit() == 0 && m_circuit->hasScores()) {
        for (int i = 0; i < std::min(kDefaultTopN, n); ++i)
            m_circuit->edgeInGraph[static_cast<std::size_t>(m_filter.ranking().order[i])] = 1;
        m_circuit->nodesFromEdges();
        m_filter.set(Filter::TopN, std::min(kDefaultTopN, n));
    } else {
        m_filter.setMode(Filter::InCircuit);
    }
    m_titleLabel->setText(tr("%1 · %2 edges, %3 in the circuit")
                              .arg(title, QLocale().toString(n), QLocale().toString(edgesInCircuit())));
    {
        const QSignalBlocker block(m_filterBox);
        m_filterBox->setCurrentIndex(m_filterBox->findData(static_cast<int>(m_filter.mode())));
    }
    updateFilterControls();
    updateDrawnEdges();
    Q_EMIT circuitChanged();
}

std::vector<float> GraphCanvas::edgeMask() const
{
    std::vector<float> mask;
    if (!m_circuit)
        return mask;
    mask.reserve(m_circuit->edgeInGraph.size());
    for (const char kept : m_circuit->edgeInGraph)
        mask.push_back(kept ? 1.0f : 0.0f);
    return mask;
}

int GraphCanvas::edgesInCircuit() const
{
    return m_circuit ? static_cast<int>(m_circuit->edgesInGraph()) : 0;
}

// ---- which edges are drawn ----------------------------------------------------------------

int GraphCanvas::drawnCount() const
{
    return m_circuit ? m_filter.count(m_circuit->edgeScores, m_circuit->edgeInGraph) : 0;
}

void GraphCanvas::setFilter(Filter filter, double value)
{
    m_filter.set(filter, value);
    {
        const QSignalBlocker block(m_filterBox);
        m_filterBox->setCurrentIndex(m_filterBox->findData(static_cast<int>(filter)));
    }
    updateFilterControls();
    updateDrawnEdges();
}

void GraphCanvas::updateFilterControls()
{
    const QSignalBlocker block(m_slider);
    const QSignalBlocker blockBox(m_valueBox);
    const int n = m_filter.edgeCount();
    m_slider->setEnabled(m_circuit.has_value() && m_filter.mode() != Filter::InCircuit);
    m_valueBox->setEnabled(m_slider->isEnabled());
    if (!m_circuit || n == 0)
        return;
    // The value box in the filter's own unit.
    switch (m_filter.mode()) {
    case Filter::TopN:
        m_valueBox->setDecimals(0);
        m_valueBox->setRange(1, n);
        m_valueBox->setSingleStep(1);
        m_valueBox->setSuffix(QString());
        m_valueBox->setValue(m_filter.value());
        break;
    case Filter::Threshold: {
        const double top = m_filter.topScore(m_circuit->edgeScores);
        m_valueBox->setDecimals(top > 0.0 ? std::clamp(3 - static_cast<int>(std::floor(std::log10(top))), 2, 8) : 4);
        m_valueBox->setRange(0.0, top);
        m_valueBox->setSingleStep(top / 100.0);
        m_valueBox->setSuffix(QString());
        m_valueBox->setValue(m_filter.value());
        break;
    }
    case Filter::CumulativeShare:
        m_valueBox->setDecimals(1);
        m_valueBox->setRange(0.0, 100.0);
        m_valueBox->setSingleStep(1.0);
        m_valueBox->setSuffix(QStringLiteral(" %"));
        m_valueBox->setValue(100.0 * m_filter.value());
        break;
    case Filter::InCircuit:
        break;
    }
    if (const auto position = m_filter.sliderPosition(m_circuit->edgeScores))
        m_slider->setValue(*position);
}

void GraphCanvas::onSliderMoved(int position)
{
    if (!m_circuit)
        return;
    m_filter.setSliderPosition(position, m_circuit->edgeScores);
    updateFilterControls();
    updateDrawnEdges();
}

void GraphCanvas::updateDrawnEdges()
{
    if (!m_circuit)
        return;
    QVector<int> drawn = m_filter.shown(m_circuit->edgeScores, m_circuit->edgeInGraph);
    const int selected = static_cast<int>(drawn.size());
    if (drawn.size() > EdgeFilter::kMaxDrawn)
        drawn.resize(EdgeFilter::kMaxDrawn);
    const QLocale l;
    QString text;
    // "1 edge", "2 edges" (a separate string each, so that every language says it its way).
    const QString edges = selected == 1 ? tr("1 edge") : tr("%1 edges").arg(l.toString(selected));
    switch (m_filter.mode()) {
    case Filter::TopN:
        text = edges;
        break;
    case Filter::Threshold:
        text = tr("≥ %1: %2").arg(number(m_filter.value(), 3), edges);
        break;
    case Filter::CumulativeShare:
        text = tr("%1%: %2").arg(l.toString(100.0 * m_filter.value(), 'f', 0), edges);
        break;
    case Filter::InCircuit:
        text = tr("%1 in circuit").arg(l.toString(selected));
        break;
    }
    if (selected > EdgeFilter::kMaxDrawn)
        text += tr(" (%1 drawn)").arg(l.toString(EdgeFilter::kMaxDrawn));
    m_sliderLabel->setText(text);
    if (drawn == m_drawn && !m_items->edges.isEmpty()) {
        restyleEdges();
        return;
    }
    m_drawn = drawn;
    requestLayout();
}

// ---- metric, selection, the edge table, finding a node ---------------------------------

void GraphCanvas::showEvaluationBusy(const QString& message)
{
    m_busyLabel->setText(message);
    m_busyLabel->show();
}

bool GraphCanvas::evaluationBusy() const { return !m_busyLabel->isHidden(); }

void GraphCanvas::setEvaluationNote(const QString& note)
{
    m_noteLabel->setText(note);
    m_noteLabel->setVisible(!note.isEmpty());
}

QString GraphCanvas::evaluationNote() const { return m_noteLabel->isHidden() ? QString() : m_noteLabel->text(); }

void GraphCanvas::setEvaluation(const CircuitEvaluation& e)
{
    m_busyLabel->hide();
    // Two evaluations in a row that differ in one edge measure that edge's effect.
    if (m_circuit) {
        const auto& now = m_circuit->edgeInGraph;
        if (m_evaluatedKept.size() == now.size()) {
            int changed = -1, count = 0;
            for (std::size_t i = 0; i < now.size() && count < 2; ++i)
                if (now[i] != m_evaluatedKept[i]) {
                    changed = static_cast<int>(i);
                    ++count;
                }
            if (count == 1) {
                const bool patchedNow = now[static_cast<std::size_t>(changed)] == 0;
                m_measured[changed] = patchedNow ? e.metric - m_evaluatedMetric : m_evaluatedMetric - e.metric;
                if (EdgeItem* item = m_items->edges.value(changed))
                    item->setToolTip(edgeToolTip(item->edge));
            }
        }
        m_evaluatedKept = now;
        m_evaluatedMetric = e.metric;
    }
    m_lastEvaluation = e;
    const QLocale l;
    const QString faithfulness = std::isfinite(e.faithfulness) ? fixed(e.faithfulness, 3) : tr("undefined");
    m_metricLabel->setText(tr("<b>metric %1</b> · faithfulness <b>%2</b> · clean %3 · all patched %4 · %5 of %6 edges kept")
                               .arg(fixed(e.metric, 4), faithfulness, fixed(e.cleanMetric, 4),
                                    fixed(e.referenceMetric, 4), l.toString(e.edgesKept),
                                    m_circuit ? l.toString(static_cast<qulonglong>(m_circuit->graph.edgeCount()))
                                              : QStringLiteral("?")));
    m_metricLabel->setProperty("metric", e.metric);
    m_metricLabel->setProperty("faithfulness", e.faithfulness);
}

void GraphCanvas::setEvaluationMessage(const QString& message)
{
    m_busyLabel->hide();
    m_metricLabel->setText(message);
    m_metricLabel->setProperty("metric", QVariant());
    m_lastEvaluation.reset();
}

std::optional<CircuitEvaluation> GraphCanvas::currentEvaluation() const
{
    if (!m_lastEvaluation || !m_circuit || evaluationBusy() || m_evaluatedKept != m_circuit->edgeInGraph)
        return std::nullopt;
    return m_lastEvaluation;
}

QString GraphCanvas::evaluationText() const { return m_metricLabel->text(); }

void GraphCanvas::setSelectedNode(const QString& node)
{
    const bool changed = node != m_selectedNode;
    m_selectedNode = node;
    const QString shown = drawnKey(node); // a head of a collapsed group: the group's node
    {
        const QSignalBlocker block(m_scene);
        for (auto it = m_items->nodes.cbegin(); it != m_items->nodes.cend(); ++it) {
            const bool selected = it.key() == shown;
            it.value()->setSelected(selected);
            if (selected)
                m_view->ensureVisible(it.value(), 40, 40);
        }
    }
    applyFocus();
    if (changed)
        updateEdgeTable();
}

void GraphCanvas::setHoveredNode(const QString& node)
{
    if (node == m_hoveredNode)
        return;
    m_hoveredNode = node;
    applyFocus();
}

QVector<int> GraphCanvas::edgesOfNode(const QString& node) const
{
    QVector<int> out;
    if (!m_circuit || node.isEmpty())
        return out;
    const core::Graph& g = m_circuit->graph;
    if (isGroupKey(node)) { // edges between the group and the rest
        QSet<std::string> members;
        for (const QString& m : groupMembers(node.mid(6)))
            members.insert(m.toStdString());
        for (std::size_t e = 0; e < g.edgeCount(); ++e) {
            const auto& edge = g.edges()[e];
            if (members.contains(g.senders()[static_cast<std::size_t>(edge.sender)].name) !=
                members.contains(g.receivers()[static_cast<std::size_t>(edge.receiver)].nodeName))
                out.append(static_cast<int>(e));
        }
        return out;
    }
    const std::string name = node.toStdString();
    for (std::size_t e = 0; e < g.edgeCount(); ++e) {
        const auto& edge = g.edges()[e];
        if (g.senders()[static_cast<std::size_t>(edge.sender)].name == name ||
            g.receivers()[static_cast<std::size_t>(edge.receiver)].nodeName == name)
            out.append(static_cast<int>(e));
    }
    return out;
}

void GraphCanvas::updateEdgeTable()
{
    if (!m_edgesButton->isChecked())
        return;
    const QVector<int> edges = edgesOfNode(m_selectedNode);
    if (edges.isEmpty()) {
        m_edgeTable->setRowCount(0);
        m_edgeHeader->setText(m_selectedNode.isEmpty() ? tr("Select a node to list its edges")
                                                       : tr("%1 has no edges").arg(m_selectedNode));
        return;
    }
    const core::Graph& g = m_circuit->graph;
    const bool scored = m_circuit->hasScores();
    const QSignalBlocker block(m_edgeTable);
    m_edgeTable->setSortingEnabled(false);
    m_edgeTable->clearContents();
    m_edgeTable->setRowCount(static_cast<int>(edges.size()));
    int in = 0;
    for (int row = 0; row < edges.size(); ++row) {
        const int e = edges[row];
        const auto& edge = g.edges()[static_cast<std::size_t>(e)];
        const auto& r = g.receivers()[static_cast<std::size_t>(edge.receiver)];
        const bool incoming = toQString(r.nodeName) == m_selectedNode || drawnNode(r.nodeName) == m_selectedNode;
        in += incoming ? 1 : 0;
        // The other end, short enough for a narrow column: "← a0.h0 (k)", "→ logits"; the
        // edge's full name in the tooltip. A group's edges keep their full names.
        const QString full = toQString(g.edgeName(static_cast<std::size_t>(e)));
        const QString port = r.port == core::Graph::Port::Q   ? QStringLiteral(" (q)")
                             : r.port == core::Graph::Port::K ? QStringLiteral(" (k)")
                             : r.port == core::Graph::Port::V ? QStringLiteral(" (v)")
                                                              : QString();
        QString shown = full;
        if (!isGroupKey(m_selectedNode))
            shown = incoming ? QStringLiteral("← %1%2").arg(toQString(g.senders()[static_cast<std::size_t>(edge.sender)].name), port)
                             : QStringLiteral("→ %1%2").arg(toQString(r.nodeName), port);
        auto* name = new QTableWidgetItem(shown);
        name->setToolTip(full);
        name->setData(Qt::UserRole, e);
        if (!m_items->edges.contains(e)) {
            name->setForeground(palette().color(QPalette::Disabled, QPalette::Text));
            name->setToolTip(tr("%1: not drawn under the current filter").arg(full));
        }
        m_edgeTable->setItem(row, 0, name);
        auto* score = new ScoreItem;
        if (scored) {
            const double v = m_circuit->edgeScores[static_cast<std::size_t>(e)];
            score->setData(Qt::UserRole, v); // sorted by this, shown with 3 digits
            score->setText(number(v, 3));
            score->setToolTip(number(v, 8));
        }
        score->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_edgeTable->setItem(row, 1, score);
        auto* kept = new QTableWidgetItem;
        kept->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable);
        kept->setCheckState(m_circuit->edgeInGraph[static_cast<std::size_t>(e)] ? Qt::Checked : Qt::Unchecked);
        m_edgeTable->setItem(row, 2, kept);
    }
    m_edgeTable->setSortingEnabled(true);
    if (scored && m_edgeTable->horizontalHeader()->sortIndicatorSection() != 1)
        m_edgeTable->sortByColumn(1, Qt::AscendingOrder); // the most negative (behaviour-carrying) first
    m_edgeHeader->setText(tr("%1: %2 in, %3 out").arg(shownName(m_selectedNode)).arg(in).arg(edges.size() - in));
}

void GraphCanvas::onEdgeRowActivated(int row, bool toggle)
{
    const QTableWidgetItem* item = m_edgeTable->item(row, 0);
    if (!item)
        return;
    const int e = item->data(Qt::UserRole).toInt();
    if (toggle) {
        toggleEdge(e); // as a click on the edge: patch or restore, undoable
        return;
    }
    // Select it on the graph, as a rubber band would (Patch / Restore act on it).
    const QSignalBlocker block(m_scene);
    m_scene->clearSelection();
    if (EdgeItem* edge = m_items->edges.value(e)) {
        edge->setSelected(true);
        revealEdge(e);
    }
}

void GraphCanvas::updateSearchCompletion()
{
    // Node names and the user's labels and groups, offered as the user types.
    QStringList words;
    if (m_circuit) {
        const core::Graph& g = m_circuit->graph;
        for (const auto& sender : g.senders())
            words << toQString(sender.name);
        words << QStringLiteral("logits");
        for (const auto* names : {&m_circuit->labels, &m_circuit->groups})
            for (const auto& [node, label] : *names)
                words << toQString(label);
    }
    words.removeDuplicates();
    auto* completer = new QCompleter(words, m_search);
    completer->setCaseSensitivity(Qt::CaseInsensitive);
    completer->setFilterMode(Qt::MatchContains);
    connect(completer, qOverload<const QString&>(&QCompleter::activated), this, [this](const QString& text) { findNode(text); });
    delete m_search->completer();
    m_search->setCompleter(completer);
}

void GraphCanvas::setEdgeTableShown(bool shown) { m_edgesButton->setChecked(shown); }

QString GraphCanvas::findNote() const { return m_findNote->isHidden() ? QString() : m_findNote->text(); }

bool GraphCanvas::findNode(const QString& text)
{
    const QString wanted = text.trimmed();
    auto fail = [this](const QString& why) {
        m_findNote->setText(why);
        m_findNote->show();
        return false;
    };
    if (!m_circuit || wanted.isEmpty())
        return fail(wanted.isEmpty() ? tr("Type a node's name or label") : tr("No circuit on the graph"));
    const core::Graph& g = m_circuit->graph;
    QString found;
    auto byName = [&](const std::string& name) {
        if (found.isEmpty() && toQString(name).compare(wanted, Qt::CaseInsensitive) == 0)
            found = toQString(name);
    };
    for (const auto& sender : g.senders())
        byName(sender.name);
    for (const auto& receiver : g.receivers())
        byName(receiver.nodeName);
    // Else a label or group that contains the text ("induction" finds "induction head").
    for (const auto* names : {&m_circuit->labels, &m_circuit->groups})
        for (const auto& [node, label] : *names)
            if (found.isEmpty() && toQString(label).contains(wanted, Qt::CaseInsensitive))
                found = toQString(node);
    if (found.isEmpty())
        return fail(tr("No node “%1”").arg(wanted));
    m_findNote->hide();
    const QString key = drawnNode(found.toStdString()); // a collapsed group's node stands for it
    if (key == found)
        Q_EMIT nodeClicked(found); // the shared selection: the window calls setSelectedNode
    if (m_selectedNode != key)
        setSelectedNode(key);
    if (NodeItem* item = m_items->nodes.value(key)) {
        m_view->centerOn(item);
        return true;
    }
    return fail(tr("%1 has no drawn edge: widen the filter above").arg(found));
}

QString GraphCanvas::edgeToolTip(int e) const
{
    const core::Graph& g = m_circuit->graph;
    if (const EdgeItem* item = m_items->edges.value(e); item && item->members.size() > 1) {
        double sum = 0;
        for (const int member : item->members) {
            const double v = m_circuit->hasScores() ? m_circuit->edgeScores[static_cast<std::size_t>(member)] : 0.0;
            sum += std::isfinite(v) ? v : 0.0;
        }
        QString tip = tr("%1 → %2: %n edges", nullptr, static_cast<int>(item->members.size()))
                          .arg(shownName(item->from), shownName(item->to));
        if (m_circuit->hasScores())
            tip += tr("\nsum of their scores %1").arg(number(sum));
        return tip + tr("\nclick to patch or restore them all");
    }
    QString tip = toQString(g.edgeName(static_cast<std::size_t>(e)));
    if (m_circuit->hasScores())
        tip += tr("\nscore %1 (the metric's estimated change when patched)")
                   .arg(number(m_circuit->edgeScores[static_cast<std::size_t>(e)]));
    if (const auto it = m_measured.constFind(e); it != m_measured.constEnd())
        tip += tr("\nmeasured: patching it changed the metric by %1").arg(number(*it));
    tip += tr("\nclick to patch or restore");
    return tip;
}

std::optional<double> GraphCanvas::measuredEffect(int edge) const
{
    const auto it = m_measured.constFind(edge);
    return it == m_measured.constEnd() ? std::nullopt : std::optional<double>(*it);
}

} // namespace patchbay::ui
