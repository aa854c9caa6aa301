// SPDX-License-Identifier: MIT
// Prompt-pair files: native and EAP-IG CSV, native and auto-circuit JSON. The first byte
// picks the reader (CSV or JSON, by file name as the app does); the rest is the file.
#include "core/data/dataset.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0)
        return 0;
    const bool json = data[0] & 1;
    const auto file = patchbay::fuzz::writeInput(json ? "pairs.json" : "pairs.csv", data + 1, size - 1);
    patchbay::fuzz::expectOnlyCoreErrors([&] {
        const auto pairs = patchbay::core::readDataset(file);
        // What a user does next: save them in each format.
        for (auto format : {patchbay::core::DatasetFormat::NativeCsv, patchbay::core::DatasetFormat::NativeJson,
                            patchbay::core::DatasetFormat::EapIgCsv, patchbay::core::DatasetFormat::AutoCircuitJson})
            patchbay::fuzz::expectOnlyCoreErrors([&] { (void)patchbay::core::datasetToString(pairs, format); });
    });
    return 0;
}
