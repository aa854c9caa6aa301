// SPDX-License-Identifier: MIT
// config.json of a model directory: the JSON reader, model_type, every family's parser
// and the range checks on its numbers (what Model::load and readModelConfig run).
#include "core/model/detail/architecture.h"
#include "core/common/json.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto file = patchbay::fuzz::writeInput("config.json", data, size);
    patchbay::fuzz::expectOnlyCoreErrors([&] {
        (void)patchbay::core::detail::parseModelConfig(patchbay::core::readJsonFile(file), file.string());
    });
    return 0;
}
