// SPDX-License-Identifier: MIT
// The prompt-pair editor (table model with undo and live validation, token view, import
// and export) and the heatmap view (colour scale, click to select, export), offscreen,
// on the demo model's word-level tokenizer.
#include "core/data/dataset.h"
#include "core/common/system.h"
#include "core/tokenize/tokenizer.h"
#include "ui/heatmap.h"
#include "ui/pairseditor.h"
#include "ui/pairtable.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QScrollArea>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QTest>
#include <QToolBar>
#include <QUndoStack>

#include <cmath>

using patchbay::ui::ColourScale;
using patchbay::ui::HeatmapData;
using patchbay::ui::HeatmapView;
using patchbay::ui::PairTableModel;
using patchbay::ui::PromptEditor;
using patchbay::ui::TextEncoder;
namespace core = patchbay::core;

namespace {

const QString kData = QStringLiteral(PATCHBAY_TEST_DATA_DIR);

QString demo(const char* file) { return QString::fromStdString((core::findResource("demo") / file).string()); }

TextEncoder demoEncoder()
{
    TextEncoder e;
    auto tokenizer = core::Tokenizer::load(core::findResource("demo"));
    e.tokenizer = std::make_shared<const core::Tokenizer>(tokenizer);
    if (tokenizer.addsBosByDefault())
        e.bos = tokenizer.bosId();
    e.vocabularySize = 274;
    return e;
}

// Data rows of a CSV file (lines after the header that are not empty).
int csvRows(const QString& file)
{
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    int n = -1;
    while (!f.atEnd())
        if (!f.readLine().trimmed().isEmpty())
            ++n;
    return n;
}

// Puts one pair (answer " Mary", wrong " John") in the editor and returns it.
core::PromptPair onePair(PromptEditor& editor, const std::string& clean, const std::string& corrupted)
{
    core::Dataset data;
    core::PromptPair p;
    p.row = 1;
    p.clean = clean;
    p.corrupted = corrupted;
    p.answers = {"Mary"};
    p.wrongAnswers = {"John"};
    data.pairs.push_back(p);
    editor.setDataset(data);
    return p;
}

} // namespace

