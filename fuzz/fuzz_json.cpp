// SPDX-License-Identifier: MIT
// The shared JSON reader (core/common/json.cpp): depth limit, number range, messages.
#include "core/common/json.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    patchbay::fuzz::expectOnlyCoreErrors([&] {
        const std::string_view text(reinterpret_cast<const char*>(data), size);
        const auto j = patchbay::core::parseJsonText(text, "input.json");
        // What a reader does with a value it dislikes: describe it in a message.
        (void)patchbay::core::jsonForMessage(j);
        if (j.is_object() || j.is_array())
            for (const auto& v : j)
                (void)patchbay::core::jsonForMessage(v);
        (void)patchbay::core::jsonOptionalInt(j, "n", 0, "input.json");
        (void)patchbay::core::jsonOptionalNumber(j, "x", 0, "input.json");
        (void)patchbay::core::jsonOptionalString(j, "s", "", "input.json");
    });
    return 0;
}
