// SPDX-License-Identifier: MIT
// EAP against one plain forward + backward of the same engine on the same batches:
//   bench_eap --model PATH --data FILE [--batch-size 16] [--reps 3] [--reference corrupted|mean|…]
//             [--memory-mb M]   (the working-memory budget: default the app's 1024, 0 none)
//             [--method eap|eap-ig|eap-ig-activations] [--steps 5] [--device cpu|cuda] [--dtype float32|bfloat16]
// On CUDA it also reports the allocator's peak GPU memory (allocated by tensors, reserved
// from the driver), weights included.
// EAP's cost is the reference (corrupted) forward the evaluator caches, then per batch one
// clean forward with gradient probes on every receiver input, one backward and one score
// product per receiver layer. The floor is about 1.33× a forward + backward (two forwards
// and one backward against one of each), plus the products. With the corrupted reference
// the products skip the prefix a clean and corrupted prompt share (its differences are zero);
// with a mean reference every position up to the answer counts.
#include "core/methods/attribution.h"
#include "core/data/dataset.h"
#include "core/methods/detail/evaluation_state.h"
#include "bench/bench_util.h"
#include "core/methods/metrics.h"
#include "core/methods/methods.h"
#include "core/model/model.h"
#include "core/common/system.h"

#include <nlohmann/json.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <iostream>

using namespace patchbay::core;

using namespace patchbay::bench;

namespace {

// One plain forward + backward over every batch: the building blocks of Transformer::forward
// with the embedding as the leaf that requires grad (activation gradients only, as in EAP).
// backward false: the forward alone, without autograd (what the reference pass is compared to).
void forwardBackward(const patchbay::core::detail::EvaluationState& s, bool backward = true)
{
    const auto& t = s.model->transformer();
    const auto& c = t.config();
    for (const auto& b : s.batches) {
        torch::AutoGradMode grad(backward);
        const auto biases = t.attentionBiases(b.mask, b.clean.size(0), b.clean.size(1));
        auto resid = t.embed(b.clean).detach().requires_grad_(backward);
        auto x = resid;
        for (int l = 0; l < c.nLayers; ++l) {
            const auto attnOut = t.attentionPostNorm(l, t.attention(l, x, x, x, t.biasFor(biases, l), nullptr).out);
            const auto m = t.mlp(l, c.parallelAttnMlp ? x : x + attnOut, nullptr);
            x = x + attnOut + m;
        }
        const auto at = b.answerPos.view({-1, 1, 1}).expand({-1, 1, c.dModel});
        const auto logits = t.unembed(x.gather(1, at), nullptr).squeeze(1);
        const auto metric = patchbay::core::detail::metricPerExample(s.options.metric, logits, b.targets).sum();
        if (backward)
            metric.backward();
    }
}

} // namespace

