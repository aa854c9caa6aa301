// SPDX-License-Identifier: MIT
// Saves the screenshots of docs/images/: the whole window after an EAP run on the demo
// model, then each view (model, run panel, prompt pairs, layer × head scores, node ×
// position scores, attention pattern, logit lens). Run it under Xvfb with a fresh HOME so
// that no saved layout is restored (tools/screenshots/README.md):
//
//   patchbay-screenshots OUT_DIR
#include "ui/computeworker.h"
#include "ui/graphcanvas.h"
#include "ui/heatmap.h"
#include "ui/logitlensview.h"
#include "ui/lessons.h"
#include "ui/mainwindow.h"
#include "ui/runpanel.h"
#include "ui/selection.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QPushButton>
#include <QTabWidget>
#include <QTableWidget>
#include <QEventLoop>
#include <QTimer>

#include <cstdio>
#include <functional>

using namespace patchbay::ui;

namespace {

// Waits in the event loop (sleeping between events, as a user's idle window does: a
// spinning GUI thread would take a core from the compute worker, which runs below it).
void waitEvents(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

bool waitFor(const std::function<bool()>& done, int timeoutMs = 120000)
{
    QElapsedTimer timer;
    timer.start();
    while (!done()) {
        if (timer.elapsed() > timeoutMs)
            return false;
        waitEvents(20);
    }
    return true;
}

void settle(int ms = 400)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < ms)
        waitEvents(20);
}

