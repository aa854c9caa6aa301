// SPDX-License-Identifier: MIT
// The graph canvas offscreen: Graphviz's layout puts inputs below logits; clicking an edge
// of the EAP circuit on the demo model patches it and the metric shown is the one
// `patchbay-cli evaluate` computes for the same circuit; undo brings the previous metric
// back; the MIB IOI circuit (GPT-2 small, 32,491 edges) imports with its 756 edges drawn
// at "in circuit", the mismatch with the demo model is explained, and redrawing it at
// several sizes keeps the event loop going (the largest gap is printed).
#include "ui/graphcanvas.h"
#include "ui/graphlayout.h"
#include "ui/mainwindow.h"
#include "ui/runpanel.h"
#include "ui/selection.h"

#include "core/graph/circuit.h"
#include "core/common/system.h"

#include <QAction>
#include <QElapsedTimer>
#include <QGraphicsView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QSlider>
#include <QDoubleSpinBox>
#include <QTimer>
#include <QGraphicsPathItem>
#include <QMouseEvent>
#include <QUndoStack>
#include <QGraphicsScene>
#include <QTableWidget>
#include <QFile>
#include <QProgressBar>
#include <QApplication>
#include <QGraphicsItem>

#include <cmath>
#include <set>

using patchbay::ui::CircuitEvaluation;
using patchbay::ui::ComputeWorker;
using patchbay::ui::GraphCanvas;
using patchbay::ui::MainWindow;
namespace core = patchbay::core;

namespace {

constexpr int kTimeoutMs = 120000;

QString demoDir() { return QString::fromStdString(core::findResource("demo").string()); }
QString mibFile() { return QStringLiteral(PATCHBAY_SHARED_DATA_DIR) + QStringLiteral("/circuits/mib_ioi_gpt2_eap-ig.json"); }

// The metric `patchbay-cli evaluate` gives for a circuit file on the demo and its pairs.
double cliMetric(const QString& circuitFile)
{
    QProcess cli;
    cli.start(QStringLiteral(PATCHBAY_CLI_PATH),
              {QStringLiteral("evaluate"), QStringLiteral("--model"), demoDir(), QStringLiteral("--data"),
               demoDir() + QStringLiteral("/induction.csv"), QStringLiteral("--circuit"), circuitFile});
    if (!cli.waitForFinished(kTimeoutMs) || cli.exitCode() != 0) {
        qWarning() << cli.readAllStandardError();
        return std::nan("");
    }
    const QJsonObject out = QJsonDocument::fromJson(cli.readAllStandardOutput()).object();
    return out.value(QStringLiteral("circuit")).toObject().value(QStringLiteral("metric")).toDouble(std::nan(""));
}

// Shows the window at the size of the docs' pictures with the demo model loaded.
bool showDemo(MainWindow& window)
{
    window.resize(1600, 1000);
    window.show();
    if (!QTest::qWaitForWindowExposed(&window))
        return false;
    QSignalSpy loaded(window.worker(), &ComputeWorker::modelLoaded);
    return window.openDemo() && QTest::qWaitFor([&] { return loaded.count() == 1; }, kTimeoutMs);
}

// A 2-layer, 4-head graph whose edge e scores 1 + e: every rank is a distinct score.
patchbay::core::Circuit rankedCircuit()
{
    patchbay::core::Circuit c(patchbay::core::Graph(2, 4, 4, false), 16);
    c.edgeScores.assign(c.graph.edgeCount(), 0.0);
    for (std::size_t e = 0; e < c.edgeScores.size(); ++e)
        c.edgeScores[e] = 1.0 + double(e);
    return c;
}

// Shows `canvas` at `size` with rankedCircuit() on it and waits for its first drawing.
bool showRanked(GraphCanvas& canvas, QSize size)
{
    canvas.resize(size);
    canvas.show();
    if (!QTest::qWaitForWindowExposed(&canvas))
        return false;
    QSignalSpy applied(&canvas, &GraphCanvas::layoutApplied);
    canvas.setCircuit(rankedCircuit(), QStringLiteral("scores"));
    return QTest::qWaitFor([&] { return applied.count() >= 1; }, kTimeoutMs);
}

} // namespace

