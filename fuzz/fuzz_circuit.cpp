// SPDX-License-Identifier: MIT
// Circuit files (EAP-IG and native JSON): cfg sizes, node and edge names, scores; a
// circuit that reads is written back in every format.
#include "core/circuit.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto file = patchbay::fuzz::writeInput("circuit.json", data, size);
    patchbay::fuzz::expectOnlyCoreErrors([&] {
        const auto circuit = patchbay::core::readCircuit(file);
        for (auto format : {patchbay::core::CircuitFormat::EapIg, patchbay::core::CircuitFormat::Native,
                            patchbay::core::CircuitFormat::Dot})
            (void)patchbay::core::circuitToString(circuit, format);
    });
    return 0;
}
