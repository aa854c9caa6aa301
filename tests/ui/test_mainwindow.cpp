// SPDX-License-Identifier: MIT
// The main window offscreen: its docks and actions; a model and prompt pairs loaded through
// the compute worker; EAP run from the Run panel with the scores patchbay-cli writes; a
// cached re-run; cancel from the panel; datasets with row errors and unreadable files that
// keep the previous state; a missing model folder; heatmap clicks that drive the shared
// selection (attention view follows); closing while a job runs.
//
// Model fixture: tests/data/models/gpt2 (3 layers, 4 heads, vocabulary 256) has no
// tokenizer, so the tests copy its config and weights next to the word-level tokenizer of
// tests/data/tokenizers/wordlevel-whitespace (250 tokens, all inside the model's vocabulary).
#include "ui/mainwindow.h"
#include "ui/attentiongrid.h"
#include "ui/graphcanvas.h"
#include "ui/headroles.h"
#include "ui/heatmap.h"
#include "ui/logitlensview.h"
#include "ui/pairseditor.h"
#include "ui/pairtable.h"
#include "ui/runpanel.h"
#include "ui/selection.h"

#include "core/graph/circuit.h"
#include "core/common/error.h"
#include "core/model/model.h"
#include "core/data/session.h"
#include "core/common/system.h"
#include "core/data/tasks.h"
#include "core/tokenize/tokenizer.h"

#include <QApplication>
#include <QCheckBox>
#include <QDir>
#include <QElapsedTimer>
#include <QDockWidget>
#include <QFile>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QListWidget>
#include <QMenuBar>
#include <QTextBrowser>
#include <QSlider>
#include <QToolButton>
#include <QMessageBox>
#include <QUndoStack>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QScrollArea>
#include <QScrollBar>
#include <QLayout>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QComboBox>
#include <QGraphicsScene>
#include <QGraphicsView>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QWheelEvent>

#include <nlohmann/json.hpp>

#include <cmath>
#include <set>

using patchbay::ui::AttentionGrid;
using patchbay::ui::ComputeWorker;
using patchbay::ui::GraphCanvas;
using patchbay::ui::HeatmapView;
using patchbay::ui::MainWindow;
using patchbay::ui::PairTableModel;
using patchbay::ui::RunResult;
using patchbay::ui::RunSettings;
namespace core = patchbay::core;

namespace {

const QString kData = QStringLiteral(PATCHBAY_TEST_DATA_DIR);
constexpr int kTimeoutMs = 120000;

// Three valid pairs in the word-level vocabulary (the whitespace pre-tokenizer drops the
// answers' leading space, so each answer is one token).
const char* const kPairsCsv = "clean,corrupted,answer,wrong_answer\n"
                              "When Mary and John went to the store,When John and Mary went to the store, John, Mary\n"
                              "Mary and John went to the,John and Mary went to the, John, Mary\n"
                              "the Mary and the John,the John and the Mary, John, Mary\n";

bool copyFile(const QString& from, const QString& to)
{
    QFile::remove(to);
    return QFile::copy(from, to);
}

QString labelText(const QWidget& window, const char* objectName)
{
    const auto* label = window.findChild<QLabel*>(QLatin1String(objectName));
    return label ? label->text() : QStringLiteral("<no label %1>").arg(QLatin1String(objectName));
}

// A random model fixture copied to `dir` with the word-level tokenizer the other tests use, so
// that the text pairs validate; returns the model folder.
QString fixtureWithWordTokenizer(const QTemporaryDir& dir, const QString& fixture)
{
    const QString model = dir.filePath(fixture);
    if (!QDir().mkpath(model))
        return {};
    for (const char* f : {"config.json", "model.safetensors"})
        if (!copyFile(kData + "/models/" + fixture + "/" + f, model + "/" + f))
            return {};
    if (!copyFile(kData + "/tokenizers/wordlevel-whitespace/tokenizer.json", model + "/tokenizer.json"))
        return {};
    return model;
}

QString demoDir() { return QString::fromStdString(core::findResource("demo").string()); }

// Opens a model (and pairs) and waits for the worker to report.
bool load(MainWindow& window, const QString& model, const QString& data = {})
{
    QSignalSpy loaded(window.worker(), &ComputeWorker::modelLoaded);
    QSignalSpy failed(window.worker(), &ComputeWorker::failed);
    if (!window.openModel(model, data))
        return false;
    return QTest::qWaitFor([&] { return loaded.count() + failed.count() > 0; }, kTimeoutMs) && failed.isEmpty();
}

// Imports a circuit file (read on a thread of the window's) and waits until it is shown.
bool importAndWait(MainWindow& window, const QString& file)
{
    QSignalSpy imported(&window, &MainWindow::circuitImported);
    return window.importCircuit(file) && QTest::qWaitFor([&] { return imported.count() > 0; }, kTimeoutMs) &&
           imported.front().at(1).toBool();
}

// Shows the window at the 1400x900 the README promises with the demo and its induction pairs.
bool showDemoAt1400x900(MainWindow& window)
{
    window.resize(1400, 900);
    window.show();
    return QTest::qWaitForWindowExposed(&window) && load(window, demoDir(), demoDir() + QStringLiteral("/induction.csv"));
}

// showDemoAt1400x900, then the Run panel's default run (EAP) on the demo pairs, finished.
bool runDemoAt1400x900(MainWindow& window)
{
    if (!showDemoAt1400x900(window))
        return false;
    QSignalSpy finished(window.worker(), &ComputeWorker::runFinished);
    return QTest::qWaitFor([&] { return window.runPanel()->runButton()->isEnabled(); }, kTimeoutMs) &&
           window.runAttribution(window.runPanel()->settings()) &&
           QTest::qWaitFor([&] { return finished.count() == 1; }, kTimeoutMs);
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Each test starts without autosaves: one left by an earlier test's window (destroyed
    // without a close, as a crash would) would be offered for recovery.
    // Nor a layout saved by an earlier window (a small one squeezed the docks of the next).
    void init()
    {
        QDir(QFileInfo(MainWindow::lastSessionFile()).absolutePath()).removeRecursively();
        QSettings().remove(QStringLiteral("window"));
    }

    void initTestCase()
    {
        // Keep the user's saved layout out of the test.
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("PatchbayTests"));
        QCoreApplication::setApplicationName(QStringLiteral("test_mainwindow"));
        // Autosaves of an earlier run of this test would be offered for recovery.
        QDir(QFileInfo(MainWindow::lastSessionFile()).absolutePath()).removeRecursively();

        QVERIFY(m_tmp.isValid());
        QDir root(m_tmp.path());
        QVERIFY(root.mkpath(QStringLiteral("model")));
        m_modelDir = root.filePath(QStringLiteral("model"));
        QVERIFY(copyFile(kData + "/models/gpt2/config.json", m_modelDir + "/config.json"));
        QVERIFY(copyFile(kData + "/models/gpt2/model.safetensors", m_modelDir + "/model.safetensors"));
        QVERIFY(copyFile(kData + "/tokenizers/wordlevel-whitespace/tokenizer.json", m_modelDir + "/tokenizer.json"));

        m_pairsFile = root.filePath(QStringLiteral("pairs.csv"));
        QFile pairs(m_pairsFile);
        QVERIFY(pairs.open(QIODevice::WriteOnly));
        pairs.write(kPairsCsv);
    }

    // Issue 24, items 7 and 18: at 1400x900 the pairs dock and the Run dock hold their
    // content without scrolling: the token strip with its scroll bar is in view under the
    // table, and Run does not make the Run panel scroll (a wrapped label's height-for-width
    // made each dock's scroll area size its content to its preferred height, not the dock's).
    void docksHoldTheirContentAt1400x900()
    {
        MainWindow window;
        QVERIFY(showDemoAt1400x900(window));
        QApplication::processEvents();
        auto* prompts = window.findChild<QScrollArea*>(QStringLiteral("promptDockScroll"));
        QTRY_VERIFY(!prompts->verticalScrollBar()->isVisible());
        QTRY_COMPARE(prompts->widget()->height(), prompts->viewport()->height());
        QWidget* strip = window.promptEditor()->tokenView()->parentWidget()->parentWidget(); // its scroll area
        const QRect inEditor(strip->mapTo(window.promptEditor(), QPoint()), strip->size());
        QVERIFY2(window.promptEditor()->rect().contains(inEditor), qPrintable(QStringLiteral("strip bottom %1 > %2")
                                                                                .arg(inEditor.bottom()).arg(window.promptEditor()->height())));
        QVERIFY(window.promptEditor()->table()->height() >= 80); // header and three rows at least

        auto* run = window.findChild<QScrollArea*>(QStringLiteral("runDockScroll"));
        QTRY_VERIFY(!run->verticalScrollBar()->isVisible());
        window.runPanel()->setRunning(true);
        window.runPanel()->setStatus(QStringLiteral("EAP, batch 3 of 4 — 75% · 0:12 elapsed, about 0:04 left, on 64 pairs"));
        QTest::qWait(200); // the layout requests the status change posts
        QVERIFY(!run->verticalScrollBar()->isVisible());
        window.runPanel()->setRunning(false);
    }

