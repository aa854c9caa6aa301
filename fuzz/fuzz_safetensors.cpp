// SPDX-License-Identifier: MIT
// The safetensors reader: header length, JSON header, dtypes, shapes and offsets.
#include "core/io/safetensors.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto file = patchbay::fuzz::writeInput("model.safetensors", data, size);
    patchbay::fuzz::expectOnlyCoreErrors([&] {
        const patchbay::core::SafetensorsFile st(file);
        // Touch every tensor's bytes: offsets the reader accepted must lie inside the map.
        unsigned sum = 0;
        for (const auto& [name, view] : st.tensors())
            if (view.bytes > 0)
                sum += unsigned(view.data[0]) + unsigned(view.data[view.bytes - 1]);
        (void)sum;
    });
    return 0;
}