bool save(QWidget* widget, const QString& file)
{
    const bool ok = widget->grab().save(file);
    std::printf("%s %s (%dx%d)\n", ok ? "wrote" : "FAILED", qPrintable(file), widget->width(), widget->height());
    return ok;
}

} // namespace

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Patchbay"));
    QApplication::setOrganizationName(QStringLiteral("Patchbay"));
    if (argc != 2) {
        std::fprintf(stderr, "usage: patchbay-screenshots OUT_DIR\n");
        return 2;
    }
    const QDir out(QString::fromLocal8Bit(argv[1]));
    QDir().mkpath(out.absolutePath());

    MainWindow window;
    window.resize(1600, 1000);
    window.show();
    int finished = 0;
    QObject::connect(window.worker(), &ComputeWorker::runFinished, [&finished] { ++finished; });
    if (!window.openDemo() || !waitFor([&] { return window.worker()->hasModel(); }) ||
        !waitFor([&] { return window.runPanel()->runButton()->isEnabled(); })) {
        std::fprintf(stderr, "the demo model did not load: %s\n", qPrintable(window.errorText()));
        return 1;
    }
    auto dock = [&window](const char* name) { return window.findChild<QDockWidget*>(QLatin1String(name)); };
    bool ok = true;

    // Node × position first (activation patching per position), then EAP on show.
    RunSettings perPosition = window.runPanel()->settings();
    perPosition.method = QStringLiteral("activation-patching");
    perPosition.perPosition = true;
    window.runAttribution(perPosition);
    ok = ok && waitFor([&] { return finished == 1; });
    auto* tabs = dock("heatmapDock")->findChild<QTabWidget*>();
    tabs->setCurrentIndex(1);
    settle();
    ok = save(dock("heatmapDock"), out.filePath(QStringLiteral("scores-node-position.png"))) && ok;

    RunSettings eap = perPosition;
    eap.method = QStringLiteral("eap");
    eap.perPosition = false;
    window.runPanel()->setSettings(eap);
    window.runAttribution(eap);
    ok = ok && waitFor([&] { return finished == 2; });
    tabs->setCurrentIndex(0);
    window.selection()->setPair(0);
    window.selection()->setNode(QStringLiteral("a1.h3")); // the demo's induction head
    ok = ok && waitFor([&] { return window.attentionMap()->hasData(); });
    ok = ok && waitFor([&] { return window.logitLens()->table()->rowCount() > 0; });
    settle(800);
    ok = save(&window, out.filePath(QStringLiteral("main-window-demo.png"))) && ok;
    ok = save(dock("heatmapDock"), out.filePath(QStringLiteral("scores-layer-head.png"))) && ok;
    ok = save(dock("attentionDock"), out.filePath(QStringLiteral("attention.png"))) && ok;
    ok = save(dock("promptDock"), out.filePath(QStringLiteral("prompt-pairs.png"))) && ok;
    ok = save(dock("runDock"), out.filePath(QStringLiteral("run-panel.png"))) && ok;
    ok = save(dock("modelDock"), out.filePath(QStringLiteral("model.png"))) && ok;
    ok = save(window.graphCanvas(), out.filePath(QStringLiteral("graph-demo.png"))) && ok;
    dock("logitLensDock")->raise();
    settle();
    ok = save(dock("logitLensDock"), out.filePath(QStringLiteral("logit-lens.png"))) && ok;

    // A circuit found by another tool: the MIB IOI circuit of GPT-2 small (EAP-IG JSON).
    if (argc > 2 || QFileInfo::exists(QStringLiteral(PATCHBAY_SHARED_DATA_DIR "/circuits/mib_ioi_gpt2_eap-ig.json"))) {
        int layouts = 0;
        QObject::connect(window.graphCanvas(), &GraphCanvas::layoutApplied, [&layouts] { ++layouts; });
        window.importCircuit(QStringLiteral(PATCHBAY_SHARED_DATA_DIR "/circuits/mib_ioi_gpt2_eap-ig.json"));
        ok = ok && waitFor([&] { return !window.isImporting(); }); // read on a thread of its own
        window.graphCanvas()->setFilter(GraphCanvas::Filter::TopN, 150);
        ok = ok && waitFor([&] { return layouts > 0 && !window.graphCanvas()->layoutPending(); });
        window.graphCanvas()->fitToView();
        settle(600);
        ok = save(window.graphCanvas(), out.filePath(QStringLiteral("graph-mib-ioi.png"))) && ok;
        // Its name movers as one group (the IOI tutorial, step 5), the whole circuit drawn.
        const int before = layouts;
        window.graphCanvas()->setFilter(GraphCanvas::Filter::InCircuit, 0);
        window.graphCanvas()->makeGroup({QStringLiteral("a9.h9"), QStringLiteral("a9.h6"), QStringLiteral("a10.h0")},
                                        QStringLiteral("name movers"));
        ok = ok && waitFor([&] { return layouts > before && !window.graphCanvas()->layoutPending(); });
        window.graphCanvas()->fitToView();
        settle(600);
        ok = save(window.graphCanvas(), out.filePath(QStringLiteral("graph-mib-groups.png"))) && ok;
    }
    window.setUnsavedWorkPrompt([](const QString&) { return QMessageBox::Discard; }); // nothing to keep
    window.close();

    // A lesson at 1400×900 (docs/lessons.md): Induction heads, its prediction answered and
    // the activation patching it asks for run by Show me.
    {
        QFile::remove(MainWindow::lastSessionFile()); // no "the last window closed" message in the picture
        MainWindow student;
        student.resize(1400, 900);
        student.show();
        ok = ok && student.openDemo() && waitFor([&] { return student.runPanel()->runButton()->isEnabled(); });
        ok = ok && student.openLesson(QStringLiteral("induction-heads"));
        LessonRunner* runner = student.lessonDock()->runner();
        runner->goTo(3);
        runner->answer(QStringLiteral("a1.h3"));
        ok = ok && runner->showMe();
        ok = ok && waitFor([&] { return runner->update() || runner->isDone(3); });
        student.selection()->setPair(0);
        student.findChild<QDockWidget*>(QStringLiteral("attentionDock"))->raise();
        settle(800);
        ok = save(&student, out.filePath(QStringLiteral("lessons.png"))) && ok;
        student.setUnsavedWorkPrompt([](const QString&) { return QMessageBox::Discard; });
        student.close();
    }
    return ok ? 0 : 1;
}