    void showsTitleAndDocks()
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.windowTitle(), QStringLiteral("Patchbay"));
        QStringList names;
        for (auto* dock : window.docks()) {
            names << dock->objectName();
            // Shown (a tab behind another counts); Lessons only once a lesson is opened.
            QCOMPARE(dock->toggleViewAction()->isChecked(), dock->objectName() != QLatin1String("lessonsDock"));
            QVERIFY(!dock->windowTitle().isEmpty());
        }
        names.sort();
        QCOMPARE(names, (QStringList{QStringLiteral("attentionDock"), QStringLiteral("heatmapDock"), QStringLiteral("lessonsDock"),
                                     QStringLiteral("logitLensDock"), QStringLiteral("modelDock"), QStringLiteral("promptDock"), QStringLiteral("runDock")}));
        QVERIFY(window.menuBar()->actions().size() >= 5);
        QVERIFY(window.statusBar()->isVisible());
        auto* openModel = window.findChild<QAction*>(QStringLiteral("openModelAction"));
        auto* openDataset = window.findChild<QAction*>(QStringLiteral("openDatasetAction"));
        auto* run = window.findChild<QAction*>(QStringLiteral("runAction"));
        auto* cancel = window.findChild<QAction*>(QStringLiteral("cancelAction"));
        QVERIFY(openModel && openDataset && run && cancel);
        QCOMPARE(openModel->shortcut(), QKeySequence(QKeySequence::Open));
        QCOMPARE(openDataset->shortcut(), QKeySequence(QStringLiteral("Ctrl+Shift+O")));
        QCOMPARE(run->shortcut(), QKeySequence(QStringLiteral("Ctrl+R")));
        QVERIFY(!run->isEnabled()); // nothing loaded
        QVERIFY(!window.runPanel()->runButton()->isEnabled());
    }

    void loadsModelAndPairsThroughTheWorker()
    {
        MainWindow window;
        window.show();
        QVERIFY(load(window, m_modelDir, m_pairsFile));
        QVERIFY(window.worker()->hasModel());
        QCOMPARE(labelText(window, "model_layers"), QStringLiteral("3"));
        QCOMPARE(labelText(window, "model_heads"), QStringLiteral("4"));
        QCOMPARE(labelText(window, "model_name"), QStringLiteral("model"));
        QCOMPARE(window.promptEditor()->pairCount(), 3);
        QCOMPARE(window.promptEditor()->errorRows(), 0);
        auto* pairs = window.promptEditor()->model();
        QCOMPARE(pairs->index(0, PairTableModel::AnswerColumn).data().toString(), QStringLiteral(" John"));
        QCOMPARE(pairs->index(0, PairTableModel::TokensColumn).data().toString(), QStringLiteral("8 / 8"));
        QVERIFY(labelText(window, "modelLabel").startsWith(QStringLiteral("model")));
        QVERIFY(labelText(window, "deviceLabel").startsWith(QStringLiteral("Device: cpu")));
        QCOMPARE(window.errorText(), QString());
        QVERIFY(window.windowTitle().contains(QStringLiteral("model")));
        QTRY_VERIFY_WITH_TIMEOUT(window.runPanel()->runButton()->isEnabled(), kTimeoutMs);
    }

    // The demo model and its induction pairs; EAP from the Run button gives the scores the
    // CLI writes; the same settings again come from the cache; a heatmap click selects a
    // head and the attention view follows.
    void runsEapFromTheRunPanel()
    {
        MainWindow window;
        window.show();
        QVERIFY(load(window, demoDir(), demoDir() + QStringLiteral("/induction.csv")));
        QSignalSpy finished(window.worker(), &ComputeWorker::runFinished);
        QTRY_VERIFY_WITH_TIMEOUT(window.runPanel()->runButton()->isEnabled(), kTimeoutMs);
        QTest::mouseClick(window.runPanel()->runButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kTimeoutMs);
        const RunResult* result = window.currentResult();
        QVERIFY(result);
        QCOMPARE(result->settings.method, QStringLiteral("eap"));
        QVERIFY(window.scoreMap()->hasData());
        QCOMPARE(window.scoreMap()->data().rows(), 2);
        QCOMPARE(window.scoreMap()->data().columns(), 5); // 4 heads + MLP

        QTemporaryDir tmp;
        const QString out = tmp.filePath(QStringLiteral("cli.json"));
        QProcess cli;
        cli.start(QStringLiteral(PATCHBAY_CLI_PATH),
                  {QStringLiteral("attribute"), QStringLiteral("--model"), demoDir(), QStringLiteral("--data"),
                   demoDir() + QStringLiteral("/induction.csv"), QStringLiteral("--method"), QStringLiteral("eap"),
                   QStringLiteral("--out"), out});
        QVERIFY(cli.waitForFinished(kTimeoutMs));
        QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
        const core::Circuit expected = core::readCircuit(out.toStdString());
        const auto& ours = result->scores->edgeScores;
        QCOMPARE(expected.edgeScores.size(), ours.size());
        double largest = 0;
        for (const double v : ours)
            largest = std::max(largest, std::abs(v));
        for (std::size_t e = 0; e < ours.size(); ++e)
            QVERIFY(std::abs(ours[e] - expected.edgeScores[e]) <= 1e-5 * largest);
        // The node map is the sum of each node's edges.
        const auto& graph = result->circuit->graph;
        double a1h3 = 0;
        for (std::size_t e = 0; e < graph.edgeCount(); ++e)
            if (graph.edges()[e].sender == graph.senderIndex(1, 3))
                a1h3 += ours[e];
        QVERIFY(std::abs(window.scoreMap()->data().value(1, 3) - a1h3) <= 1e-9 * largest);

        // Same model, pairs and settings: shown from the cache, no new job. The worker emits
        // `started` synchronously when a job is submitted, so a run job would be seen here at
        // once (no waiting, nothing that a slow machine could hide).
        {
            QSignalSpy started(window.worker(), &ComputeWorker::started);
            const RunSettings again = window.runPanel()->settings();
            QVERIFY(window.runAttribution(again));
            QVERIFY(!window.worker()->isRunningLongJob());
            for (const auto& job : started)
                QVERIFY2(job.at(1).toString() != again.describe(), qPrintable(job.at(1).toString()));
        }

        // Export the scores as a circuit file: the CLI's numbers again.
        const QString exported = tmp.filePath(QStringLiteral("gui.json"));
        QVERIFY(window.exportCircuit(exported, QStringLiteral("eap-ig")));
        const core::Circuit back = core::readCircuit(exported.toStdString());
        QCOMPARE(back.edgeScores.size(), ours.size());
        for (std::size_t e = 0; e < ours.size(); ++e) // a file round trip: only the written precision may differ
            QVERIFY2(std::abs(back.edgeScores[e] - ours[e]) <= 1e-6 * largest, graph.edgeName(e).c_str());

        // Clicking the a1.h3 cell selects it; the attention view shows that head.
        window.scoreMap()->replotNow();
        QTest::mouseClick(window.scoreMap()->plotWidget(), Qt::LeftButton, Qt::NoModifier,
                          window.scoreMap()->cellCentre(1, 3));
        QCOMPARE(window.selection()->node(), QStringLiteral("a1.h3"));
        QCOMPARE(window.findChild<QSpinBox*>(QStringLiteral("attentionLayer"))->value(), 1);
        QCOMPARE(window.findChild<QSpinBox*>(QStringLiteral("attentionHead"))->value(), 3);
        QTRY_VERIFY_WITH_TIMEOUT(window.attentionMap()->hasData(), kTimeoutMs);
        QVERIFY(window.attentionMap()->data().title.startsWith(QStringLiteral("a1.h3")));
    }

    // The logit lens of the selected pair: one row per stage; its last row is the model's
    // own output, so the answer's probability there equals the softmax of Model::logits
    // (another code path); the trained demo puts the induction answer on top at the end.
    void logitLensFollowsTheSelectedPair()
    {
        MainWindow window;
        window.show();
        QVERIFY(load(window, demoDir(), demoDir() + QStringLiteral("/induction.csv")));
        QSignalSpy lensReady(window.worker(), &patchbay::ui::ComputeWorker::logitLensReady);
        window.selection()->setPair(1);
        QTRY_VERIFY_WITH_TIMEOUT(window.logitLens()->table()->rowCount() > 0, kTimeoutMs);
        QTableWidget* table = window.logitLens()->table();
        const auto model = core::Model::load(demoDir().toStdString());
        QCOMPARE(table->rowCount(), model->config().nLayers + 1);
        QCOMPARE(table->verticalHeaderItem(0)->text(), QStringLiteral("embed"));

        const core::PromptPair& pair = window.promptEditor()->dataset().pairs.at(1);
        const auto ids = model->encode(pair.clean);
        const auto answer = model->tokenizer()->encode(pair.answers.at(0));
        QCOMPARE(answer.size(), std::size_t{1});
        const auto logits = model->logits({ids}, false).values;
        const float top = *std::max_element(logits.begin(), logits.end());
        double z = 0;
        for (const float v : logits)
            z += std::exp(static_cast<double>(v - top));
        const double expected = std::exp(static_cast<double>(logits[static_cast<std::size_t>(answer[0])] - top)) / z;
        const int last = table->rowCount() - 1;
        QVERIFY(table->horizontalHeaderItem(0)->text().startsWith(QStringLiteral("answer")));
        const double shown = table->item(last, 0)->data(Qt::UserRole).toDouble();
        QVERIFY2(std::abs(shown - expected) <= 1e-5, qPrintable(QStringLiteral("%1 vs %2").arg(shown).arg(expected)));
        // Column 2 is the first top token (after answer and wrong answer).
        QCOMPARE(table->item(last, 2)->data(Qt::UserRole).toInt(), answer[0]);

        // Another position is decoded on request; the first token cannot predict the answer.
        auto* position = window.logitLens()->findChild<QComboBox*>(QStringLiteral("lensPosition"));
        QVERIFY(position);
        QCOMPARE(position->count(), static_cast<int>(ids.size()));
        QCOMPARE(position->currentIndex(), static_cast<int>(ids.size()) - 1);
        const int before = lensReady.count();
        position->setCurrentIndex(0);
        QTRY_VERIFY_WITH_TIMEOUT(lensReady.count() > before, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(std::abs(table->item(last, 0)->data(Qt::UserRole).toDouble() - expected) > 1e-3, kTimeoutMs);
    }

    // A session saved after an EAP run and reopened in another window brings back the
    // pairs as edited, the settings, the scores (bit for bit), the selection and the view;
    // the same run again comes from the restored cache.
    void sessionRoundTrips()
    {
        QTemporaryDir tmp;
        const QString file = tmp.filePath(QStringLiteral("work.pbsession"));
        std::vector<double> scores;
        int pairs = 0;
        int patchedEdge = -1;
        {
            MainWindow window;
            window.show();
            QVERIFY(load(window, demoDir(), demoDir() + QStringLiteral("/induction.csv")));
            auto* table = window.promptEditor()->model();
            const QModelIndex clean = table->index(0, PairTableModel::CleanColumn);
            QVERIFY(table->setData(clean, clean.data().toString() + QStringLiteral(" edited"), Qt::EditRole));
            QSignalSpy finished(window.worker(), &ComputeWorker::runFinished);
            RunSettings settings = window.runPanel()->settings();
            settings.batchSize = 7;
            window.runPanel()->setSettings(settings);
            QTRY_VERIFY_WITH_TIMEOUT(window.runPanel()->runButton()->isEnabled(), kTimeoutMs);
            QVERIFY(window.runAttribution(settings));
            QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kTimeoutMs);
            scores = window.currentResult()->scores->edgeScores;
            window.selection()->setPair(2);
            window.selection()->setNode(QStringLiteral("a1.h2"));
            window.setNodeLabel(QStringLiteral("a0.h1"), QStringLiteral("previous-token head"));
            QVERIFY(window.graphCanvas()->hasCircuit());
            QCOMPARE(window.graphCanvas()->edgesInCircuit(), 100);
            patchedEdge = window.graphCanvas()->drawnEdges().front(); // before the toggle may reorder the list
            window.graphCanvas()->toggleEdge(patchedEdge); // patch the top edge
            pairs = window.promptEditor()->pairCount();
            QVERIFY(window.saveSession(file));
            QCOMPARE(window.sessionFile(), file);
            // A clean close: a window merely destroyed leaves its autosave as a crash would,
            // and whether the 2 s autosave timer had fired by then depended on the machine's
            // load (the next window then reported an unclean exit on a loaded machine only).
            window.close();
        }
        MainWindow window;
        window.show();
        QSignalSpy loaded(window.worker(), &ComputeWorker::modelLoaded);
        QSignalSpy started(window.worker(), &ComputeWorker::started);
        QVERIFY(window.openSession(file));
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, kTimeoutMs);
        QCOMPARE(window.errorText(), QString());
        QCOMPARE(window.promptEditor()->pairCount(), pairs);
        QVERIFY(QString::fromStdString(window.promptEditor()->dataset().pairs[0].clean).endsWith(QStringLiteral(" edited")));
        QCOMPARE(window.runPanel()->settings().batchSize, 7);
        QVERIFY(window.currentResult());
        QVERIFY(window.currentResult()->scores->edgeScores == scores);
        QVERIFY(window.scoreMap()->hasData());
        QCOMPARE(window.selection()->pair(), 2);
        QCOMPARE(window.selection()->node(), QStringLiteral("a1.h2"));
        QCOMPARE(window.findChild<QSpinBox*>(QStringLiteral("attentionHead"))->value(), 2);
        QCOMPARE(window.nodeLabels().at("a0.h1"), std::string("previous-token head"));
        QCOMPARE(window.graphCanvas()->edgesInCircuit(), 99); // the canvas as edited
        QCOMPARE(window.graphCanvas()->circuit().edgeInGraph.at(static_cast<std::size_t>(patchedEdge)), char(0));
        const int jobs = static_cast<int>(started.count());
        QSignalSpy finished(window.worker(), &ComputeWorker::runFinished);
        QTRY_VERIFY_WITH_TIMEOUT(window.runPanel()->runButton()->isEnabled(), kTimeoutMs);
        QVERIFY(window.runAttribution(window.runPanel()->settings()));
        // From the restored cache: `started` is emitted synchronously on submission, so no
        // new job means none was submitted.
        QVERIFY(!window.worker()->isRunningLongJob());
        QCOMPARE(static_cast<int>(started.count()), jobs);
        QCOMPARE(finished.count(), 0);

        // A damaged session is refused by name and the window keeps its state.
        const QString bad = tmp.filePath(QStringLiteral("bad.pbsession"));
        QFile damaged(bad);
        QVERIFY(damaged.open(QIODevice::WriteOnly));
        damaged.write("{\"format\": \"patchbay-session\", \"model\": {}, \"runs\": 3}");
        damaged.close();
        QVERIFY(!window.openSession(bad));
        QVERIFY(window.errorText().contains(QStringLiteral("bad.pbsession")));
        QCOMPARE(window.promptEditor()->pairCount(), pairs);
        QVERIFY(window.currentResult());
    }

    // Issue 24, item 1: every control of the graph (filter, find, layout, Edges, Groups, Fit, Patch,
    // Restore, Reset) is on screen at the default window size (here the offscreen screen's
    // 95 %), at the 1400x900 the README promises and at 1520x920; a one-row tool bar hid them
    // behind `››`.
    void graphControlsStayOnScreen()
    {
        for (const QSize size : {QSize(), QSize(1400, 900), QSize(1520, 920)}) {
            MainWindow window;
            if (size.isValid())
                window.resize(size);
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            QApplication::processEvents();
            GraphCanvas* canvas = window.graphCanvas();
            auto* bar = canvas->findChild<QWidget*>(QStringLiteral("graphToolBar"));
            QVERIFY(bar);
            QList<QWidget*> controls;
            int buttons = 0;
            for (QToolButton* button : bar->findChildren<QToolButton*>())
                if (!button->text().isEmpty()) { // not a tool bar's `››` extension
                    controls << button;
                    ++buttons;
                }
            QCOMPARE(buttons, 6); // Edges, Groups, Fit, Patch, Restore, Reset
            for (QComboBox* box : bar->findChildren<QComboBox*>())
                controls << box;
            controls << bar->findChild<QLineEdit*>(QStringLiteral("graphSearch"));
            controls << bar->findChild<QSlider*>(QStringLiteral("graphSlider"))
                     << bar->findChild<QDoubleSpinBox*>(QStringLiteral("graphValue"));
            for (QWidget* control : controls) {
                QVERIFY(control);
                const QRect where(control->mapTo(canvas, QPoint(0, 0)), control->size());
                const QString what = QStringLiteral("%1 at %2x%3: %4 (%5) within %6x%7")
                                         .arg(control->metaObject()->className())
                                         .arg(window.width()).arg(window.height())
                                         .arg(control->isVisible()).arg(QStringLiteral("%1,%2 %3x%4").arg(where.x()).arg(where.y()).arg(where.width()).arg(where.height()))
                                         .arg(canvas->width()).arg(canvas->height());
                QVERIFY2(control->isVisible() && canvas->rect().contains(where) && where.width() >= control->minimumSizeHint().width(),
                         qPrintable(what));
            }
            QVERIFY(canvas->findChild<QToolButton*>(QStringLiteral("graphReset"))->isVisible());
        }
    }

    // Issue 24, item 13: a message is shown whole on request (Details…), its first line in
    // the status bar, and bytes of a damaged file never reach the screen raw.
    void errorsAreReadableInFullWithoutRawBytes()
    {
        QCOMPARE(MainWindow::printableMessage(QStringLiteral("a\x01\x02" "b\tc\nd") + QChar(QChar::ReplacementCharacter) +
                                              QChar(QChar::ReplacementCharacter)),
                 QStringLiteral("a") + QChar(QChar::ReplacementCharacter) + QStringLiteral("b c\nd") +
                     QChar(QChar::ReplacementCharacter));
        QTemporaryDir tmp;
        const QString binary = tmp.filePath(QStringLiteral("pairs.csv"));
        {
            QFile f(binary);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QByteArray("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x01\x02\xff\xfe,\x7f\x1b[2J\n", 32));
        }
        MainWindow window;
        window.show();
        QVERIFY(!window.openDataset(binary));
        const QString message = window.errorText();
        QVERIFY2(message.contains(QStringLiteral("pairs.csv")), qPrintable(message));
        for (const QChar c : message)
            QVERIFY2(c == QLatin1Char('\n') || (c.category() != QChar::Other_Control && c.category() != QChar::Other_Format),
                     qPrintable(QStringLiteral("U+%1 in %2").arg(c.unicode(), 4, 16, QLatin1Char('0')).arg(message)));
        auto* label = window.findChild<QLabel*>(QStringLiteral("errorLabel"));
        QVERIFY(!label->text().contains(QLatin1Char('\n')));
        auto* details = window.findChild<QToolButton*>(QStringLiteral("errorDetails"));
        QVERIFY(details && details->isVisible());
        details->click();
        auto* box = window.findChild<QMessageBox*>(QStringLiteral("errorDetailsBox"));
        QVERIFY(box);
        QCOMPARE(box->detailedText(), message);
        box->close();
        // The next error replaces it.
        QVERIFY(!window.openDataset(tmp.filePath(QStringLiteral("missing.csv"))));
        QVERIFY(window.errorText().contains(QStringLiteral("missing.csv")));
    }

    // Issue 24, item 14: Help > User Guide opens the guide offline inside the app, and its
    // pages link to each other there; Import Circuit… opens beside the demo's circuit.
    void helpOpensTheUserGuideAndImportStartsBesideTheModel()
    {
        QVERIFY2(!MainWindow::userGuideFile().isEmpty(), "docs/README.md not found");
        MainWindow window;
        window.show();
        auto* action = window.findChild<QAction*>(QStringLiteral("userGuideAction"));
        QVERIFY(action);
        action->trigger();
        auto* browser = window.findChild<QTextBrowser*>(QStringLiteral("userGuideBrowser"));
        QVERIFY(browser && browser->isVisible());
        QVERIFY2(browser->toPlainText().contains(QStringLiteral("Patchbay user guide")), qPrintable(browser->toPlainText().left(200)));
        QVERIFY(window.showUserGuide(QStringLiteral("tutorial-induction.md")));
        QVERIFY(browser->toPlainText().contains(QStringLiteral("Reset")));

        // Issue 26, item 4: a `?` beside Method, Metric, Reference and the graph's metric opens
        // the paragraph on it: concepts.md, scrolled to its heading (each further down the page,
        // the last as far as the page goes).
        browser->parentWidget()->resize(900, 400);
        int previous = -1;
        for (const char* topic : {"method", "metric", "reference", "faithfulness"}) {
            auto* help = window.findChild<QToolButton*>(QStringLiteral("help_") + QLatin1String(topic));
            QVERIFY2(help && help->isVisibleTo(&window), topic);
            help->click();
            QApplication::processEvents();
            QCOMPARE(browser->source().fileName(), QStringLiteral("concepts.md"));
            QCOMPARE(browser->source().fragment(), QLatin1String(topic));
            const int at = browser->verticalScrollBar()->value();
            QVERIFY2(at > previous || (at == browser->verticalScrollBar()->maximum() && at > 0), qPrintable(QStringLiteral("%1 at %2, the one before at %3").arg(QLatin1String(topic)).arg(at).arg(previous)));
            previous = at;
        }
        QVERIFY(browser->toPlainText().contains(QStringLiteral("M(all patched)")));

        QCOMPARE(window.circuitDialogStart(), QDir::homePath());
        QVERIFY(load(window, demoDir(), demoDir() + QStringLiteral("/induction.csv")));
        QCOMPARE(QDir(window.circuitDialogStart()).canonicalPath(), QDir(demoDir()).canonicalPath());
        QVERIFY(QFileInfo::exists(QDir(window.circuitDialogStart()).filePath(QStringLiteral("induction-circuit.json"))));
    }

    // Issue 24, item 15: ACDC scores no node, so the layer x head map says what ACDC gives
    // and where its circuit is, instead of an empty grey grid with a -1..1 scale.
    void acdcExplainsItsEmptyHeatmap()
    {
        MainWindow window;
        window.show();
        QVERIFY(load(window, demoDir(), demoDir() + QStringLiteral("/induction.csv")));
        QSignalSpy finished(window.worker(), &ComputeWorker::runFinished);
        RunSettings acdc;
        acdc.method = QStringLiteral("acdc");
        acdc.taus = {0.1};
        QTRY_VERIFY_WITH_TIMEOUT(window.runPanel()->runButton()->isEnabled(), kTimeoutMs);
        QVERIFY(window.runAttribution(acdc));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kTimeoutMs);
        QVERIFY(!window.scoreMap()->hasData());
        const QString text = window.scoreMap()->placeholderText();
        const auto& run = window.currentResult()->scores->acdc.at(0);
        const auto kept = std::count(run.kept.begin(), run.kept.end(), char(1));
        QVERIFY2(text.contains(QStringLiteral("ACDC")) && text.contains(QStringLiteral("τ = 0.1")) &&
                     text.contains(QStringLiteral("%1 of %2 edges kept").arg(kept).arg(run.kept.size())),
                 qPrintable(text));
        QCOMPARE(window.graphCanvas()->edgesInCircuit(), static_cast<int>(kept));
    }

    // Issue 24, item 4: ACDC with several thresholds offers each τ's circuit under Results;
    // the graph, its title, the heatmap's note, the exported circuit and the session follow.
    void acdcOffersEveryThreshold()
    {
        QTemporaryDir tmp;
        const QString file = tmp.filePath(QStringLiteral("acdc.pbsession"));
        std::vector<char> keptAtSecond;
        {
            MainWindow window;
            window.show();
            QVERIFY(load(window, demoDir(), demoDir() + QStringLiteral("/induction.csv")));
            QSignalSpy finished(window.worker(), &ComputeWorker::runFinished);
            RunSettings acdc;
            acdc.method = QStringLiteral("acdc");
            acdc.taus = {0.01, 0.5};
            QTRY_VERIFY_WITH_TIMEOUT(window.runPanel()->runButton()->isEnabled(), kTimeoutMs);
            QVERIFY(window.runAttribution(acdc));
            QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kTimeoutMs);
            const auto& runs = window.currentResult()->scores->acdc;
            QCOMPARE(runs.size(), std::size_t{2});
            QVERIFY2(runs[0].kept != runs[1].kept, "the two thresholds should keep different edges on the demo");
            auto* choice = window.runPanel()->findChild<QComboBox*>(QStringLiteral("circuitChoice"));
            QVERIFY(choice && choice->isVisibleTo(window.runPanel()));
            QCOMPARE(choice->count(), 2);
            QVERIFY2(choice->itemText(1).startsWith(QStringLiteral("τ = 0.5 · %1 edges")
                                                        .arg(std::count(runs[1].kept.begin(), runs[1].kept.end(), char(1)))),
                     qPrintable(choice->itemText(1)));
            QVERIFY(window.graphCanvas()->circuit().edgeInGraph == runs[0].kept);

            choice->setCurrentIndex(1);
            QVERIFY(window.graphCanvas()->circuit().edgeInGraph == runs[1].kept);
            QVERIFY2(window.graphCanvas()->title().contains(QStringLiteral("τ = 0.5")), qPrintable(window.graphCanvas()->title()));
            QVERIFY2(window.scoreMap()->placeholderText().contains(QStringLiteral("τ = 0.5")), qPrintable(window.scoreMap()->placeholderText()));
            QVERIFY(window.scoreMap()->placeholderText().contains(QStringLiteral("2 thresholds")));
            const QString exported = tmp.filePath(QStringLiteral("acdc.json"));
            QVERIFY(window.exportCircuit(exported, QStringLiteral("native")));
            QVERIFY(core::readCircuit(exported.toStdString()).edgeInGraph == runs[1].kept);
            keptAtSecond = runs[1].kept;
            QVERIFY(window.saveSession(file));
            // Every ACDC result's choice is kept, not only the one on show.
            QVERIFY(core::readSession(file.toStdString()).view.at("acdc_choices").rfind("1\t", 0) == 0);
            window.close();
        }
        MainWindow window;
        window.show();
        QSignalSpy loaded(window.worker(), &ComputeWorker::modelLoaded);
        QVERIFY(window.openSession(file));
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, kTimeoutMs);
        auto* choice = window.runPanel()->findChild<QComboBox*>(QStringLiteral("circuitChoice"));
        QCOMPARE(choice->currentIndex(), 1);
        QVERIFY(window.graphCanvas()->circuit().edgeInGraph == keptAtSecond);
        // Another result has one circuit: no choice.
        QSignalSpy finished(window.worker(), &ComputeWorker::runFinished);
        QTRY_VERIFY_WITH_TIMEOUT(window.runPanel()->runButton()->isEnabled(), kTimeoutMs);
        QVERIFY(window.runAttribution(window.runPanel()->settings()));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kTimeoutMs);
        QVERIFY(!choice->isVisibleTo(window.runPanel()));
    }

    // Issue 24, item 10: a reopened session shows the view as it was left: the Results in
    // the order the runs finished (a hash's order differed from one process to the next), the
    // selected pair as the table's current row, the graph's colour mode.
    void sessionRestoresTheViewAsLeft()
    {
        QTemporaryDir tmp;
        const QString file = tmp.filePath(QStringLiteral("view.pbsession"));
        QStringList order;
        {
            MainWindow window;
            window.show();
            QVERIFY(load(window, demoDir(), demoDir() + QStringLiteral("/induction.csv")));
            QSignalSpy finished(window.worker(), &ComputeWorker::runFinished);
            int runs = 0;
            for (const char* method : {"eap", "atp", "clean-corrupted", "eap-ig"}) {
                RunSettings settings = window.runPanel()->settings();
                settings.method = QLatin1String(method);
                settings.steps = 2;
                QTRY_VERIFY_WITH_TIMEOUT(window.runPanel()->runButton()->isEnabled(), kTimeoutMs);
                QVERIFY(window.runAttribution(settings));
                ++runs;
                QTRY_COMPARE_WITH_TIMEOUT(finished.count(), runs, kTimeoutMs);
            }
            auto* list = window.runPanel()->findChild<QListWidget*>(QStringLiteral("resultList"));
            QCOMPARE(list->count(), 4);
            for (int i = 0; i < list->count(); ++i)
                order << list->item(i)->text();
            QVERIFY(order.front().startsWith(QStringLiteral("EAP")));
            list->setCurrentRow(0);
            window.graphCanvas()->setColourByPort(true);
            window.graphCanvas()->setLayeredLayout(false);
            QVERIFY(window.graphCanvas()->makeGroup({QStringLiteral("a1.h2"), QStringLiteral("a1.h3")},
                                                    QStringLiteral("induction")));
            window.selection()->setPair(3);
            QCOMPARE(window.promptEditor()->selectedPair(), 3); // the table follows the selection
            QVERIFY(window.saveSession(file));
            window.close();
        }
        QCOMPARE(core::readSession(file.toStdString()).runs.front().settings.at("method"), std::string("eap"));
        MainWindow window;
        window.show();
        QSignalSpy loaded(window.worker(), &ComputeWorker::modelLoaded);
        QVERIFY(window.openSession(file));
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, kTimeoutMs);
        auto* list = window.runPanel()->findChild<QListWidget*>(QStringLiteral("resultList"));
        QStringList restored;
        for (int i = 0; i < list->count(); ++i)
            restored << list->item(i)->text();
        QCOMPARE(restored, order);
        QCOMPARE(list->currentRow(), 0);
        QVERIFY(window.graphCanvas()->colourByPort());
        QVERIFY(!window.graphCanvas()->layeredLayout());
        QCOMPARE(window.graphCanvas()->collapsedGroups(), QStringList{QStringLiteral("induction")});
        QCOMPARE(window.graphCanvas()->groupMembers(QStringLiteral("induction")),
                 (QStringList{QStringLiteral("a1.h2"), QStringLiteral("a1.h3")}));
        QCOMPARE(window.session().groups.at("a1.h3"), std::string("induction"));
        QCOMPARE(window.selection()->pair(), 3);
        QCOMPARE(window.promptEditor()->selectedPair(), 3);
        QTRY_VERIFY_WITH_TIMEOUT(window.attentionMap()->data().title.contains(QStringLiteral("pair 4")), kTimeoutMs);
    }

    // Issue 24, item 18: pressing Run at the default window size (where the Run panel
    // scrolls in its dock) leaves Method in view: focus goes Run -> Cancel -> Run instead of
    // falling to the Results list, which the dock's scroll area scrolled to.
    void runKeepsMethodInView()
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QVERIFY(load(window, demoDir(), demoDir() + QStringLiteral("/induction.csv")));
        auto* run = window.findChild<QScrollArea*>(QStringLiteral("runDockScroll"));
        QSignalSpy finished(window.worker(), &ComputeWorker::runFinished);
        QTRY_VERIFY_WITH_TIMEOUT(window.runPanel()->runButton()->isEnabled(), kTimeoutMs);
        window.runPanel()->runButton()->setFocus();
        QTRY_VERIFY(window.runPanel()->runButton()->hasFocus());
        QVERIFY(run->verticalScrollBar()->isVisible()); // the panel does scroll at this size
        QTest::mouseClick(window.runPanel()->runButton(), Qt::LeftButton);
        QCOMPARE(run->verticalScrollBar()->value(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kTimeoutMs);
        QTRY_VERIFY(window.runPanel()->runButton()->hasFocus());
        auto* method = window.runPanel()->findChild<QComboBox*>(QStringLiteral("methodBox"));
        const QPoint top = method->mapTo(run->viewport(), QPoint());
        QVERIFY2(top.y() >= 0 && run->verticalScrollBar()->value() == 0,
                 qPrintable(QStringLiteral("Method at y %1, scrolled %2").arg(top.y()).arg(run->verticalScrollBar()->value())));
    }

    // Issue 24, item 18: the progress bar keeps its place while hidden, so pressing Run does
    // not grow the Run panel inside its scroll area (Method scrolled out of view).
    void runPanelKeepsItsPlaceWhenProgressShows()
    {
        MainWindow window;
        window.resize(1400, 900);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto* panel = window.runPanel();
        auto* results = panel->findChild<QListWidget*>(QStringLiteral("resultList"));
        QApplication::processEvents();
        const int hint = panel->minimumSizeHint().height();
        const QPoint list = results->mapTo(panel, QPoint());
        panel->setRunning(true);
        QApplication::processEvents();
        QCOMPARE(panel->minimumSizeHint().height(), hint);
        QCOMPARE(results->mapTo(panel, QPoint()), list);
        panel->setRunning(false);
    }

    // Issue 24, item 5: a node of an imported circuit for another model (MIB's GPT-2 IOI
    // circuit on the demo) is not followed into the demo's views: a9.h9 used to show the
    // demo's a1.h3 (the spin boxes clamp) and outline a cell of the demo's scores.
    void importedNodeOfAnotherModelIsNotTheModels()
    {
        MainWindow window;
        window.show();
        QVERIFY(load(window, demoDir(), demoDir() + QStringLiteral("/induction.csv")));
        QSignalSpy finished(window.worker(), &ComputeWorker::runFinished);
        QTRY_VERIFY_WITH_TIMEOUT(window.runPanel()->runButton()->isEnabled(), kTimeoutMs);
        QVERIFY(window.runAttribution(window.runPanel()->settings()));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(window.attentionMap()->hasData(), kTimeoutMs);
        window.selection()->setNode(QStringLiteral("a0.h1"));
        QCOMPARE(window.scoreMap()->selectedCell(), qMakePair(0, 1));
        auto* layer = window.findChild<QSpinBox*>(QStringLiteral("attentionLayer"));
        auto* head = window.findChild<QSpinBox*>(QStringLiteral("attentionHead"));

        QVERIFY(importAndWait(window, QStringLiteral(PATCHBAY_SHARED_DATA_DIR) + QStringLiteral("/circuits/mib_ioi_gpt2_eap-ig.json")));
        window.selection()->setNode(QStringLiteral("a9.h9"));
        QCOMPARE(layer->value(), 0); // not clamped to the demo's last head
        QCOMPARE(head->value(), 1);
        QCOMPARE(window.scoreMap()->selectedCell(), qMakePair(-1, -1));
        QVERIFY(!window.attentionMap()->hasData());
        QVERIFY2(window.attentionMap()->placeholderText().contains(QStringLiteral("a9.h9 is a node of the circuit on the graph")),
                 qPrintable(window.attentionMap()->placeholderText()));
        // Even a name both models have (a0.h1) is the import's node, not the demo's.
        window.selection()->setNode(QStringLiteral("a1.h0"));
        QCOMPARE(window.scoreMap()->selectedCell(), qMakePair(-1, -1));
        QVERIFY(!window.attentionMap()->hasData());

        // Back on the demo's own scores, its nodes are followed again.
        auto* list = window.runPanel()->findChild<QListWidget*>(QStringLiteral("resultList"));
        list->setCurrentRow(-1);
        list->setCurrentRow(0);
        window.selection()->setNode(QStringLiteral("a1.h2"));
        QCOMPARE(window.scoreMap()->selectedCell(), qMakePair(1, 2));
        QCOMPARE(head->value(), 2);
        QVERIFY(window.attentionMap()->hasData());
    }

    // Issue 24, item 8: the attention plot teaches: every token of a 20-token induction
    // prompt labelled (the last, the answer position, included) at 1400x900, axis titles,
    // the corrupted prompt on request, and every head of the layer side by side.
    void attentionPlotLabelsEveryTokenAndShowsAllHeads()
    {
        MainWindow window;
        QVERIFY(showDemoAt1400x900(window));
        HeatmapView* map = window.attentionMap();
        QTRY_VERIFY_WITH_TIMEOUT(map->hasData(), kTimeoutMs);
        map->replotNow();
        QApplication::processEvents();
        map->replotNow();
        const int n = map->data().rows(); // the demo's induction prompts: 19 tokens
        QVERIFY(n >= 16);
        const QStringList columns = map->tickLabels(Qt::Horizontal), rows = map->tickLabels(Qt::Vertical);
        QVERIFY2(columns.size() == n && rows.size() == n, qPrintable(QStringLiteral("%1 of %2 columns, %3 rows labelled at %4x%5")
                                                                       .arg(columns.size()).arg(n).arg(rows.size())
                                                                       .arg(map->width()).arg(map->height())));
        QCOMPARE(columns.back(), QString::number(n - 1)); // keys by position, tokens on the rows
        QVERIFY(rows.back().startsWith(QString::number(n - 1) + QLatin1Char(' ')));
        QCOMPARE(map->axisTitle(Qt::Vertical), QStringLiteral("query position"));
        QVERIFY(map->axisTitle(Qt::Horizontal).startsWith(QStringLiteral("key position")));
        QVERIFY(map->data().title.endsWith(QStringLiteral("(clean)")));

        // The corrupted prompt: its own tokens.
        auto* prompt = window.findChild<QComboBox*>(QStringLiteral("attentionPrompt"));
        prompt->setCurrentIndex(1);
        QTRY_VERIFY_WITH_TIMEOUT(map->data().title.endsWith(QStringLiteral("(corrupted)")), kTimeoutMs);
        QVERIFY(map->data().rowLabels != rows); // "1 riot", not "1 Steven"

        // All heads of the layer; a click on one selects it.
        auto* all = window.findChild<QCheckBox*>(QStringLiteral("attentionAllHeads"));
        all->setChecked(true);
        AttentionGrid* grid = window.attentionGrid();
        QVERIFY(grid->isVisible() && !map->isVisible());
        QCOMPARE(grid->heads(), 4);
        const QRect third = grid->headRect(2);
        QVERIFY(!third.isEmpty());
        QVERIFY(third.width() >= 40);
        QTest::mouseClick(grid, Qt::LeftButton, {}, third.center());
        QCOMPARE(window.findChild<QSpinBox*>(QStringLiteral("attentionHead"))->value(), 2);
        QCOMPARE(window.selection()->node(), QStringLiteral("a%1.h2").arg(grid->layer()));
        QCOMPARE(grid->selectedHead(), 2);
        all->setChecked(false);
        QVERIFY(map->isVisible());
    }

    // Issue 24, item 11: exports show the figure, not the on-screen selection (the black
    // outline, the yellow glow), say they were written, and the save dialogs propose names
    // after model, method and pairs in the folder last written to.
    void exportsAreFiguresNamedAfterTheirContent()
    {
        QTemporaryDir tmp;
        MainWindow window;
        window.show();
        QVERIFY(load(window, demoDir(), demoDir() + QStringLiteral("/induction.csv")));
        QSignalSpy finished(window.worker(), &ComputeWorker::runFinished);
        QTRY_VERIFY_WITH_TIMEOUT(window.runPanel()->runButton()->isEnabled(), kTimeoutMs);
        QVERIFY(window.runAttribution(window.runPanel()->settings()));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(!window.graphCanvas()->layoutPending(), kTimeoutMs);

        // Heatmap: the same image with and without a selected cell; the selection stays.
        window.selection()->setNode(QStringLiteral("a1.h2"));
        QCOMPARE(window.scoreMap()->selectedCell(), qMakePair(1, 2));
        const QString selectedPng = tmp.filePath(QStringLiteral("selected.png")), plainPng = tmp.filePath(QStringLiteral("plain.png"));
        QVERIFY(window.exportViewTo(window.scoreMap(), selectedPng));
        QVERIFY2(window.statusBar()->currentMessage().contains(QStringLiteral("Exported")), qPrintable(window.statusBar()->currentMessage()));
        QCOMPARE(window.scoreMap()->selectedCell(), qMakePair(1, 2));
        window.scoreMap()->setSelectedCell(-1, -1);
        QVERIFY(window.exportViewTo(window.scoreMap(), plainPng));
        QCOMPARE(QImage(selectedPng), QImage(plainPng));

        // Graph: the selected node's glow is not drawn.
        window.graphCanvas()->setSelectedNode(QStringLiteral("a1.h2"));
        QVERIFY(window.exportDrawing(tmp.filePath(QStringLiteral("g1.png"))));
        QCOMPARE(window.graphCanvas()->view()->scene()->selectedItems().size(), 1);
        window.graphCanvas()->setSelectedNode(QString());
        QVERIFY(window.exportDrawing(tmp.filePath(QStringLiteral("g2.png"))));
        QCOMPARE(QImage(tmp.filePath(QStringLiteral("g1.png"))), QImage(tmp.filePath(QStringLiteral("g2.png"))));

        // Names after the content, in the folder last written to.
        const QString folder = QFileInfo(tmp.path()).absoluteFilePath();
        QCOMPARE(window.suggestedPath(QStringLiteral("scores"), QStringLiteral("png")),
                 QDir(folder).filePath(QStringLiteral("demo-eap-induction-scores.png")));
        QCOMPARE(window.suggestedPath(QStringLiteral("circuit"), QStringLiteral("json")),
                 QDir(folder).filePath(QStringLiteral("demo-eap-induction-circuit.json")));
        QCOMPARE(window.suggestedPath(QStringLiteral("session"), QStringLiteral("pbsession")),
                 QDir(folder).filePath(QStringLiteral("demo-induction.pbsession")));
        QVERIFY(window.exportCircuit(tmp.filePath(QStringLiteral("sub/x.json")), QStringLiteral("native")) == false);
        QDir(folder).mkdir(QStringLiteral("sub"));
        QVERIFY(window.exportCircuit(tmp.filePath(QStringLiteral("sub/x.json")), QStringLiteral("native")));
        QVERIFY(window.suggestedPath(QStringLiteral("circuit"), QStringLiteral("json")).startsWith(QDir(folder).filePath(QStringLiteral("sub/"))));
    }

    // Issue 24, item 18: the logit lens writes every probability as a percentage (a column
    // mixed "2e-07" with "0.2%") and shows all its columns at 1400x900 (top 2…5 were
    // scrolled out of the dock).
    void logitLensShowsEveryColumnInPercent()
    {
        MainWindow window;
        QVERIFY(showDemoAt1400x900(window));
        window.findChild<QDockWidget*>(QStringLiteral("logitLensDock"))->raise();
        QTableWidget* table = window.logitLens()->table();
        QTRY_VERIFY_WITH_TIMEOUT(table->rowCount() > 0 && table->isVisible(), kTimeoutMs);
        QApplication::processEvents();
        const QRegularExpression percent(QStringLiteral("^(<)?\\d+([.,]\\d)?%"));
        int tiny = 0;
        for (int r = 0; r < table->rowCount(); ++r)
            for (int c = 0; c < table->columnCount(); ++c) {
                const QString text = table->item(r, c)->text();
                const QString number = c < 2 ? text : text.section(QStringLiteral("  "), -1);
                QVERIFY2(percent.match(number).hasMatch() && !text.contains(QStringLiteral("e-")), qPrintable(text));
                tiny += number.startsWith(QLatin1Char('<')) ? 1 : 0;
            }
        QVERIFY(tiny > 0); // the embedding's guesses are below 0.1 %: the case that read "2e-07"
        QHeaderView* header = table->horizontalHeader();
        const int last = table->columnCount() - 1;
        QCOMPARE(last, 6); // answer, wrong answer, top 1…5
        QTRY_VERIFY2(header->sectionViewportPosition(last) + header->sectionSize(last) <= table->viewport()->width(),
                 qPrintable(QStringLiteral("%1 + %2 > %3").arg(header->sectionViewportPosition(last)).arg(header->sectionSize(last))
                                .arg(table->viewport()->width())));
    }

    // Issue 25, item 2 at the size the README promises: the edge table beside the graph
    // names each edge's other end in full, and its scores, without eliding.
    void edgeTableIsReadableAt1400x900()
    {
        MainWindow window;
        QVERIFY(runDemoAt1400x900(window));
        GraphCanvas* canvas = window.graphCanvas();
        QTRY_VERIFY_WITH_TIMEOUT(!canvas->layoutPending(), kTimeoutMs);
        QVERIFY(canvas->findNode(QStringLiteral("a1.h3")));
        canvas->setEdgeTableShown(true);
        QApplication::processEvents();
        QTableWidget* table = canvas->edgeTable();
        QVERIFY(table->isVisible());
        QCOMPARE(table->rowCount(), static_cast<int>(canvas->edgesOfNode(QStringLiteral("a1.h3")).size()));
        QVERIFY(table->width() < canvas->view()->width()); // the graph stays the larger part
        const QFontMetrics fm = table->fontMetrics();
        int widest = 0; // the Edge column (it stretches: the last layout decides its width)
        for (int r = 0; r < table->rowCount(); ++r)
            widest = std::max(widest, fm.horizontalAdvance(table->item(r, 0)->text()));
        QTRY_VERIFY2(widest + 6 <= table->columnWidth(0), qPrintable(QStringLiteral("%1 px text in %2 px").arg(widest).arg(table->columnWidth(0))));
    }

    // Issue 25, item 4: the graph's circuit as a sender x receiver grid, every edge of it
    // (q, k and v summed per receiver node), at any size; a cell drills down to its receiver.
    void adjacencyGridHoldsEveryEdge()
    {
        MainWindow window;
        QVERIFY(runDemoAt1400x900(window));
        HeatmapView* map = window.adjacencyMap();
        QVERIFY(map->hasData());
        const core::Circuit& c = window.graphCanvas()->circuit();
        const core::Graph& g = c.graph;
        QCOMPARE(map->data().rows(), static_cast<int>(g.senders().size()));
        QCOMPARE(map->data().columns(), 2 * 4 + 2 + 1); // 8 heads, 2 MLPs, logits
        const int a00 = static_cast<int>(map->data().rowLabels.indexOf(QStringLiteral("a0.h0")));
        const int a13 = static_cast<int>(map->data().columnLabels.indexOf(QStringLiteral("a1.h3")));
        QVERIFY(a00 >= 0 && a13 >= 0);
        double qkv = 0;
        for (const char* port : {"q", "k", "v"})
            qkv += c.edgeScores.at(*g.findEdge(std::string("a0.h0->a1.h3<") + port + ">"));
        QCOMPARE(map->data().value(a00, a13), qkv);
        const int a10 = static_cast<int>(map->data().rowLabels.indexOf(QStringLiteral("a1.h0")));
        const int a00col = static_cast<int>(map->data().columnLabels.indexOf(QStringLiteral("a0.h0")));
        QVERIFY(std::isnan(map->data().value(a10, a00col))); // a later head feeds no earlier one
        double all = 0, cells = 0;
        for (const double s : c.edgeScores)
            all += s;
        for (const double v : map->data().values)
            cells += std::isnan(v) ? 0.0 : v;
        QVERIFY(std::abs(all - cells) <= 1e-9 * std::max(1.0, std::abs(all)));

        auto* tabs = map->parentWidget()->parentWidget();
        static_cast<QTabWidget*>(tabs)->setCurrentWidget(map);
        QApplication::processEvents();
        map->replotNow();
        QTest::mouseClick(map->plotWidget(), Qt::LeftButton, {}, map->cellCentre(a00, a13));
        QCOMPARE(window.selection()->node(), QStringLiteral("a1.h3"));
        QVERIFY(window.graphCanvas()->edgeTable()->isVisible());

        // MIB's GPT-2 circuit: 157 senders x 157 receiver nodes, all 32,491 edges.
        QVERIFY(importAndWait(window, QStringLiteral(PATCHBAY_SHARED_DATA_DIR) + QStringLiteral("/circuits/mib_ioi_gpt2_eap-ig.json")));
        QCOMPARE(map->data().rows(), 157);
        QCOMPARE(map->data().columns(), 157);
        int withEdges = 0;
        for (const double v : map->data().values)
            withEdges += std::isnan(v) ? 0 : 1;
        QVERIFY(withEdges > 0 && withEdges <= 32491);

        // Zoom into a region to read it: the wheel zooms around the mouse, more labels show,
        // a click still selects the cell under it, and zooming out stops at the whole grid.
        QTRY_VERIFY(map->plotWidget()->isVisible());
        map->replotNow();
        const QRect whole = map->visibleCells();
        QCOMPARE(whole, QRect(0, 0, 157, 157));
        const double labelsPerColumn = double(map->tickPixels(Qt::Horizontal).size()) / whole.width();
        const int a99 = static_cast<int>(map->data().rowLabels.indexOf(QStringLiteral("a9.h9")));
        const int logits = static_cast<int>(map->data().columnLabels.indexOf(QStringLiteral("logits")));
        QVERIFY(a99 >= 0 && logits >= 0);
        auto wheel = [&](int row, int column, int notches) {
            const QPointF at = map->cellCentre(row, column);
            QWheelEvent event(at, map->plotWidget()->mapToGlobal(at), QPoint(), QPoint(0, 120 * notches), Qt::NoButton,
                              Qt::NoModifier, Qt::NoScrollPhase, false);
            QApplication::sendEvent(map->plotWidget(), &event);
            map->replotNow();
            map->replotNow(); // the labels for the new range
        };
        wheel(a99, logits, 8);
        const QRect zoomed = map->visibleCells();
        QVERIFY2(zoomed.width() < 60 && zoomed.height() < 60, qPrintable(QStringLiteral("%1x%2").arg(zoomed.width()).arg(zoomed.height())));
        QVERIFY(zoomed.contains(logits, a99));
        // Zoomed in, a larger share of the columns in view is labelled.
        QVERIFY(double(map->tickPixels(Qt::Horizontal).size()) / zoomed.width() > 2 * labelsPerColumn);
        QTest::mouseClick(map->plotWidget(), Qt::LeftButton, {}, map->cellCentre(a99, logits));
        QCOMPARE(map->selectedCell(), qMakePair(a99, logits));
        wheel(a99, logits, -40);
        QCOMPARE(map->visibleCells(), whole);
    }

    // Issue 24, item 3: a result names the pairs it ran on (list, graph title, sessions),
    // and a metric computed on other pairs than the scores' says so on the canvas.
    void resultsNameTheirPairs()
    {
        MainWindow window;
        window.show();
        QVERIFY(load(window, demoDir(), demoDir() + QStringLiteral("/induction.csv")));
        QSignalSpy finished(window.worker(), &ComputeWorker::runFinished);
        QSignalSpy evaluated(window.worker(), &ComputeWorker::circuitEvaluated);
        QTRY_VERIFY_WITH_TIMEOUT(window.runPanel()->runButton()->isEnabled(), kTimeoutMs);
        QVERIFY(window.runAttribution(window.runPanel()->settings()));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kTimeoutMs);
        auto* list = window.runPanel()->findChild<QListWidget*>(QStringLiteral("resultList"));
        QVERIFY(list);
        QCOMPARE(list->count(), 1);
        QVERIFY2(list->item(0)->text().endsWith(QStringLiteral("— induction.csv, 64 pairs")), qPrintable(list->item(0)->text()));
        auto* title = window.graphCanvas()->findChild<QLabel*>(QStringLiteral("graphTitle"));
        QVERIFY2(title->text().contains(QStringLiteral("scores from induction.csv")), qPrintable(title->text()));
        QTRY_VERIFY_WITH_TIMEOUT(evaluated.count() >= 1, kTimeoutMs);
        QCOMPARE(window.graphCanvas()->evaluationNote(), QString());

        // Other pairs in the table: the induction scores' metric is now of the IOI pairs, said.
        QVERIFY(window.openDataset(demoDir() + QStringLiteral("/ioi.csv")));
        QTRY_VERIFY_WITH_TIMEOUT(window.graphCanvas()->evaluationNote().contains(QStringLiteral("ioi.csv")), kTimeoutMs);
        QVERIFY2(window.graphCanvas()->evaluationNote().contains(QStringLiteral("from induction.csv (64 pairs)")),
                 qPrintable(window.graphCanvas()->evaluationNote()));

        // A run on them is a second entry, told apart by its pairs; back to the first, the note.
        QTRY_VERIFY_WITH_TIMEOUT(window.runPanel()->runButton()->isEnabled(), kTimeoutMs);
        QVERIFY(window.runAttribution(window.runPanel()->settings()));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, kTimeoutMs);
        QCOMPARE(list->count(), 2);
        QVERIFY(list->item(0)->text() != list->item(1)->text());
        QVERIFY(list->item(1)->text().contains(QStringLiteral("ioi.csv")));
        QTRY_COMPARE_WITH_TIMEOUT(window.graphCanvas()->evaluationNote(), QString(), kTimeoutMs);
        list->setCurrentRow(0);
        QTRY_VERIFY_WITH_TIMEOUT(window.graphCanvas()->evaluationNote().contains(QStringLiteral("induction.csv")), kTimeoutMs);

        // Generated pairs have no file: the result names their task.
        {
            core::TaskOptions options;
            options.task = "ioi";
            options.n = 12;
            window.promptEditor()->setGenerated(core::generateTask(options, core::Tokenizer::load(demoDir().toStdString())));
            QTRY_VERIFY_WITH_TIMEOUT(window.runPanel()->runButton()->isEnabled(), kTimeoutMs);
            RunSettings other = window.runPanel()->settings();
            other.method = QStringLiteral("atp");
            QVERIFY(window.runAttribution(other));
            QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 3, kTimeoutMs);
            QCOMPARE(window.currentResult()->datasetName, QStringLiteral("generated ioi"));
            QVERIFY2(list->item(2)->text().endsWith(QStringLiteral("— generated ioi, 12 pairs")), qPrintable(list->item(2)->text()));
            QVERIFY(window.promptEditor()->undoStack()->canUndo()); // "Generate ioi pairs"
            window.promptEditor()->undoStack()->undo();
        }

        // Sessions keep the name.
        QTemporaryDir tmp;
        QVERIFY(window.saveSession(tmp.filePath(QStringLiteral("s.pbsession"))));
        const auto session = core::readSession(tmp.filePath(QStringLiteral("s.pbsession")).toStdString());
        QCOMPARE(session.runs.size(), std::size_t{3});
        std::set<std::string> names;
        for (const auto& run : session.runs)
            names.insert(run.datasetName);
        QVERIFY(names == std::set<std::string>({"induction.csv", "ioi.csv", "generated ioi"}));
    }

    // Issue 24, items 2, 10 and 20: no edit is lost without a word. The title names the
    // model, the pairs and the session and marks unsaved work; opening other pairs is
    // undoable; closing with unsaved work asks (Cancel keeps the window, Save writes the
    // session); an opened session is not an undoable edit of the pairs; the next window
    // says where the last work is.
    void unsavedWorkIsNeverLostSilently()
    {
        QTemporaryDir tmp;
        const QString session = tmp.filePath(QStringLiteral("work.pbsession"));
        const QString other = tmp.filePath(QStringLiteral("other.csv"));
        {
            QFile f(other);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("clean,corrupted,answer,wrong_answer\nMary and John went to the,John and Mary went to the, John, Mary\n");
        }
        QStringList asked;
        QMessageBox::StandardButton answer = QMessageBox::Cancel;
        {
            MainWindow window;
            window.setUnsavedWorkPrompt([&](const QString& question) {
                asked << question;
                return answer;
            });
            window.show();
            QVERIFY(load(window, m_modelDir, m_pairsFile));
            QCOMPARE(window.windowTitle(), QStringLiteral("model · pairs.csv[*] — Patchbay"));
            QVERIFY(!window.isWindowModified());

            auto* table = window.promptEditor()->model();
            const QModelIndex clean = table->index(0, PairTableModel::CleanColumn);
            const QString edited = clean.data().toString() + QStringLiteral(" edited");
            QVERIFY(table->setData(clean, edited, Qt::EditRole));
            QVERIFY(window.isWindowModified());

            // Other pairs replace the edited ones as one undoable step, and the window says so.
            QVERIFY(window.openDataset(other));
            QCOMPARE(window.promptEditor()->pairCount(), 1);
            QVERIFY(window.windowTitle().startsWith(QStringLiteral("model · other.csv")));
            QVERIFY(!window.isWindowModified()); // the pairs are those of other.csv
            QVERIFY(window.statusBar()->currentMessage().contains(QStringLiteral("Undo")));
            window.promptEditor()->undoStack()->undo();
            QCOMPARE(window.promptEditor()->pairCount(), 3);
            QCOMPARE(table->index(0, PairTableModel::CleanColumn).data().toString(), edited);
            QVERIFY(window.windowTitle().startsWith(QStringLiteral("model · pairs.csv")));
            QVERIFY(window.isWindowModified());

            // Closing asks; Cancel keeps the window and its work.
            QVERIFY(!window.close());
            QCOMPARE(asked.size(), 1);
            QVERIFY2(asked.front().contains(QStringLiteral("prompt pairs")), qPrintable(asked.front()));
            QVERIFY(window.isVisible());

            // Saved: the title names the session and the work is no longer modified.
            QVERIFY(window.saveSession(session));
            QCOMPARE(window.windowTitle(), QStringLiteral("model · pairs.csv · work.pbsession[*] — Patchbay"));
            QVERIFY(!window.isWindowModified());
            QVERIFY(window.close()); // nothing to lose: no question
            QCOMPARE(asked.size(), 1);
        }
        {
            // The next window says where the last work is.
            MainWindow window;
            QVERIFY2(window.statusBar()->currentMessage().contains(QStringLiteral("Reopen Last Session")),
                     qPrintable(window.statusBar()->currentMessage()));
            window.setUnsavedWorkPrompt([&](const QString& question) {
                asked << question;
                return answer;
            });
            window.show();
            QSignalSpy loaded(window.worker(), &ComputeWorker::modelLoaded);
            QVERIFY(window.openSession(session));
            QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, kTimeoutMs);
            QVERIFY(!window.isWindowModified());
            QVERIFY(!window.promptEditor()->undoStack()->canUndo()); // not "Undo Open session" emptying the table
            window.setNodeLabel(QStringLiteral("a0.h1"), QStringLiteral("previous-token head"));
            QVERIFY(window.isWindowModified());
            // Save writes the work into the session it came from, then the window closes.
            answer = QMessageBox::Save;
            QVERIFY(window.close());
            QCOMPARE(asked.size(), 2);
            QVERIFY(asked.back().contains(QStringLiteral("node labels")));
        }
        QCOMPARE(core::readSession(session.toStdString()).labels.at("a0.h1"), std::string("previous-token head"));
    }

    // A session whose model's weights changed since it was saved: said so, old scores
    // not shown as the current result.
    void sessionOfAChangedModelSaysSo()
    {
        QTemporaryDir tmp;
        const QString file = tmp.filePath(QStringLiteral("changed.pbsession"));
        {
            MainWindow window;
            QVERIFY(load(window, m_modelDir, m_pairsFile));
            QVERIFY(window.saveSession(file));
        }
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        auto j = nlohmann::json::parse(f.readAll().toStdString());
        f.close();
        j["model"]["fingerprint"] = "0123456789abcdef";
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(QByteArray::fromStdString(j.dump()));
        f.close();
        MainWindow window;
        QSignalSpy loaded(window.worker(), &ComputeWorker::modelLoaded);
        QVERIFY(window.openSession(file));
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, kTimeoutMs);
        QVERIFY2(window.errorText().contains(QStringLiteral("has changed since the session was saved")),
                 qPrintable(window.errorText()));
        QCOMPARE(window.promptEditor()->pairCount(), 3);
    }

    // Autosave: an edit is on disk within the autosave delay; a window that never closed
    // (its process gone) leaves it to be recovered at the next start; a clean close keeps
    // the work as the last session instead.
    void autosaveSurvivesACrash()
    {
        QDir(QFileInfo(MainWindow::recoveredSessionFile()).absolutePath()).removeRecursively();
        QString autosave, orphan;
        {
            MainWindow window;
            QVERIFY(load(window, m_modelDir, m_pairsFile));
            auto* table = window.promptEditor()->model();
            const QModelIndex clean = table->index(1, PairTableModel::CleanColumn);
            QVERIFY(table->setData(clean, QStringLiteral("Mary and John went to the shop"), Qt::EditRole));
            autosave = window.autosaveFile();
            QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(autosave), kTimeoutMs); // the timer, not autosaveNow()
            window.autosaveNow();
            // As if the process had died: the file carries a pid no process has.
            orphan = QFileInfo(autosave).absolutePath() + QStringLiteral("/autosave-999999999.pbsession");
            QVERIFY(QFile::rename(autosave, orphan));
        }
        const QString savedAt = QLocale().toString(QFileInfo(orphan).lastModified(), QLocale::ShortFormat);
        QVERIFY(!savedAt.isEmpty());
        MainWindow window;
        QVERIFY(window.errorText().contains(QStringLiteral("did not close cleanly")));
        // When the work was saved, not an empty "autosaved at ." (the file was read after its rename).
        QVERIFY2(window.errorText().contains(QStringLiteral("autosaved at ") + savedAt), qPrintable(window.errorText()));
        auto* reopen = window.findChild<QAction*>(QStringLiteral("reopenSessionAction"));
        QVERIFY(reopen && reopen->isEnabled());
        QSignalSpy loaded(window.worker(), &ComputeWorker::modelLoaded);
        QVERIFY(window.reopenLastSession());
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, kTimeoutMs);
        QCOMPARE(window.promptEditor()->dataset().pairs.at(1).clean, std::string("Mary and John went to the shop"));
        QVERIFY(!window.errorText().contains(QStringLiteral("did not close cleanly")));
        QVERIFY(window.sessionFile().isEmpty()); // Save asks for a name

        window.autosaveNow();
        QVERIFY(QFileInfo::exists(window.autosaveFile()));
        QFile::remove(MainWindow::lastSessionFile());
        window.close();
        QVERIFY(!QFileInfo::exists(window.autosaveFile()));
        QVERIFY(QFileInfo::exists(MainWindow::lastSessionFile()));
        QCOMPARE(core::readSession(MainWindow::lastSessionFile().toStdString()).dataset->pairs.at(1).clean,
                 std::string("Mary and John went to the shop"));
    }

    // The remaining time is the elapsed time scaled by the fraction still to do: at half
    // way it equals the elapsed time. Durations read m:ss, h:mm:ss from an hour.
    void runStatusSaysElapsedAndRemainingTime()
    {
        QCOMPARE(patchbay::ui::RunPanel::durationText(65.4), QStringLiteral("1:05"));
        QCOMPARE(patchbay::ui::RunPanel::durationText(3725.0), QStringLiteral("1:02:05"));
        patchbay::ui::RunPanel panel;
        panel.setRunning(true);
        panel.setProgress(0.5, QStringLiteral("Scoring"));
        auto* status = panel.findChild<QLabel*>(QStringLiteral("runStatus"));
        QVERIFY2(status->text().startsWith(QStringLiteral("Scoring — 50% · 0:00 elapsed")), qPrintable(status->text()));
        QVERIFY(!status->text().contains(QStringLiteral("left"))); // no rate yet
        QTest::qWait(1100);
        panel.setProgress(0.5, QStringLiteral("Scoring"));
        const QRegularExpressionMatch m =
            QRegularExpression(QStringLiteral("(\\d+:\\d\\d) elapsed, about (\\d+:\\d\\d) left$")).match(status->text());
        QVERIFY2(m.hasMatch(), qPrintable(status->text()));
        QCOMPARE(m.captured(2), m.captured(1));
        QVERIFY(m.captured(1) != QStringLiteral("0:00"));
    }

    void cancelStopsALongRun()
    {
        // Exact edge patching on the demo takes about 1 s for its 64 pairs here: 50 copies
        // of them make a run of a minute (seconds on the fastest machines), long enough to
        // watch its progress and cancel it.
        QTemporaryDir tmp;
        const QString many = tmp.filePath(QStringLiteral("induction-x50.csv"));
        {
            QFile in(demoDir() + QStringLiteral("/induction.csv")), out(many);
            QVERIFY(in.open(QIODevice::ReadOnly) && out.open(QIODevice::WriteOnly));
            const QByteArray header = in.readLine();
            const QByteArray rows = in.readAll();
            out.write(header);
            for (int i = 0; i < 50; ++i)
                out.write(rows.endsWith('\n') ? rows : rows + '\n');
        }
        MainWindow window;
        window.show();
        QVERIFY(load(window, demoDir(), many));
        QCOMPARE(window.promptEditor()->pairCount(), 64 * 50);
        QSignalSpy cancelled(window.worker(), &ComputeWorker::cancelled);
        QSignalSpy finished(window.worker(), &ComputeWorker::runFinished);
        QSignalSpy progress(window.worker(), &ComputeWorker::progress);
        RunSettings slow;
        slow.method = QStringLiteral("exact");
        window.runPanel()->setSettings(slow);
        QCOMPARE(window.runPanel()->settings().method, QStringLiteral("exact"));
        QTRY_VERIFY_WITH_TIMEOUT(window.runPanel()->runButton()->isEnabled(), kTimeoutMs);
        QTest::mouseClick(window.runPanel()->runButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!progress.isEmpty(), kTimeoutMs);
        QVERIFY(window.runPanel()->cancelButton()->isEnabled());
        // Issue 24 item 17: a long run says how long it has run and about how long is left.
        auto* status = window.findChild<QLabel*>(QStringLiteral("runStatus"));
        QTRY_VERIFY2_WITH_TIMEOUT(status->text().contains(QStringLiteral(" elapsed, about ")) &&
                                      status->text().endsWith(QStringLiteral(" left")),
                                  qPrintable(status->text()), kTimeoutMs);
        // A circuit edited meanwhile: its metric waits for the run, and the canvas says so
        // rather than looking hung; after the cancel the metric arrives.
        QVERIFY(importAndWait(window, demoDir() + QStringLiteral("/induction-circuit.json")));
        auto* busy = window.graphCanvas()->findChild<QLabel*>(QStringLiteral("graphBusy"));
        QVERIFY(busy);
        QTRY_VERIFY_WITH_TIMEOUT(window.graphCanvas()->evaluationBusy(), kTimeoutMs);
        QVERIFY2(busy->text().contains(QStringLiteral("running job")), qPrintable(busy->text()));
        QVERIFY(!window.graphCanvas()->findChild<QLabel*>(QStringLiteral("graphMetric"))->property("metric").isValid());
        QTest::mouseClick(window.runPanel()->cancelButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(cancelled.count(), 1, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(!window.graphCanvas()->evaluationBusy(), kTimeoutMs);
        QVERIFY(window.graphCanvas()->findChild<QLabel*>(QStringLiteral("graphMetric"))->property("metric").isValid());
        QCOMPARE(finished.count(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(window.runPanel()->runButton()->isEnabled(), kTimeoutMs);
        QVERIFY(!window.runPanel()->cancelButton()->isEnabled());
        QCOMPARE(window.findChild<QLabel*>(QStringLiteral("runStatus"))->text(), QStringLiteral("Cancelled"));
    }

    void datasetRowErrorsKeepTheModel()
    {
        MainWindow window;
        window.show();
        QVERIFY(load(window, m_modelDir, m_pairsFile));
        QVERIFY(window.openDataset(kData + "/datasets/invalid/length_mismatch.csv"));
        auto* pairs = window.promptEditor()->model();
        QCOMPARE(pairs->rowCount(), 3);
        QCOMPARE(pairs->errorRows(), 2);
        QCOMPARE(pairs->index(0, 0).data(PairTableModel::SeverityRole).toInt(), int(PairTableModel::NoIssue));
        for (int row : {1, 2}) {
            const QModelIndex index = pairs->index(row, PairTableModel::CleanColumn);
            QCOMPARE(index.data(PairTableModel::SeverityRole).toInt(), int(PairTableModel::Error));
            QVERIFY(index.data(Qt::BackgroundRole).isValid());
            QVERIFY2(index.data(Qt::ToolTipRole).toString().contains(QStringLiteral("row %1").arg(row + 1)),
                     qPrintable(index.data(Qt::ToolTipRole).toString()));
        }
        QVERIFY(window.promptEditor()->headerText().contains(QStringLiteral("with errors: 2")));
        // One valid pair remains runnable; the model is untouched.
        QString why;
        QCOMPARE(window.promptEditor()->runnableDataset(&why).pairs.size(), std::size_t(1));
        QCOMPARE(labelText(window, "model_layers"), QStringLiteral("3"));
    }

    void unreadableDatasetKeepsPreviousState()
    {
        MainWindow window;
        window.show();
        QVERIFY(load(window, m_modelDir, m_pairsFile));
        QVERIFY(!window.openDataset(kData + "/datasets/invalid/missing_column.csv"));
        QVERIFY(window.errorText().contains(QStringLiteral("missing_column.csv")));
        QCOMPARE(window.promptEditor()->pairCount(), 3);
        QVERIFY(window.promptEditor()->fileName().endsWith(QStringLiteral("pairs.csv")));
    }

    void missingModelFolderShowsTheError()
    {
        const QString missing = m_tmp.filePath(QStringLiteral("no-such-model"));
        MainWindow window;
        window.show();
        QVERIFY(!load(window, missing));
        QTRY_VERIFY_WITH_TIMEOUT(window.errorText().contains(QStringLiteral("no-such-model")), kTimeoutMs);
        QVERIFY(labelText(window, "modelPlaceholder").contains(QStringLiteral("no-such-model")));
        QVERIFY(!window.worker()->hasModel());

        // After a success, a failing model keeps the loaded one.
        QVERIFY(load(window, m_modelDir));
        QCOMPARE(window.errorText(), QString());
        const QString fingerprint = window.worker()->model()->summary.fingerprint;
        QVERIFY(!load(window, missing));
        QTRY_VERIFY_WITH_TIMEOUT(window.errorText().contains(QStringLiteral("no-such-model")), kTimeoutMs);
        QCOMPARE(window.worker()->model()->summary.fingerprint, fingerprint);
        QCOMPARE(labelText(window, "model_layers"), QStringLiteral("3"));
        QVERIFY(window.windowTitle().startsWith(QStringLiteral("model")));
    }

    void modelWithoutTokenizerShowsUnvalidatedPairs()
    {
        MainWindow window;
        window.show();
        QVERIFY(load(window, kData + "/models/gpt2", kData + "/datasets/native_text.csv"));
        QCOMPARE(window.promptEditor()->pairCount(), 3);
        QVERIFY(!window.promptEditor()->model()->validated());
        QVERIFY(window.promptEditor()->headerText().contains(QStringLiteral("not validated")));
        QVERIFY(labelText(window, "model_tokenizer").startsWith(QStringLiteral("none")));
        QVERIFY(!window.runPanel()->runButton()->isEnabled());
    }

    // Run > Find Induction and Previous-Token Heads on the demo: the Head roles tab shows the
    // three scores, and the two heads the demo's shipped circuit names (a0.h0 previous-token,
    // a1.h3 induction; test_demo checks the scores) get their roles as labels on the graph,
    // beside a user's own label, replaced (not repeated) by a second run.
    void findsInductionHeadsAndLabelsThem()
    {
        MainWindow window;
        QVERIFY(runDemoAt1400x900(window));
        QVERIFY(window.graphCanvas()->hasCircuit());
        auto* action = window.findChild<QAction*>(QStringLiteral("headsAction"));
        QVERIFY(action);
        QTRY_VERIFY_WITH_TIMEOUT(action->isEnabled(), kTimeoutMs);
        window.graphCanvas()->setNodeLabel(QStringLiteral("a1.h3"), QStringLiteral("my head"));
        for (int run = 0; run < 2; ++run) {
            QSignalSpy ready(window.worker(), &ComputeWorker::headScoresReady);
            action->trigger();
            QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 1, kTimeoutMs);
            const patchbay::ui::HeatmapData& d = window.headRolesMap()->data();
            QCOMPARE(d.rows(), 2);
            QCOMPARE(d.columns(), 3 * 4 + 2); // three blocks of 4 heads, a gap between
            QCOMPARE(d.cellIds.at(1 * 14 + 3), QStringLiteral("a1.h3"));
            QVERIFY(d.value(1, 3) > 0.7);      // a1.h3's induction score
            QVERIFY(d.value(0, 5 + 0) > 0.7);  // a0.h0's previous-token score
            QVERIFY(std::isnan(d.value(0, 4)));
            const auto& labels = window.graphCanvas()->circuit().labels;
            QVERIFY(labels.count("a1.h3") && labels.count("a0.h0"));
            const QString induction = QString::fromStdString(labels.at("a1.h3"));
            QVERIFY2(induction.startsWith(QStringLiteral("my head · induction 0.")) && induction.count(QStringLiteral("induction")) == 1,
                     qPrintable(induction));
            QVERIFY2(QString::fromStdString(labels.at("a0.h0")).startsWith(QStringLiteral("previous-token 0.")),
                     labels.at("a0.h0").c_str());
            QVERIFY(window.statusBar()->currentMessage().contains(QStringLiteral("a1.h3")));
        }
    }

    // The role labels on their own: made from scores at or above the threshold, a user's text
    // kept in front, an earlier run's roles replaced, labels of other nodes untouched.
    void headRoleLabelsKeepTheUsersText()
    {
        core::HeadScores scores;
        scores.layers = 2;
        scores.heads = 2;
        scores.induction = {0.0, 0.1, 0.2, 0.861};
        scores.previousToken = {0.9, 0.0, 0.0, 0.4};
        scores.duplicateToken = {0.0, 0.39, 0.0, 0.0};
        std::map<std::string, std::string> labels = {{"a1.h1", "name mover"},
                                                     {"a0.h0", "induction 0.55"}, // an earlier run's
                                                     {"a0.h1", "a · b"},
                                                     {"m1", "the MLP"}};
        const auto got = patchbay::ui::withHeadRoleLabels(labels, scores, 0.4);
        const std::map<std::string, std::string> want = {{"a1.h1", "name mover · induction 0.86, previous-token 0.40"},
                                                         {"a0.h0", "previous-token 0.90"},
                                                         {"a0.h1", "a · b"},
                                                         {"m1", "the MLP"}};
        QCOMPARE(got, want);
        QCOMPARE(patchbay::ui::withHeadRoleLabels(got, scores, 0.4), want); // a second run changes nothing
        QCOMPARE(patchbay::ui::headRoleSummary(scores, scores.previousToken, 0.4, 1), QStringLiteral("a0.h0 0.90 and 1 more"));
        QCOMPARE(patchbay::ui::headRoleSummary(scores, scores.duplicateToken, 0.4), QStringLiteral("none"));
    }

    void openDemo()
    {
        MainWindow window;
        QSignalSpy loaded(window.worker(), &ComputeWorker::modelLoaded);
        QVERIFY(window.openDemo());
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, kTimeoutMs);
        QCOMPARE(labelText(window, "model_name"), QStringLiteral("demo"));
        QVERIFY(window.promptEditor()->fileName().endsWith(QStringLiteral("induction.csv")));
        QCOMPARE(window.promptEditor()->errorRows(), 0);
    }

    // Closing the window while a long job runs cancels it and returns promptly.
    void closesWhileRunning()
    {
        auto* window = new MainWindow;
        window->show();
        QVERIFY(load(*window, demoDir(), demoDir() + QStringLiteral("/induction.csv")));
        RunSettings slow;
        slow.method = QStringLiteral("eap-ig");
        slow.steps = 200000; // hours of work on the demo model on any machine
        QSignalSpy progress(window->worker(), &ComputeWorker::progress);
        QVERIFY(window->runAttribution(slow));
        QTRY_VERIFY_WITH_TIMEOUT(!progress.isEmpty(), kTimeoutMs); // the run has started
        QElapsedTimer clock;
        clock.start();
        delete window;
        // The point is that closing cancels the run instead of waiting for it: a run of
        // hours ended, on any machine however loaded, well within this generous bound. The
        // time itself is measured by bench_responsiveness, not asserted here.
        qInfo("window deleted %lld ms after the close", static_cast<long long>(clock.elapsed()));
        QVERIFY2(clock.elapsed() < kTimeoutMs, qPrintable(QString::number(clock.elapsed())));
    }

    // A slot, so that QtTest runs it (it sat under `private:` and never ran).
    void cleanupTestCase()
    {
        // Windows destroyed without a close leave their autosaves, as a crash would.
        const QDir autosaves(QFileInfo(MainWindow::lastSessionFile()).absolutePath());
        QDir(autosaves).removeRecursively();
        QVERIFY(!autosaves.exists());
    }

    // A GGUF file opens as a model (issue 21), and File > Open Fetched Model lists what
    // tools/fetch-models.sh put in $PATCHBAY_MODELS.
    void opensGgufFilesAndListsFetchedModels()
    {
        QDir root(m_tmp.path());
        QVERIFY(root.mkpath(QStringLiteral("cache/smollm2")));
        const QString gguf = root.filePath(QStringLiteral("cache/smollm2/tiny-llama.gguf"));
        QVERIFY(copyFile(kData + "/gguf/models/llama-q8_0.gguf", gguf));
        qputenv("PATCHBAY_MODELS", root.filePath(QStringLiteral("cache")).toUtf8());
        MainWindow window;
        window.show();
        auto* fetched = window.findChild<QMenu*>(QStringLiteral("fetchedMenu"));
        QVERIFY(fetched);
        QMetaObject::invokeMethod(fetched, "aboutToShow");
        QAction* entry = nullptr;
        for (QAction* a : fetched->actions())
            if (a->text() == QLatin1String("tiny-llama.gguf"))
                entry = a;
        QVERIFY(entry);
        QCOMPARE(entry->toolTip(), gguf);
        QSignalSpy loaded(window.worker(), &ComputeWorker::modelLoaded);
        entry->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, kTimeoutMs);
        const patchbay::ui::LoadedModel* model = window.worker()->model();
        QVERIFY(model);
        QCOMPARE(model->summary.path, gguf);
        QCOMPARE(model->summary.name, QStringLiteral("tiny-llama.gguf"));
        QCOMPARE(model->summary.weightsDtype, QStringLiteral("Q8_0 x23, F32 x7"));
        qunsetenv("PATCHBAY_MODELS");
    }

    // "per position" applies to activation patching only: shown unticked and disabled for the
    // other methods, and the choice is back when activation patching is chosen again (issue
    // 24, item 18: it stayed ticked while disabled).
    void perPositionShowsOnlyWhereItApplies()
    {
        patchbay::ui::RunPanel panel;
        auto* method = panel.findChild<QComboBox*>(QStringLiteral("methodBox"));
        auto* box = panel.findChild<QCheckBox*>(QStringLiteral("perPositionBox"));
        QVERIFY(method && box);
        method->setCurrentIndex(method->findData(QStringLiteral("activation-patching")));
        QVERIFY(box->isEnabled());
        box->setChecked(true);
        QVERIFY(panel.settings().perPosition);
        method->setCurrentIndex(method->findData(QStringLiteral("eap")));
        QVERIFY(!box->isEnabled());
        QVERIFY(!box->isChecked());
        method->setCurrentIndex(method->findData(QStringLiteral("activation-patching")));
        QVERIFY(box->isEnabled());
        QVERIFY(box->isChecked());
        QVERIFY(panel.settings().perPosition);
    }

    // The Run panel starts from EAP-IG for Gemma models and EAP for the others
    // (docs/real-circuits.md), unless the user or a session chose a method.
    void suggestsEapIgForGemma()
    {
        patchbay::ui::RunPanel panel;
        auto* method = panel.findChild<QComboBox*>(QStringLiteral("methodBox"));
        QVERIFY(method);
        auto* note = panel.findChild<QLabel*>(QStringLiteral("methodNote"));
        QVERIFY(note);
        panel.suggestMethodFor(QStringLiteral("gemma"));
        QCOMPARE(panel.settings().method, QStringLiteral("eap-ig"));
        QVERIFY(note->isVisibleTo(&panel)); // it says why
        QVERIFY(note->text().contains(QStringLiteral("Gemma")));
        panel.suggestMethodFor(QStringLiteral("llama"));
        QCOMPARE(panel.settings().method, QStringLiteral("eap"));
        QVERIFY(!note->isVisibleTo(&panel));
        // The window's own adjustment (greater-than data: prob-diff) is no choice of method.
        auto s = panel.settings();
        s.metric = QStringLiteral("prob-diff");
        panel.setSettings(s);
        panel.suggestMethodFor(QStringLiteral("gemma"));
        QCOMPARE(panel.settings().method, QStringLiteral("eap-ig"));
        // The user's pick stays.
        const int cc = method->findData(QStringLiteral("clean-corrupted"));
        method->setCurrentIndex(cc);
        Q_EMIT method->activated(cc);
        QVERIFY(!note->isVisibleTo(&panel));
        panel.suggestMethodFor(QStringLiteral("gpt2"));
        QCOMPARE(panel.settings().method, QStringLiteral("clean-corrupted"));
        // As does a session's.
        patchbay::ui::RunPanel restored;
        s.method = QStringLiteral("atp");
        restored.setSettings(s);
        restored.suggestMethodFor(QStringLiteral("gemma"));
        QCOMPARE(restored.settings().method, QStringLiteral("atp"));

        // Through the window: the random Gemma-3 fixture loads with EAP-IG chosen.
        QTemporaryDir tmp;
        const QString model = fixtureWithWordTokenizer(tmp, QStringLiteral("gemma3"));
        QVERIFY(!model.isEmpty());
        MainWindow window;
        QCOMPARE(window.runPanel()->settings().method, QStringLiteral("eap"));
        QVERIFY(load(window, model));
        QCOMPARE(window.runPanel()->settings().method, QStringLiteral("eap-ig"));
        QVERIFY(load(window, demoDir()));
        QCOMPARE(window.runPanel()->settings().method, QStringLiteral("eap"));
    }

    // A per-query-head (MIB-style) circuit of a grouped-query model: imported as it is (not
    // merged per key/value head), the Run panel switches to "k/v per query head", and the
    // canvas's metric is the CLI's evaluate of the same file.
    void importsPerQueryHeadCircuitOfGroupedQueryModel()
    {
        QTemporaryDir tmp;
        // The random llama-gqa fixture (4 query, 2 key/value heads).
        const QString model = fixtureWithWordTokenizer(tmp, QStringLiteral("llama-gqa"));
        QVERIFY(!model.isEmpty());
        const QString pairs = m_pairsFile;
        const QString file = tmp.filePath(QStringLiteral("mib.json"));
        core::Circuit mib(core::Graph(3, 4, 4, false), 32); // EAP-IG's plain cfg, a3.h1<k> names
        for (std::size_t e = 0; e < mib.graph.edgeCount(); e += 7)
            mib.edgeInGraph[e] = 1;
        mib.nodesFromEdges();
        core::writeCircuit(mib, file.toStdString(), core::CircuitFormat::EapIg);

        MainWindow window;
        window.show();
        QVERIFY(load(window, model, pairs));
        auto* box = window.runPanel()->findChild<QCheckBox*>(QStringLiteral("ungroupedKvBox"));
        QVERIFY(box);
        QVERIFY(box->isEnabled()); // a grouped-query model
        QVERIFY(!box->isChecked());
        QVERIFY(importAndWait(window, file));
        QVERIFY(box->isChecked());
        QVERIFY(window.runPanel()->settings().ungroupedKv);
        QCOMPARE(window.graphCanvas()->circuit().graph.edgeCount(), mib.graph.edgeCount());
        QCOMPARE(window.graphCanvas()->edgesInCircuit(), static_cast<int>(mib.edgesInGraph()));

        QProcess cli;
        cli.start(QStringLiteral(PATCHBAY_CLI_PATH), {QStringLiteral("evaluate"), QStringLiteral("--model"), model,
                                                      QStringLiteral("--data"), pairs, QStringLiteral("--circuit"), file});
        QVERIFY(cli.waitForFinished(kTimeoutMs));
        QCOMPARE(cli.exitCode(), 0);
        const auto out = nlohmann::json::parse(cli.readAllStandardOutput().toStdString());
        QCOMPARE(out["gqa_layout"].get<std::string>(), std::string("ungrouped"));
        const double metric = out["circuit"]["metric"].get<double>();
        QTRY_VERIFY2_WITH_TIMEOUT(window.graphCanvas()->evaluationText().contains(QLocale().toString(metric, 'f', 4)), qPrintable(window.graphCanvas()->evaluationText() + QStringLiteral(" / CLI: ") + QString::number(metric)), kTimeoutMs);

        // Unticked, the canvas says why it cannot compute the metric instead of a wrong one.
        box->setChecked(false);
        QTRY_VERIFY_WITH_TIMEOUT(window.graphCanvas()->evaluationText().contains(QStringLiteral("per query head")), kTimeoutMs);
    }

private:
    QTemporaryDir m_tmp;
    QString m_modelDir;
    QString m_pairsFile;
};

QTEST_MAIN(TestMainWindow)
#include "test_mainwindow.moc"
