// SPDX-License-Identifier: MIT
// Circuit files (EAP-IG and native JSON): cfg sizes, node and edge names, scores; a
// circuit that reads is written back in every format.
#include "core/graph/circuit.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto file = patchbay::fuzz::writeInput("circuit.json", data, size);
    patchbay::fuzz::expectOnlyCoreErrors([&] {
        const auto circuit = patchbay::core::readCircuit(file);
        // A few bytes of cfg may ask for any graph the resource policy accepts (up to 2^25
        // edges: 200 layers x 10 heads is 6.8 M). Reading it is what is fuzzed; writing
        // tens of MB of text back in four formats is only slow under the sanitizers (an
        // 85-layer graph of 233 k edges passed the 10 s limit on a busy machine), so graphs
        // above GPT-2 small's size (32,491 edges) are written by the unit tests instead.
        if (circuit.graph.edgeCount() > (std::size_t{1} << 16))
            return;
        for (auto format : {patchbay::core::CircuitFormat::EapIg, patchbay::core::CircuitFormat::EapIgPerQueryHead,
                            patchbay::core::CircuitFormat::Native, patchbay::core::CircuitFormat::Dot})
            (void)patchbay::core::circuitToString(circuit, format);
    });
    return 0;
}
