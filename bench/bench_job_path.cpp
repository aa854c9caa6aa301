// SPDX-License-Identifier: MIT
// The compute worker's path on a device, without Qt (the GPU machine has none): the same
// core calls ui/computeworker.cpp makes, in its order, with its cancel flag.
//   bench_job_path --model PATH --data FILE [--device cuda] [--steps 50]
// 1. a load, dropped: what the device keeps afterwards (cuBLAS's workspace from the
//    load's dtype probe, say) is the baseline;
// 2. a load cancelled after a few tensors: throws Cancelled, and once freed the device
//    holds exactly the baseline again;
// 3. a full load, the evaluator, EAP (scores A);
// 4. EAP-IG with many steps on a second thread, cancelled from this one 0.3 s after it
//    first reported progress: the latency until it throws Cancelled (it checks between
//    batches and steps);
// 5. the evaluator dropped and releaseFreeMemory() (the worker does both): allocated and
//    reserved memory before and after, reserved not grown;
// 6. a new evaluator, EAP again: scores equal to A bit for bit (a cancelled run leaves
//    nothing behind).
// One JSON line; exit status 1 when a check fails.
#include "core/common/error.h"
#include "core/common/system.h"
#include "core/data/dataset.h"
#include "core/methods/attribution.h"
#include "core/methods/evaluation.h"
#include "core/model/model.h"
#include "bench/bench_util.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>

using namespace patchbay::core;
using namespace patchbay::bench;

namespace {

double mib(int64_t bytes) { return static_cast<double>(bytes) / 1048576.0; }

} // namespace

int main(int argc, char** argv)
{
    try {
        const std::string dir = arg(argc, argv, "model", ""), dataFile = arg(argc, argv, "data", "");
        if (dir.empty() || dataFile.empty()) {
            std::cerr << "usage: bench_job_path --model PATH --data FILE [--device D] [--steps S]\n";
            return 2;
        }
        initRuntime();
        nlohmann::json out;
        bool ok = true;
        auto check = [&](bool condition, const std::string& what) {
            out["checks"][what] = condition;
            ok = ok && condition;
        };
        std::atomic_bool cancel{false};
        LoadOptions load;
        load.device = arg(argc, argv, "device", "cuda");
        load.cancel = &cancel;
        const std::string device = load.device; // "cuda", "cuda:1", "cpu"

        // 1. The baseline: what stays on the device after a model came and went.
        (void)Model::load(dir, load); // loaded and freed at once
        releaseFreeMemory();
        const auto baseline = deviceMemory(device);
        out["baseline_allocated_mb"] = mib(baseline.allocatedBytes);

        // 2. A load cancelled after three tensors.
        int tensors = 0;
        load.progress = [&](double, const std::string& stage) {
            if (stage == LoadOptions::kLoadingWeights && ++tensors == 4)
                cancel = true;
        };
        bool cancelled = false;
        try {
            Model::load(dir, load);
        } catch (const Cancelled&) {
            cancelled = true;
        }
        check(cancelled && tensors == 4, "load_cancelled_between_tensors");
        releaseFreeMemory();
        const auto afterCancelledLoad = deviceMemory(device);
        out["allocated_mb_after_cancelled_load"] = mib(afterCancelledLoad.allocatedBytes);
        out["reserved_mb_after_cancelled_load"] = mib(afterCancelledLoad.reservedBytes);
        check(afterCancelledLoad.allocatedBytes == baseline.allocatedBytes, "cancelled_load_left_nothing_allocated");

        // 3. The real load, the evaluator and EAP.
        cancel = false;
        load.progress = nullptr;
        auto start = std::chrono::steady_clock::now();
        const std::shared_ptr<Model> model = Model::load(dir, load);
        out["load_seconds"] = seconds(start);
        out["device"] = model->info().device;
        EvaluationOptions options;
        options.cancel = &cancel;
        std::atomic_bool reported{false};
        options.progress = [&reported](double, const std::string&) { reported = true; };
        auto evaluator = std::make_unique<Evaluator>(model, readDataset(dataFile), options);
        AttributionOptions eap;
        eap.method = Method::Eap;
        start = std::chrono::steady_clock::now();
        const auto first = attribute(*evaluator, eap).edgeScores;
        out["eap_seconds"] = seconds(start);

        // 4. EAP-IG cancelled while it runs, from another thread (the GUI's Cancel).
        AttributionOptions ig;
        ig.method = Method::EapIg;
        ig.steps = std::stoi(arg(argc, argv, "steps", "50"));
        std::atomic<double> cancelledAfter{-1.0};
        std::atomic_bool finished{false};
        std::string jobError;
        std::chrono::steady_clock::time_point raised; // written before `cancel`, read after it
        reported = false;
        std::thread job([&] {
            try {
                attribute(*evaluator, ig);
            } catch (const Cancelled&) {
                cancelledAfter = seconds(raised);
            } catch (const std::exception& e) { // out of memory, a device mismatch…
                jobError = e.what();
            }
            finished = true;
        });
        while (!reported && !finished)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        raised = std::chrono::steady_clock::now();
        cancel = true;
        job.join();
        if (!jobError.empty())
            out["eap_ig_error"] = jobError;
        out["cancel_latency_ms"] = cancelledAfter * 1000.0;
        check(cancelledAfter >= 0.0, "eap_ig_cancelled");

        // 5. What the worker does after a long job: memory back to the system.
        const auto before = deviceMemory(device);
        evaluator.reset();
        releaseFreeMemory();
        const auto after = deviceMemory(device);
        out["allocated_mb_before_after_release"] = {mib(before.allocatedBytes), mib(after.allocatedBytes)};
        out["reserved_mb_before_after_release"] = {mib(before.reservedBytes), mib(after.reservedBytes)};
        out["peak_allocated_mb"] = mib(after.peakAllocatedBytes);
        check(after.reservedBytes <= before.reservedBytes && after.allocatedBytes <= before.allocatedBytes,
              "memory_given_back");

        // 6. Again from scratch: the same scores.
        cancel = false;
        evaluator = std::make_unique<Evaluator>(model, readDataset(dataFile), options);
        const auto second = attribute(*evaluator, eap).edgeScores;
        check(first == second, "eap_after_cancel_identical");
        out["edges"] = first.size();
        out["ok"] = ok;
        std::cout << out.dump() << '\n';
        return ok ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "bench_job_path: " << e.what() << '\n';
        return 1;
    }
}