class TestGraphCanvas : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // "1 edge", not "1 edges" (issue 24, item 16).
    void edgeCountSaysOneEdge()
    {
        GraphCanvas canvas;
        canvas.setCircuit(rankedCircuit(), QStringLiteral("scores"));
        auto* label = canvas.findChild<QLabel*>(QStringLiteral("graphSliderLabel"));
        QVERIFY(label);
        canvas.setFilter(GraphCanvas::Filter::TopN, 1);
        QCOMPARE(label->text(), QStringLiteral("1 edge"));
        canvas.setFilter(GraphCanvas::Filter::TopN, 3);
        QCOMPARE(label->text(), QStringLiteral("3 edges"));
    }

    // The filter takes a typed number and arrow keys (issue 24, item 16): the value box
    // sets the top n exactly (Enter) and steps one edge; the slider's arrow keys move it;
    // both are disabled in "In circuit" mode, where they do nothing.
    void filterTakesTypedNumbersAndArrowKeys()
    {
        GraphCanvas canvas;
        canvas.setCircuit(rankedCircuit(), QStringLiteral("scores"));
        canvas.show();
        QVERIFY(QTest::qWaitForWindowExposed(&canvas));
        auto* box = canvas.findChild<QDoubleSpinBox*>(QStringLiteral("graphValue"));
        auto* slider = canvas.findChild<QSlider*>(QStringLiteral("graphSlider"));
        auto* label = canvas.findChild<QLabel*>(QStringLiteral("graphSliderLabel"));
        QVERIFY(box && slider && label);
        canvas.setFilter(GraphCanvas::Filter::TopN, 5);
        QCOMPARE(box->value(), 5.0);

        box->setFocus();
        box->selectAll();
        QTest::keyClicks(box, QStringLiteral("7"));
        QTest::keyClick(box, Qt::Key_Return);
        QCOMPARE(label->text(), QStringLiteral("7 edges"));
        QTest::keyClick(box, Qt::Key_Up);
        QCOMPARE(label->text(), QStringLiteral("8 edges"));
        QTest::keyClick(box, Qt::Key_Down);
        QTest::keyClick(box, Qt::Key_Down);
        QCOMPARE(label->text(), QStringLiteral("6 edges"));

        // The slider's arrow keys change what is drawn, and the box follows.
        canvas.setFilter(GraphCanvas::Filter::TopN, 20);
        slider->setFocus();
        QTest::keyClick(slider, Qt::Key_Right);
        QVERIFY2(label->text() != QStringLiteral("20 edges"), qPrintable(label->text()));
        QCOMPARE(QStringLiteral("%1 edges").arg(static_cast<int>(box->value())), label->text());

        // Share of Σ|score| in per cent.
        canvas.setFilter(GraphCanvas::Filter::CumulativeShare, 0.5);
        QCOMPARE(box->suffix(), QStringLiteral(" %"));
        QCOMPARE(box->value(), 50.0);

        canvas.setFilter(GraphCanvas::Filter::InCircuit, 0);
        QVERIFY(!slider->isEnabled());
        QVERIFY(!box->isEnabled());
    }

    // Issue 24, item 6: a legend, always shown, says what colours, widths and dashes mean
    // in the current colour mode.
    void legendSaysWhatColourAndWidthMean()
    {
        GraphCanvas canvas;
        QVERIFY(showRanked(canvas, QSize(800, 600)));
        const auto circuit = rankedCircuit();
        auto* legend = canvas.findChild<QLabel*>(QStringLiteral("graphLegend"));
        QVERIFY(legend && legend->isVisible());
        QString text = canvas.legendText();
        QVERIFY2(text.contains(QStringLiteral("metric rises when patched")) && text.contains(QStringLiteral("metric falls when patched")) &&
                     text.contains(QStringLiteral("dashed: patched")),
                 qPrintable(text));
        // The widest drawn edge is the top score: 1 + the last edge's index.
        const double top = 1.0 + double(circuit.graph.edgeCount() - 1);
        QVERIFY2(text.contains(QStringLiteral("widest %1").arg(QLocale().toString(top, 'f', 3))), qPrintable(text));
        canvas.setColourByPort(true);
        text = canvas.legendText();
        QVERIFY2(text.contains(QStringLiteral("query")) && text.contains(QStringLiteral("key")) && text.contains(QStringLiteral("value")) &&
                     !text.contains(QStringLiteral("rises")),
                 qPrintable(text));
    }

    // Issue 24, item 12: a node's label sits where the edges into the node arrive; it is
    // drawn on a backing, so no edge strikes it through (every pixel of it is grey).
    void nodeLabelsAreNotStruckThroughByEdges()
    {
        GraphCanvas canvas;
        QVERIFY(showRanked(canvas, QSize(900, 700)));
        canvas.fitToView();
        canvas.setNodeLabel(QStringLiteral("a1.h3"), QStringLiteral("induction head [induction circuit]"));
        QApplication::processEvents();
        const auto rect = canvas.nodeLabelViewRect(QStringLiteral("a1.h3"));
        QVERIFY(rect && rect->width() > 10);
        // An edge does pass under the label (else the check below would prove nothing).
        int edgesUnder = 0; // edges are the path items (nodes rectangles, labels text)
        for (QGraphicsItem* item : canvas.view()->items(*rect))
            edgesUnder += item->type() == QGraphicsPathItem::Type ? 1 : 0;
        QVERIFY(edgesUnder > 0);
        const QImage image = canvas.view()->viewport()->grab().toImage();
        const QRect inside = rect->adjusted(1, 1, -1, -1).intersected(image.rect());
        int coloured = 0;
        for (int y = inside.top(); y <= inside.bottom(); ++y)
            for (int x = inside.left(); x <= inside.right(); ++x)
                coloured += QColor(image.pixel(x, y)).hsvSaturation() > 60 ? 1 : 0;
        QCOMPARE(coloured, 0);
    }

    // Issue 25, item 2: finding and following. A node is found by name or label and
    // selected; its edges stay bright and the rest dim; hovering another shows that one's;
    // its edge table lists every edge into or out of it (checked against the graph), sorts
    // by score, selects an edge on the graph from a click and patches it on a double click.
    void findsAndFollowsNodes()
    {
        GraphCanvas canvas;
        QVERIFY(showRanked(canvas, QSize(1000, 700)));
        QSignalSpy clicked(&canvas, &GraphCanvas::nodeClicked);
        const auto circuit = rankedCircuit();
        canvas.fitToView();
        QVERIFY(!canvas.edgeTable()->isVisible()); // on request only
        canvas.setEdgeTableShown(true);

        QVERIFY(canvas.findNode(QStringLiteral("A1.H3"))); // any case
        QCOMPARE(clicked.last().at(0).toString(), QStringLiteral("a1.h3"));
        QCOMPARE(canvas.selectedNode(), QStringLiteral("a1.h3"));

        // Its edges, from the graph's own lists.
        const auto& g = circuit.graph;
        std::set<int> expected;
        for (std::size_t e = 0; e < g.edgeCount(); ++e)
            if (g.senders()[static_cast<std::size_t>(g.edges()[e].sender)].name == "a1.h3" ||
                g.receivers()[static_cast<std::size_t>(g.edges()[e].receiver)].nodeName == "a1.h3")
                expected.insert(static_cast<int>(e));
        QTableWidget* table = canvas.edgeTable();
        QVERIFY(table->isVisible());
        QVERIFY2(table->width() <= canvas.view()->width(), "the graph stays the larger part");
        QCOMPARE(table->rowCount(), static_cast<int>(expected.size()));
        std::set<int> listed;
        for (int r = 0; r < table->rowCount(); ++r)
            listed.insert(table->item(r, 0)->data(Qt::UserRole).toInt());
        QVERIFY(listed == expected);

        // Bright: the drawn edges of a1.h3; dimmed: the others.
        int bright = 0, dim = 0;
        for (const int e : canvas.drawnEdges()) {
            const bool touches = expected.count(e) > 0;
            QCOMPARE(canvas.edgeItemOpacity(e) == 1.0, touches);
            (touches ? bright : dim)++;
        }
        QVERIFY(bright > 0 && dim > 0);

        // Hover a0.h1: its edges bright while the mouse is on it, then a1.h3's again.
        const auto a01 = canvas.nodeViewPoint(QStringLiteral("a0.h1"));
        QVERIFY(a01);
        {
            QWidget* viewport = canvas.view()->viewport();
            QMouseEvent move(QEvent::MouseMove, QPointF(*a01), QPointF(viewport->mapToGlobal(*a01)), Qt::NoButton, Qt::NoButton,
                             Qt::NoModifier);
            QApplication::sendEvent(viewport, &move);
        }
        QCOMPARE(canvas.hoveredNode(), QStringLiteral("a0.h1"));
        for (const int e : canvas.drawnEdges()) {
            const auto& edge = g.edges()[static_cast<std::size_t>(e)];
            const bool touches = g.senders()[static_cast<std::size_t>(edge.sender)].name == "a0.h1" ||
                                 g.receivers()[static_cast<std::size_t>(edge.receiver)].nodeName == "a0.h1";
            QCOMPARE(canvas.edgeItemOpacity(e) == 1.0, touches);
        }
        canvas.setHoveredNode(QString());
        for (const int e : canvas.drawnEdges())
            QCOMPARE(canvas.edgeItemOpacity(e) == 1.0, expected.count(e) > 0);

        // Sorted by score, highest first: the top row is a1.h3's best-scored edge.
        table->sortByColumn(1, Qt::DescendingOrder);
        const int best = *expected.rbegin(); // scores are 1 + index
        QCOMPARE(table->item(0, 0)->data(Qt::UserRole).toInt(), best);
        QCOMPARE(table->item(0, 1)->data(Qt::UserRole).toDouble(), 1.0 + best);
        QCOMPARE(table->item(0, 0)->toolTip(), QString::fromStdString(g.edgeName(static_cast<std::size_t>(best))));
        // Rows name the other end ("← a0.h1 (k)", "→ logits") and fit the column.
        for (int r = 0; r < table->rowCount(); ++r) {
            const int e = table->item(r, 0)->data(Qt::UserRole).toInt();
            const auto& edge = g.edges()[static_cast<std::size_t>(e)];
            const bool in = g.receivers()[static_cast<std::size_t>(edge.receiver)].nodeName == "a1.h3";
            const QString other = QString::fromStdString(in ? g.senders()[static_cast<std::size_t>(edge.sender)].name
                                                            : g.receivers()[static_cast<std::size_t>(edge.receiver)].nodeName);
            QVERIFY2(table->item(r, 0)->text().startsWith((in ? QStringLiteral("← ") : QStringLiteral("→ ")) + other),
                     qPrintable(table->item(r, 0)->text()));
            QVERIFY(table->fontMetrics().horizontalAdvance(table->item(r, 0)->text()) + 8 <= table->columnWidth(0));
        }
        // Sorted by value, not by the text.
        for (int r = 1; r < table->rowCount(); ++r)
            QVERIFY(table->item(r - 1, 1)->data(Qt::UserRole).toDouble() >= table->item(r, 1)->data(Qt::UserRole).toDouble());
        QVERIFY(canvas.drawnEdges().contains(best));
        // A click selects it on the graph; a double click patches it (undoable).
        const QPoint cell = table->visualItemRect(table->item(0, 0)).center();
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, cell);
        const auto selected = canvas.view()->scene()->selectedItems();
        QCOMPARE(selected.size(), 1);
        QCOMPARE(canvas.edgeViewPoint(best).has_value(), true);
        QCOMPARE(canvas.circuit().edgeInGraph.at(static_cast<std::size_t>(best)), char(1));
        QTest::mouseDClick(table->viewport(), Qt::LeftButton, {}, cell);
        QCOMPARE(canvas.circuit().edgeInGraph.at(static_cast<std::size_t>(best)), char(0));
        canvas.undoStack()->undo();
        QCOMPARE(canvas.circuit().edgeInGraph.at(static_cast<std::size_t>(best)), char(1));

        // By label; a name that is no node; a node with no drawn edge.
        canvas.setNodeLabel(QStringLiteral("a0.h2"), QStringLiteral("previous-token head"));
        QVERIFY(canvas.findNode(QStringLiteral("previous")));
        QCOMPARE(canvas.selectedNode(), QStringLiteral("a0.h2"));
        QVERIFY(!canvas.findNode(QStringLiteral("a9.h9")));
        QVERIFY2(canvas.findNote().contains(QStringLiteral("No node")), qPrintable(canvas.findNote()));
        canvas.setFilter(GraphCanvas::Filter::TopN, 1);
        QTRY_VERIFY_WITH_TIMEOUT(canvas.edgeItemCount() == 1, kTimeoutMs);
        QVERIFY(!canvas.findNode(QStringLiteral("a0.h0")));
        QVERIFY2(canvas.findNote().contains(QStringLiteral("widen the filter")), qPrintable(canvas.findNote()));
        QCOMPARE(canvas.selectedNode(), QStringLiteral("a0.h0")); // selected all the same
    }

    // Issue 25, item 4: names keep their size on screen; zoomed out, a head's box shows its
    // index in the row ("h9", the row label says "layer 9"), then nothing; zoomed in, the
    // full name. The row labels stay readable at Fit.
    void namesShortenThenHideAsTheViewZoomsOut()
    {
        GraphCanvas canvas;
        canvas.resize(900, 700);
        canvas.show();
        QVERIFY(QTest::qWaitForWindowExposed(&canvas));
        QSignalSpy applied(&canvas, &GraphCanvas::layoutApplied);
        canvas.setCircuit(core::readCircuit(mibFile().toStdString()), QStringLiteral("MIB IOI"));
        QTRY_VERIFY_WITH_TIMEOUT(applied.count() == 1, kTimeoutMs);
        QVERIFY(canvas.rowLabels().contains(QStringLiteral("layer 9")));
        auto at = [&](double scale) {
            canvas.view()->setTransform(QTransform::fromScale(scale, scale));
            canvas.updateLevelOfDetail();
            return canvas.nodeText(QStringLiteral("a9.h9"));
        };
        // Between the scales where "a9.h9" and where only "h9" fits its box (57.5 points wide:
        // the layout's width for "a10.h11"), whatever this machine's font.
        QFont font = canvas.font();
        font.setPointSizeF(8.5);
        const QFontMetricsF fm(font);
        const double between = (fm.horizontalAdvance(QStringLiteral("a9.h9")) + fm.horizontalAdvance(QStringLiteral("h9")) + 4) / 2 / 57.5;
        QCOMPARE(at(2.0), QStringLiteral("a9.h9"));
        QCOMPARE(at(std::max(between, 0.41)), QStringLiteral("h9"));
        QCOMPARE(at(0.2), QString());
        QCOMPARE(at(1.5), QStringLiteral("a9.h9"));
    }

    // Issue 25, item 3: MIB's IOI circuit, the name movers made a group. Collapsed, the group is
    // one node, and each line to another node stands for (and sums) the edges of its heads;
    // a click patches them all, the group's outputs patch as a whole, and the group is kept in
    // the circuit file.
    void groupsCollapseAndPatchAsAWhole()
    {
        GraphCanvas canvas;
        canvas.resize(1200, 800);
        canvas.show();
        QVERIFY(QTest::qWaitForWindowExposed(&canvas));
        const core::Circuit mib = core::readCircuit(mibFile().toStdString());
        QSignalSpy applied(&canvas, &GraphCanvas::layoutApplied);
        canvas.setCircuit(mib, QStringLiteral("MIB IOI"));
        QTRY_VERIFY_WITH_TIMEOUT(applied.count() == 1, kTimeoutMs);
        QCOMPARE(canvas.filter(), GraphCanvas::Filter::InCircuit);
        const QStringList movers{QStringLiteral("a9.h9"), QStringLiteral("a9.h6"), QStringLiteral("a10.h0")};
        for (const QString& head : movers)
            QVERIFY(canvas.nodeViewPoint(head));

        // A click selects a9.h9, Ctrl+clicks add the other two.
        QWidget* viewport = canvas.view()->viewport();
        canvas.fitToView();
        for (const QString& head : movers) {
            const auto at = canvas.nodeViewPoint(head);
            QVERIFY(at);
            QTest::mouseClick(viewport, Qt::LeftButton, head == movers.front() ? Qt::NoModifier : Qt::ControlModifier, *at);
        }
        QCOMPARE(canvas.selectedNodes(), (QStringList{QStringLiteral("a10.h0"), QStringLiteral("a9.h6"), QStringLiteral("a9.h9")}));
        QVERIFY(canvas.makeGroup(canvas.selectedNodes(), QStringLiteral("name movers")));
        QTRY_VERIFY_WITH_TIMEOUT(applied.count() == 2, kTimeoutMs);
        const QString group = QStringLiteral("group:name movers");
        QVERIFY(canvas.nodeViewPoint(group));
        for (const QString& head : movers)
            QVERIFY2(!canvas.nodeViewPoint(head), qPrintable(head));
        QCOMPARE(canvas.groupMembers(QStringLiteral("name movers")),
                 (QStringList{QStringLiteral("a10.h0"), QStringLiteral("a9.h6"), QStringLiteral("a9.h9")}));

        // Group -> logits: one line for the three edges, drawn with the sum of their scores.
        const core::Graph& g = mib.graph;
        auto senderOf = [&](int e) { return QString::fromStdString(g.senders()[static_cast<std::size_t>(g.edges()[static_cast<std::size_t>(e)].sender)].name); };
        auto receiverOf = [&](int e) { return QString::fromStdString(g.receivers()[static_cast<std::size_t>(g.edges()[static_cast<std::size_t>(e)].receiver)].nodeName); };
        QVector<int> toLogits;
        double sum = 0;
        for (int e = 0; e < static_cast<int>(g.edgeCount()); ++e)
            if (movers.contains(senderOf(e)) && receiverOf(e) == QLatin1String("logits")) {
                QVERIFY(mib.edgeInGraph[static_cast<std::size_t>(e)]);
                toLogits.append(e);
                sum += mib.edgeScores[static_cast<std::size_t>(e)];
            }
        QCOMPARE(toLogits.size(), 3);
        for (const int e : toLogits) {
            QVERIFY(canvas.drawnScore(e));
            QVERIFY(std::abs(*canvas.drawnScore(e) - sum) < 1e-9); // -0.282 - 0.130 - 0.059
            QCOMPARE(canvas.edgeViewPoint(e), canvas.edgeViewPoint(toLogits.front())); // the same line
        }
        QVERIFY(sum < -0.46 && sum > -0.48);
        // Edges between two of its heads are inside the group: not drawn.
        for (const int e : canvas.drawnEdges())
            if (movers.contains(senderOf(e)) && movers.contains(receiverOf(e)))
                QVERIFY(!canvas.drawnScore(e));

        // A click on the line patches its three edges, one undoable step.
        QVERIFY(canvas.revealEdge(toLogits.front()));
        const auto point = canvas.edgeViewPoint(toLogits.front());
        QVERIFY(point);
        const int steps = canvas.undoStack()->count();
        QTest::mouseClick(canvas.view()->viewport(), Qt::LeftButton, Qt::NoModifier, *point);
        QCOMPARE(canvas.undoStack()->count(), steps + 1);
        for (const int e : toLogits)
            QCOMPARE(canvas.circuit().edgeInGraph[static_cast<std::size_t>(e)], char(0));
        QCOMPARE(canvas.edgesInCircuit(), 756 - 3);
        canvas.undoStack()->undo();
        QVERIFY(canvas.circuit().edgeInGraph == mib.edgeInGraph);

        // The group patched as a whole: every kept edge out of its heads (19 + 18 + 6), only those.
        int keptOut = 0;
        for (int e = 0; e < static_cast<int>(g.edgeCount()); ++e)
            keptOut += movers.contains(senderOf(e)) && mib.edgeInGraph[static_cast<std::size_t>(e)] ? 1 : 0;
        QCOMPARE(keptOut, 43);
        canvas.setGroupKept(QStringLiteral("name movers"), false);
        for (int e = 0; e < static_cast<int>(g.edgeCount()); ++e) {
            const char expected = movers.contains(senderOf(e)) ? 0 : mib.edgeInGraph[static_cast<std::size_t>(e)];
            QCOMPARE(canvas.circuit().edgeInGraph[static_cast<std::size_t>(e)], expected);
        }
        QCOMPARE(canvas.edgesInCircuit(), 756 - 43);
        canvas.undoStack()->undo();
        QVERIFY(canvas.circuit().edgeInGraph == mib.edgeInGraph);
        // Restore after a patch brings back those 43, not every edge out of the heads.
        canvas.setGroupKept(QStringLiteral("name movers"), false);
        canvas.setGroupKept(QStringLiteral("name movers"), true);
        QVERIFY(canvas.circuit().edgeInGraph == mib.edgeInGraph);

        // A head added to the collapsed group joins its node at once.
        const int layoutsBefore = static_cast<int>(applied.count());
        QVERIFY(canvas.nodeViewPoint(QStringLiteral("a10.h7")));
        QVERIFY(canvas.makeGroup({QStringLiteral("a10.h7")}, QStringLiteral("name movers")));
        QTRY_VERIFY_WITH_TIMEOUT(applied.count() > layoutsBefore && !canvas.layoutPending(), kTimeoutMs);
        QVERIFY(!canvas.nodeViewPoint(QStringLiteral("a10.h7")));
        QCOMPARE(canvas.groupMembers(QStringLiteral("name movers")).size(), 4);
        canvas.setNodeGroup(QStringLiteral("a10.h7"), QString());

        // Expanded, the heads are back; the group stays in the circuit and its file.
        const int before = static_cast<int>(applied.count());
        canvas.setGroupCollapsed(QStringLiteral("name movers"), false);
        QTRY_VERIFY_WITH_TIMEOUT(applied.count() > before && !canvas.layoutPending(), kTimeoutMs);
        QVERIFY(canvas.nodeViewPoint(QStringLiteral("a9.h9")));
        QVERIFY(!canvas.nodeViewPoint(group));
        QTemporaryDir tmp;
        const QString file = tmp.filePath(QStringLiteral("grouped.json"));
        core::writeCircuit(canvas.circuit(), file.toStdString(), core::CircuitFormat::Native);
        const core::Circuit back = core::readCircuit(file.toStdString());
        for (const QString& head : movers)
            QCOMPARE(back.groups.at(head.toStdString()), std::string("name movers"));

        // Another model's circuit: the group's heads are not in it, nothing stays collapsed.
        canvas.setGroupCollapsed(QStringLiteral("name movers"), true);
        canvas.setCircuit(rankedCircuit(), QStringLiteral("another model"));
        QVERIFY(canvas.collapsedGroups().isEmpty());
        QVERIFY(canvas.groupMembers(QStringLiteral("name movers")).isEmpty());
    }

    // A tiny negative faithfulness or metric shows as 0.000, not "-0.000" (issue 24, item 18);
    // a real negative value keeps its sign.
    void evaluationNumbersHaveNoNegativeZero()
    {
        GraphCanvas canvas;
        CircuitEvaluation e;
        e.metric = -2e-6;
        e.cleanMetric = 1.5;
        e.referenceMetric = -1e-7;
        e.faithfulness = -4e-5;
        e.edgesKept = 3;
        canvas.setEvaluation(e);
        const QString text = canvas.evaluationText();
        const QString negativeZero = QLocale().toString(-0.001, 'f', 3).left(1) + QLocale().toString(0.0, 'f', 3);
        QVERIFY2(!text.contains(negativeZero), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("faithfulness <b>") + QLocale().toString(0.0, 'f', 3)), qPrintable(text));
        e.faithfulness = -0.25;
        canvas.setEvaluation(e);
        QVERIFY(canvas.evaluationText().contains(QLocale().toString(-0.25, 'f', 3)));
    }

    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("PatchbayTests"));
        QCoreApplication::setApplicationName(QStringLiteral("test_graphcanvas"));
    }

    // Issue 25, item 1: the circuit diagram. One row per rank, all ranks kept (rank 4 has no
    // node here), each node at its column (a head keeps its index), input and logits
    // centred, q/k/v entering a head at the left, middle and right third of its bottom.
    void layersLayoutIsTheCircuitDiagram()
    {
        patchbay::ui::LayoutRequest request;
        request.ranks = 6;
        request.nodes = {{QStringLiteral("input"), 0, -1}, {QStringLiteral("a0.h2"), 1, 2}, {QStringLiteral("m0"), 2, 4},
                         {QStringLiteral("a1.h2"), 3, 2}, {QStringLiteral("logits"), 5, -1}, {QStringLiteral("a1.h0"), 3, 0}};
        request.edges = {{0, 1, 1}, {1, 3, 0}, {2, 4, -1}, {1, 5, 2}};
        const auto layout = patchbay::ui::layoutLayers(request);
        QCOMPARE(layout.rankY.size(), 6);
        for (int r = 1; r < 6; ++r)
            QVERIFY(layout.rankY[r] < layout.rankY[r - 1]); // higher ranks higher up (y down)
        for (int i = 0; i < request.nodes.size(); ++i)
            QCOMPARE(layout.nodes[i].center().y(), layout.rankY[request.nodes[i].rank]);
        QCOMPARE(layout.nodes[1].center().x(), layout.nodes[3].center().x()); // h2 in both layers
        QVERIFY(layout.nodes[5].center().x() < layout.nodes[3].center().x()); // h0 left of h2
        QVERIFY(layout.nodes[3].center().x() < layout.nodes[2].center().x()); // the MLP after the heads
        QCOMPARE(layout.nodes[0].center().x(), layout.nodes[4].center().x()); // input, logits centred
        QVERIFY(std::abs(layout.nodes[0].center().x() - (layout.nodes[5].left() + layout.nodes[2].right()) / 2) < 1e-9);
        for (int e = 0; e < request.edges.size(); ++e) {
            const auto& points = layout.edges[e];
            QCOMPARE(points.size(), 4); // one cubic segment
            const QRectF& from = layout.nodes[request.edges[e].from];
            const QRectF& to = layout.nodes[request.edges[e].to];
            QCOMPARE(points.front(), QPointF(from.center().x(), from.top()));
            const int port = request.edges[e].port;
            const double x = to.center().x() + (port >= 0 ? (port - 1) * to.width() / 3.0 : 0.0);
            QCOMPARE(points.back(), QPointF(x, to.bottom()));
        }
        QVERIFY(layout.bounds.contains(layout.nodes[4]));
    }

    // The canvas draws the circuit diagram by default, with a "layer l" label per row, and a
    // node keeps its place when the filter changes; Graphviz's layout on request.
    void canvasDrawsTheCircuitDiagram()
    {
        GraphCanvas canvas;
        QVERIFY(showRanked(canvas, QSize(900, 700)));
        QSignalSpy applied(&canvas, &GraphCanvas::layoutApplied);
        QVERIFY(canvas.layeredLayout());
        QCOMPARE(canvas.rowLabels(), (QStringList{QStringLiteral("layer 0"), QStringLiteral("layer 1")}));
        auto scenePos = [&](const QString& node) { return canvas.view()->mapToScene(*canvas.nodeViewPoint(node)); };
        const QPointF before = scenePos(QStringLiteral("a1.h3"));
        canvas.setFilter(GraphCanvas::Filter::TopN, 20);
        QTRY_VERIFY_WITH_TIMEOUT(applied.count() >= 1 && !canvas.layoutPending(), kTimeoutMs);
        QVERIFY(canvas.nodeViewPoint(QStringLiteral("a1.h3")));
        QVERIFY((scenePos(QStringLiteral("a1.h3")) - before).manhattanLength() < 2.0);
        const int layouts = static_cast<int>(applied.count());
        canvas.setLayeredLayout(false);
        QTRY_VERIFY_WITH_TIMEOUT(applied.count() > layouts && !canvas.layoutPending(), kTimeoutMs);
        QVERIFY(canvas.rowLabels().isEmpty());
    }

    void layoutPutsInputsBelowLogits()
    {
        patchbay::ui::LayoutRequest request;
        request.nodes = {{QStringLiteral("input"), 0}, {QStringLiteral("a0.h0"), 1}, {QStringLiteral("a0.h1"), 1},
                         {QStringLiteral("logits"), 3}};
        request.edges = {{0, 1}, {0, 2}, {1, 3}, {2, 3}, {0, 3}, {0, 1}};
        const auto layout = patchbay::ui::layoutGraph(request);
        QCOMPARE(layout.nodes.size(), 4);
        QVERIFY(layout.nodes[0].center().y() > layout.nodes[1].center().y()); // y grows downwards
        QCOMPARE(layout.nodes[1].center().y(), layout.nodes[2].center().y()); // one row per rank
        QVERIFY(layout.nodes[1].center().y() > layout.nodes[3].center().y());
        for (int e = 0; e < request.edges.size(); ++e) {
            const auto& points = layout.edges[e];
            QVERIFY(points.size() >= 4);
            const QRectF from = layout.nodes[request.edges[e].from].adjusted(-3, -3, 3, 3);
            const QRectF to = layout.nodes[request.edges[e].to].adjusted(-3, -3, 3, 3);
            QVERIFY2(from.contains(points.front()), qPrintable(QStringLiteral("edge %1 starts off its tail").arg(e)));
            QVERIFY2(to.contains(points.back()), qPrintable(QStringLiteral("edge %1 ends off its head").arg(e)));
        }
        QVERIFY(layout.bounds.contains(layout.nodes[3].center()));
    }

    void clickedEdgeMetricEqualsCli()
    {
        MainWindow window;
        QVERIFY(showDemo(window));
        GraphCanvas* canvas = window.graphCanvas();
        QSignalSpy evaluated(window.worker(), &ComputeWorker::circuitEvaluated);
        QSignalSpy laidOut(canvas, &GraphCanvas::layoutApplied);
        QTRY_VERIFY_WITH_TIMEOUT(window.runPanel()->runButton()->isEnabled(), kTimeoutMs);
        QVERIFY(window.runAttribution(window.runPanel()->settings()));
        QTRY_VERIFY_WITH_TIMEOUT(canvas->hasCircuit() && laidOut.count() > 0 && evaluated.count() > 0, kTimeoutMs);
        QCOMPARE(canvas->edgesInCircuit(), 100); // the default top 100 of 110
        QCOMPARE(canvas->edgeItemCount(), 100);

        QTemporaryDir tmp;
        const QString before = tmp.filePath(QStringLiteral("before.json"));
        QVERIFY(window.exportCanvasCircuit(before, QStringLiteral("native")));
        const double metricBefore = evaluated.last().at(0).value<CircuitEvaluation>().metric;
        // The canvas's metric against patchbay-cli evaluate on the exported circuit: the same
        // float32 computation in another process (its batches may be cut differently), so
        // equal to a few ulps; 1e-5 relative is far below what one patched edge changes.
        QVERIFY(std::abs(metricBefore - cliMetric(before)) <= 1e-5 * std::max(1.0, std::abs(metricBefore)));

        // Click the edge with the largest |score| (the circuit's most important one).
        const core::Circuit& circuit = canvas->circuit();
        std::size_t top = 0;
        for (std::size_t e = 0; e < circuit.edgeScores.size(); ++e)
            if (std::abs(circuit.edgeScores[e]) > std::abs(circuit.edgeScores[top]))
                top = e;
        canvas->fitToView();
        QVERIFY(canvas->revealEdge(static_cast<int>(top))); // where it is clear of the edges beside it
        const auto point = canvas->edgeViewPoint(static_cast<int>(top));
        QVERIFY2(point.has_value(), "the top edge has no free point to click");
        const int seen = static_cast<int>(evaluated.count());
        QTest::mouseClick(canvas->view()->viewport(), Qt::LeftButton, Qt::NoModifier, *point);
        QCOMPARE(canvas->circuit().edgeInGraph[top], char(0));
        QCOMPARE(canvas->edgesInCircuit(), 99);
        QTRY_VERIFY_WITH_TIMEOUT(evaluated.count() > seen, kTimeoutMs);
        const auto after = evaluated.last().at(0).value<CircuitEvaluation>();
        QCOMPARE(after.edgesKept, 99);
        QTRY_COMPARE_WITH_TIMEOUT(canvas->evaluationText().contains(QLocale().toString(after.metric, 'f', 4)), true, kTimeoutMs);
        const QString patched = tmp.filePath(QStringLiteral("patched.json"));
        QVERIFY(window.exportCanvasCircuit(patched, QStringLiteral("native")));
        const double cli = cliMetric(patched);
        QVERIFY2(std::abs(after.metric - cli) <= 1e-5 * std::max(1.0, std::abs(cli)),
                 qPrintable(QStringLiteral("canvas %1, cli %2").arg(after.metric).arg(cli)));
        QVERIFY(std::abs(after.metric - metricBefore) > 1e-3); // the top edge matters
        // The two evaluations differ in that edge alone: its measured effect is shown.
        QVERIFY(canvas->measuredEffect(static_cast<int>(top)).has_value());
        // The effect is the difference of these two doubles: 1e-12 only absorbs the subtraction.
        QVERIFY(std::abs(*canvas->measuredEffect(static_cast<int>(top)) - (after.metric - metricBefore)) <= 1e-12);

        // Undo (Edit > Undo acts on the canvas after a canvas edit) restores the edge and
        // the metric.
        auto* undo = window.findChild<QAction*>(QStringLiteral("undoAction"));
        QVERIFY(undo && undo->isEnabled());
        const int seenAfter = static_cast<int>(evaluated.count());
        undo->trigger();
        QCOMPARE(canvas->circuit().edgeInGraph[top], char(1));
        QTRY_VERIFY_WITH_TIMEOUT(evaluated.count() > seenAfter, kTimeoutMs);
        // The same mask through the same evaluator in one process: the same kernels on the same
        // shapes give the same bits, so 1e-9 relative is a check of "restored", not of rounding.
        QVERIFY(std::abs(evaluated.last().at(0).value<CircuitEvaluation>().metric - metricBefore) <= 1e-9 * std::abs(metricBefore));

        // A double click on a node patches all its drawn edges; a click selects it.
        const auto node = canvas->nodeViewPoint(QStringLiteral("a1.h3"));
        QVERIFY(node.has_value());
        QTest::mouseClick(canvas->view()->viewport(), Qt::LeftButton, Qt::NoModifier, *node);
        QCOMPARE(window.selection()->node(), QStringLiteral("a1.h3"));
        QTest::mouseDClick(canvas->view()->viewport(), Qt::LeftButton, Qt::NoModifier, *node);
        const core::Graph& g = canvas->circuit().graph;
        for (const int e : canvas->drawnEdges()) {
            const auto& edge = g.edges()[static_cast<std::size_t>(e)];
            if (g.senders()[static_cast<std::size_t>(edge.sender)].name == "a1.h3" ||
                g.receivers()[static_cast<std::size_t>(edge.receiver)].nodeName == "a1.h3")
                QCOMPARE(canvas->circuit().edgeInGraph[static_cast<std::size_t>(e)], char(0));
        }
        // Reset to the top n brings the first circuit back.
        canvas->resetToTopN(100);
        QCOMPARE(canvas->edgesInCircuit(), 100);

        // A group patched as a whole (issue 25, item 3): the window's metric is the CLI's for
        // the circuit without the group's outputs.
        QVERIFY(canvas->makeGroup({QStringLiteral("a0.h0"), QStringLiteral("a0.h1"), QStringLiteral("a0.h2"),
                                   QStringLiteral("a0.h3")},
                                  QStringLiteral("layer 0")));
        const int kept = canvas->edgesInCircuit();
        int groupKept = 0;
        for (const int e : canvas->groupOutputs(QStringLiteral("layer 0")))
            groupKept += canvas->circuit().edgeInGraph[static_cast<std::size_t>(e)];
        QVERIFY(groupKept > 0);
        canvas->setGroupKept(QStringLiteral("layer 0"), false);
        QCOMPARE(canvas->edgesInCircuit(), kept - groupKept);
        QTRY_VERIFY_WITH_TIMEOUT(!evaluated.isEmpty() && evaluated.last().at(0).value<CircuitEvaluation>().edgesKept ==
                                                             kept - groupKept, kTimeoutMs);
        const double groupMetric = evaluated.last().at(0).value<CircuitEvaluation>().metric;
        const QString groupFile = tmp.filePath(QStringLiteral("group.json"));
        QVERIFY(window.exportCanvasCircuit(groupFile, QStringLiteral("native")));
        const double groupCli = cliMetric(groupFile);
        QVERIFY2(std::abs(groupMetric - groupCli) <= 1e-5 * std::max(1.0, std::abs(groupCli)),
                 qPrintable(QStringLiteral("canvas %1, cli %2").arg(groupMetric).arg(groupCli)));
        QVERIFY(std::abs(groupMetric - metricBefore) > 1e-3); // layer 0 matters to induction
        canvas->undoStack()->undo();
        QCOMPARE(canvas->edgesInCircuit(), 100);
        canvas->dissolveGroup(QStringLiteral("layer 0"));
        QVERIFY(canvas->groupNames().isEmpty());

        // Labels go into the circuit file and the session.
        canvas->setNodeLabel(QStringLiteral("a1.h3"), QStringLiteral("induction head"));
        const QString labelled = tmp.filePath(QStringLiteral("labelled.json"));
        QVERIFY(window.exportCanvasCircuit(labelled, QStringLiteral("native")));
        QCOMPARE(core::readCircuit(labelled.toStdString()).labels.at("a1.h3"), std::string("induction head"));
        QCOMPARE(window.session().labels.at("a1.h3"), std::string("induction head"));
        QString error;
        QVERIFY(canvas->exportDrawing(tmp.filePath(QStringLiteral("graph.svg")), &error));
        QVERIFY(canvas->exportDrawing(tmp.filePath(QStringLiteral("graph.png")), &error));
        QVERIFY(!canvas->exportDrawing(tmp.filePath(QStringLiteral("graph.bmp")), &error));
    }

    void mibCircuitImportsWithAsyncLayout()
    {
        MainWindow window;
        QVERIFY(showDemo(window));
        GraphCanvas* canvas = window.graphCanvas();
        QSignalSpy laidOut(canvas, &GraphCanvas::layoutApplied);
        const core::Circuit mib = core::readCircuit(mibFile().toStdString()); // outside the measurement

        // The event loop's largest gap between 10 ms ticks while the big graph is opened
        // and redrawn at several sizes.
        QElapsedTimer clock;
        clock.start();
        qint64 last = 0, worst = 0;
        QTimer tick;
        tick.setInterval(10);
        QObject::connect(&tick, &QTimer::timeout, [&] {
            const qint64 now = clock.elapsed();
            worst = std::max(worst, now - last);
            last = now;
        });
        tick.start();
        last = clock.elapsed();

        QSignalSpy imported(&window, &MainWindow::circuitImported);
        QVERIFY(window.importCircuit(mibFile()));
        // The file is read and the layout computed off the GUI thread (issue 24, item 19): the
        // import returns before either is done (each comes back as a queued call, so nothing
        // can be applied until the event loop runs), with a busy bar in the status bar. This
        // is the behaviour that keeps the window responsive; the gaps themselves are measured
        // below and asserted by bench_canvas, not here.
        QVERIFY(window.isImporting());
        QCOMPARE(imported.count(), 0);
        QVERIFY(canvas->title() != QStringLiteral("mib_ioi_gpt2_eap-ig.json"));
        auto* busy = window.findChild<QProgressBar*>(QStringLiteral("statusProgress"));
        QVERIFY(busy && busy->isVisible() && busy->maximum() == 0);
        QVERIFY(!window.importCircuit(demoDir() + QStringLiteral("/induction-circuit.json"))); // one at a time
        QTRY_COMPARE_WITH_TIMEOUT(imported.count(), 1, kTimeoutMs);
        QVERIFY(imported.front().at(1).toBool());
        QVERIFY(!busy->isVisible());
        QCOMPARE(mib.graph.edgeCount(), std::size_t{32491});
        QCOMPARE(canvas->circuit().graph.edgeCount(), std::size_t{32491});
        QCOMPARE(canvas->filter(), GraphCanvas::Filter::InCircuit);
        QTRY_VERIFY_WITH_TIMEOUT(laidOut.count() == 1, kTimeoutMs);
        QCOMPARE(canvas->edgesInCircuit(), 756);
        QCOMPARE(canvas->edgeItemCount(), 756);
        QVector<int> drawn = canvas->drawnEdges();
        std::sort(drawn.begin(), drawn.end());
        QVector<int> expected;
        for (std::size_t e = 0; e < mib.edgeInGraph.size(); ++e)
            if (mib.edgeInGraph[e])
                expected.append(static_cast<int>(e));
        QCOMPARE(drawn, expected);
        const double firstLayout = canvas->lastLayoutSeconds(), firstScene = canvas->lastSceneSeconds();
        // Not the demo's graph: explained, not evaluated.
        QVERIFY2(window.errorText().contains(QStringLiteral("cannot run on demo")), qPrintable(window.errorText()));
        // (said by the metric's request, which waits for the edits to settle)
        QTRY_VERIFY2_WITH_TIMEOUT(canvas->evaluationText().contains(QStringLiteral("layers 12 vs 2")),
                                  qPrintable(canvas->evaluationText()), kTimeoutMs);

        for (const auto& [filter, value] : {std::pair{GraphCanvas::Filter::TopN, 200.0},
                                            std::pair{GraphCanvas::Filter::CumulativeShare, 0.2},
                                            std::pair{GraphCanvas::Filter::TopN, 50.0}}) {
            const int before = static_cast<int>(laidOut.count());
            canvas->setFilter(filter, value);
            QTRY_VERIFY_WITH_TIMEOUT(laidOut.count() > before, kTimeoutMs);
        }
        QCOMPARE(canvas->edgeItemCount(), 50);
        tick.stop();

        // A file that cannot be read: said by name, the graph keeps the circuit it had.
        QTemporaryDir tmp;
        QFile bad(tmp.filePath(QStringLiteral("bad.json")));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("{\"cfg\": {\"n_layers\": 2}, \"edges\": [1, 2");
        bad.close();
        imported.clear();
        QVERIFY(window.importCircuit(bad.fileName()));
        QTRY_COMPARE_WITH_TIMEOUT(imported.count(), 1, kTimeoutMs);
        QVERIFY(!imported.front().at(1).toBool());
        QVERIFY2(window.errorText().contains(QStringLiteral("bad.json")), qPrintable(window.errorText()));
        QCOMPARE(canvas->circuit().graph.edgeCount(), std::size_t{32491});
        qInfo("MIB IOI circuit (32,491 edges): 756-edge drawing laid out in %.0f ms (%s, worker thread), "
              "scene built in %.0f ms; largest event-loop gap %lld ms while opening and redrawing",
              1000 * firstLayout, canvas->layeredLayout() ? "layers" : "Graphviz", 1000 * firstScene, static_cast<long long>(worst));
    }
};

QTEST_MAIN(TestGraphCanvas)
#include "test_graphcanvas.moc"