class TestPairsEditor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void opensAndValidates()
    {
        PromptEditor editor;
        QAbstractItemModelTester tester(editor.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QString error;
        QVERIFY2(editor.openFile(demo("induction.csv"), &error), qPrintable(error));
        QCOMPARE(editor.pairCount(), csvRows(demo("induction.csv")));
        QVERIFY(!editor.model()->validated());
        QString why;
        QVERIFY(editor.runnableDataset(&why).pairs.empty());
        QVERIFY(why.contains(QStringLiteral("tokenizer")));

        editor.setEncoder(demoEncoder());
        QVERIFY(editor.model()->validated());
        QCOMPARE(editor.errorRows(), 0);
        // Induction prompts r1..r10 r1..r9 plus <bos>: 20 tokens each.
        QCOMPARE(editor.model()->index(0, PairTableModel::TokensColumn).data().toString(), QStringLiteral("20 / 20"));
        const core::Dataset runnable = editor.runnableDataset(&why);
        QCOMPARE(static_cast<int>(runnable.pairs.size()), editor.pairCount());
        QCOMPARE(runnable.pairs.front().cleanIds.size(), std::size_t(20));
        QCOMPARE(runnable.pairs.front().cleanIds.front(), *demoEncoder().bos);
        QVERIFY(editor.headerText().contains(QStringLiteral("all valid")));
    }

    // An edit that makes clean and corrupted differ in length flags the row at once; undo
    // restores the text and the verdict; redo again.
    void editUndoRedo()
    {
        PromptEditor editor;
        QString error;
        QVERIFY(editor.openFile(demo("induction.csv"), &error));
        editor.setEncoder(demoEncoder());
        PairTableModel* model = editor.model();
        QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const QModelIndex clean = model->index(2, PairTableModel::CleanColumn);
        const QString original = clean.data().toString();
        QVERIFY(model->setData(clean, original + QStringLiteral(" John")));
        QCOMPARE(editor.errorRows(), 1);
        QCOMPARE(model->index(2, 0).data(PairTableModel::SeverityRole).toInt(), int(PairTableModel::Error));
        const QString tip = model->index(2, PairTableModel::CleanColumn).data(Qt::ToolTipRole).toString();
        QVERIFY2(tip.contains(QStringLiteral("row 3")) && tip.contains(QStringLiteral("21")), qPrintable(tip));
        QVERIFY(model->index(2, 0).data(Qt::BackgroundRole).isValid());
        QCOMPARE(editor.runnableDataset(nullptr).pairs.size(), std::size_t(editor.pairCount() - 1));

        editor.undoStack()->undo();
        QCOMPARE(model->index(2, PairTableModel::CleanColumn).data().toString(), original);
        QCOMPARE(editor.errorRows(), 0);
        editor.undoStack()->redo();
        QCOMPARE(editor.errorRows(), 1);

        // Several answers, separated by " | ".
        QVERIFY(model->setData(model->index(0, PairTableModel::AnswerColumn), QStringLiteral("Mary | John")));
        QCOMPARE(editor.dataset().pairs[0].answers, (std::vector<std::string>{"Mary", "John"}));
    }

    // Issue 24, item 18: Undo keeps its one-word label (it grew to "Undo Open …" and pushed
    // the rest of the pairs tool bar about); the tooltip says what it would undo.
    void undoButtonKeepsItsPlace()
    {
        PromptEditor editor;
        editor.resize(900, 400);
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        auto* undo = editor.findChild<QAction*>(QStringLiteral("pairsUndo"));
        auto* toolbar = editor.findChild<QToolBar*>();
        QVERIFY(undo && toolbar);
        QWidget* importButton = nullptr;
        for (QAction* action : toolbar->actions())
            if (action->text() == QStringLiteral("Import…"))
                importButton = toolbar->widgetForAction(action);
        QVERIFY(importButton);
        QVERIFY(!undo->isEnabled());
        const int before = importButton->x();
        QString error;
        QVERIFY(editor.openFile(demo("induction.csv"), &error));
        QVERIFY(editor.openFile(demo("ioi.csv"), &error)); // replacing pairs: an undoable "Open ioi.csv"
        QApplication::processEvents();
        QVERIFY(undo->isEnabled());
        QCOMPARE(undo->text(), QStringLiteral("Undo"));
        QVERIFY2(undo->toolTip().startsWith(QStringLiteral("Undo: Open")), qPrintable(undo->toolTip()));
        QCOMPARE(importButton->x(), before);
        undo->trigger();
        QVERIFY(!undo->isEnabled());
    }

    void addDeleteDropInvalid()
    {
        PromptEditor editor;
        QString error;
        QVERIFY(editor.openFile(demo("induction.csv"), &error));
        editor.setEncoder(demoEncoder());
        PairTableModel* model = editor.model();
        const int n = editor.pairCount();
        model->addPair(1);
        QCOMPARE(editor.pairCount(), n + 1);
        QCOMPARE(model->severity(1), PairTableModel::Error); // empty prompts, no answer
        QCOMPARE(model->index(1, PairTableModel::RowColumn).data().toInt(), n + 1); // a fresh row number
        model->removePairs({0, 2});
        QCOMPARE(editor.pairCount(), n - 1);
        QCOMPARE(model->dropInvalid(), 1);
        QCOMPARE(editor.pairCount(), n - 2);
        QCOMPARE(editor.errorRows(), 0);
        for (int i = 0; i < 3; ++i)
            editor.undoStack()->undo();
        QCOMPARE(editor.pairCount(), n);
        QCOMPARE(editor.errorRows(), 0);
        QCOMPARE(model->index(0, PairTableModel::RowColumn).data().toInt(), 1);
    }

    void badFileKeepsThePairs()
    {
        PromptEditor editor;
        QString error;
        QVERIFY(editor.openFile(demo("induction.csv"), &error));
        const int n = editor.pairCount();
        QVERIFY(!editor.openFile(kData + QStringLiteral("/datasets/invalid/missing_column.csv"), &error));
        QVERIFY2(error.contains(QStringLiteral("missing_column.csv")), qPrintable(error));
        QCOMPARE(editor.pairCount(), n);
        QVERIFY(editor.fileName().endsWith(QStringLiteral("induction.csv")));

        // A readable file with row errors opens, and the rows say what is wrong.
        QVERIFY(editor.openFile(kData + QStringLiteral("/datasets/invalid/several_errors.csv"), &error));
        editor.setEncoder(demoEncoder());
        QVERIFY(editor.errorRows() > 0);
        QVERIFY(editor.headerText().contains(QStringLiteral("with errors")));
    }

    // Every export format reads back as the same pairs.
    void exportsEveryFormat_data()
    {
        QTest::addColumn<int>("format");
        QTest::addColumn<QString>("name");
        QTest::newRow("native-csv") << int(core::DatasetFormat::NativeCsv) << QStringLiteral("a.csv");
        QTest::newRow("native-json") << int(core::DatasetFormat::NativeJson) << QStringLiteral("a.json");
        QTest::newRow("eap-ig-csv") << int(core::DatasetFormat::EapIgCsv) << QStringLiteral("b.csv");
        QTest::newRow("auto-circuit-json") << int(core::DatasetFormat::AutoCircuitJson) << QStringLiteral("b.json");
    }
    void exportsEveryFormat()
    {
        QFETCH(int, format);
        QFETCH(QString, name);
        PromptEditor editor;
        QString error;
        QVERIFY(editor.openFile(demo("ioi.csv"), &error));
        editor.setEncoder(demoEncoder());
        QTemporaryDir tmp;
        const QString file = tmp.filePath(name);
        QVERIFY2(editor.exportFile(file, static_cast<core::DatasetFormat>(format), &error), qPrintable(error));
        const core::Dataset back = core::readDataset(file.toStdString());
        QCOMPARE(back.pairs.size(), editor.dataset().pairs.size());
        const TextEncoder e = demoEncoder();
        for (std::size_t i = 0; i < back.pairs.size(); ++i) {
            const auto& a = back.pairs[i];
            const auto& b = editor.dataset().pairs[i];
            // Every format carries the prompts as text.
            QCOMPARE(a.clean, b.clean);
            QCOMPARE(a.corrupted, b.corrupted);
            // EAP-IG stores answers as ids: compare through the tokenizer.
            const int32_t answer = a.answerIds.empty() ? e.tokenizer->encode(a.answers.front()).front() : a.answerIds.front();
            QCOMPARE(answer, e.tokenizer->encode(b.answers.front()).front());
        }
    }

    void tokenViewMarksDifferences()
    {
        PromptEditor editor;
        const core::PromptPair p = onePair(editor, "When Mary and John went to the store John gave a drink to",
                                           "When Mary and John went to the store Mary gave a drink to");
        const TextEncoder e = demoEncoder();
        editor.setEncoder(e);
        auto* view = editor.tokenView();
        // By hand: position 0 is <bos>, the words follow; only "John" / "Mary" at word 9 differ.
        const auto clean = e.encodePrompt(p.clean), corrupted = e.encodePrompt(p.corrupted);
        QVector<int> expected;
        for (std::size_t i = 0; i < clean.size(); ++i)
            if (clean[i] != corrupted[i])
                expected << static_cast<int>(i);
        QCOMPARE(expected, QVector<int>{9});
        QCOMPARE(view->differingPositions(), expected);
        QCOMPARE(view->cleanTokens().size(), static_cast<int>(clean.size()));
        QCOMPARE(view->cleanTokens().at(9), QStringLiteral("John"));
        QCOMPARE(view->corruptedTokens().at(9), QStringLiteral("Mary"));
    }

    // A prompt wider than the dock scrolls sideways to its last token and the answers
    // (issue 24 item 7: only positions 0-11 of a 20-token induction pair showed).
    void tokenViewScrollsToTheLastToken()
    {
        PromptEditor editor;
        const std::string text = "When Mary and John went to the store John gave a drink to Mary and John went to the store John gave a drink to";
        onePair(editor, text, text);
        editor.setEncoder(demoEncoder());
        editor.resize(420, 500);
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        QApplication::processEvents();
        auto* view = editor.tokenView();
        QVERIFY(view->cleanTokens().size() >= 20);
        auto* scroll = qobject_cast<QScrollArea*>(view->parentWidget()->parentWidget());
        QVERIFY(scroll);
        QVERIFY2(view->width() >= view->sizeHint().width(), qPrintable(QStringLiteral("%1 < %2").arg(view->width()).arg(view->sizeHint().width())));
        QVERIFY(scroll->horizontalScrollBar()->maximum() > 0);
        scroll->horizontalScrollBar()->setValue(scroll->horizontalScrollBar()->maximum());
        // At the far end, the view's right edge is on screen.
        QCOMPARE(view->mapTo(scroll->viewport(), QPoint(view->width(), 0)).x(), scroll->viewport()->width());
    }

    // ---- heatmap ----------------------------------------------------------------------------

    void colourScale()
    {
        const ColourScale d = ColourScale::fitted(ColourScale::Diverging, {-0.5, 2.0, std::nan("")});
        QCOMPARE(d.low(), -2.0);
        QCOMPARE(d.high(), 2.0);
        QCOMPARE(d.colour(0.0), QColor(Qt::white));
        // The graph's colours (graphitems_p.h kPositive, kNegative): a score above 0, the
        // metric rising when patched, is blue; below 0, falling, red.
        QCOMPARE(d.colour(2.0), QColor(33, 102, 172));
        QCOMPARE(d.colour(-2.0), QColor(178, 24, 43));
        QCOMPARE(d.colour(9.0), d.colour(2.0)); // clamped
        QCOMPARE(d.colour(std::nan("")), ColourScale::nanColour());
        // Halfway from 0 to −max: the light red stop exactly.
        QCOMPARE(d.colour(-1.0), QColor(0xf4, 0xa5, 0x82));
        const ColourScale s(ColourScale::Sequential, 0, 1);
        QCOMPARE(s.colour(0.0), QColor(Qt::white));
        QCOMPARE(s.colour(1.0), QColor(0x08, 0x30, 0x6b));
        const QImage image = d.render({0, 2, -2, std::nan(""), -1, 0}, 2, 3);
        QCOMPARE(image.size(), QSize(3, 2));
        QCOMPARE(image.pixelColor(1, 0), QColor(33, 102, 172));
        QCOMPARE(image.pixelColor(2, 0), QColor(178, 24, 43));
        QCOMPARE(image.pixelColor(0, 1), ColourScale::nanColour());
        QCOMPARE(image.pixelColor(1, 1), QColor(0xf4, 0xa5, 0x82));
    }

    // A heatmap settles after a resize: its tick labels are fitted after each replot, and a
    // fit that changed its own margins (a smaller font, then the normal one again) replotted
    // for ever: the GUI thread spun a core and EAP-IG on the worker ran 18x slower beside it.
    // An attention-sized pattern at many dock sizes: once settled, no replot without a cause.
    void heatmapSettlesAtEverySize()
    {
        HeatmapData data;
        const int n = 20;
        for (int p = 0; p < n; ++p) {
            data.rowLabels << QStringLiteral("%1 negotiation").arg(p);
            data.columnLabels << QString::number(p);
        }
        for (int q = 0; q < n; ++q)
            for (int k = 0; k < n; ++k)
                data.values << (k <= q ? 1.0 / (q + 1) : std::nan(""));
        data.columnTitle = QStringLiteral("key position (attended to)");
        data.rowTitle = QStringLiteral("query position");
        data.scale = ColourScale::Sequential;
        HeatmapView view;
        view.resize(400, 400);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QSignalSpy replots(view.plotWidget(), SIGNAL(afterReplot()));
        QStringList restless;
        for (int w = 240; w <= 560; w += 16) {
            for (const int h : {300, 420}) {
                view.resize(w, h);
                view.setData(data);
                // Settled: a 100 ms window without a replot within 2 s (a loop replots on
                // and on; a busy machine only delays the few replots a change causes).
                bool quiet = false;
                int seen = 0;
                QElapsedTimer clock;
                clock.start();
                while (!quiet && clock.elapsed() < 2000) {
                    replots.clear();
                    QTest::qWait(100);
                    seen += static_cast<int>(replots.count());
                    quiet = replots.isEmpty();
                }
                if (!quiet)
                    restless << QStringLiteral("%1x%2: %3").arg(w).arg(h).arg(seen);
            }
        }
        QVERIFY2(restless.isEmpty(), qPrintable(restless.join(QStringLiteral(", "))));
    }

    // A whole graph's grid (Llama-3.1-8B: 1,057 senders x 1,057 receiver nodes) in a small
    // dock: the labels are thinned until none overlaps, and zoomed in, thinned less.
    void hugeHeatmapLabelsDoNotOverlap()
    {
        HeatmapData data;
        const int n = 1057;
        for (int i = 0; i < n; ++i) {
            data.rowLabels << QStringLiteral("a%1.h%2").arg(i / 32).arg(i % 32);
            data.columnLabels << QStringLiteral("a%1.h%2").arg(i / 32).arg(i % 32);
        }
        data.values.fill(0.0, n * n);
        for (int i = 0; i < n; ++i)
            data.values[i * n + (n - 1 - i)] = 1.0;
        HeatmapView view;
        view.setZoomable(true);
        view.resize(600, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setData(data);
        auto settle = [&] {
            for (int i = 0; i < 8; ++i) {
                view.replotNow();
                QApplication::processEvents();
            }
        };
        auto noOverlap = [&](Qt::Orientation axis) {
            const QVector<double> shown = view.tickPixels(axis);
            // Rows: a line each; columns (rotated labels): their ascent, as the view lays them out.
            const QFontMetrics fm(view.tickFont());
            const int room = axis == Qt::Vertical ? fm.height() - 1 : fm.ascent() + 1;
            for (int i = 1; i < shown.size(); ++i)
                if (shown[i] - shown[i - 1] < room)
                    return QStringLiteral("%1 px between labels %2 and %3 of %4").arg(shown[i] - shown[i - 1]).arg(i - 1).arg(i).arg(shown.size());
            return QString();
        };
        settle();
        QCOMPARE(noOverlap(Qt::Vertical), QString());
        QCOMPARE(noOverlap(Qt::Horizontal), QString());
        const int before = static_cast<int>(view.tickLabels(Qt::Vertical).size());
        QVERIFY(before >= 3);
        view.zoomTo(QRectF(500, 500, 20, 20));
        settle();
        QCOMPARE(view.visibleCells(), QRect(500, 500, 20, 20));
        QCOMPARE(noOverlap(Qt::Vertical), QString());
        QCOMPARE(noOverlap(Qt::Horizontal), QString());
        QVERIFY(view.tickLabels(Qt::Vertical).size() > before);
    }

    void heatmapClickAndExport()
    {
        HeatmapView view;
        view.resize(600, 400);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        HeatmapData data;
        data.title = QStringLiteral("test");
        data.rowLabels = {QStringLiteral("0"), QStringLiteral("1"), QStringLiteral("2")};
        data.columnLabels = {QStringLiteral("h0"), QStringLiteral("h1"), QStringLiteral("h2"), QStringLiteral("MLP")};
        for (int i = 0; i < 12; ++i) {
            data.values << (i - 5) * 0.1;
            data.cellIds << QStringLiteral("cell%1").arg(i);
        }
        data.valueName = QStringLiteral("score");
        view.setData(data);
        QVERIFY(view.hasData());
        view.replotNow();
        QSignalSpy clicked(&view, &HeatmapView::cellClicked);
        const QPoint centre = view.cellCentre(2, 1);
        QCOMPARE(view.cellAt(centre), qMakePair(2, 1));
        QTest::mouseClick(view.plotWidget(), Qt::LeftButton, Qt::NoModifier, centre);
        QCOMPARE(clicked.count(), 1);
        QCOMPARE(clicked.first().at(0).toInt(), 2);
        QCOMPARE(clicked.first().at(1).toInt(), 1);
        QCOMPARE(clicked.first().at(2).toString(), QStringLiteral("cell9"));
        QCOMPARE(view.selectedCell(), qMakePair(2, 1));
        QCOMPARE(view.cellAt(QPoint(1, 1)), qMakePair(-1, -1));

        QTemporaryDir tmp;
        QString error;
        QVERIFY(view.exportTo(tmp.filePath(QStringLiteral("m.png")), &error));
        QVERIFY(!QImage(tmp.filePath(QStringLiteral("m.png"))).isNull());
        QVERIFY(view.exportTo(tmp.filePath(QStringLiteral("m.svg")), &error));
        QVERIFY(QSvgRenderer(tmp.filePath(QStringLiteral("m.svg"))).isValid());
        QVERIFY(view.exportTo(tmp.filePath(QStringLiteral("m.pdf")), &error));
        QFile pdf(tmp.filePath(QStringLiteral("m.pdf")));
        QVERIFY(pdf.open(QIODevice::ReadOnly));
        QVERIFY(pdf.read(5) == "%PDF-");
        QVERIFY(!view.exportTo(tmp.filePath(QStringLiteral("m.bmpx")), &error));
        QVERIFY(error.contains(QStringLiteral("bmpx")));
        view.clear(QStringLiteral("none"));
        QVERIFY(!view.exportTo(tmp.filePath(QStringLiteral("n.png")), &error));
    }
};

QTEST_MAIN(TestPairsEditor)
#include "test_pairseditor.moc"
