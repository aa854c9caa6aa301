// SPDX-License-Identifier: MIT
#include "core/system.h"

#include <nlohmann/json.hpp>

#include <QTest>

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
        QCOMPARE(info.intraOpThreads, info.hardwareThreads);
        QVERIFY(!info.torchVersion.empty());
        QCOMPARE(QString::fromStdString(info.defaultDevice), info.cudaDevices > 0 ? QStringLiteral("cuda") : QStringLiteral("cpu"));
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
};

QTEST_GUILESS_MAIN(TestSystem)
#include "test_system.moc"
