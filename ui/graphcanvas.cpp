// SPDX-License-Identifier: MIT
#include "ui/graphcanvas_p.h"

#include "ui/graphlayout.h"
#include "ui/graphview_p.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QGraphicsScene>
#include <QHBoxLayout>
#include <QImage>
#include <QInputDialog>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QPainter>
#include <QSaveFile>
#include <QScopeGuard>
#include <QCompleter>
#include <QHeaderView>
#include <QTableWidget>
#include <QSplitter>
#include <QTextDocument>
#include <QSet>
#include <QApplication>
#include <QLineEdit>
#include <QSlider>
#include <QSvgGenerator>
#include <QToolButton>
#include <QUndoCommand>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace patchbay::ui {

namespace {

constexpr int kDefaultTopN = 100;
constexpr int kCrowdedEdges = 1000; // more drawn edges, zoomed out: no antialiasing

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

// ---- the canvas ---------------------------------------------------------------------------

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

// ---- layout and scene ---------------------------------------------------------------------

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

// ---- metric, selection, labels -----------------------------------------------------------

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

// ---- geometry and export ------------------------------------------------------------------

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
