// SPDX-License-Identifier: MIT
// Cost of one masked evaluation (a click on the graph canvas) against a plain forward:
//   bench_intervention --model PATH [--batch 16] [--tokens 16] [--edges 500] [--reps 10]
// The circuit is `edges` random edges kept clean, every other edge patched to the
// corrupted run's activations (computed once, as the app caches them per batch). Timed
// twice: with the logits of every position (like the plain forward) and with the logits
// of the answer position only (what evaluating a metric needs).
#include "core/methods/detail/intervention.h"
#include "bench/bench_util.h"
#include "core/model/model.h"
#include "core/common/system.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <iostream>

using namespace patchbay::core;

using namespace patchbay::bench;


int main(int argc, char** argv)
{
    try {
        const std::string dir = arg(argc, argv, "model", "");
        if (dir.empty()) {
            std::cerr << "usage: bench_intervention --model PATH [--batch B] [--tokens T] [--edges N] [--reps R]\n";
            return 2;
        }
        const int64_t batch = std::stoll(arg(argc, argv, "batch", "16"));
        const int64_t tokens = std::stoll(arg(argc, argv, "tokens", "16"));
        const int64_t nEdges = std::stoll(arg(argc, argv, "edges", "500"));
        const int reps = std::stoi(arg(argc, argv, "reps", "10"));
        initRuntime();
        const auto model = Model::load(dir);
        const auto& t = model->transformer();
        const Graph graph(model->config());
        const patchbay::core::detail::InterventionalForward forward(t, graph);
        torch::NoGradGuard noGrad;
        torch::manual_seed(0);
        const auto clean = torch::randint(0, model->config().dVocab, {batch, tokens}, torch::kInt64);
        const auto corrupted = torch::randint(0, model->config().dVocab, {batch, tokens}, torch::kInt64);

        const auto S = static_cast<int64_t>(graph.senders().size());
        const auto R = static_cast<int64_t>(graph.receivers().size());
        auto mask = torch::zeros({S, R});
        const auto pick = torch::randperm(static_cast<int64_t>(graph.edgeCount()), torch::kInt64);
        auto m = mask.accessor<float, 2>();
        for (int64_t i = 0; i < std::min<int64_t>(nEdges, pick.size(0)); ++i) {
            const auto& e = graph.edges()[static_cast<std::size_t>(pick[i].item<int64_t>())];
            m[e.sender][e.receiver] = 1.0f;
        }
        patchbay::core::detail::Intervention patch;
        patch.reference = forward.senderOutputs(corrupted, {});
        patch.edgeMask = mask;

        const double plain = medianSeconds(reps, [&] { t.forward(clean, {}); });
        const double masked = medianSeconds(reps, [&] { forward.run(clean, {}, patch); });
        // What a click computes: the metric needs the logits at the answer position only.
        auto click = patch;
        click.readout = torch::full({batch}, tokens - 1, torch::kInt64);
        const double maskedReadout = medianSeconds(reps, [&] { forward.run(clean, {}, click); });
        const double reference = medianSeconds(reps, [&] { forward.senderOutputs(corrupted, {}); });
        const auto info = systemInfo(false);
        std::cout << nlohmann::json{{"model", dir},
                                    {"graph_edges", graph.edgeCount()},
                                    {"circuit_edges", nEdges},
                                    {"batch", batch},
                                    {"tokens", tokens},
                                    {"threads", info.intraOpThreads},
                                    {"plain_forward_seconds", plain},
                                    {"masked_forward_seconds", masked},
                                    {"reference_pass_seconds", reference},
                                    {"masked_readout_seconds", maskedReadout},
                                    {"masked_over_plain", masked / plain},
                                    {"masked_readout_over_plain", maskedReadout / plain}}
                         .dump()
                  << '\n';
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "bench_intervention: " << e.what() << '\n';
        return 1;
    }
}
