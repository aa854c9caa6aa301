// SPDX-License-Identifier: MIT
// Load time and forward throughput of a model directory, as JSON:
//   bench_forward --model PATH [--batch 16] [--tokens 32] [--reps 10] [--device cpu] [--dtype float32]
// Inputs are deterministic pseudo-random token ids (torch::manual_seed(0) + randint). The
// Python driver (bench/forward_vs_transformers.py) draws its ids the same way; whether the
// two RNG streams coincide does not matter for throughput.
#include "core/model/detail/transformer.h"
#include "bench/bench_util.h"
#include "core/model/model.h"
#include "core/common/system.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <string>

using namespace patchbay::core;

using namespace patchbay::bench;

int main(int argc, char** argv)
{
    try {
        const std::string dir = arg(argc, argv, "model", "");
        if (dir.empty()) {
            std::cerr << "usage: bench_forward --model PATH [--batch B] [--tokens T] [--reps R] [--device D] [--dtype T]\n";
            return 2;
        }
        const int64_t batch = std::stoll(arg(argc, argv, "batch", "16"));
        const int64_t tokens = std::stoll(arg(argc, argv, "tokens", "32"));
        const int reps = std::stoi(arg(argc, argv, "reps", "10"));
        LoadOptions options;
        options.device = arg(argc, argv, "device", "cpu");
        options.dtype = arg(argc, argv, "dtype", "float32");

        initRuntime();
        auto start = std::chrono::steady_clock::now();
        const auto model = Model::load(dir, options);
        const double loadSeconds = seconds(start);

        const auto& t = model->transformer();
        torch::manual_seed(0);
        const auto ids = torch::randint(0, model->config().dVocab, {batch, tokens}, torch::kInt64).to(t.device());
        torch::NoGradGuard noGrad;
        auto sync = [&] {
            if (t.device().is_cuda())
                torch::cuda::synchronize();
        };
        for (int i = 0; i < 2; ++i) // warm-up
            t.forward(ids, {});
        sync();
        std::vector<double> times;
        for (int i = 0; i < reps; ++i) {
            start = std::chrono::steady_clock::now();
            auto logits = t.forward(ids, {});
            sync();
            times.push_back(seconds(start));
        }
        std::sort(times.begin(), times.end());
        const double median = times[times.size() / 2];
        const auto info = systemInfo(false);
        nlohmann::json out = {
            {"engine", "patchbay"},
            {"model", dir},
            {"parameters", model->info().parameterCount},
            {"device", model->info().device},
            {"dtype", model->info().dtype},
            {"threads", info.intraOpThreads},
            {"blas", info.blas},
            {"batch", batch},
            {"tokens", tokens},
            {"load_seconds", loadSeconds},
            {"forward_seconds_median", median},
            {"forward_seconds_min", times.front()},
            {"tokens_per_second", static_cast<double>(batch * tokens) / median},
        };
        std::cout << out.dump() << '\n';
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "bench_forward: " << e.what() << '\n';
        return 1;
    }
}
