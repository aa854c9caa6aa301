// SPDX-License-Identifier: MIT
#include "core/common/system.h"

#include <nlohmann/json.hpp>

#include <QTest>

#include <algorithm>
#include <chrono>
#include <thread>

using namespace patchbay::core;

class TestSystem : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initUsesAllCores()
    {
        initRuntime();
        initRuntime(); // idempotent
        const auto info = systemInfo(false);
        QVERIFY(info.hardwareThreads >= 1);
        // Every core, unless the user asked for a number (OMP_NUM_THREADS, issue 27).
        const int asked = qEnvironmentVariableIntValue("OMP_NUM_THREADS");
        QCOMPARE(info.intraOpThreads, asked > 0 ? asked : info.hardwareThreads);
        QVERIFY(!info.torchVersion.empty());
        QCOMPARE(QString::fromStdString(info.defaultDevice), info.cudaDevices > 0 ? QStringLiteral("cuda") : QStringLiteral("cpu"));
    }

    // Issue 27: threads that share a core with another process make each parallel region
    // wait for the one not running, so a long computation takes the cores left free.
    void threadsBesideOtherWork()
    {
        QCOMPARE(threadsBeside(2, 0.0), 2);
        QCOMPARE(threadsBeside(2, 0.4), 2);
        QCOMPARE(threadsBeside(2, 0.6), 1);
        QCOMPARE(threadsBeside(2, 1.0), 1);
        QCOMPARE(threadsBeside(2, 3.5), 1); // never fewer than one
        QCOMPARE(threadsBeside(8, 2.2), 6);
        QCOMPARE(threadsBeside(1, 0.0), 1);
        QCOMPARE(threadsBeside(4, -0.1), 4);
        // Measured: a share of the cores this process may use.
        const double busy = otherBusyCores(std::chrono::milliseconds(50));
        QVERIFY2(busy >= 0.0 && busy <= systemInfo(false).hardwareThreads, qPrintable(QString::number(busy)));
    }

    // Issue 27: the load is read on the CPUs this process may use (a container's, taskset's),
    // from their "cpuN" lines; the machine-wide "cpu" line counted a large host's other cores.
    // Busy = user + system + irq + softirq + steal (nice, idle, iowait are not), by hand.
    void procStatBusyTicksCountsTheAffinityCpus()
    {
        const std::string stat = "cpu  100 5 50 1000 10 3 2 1 0 0\n"
                                 "cpu0 40 5 20 500 5 1 1 0 0 0\n"
                                 "cpu1 60 0 30 500 5 2 1 1 0 0\n"
                                 "cpu12 7 0 0 0 0 0 0 0\n"
                                 "intr 12345 0 0\n"
                                 "ctxt 999\n";
        QCOMPARE(procStatBusyTicks(stat, {}), 156.0);    // 100 + 50 + 3 + 2 + 1
        QCOMPARE(procStatBusyTicks(stat, {0}), 62.0);    // 40 + 20 + 1 + 1
        QCOMPARE(procStatBusyTicks(stat, {1}), 94.0);    // 60 + 30 + 2 + 1 + 1, not cpu12's
        QCOMPARE(procStatBusyTicks(stat, {0, 1}), 156.0);
        QCOMPARE(procStatBusyTicks(stat, {1, 12}), 101.0);
        QCOMPARE(procStatBusyTicks(stat, {5}), -1.0);    // not in the file
        QCOMPARE(procStatBusyTicks("cpu0 1 2 3\n", {0}), -1.0); // a short line is no reading
    }

    void jsonHasTheSummaryFields()
    {
        const auto info = systemInfo(true);
        QVERIFY(info.matmulGflops > 0);
        const auto j = nlohmann::json::parse(systemInfoJson(info));
        for (const char* key : {"patchbay", "torch", "device", "threads", "cores", "blas", "cuda_devices", "matmul_gflops"})
            QVERIFY2(j.contains(key), key);
        QCOMPARE(j["threads"].get<int>(), info.intraOpThreads);
        // On Debian the BLAS must be the optimised one, or every matmul is ~30x slower.
        const auto blas = QString::fromStdString(j["blas"].get<std::string>());
        qInfo("BLAS in use: %s, %.1f GFLOP/s", qPrintable(blas), info.matmulGflops);
        QVERIFY2(!blas.contains(QStringLiteral("/blas/libblas")) && !blas.endsWith(QStringLiteral("libblas.so.3.11.0")),
                 qPrintable(QStringLiteral("reference BLAS mapped: ") + blas + QStringLiteral(" (install libopenblas0-openmp)")));
    }

    // Last: it changes the thread count of the process.
    void adaptThreadsFollowsTheLoadOrTheUser()
    {
        const int n = adaptThreadsToLoad();
        const int asked = qEnvironmentVariableIntValue("OMP_NUM_THREADS");
        if (asked > 0)
            QCOMPARE(n, asked);
        QVERIFY(n >= 1 && n <= std::max(asked, systemInfo(false).hardwareThreads));
        QCOMPARE(systemInfo(false).intraOpThreads, n);
    }
};

QTEST_GUILESS_MAIN(TestSystem)
#include "test_system.moc"
