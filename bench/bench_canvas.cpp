// SPDX-License-Identifier: MIT
// The graph canvas on the full 32,491-edge graph of a 12-layer model (the MIB IOI
// circuit of GPT-2 small, EAP-IG JSON): for n drawn edges, the Graphviz layout time (on a
// worker thread), the time to build the scene on the GUI thread, the time of one full
// redraw of the view (1280×800) at Fit and zoomed in 3× (a pan/zoom), and the GUI thread's
// largest event-loop gap meanwhile. The edges are ranked by |score| on a thread first, as
// the window's import does; setCircuit then runs on the GUI thread.
//
//   bench_canvas [CIRCUIT.json] [layers]   (default: the shared MIB file)
//   bench_canvas CIRCUIT.json import       the window's import (File > Import Circuit): its
//                                          time and the GUI thread's largest gap meanwhile
#include "ui/graphcanvas.h"
#include "ui/mainwindow.h"

#include "core/graph/circuit.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QGraphicsView>
#include <QTimer>

#include <future>

#include <cstdio>
#include <functional>

using patchbay::ui::GraphCanvas;

namespace {

// The GUI thread's largest gap between 5 ms timer ticks while started.
struct GapMeter
{
    explicit GapMeter(const QElapsedTimer& clock) : clock(clock)
    {
        tick.setInterval(5);
        QObject::connect(&tick, &QTimer::timeout, [this] {
            const qint64 now = this->clock.elapsed();
            worst = std::max(worst, now - last);
            last = now;
        });
    }
    void start()
    {
        worst = 0;
        last = clock.elapsed();
        tick.start();
    }
    void stop() { tick.stop(); }

    const QElapsedTimer& clock;
    QTimer tick;
    qint64 last = 0, worst = 0;
};

} // namespace

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    std::setvbuf(stdout, nullptr, _IOLBF, 0); // lines as they come, also into a pipe
    const QString file = argc > 1 ? QString::fromLocal8Bit(argv[1])
                                  : QStringLiteral(PATCHBAY_SHARED_DATA_DIR "/circuits/mib_ioi_gpt2_eap-ig.json");
    QElapsedTimer clock;
    clock.start();
    if (argc > 2 && QLatin1String(argv[2]) == QLatin1String("import")) {
        patchbay::ui::MainWindow window;
        window.resize(1400, 900);
        window.show();
        QCoreApplication::processEvents();
        bool done = false;
        QObject::connect(&window, &patchbay::ui::MainWindow::circuitImported, [&done](const QString&, bool ok) {
            done = true;
            if (!ok)
                std::printf("the import failed\n");
        });
        GapMeter gaps(clock);
        const qint64 start = clock.elapsed();
        gaps.start();
        window.importCircuit(file);
        while (!done || window.graphCanvas()->layoutPending())
            QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        QCoreApplication::processEvents();
        gaps.stop();
        std::printf("import of %s into the window: %lld ms until drawn; largest GUI-thread gap %lld ms\n",
                    qPrintable(file), static_cast<long long>(clock.elapsed() - start), static_cast<long long>(gaps.worst));
        return 0;
    }
    const patchbay::core::Circuit circuit = patchbay::core::readCircuit(file.toStdString());
    std::printf("read %s: %zu edges in %.0f ms\n", qPrintable(file), circuit.graph.edgeCount(),
                static_cast<double>(clock.nsecsElapsed()) * 1e-6);

    GraphCanvas canvas;
    canvas.resize(1280, 860);
    canvas.show();
    int layouts = 0;
    QObject::connect(&canvas, &GraphCanvas::layoutApplied, [&layouts] { ++layouts; });
    GapMeter gaps(clock);
    auto wait = [&](int target) {
        while (layouts < target)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    };
    QElapsedTimer rank;
    rank.start();
    auto ranking = std::async(std::launch::async, [&circuit] { return GraphCanvas::rankEdges(circuit); }).get();
    std::printf("rank by |score| (import thread): %.0f ms\n", static_cast<double>(rank.nsecsElapsed()) * 1e-6);
    QElapsedTimer set;
    set.start();
    gaps.start();
    canvas.setCircuit(circuit, QStringLiteral("bench"), std::move(ranking));
    std::printf("setCircuit (GUI thread): %.0f ms\n", static_cast<double>(set.nsecsElapsed()) * 1e-6);
    wait(1);
    gaps.stop();
    std::printf("largest GUI gap from setCircuit to the first drawing: %lld ms\n", static_cast<long long>(gaps.worst));
    // The circuit diagram (the default) and Graphviz's layout, each at every size; a second
    // argument "layers" skips Graphviz (minutes per size on graphs of 30 layers and more).
    const bool layersOnly = argc > 2 && QLatin1String(argv[2]) == QLatin1String("layers");
    for (const bool layers : {true, false}) {
    if (!layers && layersOnly)
        break;
    canvas.setLayeredLayout(layers);
    std::printf("%s layout\n%8s %12s %12s %12s %12s %14s\n", layers ? "layers" : "Graphviz", "edges", "layout ms",
                "scene ms", "redraw ms", "zoomed ms", "max gap ms");
    for (const int n : {25, 50, 100, 200, 400, 756, 1000, 2000}) {
        gaps.start();
        if (n == 756)
            canvas.setFilter(GraphCanvas::Filter::InCircuit, 0);
        else
            canvas.setFilter(GraphCanvas::Filter::TopN, n);
        wait(layouts + 1);
        canvas.fitToView();
        QCoreApplication::processEvents();
        QElapsedTimer redraw;
        redraw.start();
        QPixmap frame = canvas.view()->viewport()->grab();
        const double redrawMs = static_cast<double>(redraw.nsecsElapsed()) * 1e-6;
        canvas.view()->scale(3, 3); // a zoom into the middle, as the wheel does
        canvas.updateLevelOfDetail();
        QCoreApplication::processEvents();
        QElapsedTimer zoomed;
        zoomed.start();
        frame = canvas.view()->viewport()->grab();
        const double zoomedMs = static_cast<double>(zoomed.nsecsElapsed()) * 1e-6;
        gaps.stop();
        std::printf("%8d %12.1f %12.1f %12.1f %12.1f %14lld\n", canvas.edgeItemCount(), 1000 * canvas.lastLayoutSeconds(),
                    1000 * canvas.lastSceneSeconds(), redrawMs, zoomedMs, static_cast<long long>(gaps.worst));
    }
    }
    return 0;
}
