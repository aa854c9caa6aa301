// SPDX-License-Identifier: MIT
// Session files (.pbsession): the document the app opens at start; a session that reads
// is written back.
#include "core/data/session.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto file = patchbay::fuzz::writeInput("input.pbsession", data, size);
    patchbay::fuzz::expectOnlyCoreErrors([&] {
        const auto session = patchbay::core::readSession(file);
        (void)patchbay::core::sessionToString(session);
    });
    return 0;
}