int main(int argc, char** argv)
{
    try {
        const std::string dir = arg(argc, argv, "model", ""), dataFile = arg(argc, argv, "data", "");
        if (dir.empty() || dataFile.empty()) {
            std::cerr << "usage: bench_eap --model PATH --data FILE [--batch-size B] [--reps R] [--reference R] [--memory-mb M]\n"
                         "                 [--method eap|eap-ig|eap-ig-activations] [--steps S] [--device D] [--dtype T]\n";
            return 2;
        }
        const int reps = std::stoi(arg(argc, argv, "reps", "3"));
        initRuntime();
        LoadOptions load;
        load.device = arg(argc, argv, "device", "cpu");
        load.dtype = arg(argc, argv, "dtype", "float32");
        const std::shared_ptr<Model> model = Model::load(dir, load);
        const std::string device = model->info().device;
        const bool cuda = device.rfind("cuda", 0) == 0;
        auto sync = [cuda] {
            if (cuda)
                torch::cuda::synchronize();
        };
        const Method method = parseMethod(arg(argc, argv, "method", "eap"));
        const int steps = std::stoi(arg(argc, argv, "steps", "5"));
        resetDeviceMemoryPeak(device); // the peak below: weights + everything the runs add
        EvaluationOptions options;
        options.batchSize = std::stoi(arg(argc, argv, "batch-size", "16"));
        options.reference = parseReference(arg(argc, argv, "reference", "corrupted"));
        const std::string budget = arg(argc, argv, "memory-mb", "");
        if (!budget.empty())
            options.memoryBudgetBytes = static_cast<std::size_t>(std::stoll(budget)) << 20;
        auto data = readDataset(dataFile);
        const auto examples = data.pairs.size();
        auto start = std::chrono::steady_clock::now();
        const Evaluator ev(model, std::move(data), options); // reference forward + clean/patched metrics
        const double setup = seconds(start);
        // The set-up's own reference pass, alone, for the EAP total.
        std::vector<double> reference, eap, plain, forward;
        for (int r = 0; r < reps; ++r) {
            start = std::chrono::steady_clock::now();
            {
                torch::NoGradGuard noGrad;
                for (const auto& b : patchbay::core::detail::stateOf(ev).batches)
                    patchbay::core::detail::stateOf(ev).forward->senderOutputs(b.corrupted, b.mask);
                sync();
            }
            reference.push_back(seconds(start));
            AttributionOptions o;
            o.method = method;
            o.steps = steps;
            eap.push_back(attribute(ev, o).seconds); // its scores come back to the host: synchronized
            start = std::chrono::steady_clock::now();
            forwardBackward(patchbay::core::detail::stateOf(ev));
            sync();
            plain.push_back(seconds(start));
            start = std::chrono::steady_clock::now();
            forwardBackward(patchbay::core::detail::stateOf(ev), false);
            sync();
            forward.push_back(seconds(start));
        }
        rusage usage{};
        getrusage(RUSAGE_SELF, &usage);
        // EAP's total: the reference forward of the batches whose references the evaluator
        // keeps (the others are recomputed inside EAP, already in its time) and EAP itself.
        std::size_t rows = 0, keptRows = 0, keptBatches = 0;
        for (const auto& b : patchbay::core::detail::stateOf(ev).batches) {
            rows += static_cast<std::size_t>(b.clean.size(0));
            if (!b.referenceOnDemand) {
                keptRows += static_cast<std::size_t>(b.clean.size(0));
                ++keptBatches;
            }
        }
        const double keptShare = rows ? static_cast<double>(keptRows) / static_cast<double>(rows) : 1.0;
        const double total = keptShare * median(reference) + median(eap);
        const DeviceMemory gpu = deviceMemory(device);
        std::cout << nlohmann::json{{"model", dir},
                                    {"device", device},
                                    {"dtype", model->info().dtype},
                                    {"method", methodInfo(method).name},
                                    {"steps", steps},
                                    {"data", dataFile},
                                    {"examples", examples},
                                    {"batch_size", options.batchSize},
                                    {"memory_budget_mb", static_cast<double>(options.memoryBudgetBytes >> 20)},
                                    {"batches", patchbay::core::detail::stateOf(ev).batches.size()},
                                    {"batches_with_references_kept", keptBatches},
                                    {"reference", referenceName(options.reference)},
                                    {"threads", systemInfo(false).intraOpThreads},
                                    {"evaluator_setup_seconds", setup},
                                    {"reference_pass_seconds", median(reference)},
                                    {"eap_gradient_and_scores_seconds", median(eap)},
                                    {"eap_total_seconds", total},
                                    {"forward_backward_seconds", median(plain)},
                                    {"forward_seconds", median(forward)},
                                    {"eap_over_forward_backward", total / median(plain)},
                                    {"peak_rss_mb", static_cast<double>(usage.ru_maxrss) / 1024.0},
                                    {"peak_gpu_allocated_mb", static_cast<double>(gpu.peakAllocatedBytes) / 1048576.0},
                                    {"peak_gpu_reserved_mb", static_cast<double>(gpu.peakReservedBytes) / 1048576.0},
                                    {"weights_mb", static_cast<double>(model->info().parameterCount)
                                                       * (model->info().dtype == "float32" ? 4.0 : 2.0) / 1048576.0}}
                         .dump()
                  << '\n';
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "bench_eap: " << e.what() << '\n';
        return 1;
    }
}
