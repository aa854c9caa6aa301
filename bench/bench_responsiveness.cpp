// SPDX-License-Identifier: MIT
// The GUI thread's event latency while the compute worker runs an attribution:
//   bench_responsiveness --model PATH --data FILE [--method eap] [--batch-size 16]
// Opens the main window (offscreen unless a display is set), loads the model and the pairs
// through the worker, then runs the method from the window while a 10 ms timer on the GUI
// thread records how late each tick comes and the window repaints ten times a second.
// A late tick is an event the GUI thread could not handle: the figure is the largest gap
// between ticks (and the 99th percentile), before the run (idle) and during it. Prints one
// JSON line.
#include "bench/bench_util.h"
#include "core/common/system.h"
#include "ui/computeworker.h"
#include "ui/mainwindow.h"
#include "ui/pairseditor.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>

#include <cstdio>
#include <iostream>
#include <vector>

namespace {

struct Gaps
{
    std::vector<double> ms;
    double max() const { return ms.empty() ? 0.0 : *std::max_element(ms.begin(), ms.end()); }
    double percentile(double p) const
    {
        if (ms.empty())
            return 0.0;
        std::vector<double> v = ms;
        std::sort(v.begin(), v.end());
        return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
    }
};

// Runs the event loop until `done` is true or `seconds` pass, recording the gaps between
// the ticks of a 10 ms timer.
Gaps measure(QWidget& window, const bool& done, double seconds)
{
    Gaps gaps;
    QElapsedTimer clock, total;
    clock.start();
    total.start();
    QTimer tick, paint;
    tick.setTimerType(Qt::PreciseTimer);
    QObject::connect(&tick, &QTimer::timeout, [&] {
        gaps.ms.push_back(static_cast<double>(clock.nsecsElapsed()) / 1e6);
        clock.restart();
    });
    QObject::connect(&paint, &QTimer::timeout, [&] { window.update(); });
    tick.start(10);
    paint.start(100);
    QEventLoop loop;
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, [&] {
        if (done || total.elapsed() > seconds * 1000.0)
            loop.quit();
    });
    poll.start(5);
    loop.exec();
    return gaps;
}

} // namespace

int main(int argc, char** argv)
{
    patchbay::core::configureAllocator(); // as the app's main() does
    using patchbay::bench::arg;
    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("PatchbayBench")); // keep the user's settings alone
    const QString model = QString::fromStdString(arg(argc, argv, "model", ""));
    const QString data = QString::fromStdString(arg(argc, argv, "data", ""));
    if (model.isEmpty() || data.isEmpty()) {
        std::cerr << "usage: bench_responsiveness --model PATH --data FILE [--method eap] [--batch-size 16]\n";
        return 2;
    }

    patchbay::ui::MainWindow window;
    window.show();
    bool loaded = false, finished = false;
    QString error;
    QObject::connect(window.worker(), &patchbay::ui::ComputeWorker::modelLoaded, [&] { loaded = true; });
    QObject::connect(window.worker(), &patchbay::ui::ComputeWorker::runFinished, [&] { finished = true; });
    QObject::connect(window.worker(), &patchbay::ui::ComputeWorker::failed, [&](quint64, const QString& message) {
        error = message;
        loaded = finished = true;
    });
    window.openModel(model, data);
    const Gaps loading = measure(window, loaded, 600);
    if (!error.isEmpty()) {
        std::cerr << "error: " << error.toStdString() << "\n";
        return 1;
    }
    const bool never = false;
    const Gaps idle = measure(window, never, 2.0);

    patchbay::ui::RunSettings settings;
    settings.method = QString::fromStdString(arg(argc, argv, "method", "eap"));
    settings.batchSize = std::stoi(arg(argc, argv, "batch-size", "16"));
    QElapsedTimer runClock;
    runClock.start();
    if (!window.runAttribution(settings)) {
        std::cerr << "error: " << window.errorText().toStdString() << "\n";
        return 1;
    }
    const Gaps running = measure(window, finished, 1200);
    const double runSeconds = static_cast<double>(runClock.elapsed()) / 1000.0;
    if (!error.isEmpty()) {
        std::cerr << "error: " << error.toStdString() << "\n";
        return 1;
    }
    std::printf("{\"model\":\"%s\",\"pairs\":%d,\"method\":\"%s\",\"run_seconds\":%.3f,"
                "\"loading_max_gap_ms\":%.1f,\"idle_max_gap_ms\":%.1f,\"idle_p99_gap_ms\":%.1f,"
                "\"run_ticks\":%zu,\"run_max_gap_ms\":%.1f,\"run_p99_gap_ms\":%.1f,\"run_median_gap_ms\":%.1f}\n",
                qPrintable(model), window.promptEditor()->pairCount(), qPrintable(settings.method), runSeconds,
                loading.max(), idle.max(), idle.percentile(0.99), running.ms.size(), running.max(),
                running.percentile(0.99), running.percentile(0.5));
    return 0;
}
